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
# TOGETHER=1 runs both servers at the same time instead, each under half
# the clients, and prints each one's CPU time a lookup and their ratio:
# both see the same turns of the machine, so the ratio varies less than
# alternating runs (20 %), though no finer than ±5 %: two copies of one
# build gave 0.94-1.00 (throughput and latency then depend on how the
# kernel shares the cores between the two, and mean little).
# Build an older binary with e.g.
#   git worktree add /tmp/old 8500c97 && (cd /tmp/old && cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h | --help) sed -n 2,20p "$0"; exit 0 ;; esac
[ $# -ge 2 ] || { sed -n 2,20p "$0"; exit 2; }
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
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT
token=$("${binaries[1]}" --db "$db" token add "compare-$$" --role read 2> /dev/null)

# start N BINARY: a server on a free port, its pid in pids[N] and its
# lookups in $work/urls-N.txt.
start() {
  "$2" --db "$db" serve --listen 127.0.0.1:0 2> "$work/serve-$1.log" &
  pids[$1]=$!
  until grep -q 'http://' "$work/serve-$1.log"; do
    kill -0 "${pids[$1]}" 2> /dev/null || { cat "$work/serve-$1.log"; exit 1; }
    sleep 0.5
  done
  local address
  address=$(sed -n 's|.*http://\([^/]*\)/.*|\1|p' "$work/serve-$1.log" | head -n 1)
  python3 - "$address" "$threshold" > "$work/urls-$1.txt" <<'PY'
import sys, urllib.parse
address, t = sys.argv[1], sys.argv[2]
news = open("target/fuzzy-queries-news.txt", encoding="utf-8").read().splitlines()
edited = open("target/fuzzy-queries-edited.txt", encoding="utf-8").read().splitlines()
for q in (q for pair in zip(news, edited) for q in pair):
    print(f"http://{address}/api/v1/lookup?threshold={t}&limit=5&q={urllib.parse.quote(q)}")
PY
}

# load N DURATION CLIENTS: oha on server N, its answer in $work/oha-N.json.
load() {
  "$oha" --no-tui -w --worker-threads 1 -z "$2" -c "$3" -H "Authorization: Bearer $token" \
    --output-format json --urls-from-file "$work/urls-$1.txt" > "$work/oha-$1.json" 2> /dev/null || true
}

cpu() { awk '{ print $14 + $15 }' "/proc/${pids[$1]}/stat"; }

# report N ROUND CPU_BEFORE CPU_AFTER: one line for server N.
report() {
  python3 - "$work/oha-$1.json" "$2" "${binaries[$1]}" "$3" "$4" "$(getconf CLK_TCK)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
served = sum(r.get("statusCodeDistribution", {}).values())
cpu_ms = (float(sys.argv[5]) - float(sys.argv[4])) * 1000 / float(sys.argv[6])
print(f"round {sys.argv[2]}  {sys.argv[3]}: {s['requestsPerSec']:.0f} req/s, p50 {p['p50'] * 1000:.1f} ms, "
      f"p99 {p['p99'] * 1000:.1f} ms, max {s['slowest'] * 1000:.1f} ms, "
      f"server CPU {cpu_ms / max(served, 1):.3f} ms a lookup")
PY
}

if [ -n "${TOGETHER:-}" ]; then
  start 0 "${binaries[0]}"
  start 1 "${binaries[1]}"
  # (`wait` on the two loads only: the servers are children too.)
  load 0 3s "$((clients / 2))" & a=$!
  load 1 3s "$((clients / 2))" & b=$!
  wait "$a" "$b"
  for round in $(seq 1 "$rounds"); do
    before=("$(cpu 0)" "$(cpu 1)")
    load 0 "$duration" "$((clients / 2))" & a=$!
    load 1 "$duration" "$((clients / 2))" & b=$!
    wait "$a" "$b"
    after=("$(cpu 0)" "$(cpu 1)")
    lines=$(for n in 0 1; do report "$n" "$round" "${before[$n]}" "${after[$n]}"; done)
    echo "$lines"
    echo "$lines" | sed -n 's/.*server CPU \([0-9.]*\) ms.*/\1/p' | paste -sd ' ' |
      awk -v r="$round" '{ printf "round %s  CPU a lookup, new / old: %.3f\n", r, $2 / $1 }'
  done
else
  for round in $(seq 1 "$rounds"); do
    for n in 0 1; do
      start "$n" "${binaries[$n]}"
      load "$n" 3s "$clients"
      before=$(cpu "$n")
      load "$n" "$duration" "$clients"
      after=$(cpu "$n")
      report "$n" "$round" "$before" "$after"
      kill "${pids[$n]}"; wait "${pids[$n]}" 2> /dev/null || true
      unset "pids[$n]"
    done
  done
fi
"${binaries[1]}" --db "$db" token remove "compare-$$" 2> /dev/null
