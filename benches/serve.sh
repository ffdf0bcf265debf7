#!/usr/bin/env bash
# Load test of `memoire serve` on the 1.13M-pair Hansard memory.
#
#   benches/serve.sh [HANSARD_DB | postgres://…]
#
# SERVERS=2 starts two servers on the same memory (a PostgreSQL one, for
# issue 14) and spreads the lookups over both; CLIENTS (default
# "1 8 32 128") and THRESHOLDS (default "75 50") choose the runs.
#
# Starts `memoire serve` (release build, the fuzzy index in memory) on a
# free loopback port and drives GET /api/v1/lookup with oha
# (https://github.com/hatoo/oha; `cargo install --locked oha`, or OHA=/path/oha),
# one worker thread, for DURATION (default 15s) per run, at 1, 8, 32 and
# 128 concurrent clients, at threshold 75 and 50, limit 5 (READERS sets
# --readers). The lookups are
# the fuzzy benchmark's queries (target/fuzzy-queries-{news,edited}.txt,
# written by `cargo bench --bench fuzzy`: 1,000 WMT news sentences and
# 1,000 Hansard sources with one to three words changed), interleaved.
# Each run is done twice: alone, and with a writer learning 10 new pairs
# a second through POST /api/v1/learn; afterwards every pair the writer
# got a 200 for is looked up (exact) and must be there.
# Prints, per run: requests/s, p50, p99 and max latency, non-2xx and
# errors. oha and the server share the machine's cores.
set -euo pipefail
case "${1:-}" in -h | --help) sed -n 2,23p "$0"; exit 0 ;; esac
cd "$(dirname "$0")/.."
db=${1:-target/bench-hansard.db}
duration=${DURATION:-15s}
oha=${OHA:-$(command -v oha || echo /tmp/oha/bin/oha)}
cargo build --release --quiet
bin=$PWD/target/release/memoire
servers=${SERVERS:-1}
case "$db" in
  postgres://* | postgresql://*) ;;
  *)
    [ -f "$db" ] || KEEP_DB="$PWD/$db" benches/import.sh > /dev/null
    "$bin" --db "$db" upgrade 2> /dev/null || true
    ;;
esac
if [ ! -s target/fuzzy-queries-news.txt ]; then
  MEMOIRE_BENCH_DB="$db" MEMOIRE_BENCH_ORACLE=0 cargo bench --quiet --bench fuzzy > /dev/null
fi
work=$(mktemp -d)
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2> /dev/null; rm -rf "$work"; }
trap cleanup EXIT

name="bench-$$"
read_token=$("$bin" --db "$db" token add "$name-r" --role read 2> /dev/null)
write_token=$("$bin" --db "$db" token add "$name-w" --role translate 2> /dev/null)

addresses=()
for n in $(seq 1 "$servers"); do
  "$bin" --db "$db" serve --listen 127.0.0.1:0 ${READERS:+--readers "$READERS"} 2> "$work/serve-$n.log" &
  pid=$!
  pids+=("$pid")
  until grep -q 'http://' "$work/serve-$n.log"; do
    kill -0 "$pid" 2> /dev/null || { cat "$work/serve-$n.log"; exit 1; }
    sleep 0.5
  done
  addresses+=("$(sed -n 's|.*http://\([^/]*\)/.*|\1|p' "$work/serve-$n.log" | head -n 1)")
  grep 'fuzzy index' "$work/serve-$n.log" || true
  echo "server $n RSS after start: $(($(awk '/VmRSS/ { print $2 }' /proc/$pid/status) / 1024)) MiB"
done
address=${addresses[0]}

python3 - "$work" "${addresses[@]}" <<'PY'
import sys, urllib.parse
work, addresses = sys.argv[1], sys.argv[2:]
news = open("target/fuzzy-queries-news.txt", encoding="utf-8").read().splitlines()
edited = open("target/fuzzy-queries-edited.txt", encoding="utf-8").read().splitlines()
mixed = [q for pair in zip(news, edited) for q in pair]
for t in (75, 50):
    with open(f"{work}/urls-{t}.txt", "w") as f:
        for i, q in enumerate(mixed):
            address = addresses[i % len(addresses)]
            f.write(f"http://{address}/api/v1/lookup?threshold={t}&limit=5&q={urllib.parse.quote(q)}\n")
PY

writer() { # learns 10 pairs a second until killed; logs the acknowledged ones
  local k=0
  while true; do
    k=$((k + 1))
    source="Phrase de charge $$ numéro $k."
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $write_token" \
      --data "{\"source\": \"$source\", \"target\": \"Load sentence $$ number $k.\", \"origin\": \"$name\"}" \
      "http://$address/api/v1/learn" || true)
    [ "$status" = 200 ] && echo "$source" >> "$work/learnt.txt"
    sleep 0.1
  done
}

printf '%-9s %-7s %7s %10s %8s %8s %9s %7s\n' threshold clients writer "req/s" "p50 ms" "p99 ms" "max ms" errors
for t in ${THRESHOLDS:-75 50}; do
  for c in ${CLIENTS:-1 8 32 128}; do
    for with_writer in no yes; do
      wpid=
      if [ "$with_writer" = yes ]; then
        writer &
        wpid=$!
      fi
      "$oha" --no-tui -w --worker-threads 1 -z "$duration" -c "$c" -H "Authorization: Bearer $read_token" \
        --output-format json --urls-from-file "$work/urls-$t.txt" > "$work/oha.json" 2> /dev/null || true
      [ -n "$wpid" ] && kill "$wpid" 2> /dev/null && wait "$wpid" 2> /dev/null || true
      python3 - "$work/oha.json" "$t" "$c" "$with_writer" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
bad = sum(n for code, n in codes.items() if not code.startswith("2"))
errors = sum(r.get("errorDistribution", {}).values())
print(f"{sys.argv[2]:<9} {sys.argv[3]:<7} {sys.argv[4]:>7} {s['requestsPerSec']:10.0f} "
      f"{p['p50'] * 1000:8.2f} {p['p99'] * 1000:8.2f} {s['slowest'] * 1000:9.1f} {bad + errors:7d}")
PY
    done
  done
done

learnt=$(wc -l < "$work/learnt.txt" 2> /dev/null || echo 0)
missing=0
while IFS= read -r source; do
  "$bin" --db "$db" lookup --threshold 100 "$source" > /dev/null 2>&1 || missing=$((missing + 1))
done < "$work/learnt.txt"
echo "writer: $learnt pairs acknowledged, $missing of them missing afterwards"
kill "${pids[@]}"; wait "${pids[@]}" 2> /dev/null || true
pids=()
# The bench's pairs and tokens out of the memory again: only the pairs
# its writer learnt, under its own origin (a new user's report: removing
# every pair learnt through a server would empty a desk's memory of its
# learns, were the script pointed at it).
"$bin" --db "$db" remove --origin "$name" > /dev/null 2>&1 || true
"$bin" --db "$db" token remove "$name-r" 2> /dev/null
"$bin" --db "$db" token remove "$name-w" 2> /dev/null
