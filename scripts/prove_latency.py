#!/usr/bin/env python3
"""Wall time of `ineq prove STATEMENT` as a user sees it (interpreter start-up included).

    python scripts/prove_latency.py                       # a^2+b^2>=2ab, 5 runs
    python scripts/prove_latency.py "a,b,c>0 => ..." --runs 3

Prints one JSON object: the statement, each run's seconds and exit status, and the median.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("statement", nargs="?", default="a^2+b^2>=2ab")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = shutil.which("ineq")
    if command is None:
        print("error: the `ineq` command is not on PATH (install the project first)", file=sys.stderr)
        return 3
    runs = []
    for _ in range(args.runs):
        started = time.perf_counter()
        status = subprocess.run([command, "prove", args.statement], capture_output=True).returncode
        runs.append({"seconds": round(time.perf_counter() - started, 3), "exit": status})
    median = statistics.median(r["seconds"] for r in runs)
    print(json.dumps({"statement": args.statement, "runs": runs, "median_seconds": median}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
