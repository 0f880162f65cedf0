"""Launch the 12 self-play runs of docs/slitherin.md (4 schemes x 3 seeds, equal budgets).

Each run is `python -m rl_suite.slitherin train --scheme S --seed N ...` in its own niced
process, `--parallel` at a time; a run whose result.json exists is skipped, so the script can be
re-run after an interruption and every finished run keeps its own result files.

    python scripts/slitherin_runs.py [--runs-root runs] [--steps 150000] [--parallel 2]
"""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys
import time

from rl_suite.slitherin.opponents import SCHEMES
from rl_suite.slitherin.selfplay import RESULT_FILE

SEEDS = (0, 1, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-root", default="runs")
    parser.add_argument("--steps", type=int, default=150_000)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args()
    # Seed-major order: if time runs out, every scheme has the same number of finished seeds.
    queue = [(scheme, seed) for seed in SEEDS for scheme in SCHEMES]
    running: list[tuple[subprocess.Popen, str]] = []
    while queue or running:
        while queue and len(running) < args.parallel:
            scheme, seed = queue.pop(0)
            name = f"{scheme}_s{seed}"
            if (pathlib.Path(args.runs_root) / "slitherin" / name / RESULT_FILE).exists():
                print(f"skip {name} (finished)", flush=True)
                continue
            command = ["nice", "-n", "10", sys.executable, "-m", "rl_suite.slitherin", "train",
                       "--scheme", scheme, "--seed", str(seed), "--runs-root", args.runs_root,
                       "--total-timesteps", str(args.steps), "--no-progress", "--no-tensorboard",
                       "--json"]
            print(f"start {name}", flush=True)
            running.append((subprocess.Popen(command), name))
        for process, name in list(running):
            if process.poll() is not None:
                print(f"done {name} rc={process.returncode}", flush=True)
                running.remove((process, name))
        time.sleep(2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
