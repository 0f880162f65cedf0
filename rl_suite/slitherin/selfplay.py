"""Self-play PPO for Slitherin': one shared policy, opponents drawn from a pool by a scheme.

How PPO is reused unchanged: `rl_suite.algos.ppo.train_ppo` trains an agent on a single-agent
vector env. `SelfPlayVectorEnv` is that env: `num_envs` Slitherin' games in which seat 0
("snake_0", the learner) takes the PPO actions and every other seat is played by a frozen policy
drawn from an `OpponentPool` (rl_suite.slitherin.opponents) at the start of each game. Seats are
symmetric (random starts), so one seat is enough. The env also does the bookkeeping of self-play:

- before every rollout (every `sync_every` vector steps; train_ppo updates between rollouts) it
  copies the learner's weights into the pool's "latest" entry;
- every `snapshot_every` environment steps it freezes a snapshot into the pool (and calls
  `on_snapshot`, which writes it to disk for the tournament);
- when the learner's game ends it records the outcome against each opponent entry (for PFSP).

The learner's episode ends when it dies or at the step limit; a game whose learner died is
reset at once (its outcome is already decided). If the opponents die first the learner plays on
alone, as the rules say, until it dies or time runs out.

Outcome rule (`placement_ranks`): a snake alive at the end beats every dead one; among dead
snakes the later death ranks better; among snakes alive at the end the longer ranks better;
equal keys are ties. From the learner's point of view: 1 win, 0.5 draw, 0 loss.
"""

from __future__ import annotations

import itertools
import json
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import torch
from gymnasium import spaces
from gymnasium.vector import AutoresetMode
from torch import nn

from rl_suite.algos.ppo import PPOConfig, train_ppo
from rl_suite.core.checkpoint import register_model, save_checkpoint
from rl_suite.core.config import config_to_dict
from rl_suite.core.logging import RunLogger, make_run_dir
from rl_suite.core.seeding import seed_everything
from rl_suite.envs.slitherin import NUM_OBS_CHANNELS, SlitherinEnv, SlitherinError, agent_name
from rl_suite.slitherin.opponents import LATEST, OpponentPool, learner_scores

FINAL_CHECKPOINT = "final.pt"
RESULT_FILE = "result.json"
SNAPSHOT_DIR = "snapshots"


@register_model
class SlitherinPolicy(nn.Module):
    """Actor-critic MLP over the env's egocentric window; `forward(obs) -> (logits, value)`.

    obs `(B, 5, S, S)`; logits `(B, 3)` over the relative actions; value `(B,)`.
    """

    def __init__(self, view_radius: int, hidden: int = 128, layers: int = 2) -> None:
        super().__init__()
        if view_radius < 1 or hidden < 1 or layers < 1:
            raise SlitherinError(f"need view_radius, hidden, layers >= 1; got {view_radius}, "
                                 f"{hidden}, {layers}")
        self.view_radius = view_radius
        span = 2 * view_radius + 1
        sizes = [NUM_OBS_CHANNELS * span * span] + [hidden] * layers
        trunk: list[nn.Module] = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            trunk += [_orthogonal(nn.Linear(fan_in, fan_out), 2 ** 0.5), nn.Tanh()]
        self.trunk = nn.Sequential(*trunk)
        # CleanRL's initialisation: near-uniform initial policy, unit-scale value head.
        self.policy_head = _orthogonal(nn.Linear(hidden, 3), 0.01)
        self.value_head = _orthogonal(nn.Linear(hidden, 1), 1.0)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(obs.flatten(1))
        return self.policy_head(features), self.value_head(features).squeeze(-1)


def _orthogonal(layer: nn.Linear, gain: float) -> nn.Linear:
    nn.init.orthogonal_(layer.weight, gain)
    nn.init.zeros_(layer.bias)
    return layer


def placement_ranks(env: SlitherinEnv) -> list[int]:
    """Rank of every snake (1 = best, ties share a rank) by the module docstring's rule."""
    keys = []
    for index in range(env.num_snakes):
        if env.alive[index]:
            keys.append((1, 0, len(env.bodies[index])))
        else:
            keys.append((0, env.death_step[index], 0))
    return [1 + sum(other > key for other in keys) for key in keys]


def outcome_against(ranks: list[int], seat: int, other: int) -> float:
    """1 if `seat` ranked better than `other`, 0.5 if tied, 0 if worse."""
    return 1.0 if ranks[seat] < ranks[other] else 0.5 if ranks[seat] == ranks[other] else 0.0


