#!/usr/bin/env bash
# Import benchmark: the 1.13M-pair Canadian Hansard memory into a fresh store.
# Reports wall time, pairs/s, peak RSS and database size.
#
#   benches/import.sh [FILE.csv.xz|FILE.csv]
#
# Default input: ../shared/data/fr-en/hansard-1.13M.csv.xz (decompressed to a
# temp dir first; the decompression is not timed). Set KEEP_DB=PATH to keep
# the imported database for other benchmarks. Set DB_URL=postgres://… to
# import into that (empty) PostgreSQL database instead of a file
# (benches/postgres.sh does, on a throw-away cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
input=${1:-../shared/data/fr-en/hansard-1.13M.csv.xz}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet
bin=target/release/memoire
case "$input" in
  *.xz) xz -dc "$input" > "$work/input.csv" ;;
  *) cp "$input" "$work/input.csv" ;;
esac
db=${DB_URL:-${KEEP_DB:-$work/bench.db}}
[ -n "${DB_URL:-}" ] || rm -f "$db" "$db-wal" "$db-shm"

status=0
/usr/bin/time -f '%e %M' -o "$work/time" \
  "$bin" --db "$db" import "$work/input.csv" 2> "$work/stderr" > /dev/null || status=$?
if [ "$status" -gt 1 ]; then cat "$work/stderr" >&2; exit "$status"; fi
read -r secs peak_kb < "$work/time"
summary=$(grep '^rows read' "$work/stderr")
rows=$(sed -E 's/^rows read ([0-9]+),.*/\1/' <<< "$summary")
if [ -n "${DB_URL:-}" ]; then
  size=$("$bin" --db "$db" stats --json | sed -nE 's/.*"size_bytes": *([0-9]+).*/\1/p')
else
  size=$(stat -c %s "$db")
fi
text_bytes=$(stat -c %s "$work/input.csv")
rejected=$(grep -c '^[^ ]*:[0-9]*: ' "$work/stderr" || true)

echo "input        $input ($rows rows, $((text_bytes / 1000000)) MB of CSV)"
echo "summary      $summary"
echo "wall time    ${secs} s"
awk -v r="$rows" -v s="$secs" 'BEGIN { printf "throughput   %.0f pairs/s\n", r / s }'
echo "peak RSS     $((peak_kb / 1024)) MiB"
echo "database     $((size / 1000000)) MB"
echo "rejected     $rejected rows (listed in the import's stderr)"
