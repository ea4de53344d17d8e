#!/usr/bin/env bash
# Install everything the test suite needs (venv, the package with all extras, Chromium for the
# browser tests) and run the whole suite: lint, then pytest. Used by CI (.ci/run) and by developers.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch==2.13.0 is the CPU build (the [st] extra pins it); an unpinned torch would pull a CUDA build.
.venv/bin/python -m pip install --quiet -e '.[st,llm,test]'

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

.venv/bin/ruff check ingest assistant evals tests scripts
.venv/bin/python -m pytest -q "$@"
