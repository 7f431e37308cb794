#!/usr/bin/env bash
# The stated dependency floors, tried: installs the oldest versions requirements.txt allows
# into .venv-lowest and runs the fast tests there (no slow or browser tests).
#   bash tests/lowest_versions.sh
# Costs about 3 minutes to install (TensorFlow is large) and 3 to test, on a 2-core box.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv-lowest/bin/python ] || python3 -m venv .venv-lowest
.venv-lowest/bin/python tests/lowest_pins.py requirements.txt > .venv-lowest/pins.txt
echo "Oldest allowed versions:" && cat .venv-lowest/pins.txt
.venv-lowest/bin/python -m pip install -q --disable-pip-version-check \
  -r .venv-lowest/pins.txt "pytest>=8,<10" "playwright>=1.45,<2" \
  "babel>=2.14,<3" "fonttools>=4.40,<5" "brotli>=1,<2"
.venv-lowest/bin/python -m pytest -m "not slow and not browser" "$@"
