"""Figures from JSONL run logs (matplotlib, Agg backend, PNG output).

Typical use: `fig, axes = new_figure(1, 2)`, then `plot_runs_on(axes[0], {"setting A":
[run_dir1, run_dir2, ...]}, x_key="step", y_key="eval/acc")` draws each setting's mean over
seeds with a ±1 std band (seeds interpolated onto a common x grid), then `save_figure(fig, path)`.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: never needs a display
import matplotlib.pyplot as plt  # noqa: E402  (must follow the backend choice)
import numpy as np  # noqa: E402

from rl_suite.core.errors import CoreError  # noqa: E402
from rl_suite.core.logging import read_jsonl  # noqa: E402

RunSource = str | pathlib.Path | Sequence[Mapping[str, Any]]


def load_series(run: RunSource, x_key: str, y_key: str) -> tuple[np.ndarray, np.ndarray]:
    """Return (x, y) arrays from the records of one run that contain both keys, sorted by x.

    `run` is a metrics file, a run directory, or an already-read list of records.
    """
    records = read_jsonl(run) if isinstance(run, (str, pathlib.Path)) else run
    pairs = [(float(r[x_key]), float(r[y_key])) for r in records
             if x_key in r and y_key in r and isinstance(r[y_key], (int, float))]
    if not pairs:
        raise CoreError(f"no records with both {x_key!r} and {y_key!r}")
    pairs.sort()
    xs, ys = zip(*pairs)
    return np.asarray(xs), np.asarray(ys)


def mean_std_on_grid(series: Sequence[tuple[np.ndarray, np.ndarray]], grid_points: int = 200
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Interpolate several (x, y) series onto the x range they all cover; return grid, mean, std."""
    if not series:
        raise CoreError("mean_std_on_grid needs at least one series")
    low = max(xs[0] for xs, _ in series)
    high = min(xs[-1] for xs, _ in series)
    if high < low:
        raise CoreError("the series share no common x range")
    grid = np.linspace(low, high, grid_points) if high > low else np.asarray([low])
    stacked = np.stack([np.interp(grid, xs, ys) for xs, ys in series])
    return grid, stacked.mean(axis=0), stacked.std(axis=0)


def new_figure(nrows: int = 1, ncols: int = 1, *, width: float = 5.0, height: float = 3.6
               ) -> tuple[plt.Figure, np.ndarray]:
    """A figure with an (nrows, ncols) array of axes, each `width` x `height` inches."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows), squeeze=False)
    return fig, axes


def plot_runs_on(ax: plt.Axes, groups: Mapping[str, Sequence[RunSource]], *, x_key: str,
                 y_key: str, xlabel: str | None = None, ylabel: str | None = None,
                 title: str | None = None, show_seeds: bool = True) -> None:
    """Draw, per group label, the mean ± std over its runs of `y_key` against `x_key`."""
    for color_index, (label, runs) in enumerate(groups.items()):
        color = f"C{color_index % 10}"
        series = [load_series(run, x_key, y_key) for run in runs]
        grid, mean, std = mean_std_on_grid(series)
        ax.plot(grid, mean, color=color, label=f"{label} (n={len(series)})")
        ax.fill_between(grid, mean - std, mean + std, color=color, alpha=0.2, linewidth=0)
        if show_seeds:
            for xs, ys in series:
                ax.plot(xs, ys, color=color, alpha=0.3, linewidth=0.6)
    ax.set_xlabel(xlabel or x_key)
    ax.set_ylabel(ylabel or y_key)
    if title:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")


def plot_heatmap_on(ax: plt.Axes, matrix: np.ndarray, *, x_values: Sequence[float],
                    y_values: Sequence[float], xlabel: str, ylabel: str, title: str | None = None,
                    vmin: float | None = None, vmax: float | None = None,
                    colorbar_label: str | None = None) -> None:
    """Draw `matrix[i, j]` at (x_values[j], y_values[i]) as an image with a colorbar."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.shape != (len(y_values), len(x_values)):
        raise CoreError(f"matrix shape {matrix.shape} != (len(y_values), len(x_values)) "
                        f"= ({len(y_values)}, {len(x_values)})")
    image = ax.imshow(matrix, aspect="auto", origin="lower", vmin=vmin, vmax=vmax,
                      extent=(*_cell_edges(x_values), *_cell_edges(y_values)),
                      interpolation="nearest", cmap="viridis")
    colorbar = ax.figure.colorbar(image, ax=ax)
    if colorbar_label:
        colorbar.set_label(colorbar_label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)


def _cell_edges(values: Sequence[float]) -> tuple[float, float]:
    """Outer edges of evenly spaced cells centred on `values` (a single cell is 1 wide)."""
    half = (values[-1] - values[0]) / (len(values) - 1) / 2 if len(values) > 1 else 0.5
    return float(values[0]) - half, float(values[-1]) + half


def save_figure(fig: plt.Figure, path: str | pathlib.Path, *, dpi: int = 110) -> pathlib.Path:
    """Write `fig` as PNG to `path` (parents created) and close it; return the path."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=dpi, format="png")
    plt.close(fig)
    return path
