"""Figures of docs/snake.md: learning curves of the training runs and a GIF of a won game.

`python scripts/snake_figures.py` reads `runs/snake/<run>/metrics.jsonl` for the runs that
exist among `RUNS` (below), draws
`docs/figures/snake_learning_curves.png` (evaluation win rate and mean final length against
environment steps and against training seconds), and records a game of `--checkpoint` (the
first won game from seed 10000 on) as `docs/figures/snake_6x6_game.gif`. `--quick` (tests)
takes the runs under `--runs-root` whatever their names and records any game.
"""

from __future__ import annotations

import argparse
import pathlib

import torch

from rl_suite.core.plotting import new_figure, plot_runs_on, save_figure
from rl_suite.snake.cli import PlayConfig, play_command

RUNS = {
    "ppo_6x6": "ours, 6x6",
    "ppo_6x6_budget": "ours, 6x6, 1.5M steps",
    "ppo_6x6_budget_nomask": "ours without masking, 6x6, 1.5M steps",
    "sb3_ppo_6x6_budget": "SB3 PPO, 6x6, 1.5M steps",
    "sb3_ppo_6x6_budget_ego": "SB3 PPO on our egocentric view, 6x6, 1.5M",
    "ppo_8x8": "ours, 8x8",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-root", type=pathlib.Path, default=pathlib.Path("runs"))
    parser.add_argument("--out-dir", type=pathlib.Path, default=pathlib.Path("docs/figures"))
    parser.add_argument("--checkpoint", type=pathlib.Path, default=pathlib.Path("checkpoints/snake_6x6.pt"))
    parser.add_argument("--quick", action="store_true", help="any runs, any game (for tests)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    snake_dir = args.runs_root / "snake"
    if args.quick:
        runs = {path.name: path.name for path in sorted(snake_dir.iterdir())
                if (path / "metrics.jsonl").exists()}
    else:
        runs = {name: label for name, label in RUNS.items() if (snake_dir / name / "metrics.jsonl").exists()}
    if not runs:
        raise SystemExit(f"no runs with metrics under {snake_dir}")
    fig, axes = new_figure(1, 3, width=5.2, height=4.2)
    panels = [("step", "eval/win_rate", "environment steps", "win rate (greedy policy)"),
              ("charts/train_seconds", "eval/win_rate", "training seconds (2 shared CPU cores)",
               "win rate (greedy policy)"),
              ("step", "eval/mean_length", "environment steps", "mean final length")]
    for ax, (x_key, y_key, xlabel, ylabel) in zip(axes[0], panels):
        groups = {label: [snake_dir / name] for name, label in runs.items()}
        plot_runs_on(ax, groups, x_key=x_key, y_key=y_key, xlabel=xlabel, ylabel=ylabel,
                     show_seeds=False)
    for ax in axes[0][:2]:  # one legend (on the length panel, whose lower right is empty) is enough
        ax.get_legend().remove()
    axes[0][2].legend(fontsize="x-small", loc="lower right")
    curves = save_figure(fig, args.out_dir / "snake_learning_curves.png")
    print(f"wrote {curves}")
    play_command(PlayConfig(gif=args.out_dir / "snake_6x6_game.gif", checkpoint=args.checkpoint,
                            until_win=not args.quick))


if __name__ == "__main__":
    main()
