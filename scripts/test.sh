#!/usr/bin/env bash
# The test command: sets up .venv, a throwaway PostGIS cluster (unless
# VILLAGECOV_TEST_POSTGIS_URL is given) and runs ruff + pytest. Extra args go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/setup.sh test

pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then bash scripts/postgis.sh stop "$pgdir" || true; rm -rf "$pgdir"; fi
}
trap cleanup EXIT INT TERM

if [ -z "${VILLAGECOV_TEST_POSTGIS_URL:-}" ]; then
  if bash scripts/postgis.sh install; then
    pgdir=$(mktemp -d /tmp/villagecov-pg.XXXXXX)
    port=${VILLAGECOV_TEST_PG_PORT:-$(( 55000 + RANDOM % 5000 ))}
    VILLAGECOV_TEST_POSTGIS_URL=$(bash scripts/postgis.sh start "$pgdir" "$port")
    export VILLAGECOV_TEST_POSTGIS_URL
    echo "PostGIS test cluster: $VILLAGECOV_TEST_POSTGIS_URL"
  elif [ "${VILLAGECOV_REQUIRE_POSTGIS:-}" = 1 ]; then
    echo "PostGIS required but not available" >&2; exit 1
  fi
fi

# Browser tests (tests/maps, -m browser) drive Debian's Chromium: install it when missing (root + apt).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "chromium could not be installed: the browser tests will skip" >&2
fi

.venv/bin/ruff check .
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
echo "test run took $(( $(date +%s) - start )) s"
exit $rc
