"""Wall-time comparison of our PPO and SB3's PPO under the same machine load.

The training runs of docs/snake.md ran one after another on a CPU shared with other jobs, so
their wall times also measure how busy the machine was. This script alternates short runs of
both (same settings as the 1.5M-step comparison: `--total-timesteps` steps, 128 boards x 128
steps, 4 epochs of 4 minibatches, one torch thread), `--repeats` times each, and reports the
training seconds (evaluation excluded) from each run's summary.json, writing
`docs/figures/snake_speed.json`. `--quick` (tests): 2 PPO iterations of 16 boards.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile


def run(command: list[str], summary_path: pathlib.Path) -> float:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return float(json.loads(summary_path.read_text())["train_seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-timesteps", type=int, default=327_680)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("docs/figures/snake_speed.json"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    envs, steps = (16, 64) if args.quick else (128, 128)
    total = 2 * envs * steps if args.quick else args.total_timesteps
    times: dict[str, list[float]] = {"ours": [], "sb3": []}
    with tempfile.TemporaryDirectory() as root:
        for repeat in range(args.repeats):
            ours = [sys.executable, "-m", "rl_suite.snake", "train", "--runs-root", root, "--name",
                    f"ours{repeat}", "--total-timesteps", str(total), "--num-envs", str(envs),
                    "--num-steps", str(steps), "--eval-every", "1000000", "--train-eval-episodes", "10",
                    "--no-tensorboard", "--no-progress"]
            times["ours"].append(run(ours, pathlib.Path(root) / "snake" / f"ours{repeat}" / "summary.json"))
            sb3 = [sys.executable, "scripts/snake_sb3.py", "--runs-root", root, "--name", f"sb3{repeat}",
                   "--total-timesteps", str(total), "--num-envs", str(envs), "--num-steps", str(steps),
                   "--eval-every-steps", "100000000", "--eval-episodes", "10"]
            times["sb3"].append(run(sb3, pathlib.Path(root) / "snake" / f"sb3{repeat}" / "summary.json"))
            print(json.dumps({key: value[-1] for key, value in times.items()}), flush=True)
    report = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} CPU cores shared with other jobs",
        "command": "python " + " ".join(sys.argv),
        "total_timesteps": total,
        "train_seconds": times,
        "steps_per_second": {key: [total / t for t in value] for key, value in times.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report["steps_per_second"]))


if __name__ == "__main__":
    main()
