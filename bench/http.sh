#!/usr/bin/env bash
# Benchmark: the HTTP API under load, beside PostgreSQL's own rate for the same transactions.
# Builds the release binary, starts it on a throwaway managed database, seeds FAMILIES synthetic
# families (`ffc seed`, default 100,000), then for each endpoint drives SECONDS (default 20) of
# load with wrk from its own process on loopback, 32 connections, every request authenticated
# (a bearer token) and audited as in production, and runs the endpoint's own transaction through
# `pgbench -M prepared` with as many clients for as long. Appends a table to BENCHMARKS.md.
#   bench/http.sh [FAMILIES] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
secs=${2:-20}
conns=32
command -v wrk > /dev/null || apt-get install -y -q wrk > /dev/null
pgbench=$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -n 1)
. bench/lib.sh
start_service
bin=./target/release/ffc

t0=$(date +%s.%N)
$bin seed --families "$n" 2>/dev/null
psql -q -X "$owner" -c 'SET client_min_messages = error' -c 'VACUUM ANALYZE'
t1=$(date +%s.%N)
psql -q -X "$owner" -f bench/http/setup.sql
for t in family_ids postcodes referral_ids; do
  col=$([ $t = postcodes ] && echo postcode || echo id)
  psql -q -X -A -t "$owner" -c "SELECT $col FROM bench.$t ORDER BY n" > "$work/$t.txt"
done
samples=$(wc -l < "$work/family_ids.txt")
postcodes=$(wc -l < "$work/postcodes.txt")
referrals=$(wc -l < "$work/referral_ids.txt")

coordinator=$($bin token --role coordinator --sub bench-coordinator --ttl 7200)
provider=$($bin token --role provider --sub bench-ywca --ttl 7200)
admin=$($bin token --role admin --sub bench-admin)
curl -sf -o /dev/null -X POST "http://127.0.0.1:$port/api/v1/provider-users" \
  -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
  -d '{"issuer": "ffc-dev", "subject": "bench-ywca", "organisation": "ywca"}'
export BENCH_FAMILIES="$work/family_ids.txt" BENCH_POSTCODES="$work/postcodes.txt" \
  BENCH_REFERRALS="$work/referral_ids.txt"

# wrk SCRIPT TOKEN THREADS SECONDS: prints "requests/s p50_ms p99_ms errors".
load() {
  BENCH_TOKEN=$2 wrk -t"$3" -c"$conns" -d"$4"s --timeout 5s -s "bench/http/$1.lua" \
    "http://127.0.0.1:$port" > "$work/wrk.out" 2>&1 || { cat "$work/wrk.out" >&2; exit 1; }
  python3 - "$work/wrk.out" <<'PY'
import re, sys
line = next(l for l in open(sys.argv[1]) if l.startswith("RESULT"))
v = {k: int(x) for k, x in re.findall(r"(\w+)=(\d+)", line)}
print(f'{v["requests"] / (v["duration_us"] / 1e6):.0f} {v["p50_us"] / 1000:.1f} '
      f'{v["p99_us"] / 1000:.1f} {v["status_errors"] + v["socket_errors"]}')
PY
}
# pgbench SCRIPT: prints transactions/s.
ceiling() {
  "$pgbench" -n -M prepared -c "$conns" -j 2 -T "$secs" -D samples="$samples" \
    -D postcodes="$postcodes" -D referrals="$referrals" -f "bench/http/pg-$1.sql" "$owner" \
    > "$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
  grep -o 'tps = [0-9.]*' "$work/pgbench.out" | head -n 1 | awk '{printf "%.0f", $3}'
}

# The service's own count of the 2xx answers it has given under /api/v1 (every endpoint loaded
# here reads or writes family data, so each such answer must have written one audit event).
answered() {
  curl -sf "http://127.0.0.1:$port/metrics" | python3 -c '
import re, sys
total = 0
for line in sys.stdin:
    m = re.match(r"ffc_http_requests_total\{(.*)\} (\d+)$", line.strip())
    if m and re.search(r"route=\"/api/v1/", m[1]) and re.search(r"status=\"2\d\d\"", m[1]):
        total += int(m[2])
print(total)'
}
events() { psql -q -X -A -t "$owner" -c "SELECT count(*) FROM audit_events"; }
audit_mismatches=0

