#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests (Debian's postgresql):
#
#   tests/tools/pg-cluster.sh start DIR   # prints a connection string
#   tests/tools/pg-cluster.sh stop DIR
#   tests/tools/pg-cluster.sh up DIR      # the same cluster again, after stop
#
# The cluster lives in DIR/data and listens on a Unix socket in DIR only
# (no TCP port), with trust authentication: fit for tests, nothing else.
# fsync is off (tests need no durability across a machine crash) unless
# PG_FSYNC=on (benchmarks).
# PostgreSQL refuses to run as root, so as root it runs as the `postgres`
# user the Debian package creates, in folders that user owns (the folders
# above DIR must let it through: chmod 755 a mktemp -d).
set -euo pipefail
action=${1:?start or stop}
dir=${2:?a folder for the cluster}
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "pg-cluster: no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
run_server() {
  as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -c listen_addresses='' -c port=5432 -c fsync=${PG_FSYNC:-off} -c max_connections=200" start > /dev/null
}
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$pgbin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log"
    run_server
    echo "host=$dir port=5432 user=postgres"
    ;;
  stop)
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
    ;;
  up)
    # The cluster of an earlier `start`, started again after a `stop`.
    run_server
    ;;
  *) echo "pg-cluster: start, stop or up" >&2; exit 2 ;;
esac
