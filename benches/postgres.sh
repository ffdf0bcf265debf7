#!/usr/bin/env bash
# PostgreSQL backend benchmark on the Hansard memory (issue 14):
#
#   benches/postgres.sh [HANSARD_DB]
#
# Starts a throw-away cluster (tests/tools/pg-cluster.sh, with fsync on,
# as a real server runs) in a temporary folder, copies every pair of the
# SQLite memory into it in one import (benches/postgres.rs: the rules and
# the index of `memoire import`, postings loaded with COPY), reports the
# time and the database size, then searches 200 of the fuzzy benchmark's
# queries of each set at thresholds 75 and 50. Stops the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-target/bench-hansard.db}
[ -f "$db" ] || KEEP_DB="$PWD/$db" benches/import.sh > /dev/null
if [ ! -s target/fuzzy-queries-news.txt ]; then
  MEMOIRE_BENCH_DB="$db" MEMOIRE_BENCH_ORACLE=0 cargo bench --quiet --bench fuzzy > /dev/null
fi
work=$(mktemp -d)
chmod 755 "$work"
trap 'tests/tools/pg-cluster.sh stop "$work/pg" 2> /dev/null || true; rm -rf "$work"' EXIT
url=$(PG_FSYNC=on tests/tools/pg-cluster.sh start "$work/pg")
MEMOIRE_BENCH_DB="$db" MEMOIRE_BENCH_POSTGRES="$url" cargo bench --quiet --bench postgres
