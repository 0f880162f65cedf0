#!/usr/bin/env bash
# Create .venv-triples: a separate virtual environment holding the GPL-3.0 `triples` package, used only
# as an external baseline by `ineq bench --baseline triples` (run through scripts/triples_runner.py in
# its own interpreter; our package never imports it). Idempotent: does nothing if it already works.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${TRIPLES_VENV:-.venv-triples}"
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import triples" 2>/dev/null; then
    echo "$VENV already has triples"
    exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet triples==0.3.0
"$VENV/bin/python" -c "import triples; print('triples', triples.__version__, 'installed in $VENV')"
