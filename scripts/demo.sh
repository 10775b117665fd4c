#!/usr/bin/env bash
# The main job: set up .venv, build the embedded store (real boundaries + SYNTHETIC demo inputs),
# compute the indicators and serve the API and maps on 127.0.0.1:8000. Extra args go to `villagecov demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/villagecov demo "$@"
