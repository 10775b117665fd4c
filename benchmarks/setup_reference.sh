#!/usr/bin/env bash
# The reference tools of benchmarks/api_bench.py, reproducible: TiPg and TiTiler in their own venv
# from the pinned benchmarks/reference-requirements.txt (their pins differ from ours), and wrk.
# Usage: bash benchmarks/setup_reference.sh [VENV_DIR]   (default /work/bench-venv; then pass
# --bench-python VENV_DIR/bin/python to api_bench.py)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-/work/bench-venv}
PY=${PYTHON:-python3.11}
[ -x "$venv/bin/python" ] || "$PY" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q --no-deps -r benchmarks/reference-requirements.txt
"$venv/bin/python" -m pip check
"$venv/bin/python" -c "import tipg.main, titiler.application.main"
if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
  else echo "install wrk (apt-get install wrk)" >&2; exit 1; fi
fi
echo "reference tools ready: $venv/bin/python, $(wrk --version 2>&1 | head -n 1)"
