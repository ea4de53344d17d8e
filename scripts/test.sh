#!/usr/bin/env bash
# Install everything the test suite needs (venv, the package with all extras, Chromium and axe-core for
# the browser tests) and run the whole suite: lint, then pytest. Used by CI (.ci/run) and by developers.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# torch==2.13.0 is the CPU build (the [st] extra pins it); an unpinned torch would pull a CUDA build.
.venv/bin/python -m pip install --quiet -e '.[st,llm,test]'

apt_install() {  # Debian packages, as root or through sudo
  local sudo=""
  [ "$(id -u)" = "0" ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
command -v chromium >/dev/null 2>&1 || apt_install chromium
# axe-core, injected into the browser tests' pages for the accessibility audit (tests/test_a11y.py)
command -v npm >/dev/null 2>&1 || apt_install npm
[ -f node_modules/axe-core/axe.min.js ] || npm install --no-save --no-audit --no-fund --silent axe-core@4.14.1

.venv/bin/ruff check ingest assistant evals tests scripts
.venv/bin/python -m pytest -q "$@"
