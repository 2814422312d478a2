#!/usr/bin/env bash
# `make run-cluster`: the clustered topology on one machine, to look at and to try failures on.
#   - PostgreSQL 15: a primary and its synchronous standby (scripts/pg-test-cluster.sh) in DIR/primary
#     and DIR/standby; throwaway data, made afresh on every start;
#   - NODES carechat nodes (default 3) on 127.0.0.1:8081.. with CARECHAT_NODE_ID n1, n2, ..., each given
#     both database hosts with target_session_attrs=read-write (they follow a promoted standby);
#   - haproxy on LISTEN (default 127.0.0.1:8080) from scripts/haproxy.cfg.in, health-checking /readyz.
# The demo tenant is seeded through the first node's database and printed with haproxy's address.
# Ctrl-C stops everything. Logs: DIR/n*.log, DIR/haproxy.log.
# Usage: scripts/run-cluster.sh BIN DIR [LISTEN] [NODES]
set -euo pipefail

bin=${1:?usage: run-cluster.sh BIN DIR [LISTEN] [NODES]}
dir=${2:?usage: run-cluster.sh BIN DIR [LISTEN] [NODES]}
listen=${3:-127.0.0.1:8080}
nodes=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$bin")
mkdir -p "$dir"
dir=$(realpath "$dir")
# The clusters belong to the postgres user when this runs as root: it must reach them.
chmod 755 "$dir"

pids=()
cleanup() {
  trap - EXIT INT TERM
  echo
  echo "run-cluster: stopping"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bash "$here/pg-test-cluster.sh" stop "$dir/standby" >/dev/null 2>&1 || true
  bash "$here/pg-test-cluster.sh" stop "$dir/primary" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

bash "$here/pg-test-cluster.sh" start "$dir/primary"
bash "$here/pg-test-cluster.sh" standby "$dir/primary" "$dir/standby"
db="postgresql://postgres@127.0.0.1:$(cat "$dir/primary/port"),127.0.0.1:$(cat "$dir/standby/port")/carechat_test?target_session_attrs=read-write"

host=${listen%:*}
"$bin" demo --db "$db" --listen "$listen"

servers=""
for i in $(seq 1 "$nodes"); do
  port=$((8080 + i))
  # haproxy (on $host) passes the client's address in X-Forwarded-For (scripts/haproxy.cfg.in).
  CARECHAT_NODE_ID="n$i" CARECHAT_TRUSTED_PROXIES="$host" "$bin" serve --db "$db" --listen "$host:$port" >"$dir/n$i.log" 2>&1 &
  pids+=($!)
  servers+="  server n$i $host:$port check"$'\n'
done

sed -e "s|@LISTEN@|$listen|" -e "s|@STATE_DIR@|$dir|" "$here/haproxy.cfg.in" \
  | awk -v servers="$servers" '{ if ($0 == "@SERVERS@") printf "%s", servers; else print }' >"$dir/haproxy.cfg"
haproxy -c -q -f "$dir/haproxy.cfg"
haproxy -db -f "$dir/haproxy.cfg" >"$dir/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=($haproxy_pid)

# Wait until haproxy sees a node ready.
ready=0
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null -H 'Host: carechat' "http://$listen/readyz" 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" -ne 1 ]; then
  echo "run-cluster: no node became ready behind haproxy; see $dir/*.log" >&2
  exit 1
fi

cat <<EOF
run-cluster: $nodes nodes behind haproxy on http://$listen (PostgreSQL primary on port $(cat "$dir/primary/port"), synchronous standby on $(cat "$dir/standby/port"))
  nodes:        $(for i in $(seq 1 "$nodes"); do printf 'n%s=%s:%s ' "$i" "$host" $((8080 + i)); done)
  logs:         $dir/n*.log, $dir/haproxy.log
  kill a node:  pkill -9 -f 'carechat serve .*--listen $host:8081'
  start it:     CARECHAT_NODE_ID=n1 $bin serve --db '$db' --listen $host:8081
  fail over:    bash scripts/pg-test-cluster.sh kill $dir/primary && bash scripts/pg-test-cluster.sh promote $dir/standby
  drain a node: echo 'set server carechat_nodes/n1 state drain' | socat stdio $dir/haproxy.sock
Ctrl-C stops everything.
EOF
# Nodes may be killed and started again by hand; the cluster runs until haproxy stops or Ctrl-C.
wait "$haproxy_pid" || true
echo "run-cluster: haproxy exited; see $dir/haproxy.log"
