#!/usr/bin/env bash
# Real servers for the cloud tests, on loopback high ports, in a throwaway folder under .tmp/services:
#   InfluxDB 1.x  HTTP 127.0.0.1:18086 (RPC 18088)
#   PostgreSQL    127.0.0.1:15432, user postgres, trust auth, cluster and socket in /tmp/quayside-test-pg-PORT
# Usage: scripts/services.sh start | stop | status
# `start` installs the Debian packages when missing (influxdb, postgresql, mosquitto, mosquitto-clients),
# starts both servers, waits until each answers and writes their URLs to .tmp/services/env
# (`source` it, or let the tests read it). `stop` stops both and deletes their data.
# Ports can be moved with QS_SERVICES_INFLUX_PORT / QS_SERVICES_INFLUX_RPC_PORT / QS_SERVICES_PG_PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
DIR="$ROOT/.tmp/services"
INFLUX_PORT="${QS_SERVICES_INFLUX_PORT:-18086}"
INFLUX_RPC_PORT="${QS_SERVICES_INFLUX_RPC_PORT:-18088}"
PG_PORT="${QS_SERVICES_PG_PORT:-15432}"
ENV_FILE="${QS_SERVICES_ENV_FILE:-$DIR/env}"
# PostgreSQL runs as the postgres user, which must be able to reach its data folder: the checkout may
# sit under a folder only root can enter, so the cluster lives under /tmp (world-traversable).
PG_DIR="${QS_SERVICES_PG_DIR:-/tmp/quayside-test-pg-$PG_PORT}"

log() { echo "services: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  return 1
}

install_packages() {
  local need=()
  command -v influxd >/dev/null 2>&1 || need+=(influxdb)
  pg_bin >/dev/null 2>&1 || need+=(postgresql)
  command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
  command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
  if ((${#need[@]})); then
    log "installing Debian packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# Runs a command as the postgres user when we are root (initdb refuses root), else as ourselves.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_influx() {
  local d="$DIR/influx-$INFLUX_PORT"
  if alive "$d/influxd.pid" && curl -fs -o /dev/null "http://127.0.0.1:$INFLUX_PORT/ping"; then
    log "InfluxDB already running on $INFLUX_PORT"
    return
  fi
  rm -rf "$d"
  mkdir -p "$d/meta" "$d/data" "$d/wal"
  cat >"$d/influxdb.conf" <<EOF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:$INFLUX_PORT"
  auth-enabled = false
  log-enabled = false
  max-body-size = 0
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
EOF
  influxd run -config "$d/influxdb.conf" >"$d/influxd.log" 2>&1 &
  echo $! >"$d/influxd.pid"
  for _ in $(seq 1 200); do
    if curl -fs -o /dev/null "http://127.0.0.1:$INFLUX_PORT/ping"; then
      log "InfluxDB up on 127.0.0.1:$INFLUX_PORT (pid $(cat "$d/influxd.pid"))"
      return
    fi
    alive "$d/influxd.pid" || break
    sleep 0.1
  done
  log "InfluxDB did not start; last log lines:"
  tail -n 20 "$d/influxd.log" >&2 || true
  exit 1
}

start_pg() {
  local d="$PG_DIR" bin
  bin="$(pg_bin)"
  if [ -f "$d/data/postmaster.pid" ] && as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
    log "PostgreSQL already running on $PG_PORT"
    return
  fi
  if [ -f "$d/data/postmaster.pid" ]; then as_pg "$bin/pg_ctl" -D "$d/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$d"
  mkdir -p "$d"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$d"
  as_pg "$bin/initdb" -D "$d/data" -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8 >"$d/initdb.log" 2>&1 || {
    cat "$d/initdb.log" >&2
    exit 1
  }
  as_pg "$bin/pg_ctl" -D "$d/data" -l "$d/postgres.log" -w -t 30 \
    -o "-p $PG_PORT -k $d -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null || {
    tail -n 20 "$d/postgres.log" >&2 || true
    exit 1
  }
  log "PostgreSQL up on 127.0.0.1:$PG_PORT"
}

stop_influx() {
  local d="$DIR/influx-$INFLUX_PORT" pid
  if [ -f "$d/influxd.pid" ]; then
    pid="$(cat "$d/influxd.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    log "InfluxDB stopped"
  fi
  rm -rf "$d"
}

stop_pg() {
  local d="$PG_DIR" bin
  if [ -f "$d/data/postmaster.pid" ] && bin="$(pg_bin)"; then
    as_pg "$bin/pg_ctl" -D "$d/data" -m fast -w -t 30 stop >/dev/null 2>&1 || as_pg "$bin/pg_ctl" -D "$d/data" -m immediate -w stop >/dev/null 2>&1 || true
    log "PostgreSQL stopped"
  fi
  rm -rf "$d"
}

write_env() {
  cat >"$ENV_FILE" <<EOF
export QS_TEST_INFLUX_URL=http://127.0.0.1:$INFLUX_PORT
export QS_TEST_PG_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres
EOF
  log "wrote $ENV_FILE"
}

case "${1:-}" in
  start)
    install_packages
    mkdir -p "$DIR"
    start_influx
    start_pg
    write_env
    cat "$ENV_FILE"
    ;;
  stop)
    stop_influx
    stop_pg
    rm -f "$ENV_FILE"
    ;;
  status)
    if alive "$DIR/influx-$INFLUX_PORT/influxd.pid"; then echo "influxdb: running (pid $(cat "$DIR/influx-$INFLUX_PORT/influxd.pid"))"; else echo "influxdb: stopped"; fi
    if bin="$(pg_bin)" && as_pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then echo "postgresql: running"; else echo "postgresql: stopped"; fi
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
