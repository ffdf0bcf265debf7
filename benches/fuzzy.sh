#!/usr/bin/env bash
# Fuzzy-matching benchmark on the 1.13M-pair Hansard memory.
#
#   benches/fuzzy.sh [DB]
#
# 1. Imports ../shared/data/fr-en/hansard-1.13M.csv.xz into DB (default
#    target/bench-hansard.db) unless it exists: import time includes the
#    fuzzy index build (see benches/import.sh for the figures).
# 2. Warm latency and recall against exhaustive scoring (cargo bench --bench fuzzy).
# 3. One-shot `memoire lookup` wall time and peak RSS, ONESHOT_QUERIES (100)
#    queries of each set.
# THRESHOLD (default 75) is the threshold of steps 2 and 3; ONLY_ONESHOT=1
# runs step 3 alone.
# 4. rapidfuzz process.extract over the same sources, as the brute-force
#    reference (pip-installs rapidfuzz if needed; RAPIDFUZZ_QUERIES, default 100
#    per set).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-target/bench-hansard.db}
cargo build --release --quiet
if [ ! -f "$db" ]; then
  KEEP_DB="$db" benches/import.sh
fi
echo "database     $(stat -L -c %s "$db" | awk '{ printf "%.0f MB", $1 / 1e6 }')"

threshold=${THRESHOLD:-75}
if [ -z "${ONLY_ONESHOT:-}" ]; then
  MEMOIRE_BENCH_DB="$db" MEMOIRE_BENCH_THRESHOLD="$threshold" cargo bench --quiet --bench fuzzy
fi

oneshot=${ONESHOT_QUERIES:-100}
echo "one-shot memoire lookup --threshold $threshold (wall time, peak RSS), $oneshot queries per set:"
for set in news edited; do
  : > "target/oneshot-$set.txt"
  head -n "$oneshot" "target/fuzzy-queries-$set.txt" | while IFS= read -r q; do
    start=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o target/oneshot-rss.txt \
      target/release/memoire --db "$db" lookup --threshold "$threshold" "$q" >/dev/null 2>&1 || true
    end=$EPOCHREALTIME
    echo "$start $end $(tail -n 1 target/oneshot-rss.txt)" >> "target/oneshot-$set.txt"
  done
  awk '{ print ($2 - $1) * 1000, $3 }' "target/oneshot-$set.txt" | sort -n | awk -v set="$set" '
    { t[NR] = $1; if ($2 > rss) rss = $2 }
    END { printf "  %-7s median %.1f ms, p99 %.1f ms, max %.1f ms, peak RSS %d MiB\n", set, t[int((NR + 1) / 2)], t[int(NR * 0.99 + 0.999)], t[NR], rss / 1024 }'
  rm -f "target/oneshot-$set.txt" target/oneshot-rss.txt
done

[ -n "${ONLY_ONESHOT:-}" ] && exit 0
python3 -c 'import rapidfuzz' 2>/dev/null || pip install --quiet rapidfuzz
python3 benches/rapidfuzz_ref.py "$db" "${RAPIDFUZZ_QUERIES:-100}"
