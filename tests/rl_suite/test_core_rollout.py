"""GAE against hand-computed values, and the rollout storage contract."""

import pytest
import torch

from rl_suite.core.errors import CoreError
from rl_suite.core.rollout import RolloutStorage, compute_gae


def test_gae_matches_hand_computed_example_with_episode_end():
    # gamma = lambda = 0.5; the episode terminates at t=1, so t=1 does not bootstrap from t=2.
    # t=2: delta = 2 + 0.5*4 - 0 = 4                -> A2 = 4
    # t=1: delta = 0 + 0 (done) - 1 = -1            -> A1 = -1 (no carry across the end)
    # t=0: delta = 1 + 0.5*1 - 0.5 = 1, A0 = 1 + 0.25*A1 = 0.75
    rewards = torch.tensor([1.0, 0.0, 2.0])
    values = torch.tensor([0.5, 1.0, 0.0])
    dones = torch.tensor([0.0, 1.0, 0.0])
    advantages, returns = compute_gae(rewards, values, dones, torch.tensor(4.0), gamma=0.5, gae_lambda=0.5)
    assert torch.allclose(advantages, torch.tensor([0.75, -1.0, 4.0]))
    assert torch.allclose(returns, torch.tensor([1.25, 0.0, 4.0]))


def test_gae_with_lambda_one_is_discounted_return_minus_value_per_env():
    rewards = torch.tensor([[1.0, 0.0], [1.0, 3.0]])  # (steps=2, envs=2)
    values = torch.tensor([[0.5, 0.0], [0.0, 1.0]])
    dones = torch.zeros(2, 2)
    next_value = torch.tensor([0.0, 2.0])
    advantages, returns = compute_gae(rewards, values, dones, next_value, gamma=0.9, gae_lambda=1.0)
    # env 0: returns [1 + 0.9*1, 1] ; env 1: returns [0 + 0.9*(3 + 0.9*2), 3 + 0.9*2]
    expected_returns = torch.tensor([[1.9, 0.9 * 4.8], [1.0, 4.8]])
    assert torch.allclose(returns, expected_returns)
    assert torch.allclose(advantages, expected_returns - values)


def test_gae_rejects_mismatched_shapes_and_bad_gamma():
    with pytest.raises(CoreError):
        compute_gae(torch.zeros(3), torch.zeros(4), torch.zeros(3), torch.tensor(0.0), gamma=0.9, gae_lambda=0.9)
    with pytest.raises(CoreError):
        compute_gae(torch.zeros(3, 2), torch.zeros(3, 2), torch.zeros(3, 2), torch.zeros(3), gamma=0.9,
                    gae_lambda=0.9)
    with pytest.raises(CoreError):
        compute_gae(torch.zeros(3), torch.zeros(3), torch.zeros(3), torch.tensor(0.0), gamma=1.5, gae_lambda=0.9)


def test_storage_fills_computes_gae_and_yields_covering_minibatches():
    storage = RolloutStorage(num_steps=3, num_envs=2, obs_shape=(4,))
    for t in range(3):
        storage.add(obs=torch.full((2, 4), float(t)), actions=torch.tensor([t, t + 10]),
                    logprobs=torch.zeros(2), rewards=torch.ones(2), dones=torch.zeros(2), values=torch.zeros(2))
    with pytest.raises(CoreError):
        storage.add(obs=torch.zeros(2, 4), actions=torch.zeros(2, dtype=torch.long), logprobs=torch.zeros(2),
                    rewards=torch.zeros(2), dones=torch.zeros(2), values=torch.zeros(2))
    storage.compute_returns(torch.zeros(2), gamma=1.0, gae_lambda=1.0)
    assert torch.allclose(storage.returns[:, 0], torch.tensor([3.0, 2.0, 1.0]))
    batches = list(storage.minibatches(2, generator=torch.Generator().manual_seed(0)))
    assert [len(b["actions"]) for b in batches] == [3, 3]
    seen = sorted(torch.cat([b["actions"] for b in batches]).tolist())
    assert seen == [0, 1, 2, 10, 11, 12]
    for batch in batches:  # rows stay aligned: obs value t belongs to action t or t + 10
        assert torch.equal(batch["obs"][:, 0].long(), batch["actions"] % 10)


def test_storage_refuses_minibatches_before_returns_and_partial_rollouts():
    storage = RolloutStorage(num_steps=2, num_envs=1, obs_shape=(1,))
    with pytest.raises(CoreError):
        next(storage.minibatches(1))
    with pytest.raises(CoreError):
        storage.compute_returns(torch.zeros(1), gamma=0.9, gae_lambda=0.9)
