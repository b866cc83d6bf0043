#!/usr/bin/env bash
# Benchmark: the identification run over N synthetic families (default 100,000), PostgreSQL and
# the service on this machine. Builds the release binary, starts it on a throwaway managed
# database, loads bench/synthetic.sql, starts a phase 1 run through the API and reads the run's
# own start and finish times. Appends the figures to BENCHMARKS.md.
#   bench/identification.sh [FAMILIES]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
. bench/lib.sh
start_service

t0=$(date +%s.%N)
counts=$(psql -q -X -A -t "$owner" -v n="$n" -v seed=0.42 -f bench/synthetic.sql | tail -n 1)
t1=$(date +%s.%N)
token=$(./target/release/ffc token --role coordinator --sub bench)
run=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/identification-runs" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"ruleset": "phase1-2012", "as_of": "2013-06-01"}')
url=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$run")
while :; do
  state=$(curl -sf "http://127.0.0.1:$port/api/v1/identification-runs/$url" -H "Authorization: Bearer $token")
  status=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$state")
  [ "$status" = succeeded ] || [ "$status" = failed ] && break
  sleep 0.2
done
summary=$(python3 - "$state" <<'PY'
import json, sys
from datetime import datetime
r = json.loads(sys.argv[1])
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))
secs = (t(r["finished_at"]) - t(r["started_at"])).total_seconds()
c = r["counts"]
print(f'{r["status"]} {r["progress"]["done"]} {secs:.2f} {c["eligible"]} {c["eligible_not_attached"]} {c["not_eligible"]}')
PY
)
read -r status done secs eligible listed not_eligible <<<"$summary"
rss=$(ps -o rss= -p "$server" | tr -d ' ')
split=$(grep -o 'loading [0-9.]*s, judging [0-9.]*s, writing [0-9.]*s' "$work/server.log" | tail -n 1)
load=$(python3 -c "print(f'{$t1 - $t0:.1f}')")
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)
line="| $(date -u +%Y-%m-%d) | $(nproc) cores, $cpu | $done | ${counts//|/ \/ } | ${load} s | **${secs} s** | $eligible / $listed / $not_eligible | $split | $((rss / 1024)) MB |"
echo "identification run: $status, $done families in $secs s ($split; load ${load} s; rows families/members/evidence $counts)"
if ! grep -q '^## Identification run' BENCHMARKS.md 2>/dev/null; then
  cat >> BENCHMARKS.md <<'MD'

## Identification run (bench/identification.sh)

A phase 1 identification run (as of 2013-06-01) over synthetic families (bench/synthetic.sql):
every family's members and in-force evidence loaded in batches of 2,000 with three set-based
queries, judged by the same rule functions as `GET /families/{id}/eligibility`, results written
per batch. Time is the run's own `started_at` to `finished_at`; PostgreSQL runs on the same
machine. Target: under 10 s for 100,000 families.

| date | machine | families | rows (families / members / evidence) | load | run | eligible / listed / not | inside the run | service RSS after |
|---|---|---|---|---|---|---|---|---|
MD
fi
add_row "## Identification run" "$line"