class SelfPlayVectorEnv(gym.vector.VectorEnv):
    """The learner's view of `num_envs` Slitherin' games (see the module docstring).

    Follows the contract of `rl_suite.algos.ppo` (SAME_STEP autoreset, info["action_mask"],
    info["final_obs"]/["_final_obs"]). `env_kwargs` go to `SlitherinEnv`; game i is first reset
    with seed `seed + i`, opponents are drawn from a generator seeded with `seed`.
    """

    metadata: ClassVar[dict[str, Any]] = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, num_envs: int, env_kwargs: dict[str, Any], pool: OpponentPool, *,
                 learner: nn.Module | None = None, sync_every: int = 64,
                 snapshot_every: int | None = None,
                 on_snapshot: Callable[[int, nn.Module], None] | None = None) -> None:
        if num_envs < 1 or sync_every < 1:
            raise SlitherinError("num_envs and sync_every must be >= 1")
        if pool.tracks_latest and learner is None:
            raise SlitherinError(f"scheme {pool.scheme!r} needs the learner to copy into the pool")
        self.games = [SlitherinEnv(**env_kwargs) for _ in range(num_envs)]
        if self.games[0].num_snakes < 2:
            raise SlitherinError("self-play needs at least 2 snakes")
        self.num_envs = num_envs
        self.pool, self.learner = pool, learner
        self.sync_every, self.snapshot_every, self.on_snapshot = sync_every, snapshot_every, on_snapshot
        self.single_observation_space = self.games[0].observation_space(agent_name(0))
        self.single_action_space = spaces.Discrete(3)
        self.observation_space = spaces.Box(0.0, 1.0, (num_envs,) + self.single_observation_space.shape,
                                            dtype=np.float32)
        self.action_space = spaces.MultiDiscrete(np.full(num_envs, 3))
        self.render_mode = None
        self.opponents: list[list[int]] = []  # per game: the pool entry of seat 1, 2, ...
        self.vector_steps = 0
        self.env_steps = 0
        self.next_snapshot = snapshot_every
        self.finished: list[dict[str, Any]] = []  # learner games ended since `pop_finished`
        self._obs: list[dict[str, np.ndarray]] = []
        self._infos: list[dict[str, dict[str, Any]]] = []
        self._rng = np.random.default_rng()

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[np.ndarray, dict[str, Any]]:
        self._rng = np.random.default_rng(seed)
        self._obs, self._infos, self.opponents = [], [], []
        for index, game in enumerate(self.games):
            obs, infos = game.reset(seed=None if seed is None else seed + index)
            self._obs.append(obs)
            self._infos.append(infos)
            self.opponents.append(self._draw_opponents(game))
        return self._learner_obs(), {"action_mask": self._learner_masks()}

    def _draw_opponents(self, game: SlitherinEnv) -> list[int]:
        return [self.pool.sample(self._rng) for _ in range(game.num_snakes - 1)]

    def _learner_obs(self) -> np.ndarray:
        return np.stack([obs[agent_name(0)] for obs in self._obs])

    def _learner_masks(self) -> np.ndarray:
        return np.stack([infos[agent_name(0)]["action_mask"] for infos in self._infos])

    def _opponent_actions(self) -> list[dict[str, int]]:
        """Actions of every living opponent, batched by pool entry."""
        groups: dict[int, list[tuple[int, str]]] = {}
        for game_index, game in enumerate(self.games):
            for seat, entry in enumerate(self.opponents[game_index], start=1):
                if agent_name(seat) in game.agents:
                    groups.setdefault(entry, []).append((game_index, agent_name(seat)))
        actions: list[dict[str, int]] = [{} for _ in self.games]
        for entry, members in groups.items():
            obs = torch.as_tensor(np.stack([self._obs[g][a] for g, a in members]))
            masks = torch.as_tensor(np.stack([self._infos[g][a]["action_mask"] for g, a in members]))
            chosen = self.pool.act(entry, obs, masks).numpy()
            for (game_index, name), action in zip(members, chosen):
                actions[game_index][name] = int(action)
        return actions

    def _pool_bookkeeping(self) -> None:
        if not self.pool.tracks_latest:
            return
        if self.vector_steps % self.sync_every == 0:
            self.pool.refresh_latest(self.learner.state_dict(), self.env_steps)
        if self.next_snapshot is not None and self.env_steps >= self.next_snapshot:
            self.pool.add_snapshot(self.learner.state_dict(), self.env_steps)
            if self.on_snapshot is not None:
                self.on_snapshot(self.env_steps, self.learner)
            self.next_snapshot += self.snapshot_every

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                 dict[str, Any]]:
        """Advance every game one step: the learner's `actions` plus the opponents' own."""
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,):
            raise SlitherinError(f"need {self.num_envs} learner actions, got shape {actions.shape}")
        self._pool_bookkeeping()
        all_actions = self._opponent_actions()
        rewards = np.zeros(self.num_envs, dtype=np.float32)
        terminated = np.zeros(self.num_envs, dtype=bool)
        truncated = np.zeros(self.num_envs, dtype=bool)
        final_obs = np.zeros(self.observation_space.shape, dtype=np.float32)
        learner = agent_name(0)
        for index, game in enumerate(self.games):
            all_actions[index][learner] = int(actions[index])
            obs, step_rewards, terms, truncs, infos = game.step(all_actions[index])
            rewards[index] = step_rewards[learner]
            terminated[index], truncated[index] = terms[learner], truncs[learner]
            # Keep the latest observation and info of every snake that has one this step.
            self._obs[index].update(obs)
            self._infos[index].update(infos)
            if terminated[index] or truncated[index]:
                final_obs[index] = obs[learner]
                self._finish_game(index, game)
        self.vector_steps += 1
        self.env_steps += self.num_envs
        done = terminated | truncated
        info = {"action_mask": self._learner_masks(), "final_obs": final_obs, "_final_obs": done}
        return self._learner_obs(), rewards, terminated, truncated, info

    def _finish_game(self, index: int, game: SlitherinEnv) -> None:
        ranks = placement_ranks(game)
        outcomes = []
        for seat, entry in enumerate(self.opponents[index], start=1):
            outcome = outcome_against(ranks, 0, seat)
            self.pool.record(entry, outcome)
            outcomes.append(outcome)
        self.finished.append({"score": float(np.mean(outcomes)), "length": len(game.bodies[0]),
                              "steps": game.steps, "death_cause": game.death_cause[0],
                              "latest_share": float(np.mean([e == LATEST for e in self.opponents[index]]))})
        self._obs[index], self._infos[index] = game.reset()
        self.opponents[index] = self._draw_opponents(game)

    def pop_finished(self) -> list[dict[str, Any]]:
        """The summaries of the learner games finished since the last call (and forget them)."""
        finished, self.finished = self.finished, []
        return finished


