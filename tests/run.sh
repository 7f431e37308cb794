#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian/Ubuntu machine, then lints and runs
# every test (the slow, full-dataset checks and the browser test included).
#   bash tests/run.sh            # data from AE_DATA_DIR, or Keras' download
#   bash tests/run.sh -m "not slow"   # extra arguments go to pytest
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the end-to-end test; Playwright drives it, nothing is downloaded.
if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
fi

# A project virtual environment, unless one is already active.
if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  source .venv/bin/activate
fi
python -m pip install -q --disable-pip-version-check -r requirements-dev.txt

python -m ruff check .
python -m ruff format --check .
python -m mypy
python -m pytest "$@"
