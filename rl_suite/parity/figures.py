"""The PNG figures of the parity experiment, drawn from the runs' JSONL logs via the core."""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np

from rl_suite.core.logging import read_jsonl
from rl_suite.core.plotting import new_figure, plot_heatmap_on, plot_runs_on, save_figure
from rl_suite.parity.experiment import first_update_staying_at_least


def write_figures(config: Any, runs: list[dict[str, Any]], out_dir: pathlib.Path) -> list[pathlib.Path]:
    """Write parity_curves, parity_acc_by_length, parity_length_heatmap and parity_learned_at."""
    out_dir = pathlib.Path(out_dir)
    groups = {setting: [run["run_dir"] for run in runs if run["setting"] == setting]
              for setting in config.settings}
    records = {setting: [read_jsonl(d) for d in dirs] for setting, dirs in groups.items()}
    paths = []

    fig, axes = new_figure(2, 3)
    panels = [
        (0, 0, "step", "eval/test50_acc", "updates", "test accuracy, length 50"),
        (0, 1, "wall_time", "eval/test50_acc", "wall time (s)", "test accuracy, length 50"),
        (0, 2, "step", "eval/acc_beyond", "updates",
         f"test accuracy, lengths {config.train_len + 1}..{config.test_max_len}"),
        (1, 0, "step", "train/loss", "updates", "training loss (final answer)"),
        (1, 1, "wall_time", "train/loss", "wall time (s)", "training loss (final answer)"),
        (1, 2, "step", "train/train_max_len", "updates", "longest training length in batch"),
    ]
    for row, col, x_key, y_key, xlabel, ylabel in panels:
        plot_runs_on(axes[row, col], records, x_key=x_key, y_key=y_key, xlabel=xlabel, ylabel=ylabel)
    fig.suptitle("Parity LSTM: mean ± std over seeds (thin lines: individual seeds)")
    paths.append(save_figure(fig, out_dir / "parity_curves.png"))

    fig, axes = new_figure(1, 1, width=7.0)
    ax = axes[0, 0]
    lengths = np.arange(1, config.test_max_len + 1)
    for index, (setting, runs_records) in enumerate(records.items()):
        finals = np.array([[r for r in recs if "eval/acc_by_len" in r][-1]["eval/acc_by_len"]
                           for recs in runs_records])
        mean, std = finals.mean(axis=0), finals.std(axis=0)
        ax.plot(lengths, mean, color=f"C{index}", label=f"{setting} (n={len(finals)})")
        ax.fill_between(lengths, mean - std, mean + std, color=f"C{index}", alpha=0.2, linewidth=0)
    ax.axvline(config.train_len, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xlabel("string length")
    ax.set_ylabel("final test accuracy")
    ax.set_ylim(0.4, 1.02)
    ax.set_title(f"Accuracy by length after {config.updates} updates (dashed: longest trained length)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    paths.append(save_figure(fig, out_dir / "parity_acc_by_length.png"))

    # Top row: the whole run; bottom row: the first third, where every transition happened.
    fig, axes = new_figure(2, len(records), width=5.0)
    for col, (setting, runs_records) in enumerate(records.items()):
        evals = [[r for r in recs if "eval/acc_by_len" in r] for recs in runs_records]
        count = min(len(e) for e in evals)
        steps = np.array([r["step"] for r in evals[0][:count]])
        matrix = np.mean([[r["eval/acc_by_len"] for r in e[:count]] for e in evals], axis=0).T
        zoom = steps <= max(steps[0], steps[-1] // 3)
        for row, keep in enumerate((np.ones_like(zoom, dtype=bool), zoom)):
            plot_heatmap_on(axes[row, col], matrix[:, keep], x_values=list(steps[keep]),
                            y_values=list(lengths), xlabel="updates", ylabel="string length",
                            title=f"{setting}: accuracy" + (" (first third)" if row else ""),
                            vmin=0.5, vmax=1.0, colorbar_label="test accuracy (mean over seeds)")
    paths.append(save_figure(fig, out_dir / "parity_length_heatmap.png"))

    fig, axes = new_figure(1, 1, width=7.0)
    ax = axes[0, 0]
    train_lengths = np.arange(1, config.train_len + 1)
    for index, (setting, runs_records) in enumerate(records.items()):
        for seed_index, recs in enumerate(runs_records):
            learned = [first_update_staying_at_least(recs, 0.9, n) for n in train_lengths]
            first = [np.nan if step is None else step for step in learned]
            ax.plot(train_lengths, first, color=f"C{index}", marker=".", linewidth=0.8,
                    label=setting if seed_index == 0 else None)
    ax.set_xlabel("string length")
    ax.set_ylabel("update from which test accuracy stays ≥ 0.9")
    ax.set_title("Which lengths are learned first (one line per seed; gaps: never learned)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    paths.append(save_figure(fig, out_dir / "parity_learned_at.png"))
    return paths
