#!/usr/bin/env bash
# Benchmark: what each index on audit_events costs an insert. On the service's throwaway managed
# database, copies of audit_events (its columns and defaults, no rows) are made in a scratch
# schema, each with one set of indexes: none, the primary key alone, the key with each other
# index in turn, and all of them (as the service has). Each is prefilled with PREFILL events, so
# that the trees are as deep as a council's first months make them, then pgbench inserts into it
# as the audit writer does: one multi-row INSERT of 32 events a commit (the batch the writer
# reaches under load), from 2 clients, for SECONDS. A family read's event names the family and
# its people, so each event carries five ids. Appends a table to BENCHMARKS.md.
#   bench/audit-indexes.sh [PREFILL] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
prefill=${1:-500000}
secs=${2:-15}
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -n 1)
. bench/lib.sh
start_service

psql -q -X "$owner" -f bench/http/setup.sql
psql -q -X "$owner" -c 'DROP SCHEMA IF EXISTS bench_audit CASCADE' -c 'CREATE SCHEMA bench_audit'
# Each index as the migrations define it (read from the catalogue, so a new index is priced too).
mapfile -t indexes < <(psql -q -X -A -t "$owner" -c "
  SELECT indexname || '|' || indexdef FROM pg_indexes
  WHERE schemaname = 'public' AND tablename = 'audit_events' AND indexname <> 'audit_events_pkey'
  ORDER BY indexname")

# variant NAME INDEX-NAMES...: a fresh copy with the key (unless NAME is none) and those indexes.
variant() {
  local name=$1; shift
  psql -q -X "$owner" <<SQL
DROP TABLE IF EXISTS bench_audit.t;
CREATE TABLE bench_audit.t (LIKE public.audit_events INCLUDING DEFAULTS);
$([ "$name" = none ] || echo 'ALTER TABLE bench_audit.t ADD PRIMARY KEY (id);')
INSERT INTO bench_audit.t (id, created_at, actor, actor_roles, action, resource_type, resource_ids, request_id, actor_issuer)
SELECT bench.uuid7(), now() - (($prefill - g) || ' seconds')::interval, 'worker-' || (g % 50),
       '{coordinator}', 'family.read', 'family',
       ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()],
       gen_random_uuid()::text, 'ffc-dev'
FROM generate_series(1, $prefill) g;
SQL
  local spec def
  for spec in "${indexes[@]}"; do
    for want in "$@"; do
      if [ "${spec%%|*}" = "$want" ]; then
        def=${spec#*|}
        def=${def/ ON public.audit_events / ON bench_audit.t }
        psql -q -X "$owner" -c "${def/INDEX $want /INDEX bench_$want }"
      fi
    done
  done
  psql -q -X "$owner" -c 'VACUUM ANALYZE bench_audit.t'
  # The prefill's dirty pages written now, not by a checkpoint in the middle of the measurement.
  psql -q -X "postgres://postgres@127.0.0.1:$pgport/ffc" -c 'CHECKPOINT'
  # A batch as the writer sends it: 32 rows in one INSERT, committed alone.
  cat > "$work/insert.sql" <<'SQL'
INSERT INTO bench_audit.t (id, actor, actor_roles, action, resource_type, resource_ids, resource_keys, request_id, purpose, actor_issuer)
SELECT bench.uuid7(), 'worker-' || (g % 50), '{coordinator}', 'family.read', 'family',
       ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()],
       '{}', gen_random_uuid()::text, NULL, 'ffc-dev'
FROM generate_series(1, 32) g;
SQL
  "$pgbench" -n -c 2 -j 2 -T "$secs" -f "$work/insert.sql" "$owner" > "$work/pgbench.out" 2>&1 \
    || { cat "$work/pgbench.out" >&2; exit 1; }
  local tps
  tps=$(grep -o 'tps = [0-9.]*' "$work/pgbench.out" | head -n 1 | awk '{print $3}')
  python3 -c "print(f'$name {$tps:.0f} {32 * $tps:.0f}')"
}

results=()
run() {
  local line
  line=$(variant "$@")
  echo "$line"
  results+=("$line")
}
names=()
for spec in "${indexes[@]}"; do names+=("${spec%%|*}"); done
run none
run audit_events_pkey
for n in "${names[@]}"; do run "+$n" "$n"; done
run all "${names[@]}"
psql -q -X "$owner" -c 'DROP SCHEMA bench_audit CASCADE'

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
{
  echo
  echo "### $(date -u +%Y-%m-%d): audit_events indexes priced (bench/audit-indexes.sh $prefill $secs), $(nproc) cores, $cpu"
  echo
  echo "Each row: a copy of audit_events prefilled with $prefill events, then pgbench inserting 32"
  echo "events a commit from 2 clients for $secs s. \"+index\" is the primary key and that index."
  echo
  echo "| indexes | commits/s | events/s | events/s lost to the index (vs the key alone) |"
  echo "|---|---|---|---|"
  python3 - "${results[@]}" <<'PY'
import sys
rows = [l.split() for l in sys.argv[1:]]
key = next(float(r[2]) for r in rows if r[0] == "audit_events_pkey")
for name, commits, events in rows:
    lost = "-" if name in ("none", "audit_events_pkey") else f"{100 * (1 - float(events) / key):.0f}%"
    if name == "none":
        lost = f"(the key costs {100 * (1 - key / float(events)):.0f}%)"
    print(f"| {name} | {commits} | {events} | {lost} |")
PY
} >> BENCHMARKS.md
