#!/usr/bin/env bash
# A throwaway Redis server for the RQ task backend in development, tests and benchmarks.
#
#   scripts/redis.sh start   install Debian's redis-server if missing, start it on 127.0.0.1
#                            (no persistence) and print its URL (use it as JIMAKU_REDIS_URL)
#   scripts/redis.sh url     print the URL of the running server
#   scripts/redis.sh stop    stop it and delete its folder
#
# Environment: JIMAKU_REDIS_DIR (default /tmp/jimaku-redis), JIMAKU_REDIS_PORT (default 63799;
# the next free port is taken if it is busy).
set -euo pipefail

DIR="${JIMAKU_REDIS_DIR:-/tmp/jimaku-redis}"
PORT="${JIMAKU_REDIS_PORT:-63799}"

say() { echo "redis.sh: $*" >&2; }

port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_running() {
  [ -f "$DIR/redis.pid" ] && kill -0 "$(cat "$DIR/redis.pid")" 2>/dev/null
}

start() {
  if ! command -v redis-server >/dev/null 2>&1; then
    say "installing redis-server from Debian packages"
    local sudo=""
    [ "$(id -u)" != 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
  fi
  if [ -f "$DIR/url" ] && is_running; then
    cat "$DIR/url"
    return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  while port_busy "$PORT"; do PORT=$((PORT + 1)); done
  redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --dir "$DIR" \
    --daemonize yes --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
  for _ in $(seq 100); do
    if redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null | grep -q PONG; then
      echo "redis://127.0.0.1:$PORT/0" >"$DIR/url"
      say "Redis on 127.0.0.1:$PORT (pid $(cat "$DIR/redis.pid"))"
      cat "$DIR/url"
      return 0
    fi
    sleep 0.05
  done
  say "Redis did not start:"
  cat "$DIR/redis.log" >&2
  exit 1
}

stop() {
  if [ ! -d "$DIR" ]; then return 0; fi
  if is_running; then
    local pid
    pid="$(cat "$DIR/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$DIR/url" ] && cat "$DIR/url" || { say "not running (scripts/redis.sh start)"; exit 1; } ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
