#!/usr/bin/env bash
# PostgreSQL backend benchmark on the Hansard memory (issue 14):
#
#   benches/postgres.sh
#
# Starts a throw-away cluster (tests/tools/pg-cluster.sh, fsync on, as a
# real server runs) in a temporary folder and, on the same machine:
#   1. imports the 1.13M-row Hansard CSV with `memoire import` into
#      PostgreSQL, then into a SQLite file (benches/import.sh): time, RSS,
#      size;
#   2. searches 200 queries of each set through the database's own index,
#      one process (benches/postgres.rs);
#   3. load-tests one, then two `memoire serve` processes on the
#      PostgreSQL memory at 32 clients, thresholds 75 and 50
#      (benches/serve.sh; needs oha), and one on the SQLite file.
# STEPS="1 2 3" chooses the steps; DURATION (default 10s) the load runs.
# Stops the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${STEPS:-1 2 3}
work=$(mktemp -d)
chmod 755 "$work"
trap 'tests/tools/pg-cluster.sh stop "$work/pg" 2> /dev/null || true; rm -rf "$work"' EXIT
PG_FSYNC=on tests/tools/pg-cluster.sh start "$work/pg" > /dev/null
psql -h "$work/pg" -U postgres -d postgres -qc "CREATE DATABASE hansard"
url="postgresql://postgres@/hansard?host=$work/pg&port=5432"
file="$work/hansard.db"
if [[ " $steps " == *" 1 "* ]]; then
  echo "== import into PostgreSQL"
  DB_URL="$url" benches/import.sh
  echo "== import into SQLite"
  KEEP_DB="$file" benches/import.sh
else
  DB_URL="$url" benches/import.sh > /dev/null
  KEEP_DB="$file" benches/import.sh > /dev/null
fi
if [ ! -s target/fuzzy-queries-news.txt ]; then
  MEMOIRE_BENCH_DB="$file" MEMOIRE_BENCH_ORACLE=0 cargo bench --quiet --bench fuzzy > /dev/null
fi
if [[ " $steps " == *" 2 "* ]]; then
  echo "== one process, the database's index"
  MEMOIRE_BENCH_POSTGRES="$url" cargo bench --quiet --bench postgres
fi
if [[ " $steps " == *" 3 "* ]]; then
  export CLIENTS=${CLIENTS:-32} DURATION=${DURATION:-10s}
  echo "== memoire serve, PostgreSQL, one server"
  SERVERS=1 benches/serve.sh "$url"
  echo "== memoire serve, PostgreSQL, two servers"
  SERVERS=2 benches/serve.sh "$url"
  echo "== memoire serve, SQLite, one server"
  SERVERS=1 benches/serve.sh "$file"
fi
