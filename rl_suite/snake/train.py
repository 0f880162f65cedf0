"""Train PPO (`rl_suite.algos.ppo`) on the vectorised Snake env and keep the best checkpoint.

Run directory `<runs_root>/snake/<name>/` (core layout): config.json, metrics.jsonl,
tensorboard/, `best.pt` (highest evaluation win rate, ties broken by mean length) and `final.pt`.
Evaluations during training use `train_eval_episodes` fixed-seed validation games (seeds
VALIDATION_SEED + i, the same games every time, disjoint from the test games of
`rl_suite.snake.agents.EVAL_SEED` used for reported results), greedy actions.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass, replace
from typing import Any

import torch

from rl_suite.algos.ppo import PPOConfig, train_ppo
from rl_suite.core.checkpoint import save_checkpoint
from rl_suite.core.config import config_to_dict
from rl_suite.core.device import select_device
from rl_suite.core.logging import RunLogger, make_run_dir
from rl_suite.core.seeding import seed_everything
from rl_suite.envs.snake import board_shape
from rl_suite.envs.snake_vector import SnakeVectorEnv
from rl_suite.snake.agents import PolicyAgent, evaluate_agent
from rl_suite.snake.policy import SnakePolicy

BEST_CHECKPOINT, FINAL_CHECKPOINT = "best.pt", "final.pt"
VALIDATION_SEED = 1_000_000  # far from the test seeds EVAL_SEED + i, i < 1,000,000


@dataclass
class SnakeTrainConfig(PPOConfig):
    """PPO on Snake. Defaults are the settings of the shipped 6x6 checkpoint (docs/snake.md)."""

    experiment: str = "snake"
    """Experiment name; runs go to `<runs_root>/snake/<name>/`."""
    name: str = "ppo_6x6"
    """Run name."""
    size: int = 6
    """Side of the square board (6, 8 and 10 are the documented sizes)."""
    max_steps_without_food: int | None = None
    """Truncation limit (None: twice the board area)."""
    total_timesteps: int = 6_000_000
    """Environment steps to train for (summed over the boards)."""
    max_train_seconds: float | None = 2700.0
    """Training wall-time limit in seconds (45 minutes; evaluation excluded)."""
    num_envs: int = 128
    """Boards stepped together by the numpy vector env."""
    num_steps: int = 128
    """Steps per board per rollout."""
    learning_rate: float = 5e-4
    """Adam learning rate (linearly annealed)."""
    gamma: float = 0.995
    """Discount factor (long games: 34 fruits on 6x6)."""
    ent_coef: float = 0.01
    """Weight of the entropy bonus."""
    hidden: int = 256
    """Width of the policy MLP's hidden layers."""
    layers: int = 2
    """Number of hidden layers."""
    eval_every: int = 25
    """Evaluate (and maybe checkpoint) every this many PPO iterations."""
    train_eval_episodes: int = 200
    """Fixed-seed games per evaluation during training."""
    quick: bool = False
    """A tiny run for tests: 20k steps, 16 boards, 32 eval games."""


def quick_config(config: SnakeTrainConfig) -> SnakeTrainConfig:
    """The `--quick` variant of `config` (same size and seed; small budget)."""
    return replace(config, total_timesteps=20_480, max_train_seconds=None, num_envs=16,
                   num_steps=64, eval_every=10, train_eval_episodes=32, name=config.name + "_quick")


def train(config: SnakeTrainConfig) -> dict[str, Any]:
    """Train, write the run directory, and return a summary (also written as summary.json)."""
    if config.quick:
        config = quick_config(config)
    height, width = board_shape(config.size)
    seed_everything(config.seed)
    run_dir = make_run_dir(config.runs_root, config.experiment, config.name)
    envs = SnakeVectorEnv(config.num_envs, config.size,
                          max_steps_without_food=config.max_steps_without_food)
    model_kwargs = {"height": height, "width": width, "hidden": config.hidden, "layers": config.layers}
    agent = SnakePolicy(**model_kwargs).to(select_device(config.device))
    config_dict = config_to_dict(config)
    best: dict[str, Any] = {"win_rate": -1.0, "mean_length": -1.0}

    def evaluate(model: torch.nn.Module, global_step: int) -> dict[str, Any]:
        metrics = evaluate_agent(PolicyAgent(model, mask_actions=config.mask_actions),
                                 config.train_eval_episodes, size=config.size, seed=VALIDATION_SEED,
                                 max_steps_without_food=config.max_steps_without_food)
        extra = {"global_step": global_step, "eval": metrics}
        save_checkpoint(run_dir / FINAL_CHECKPOINT, model, model_kwargs=model_kwargs,
                        step=global_step, config=config_dict, extra=extra)
        if (metrics["win_rate"], metrics["mean_length"]) > (best["win_rate"], best["mean_length"]):
            best.update(metrics, global_step=global_step)
            save_checkpoint(run_dir / BEST_CHECKPOINT, model, model_kwargs=model_kwargs,
                            step=global_step, config=config_dict, extra=extra)
        return {key: metrics[key] for key in ("win_rate", "mean_length", "mean_steps_per_fruit")}

    with RunLogger(run_dir, tensorboard=config.tensorboard, config=config_dict) as logger:
        result = train_ppo(config, envs, agent, logger=logger, evaluate=evaluate,
                           eval_every=config.eval_every, show_progress=config.progress)
    summary = {
        "run_dir": str(run_dir),
        "global_step": result.global_step,
        "iterations": result.iterations,
        "train_seconds": result.train_seconds,
        "stopped_by_time": result.stopped_by_time,
        "best": best,
        "best_checkpoint": str(run_dir / BEST_CHECKPOINT),
    }
    (pathlib.Path(run_dir) / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
