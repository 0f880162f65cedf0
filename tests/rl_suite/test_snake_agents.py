"""Snake baselines, the egocentric policy view, and the evaluation protocol."""

import numpy as np
import pytest
import torch

from rl_suite.envs.snake import DIRECTIONS, FRUIT_CHANNEL, SnakeEnv, SnakeError
from rl_suite.snake.agents import (
    GreedyAgent,
    HamiltonianAgent,
    RandomAgent,
    evaluate_agent,
    hamiltonian_cycle,
    heads_and_headings,
)
from rl_suite.snake.policy import SnakePolicy


@pytest.mark.parametrize("height,width", [(2, 2), (4, 4), (6, 6), (5, 6), (6, 5), (3, 8)])
def test_hamiltonian_cycle_visits_every_cell_once_through_neighbours(height, width):
    successor = hamiltonian_cycle(height, width)
    cell, seen = 0, []
    for _ in range(height * width):
        seen.append(cell)
        nxt = int(successor[cell])
        assert abs(nxt // width - cell // width) + abs(nxt % width - cell % width) == 1
        cell = nxt
    assert cell == 0 and sorted(seen) == list(range(height * width))


def test_no_hamiltonian_cycle_on_odd_by_odd_boards():
    with pytest.raises(SnakeError):
        hamiltonian_cycle(5, 7)


@pytest.mark.parametrize("size", [4, 6, 8])
def test_hamiltonian_agent_wins_every_game(size):
    metrics = evaluate_agent(HamiltonianAgent(size, size), 40, size=size)
    assert metrics["win_rate"] == 1.0 and metrics["mean_length"] == size * size
    assert metrics["died_rate"] == 0.0 and metrics["truncated_rate"] == 0.0


def test_greedy_beats_random_and_never_takes_a_deadly_move_when_a_safe_one_exists():
    env = SnakeEnv(6)
    agent = GreedyAgent()
    for seed in range(20):
        obs, info = env.reset(seed=seed)
        terminated = False
        while not terminated:
            action = int(agent(obs[None], info["action_mask"][None])[0])
            if info["action_mask"].any():
                assert info["action_mask"][action]
            obs, _, terminated, _, info = env.step(action)  # so it dies only when boxed in
    greedy = evaluate_agent(GreedyAgent(), 100, size=6)
    random = evaluate_agent(RandomAgent(seed=0), 100, size=6)
    assert greedy["mean_length"] > 8 > random["mean_length"]


def test_heads_and_headings_read_the_heading_from_the_neck():
    env = SnakeEnv(6)
    for seed in range(20):
        obs, _ = env.reset(seed=seed)
        rows, cols, headings = heads_and_headings(obs[None])
        assert headings[0] == env.heading
        assert obs[0, rows[0], cols[0]] == 1.0


def test_egocentric_view_is_invariant_to_rotating_the_board():
    policy = SnakePolicy(6, 6)
    env = SnakeEnv(6)
    for seed in range(10):
        obs, _ = env.reset(seed=seed)
        for _ in range(seed):
            obs, _, _, _, _ = env.step(int(np.flatnonzero(env.action_mask())[0]))
        rotated = np.ascontiguousarray(np.rot90(obs, k=1, axes=(1, 2)))
        views = policy.egocentric(torch.as_tensor(np.stack([obs, rotated])))
        torch.testing.assert_close(views[0], views[1])
        logits, _ = policy(torch.as_tensor(np.stack([obs, rotated])))
        torch.testing.assert_close(logits[0], logits[1])


def test_egocentric_view_puts_the_cell_ahead_above_the_centre():
    policy = SnakePolicy(6, 6)
    env = SnakeEnv(6)
    obs, _ = env.reset(seed=5)
    rows, cols, headings = heads_and_headings(obs[None])
    ahead = (rows[0] + DIRECTIONS[headings[0], 0], cols[0] + DIRECTIONS[headings[0], 1])
    marked = obs.copy()
    marked[FRUIT_CHANNEL] = 0.0
    inside = 0 <= ahead[0] < 6 and 0 <= ahead[1] < 6
    if inside:
        marked[FRUIT_CHANNEL, ahead[0], ahead[1]] = 1.0
    view = policy.egocentric(torch.as_tensor(marked[None]))[0]
    centre = policy.span // 2
    assert view[1, centre - 1, centre] == (1.0 if inside else 0.0)  # fruit channel
    assert view[2, centre - 1, centre] == (0.0 if inside else 1.0)  # wall channel
    assert view[0, centre + 1, centre] > 0  # the neck is behind the head


def test_evaluate_agent_is_deterministic_and_rejects_bad_episodes():
    first = evaluate_agent(GreedyAgent(), 30, size=6)
    second = evaluate_agent(GreedyAgent(), 30, size=6, batch_size=7)
    for key in ("win_rate", "mean_length", "mean_steps_per_fruit"):
        assert first[key] == second[key]
    with pytest.raises(SnakeError):
        evaluate_agent(GreedyAgent(), 0)
