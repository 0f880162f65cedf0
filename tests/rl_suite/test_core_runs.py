"""Config parsing, device, seeding, run directories, JSONL/TensorBoard logging and plotting."""

import dataclasses
import json
import pathlib
import random

import numpy as np
import pytest
import torch

from rl_suite.core.config import RunConfig, config_to_dict, parse_config
from rl_suite.core.device import select_device
from rl_suite.core.errors import CoreError
from rl_suite.core.logging import RunLogger, make_run_dir, progress, read_jsonl
from rl_suite.core.plotting import load_series, mean_std_on_grid, new_figure, plot_runs_on, save_figure
from rl_suite.core.seeding import seed_everything


@dataclasses.dataclass
class DemoConfig(RunConfig):
    """A config as an experiment would declare it."""

    hidden: int = 8
    """Hidden units."""
    layers: tuple[int, ...] = (1, 2)
    """Layer widths."""


def test_parse_config_reads_command_line_and_keeps_defaults():
    config = parse_config(DemoConfig, args=["--hidden", "32", "--seed", "5", "--layers", "3", "4", "--no-tensorboard"])
    assert (config.hidden, config.seed, config.layers, config.tensorboard) == (32, 5, (3, 4), False)
    assert config.runs_root == pathlib.Path("runs") and config.experiment == "experiment"
    as_dict = config_to_dict(config)
    assert json.loads(json.dumps(as_dict)) == as_dict and as_dict["runs_root"] == "runs"
    with pytest.raises(CoreError):
        parse_config(int, args=[])


def test_field_docstrings_reach_the_help_text(capsys):
    with pytest.raises(SystemExit):
        parse_config(DemoConfig, args=["--help"])
    assert "Hidden units." in capsys.readouterr().out


def test_select_device_honours_preference_and_rejects_unknown():
    assert select_device("cpu") == torch.device("cpu")
    assert select_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(CoreError):
        select_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(CoreError):
            select_device("cuda")


def test_seed_everything_reproduces_all_generators_and_adds_the_rank(monkeypatch):
    def draw():
        return random.random(), float(np.random.rand()), float(torch.rand(1))

    monkeypatch.delenv("RANK", raising=False)
    assert seed_everything(3) == 3
    first = draw()
    seed_everything(3)
    assert draw() == first
    monkeypatch.setenv("RANK", "2")
    assert seed_everything(3) == 5
    assert draw() != first
    assert seed_everything(3, add_rank=False) == 3
    with pytest.raises(CoreError):
        seed_everything(-1)


def test_run_logger_writes_layout_jsonl_and_tensorboard(tmp_path):
    run_dir = make_run_dir(tmp_path, "demo", "trial-1")
    assert run_dir == tmp_path / "demo" / "trial-1" and run_dir.is_dir()
    with RunLogger(run_dir, config={"lr": 0.1}) as logger:
        logger.log(1, loss=torch.tensor(0.5), acc_by_len=[0.25, 1.0], count=np.int64(3))
        logger.log(2, loss=0.25)
        with pytest.raises(CoreError):
            logger.log(3, wall_time=1.0)  # reserved key
    records = read_jsonl(run_dir / "metrics.jsonl")
    assert [(r["step"], r["loss"]) for r in records] == [(1, 0.5), (2, 0.25)]
    assert records[0]["acc_by_len"] == [0.25, 1.0] and records[0]["count"] == 3
    assert records[0]["wall_time"] <= records[1]["wall_time"]
    assert json.loads((run_dir / "config.json").read_text()) == {"lr": 0.1}
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))
    with pytest.raises(CoreError):
        logger.log(4, loss=1.0)


def test_run_names_cannot_escape_the_root_and_bad_logs_are_reported(tmp_path):
    for bad in ("..", "a/b", ""):
        with pytest.raises(CoreError):
            make_run_dir(tmp_path, "demo", bad)
    (tmp_path / "broken.jsonl").write_text('{"step": 1}\nnot json\n')
    with pytest.raises(CoreError, match="broken.jsonl:2"):
        read_jsonl(tmp_path / "broken.jsonl")
    assert list(progress(range(3), enabled=False)) == [0, 1, 2]


def test_plotting_averages_seeds_on_a_common_grid_and_writes_png(tmp_path):
    runs = []
    for seed, offset in enumerate((0.0, 1.0)):
        with RunLogger(tmp_path / f"s{seed}", tensorboard=False) as logger:
            for step in range(0, 11):
                logger.log(step, acc=step / 10 + offset)
        runs.append(tmp_path / f"s{seed}")
    grid, mean, std = mean_std_on_grid([load_series(r, "step", "acc") for r in runs], grid_points=11)
    assert np.allclose(grid, np.arange(11)) and np.allclose(mean, grid / 10 + 0.5) and np.allclose(std, 0.5)
    fig, axes = new_figure(1, 1)
    plot_runs_on(axes[0, 0], {"demo": runs}, x_key="step", y_key="acc")
    path = save_figure(fig, tmp_path / "figs" / "curve.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(CoreError):
        load_series(runs[0], "step", "missing")
