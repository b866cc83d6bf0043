# Shared by the benchmark scripts: builds the release binary and starts the service on a
# throwaway managed database. Sets $port, $server, $work, $pgport, $owner (the owner role's URL); the
# service stops and its folder goes when the script exits (its log kept in
# /tmp/last-bench.log).
start_service() {
  cargo build --release --locked -q
  work=$(mktemp -d /tmp/ffc-bench-XXXXXX)
  chmod 755 "$work"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  export FFC_DATA_DIR="$work/data" FFC_BIND="127.0.0.1:$port" FFC_RATE_LIMIT_PER_MINUTE=1000000 RUST_LOG=info
  ./target/release/ffc serve > "$work/server.log" 2>&1 &
  server=$!
  trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; cp "$work/server.log" /tmp/last-bench.log; rm -rf "$work"' EXIT
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 1; done
  pgport=$(grep -o 'PostgreSQL listening on 127.0.0.1:[0-9]*' "$work/server.log" | grep -o '[0-9]*$')
  owner="postgres://ffc_owner@127.0.0.1:$pgport/ffc"
}

# Puts a row at the end of the table of the BENCHMARKS.md section whose heading starts with $1
# (not at the end of the file, where a later section's table would be).
add_row() {
  python3 - "$1" "$2" <<'PY'
import sys
heading, row = sys.argv[1], sys.argv[2]
text = open("BENCHMARKS.md").read()
start = text.index(heading)
nxt = text.find("\n## ", start + 1)
end = len(text) if nxt < 0 else nxt
section = text[start:end].rstrip("\n").split("\n")
last = max(i for i, l in enumerate(section) if l.startswith("| "))
section.insert(last + 1, row)
open("BENCHMARKS.md", "w").write(text[:start] + "\n".join(section) + "\n" + text[end:])
PY
}
