"""PPO on Snake: masking, a --quick training run, the CLI, the scripts and the shipped checkpoint."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

from rl_suite.algos.ppo import MASKED_LOGIT, PPOConfig, masked_logits, train_ppo
from rl_suite.core.checkpoint import load_checkpoint
from rl_suite.core.errors import CoreError
from rl_suite.core.logging import read_jsonl
from rl_suite.envs.snake_vector import SnakeVectorEnv
from rl_suite.snake.cli import main as cli_main
from rl_suite.snake.policy import SnakePolicy
from rl_suite.snake.train import BEST_CHECKPOINT, SnakeTrainConfig, train

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "checkpoints" / "snake_6x6.pt"


def test_masked_logits_forbid_masked_actions_but_leave_trapped_rows_alone():
    logits = torch.tensor([[0.5, 1.0, -2.0], [0.1, 0.2, 0.3]])
    mask = torch.tensor([[True, False, True], [False, False, False]])
    out = masked_logits(logits, mask)
    assert out[0, 1] == MASKED_LOGIT and out[0, 0] == 0.5 and out[0, 2] == -2.0
    torch.testing.assert_close(out[1], logits[1])
    probs = torch.softmax(out, dim=-1)
    assert probs[0, 1] == 0.0


def test_train_ppo_rejects_inconsistent_sizes():
    envs = SnakeVectorEnv(4, 6)
    agent = SnakePolicy(6, 6, hidden=8, layers=1)
    with pytest.raises(CoreError):
        train_ppo(PPOConfig(num_envs=8, num_steps=4, total_timesteps=64), envs, agent)
    with pytest.raises(CoreError):
        train_ppo(PPOConfig(num_envs=4, num_steps=5, num_minibatches=3, total_timesteps=64), envs, agent)


def test_masked_training_never_samples_a_forbidden_action():
    envs = SnakeVectorEnv(8, 5)
    agent = SnakePolicy(5, 5, hidden=16, layers=1)
    forbidden_taken = []
    original_step = envs.step

    def checking_step(actions):
        mask = envs.action_masks()
        has_safe = mask.any(axis=1)
        forbidden_taken.append(int((~mask[np.arange(8), actions] & has_safe).sum()))
        return original_step(actions)

    envs.step = checking_step
    train_ppo(PPOConfig(num_envs=8, num_steps=32, total_timesteps=8 * 32 * 3, tensorboard=False,
                        progress=False), envs, agent, show_progress=False)
    assert len(forbidden_taken) == 96 and sum(forbidden_taken) == 0


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    runs_root = tmp_path_factory.mktemp("runs")
    summary = train(SnakeTrainConfig(quick=True, runs_root=runs_root, tensorboard=False, progress=False))
    return runs_root, summary


def test_quick_training_run_writes_logs_and_a_loadable_checkpoint(quick_run):
    runs_root, summary = quick_run
    run_dir = pathlib.Path(summary["run_dir"])
    assert run_dir == runs_root / "snake" / "ppo_6x6_quick"
    records = read_jsonl(run_dir)
    train_records = [r for r in records if "losses/value_loss" in r]
    eval_records = [r for r in records if "eval/win_rate" in r]
    assert len(train_records) == summary["iterations"] and len(eval_records) >= 2
    assert all(np.isfinite(r["losses/value_loss"]) for r in train_records)
    assert summary["global_step"] == 20_480
    model, payload = load_checkpoint(run_dir / BEST_CHECKPOINT)
    assert isinstance(model, SnakePolicy) and payload["model_kwargs"]["height"] == 6
    assert payload["extra"]["eval"]["episodes"] == 32


def test_cli_evaluate_and_play_with_the_quick_checkpoint(quick_run, tmp_path, capsys):
    checkpoint = pathlib.Path(quick_run[1]["best_checkpoint"])
    assert cli_main(["evaluate", "--checkpoint", str(checkpoint), "--episodes", "12", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["episodes"] == 12 and 2 <= metrics["mean_length"] <= 36
    assert set(metrics) >= {"win_rate", "mean_length", "mean_steps_per_fruit"}
    gif = tmp_path / "game.gif"
    assert cli_main(["play", "--checkpoint", str(checkpoint), "--gif", str(gif)]) == 0
    from PIL import Image

    with Image.open(gif) as image:
        assert image.n_frames == json.loads(capsys.readouterr().out)["steps"] + 1
    assert cli_main(["evaluate", "--agent", "ppo", "--episodes", "3"]) == 1  # no checkpoint
    assert cli_main(["evaluate", "--checkpoint", str(tmp_path / "missing.pt")]) == 1


def test_figures_script_quick_draws_curves_and_a_gif(quick_run, tmp_path):
    runs_root = quick_run[0]
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "snake_figures.py"), "--quick", "--runs-root",
         str(runs_root), "--out-dir", str(tmp_path), "--checkpoint", quick_run[1]["best_checkpoint"]],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "snake_learning_curves.png").stat().st_size > 1000
    assert (tmp_path / "snake_6x6_game.gif").stat().st_size > 1000


def test_shipped_checkpoint_is_small_and_wins_most_6x6_games(capsys):
    assert SHIPPED.stat().st_size < 2_000_000
    assert cli_main(["evaluate", "--checkpoint", str(SHIPPED), "--episodes", "100", "--json"]) == 0
    metrics = json.loads(capsys.readouterr().out)
    assert metrics["size"] == 6 and metrics["win_rate"] >= 0.5


def test_evaluate_script_quick_writes_the_results_table(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "snake_evaluate.py"), "--quick",
                             "--out-dir", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "snake_results.json").read_text())
    hamiltonian = [r for r in report["rows"] if r["agent"] == "hamiltonian"]
    assert [r["size"] for r in hamiltonian] == [6, 8, 10]
    assert all(r["win_rate"] == 1.0 for r in hamiltonian)
    assert "| 6x6 | greedy |" in (tmp_path / "snake_results.md").read_text()
