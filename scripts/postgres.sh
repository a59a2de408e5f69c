#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks (never for real data).
#
#   scripts/postgres.sh start   install Debian's postgresql if missing, initdb into a fresh data
#                               directory, start it on 127.0.0.1 and print its DATABASE_URL
#   scripts/postgres.sh url     print the DATABASE_URL of the running server
#   scripts/postgres.sh stop    stop the server and delete its data directory
#
# Environment: JIMAKU_PG_DIR (default /tmp/jimaku-postgres: one server per directory, so a
# benchmark and a test run can use two), JIMAKU_PG_PORT (default 54329; the next free port is
# taken if it is busy). The role `jimaku` (CREATEDB, so pytest-django can create test_jimaku)
# owns the database `jimaku`. Durability is off (fsync=off): the data is thrown away anyway.
# initdb refuses to run as root, so as root the server runs as the `postgres` user (runuser).
set -euo pipefail

DIR="${JIMAKU_PG_DIR:-/tmp/jimaku-postgres}"
PORT="${JIMAKU_PG_PORT:-54329}"
ROLE=jimaku
DBNAME=jimaku

say() { echo "postgres.sh: $*" >&2; }

sudo_cmd() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

find_bindir() {
  local dir
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    if [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

ensure_installed() {
  if find_bindir >/dev/null; then return 0; fi
  say "installing PostgreSQL from Debian packages"
  sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_cmd apt-get install -y -qq postgresql >/dev/null
  # Debian's package creates and starts a system cluster on 5432; we do not use it.
  find_bindir >/dev/null || { say "PostgreSQL server binaries not found after install"; exit 1; }
}

# Run a server binary as the account that owns the data directory.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

is_running() {
  [ -f "$DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1
}

print_url() {
  cat "$DIR/url"
}

start() {
  ensure_installed
  BIN="$(find_bindir)"
  if [ -f "$DIR/url" ] && is_running; then
    print_url
    return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR/data" "$DIR/socket"
  while port_busy "$PORT"; do PORT=$((PORT + 1)); done
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { say "no 'postgres' user (is the postgresql package installed?)"; exit 1; }
    chown -R postgres: "$DIR"
    chmod 700 "$DIR/data"
  fi
  local password
  password="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
  as_owner "$BIN/psql" -q -h "$DIR/socket" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE $DBNAME OWNER $ROLE" >/dev/null
  echo "postgres://$ROLE:$password@127.0.0.1:$PORT/$DBNAME" >"$DIR/url.tmp"
  chmod 600 "$DIR/url.tmp"
  mv "$DIR/url.tmp" "$DIR/url"
  say "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (data in $DIR)"
  print_url
}

stop() {
  if [ ! -d "$DIR" ]; then return 0; fi
  BIN="$(find_bindir || true)"
  if [ -n "$BIN" ] && [ -f "$DIR/data/postmaster.pid" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [ -f "$DIR/url" ] && print_url || { say "not running (scripts/postgres.sh start)"; exit 1; } ;;
  *) echo "usage: $0 start|url|stop" >&2; exit 2 ;;
esac
