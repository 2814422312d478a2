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
# for the outage test. For replication (the failover test, `make run-cluster`): `standby PRIMARY DIR`
# makes DIR a streaming standby of the cluster in PRIMARY (pg_basebackup) and then the primary's
# synchronous standby (a commit returns once the standby has flushed it: no acknowledged write is
# lost on failover); `kill DIR` kills a cluster's postmaster with SIGKILL (a crash); `promote DIR`
# makes a standby the primary (and drops the synchronous-standby requirement, which it has no
# standby to meet).
# Usage: scripts/pg-test-cluster.sh start|stop|restart|kill|promote DIR | standby PRIMARY DIR
set -euo pipefail

usage="usage: pg-test-cluster.sh start|stop|restart|kill|promote DIR | standby PRIMARY DIR"
cmd=${1:?$usage}
if [ "$cmd" = standby ]; then
  primary=${2:?$usage}
  dir=${3:?$usage}
else
  dir=${2:?$usage}
fi
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
  if [ -f "$dir/socket_dir" ]; then rm -rf "$(cat "$dir/socket_dir")"; fi
}

# A free loopback port: ask the kernel for one (pg_ctl fails if another process takes it meanwhile,
# and the caller tries again).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the cluster in $data on a free port (a few tries); writes $dir/port.
start_on_free_port() {
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    if as_owner "$bin/pg_ctl" -D "$data" -o "-p $port" -l "$dir/server.log" -w -t 60 start >/dev/null 2>&1; then
      echo "$port" > "$dir/port"
      return 0
    fi
  done
  echo "pg-test-cluster: the server did not start:" >&2
  cat "$dir/server.log" >&2
  return 1
}

psql_at() {  # psql_at PORT SQL...
  local port=$1
  shift
  "$bin/psql" -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@127.0.0.1:$port/postgres" "$@"
}

case "$cmd" in
  restart)
    port=$(cat "$dir/port")
    as_owner "$bin/pg_ctl" -D "$data" -m fast -o "-p $port" -l "$dir/server.log" -w -t 60 restart >/dev/null
    ;;
  kill)
    [ -f "$data/postmaster.pid" ] && kill -9 "$(head -1 "$data/postmaster.pid")"
    ;;
  promote)
    as_owner "$bin/pg_ctl" -D "$data" -w -t 60 promote >/dev/null
    psql_at "$(cat "$dir/port")" -c "ALTER SYSTEM RESET synchronous_standby_names" -c "SELECT pg_reload_conf()" >/dev/null
    ;;
  standby)
    stop_cluster
    rm -rf "$dir"
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    primary_port=$(cat "$primary/port")
    cp "$primary/socket_dir" "$dir/socket_dir.primary"
    as_owner "$bin/pg_basebackup" -D "$data" -X stream -R -c fast \
      -d "host=127.0.0.1 port=$primary_port user=postgres application_name=carechat_standby" \
      >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
    start_on_free_port
    # Synchronous from now on: a commit on the primary waits for this standby's flush.
    psql_at "$primary_port" -c "ALTER SYSTEM SET synchronous_standby_names = 'carechat_standby'" \
      -c "SELECT pg_reload_conf()" >/dev/null
    for _ in $(seq 1 100); do
      state=$(psql_at "$primary_port" -At -c "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'carechat_standby'")
      [ "$state" = sync ] && break
      sleep 0.1
    done
    [ "$state" = sync ] || { echo "pg-test-cluster: the standby did not become synchronous" >&2; exit 1; }
    echo "postgresql://postgres@127.0.0.1:$(cat "$dir/port")/carechat_test" > "$dir/uri"
    echo "pg-test-cluster: standby of 127.0.0.1:$primary_port on 127.0.0.1:$(cat "$dir/port") ($dir)"
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
    start_on_free_port
    psql_at "$port" <<'EOF'
CREATE DATABASE carechat_test TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8';
\c carechat_test
CREATE EXTENSION pg_trgm;
CREATE EXTENSION btree_gin;
EOF
    echo "postgresql://postgres@127.0.0.1:$port/carechat_test" > "$dir/uri"
    echo "pg-test-cluster: PostgreSQL on 127.0.0.1:$port ($dir)"
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
