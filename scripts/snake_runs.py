"""Run the Snake experiment's training jobs one after another, niced, and log what ran.

Usage: `python scripts/snake_runs.py [--quick] [--only NAME ...]`. Each job is a command line;
`runs/snake/commands.jsonl` gets one record per job (name, command, start date, seconds,
exit code) so that docs/snake.md can cite exactly what produced each number. `--quick` runs
tiny versions (for tests) under runs/snake_quick/.
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import subprocess
import sys
import time

PYTHON = sys.executable


def jobs(quick: bool, runs_root: str) -> dict[str, list[str]]:
    """Job name -> command line (the full experiment, or the --quick one)."""
    train = [PYTHON, "-m", "rl_suite.snake", "train", "--runs-root", runs_root, "--no-progress"]
    if quick:
        return {
            "ppo_6x6": train + ["--name", "ppo_6x6", "--quick"],
            "sb3_ppo_6x6_budget": [PYTHON, "scripts/snake_sb3.py", "--runs-root", runs_root,
                                   "--total-timesteps", "4096", "--num-envs", "8", "--num-steps", "64",
                                   "--eval-episodes", "16", "--name", "sb3_ppo_6x6_budget"],
        }
    return {
        # The shipped checkpoint (defaults of SnakeTrainConfig: 6M steps, 45 min cap).
        "ppo_6x6": train + ["--name", "ppo_6x6"],
        # Equal-budget comparison with Stable-Baselines3: same 1.5M steps and hyperparameters.
        "ppo_6x6_budget": train + ["--name", "ppo_6x6_budget", "--total-timesteps", "1500000",
                                   "--eval-every", "10"],
        "sb3_ppo_6x6_budget": [PYTHON, "scripts/snake_sb3.py", "--runs-root", runs_root,
                               "--total-timesteps", "1500000", "--name", "sb3_ppo_6x6_budget"],
        # Ablation at the same budget: no invalid-action masking (in training and evaluation).
        "ppo_6x6_budget_nomask": train + ["--name", "ppo_6x6_budget_nomask", "--total-timesteps",
                                          "1500000", "--eval-every", "10", "--no-mask-actions"],
        # SB3 with our egocentric input (no masking: SB3's PPO has none), same budget.
        "sb3_ppo_6x6_budget_ego": [PYTHON, "scripts/snake_sb3.py", "--runs-root", runs_root,
                                   "--total-timesteps", "1500000", "--egocentric",
                                   "--name", "sb3_ppo_6x6_budget_ego"],
        # 8x8: as long as the remaining time allows (25 minutes of training).
        "ppo_8x8": train + ["--name", "ppo_8x8", "--size", "8", "--total-timesteps", "12000000",
                            "--max-train-seconds", "1500"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny jobs under runs/snake_quick")
    parser.add_argument("--only", nargs="*", default=None, help="run only these job names")
    args = parser.parse_args()
    runs_root = "runs/snake_quick" if args.quick else "runs"
    selected = jobs(args.quick, runs_root)
    if args.only is not None:
        unknown = set(args.only) - set(selected)
        if unknown:
            parser.error(f"unknown job names {sorted(unknown)}; known: {sorted(selected)}")
        selected = {name: selected[name] for name in args.only}
    log_path = pathlib.Path(runs_root) / "snake" / "commands.jsonl"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    status = 0
    for name, command in selected.items():
        started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        start = time.perf_counter()
        print(f"[snake_runs] {name}: {' '.join(command)}", flush=True)
        code = subprocess.call(["nice", "-n", "10", *command])
        record = {"name": name, "command": " ".join(["nice", "-n", "10", *command]),
                  "started_utc": started, "seconds": round(time.perf_counter() - start, 1),
                  "exit_code": code}
        with open(log_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