@dataclass
class SlitherinTrainConfig(PPOConfig):
    """Self-play PPO on Slitherin'. Defaults: the scaled-down budget of docs/slitherin.md."""

    experiment: str = "slitherin"
    """Experiment name; runs go to `<runs_root>/slitherin/<name>/`."""
    name: str = ""
    """Run name (empty: "<scheme>_s<seed>")."""
    scheme: str = "latest"
    """Opponent scheme: latest, uniform, mixed, pfsp (rl_suite.slitherin.opponents)."""
    size: int = 12
    """Side of the square field."""
    num_snakes: int = 2
    """Snakes per game (the learner plus num_snakes - 1 opponents)."""
    num_fruit: int = 3
    """Fruits on the field at any time."""
    view_radius: int = 5
    """Half-width of the egocentric observation window."""
    max_steps: int = 200
    """Step limit of a game."""
    total_timesteps: int = 150_000
    """Environment steps to train for (summed over the games)."""
    num_envs: int = 32
    """Games stepped together."""
    num_steps: int = 64
    """Steps per game per rollout."""
    learning_rate: float = 5e-4
    """Adam learning rate (linearly annealed)."""
    hidden: int = 128
    """Width of the policy MLP's hidden layers."""
    layers: int = 2
    """Number of hidden layers."""
    snapshot_every: int = 15_000
    """Freeze a snapshot into the pool (and write it under snapshots/) every this many steps."""
    past_fraction: float = 0.2
    """Scheme "mixed": probability of drawing a past snapshot instead of latest."""
    pfsp_power: float = 2.0
    """Scheme "pfsp": weight (1 - score) ** power."""
    outcome_window: int = 100
    """Games per pool entry over which the learner's score is estimated (PFSP)."""
    eval_every: int = 5
    """Log self-play statistics every this many PPO iterations."""
    quick: bool = False
    """A tiny run for tests: 1,024 steps, 8 games of 8x8, snapshots every 256 steps."""


