#!/usr/bin/env bash
# The lab's catalogs, with Babel's own commands (pip install -r requirements-dev.txt):
#   bash ae_core/locale/catalog.sh        extract the messages, update every .po, compile .mo
# Then translate the new or changed (fuzzy) entries in ae_core/locale/*/LC_MESSAGES/messages.po
# and run it again. tests/test_i18n.py fails while a message is not extracted, translated or
# compiled.
set -euo pipefail
cd "$(dirname "$0")/../.."
locale=ae_core/locale
pybabel="${PYBABEL:-pybabel}"
"$pybabel" -q extract -F "$locale/babel.cfg" -k lazy -k N_ --add-location=file --sort-output \
    --no-wrap --project="Autoencoder Lab" --version=1 -o "$locale/messages.pot" .
# Babel reads any message with a "%" as printf-style too ("95% of" has a "% o" in it) and
# refuses a translation that moves the sign: write "percent" in messages, or "%" at the end.
for po in "$locale"/*/LC_MESSAGES/messages.po; do
    language="$(basename "$(dirname "$(dirname "$po")")")"
    "$pybabel" -q update -i "$locale/messages.pot" -d "$locale" -l "$language" --no-wrap \
        --ignore-obsolete
done
"$pybabel" compile -d "$locale" --statistics
