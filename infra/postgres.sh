#!/usr/bin/env bash
# PostgreSQL on 127.0.0.1:$ZT_PG_PORT (password auth over TCP), its own cluster (see dir below),
# database $ZT_PG_DATABASE. Usage: infra/postgres.sh start | stop | status | url
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# As root the server runs as the postgres user, which may not be able to reach a checkout under a private
# folder (/root/...): its cluster then lives under /var/lib/zintrust instead (ZT_PG_DIR overrides both).
if [ -n "${ZT_PG_DIR:-}" ]; then
  dir="$ZT_PG_DIR"
elif [ "$(id -u)" -eq 0 ]; then
  dir="/var/lib/zintrust/postgres-$ZT_PG_PORT"
else
  dir="$ZT_DATA_DIR/postgres-$ZT_PG_PORT"
fi
pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && su postgres -s /bin/bash -c "$*"); else bash -c "$*"; fi
}
ready() { "$(pgbin)/pg_isready" -q -h 127.0.0.1 -p "$ZT_PG_PORT"; }
psql_admin() { PGPASSWORD="$ZT_PG_PASSWORD" psql -h 127.0.0.1 -p "$ZT_PG_PORT" -U "$ZT_PG_USER" -v ON_ERROR_STOP=1 -qtA "$@"; }

start() {
  ensure_packages postgresql
  local bin; bin=$(pgbin)
  [ -n "$bin" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  if ! ready; then
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      local pw="$dir/.pw"
      printf '%s\n' "$ZT_PG_PASSWORD" > "$pw"
      if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$pw"; fi
      as_owner "'$bin/initdb' -D '$dir/data' -U '$ZT_PG_USER' --pwfile='$pw' --auth-local=trust --auth-host=scram-sha-256 -E UTF8" >/dev/null
      rm -f "$pw"
    fi
    as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/postgres.log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p $ZT_PG_PORT -k '$dir' -c fsync=on\" start" >/dev/null
    wait_until 30 ready || die "postgres did not answer on $ZT_PG_PORT within 30 s (see $dir/postgres.log)"
  fi
  psql_admin -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$ZT_PG_DATABASE'" | grep -q 1 \
    || psql_admin -d postgres -c "CREATE DATABASE \"$ZT_PG_DATABASE\""
  log "postgres ready on 127.0.0.1:$ZT_PG_PORT (database $ZT_PG_DATABASE, data in $dir)"
}

stop() {
  ready || return 0
  as_owner "'$(pgbin)/pg_ctl' -D '$dir/data' -m fast -w -t 60 stop" >/dev/null
  log "postgres on $ZT_PG_PORT stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) ready && echo "running on 127.0.0.1:$ZT_PG_PORT" || { echo "stopped"; exit 3; } ;;
  url) echo "Host=127.0.0.1;Port=$ZT_PG_PORT;Username=$ZT_PG_USER;Password=$ZT_PG_PASSWORD;Database=$ZT_PG_DATABASE" ;;
  *) die "usage: $0 start|stop|status|url" ;;
esac
