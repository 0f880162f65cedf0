"""Proximal Policy Optimisation (clip objective) with optional invalid-action masking.

Modelled on CleanRL's `ppo.py`, read top to bottom: collect `num_steps` steps in `num_envs`
environments, compute GAE advantages, then `update_epochs` passes of shuffled minibatches over
the flattened batch (`b_*` tensors; `mb_*` for one minibatch). Storage and GAE come from the
shared core (`rl_suite.core.rollout`); the action masks live in a tensor of their own because
the core's storage holds only the standard fields.

Environment contract (`gymnasium.vector.VectorEnv`, SAME_STEP autoreset, discrete actions):
`step` returns `(obs, rewards, terminated, truncated, info)`; where an episode ended, `obs` is
already the next episode's first observation and `info["final_obs"][i]` (valid where
`info["_final_obs"][i]`) the ended one's last. With `mask_actions`, `info["action_mask"]` is a
bool `(num_envs, num_actions)` array of allowed actions.

Agent contract: an `nn.Module` whose `forward(obs)` returns `(logits (B, A), value (B,))`.

Masking: disallowed logits are replaced by a large negative number before sampling and in the
update (the same mask as at collection time), so the policy never samples them and their
probability carries no gradient. A state with no allowed action (a trapped snake) is left
unmasked: every action is then as bad as any other.

Time-limit truncation is bootstrapped, following the core's convention: the step's reward gets
`gamma * V(final_obs)` and the step counts as done.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical

from rl_suite.core.config import RunConfig
from rl_suite.core.errors import CoreError
from rl_suite.core.logging import RunLogger
from rl_suite.core.rollout import RolloutStorage

MASKED_LOGIT = -1e8


@dataclass
class PPOConfig(RunConfig):
    """PPO hyperparameters (CleanRL's names and defaults unless stated)."""

    total_timesteps: int = 5_000_000
    """Environment steps to train for (summed over the parallel environments)."""
    max_train_seconds: float | None = None
    """Stop after the first update that ends past this many seconds of training wall time
    (evaluation excluded; None: no limit)."""
    learning_rate: float = 2.5e-4
    """Adam learning rate."""
    anneal_lr: bool = True
    """Decay the learning rate linearly to 0 over `total_timesteps`."""
    num_envs: int = 64
    """Parallel environments (boards) per rollout."""
    num_steps: int = 128
    """Steps per environment per rollout; the batch is num_envs * num_steps."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.95
    """Lambda of generalised advantage estimation."""
    num_minibatches: int = 4
    """Minibatches per epoch over the batch."""
    update_epochs: int = 4
    """Passes over the batch per update."""
    norm_adv: bool = True
    """Normalise advantages within each minibatch."""
    clip_coef: float = 0.2
    """Clip range of the probability ratio (and of the value change when `clip_vloss`)."""
    clip_vloss: bool = True
    """Use the clipped value loss of the PPO paper's implementation."""
    ent_coef: float = 0.01
    """Weight of the entropy bonus."""
    vf_coef: float = 0.5
    """Weight of the value loss."""
    max_grad_norm: float = 0.5
    """Global gradient-norm clip."""
    target_kl: float | None = None
    """Stop the epochs of an update early once the approximate KL exceeds this (None: never)."""
    mask_actions: bool = True
    """Mask the logits of actions that `info["action_mask"]` forbids."""
    torch_threads: int = 1
    """torch intra-op threads; 1 is fastest for these small networks on a shared 2-core CPU
    (2 threads spin-wait on each other and ran 3x slower in a profile)."""


@dataclass
class PPOResult:
    """What `train_ppo` did."""

    global_step: int
    iterations: int
    train_seconds: float
    """Wall time of collection and updates, without the time spent in `evaluate`."""
    stopped_by_time: bool


def masked_logits(logits: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Replace forbidden logits by `MASKED_LOGIT`; rows with no allowed action stay unmasked."""
    if mask is None:
        return logits
    mask = mask | ~mask.any(dim=-1, keepdim=True)
    return logits.masked_fill(~mask, MASKED_LOGIT)


def train_ppo(config: PPOConfig, envs: Any, agent: nn.Module, *, logger: RunLogger | None = None,
              evaluate: Callable[[nn.Module, int], dict[str, Any]] | None = None,
              eval_every: int = 10, show_progress: bool = True) -> PPOResult:
    """Train `agent` in place on the vector env `envs` (contracts: module docstring).

    Every `eval_every` iterations and after the last one, `evaluate(agent, global_step)` is
    called (the agent in eval mode) and its metrics logged under "eval/" (it may also save a
    checkpoint). Training metrics are logged every iteration with `global_step` as the step.
    """
    if config.total_timesteps < 1 or config.num_envs < 1 or config.num_steps < 1:
        raise CoreError("total_timesteps, num_envs and num_steps must be >= 1")
    if getattr(envs, "num_envs", None) != config.num_envs:
        raise CoreError(f"envs has {getattr(envs, 'num_envs', None)} environments, config.num_envs "
                        f"is {config.num_envs}")
    batch_size = config.num_envs * config.num_steps
    if batch_size % config.num_minibatches:
        raise CoreError(f"batch size {batch_size} is not divisible by num_minibatches "
                        f"{config.num_minibatches}")
    minibatch_size = batch_size // config.num_minibatches
    num_iterations = max(1, config.total_timesteps // batch_size)
    torch.set_num_threads(config.torch_threads)
    device = next(agent.parameters()).device
    optimizer = torch.optim.Adam(agent.parameters(), lr=config.learning_rate, eps=1e-5)
    obs_shape = envs.single_observation_space.shape
    num_actions = int(envs.single_action_space.n)

    # Rollout storage (core) plus the action masks seen at collection time.
    storage = RolloutStorage(config.num_steps, config.num_envs, obs_shape, device=device)
    masks = torch.ones((config.num_steps, config.num_envs, num_actions), dtype=torch.bool, device=device)

    # Start the game.
    start_time = time.perf_counter()
    global_step = 0
    next_obs_np, info = envs.reset(seed=config.seed)
    next_obs = torch.as_tensor(next_obs_np, device=device)
    next_mask = _mask_from(info, config, device)
    episode_return = np.zeros(config.num_envs)
    episode_length = np.zeros(config.num_envs, dtype=np.int64)
    stopped_by_time = False
    eval_seconds = 0.0  # excluded from the reported training time

    iteration = 0
    for iteration in range(1, num_iterations + 1):
        # Annealing the rate if instructed to do so.
        if config.anneal_lr:
            optimizer.param_groups[0]["lr"] = config.learning_rate * (1.0 - (iteration - 1) / num_iterations)

        # Collect a rollout.
        agent.eval()
        storage.reset()
        finished_returns: list[float] = []
        finished_lengths: list[int] = []
        for step in range(config.num_steps):
            global_step += config.num_envs
            with torch.no_grad():
                logits, value = agent(next_obs)
                distribution = Categorical(logits=masked_logits(logits, next_mask))
                action = distribution.sample()
                logprob = distribution.log_prob(action)
            obs_now, mask_now = next_obs, next_mask

            next_obs_np, reward, terminated, truncated, info = envs.step(action.cpu().numpy())
            episode_return += reward
            episode_length += 1
            done = np.logical_or(terminated, truncated)
            reward = torch.as_tensor(reward, dtype=torch.float32, device=device)
            if truncated.any():
                # Bootstrap time-limit truncation from the value of the true last observation.
                final_obs = torch.as_tensor(info["final_obs"][truncated], device=device)
                with torch.no_grad():
                    _, final_value = agent(final_obs)
                reward[torch.as_tensor(truncated, device=device)] += config.gamma * final_value
            storage.add(obs_now, action, logprob, reward,
                        torch.as_tensor(done, dtype=torch.float32, device=device), value)
            if mask_now is not None:
                masks[step] = mask_now
            for index in np.flatnonzero(done):
                finished_returns.append(float(episode_return[index]))
                finished_lengths.append(int(episode_length[index]))
            episode_return[done], episode_length[done] = 0.0, 0
            next_obs = torch.as_tensor(next_obs_np, device=device)
            next_mask = _mask_from(info, config, device)

        # Bootstrap value if not done, then GAE (core).
        with torch.no_grad():
            _, next_value = agent(next_obs)
        storage.compute_returns(next_value, gamma=config.gamma, gae_lambda=config.gae_lambda)

        # Flatten the batch.
        b_obs = storage.obs.reshape((-1,) + tuple(obs_shape))
        b_actions = storage.actions.reshape(-1)
        b_logprobs = storage.logprobs.reshape(-1)
        b_advantages = storage.advantages.reshape(-1)
        b_returns = storage.returns.reshape(-1)
        b_values = storage.values.reshape(-1)
        b_masks = masks.reshape(-1, num_actions) if config.mask_actions else None

        # Optimise the policy and value network.
        agent.train()
        b_inds = np.arange(batch_size)
        clipfracs = []
        for _epoch in range(config.update_epochs):
            np.random.shuffle(b_inds)
            for start in range(0, batch_size, minibatch_size):
                mb_inds = torch.as_tensor(b_inds[start:start + minibatch_size], device=device)
                logits, newvalue = agent(b_obs[mb_inds])
                distribution = Categorical(logits=masked_logits(
                    logits, b_masks[mb_inds] if b_masks is not None else None))
                newlogprob = distribution.log_prob(b_actions[mb_inds])
                entropy = distribution.entropy()
                logratio = newlogprob - b_logprobs[mb_inds]
                ratio = logratio.exp()

                with torch.no_grad():
                    # http://joschu.net/blog/kl-approx.html
                    approx_kl = ((ratio - 1) - logratio).mean()
                    clipfracs.append(((ratio - 1.0).abs() > config.clip_coef).float().mean().item())

                mb_advantages = b_advantages[mb_inds]
                if config.norm_adv:
                    mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)

                # Policy loss
                pg_loss1 = -mb_advantages * ratio
                pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - config.clip_coef, 1 + config.clip_coef)
                pg_loss = torch.max(pg_loss1, pg_loss2).mean()

                # Value loss
                if config.clip_vloss:
                    v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
                    v_clipped = b_values[mb_inds] + torch.clamp(
                        newvalue - b_values[mb_inds], -config.clip_coef, config.clip_coef)
                    v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
                    v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
                else:
                    v_loss = 0.5 * ((newvalue - b_returns[mb_inds]) ** 2).mean()

                entropy_loss = entropy.mean()
                loss = pg_loss - config.ent_coef * entropy_loss + v_loss * config.vf_coef

                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(agent.parameters(), config.max_grad_norm)
                optimizer.step()

            if config.target_kl is not None and approx_kl > config.target_kl:
                break

        y_pred, y_true = b_values.cpu().numpy(), b_returns.cpu().numpy()
        var_y = np.var(y_true)
        explained_var = np.nan if var_y == 0 else 1 - np.var(y_true - y_pred) / var_y
        elapsed = time.perf_counter() - start_time - eval_seconds
        metrics = {
            "charts/learning_rate": optimizer.param_groups[0]["lr"],
            "losses/value_loss": v_loss.item(),
            "losses/policy_loss": pg_loss.item(),
            "losses/entropy": entropy_loss.item(),
            "losses/approx_kl": approx_kl.item(),
            "losses/clipfrac": float(np.mean(clipfracs)),
            "losses/explained_variance": float(explained_var),
            "charts/SPS": global_step / elapsed,
            "charts/train_seconds": elapsed,
        }
        if finished_returns:
            metrics["charts/episodic_return"] = float(np.mean(finished_returns))
            metrics["charts/episodic_length"] = float(np.mean(finished_lengths))
            metrics["charts/episodes"] = len(finished_returns)
        if logger is not None:
            logger.log(global_step, **metrics)
        if show_progress and iteration % 10 == 0:
            print(f"iter {iteration}/{num_iterations} step {global_step} sps {metrics['charts/SPS']:.0f} "
                  f"return {metrics.get('charts/episodic_return', float('nan')):.2f}", flush=True)

        stopped_by_time = config.max_train_seconds is not None and elapsed >= config.max_train_seconds
        last = iteration == num_iterations or stopped_by_time
        if evaluate is not None and (iteration % eval_every == 0 or last):
            agent.eval()
            eval_start = time.perf_counter()
            eval_metrics = evaluate(agent, global_step)
            eval_seconds += time.perf_counter() - eval_start
            if logger is not None:
                logger.log(global_step, **{f"eval/{key}": value for key, value in eval_metrics.items()},
                           **{"charts/train_seconds": elapsed})
        if stopped_by_time:
            break

    return PPOResult(global_step=global_step, iterations=iteration,
                     train_seconds=time.perf_counter() - start_time - eval_seconds,
                     stopped_by_time=stopped_by_time)


def _mask_from(info: dict[str, Any], config: PPOConfig, device: torch.device) -> torch.Tensor | None:
    if not config.mask_actions:
        return None
    if "action_mask" not in info:
        raise CoreError("mask_actions is set but the environment's info has no 'action_mask'")
    return torch.as_tensor(np.asarray(info["action_mask"], dtype=bool), device=device)
