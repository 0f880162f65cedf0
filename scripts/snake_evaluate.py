"""The results table of docs/snake.md: every agent over the same fixed-seed games.

`python scripts/snake_evaluate.py` evaluates, over `--episodes` games (game i seeded 10000 + i,
exactly as `python -m rl_suite.snake evaluate`): on 6x6 the random, greedy and Hamiltonian
baselines, the shipped checkpoint, our PPO and SB3's PPO at the equal step budget (final
policies), and the no-masking ablation; on 8x8 the baselines and our 8x8 run. Training steps and
seconds come from each run's summary.json, and the training commands (with dates) from
runs/snake/commands.jsonl of scripts/snake_runs.py. Writes `docs/figures/snake_results.json` (with date,
machine and command) and `docs/figures/snake_results.md` (the table); 10x10 gets baselines only.
Missing runs are skipped.
`--quick` (tests) evaluates the baselines on 12 games into `--out-dir`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import pathlib
import platform
import sys
from typing import Any

import torch

from rl_suite.core.checkpoint import load_checkpoint
from rl_suite.snake.agents import evaluate_agent
from rl_suite.snake.cli import build_agent

BASELINES = ("random", "greedy", "hamiltonian")
# (label, board side, run name, checkpoint file inside the run, or an explicit path)
TRAINED = (
    ("PPO (ours), shipped checkpoint", 6, "ppo_6x6", "checkpoints/snake_6x6.pt"),
    ("PPO (ours), 1.5M steps", 6, "ppo_6x6_budget", "final.pt"),
    ("PPO (ours), 1.5M steps, no masking", 6, "ppo_6x6_budget_nomask", "final.pt"),
    ("PPO (ours), best validation checkpoint of the run", 8, "ppo_8x8", "best.pt"),
)
SB3 = (("SB3 PPO, 1.5M steps", 6, "sb3_ppo_6x6_budget"),
       ("SB3 PPO on our egocentric view, 1.5M steps", 6, "sb3_ppo_6x6_budget_ego"))


def run_summary(run_dir: pathlib.Path) -> dict[str, Any]:
    path = run_dir / "summary.json"
    return json.loads(path.read_text()) if path.exists() else {}


def row(label: str, size: int, metrics: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:
    return {"agent": label, "size": size, "train_steps": summary.get("global_step"),
            "train_seconds": summary.get("train_seconds"),
            **{key: metrics[key] for key in ("episodes", "win_rate", "mean_length",
                                             "mean_steps_per_fruit", "died_rate", "truncated_rate")}}


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| board | agent | win rate | mean final length | steps per fruit | train steps | train time (whole run) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        steps = f"{r['train_steps'] / 1e6:.2f}M" if r["train_steps"] else "-"
        seconds = f"{r['train_seconds'] / 60:.1f} min" if r["train_seconds"] else "-"
        per_fruit = f"{r['mean_steps_per_fruit']:.2f}" if r["mean_steps_per_fruit"] is not None else "no fruit"
        lines.append(f"| {r['size']}x{r['size']} | {r['agent']} | {100 * r['win_rate']:.1f}% | "
                     f"{r['mean_length']:.2f} | {per_fruit} | {steps} | {seconds} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-root", type=pathlib.Path, default=pathlib.Path("runs"))
    parser.add_argument("--out-dir", type=pathlib.Path, default=pathlib.Path("docs/figures"))
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="baselines only, 12 games")
    args = parser.parse_args()
    torch.set_num_threads(1)
    episodes = 12 if args.quick else args.episodes
    snake_dir = args.runs_root / "snake"
    rows = []
    for size in (6, 8, 10):
        for name in BASELINES:
            agent, _ = build_agent(name, None, size)
            rows.append(row(name, size, evaluate_agent(agent, episodes, size=size), {}))
            print(json.dumps(rows[-1]), flush=True)
        if args.quick:
            continue
        for label, board, run, checkpoint in TRAINED:
            path = pathlib.Path(checkpoint) if "/" in checkpoint else snake_dir / run / checkpoint
            if board != size or not path.exists():
                continue
            agent, _ = build_agent("ppo", path, size)
            # Steps: those of the checkpoint itself; seconds: the whole run's training time.
            summary = run_summary(snake_dir / run) | {"global_step": load_checkpoint(path)[1]["step"]}
            rows.append(row(label, size, evaluate_agent(agent, episodes, size=size), summary))
            print(json.dumps(rows[-1]), flush=True)
        for label, board, run in SB3:
            summary = run_summary(snake_dir / run)
            if board == size and summary and summary["eval"]["episodes"] == episodes:
                rows.append(row(label, size, summary["eval"], summary))  # evaluated by snake_sb3.py
                print(json.dumps(rows[-1]), flush=True)
    report = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip()
                   + f", {os.cpu_count()} CPU cores shared with other jobs, torch {torch.__version__}",
        "command": "python " + " ".join(sys.argv),
        "episodes": episodes,
        "seeds": f"game i uses seed 10000 + i, i < {episodes}",
        "rows": rows,
        # What produced the runs: the records scripts/snake_runs.py appended, if any.
        "training_commands": ([json.loads(line) for line in commands.read_text().splitlines() if line.strip()]
                              if (commands := snake_dir / "commands.jsonl").exists() else []),
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "snake_results.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.out_dir / "snake_results.md").write_text(markdown(rows))
    print(markdown(rows))


if __name__ == "__main__":
    main()