def quick_config(config: SlitherinTrainConfig) -> SlitherinTrainConfig:
    """The `--quick` variant of `config` (same scheme and seed; a few hundred steps per game)."""
    return replace(config, total_timesteps=1024, num_envs=8, num_steps=32, num_minibatches=2,
                   update_epochs=2, size=8, num_fruit=2, view_radius=3, max_steps=50, hidden=32,
                   snapshot_every=256, eval_every=2, max_train_seconds=None,
                   name=(config.name or f"{config.scheme}_s{config.seed}") + "_quick")


def env_kwargs_of(config: SlitherinTrainConfig) -> dict[str, Any]:
    """The `SlitherinEnv` keyword arguments of a training config."""
    return {"height": config.size, "width": config.size, "num_snakes": config.num_snakes,
            "num_fruit": config.num_fruit, "view_radius": config.view_radius,
            "max_steps": config.max_steps}


def train(config: SlitherinTrainConfig) -> dict[str, Any]:
    """Train one self-play run; write final.pt, snapshots/step_*.pt, metrics and result.json.

    Returns the summary written to result.json.
    """
    if config.quick:
        config = quick_config(config)
    name = config.name or f"{config.scheme}_s{config.seed}"
    config = replace(config, name=name)
    seed_everything(config.seed)
    run_dir = make_run_dir(config.runs_root, config.experiment, name)
    model_kwargs = {"view_radius": config.view_radius, "hidden": config.hidden, "layers": config.layers}
    agent = SlitherinPolicy(**model_kwargs)
    pool = OpponentPool(agent, config.scheme, past_fraction=config.past_fraction,
                        pfsp_power=config.pfsp_power, window=config.outcome_window)
    config_dict = config_to_dict(config)
    env_kwargs = env_kwargs_of(config)
    snapshots: list[str] = []

    def save(path: pathlib.Path, model: nn.Module, step: int) -> None:
        save_checkpoint(path, model, model_kwargs=model_kwargs, step=step, config=config_dict,
                        extra={"scheme": config.scheme, "seed": config.seed, "env_kwargs": env_kwargs})

    def on_snapshot(step: int, model: nn.Module) -> None:
        path = run_dir / SNAPSHOT_DIR / f"step_{step:09d}.pt"
        save(path, model, step)
        snapshots.append(str(path))

    envs = SelfPlayVectorEnv(config.num_envs, env_kwargs, pool, learner=agent,
                             sync_every=config.num_steps, snapshot_every=config.snapshot_every,
                             on_snapshot=on_snapshot)
    pool.add_snapshot(agent.state_dict(), 0)  # the initial policy is past snapshot 0
    on_snapshot(0, agent)
    history: list[dict[str, Any]] = []

    def log_selfplay(model: nn.Module, global_step: int) -> dict[str, Any]:
        finished = envs.pop_finished()
        probabilities = pool.probabilities()
        stats = {"pool_size": len(pool.models),
                 "opponent_entropy": float(-sum(p * np.log(p) for p in probabilities if p > 0))}
        if finished:
            stats.update(score=float(np.mean([g["score"] for g in finished])),
                         mean_length=float(np.mean([g["length"] for g in finished])),
                         mean_steps=float(np.mean([g["steps"] for g in finished])),
                         latest_share=float(np.mean([g["latest_share"] for g in finished])),
                         games=len(finished))
        history.append({"step": global_step, **stats})
        return stats

    with RunLogger(run_dir, tensorboard=config.tensorboard, config=config_dict) as logger:
        result = train_ppo(config, envs, agent, logger=logger, evaluate=log_selfplay,
                           eval_every=config.eval_every, show_progress=config.progress)
    save(run_dir / FINAL_CHECKPOINT, agent, result.global_step)
    summary = {
        "run_dir": str(run_dir), "scheme": config.scheme, "seed": config.seed,
        "global_step": result.global_step, "iterations": result.iterations,
        "train_seconds": result.train_seconds, "stopped_by_time": result.stopped_by_time,
        "final_checkpoint": str(run_dir / FINAL_CHECKPOINT), "snapshots": snapshots,
        "pool_steps": list(pool.steps), "pool_scores": [float(s) for s in learner_scores(pool.outcomes)],
        "last_selfplay": history[-1] if history else {},
    }
    (run_dir / RESULT_FILE).write_text(json.dumps(summary, indent=2) + "\n")
    return summary

