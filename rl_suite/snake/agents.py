"""Snake agents behind one interface, and their evaluation over many fixed-seed games.

An agent is a callable `agent(obs, action_mask) -> actions`: `obs` a batch `(B, 3, H, W)` of
the env's observations, `action_mask` the matching bool `(B, 3)` of info["action_mask"],
`actions` an int array `(B,)` of relative actions (0 left, 1 straight, 2 right). All agents here
read only what the env exposes, so they run unchanged on the single and the vector env.

- `RandomAgent`: uniform over the three actions (it ignores the mask).
- `GreedyAgent`: among the moves that do not die at once, the one that brings the head nearest
  (Manhattan) to the fruit; ties go to straight, then left, then right. It does not look ahead,
  so it traps itself once the snake is long.
- `HamiltonianAgent`: follows a fixed Hamiltonian cycle of the board (one exists when a side is
  even), in the orientation in which the neck is the cycle-predecessor of the head. The body
  then always trails the head along the cycle, so every move is safe and every fruit is reached
  within `area - length` moves: it always wins, slowly.
- `PolicyAgent`: a trained `SnakePolicy`, greedy (argmax of the masked logits) or sampling.

`evaluate_agent(agent, episodes, size, seed)` plays `episodes` games on the vector env, game i
on board i seeded with `seed + i`, and reports win rate, mean final length and steps per fruit.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

import numpy as np
import torch

from rl_suite.algos.ppo import masked_logits
from rl_suite.envs.snake import BODY_CHANNEL, DIRECTIONS, FRUIT_CHANNEL, HEAD_CHANNEL, SnakeError
from rl_suite.envs.snake_vector import SnakeVectorEnv

EVAL_SEED = 10_000  # games of the evaluation use seeds EVAL_SEED .. EVAL_SEED + episodes - 1


class Agent(Protocol):
    def __call__(self, obs: np.ndarray, action_mask: np.ndarray) -> np.ndarray: ...


def heads_and_headings(obs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """From observations `(B, 3, H, W)` return head rows, head cols and compass headings."""
    batch, _, height, width = obs.shape
    flat = obs.reshape(batch, obs.shape[1], height * width)
    head = flat[:, HEAD_CHANNEL].argmax(axis=1)
    neck = flat[:, BODY_CHANNEL].argmax(axis=1)  # the neck has the largest age value
    head_rows, head_cols = head // width, head % width
    delta = np.stack([head_rows - neck // width, head_cols - neck % width], axis=1)
    headings = np.argmax((delta[:, None, :] == DIRECTIONS[None, :, :]).all(axis=2), axis=1)
    return head_rows, head_cols, headings


class RandomAgent:
    """Uniformly random relative actions from its own seeded generator."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)

    def __call__(self, obs: np.ndarray, action_mask: np.ndarray) -> np.ndarray:
        return self.rng.integers(0, 3, size=obs.shape[0])


class GreedyAgent:
    """Nearest-to-fruit safe move (see the module docstring)."""

    _PREFERENCE = (1, 0, 2)  # straight, left, right: the order in which ties are broken

    def __call__(self, obs: np.ndarray, action_mask: np.ndarray) -> np.ndarray:
        batch, _, height, width = obs.shape
        head_rows, head_cols, headings = heads_and_headings(obs)
        fruit = obs[:, FRUIT_CHANNEL].reshape(batch, -1)
        has_fruit = fruit.max(axis=1) > 0
        fruit_index = fruit.argmax(axis=1)
        fruit_rows, fruit_cols = fruit_index // width, fruit_index % width
        best = np.full(batch, 1)
        best_cost = np.full(batch, np.inf)
        for action in self._PREFERENCE:
            direction = DIRECTIONS[(headings + action - 1) % 4]
            distance = (np.abs(head_rows + direction[:, 0] - fruit_rows)
                        + np.abs(head_cols + direction[:, 1] - fruit_cols)) * has_fruit
            cost = np.where(action_mask[:, action], distance, np.inf)
            better = cost < best_cost
            best = np.where(better, action, best)
            best_cost = np.where(better, cost, best_cost)
        return best


def hamiltonian_cycle(height: int, width: int) -> np.ndarray:
    """Successor table `(height * width,)` of a Hamiltonian cycle over the board's cells.

    With an even number of rows: from (0, 1) sweep right along row 0, then back and forth
    through columns 1..width-1 row by row down to the last row (which ends at column 1, the
    row count being even), then return up column 0 to (0, 0). With an odd number of rows and an
    even width the same construction runs on the transposed board. Raises `SnakeError` when
    both sides are odd (no Hamiltonian cycle exists: a grid graph is bipartite).
    """
    if height % 2 and width % 2:
        raise SnakeError(f"a {height}x{width} board has no Hamiltonian cycle (both sides odd)")
    if height % 2:  # build it on the transposed board, then map cells back
        transposed = hamiltonian_cycle(width, height)
        successor = np.empty(height * width, dtype=np.int64)
        for cell in range(height * width):
            row, col = divmod(cell, width)
            nxt_row_t, nxt_col_t = divmod(int(transposed[col * height + row]), height)
            successor[cell] = nxt_col_t * width + nxt_row_t
        return successor
    order: list[tuple[int, int]] = []
    for row in range(height):
        cols = range(1, width) if row % 2 == 0 else range(width - 1, 0, -1)
        order.extend((row, col) for col in cols)
    order.extend((row, 0) for row in range(height - 1, -1, -1))
    successor = np.empty(height * width, dtype=np.int64)
    for (row, col), (next_row, next_col) in zip(order, order[1:] + order[:1]):
        successor[row * width + col] = next_row * width + next_col
    return successor


