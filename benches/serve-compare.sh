#!/usr/bin/env bash
# Two builds of `memoire serve` compared in alternating runs, on a machine
# whose speed drifts from one minute to the next (one run of each in turn,
# so that both see the same turns):
#
#   benches/serve-compare.sh OLD_BINARY NEW_BINARY [ROUNDS]
#
# Each run: the Hansard memory (target/bench-hansard.db, see
# benches/serve.sh), GET /api/v1/lookup at THRESHOLD (default 50), limit 5,
# CLIENTS (default 32) oha clients for DURATION (default 10s) after a 3 s
# warm-up, the fuzzy benchmark's 2,000 queries. Prints requests/s, p50,
# p99 and max latency, and the server's CPU time a lookup (from /proc).
# Build an older binary with e.g.
#   git worktree add /tmp/old 8500c97 && (cd /tmp/old && cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,14p "$0"; exit 2; }
binaries=("$1" "$2")
rounds=${3:-3}
db=${DB:-target/bench-hansard.db}
oha=${OHA:-$(command -v oha || echo /tmp/oha/bin/oha)}
threshold=${THRESHOLD:-50}
clients=${CLIENTS:-32}
duration=${DURATION:-10s}
[ -f "$db" ] && [ -s target/fuzzy-queries-news.txt ] ||
  { echo "run benches/serve.sh once first (it makes $db and the queries)"; exit 2; }
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
token=$("${binaries[1]}" --db "$db" token add "compare-$$" --role read 2> /dev/null)

for round in $(seq 1 "$rounds"); do
  for bin in "${binaries[@]}"; do
    "$bin" --db "$db" serve --listen 127.0.0.1:0 2> "$work/serve.log" &
    pid=$!
    until grep -q 'http://' "$work/serve.log"; do
      kill -0 "$pid" 2> /dev/null || { cat "$work/serve.log"; exit 1; }
      sleep 0.5
    done
    address=$(sed -n 's|.*http://\([^/]*\)/.*|\1|p' "$work/serve.log" | head -n 1)
    python3 - "$address" "$threshold" > "$work/urls.txt" <<'PY'
import sys, urllib.parse
address, t = sys.argv[1], sys.argv[2]
news = open("target/fuzzy-queries-news.txt", encoding="utf-8").read().splitlines()
edited = open("target/fuzzy-queries-edited.txt", encoding="utf-8").read().splitlines()
for q in (q for pair in zip(news, edited) for q in pair):
    print(f"http://{address}/api/v1/lookup?threshold={t}&limit=5&q={urllib.parse.quote(q)}")
PY
    run() { "$oha" --no-tui -w --worker-threads 1 -z "$1" -c "$clients" -H "Authorization: Bearer $token" \
      --output-format json --urls-from-file "$work/urls.txt" > "$work/oha.json" 2> /dev/null || true; }
    run 3s
    before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    run "$duration"
    after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    python3 - "$work/oha.json" "$round" "$bin" "$before" "$after" "$(getconf CLK_TCK)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
served = sum(r.get("statusCodeDistribution", {}).values())
cpu_ms = (float(sys.argv[5]) - float(sys.argv[4])) * 1000 / float(sys.argv[6])
print(f"round {sys.argv[2]}  {sys.argv[3]}: {s['requestsPerSec']:.0f} req/s, p50 {p['p50'] * 1000:.1f} ms, "
      f"p99 {p['p99'] * 1000:.1f} ms, max {s['slowest'] * 1000:.1f} ms, "
      f"server CPU {cpu_ms / max(served, 1):.3f} ms a lookup")
PY
    kill "$pid"; wait "$pid" 2> /dev/null || true
    pid=
  done
done
"${binaries[1]}" --db "$db" token remove "compare-$$" 2> /dev/null
