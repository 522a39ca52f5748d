#!/usr/bin/env bash
# A 3-master Redis Cluster (no replicas) on 127.0.0.1:$ZT_REDIS_CLUSTER_PORTS (default 16381 16382 16383), each node's
# cluster bus on its port + 100 (clear of 26000-29300, where the tests' silo processes take their ports), for the tests
# of the Redis job store in cluster mode. Each node runs from its own config file (so a node stopped by a test can be
# started again from it: redis-server <its config_file>), with AOF fsync every second and its data, nodes.conf and log
# in $ZT_DATA_DIR/redis-cluster-<port>. cluster-require-full-coverage is off, so while one master is down the other two
# keep serving their slots; cluster-node-timeout is $ZT_REDIS_CLUSTER_NODE_TIMEOUT ms (default 3000).
# Usage: infra/redis-cluster.sh start | stop | status | url
#   start   starts every node that is not running, creates the cluster once, waits for cluster_state:ok (idempotent)
#   url     the seed endpoints as a StackExchange.Redis configuration string (127.0.0.1:16381,127.0.0.1:16382,...)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

read -r -a ports <<< "${ZT_REDIS_CLUSTER_PORTS:-16381 16382 16383}"
node_timeout="${ZT_REDIS_CLUSTER_NODE_TIMEOUT:-3000}"
((${#ports[@]} >= 3)) || die "ZT_REDIS_CLUSTER_PORTS must name at least 3 ports (a cluster needs 3 masters)"

node_dir() { echo "$ZT_DATA_DIR/redis-cluster-$1"; }
cli() {
  local port="$1"; shift
  redis-cli -h 127.0.0.1 -p "$port" ${ZT_REDIS_PASSWORD:+-a "$ZT_REDIS_PASSWORD" --no-auth-warning} "$@"
}
node_up() { cli "$1" ping 2>/dev/null | grep -q PONG; }
cluster_ok() { cli "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }
# A node knows the others (and owns slots) once the cluster was created: its CLUSTER NODES lists more than itself.
joined() { [ "$(cli "$1" cluster nodes 2>/dev/null | grep -c .)" -ge "${#ports[@]}" ]; }
all_ok() {
  local port
  for port in "${ports[@]}"; do cluster_ok "$port" || return 1; done
}

write_config() {
  local port="$1" dir; dir=$(node_dir "$1")
  mkdir -p "$dir"
  {
    echo "bind 127.0.0.1"
    echo "port $port"
    echo "protected-mode yes"
    echo "daemonize yes"
    echo "dir $dir"
    echo "pidfile $dir/redis.pid"
    echo "logfile $dir/redis.log"
    echo "appendonly yes"
    echo "appendfsync everysec"
    echo "save \"\""
    echo "cluster-enabled yes"
    echo "cluster-port $((port + 100))"
    echo "cluster-config-file $dir/nodes.conf"
    echo "cluster-node-timeout $node_timeout"
    echo "cluster-require-full-coverage no"
    if [ -n "$ZT_REDIS_PASSWORD" ]; then
      echo "requirepass $ZT_REDIS_PASSWORD"
      echo "masterauth $ZT_REDIS_PASSWORD"
    fi
  } > "$dir/redis.conf.new"
  mv "$dir/redis.conf.new" "$dir/redis.conf"
}

start() {
  ensure_packages redis-server redis-tools
  local port
  for port in "${ports[@]}"; do
    if node_up "$port"; then continue; fi
    write_config "$port"
    redis-server "$(node_dir "$port")/redis.conf"
    wait_until 20 node_up "$port" || die "redis cluster node $port did not answer within 20 s (see $(node_dir "$port")/redis.log)"
  done
  local first="${ports[0]}"
  if ! joined "$first"; then
    local endpoints=()
    for port in "${ports[@]}"; do endpoints+=("127.0.0.1:$port"); done
    log "creating the cluster over ${endpoints[*]}"
    cli "$first" --cluster create "${endpoints[@]}" --cluster-replicas 0 --cluster-yes >/dev/null
  fi
  wait_until 30 all_ok || die "the redis cluster did not reach cluster_state:ok within 30 s (see $(node_dir "$first")/redis.log)"
  log "redis cluster ready on 127.0.0.1:${ports[*]} (AOF fsync everysec, data in $(node_dir "<port>"))"
}

stop() {
  local port pid
  for port in "${ports[@]}"; do
    node_up "$port" || continue
    pid=""
    [ -f "$(node_dir "$port")/redis.pid" ] && pid=$(cat "$(node_dir "$port")/redis.pid")
    cli "$port" shutdown >/dev/null 2>&1 || true
    wait_until 20 bash -c "! redis-cli -h 127.0.0.1 -p $port ${ZT_REDIS_PASSWORD:+-a '$ZT_REDIS_PASSWORD' --no-auth-warning} ping" \
      || die "redis cluster node $port did not stop"
    [ -n "$pid" ] && wait_until 10 bash -c "! kill -0 $pid" || true
  done
  log "redis cluster on ${ports[*]} stopped"
}

status() {
  local port down=0
  for port in "${ports[@]}"; do
    if node_up "$port"; then
      echo "127.0.0.1:$port $(cli "$port" cluster info | tr -d '\r' | grep '^cluster_state:')"
    else
      echo "127.0.0.1:$port stopped"
      down=1
    fi
  done
  ((down == 0)) || exit 3
}

url() {
  local port endpoints=()
  for port in "${ports[@]}"; do endpoints+=("127.0.0.1:$port"); done
  local IFS=,
  echo "${endpoints[*]}${ZT_REDIS_PASSWORD:+,password=$ZT_REDIS_PASSWORD}"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) url ;;
  *) die "usage: $0 start|stop|status|url" ;;
esac
