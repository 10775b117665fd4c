#!/usr/bin/env bash
# Throwaway PostGIS cluster for tests: `postgis.sh start DIR PORT` prints the store URL,
# `postgis.sh stop DIR` stops it. Runs as the `postgres` user (initdb refuses root).
set -euo pipefail
cmd=${1:?install|start|stop}; dir=${2:-}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  install)
    if ! ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1; then
      if [ "$(id -u)" != 0 ]; then
        echo "PostGIS is not installed and this is not root: set VILLAGECOV_TEST_POSTGIS_URL" >&2; exit 1
      fi
      echo "installing PostgreSQL 15 + PostGIS 3 with apt-get ..." >&2
      apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15-postgis-3 >&2
    fi ;;
  start)
    port=${3:?port}
    [ -x "$PGBIN/initdb" ] || { echo "no PostgreSQL binaries found" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    as_pg "$PGBIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAtc \
      "SELECT 1 FROM pg_database WHERE datname='villagecov_test'" | grep -q 1 \
      || as_pg "$PGBIN/createdb" -h "$dir" -p "$port" -U postgres villagecov_test
    as_pg "$PGBIN/psql" -h "$dir" -p "$port" -U postgres -d villagecov_test -qc "CREATE EXTENSION IF NOT EXISTS postgis" >&2
    echo "postgresql+psycopg://postgres@127.0.0.1:$port/villagecov_test" ;;
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi ;;
  *) echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
