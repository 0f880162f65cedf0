"""Helpers for PPO-style algorithms: fixed-size rollout storage and GAE.

Conventions (stated once, used everywhere): index t is the t-th environment step of the
rollout; `rewards[t]` and `dones[t]` are what `env.step(actions[t])` returned, with
`dones[t] = 1` when that step *terminated* the episode (the next observation belongs to a new
episode, so nothing is bootstrapped across it). For time-limit truncation, bootstrap yourself by
adding `gamma * V(final_obs)` to `rewards[t]` and setting `dones[t] = 1`.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch

from rl_suite.core.errors import CoreError


def compute_gae(rewards: torch.Tensor, values: torch.Tensor, dones: torch.Tensor,
                next_value: torch.Tensor, *, gamma: float, gae_lambda: float
                ) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation; return `(advantages, returns)`, both shaped like rewards.

    rewards, values, dones: `(num_steps, num_envs)` (or `(num_steps,)`); next_value: the value of
    the observation after the last step, shaped `(num_envs,)` (or scalar).
        delta_t = r_t + gamma * V_{t+1} * (1 - done_t) - V_t
        A_t     = delta_t + gamma * lambda * (1 - done_t) * A_{t+1}
    and returns = advantages + values (the lambda-return targets for the value function).
    """
    if not (rewards.shape == values.shape == dones.shape):
        raise CoreError(f"rewards {tuple(rewards.shape)}, values {tuple(values.shape)} and dones "
                        f"{tuple(dones.shape)} must have the same shape")
    if rewards.dim() == 0 or next_value.shape != rewards.shape[1:]:
        raise CoreError(f"next_value shape {tuple(next_value.shape)} must equal rewards.shape[1:] "
                        f"= {tuple(rewards.shape[1:])}")
    if not (0.0 <= gamma <= 1.0 and 0.0 <= gae_lambda <= 1.0):
        raise CoreError(f"gamma ({gamma}) and gae_lambda ({gae_lambda}) must lie in [0, 1]")
    num_steps = rewards.shape[0]
    advantages = torch.zeros_like(rewards, dtype=torch.float32)
    not_done = 1.0 - dones.float()
    running = torch.zeros_like(next_value, dtype=torch.float32)
    for t in reversed(range(num_steps)):
        following_value = next_value if t == num_steps - 1 else values[t + 1]
        delta = rewards[t] + gamma * following_value * not_done[t] - values[t]
        running = delta + gamma * gae_lambda * not_done[t] * running
        advantages[t] = running
    return advantages, advantages + values


class RolloutStorage:
    """Preallocated tensors for one rollout of `num_steps` steps in `num_envs` parallel envs.

    Fields: obs `(T, N, *obs_shape)`, actions `(T, N, *action_shape)`, logprobs, rewards, dones,
    values `(T, N)`; filled with `add` in step order, then `compute_returns` and `minibatches`.
    """

    def __init__(self, num_steps: int, num_envs: int, obs_shape: tuple[int, ...],
                 action_shape: tuple[int, ...] = (), *, device: torch.device | str = "cpu",
                 action_dtype: torch.dtype = torch.long) -> None:
        if num_steps < 1 or num_envs < 1:
            raise CoreError(f"num_steps ({num_steps}) and num_envs ({num_envs}) must be >= 1")
        self.num_steps, self.num_envs = num_steps, num_envs
        shape = (num_steps, num_envs)
        self.obs = torch.zeros(shape + tuple(obs_shape), device=device)
        self.actions = torch.zeros(shape + tuple(action_shape), dtype=action_dtype, device=device)
        self.logprobs = torch.zeros(shape, device=device)
        self.rewards = torch.zeros(shape, device=device)
        self.dones = torch.zeros(shape, device=device)
        self.values = torch.zeros(shape, device=device)
        self.advantages: torch.Tensor | None = None
        self.returns: torch.Tensor | None = None
        self.step = 0

    def add(self, obs: torch.Tensor, actions: torch.Tensor, logprobs: torch.Tensor,
            rewards: torch.Tensor, dones: torch.Tensor, values: torch.Tensor) -> None:
        """Store one environment step for all envs (see the module docstring for `dones`)."""
        if self.step >= self.num_steps:
            raise CoreError(f"rollout storage is full ({self.num_steps} steps); call reset()")
        t = self.step
        self.obs[t] = obs
        self.actions[t] = actions
        self.logprobs[t] = logprobs
        self.rewards[t] = rewards
        self.dones[t] = dones
        self.values[t] = values
        self.step += 1

    def reset(self) -> None:
        """Start filling from step 0 again (tensors are overwritten, not reallocated)."""
        self.step = 0
        self.advantages = self.returns = None

    def compute_returns(self, next_value: torch.Tensor, *, gamma: float, gae_lambda: float) -> None:
        """Fill `advantages` and `returns` with GAE; the storage must be full."""
        if self.step != self.num_steps:
            raise CoreError(f"rollout has {self.step} of {self.num_steps} steps; fill it first")
        self.advantages, self.returns = compute_gae(self.rewards, self.values, self.dones,
                                                    next_value, gamma=gamma, gae_lambda=gae_lambda)

    def minibatches(self, num_minibatches: int, *, generator: torch.Generator | None = None
                    ) -> Iterator[dict[str, torch.Tensor]]:
        """Yield `num_minibatches` shuffled minibatches of the flattened (T*N) rollout.

        Each is a dict with obs, actions, logprobs, values, advantages, returns.
        """
        if self.advantages is None or self.returns is None:
            raise CoreError("call compute_returns before minibatches")
        total = self.num_steps * self.num_envs
        if not 1 <= num_minibatches <= total:
            raise CoreError(f"num_minibatches must be in 1..{total}, got {num_minibatches}")
        flat = {
            "obs": self.obs.reshape((total,) + self.obs.shape[2:]),
            "actions": self.actions.reshape((total,) + self.actions.shape[2:]),
            "logprobs": self.logprobs.reshape(total),
            "values": self.values.reshape(total),
            "advantages": self.advantages.reshape(total),
            "returns": self.returns.reshape(total),
        }
        order = torch.randperm(total, generator=generator).to(self.obs.device)
        for indices in torch.tensor_split(order, num_minibatches):
            yield {key: tensor[indices] for key, tensor in flat.items()}
