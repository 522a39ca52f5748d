#!/usr/bin/env bash
# Redis on 127.0.0.1:$ZT_REDIS_PORT with AOF on, data in $ZT_DATA_DIR/redis-$ZT_REDIS_PORT.
# ZT_REDIS_FSYNC=everysec (default: a host crash can lose about the last second of writes) | always (fsync before every
# answer: nothing acknowledged is lost on a host crash, at a cost docs/performance.md measures).
# Usage: infra/redis.sh start | stop | restart | status
set -euo pipefail
source "$(dirname "$0")/lib.sh"

dir="$ZT_DATA_DIR/redis-$ZT_REDIS_PORT"
cli() { redis-cli -h 127.0.0.1 -p "$ZT_REDIS_PORT" ${ZT_REDIS_PASSWORD:+-a "$ZT_REDIS_PASSWORD" --no-auth-warning} "$@"; }
running() { cli ping 2>/dev/null | grep -q PONG; }

start() {
  ensure_packages redis-server redis-tools
  if running; then log "redis already answers on $ZT_REDIS_PORT"; return 0; fi
  mkdir -p "$dir"
  case "$ZT_REDIS_FSYNC" in
    everysec|always) ;;
    *) die "ZT_REDIS_FSYNC must be everysec or always (was '$ZT_REDIS_FSYNC')" ;;
  esac
  local args=(--bind 127.0.0.1 --port "$ZT_REDIS_PORT" --daemonize yes --dir "$dir"
    --appendonly yes --appendfsync "$ZT_REDIS_FSYNC" --save '' --protected-mode yes
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log")
  [ -n "$ZT_REDIS_PASSWORD" ] && args+=(--requirepass "$ZT_REDIS_PASSWORD")
  redis-server "${args[@]}"
  wait_until 20 running || die "redis did not answer on $ZT_REDIS_PORT within 20 s (see $dir/redis.log)"
  log "redis ready on 127.0.0.1:$ZT_REDIS_PORT (AOF fsync $ZT_REDIS_FSYNC, data in $dir)"
}

stop() {
  if ! running; then return 0; fi
  local pid=""
  [ -f "$dir/redis.pid" ] && pid=$(cat "$dir/redis.pid")
  cli shutdown >/dev/null 2>&1 || true
  wait_until 20 bash -c "! redis-cli -h 127.0.0.1 -p $ZT_REDIS_PORT ping" || die "redis on $ZT_REDIS_PORT did not stop"
  [ -n "$pid" ] && wait_until 10 bash -c "! kill -0 $pid" || true
  log "redis on $ZT_REDIS_PORT stopped"
}

# A restart keeps the running server's data folder (it may have been started from another checkout),
# so what it acknowledged is reloaded from its AOF.
restart() {
  if running; then
    # Ask a few times: a busy server may not answer every call. Without an answer, the default folder is kept.
    local running_dir=""
    for _ in 1 2 3 4 5; do
      running_dir=$(cli config get dir 2>/dev/null | tail -n 1 || true)
      [ -n "$running_dir" ] && [ -d "$running_dir" ] && break
      running_dir=""
      sleep 0.2
    done
    [ -n "$running_dir" ] && dir="$running_dir"
  fi
  stop
  start
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  status) running && echo "running on 127.0.0.1:$ZT_REDIS_PORT" || { echo "stopped"; exit 3; } ;;
  *) die "usage: $0 start|stop|restart|status" ;;
esac
