#!/usr/bin/env bash
# A local cluster of N silo processes (default 3) on Redis (jobs, reminders) and PostgreSQL (membership,
# worker state). Silo i listens on HTTP 7777+i, silo port 11111+i, gateway 30000+i, all on 127.0.0.1.
# With REGIONS (comma-separated), the silos are split over them in order: `start 4 us-east,eu-west` puts silos 0-1 in
# us-east and 2-3 in eu-west (SILO_REGION; zone {region}-{n}).
# Usage: infra/cluster.sh start [N] [REGIONS] | kill I (kill -9 one silo) | stop | status
# Starts Redis and PostgreSQL (infra/redis.sh, infra/postgres.sh) and applies the migrations first.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

run_dir="$ZT_DATA_DIR/cluster"
silo_dll="$ZT_ROOT/silo/ZinTrust.Workers.Silo/bin/${ZT_CONFIGURATION:-Debug}/net10.0/ZinTrust.Workers.Silo.dll"
pg_url() { "$ZT_ROOT/infra/postgres.sh" url; }

silo_env() {
  export ConnectionStrings__default; ConnectionStrings__default="$(pg_url)"
  export QUEUE_DRIVER=redis WORKER_PERSISTENCE_DRIVER=db CLUSTER_DRIVER=postgres
  export REDIS_HOST=127.0.0.1 REDIS_PORT="$ZT_REDIS_PORT"
  [ -n "$ZT_REDIS_PASSWORD" ] && export REDIS_PASSWORD="$ZT_REDIS_PASSWORD"
  # The silos run as production would: API keys required. Unless WORKER_API_KEYS is given, one admin key is
  # made for this cluster and kept in $run_dir/api-key (only its hash goes to the silos).
  if [ -z "${WORKER_API_KEYS:-}" ]; then
    mkdir -p "$run_dir"
    [ -s "$run_dir/api-key" ] || (umask 077; echo "zt_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')" > "$run_dir/api-key")
    export WORKER_API_KEYS; WORKER_API_KEYS="cluster-admin:admin:sha256:$(tr -d '\n' < "$run_dir/api-key" | sha256sum | cut -d' ' -f1)"
  fi
  return 0
}

start() {
  local count="${1:-3}" regions="${2:-}"
  "$ZT_ROOT/infra/redis.sh" start
  "$ZT_ROOT/infra/postgres.sh" start
  [ -f "$silo_dll" ] || dotnet build "$ZT_ROOT/silo/ZinTrust.Workers.Silo" -nologo -clp:ErrorsOnly >/dev/null
  silo_env
  dotnet "$silo_dll" migrate >/dev/null
  mkdir -p "$run_dir"
  for i in $(seq 0 $((count - 1))); do
    if [ -f "$run_dir/silo-$i.pid" ] && kill -0 "$(cat "$run_dir/silo-$i.pid")" 2>/dev/null; then continue; fi
    local region_env=()
    if [ -n "$regions" ]; then
      local list; IFS=',' read -r -a list <<< "$regions"
      local r=$(( i * ${#list[@]} / count ))
      region_env=(SILO_REGION="${list[$r]}" SILO_ZONE="${list[$r]}-$(( i % 2 + 1 ))")
    fi
    env "${region_env[@]}" PORT=$((7777 + i)) SILO_PORT=$((11111 + i)) GATEWAY_PORT=$((30000 + i)) \
      nohup dotnet "$silo_dll" > "$run_dir/silo-$i.log" 2>&1 &
    echo $! > "$run_dir/silo-$i.pid"
  done
  for i in $(seq 0 $((count - 1))); do
    wait_until 60 curl -sf -H "X-Api-Key: $(cat "$run_dir/api-key" 2>/dev/null)" "http://127.0.0.1:$((7777 + i))/health" \
      || die "silo $i did not become healthy (see $run_dir/silo-$i.log)"
  done
  log "cluster of $count silos ready: http://127.0.0.1:7777 .. $((7777 + count - 1))"
  [ -s "$run_dir/api-key" ] && log "admin API key in $run_dir/api-key (export ZIN_API_KEY=\$(cat $run_dir/api-key))"
  return 0
}

stop() {
  shopt -s nullglob
  for pidfile in "$run_dir"/silo-*.pid; do
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    wait_until 30 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  log "cluster stopped"
}

case "${1:-}" in
  start) start "${2:-3}" "${3:-}" ;;
  kill) [ -f "$run_dir/silo-${2:?silo index}.pid" ] || die "no silo $2"; kill -9 "$(cat "$run_dir/silo-$2.pid")"; rm -f "$run_dir/silo-$2.pid"; log "silo $2 killed (kill -9)" ;;
  stop) stop ;;
  status) for f in "$run_dir"/silo-*.pid; do [ -f "$f" ] && { kill -0 "$(cat "$f")" 2>/dev/null && echo "$(basename "$f" .pid) running" || echo "$(basename "$f" .pid) dead"; }; done ;;
  *) die "usage: $0 start [N] [REGIONS] | kill I | stop | status" ;;
esac