class HamiltonianAgent:
    """Follows a Hamiltonian cycle of the board (see the module docstring)."""

    def __init__(self, height: int, width: int) -> None:
        self.height, self.width = height, width
        self.successor = hamiltonian_cycle(height, width)
        self.predecessor = np.empty_like(self.successor)
        self.predecessor[self.successor] = np.arange(height * width)

    def __call__(self, obs: np.ndarray, action_mask: np.ndarray) -> np.ndarray:
        batch = obs.shape[0]
        if obs.shape[2:] != (self.height, self.width):
            raise SnakeError(f"agent built for {self.height}x{self.width}, got boards {obs.shape[2:]}")
        head_rows, head_cols, headings = heads_and_headings(obs)
        head = head_rows * self.width + head_cols
        neck = obs[:, BODY_CHANNEL].reshape(batch, -1).argmax(axis=1)
        # Forward orientation unless the neck sits on the forward successor (then go backwards).
        target = np.where(self.successor[head] == neck, self.predecessor[head], self.successor[head])
        delta = np.stack([target // self.width - head_rows, target % self.width - head_cols], axis=1)
        target_heading = np.argmax((delta[:, None, :] == DIRECTIONS[None, :, :]).all(axis=2), axis=1)
        return (target_heading - headings + 1) % 4  # relative action: -1 -> 0, 0 -> 1, +1 -> 2


class PolicyAgent:
    """A trained policy network as an agent: argmax of masked logits, or a sample."""

    def __init__(self, model: torch.nn.Module, *, sample: bool = False, mask_actions: bool = True,
                 seed: int = 0) -> None:
        self.model = model.eval()
        self.sample = sample
        self.mask_actions = mask_actions
        self.generator = torch.Generator().manual_seed(seed)

    @torch.no_grad()
    def __call__(self, obs: np.ndarray, action_mask: np.ndarray) -> np.ndarray:
        device = next(self.model.parameters()).device
        logits, _ = self.model(torch.as_tensor(obs, device=device))
        logits = logits.cpu()
        if self.mask_actions:
            logits = masked_logits(logits, torch.as_tensor(action_mask))
        if self.sample:
            probs = torch.softmax(logits, dim=-1)
            return torch.multinomial(probs, 1, generator=self.generator).squeeze(-1).numpy()
        return logits.argmax(dim=-1).numpy()


def evaluate_agent(agent: Agent, episodes: int = 1000, *, size: int | None = 6,
                   height: int | None = None, width: int | None = None,
                   max_steps_without_food: int | None = None, seed: int = EVAL_SEED,
                   batch_size: int = 1000) -> dict[str, Any]:
    """Play `episodes` games (game i seeded with `seed + i`); return the metrics.

    Keys: episodes, win_rate (fraction of games that filled the board), mean_length (final snake
    length), mean_steps_per_fruit (total steps / total fruits eaten over all games; None when no
    game ate a fruit), mean_fruits,
    truncated_rate, died_rate, seconds. Games are played `batch_size` at a time, each board's
    first game only.
    """
    if not isinstance(episodes, int) or episodes < 1:
        raise SnakeError(f"episodes must be an int >= 1, got {episodes!r}")
    start = time.perf_counter()
    lengths, wins, steps, truncations = [], [], [], []
    for first in range(0, episodes, batch_size):
        count = min(batch_size, episodes - first)
        envs = SnakeVectorEnv(count, size, height=height, width=width,
                              max_steps_without_food=max_steps_without_food)
        obs, info = envs.reset(seed=seed + first)
        pending = np.ones(count, dtype=bool)
        batch_lengths = np.zeros(count, dtype=np.int64)
        batch_wins = np.zeros(count, dtype=bool)
        batch_steps = np.zeros(count, dtype=np.int64)
        batch_truncated = np.zeros(count, dtype=bool)
        while pending.any():
            actions = np.asarray(agent(obs, info["action_mask"]))
            obs, _, terminated, truncated, info = envs.step(actions)
            ended = pending & info["_final_obs"]
            final = info["final_info"]
            batch_lengths[ended] = final["length"][ended]
            batch_wins[ended] = final["won"][ended]
            batch_steps[ended] = final["episode_steps"][ended]
            batch_truncated[ended] = truncated[ended]
            pending &= ~ended
        lengths.append(batch_lengths)
        wins.append(batch_wins)
        steps.append(batch_steps)
        truncations.append(batch_truncated)
    lengths_all, wins_all = np.concatenate(lengths), np.concatenate(wins)
    steps_all, truncated_all = np.concatenate(steps), np.concatenate(truncations)
    fruits = lengths_all - 2
    return {
        "episodes": episodes,
        "win_rate": float(wins_all.mean()),
        "mean_length": float(lengths_all.mean()),
        "mean_steps_per_fruit": (float(steps_all.sum() / fruits.sum()) if fruits.sum() > 0 else None),
        "mean_fruits": float(fruits.mean()),
        "truncated_rate": float(truncated_all.mean()),
        "died_rate": float((~wins_all & ~truncated_all).mean()),
        "seconds": time.perf_counter() - start,
    }
