"""Command line of the Snake experiment: `python -m rl_suite.snake {train,evaluate,play} ...`.

- `train [PPO/Snake options]`: `rl_suite.snake.train.SnakeTrainConfig` (see `train --help`).
- `evaluate --checkpoint PATH --episodes N [--json]`, or `--agent random|greedy|hamiltonian
  --size N` for a baseline: win rate, mean final length, steps per fruit over fixed-seed games.
- `play --checkpoint PATH --gif out.gif`: record one game as an animated GIF (Pillow).
"""

from __future__ import annotations

import json
import pathlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import torch

from rl_suite.core.checkpoint import load_checkpoint
from rl_suite.core.config import parse_config
from rl_suite.core.errors import CoreError
from rl_suite.envs.snake import SnakeError, make_snake_env, render_rgb
from rl_suite.snake.agents import (
    EVAL_SEED,
    Agent,
    GreedyAgent,
    HamiltonianAgent,
    PolicyAgent,
    RandomAgent,
    evaluate_agent,
)
from rl_suite.snake.policy import SnakePolicy

AgentName = Literal["ppo", "random", "greedy", "hamiltonian"]
COMMANDS = ("train", "evaluate", "play")


@dataclass
class EvaluateConfig:
    """Evaluate an agent over fixed-seed games (game i uses seed `seed + i`)."""

    checkpoint: pathlib.Path | None = None
    """A SnakePolicy checkpoint (needed for --agent ppo)."""
    agent: AgentName = "ppo"
    """Which agent: ppo (the checkpoint) or a baseline."""
    size: int | None = None
    """Board side; default: the checkpoint's board, or 6 for a baseline."""
    episodes: int = 1000
    """Number of games."""
    seed: int = EVAL_SEED
    """Seed of the first game."""
    sample: bool = False
    """Sample PPO actions from the policy instead of taking the argmax."""
    json: bool = False
    """Print the metrics as one JSON object (otherwise a table)."""


@dataclass
class PlayConfig:
    """Play one game and save it as an animated GIF."""

    gif: pathlib.Path
    """Output GIF path."""
    checkpoint: pathlib.Path | None = None
    """A SnakePolicy checkpoint (needed for --agent ppo)."""
    agent: AgentName = "ppo"
    """Which agent plays."""
    size: int | None = None
    """Board side; default: the checkpoint's board, or 6 for a baseline."""
    seed: int = EVAL_SEED
    """Seed of the game (with --until-win: the first seed tried)."""
    until_win: bool = False
    """Try seeds seed, seed+1, ... (at most 100) until the agent wins, and record that game."""
    fps: int = 8
    """Frames per second of the GIF."""
    cell_pixels: int = 24
    """Pixels per board cell."""


def build_agent(agent: str, checkpoint: pathlib.Path | None, size: int | None, *,
                sample: bool = False) -> tuple[Agent, int]:
    """Return `(agent, board side)` for an agent name (and checkpoint for "ppo")."""
    if agent == "ppo":
        if checkpoint is None:
            raise SnakeError("--agent ppo needs --checkpoint PATH")
        model, payload = load_checkpoint(checkpoint)
        if not isinstance(model, SnakePolicy):
            raise SnakeError(f"{checkpoint} holds a {type(model).__name__}, not a SnakePolicy")
        if model.height != model.width:
            raise SnakeError("only square boards are supported on the command line")
        if size is not None and size != model.height:
            raise SnakeError(f"the checkpoint plays {model.height}x{model.width}, not size {size}")
        mask = bool(payload["config"].get("mask_actions", True))
        return PolicyAgent(model, sample=sample, mask_actions=mask), model.height
    size = 6 if size is None else size
    if agent == "random":
        return RandomAgent(), size
    if agent == "greedy":
        return GreedyAgent(), size
    if agent == "hamiltonian":
        return HamiltonianAgent(size, size), size
    raise SnakeError(f"unknown agent {agent!r}")


def evaluate_command(config: EvaluateConfig) -> dict[str, Any]:
    agent, size = build_agent(config.agent, config.checkpoint, config.size, sample=config.sample)
    metrics = evaluate_agent(agent, config.episodes, size=size, seed=config.seed)
    metrics = {"agent": config.agent, "size": size, "seed": config.seed, **metrics}
    if config.checkpoint is not None:
        metrics["checkpoint"] = str(config.checkpoint)
    if config.json:
        print(json.dumps(metrics))
    else:
        for key, value in metrics.items():
            print(f"{key:>22}: {value}")
    return metrics


def record_game(agent: Agent, size: int, seed: int, *, cell_pixels: int = 24
                ) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Play one game on `make_snake_env(size)` seeded `seed`; return RGB frames and a summary."""
    env = make_snake_env(size)
    obs, info = env.reset(seed=seed)
    frames = [render_rgb(obs, cell_pixels)]
    steps, terminated, truncated = 0, False, False
    while not (terminated or truncated):
        action = int(np.asarray(agent(obs[None], info["action_mask"][None]))[0])
        obs, _, terminated, truncated, info = env.step(action)
        frames.append(render_rgb(obs, cell_pixels))
        steps += 1
    return frames, {"seed": seed, "steps": steps, "length": info["length"], "won": info["won"],
                    "truncated": bool(truncated)}


def save_gif(frames: Sequence[np.ndarray], path: pathlib.Path, fps: int) -> pathlib.Path:
    """Write RGB frames as a looping GIF (the last frame held for one second)."""
    from PIL import Image  # Pillow ships with matplotlib

    if fps < 1:
        raise SnakeError(f"fps must be >= 1, got {fps}")
    path.parent.mkdir(parents=True, exist_ok=True)
    images = [Image.fromarray(frame) for frame in frames]
    durations = [int(1000 / fps)] * (len(images) - 1) + [1000]
    images[0].save(path, save_all=True, append_images=images[1:], duration=durations, loop=0)
    return path


def play_command(config: PlayConfig) -> dict[str, Any]:
    agent, size = build_agent(config.agent, config.checkpoint, config.size)
    seeds = range(config.seed, config.seed + (100 if config.until_win else 1))
    for seed in seeds:
        frames, summary = record_game(agent, size, seed, cell_pixels=config.cell_pixels)
        if summary["won"] or not config.until_win:
            break
    save_gif(frames, config.gif, config.fps)
    summary = {"gif": str(config.gif), "agent": config.agent, "size": size, **summary}
    print(json.dumps(summary))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch `argv` (default sys.argv[1:]) to a subcommand; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, rest = argv[0], argv[1:]
    torch.set_num_threads(1)  # small networks: one thread is fastest on the shared CPU
    try:
        if command == "train":
            from rl_suite.snake.train import SnakeTrainConfig, train

            summary = train(parse_config(SnakeTrainConfig, rest, description="Train PPO on Snake"))
            print(json.dumps(summary))
        elif command == "evaluate":
            evaluate_command(parse_config(EvaluateConfig, rest, description=EvaluateConfig.__doc__))
        else:
            play_command(parse_config(PlayConfig, rest, description=PlayConfig.__doc__))
    except (SnakeError, CoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
