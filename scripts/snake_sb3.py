"""Stable-Baselines3 PPO on rl_suite/Snake-v0 at a given step budget, evaluated like ours.

`python scripts/snake_sb3.py --total-timesteps 1500000 --name sb3_ppo_6x6_budget` trains SB3's
PPO (MlpPolicy, the env's board observation, no action masking: SB3's PPO has none) with the
same hyperparameters as `python -m rl_suite.snake train` (128 envs x 128 steps, 4 minibatches,
4 epochs, lr 5e-4 linearly annealed, gamma 0.995, GAE 0.95, clip 0.2, entropy 0.01, value 0.5,
grad clip 0.5, two hidden layers of 256 tanh units, one torch thread) on SB3's standard
`make_vec_env` (a DummyVecEnv of `gymnasium.make("rl_suite/Snake-v0", size=...)`). With
`--egocentric` SB3's MLP gets our policy's egocentric view of the board (flattened) instead of
the board itself, so that only the masking and the implementation differ from ours.

Writes `<runs_root>/snake/<name>/`: metrics.jsonl (eval/win_rate, eval/mean_length and
charts/train_seconds every `--eval-every-steps` on the 200 validation games of our runs,
evaluation time excluded), model.zip and
summary.json (training seconds and the 1,000-game evaluation with the seeds of
`rl_suite.snake.agents.evaluate_agent`).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecEnvWrapper

import rl_suite.envs  # noqa: F401  (registers rl_suite/Snake-v0)
from rl_suite.core.logging import RunLogger, make_run_dir
from rl_suite.snake.agents import evaluate_agent
from rl_suite.snake.policy import SnakePolicy
from rl_suite.snake.train import VALIDATION_SEED


class EgocentricView:
    """Batched board observations -> flattened egocentric views (SnakePolicy's fixed first step)."""

    def __init__(self, size: int) -> None:
        self.policy = SnakePolicy(size, size, hidden=1, layers=1)  # only its egocentric() is used
        span = self.policy.span
        self.space = gym.spaces.Box(0.0, 1.0, (3 * span * span,), dtype=np.float32)

    @torch.no_grad()
    def __call__(self, obs: np.ndarray) -> np.ndarray:
        return self.policy.egocentric(torch.as_tensor(obs)).flatten(1).numpy()


class EgocentricVecEnv(VecEnvWrapper):
    """SB3 VecEnv wrapper giving the policy the same egocentric input as ours (also for the
    `terminal_observation` SB3 bootstraps truncated episodes from)."""

    def __init__(self, venv, view: EgocentricView) -> None:
        super().__init__(venv, observation_space=view.space)
        self.view = view

    def reset(self) -> np.ndarray:
        return self.view(self.venv.reset())

    def step_wait(self):
        obs, rewards, dones, infos = self.venv.step_wait()
        for info in infos:
            if "terminal_observation" in info:
                info["terminal_observation"] = self.view(info["terminal_observation"][None])[0]
        return self.view(obs), rewards, dones, infos


class SB3Agent:
    """An SB3 model as an rl_suite Snake agent (deterministic actions, mask ignored)."""

    def __init__(self, model: PPO, view: EgocentricView | None = None) -> None:
        self.model = model
        self.view = view

    def __call__(self, obs: np.ndarray, action_mask: np.ndarray) -> np.ndarray:
        if self.view is not None:
            obs = self.view(obs)
        actions, _ = self.model.predict(obs, deterministic=True)
        return actions


class EvalCallback(BaseCallback):
    """Every `every` steps: evaluate on fixed-seed games and log with the core's RunLogger."""

    def __init__(self, logger_: RunLogger, every: int, episodes: int, size: int,
                 view: EgocentricView | None) -> None:
        super().__init__()
        self.view = view
        self.run_logger, self.every, self.episodes, self.size = logger_, every, episodes, size
        self.next_eval = every
        self.start = time.perf_counter()
        self.eval_seconds = 0.0

    def train_seconds(self) -> float:
        return time.perf_counter() - self.start - self.eval_seconds

    def evaluate(self) -> None:
        begin = time.perf_counter()
        metrics = evaluate_agent(SB3Agent(self.model, self.view), self.episodes, size=self.size,
                                 seed=VALIDATION_SEED)  # the validation games of our runs' curves
        self.eval_seconds += time.perf_counter() - begin
        self.run_logger.log(self.num_timesteps, **{"eval/win_rate": metrics["win_rate"],
                                                   "eval/mean_length": metrics["mean_length"],
                                                   "eval/mean_steps_per_fruit": metrics["mean_steps_per_fruit"],
                                                   "charts/train_seconds": self.train_seconds()})

    def _on_step(self) -> bool:
        return True

    def _on_rollout_start(self) -> None:
        # A new rollout starts right after the update on the previous one: evaluate that policy.
        if self.num_timesteps >= self.next_eval:
            self.next_eval += self.every
            self.evaluate()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-timesteps", type=int, default=1_500_000)
    parser.add_argument("--size", type=int, default=6)
    parser.add_argument("--num-envs", type=int, default=128)
    parser.add_argument("--num-steps", type=int, default=128)
    parser.add_argument("--eval-every-steps", type=int, default=163_840)
    parser.add_argument("--eval-episodes", type=int, default=1000, help="games of the final evaluation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs-root", type=pathlib.Path, default=pathlib.Path("runs"))
    parser.add_argument("--name", default="sb3_ppo_6x6_budget")
    parser.add_argument("--egocentric", action="store_true",
                        help="feed SB3 our egocentric view (flattened) instead of the board")
    args = parser.parse_args()
    torch.set_num_threads(1)
    run_dir = make_run_dir(args.runs_root, "snake", args.name)
    envs = make_vec_env("rl_suite/Snake-v0", n_envs=args.num_envs, seed=args.seed,
                        env_kwargs={"size": args.size})
    view = EgocentricView(args.size) if args.egocentric else None
    if view is not None:
        envs = EgocentricVecEnv(envs, view)
    batch = args.num_envs * args.num_steps
    model = PPO("MlpPolicy", envs, n_steps=args.num_steps, batch_size=batch // 4, n_epochs=4,
                learning_rate=lambda remaining: 5e-4 * remaining, gamma=0.995, gae_lambda=0.95,
                clip_range=0.2, ent_coef=0.01, vf_coef=0.5, max_grad_norm=0.5,
                policy_kwargs={"net_arch": [256, 256], "activation_fn": torch.nn.Tanh},
                seed=args.seed, device="cpu", verbose=0)
    with RunLogger(run_dir, tensorboard=False, config=vars(args) | {"runs_root": str(args.runs_root)}) as logger:
        callback = EvalCallback(logger, args.eval_every_steps, min(200, args.eval_episodes), args.size, view)
        model.learn(total_timesteps=args.total_timesteps, callback=callback)
        train_seconds = callback.train_seconds()
        callback.evaluate()  # the last point of the learning curve
    model.save(run_dir / "model.zip")
    final = evaluate_agent(SB3Agent(model, view), args.eval_episodes, size=args.size)
    summary = {"run_dir": str(run_dir), "global_step": int(model.num_timesteps),
               "train_seconds": train_seconds, "eval": final}
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
