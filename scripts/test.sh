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

# Browser tests (tests/maps, -m browser) drive Debian's Chromium, and tests/api/test_qgis.py drives QGIS
# (Debian's python3-qgis, run by /usr/bin/python3): install them when missing (root + apt).
apt_install() {  # apt_install [--no-install-recommends] PACKAGE...: only as root with apt; never fatal here
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  [ -n "${apt_updated:-}" ] || { apt-get update -qq && apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v chromium >/dev/null 2>&1 || apt_install chromium \
  || echo "chromium could not be installed: the browser tests will skip" >&2
# tests/reporting render the report's PDF (pdftotext, pdftoppm, pdffonts from poppler-utils)
command -v pdftoppm >/dev/null 2>&1 || apt_install --no-install-recommends poppler-utils \
  || echo "poppler-utils could not be installed: the PDF rendering tests will fail" >&2
# tests/reporting open the report's workbook in LibreOffice Calc (headless)
command -v soffice >/dev/null 2>&1 || apt_install --no-install-recommends libreoffice-calc-nogui \
  || echo "LibreOffice could not be installed: the workbook test will fail" >&2
/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || apt_install --no-install-recommends python3-qgis qgis-providers \
  || echo "QGIS could not be installed: the QGIS client tests will skip" >&2

.venv/bin/ruff check .
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
echo "test run took $(( $(date +%s) - start )) s"
exit $rc
