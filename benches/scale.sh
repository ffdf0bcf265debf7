#!/usr/bin/env bash
# Scale run (issue 14): a memory of ROWS pairs (default 5,000,000: the
# Hansard memory and perturbed copies of it, benches/scale.py) imported
# into a SQLite file and into PostgreSQL (a throw-away cluster, fsync on):
# import time, peak RSS, database size; then 200 queries of each set of
# the fuzzy benchmark at thresholds 75 and 50 on each, one process
# (`cargo bench --bench fuzzy` on the file, `--bench postgres` on the
# database).
#
#   benches/scale.sh                # 5M rows: about an hour on 2 cores
#   ROWS=200000 benches/scale.sh    # a quick check of the script
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-5000000}
hansard=${HANSARD:-../shared/data/fr-en/hansard-1.13M.csv.xz}
work=$(mktemp -d)
chmod 755 "$work"
trap 'tests/tools/pg-cluster.sh stop "$work/pg" 2> /dev/null || true; rm -rf "$work"' EXIT
echo "== generating $rows rows"
python3 benches/scale.py "$hansard" "$rows" > "$work/scale.csv"
PG_FSYNC=on tests/tools/pg-cluster.sh start "$work/pg" > /dev/null
psql -h "$work/pg" -U postgres -d postgres -qc "CREATE DATABASE scale"
url="postgresql://postgres@/scale?host=$work/pg&port=5432"
echo "== SQLite"
KEEP_DB="$work/scale.db" benches/import.sh "$work/scale.csv"
echo "== PostgreSQL"
DB_URL="$url" benches/import.sh "$work/scale.csv"
if [ ! -s target/fuzzy-queries-news.txt ]; then
  echo "target/fuzzy-queries-*.txt missing: run benches/fuzzy.sh once first" >&2
  exit 1
fi
echo "== lookups on SQLite (one process, the file's index)"
MEMOIRE_BENCH_POSTGRES="$work/scale.db" cargo bench --quiet --bench postgres
echo "== lookups on PostgreSQL (one process, the database's index)"
MEMOIRE_BENCH_POSTGRES="$url" cargo bench --quiet --bench postgres
