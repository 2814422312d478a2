#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests: `start DIR` makes one in DIR (initdb, fsync on,
# UTF-8 with the C.UTF-8 locale, listening on 127.0.0.1 only, on a free port), creates the database
# `carechat_test` with the extensions carechat uses, and writes its libpq URI to DIR/uri; `stop DIR`
# stops it and removes DIR. A cluster left running in DIR by an interrupted run is stopped first.
#
# PostgreSQL refuses to run as root, and CI runs as root: the cluster then belongs to the `postgres`
# user that Debian's postgresql-15 package creates (the server runs as that user, DIR is handed to
# it). As any other user, it runs as that user. The binaries come from postgresql-15
# (scripts/install-deps.sh installs it).
# `restart DIR` restarts it (pg_ctl restart -m fast: sessions are cut, as in an operator's restart),
# for the outage test.
# Usage: scripts/pg-test-cluster.sh start|stop|restart DIR
set -euo pipefail

cmd=${1:?usage: pg-test-cluster.sh start|stop|restart DIR}
dir=${2:?usage: pg-test-cluster.sh start|stop|restart DIR}
bin=/usr/lib/postgresql/15/bin
data="$dir/data"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_cluster() {
  if [ -f "$data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
}

case "$cmd" in
  restart)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$data" -m fast -o "-p $port" -l "$dir/server.log" -w -t 60 restart >/dev/null
    ;;
  stop)
    stop_cluster
    rm -rf "$dir"
    ;;
  start)
    [ -x "$bin/initdb" ] || { echo "pg-test-cluster: $bin/initdb is missing: run scripts/install-deps.sh" >&2; exit 1; }
    stop_cluster
    rm -rf "$dir"
    mkdir -p "$dir"
    # The socket directory must be short (a Unix socket path is at most 107 bytes) and the
    # cluster's owner must be able to write it.
    sock=$(mktemp -d /tmp/carechat-pg.XXXXXX)
    echo "$sock" > "$dir/socket_dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir" "$sock"; fi
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$sock'
fsync = on
synchronous_commit = on
max_connections = 300
shared_buffers = 128MB
logging_collector = off
log_min_messages = warning
EOF
    # A free port: ask the kernel for one, then let pg_ctl fail if another process took it
    # meanwhile, and try again.
    started=0
    for _ in 1 2 3 4 5; do
      port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
      if as_owner "$bin/pg_ctl" -D "$data" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
        started=1
        break
      fi
    done
    [ "$started" -eq 1 ] || { echo "pg-test-cluster: the server did not start:" >&2; cat "$dir/server.log" >&2; exit 1; }
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$port/postgres" <<'EOF'
CREATE DATABASE carechat_test TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';
\c carechat_test
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gin;
EOF
    echo "$port" > "$dir/port"
    echo "postgresql://postgres@127.0.0.1:$port/carechat_test" > "$dir/uri"
    echo "pg-test-cluster: PostgreSQL on 127.0.0.1:$port ($dir)"
    ;;
  *)
    echo "usage: pg-test-cluster.sh start|stop|restart DIR" >&2
    exit 2
    ;;
esac