rows=()
# endpoint SCRIPT TOKEN THREADS LABEL [PGBENCH-SCRIPT [TARGET MIN-RATIO [MAX-P99-MS]]]
endpoint() {
  local events0 answered0
  events0=$(events)
  answered0=$(answered)
  load "$1" "$2" "$3" 3 > /dev/null # warm up: connections, caches, prepared statements
  # Not read from $(...): a failing wrk must stop the script, not leave a blank row.
  load "$1" "$2" "$3" "$secs" > "$work/result"
  read -r rps p50 p99 errors < "$work/result"
  # The audit stays complete: counted before pgbench runs, so its own inserts are kept apart.
  local written=$(( $(events) - events0 )) ok=$(( $(answered) - answered0 ))
  if [ "$written" -ne "$ok" ]; then
    echo "$4: $ok answers 2xx but $written audit events written" >&2
    audit_mismatches=$((audit_mismatches + 1))
  fi
  local tps="" ratio="" verdict=""
  if [ -n "${5:-}" ]; then
    tps=$(ceiling "$5")
    ratio=$(python3 -c "print(f'{100 * $rps / $tps:.0f}%')")
    [ -n "${7:-}" ] && verdict=$(python3 -c "print('met' if $rps >= $7 * $tps and $p99 <= ${8:-1e9} else 'missed')")
  fi
  echo "$4: $rps req/s, p50 $p50 ms, p99 $p99 ms, $errors errors; pgbench ${5:-} ${tps:--} tps ($ratio ${6:-}); $ok answered 2xx, $written audited"
  rows+=("| $4 | $rps | $p50 | $p99 | $errors | ${5:--} | ${tps:--} | ${ratio:--} | ${6:--} ${verdict} |")
}

# Reads against their read-only ceilings (the same statements, no audit): the audit's price.
# Writes against their own transaction run by pgbench.
endpoint family "$coordinator" 2 "GET a family with members" family-read-only "≥ 25%, p99 ≤ 15 ms" 0.25 15
endpoint postcode "$coordinator" 2 "List by postcode (50 a page)" postcode-read-only "≥ 25%" 0.25
# One connection a thread: each walk follows its own cursor.
endpoint walk "$coordinator" "$conns" "Filtered list, 5 pages walked (pages)"
endpoint update "$provider" 2 "Provider posts a referral update" update "≥ 60%" 0.6
endpoint create "$coordinator" 2 "Create a family" create

if [ "$audit_mismatches" -ne 0 ]; then
  echo "the audit is incomplete for $audit_mismatches endpoint(s): nothing is written to BENCHMARKS.md" >&2
  exit 1
fi
peak=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$server/status")
rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status")
audited=$(psql -q -X -A -t "$owner" -c "SELECT count(*) FROM audit_events")
load_s=$(python3 -c "print(f'{$t1 - $t0:.0f}')")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
echo "peak RSS $peak MB (now $rss MB); $audited audit events; seeding $load_s s"
# What the errors were, from the service's access log (route template and status).
grep -o 'ffc::access\] [A-Z]* [^ ]* [3-5][0-9][0-9]' "$work/server.log" | cut -d' ' -f2- | sort | uniq -c || true

if ! grep -q '^## HTTP API' BENCHMARKS.md 2>/dev/null; then
  cat >> BENCHMARKS.md <<'MD'

## HTTP API (bench/http.sh)

`bench/http.sh [FAMILIES] [SECONDS]`: the release binary on a throwaway managed PostgreSQL,
seeded by `ffc seed`, loaded by `wrk` (32 connections, its own process, loopback) for SECONDS a
endpoint after 3 s of warm-up; every request carries a bearer token and is audited as in
production (a write's event in its transaction, a read's committed by the audit writer before
it is answered). Beside each endpoint, `pgbench -M prepared` runs, with 32 clients for as long
in the same run, either a read's statements alone without any audit (its read-only ceiling: the
price of the audit shows) or a write's own transaction (bench/http/pg-*.sql: the same
statements, audit, idempotency and outbox inserts, committed the same way): the ratio is the
service's rate to PostgreSQL's own for that work. Load generator, service and PostgreSQL share
the machine's cores.
MD
fi
{
  echo
  echo "### $(date -u +%Y-%m-%d): $n families, $(nproc) cores, $cpu"
  echo
  echo "\`bench/http.sh $n $secs\`; seeding and VACUUM ANALYZE ${load_s} s; service peak RSS" \
    "**$peak MB** (target under 150 MB); $audited audit events written."
  echo
  echo "| endpoint | requests/s | p50 ms | p99 ms | errors | pgbench script | pgbench tps | ratio | target |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
} >> BENCHMARKS.md
