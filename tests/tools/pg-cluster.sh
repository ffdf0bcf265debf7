#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests (Debian's postgresql):
#
#   tests/tools/pg-cluster.sh start DIR   # prints a connection string
#   tests/tools/pg-cluster.sh stop DIR
#   tests/tools/pg-cluster.sh up DIR      # the same cluster again, after stop
#   tests/tools/pg-cluster.sh replica DIR PRIMARY_DIR
#                                         # a streaming replica of the cluster
#                                         # in PRIMARY_DIR (pg_basebackup -R),
#                                         # a hot standby on its own socket
#
# The cluster lives in DIR/data and listens on a Unix socket in DIR only
# (no TCP port), with trust authentication: fit for tests, nothing else.
# fsync is off (tests need no durability across a machine crash) unless
# PG_FSYNC=on (benchmarks).
# PG_TLS=on PG_PORT=N: the cluster listens on 127.0.0.1:N instead, for
# TLS connections only, with a certificate for localhost and 127.0.0.1
# signed by a CA of its own, DIR/ca.crt (clients trust it with sslrootcert).
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
    -o "-k $dir $(cat "$dir/listen") -c fsync=${PG_FSYNC:-off} -c max_connections=200" start > /dev/null
}
case "$action" in
  start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$pgbin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 > "$dir/initdb.log"
    if [ "${PG_TLS:-off}" = on ]; then
      port=${PG_PORT:?PG_TLS=on needs PG_PORT}
      # A CA of its own (ca.crt, what clients trust) signs the server's.
      ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
      as_owner openssl req -x509 $ec -keyout "$dir/ca.key" -out "$dir/ca.crt" -days 2 \
        -subj "/CN=memoire test CA" 2> "$dir/openssl.log"
      as_owner openssl req $ec -keyout "$dir/server.key" -out "$dir/server.csr" \
        -subj /CN=localhost 2>> "$dir/openssl.log"
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n' > "$dir/server.ext"
      as_owner openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>> "$dir/openssl.log"
      chmod 600 "$dir/server.key"
      printf 'local all all trust\nlocal replication all trust\nhostssl all all 127.0.0.1/32 trust\n' > "$dir/data/pg_hba.conf"
      echo "-c listen_addresses=127.0.0.1 -c port=$port -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" > "$dir/listen"
      run_server
      echo "host=127.0.0.1 port=$port user=postgres"
    else
      echo "-c listen_addresses='' -c port=5432" > "$dir/listen"
      run_server
      echo "host=$dir port=5432 user=postgres"
    fi
    ;;
  stop)
    as_owner "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop > /dev/null
    ;;
  up)
    # The cluster of an earlier `start`, started again after a `stop`.
    run_server
    ;;
  replica)
    primary=${3:?the folder of the primary cluster}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(grep -o 'port=[0-9]*' "$primary/listen" | cut -d= -f2)
    as_owner "$pgbin/pg_basebackup" -h "$primary" -p "$port" -U postgres -D "$dir/data" -R -X stream -c fast
    echo "-c listen_addresses='' -c port=5432 -c hot_standby=on" > "$dir/listen"
    run_server
    echo "host=$dir port=5432 user=postgres"
    ;;
  *) echo "pg-cluster: start, stop, up or replica" >&2; exit 2 ;;
esac
