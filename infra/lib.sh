#!/usr/bin/env bash
# Shared settings for the infra scripts. Everything binds to 127.0.0.1 and keeps its data under ZT_DATA_DIR.
ZT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ZT_DATA_DIR="${ZT_DATA_DIR:-$ZT_ROOT/.data}"
ZT_REDIS_PORT="${ZT_REDIS_PORT:-16379}"
ZT_REDIS_PASSWORD="${ZT_REDIS_PASSWORD:-}"
ZT_REDIS_FSYNC="${ZT_REDIS_FSYNC:-everysec}"
ZT_PG_PORT="${ZT_PG_PORT:-15432}"
ZT_PG_USER="${ZT_PG_USER:-postgres}"
ZT_PG_PASSWORD="${ZT_PG_PASSWORD:-zintrust}"
ZT_PG_DATABASE="${ZT_PG_DATABASE:-zintrust}"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }

# Installs Debian packages that are missing (root only; otherwise says what to install).
ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing packages: ${missing[*]} (install them with apt-get, or run this script as root)"
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Polls a command until it succeeds or the deadline (seconds) passes.
wait_until() {
  local seconds="$1"; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
