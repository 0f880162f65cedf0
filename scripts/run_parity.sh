#!/usr/bin/env bash
# Full parity experiment of docs/parity.md: 3 settings x 3 seeds, 6000 updates each, two runs in
# parallel (one torch thread each), niced. Runs land in runs/parity/full-*/, figures in docs/figures/.
# Takes about 15-25 minutes on 2 CPU cores. Add --json to get the summary as one JSON object.
set -euo pipefail
cd "$(dirname "$0")/.."
exec nice -n 10 python -m rl_suite.parity --name full --workers 2 --figures-dir docs/figures --no-progress "$@"
