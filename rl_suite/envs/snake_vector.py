"""Many Snake boards stepped at once with numpy, equal step for step to the single env.

`SnakeVectorEnv(num_envs, size)` plays `num_envs` independent games of `rl_suite.envs.snake`
(same spaces, rewards, starts and ends, including the steps-without-food truncation) and resets
each board automatically in the step that ends it (Gymnasium's SAME_STEP autoreset):

- the returned observation and info["length"/"action_mask"/"won"] of a finished board already
  belong to its next game;
- info["final_obs"] `(num_envs, 3, H, W)` holds the last observation of the game that ended,
  and info["final_info"] a dict of arrays "length", "won", "episode_steps" (its final length,
  whether it filled the board, and how many steps it lasted); both are meaningful only where
  info["_final_obs"] (bool, `(num_envs,)`) is True;
- info["episode_steps"] counts the steps of each board's current game.

Randomness: board i owns a generator seeded exactly like `SnakeEnv.reset(seed=seed + i)`
(`gymnasium.utils.seeding.np_random`) and draws from it in the same order, so board i replays
the game `make_snake_env(...).reset(seed=seed + i)` would play under the same actions, across
automatic resets too (the single env is then reset without a seed). `tests/rl_suite/
test_snake_env.py` checks this on random seeds.

State representation: `lifetime[n, r, c]` is the number of steps until cell (r, c) of board n is
vacated if no fruit is eaten (head = length, tail = 1, free = 0). A move decrements every
positive cell and writes `length` at the new head; eating skips the decrement.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode

from rl_suite.envs.snake import (
    BODY_CHANNEL,
    DEATH_REWARD,
    DIRECTIONS,
    FRUIT_CHANNEL,
    FRUIT_REWARD,
    HEAD_CHANNEL,
    NUM_CHANNELS,
    SnakeError,
    board_shape,
    default_steps_without_food,
)


class SnakeVectorEnv(gym.vector.VectorEnv):
    """`num_envs` Snake boards in numpy arrays; see the module docstring for the contract."""

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, num_envs: int, size: int | None = 6, *, height: int | None = None,
                 width: int | None = None, max_steps_without_food: int | None = None) -> None:
        if not isinstance(num_envs, int) or isinstance(num_envs, bool) or num_envs < 1:
            raise SnakeError(f"num_envs must be an int >= 1, got {num_envs!r}")
        self.height, self.width = board_shape(size, height, width)
        self.area = self.height * self.width
        if max_steps_without_food is None:
            max_steps_without_food = default_steps_without_food(self.height, self.width)
        if (not isinstance(max_steps_without_food, (int, np.integer))
                or isinstance(max_steps_without_food, bool) or max_steps_without_food < 1):
            raise SnakeError(f"max_steps_without_food must be an int >= 1, got {max_steps_without_food!r}")
        self.max_steps_without_food = int(max_steps_without_food)
        self.num_envs = num_envs
        self.single_observation_space = spaces.Box(
            0.0, 1.0, (NUM_CHANNELS, self.height, self.width), dtype=np.float32)
        self.single_action_space = spaces.Discrete(3)
        self.observation_space = spaces.Box(
            0.0, 1.0, (num_envs, NUM_CHANNELS, self.height, self.width), dtype=np.float32)
        self.action_space = spaces.MultiDiscrete(np.full(num_envs, 3))
        self.render_mode = None
        self.lifetime = np.zeros((num_envs, self.height, self.width), dtype=np.int32)
        self.head = np.zeros((num_envs, 2), dtype=np.int64)
        self.heading = np.zeros(num_envs, dtype=np.int64)
        self.length = np.zeros(num_envs, dtype=np.int64)
        self.fruit = np.zeros((num_envs, 2), dtype=np.int64)  # (-1, -1) once the board is full
        self.won = np.zeros(num_envs, dtype=bool)
        self.steps_without_food = np.zeros(num_envs, dtype=np.int64)
        self.episode_steps = np.zeros(num_envs, dtype=np.int64)
        self.generators: list[np.random.Generator] = []
        self._boards = np.arange(num_envs)

    # ---------------------------------------------------------------- gymnasium API
    def reset(self, *, seed: int | list[int | None] | None = None,
              options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new game on every board; an int `seed` seeds board i with `seed + i`."""
        if seed is None:
            seeds: list[int | None] = [None] * self.num_envs
        elif isinstance(seed, (int, np.integer)):
            seeds = [int(seed) + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise SnakeError(f"got {len(seeds)} seeds for {self.num_envs} boards")
        if seed is not None or not self.generators:
            self.generators = [seeding.np_random(s)[0] for s in seeds]
        for board in range(self.num_envs):
            self._reset_board(board)
        return self._observations(), self._info()

    def step(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                 dict[str, Any]]:
        """Advance every board by one move (0 left, 1 straight, 2 right); see module docstring."""
        if not self.generators:
            raise SnakeError("call reset() before step()")
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs,) or not np.isin(actions, (0, 1, 2)).all():
            raise SnakeError(f"actions must be {self.num_envs} values in {{0, 1, 2}}, got {actions!r}")
        boards = self._boards
        heading = (self.heading + actions.astype(np.int64) - 1) % 4
        target = self.head + DIRECTIONS[heading]
        inside = ((target[:, 0] >= 0) & (target[:, 0] < self.height)
                  & (target[:, 1] >= 0) & (target[:, 1] < self.width))
        rows = np.clip(target[:, 0], 0, self.height - 1)
        cols = np.clip(target[:, 1], 0, self.width - 1)
        # Only the tail (lifetime 1) moves away in this step; any older body cell kills.
        dies = ~inside | (self.lifetime[boards, rows, cols] > 1)
        alive = ~dies
        eats = alive & (rows == self.fruit[:, 0]) & (cols == self.fruit[:, 1])
        moves = alive & ~eats

        self.lifetime -= ((self.lifetime > 0) & moves[:, None, None]).astype(self.lifetime.dtype)
        self.length += eats
        self.lifetime[boards[alive], rows[alive], cols[alive]] = self.length[alive]
        self.head[alive] = target[alive]
        self.heading[alive] = heading[alive]
        wins = eats & (self.length == self.area)
        self.won |= wins
        self.fruit[wins] = -1
        for board in np.flatnonzero(eats & ~wins):
            self._place_fruit(board)

        rewards = FRUIT_REWARD * eats + DEATH_REWARD * dies
        self.episode_steps += 1
        self.steps_without_food = np.where(eats, 0, self.steps_without_food + 1)
        terminated = dies | wins
        truncated = ~terminated & (self.steps_without_food >= self.max_steps_without_food)
        done = terminated | truncated

        final_obs = np.zeros_like(self.observation_space.low) if done.any() else None
        final_info = {"length": self.length.copy(), "won": self.won.copy(),
                      "episode_steps": self.episode_steps.copy()}
        if final_obs is not None:
            final_obs[done] = self._observations(np.flatnonzero(done))
            for board in np.flatnonzero(done):
                self._reset_board(board)
        info = self._info()
        info["final_obs"] = final_obs if final_obs is not None else np.zeros_like(
            self.observation_space.low)
        info["_final_obs"] = done
        info["final_info"] = final_info
        info["_final_info"] = done
        return (self._observations(), rewards.astype(np.float32), terminated, truncated, info)

    # ---------------------------------------------------------------- per-board randomness
    def _reset_board(self, board: int) -> None:
        """Same draws, in the same order, as `SnakeEnv.reset`."""
        generator = self.generators[board]
        head = divmod(int(generator.integers(self.area)), self.width)
        headings = [h for h in range(4)
                    if 0 <= head[0] - DIRECTIONS[h, 0] < self.height
                    and 0 <= head[1] - DIRECTIONS[h, 1] < self.width]
        heading = headings[int(generator.integers(len(headings)))]
        self.lifetime[board] = 0
        self.lifetime[board, head[0], head[1]] = 2
        self.lifetime[board, head[0] - DIRECTIONS[heading, 0], head[1] - DIRECTIONS[heading, 1]] = 1
        self.head[board] = head
        self.heading[board] = heading
        self.length[board] = 2
        self.won[board] = False
        self.steps_without_food[board] = 0
        self.episode_steps[board] = 0
        self._place_fruit(board)

    def _place_fruit(self, board: int) -> None:
        """Same draw as `SnakeEnv._place_fruit`: the k-th free cell in row-major order."""
        free = np.flatnonzero(self.lifetime[board].ravel() == 0)
        chosen = int(free[self.generators[board].integers(len(free))])
        self.fruit[board] = divmod(chosen, self.width)

    # ---------------------------------------------------------------- views
    def action_masks(self) -> np.ndarray:
        """Bool `(num_envs, 3)`: True where the relative action does not die at once."""
        masks = np.zeros((self.num_envs, 3), dtype=bool)
        for action in range(3):
            target = self.head + DIRECTIONS[(self.heading + action - 1) % 4]
            inside = ((target[:, 0] >= 0) & (target[:, 0] < self.height)
                      & (target[:, 1] >= 0) & (target[:, 1] < self.width))
            rows = np.clip(target[:, 0], 0, self.height - 1)
            cols = np.clip(target[:, 1], 0, self.width - 1)
            masks[:, action] = inside & (self.lifetime[self._boards, rows, cols] <= 1)
        return masks

    def _observations(self, boards: np.ndarray | None = None) -> np.ndarray:
        boards = self._boards if boards is None else boards
        count = len(boards)
        observation = np.zeros((count, NUM_CHANNELS, self.height, self.width), dtype=np.float32)
        lifetime = self.lifetime[boards]
        # float64 division then rounding, exactly as the single env computes (L - i) / area
        body = (lifetime.astype(np.float64) / self.area).astype(np.float32)
        local = np.arange(count)
        heads = self.head[boards]
        body[local, heads[:, 0], heads[:, 1]] = 0.0
        observation[:, BODY_CHANNEL] = body
        observation[local, HEAD_CHANNEL, heads[:, 0], heads[:, 1]] = 1.0
        fruit = self.fruit[boards]
        has_fruit = fruit[:, 0] >= 0
        observation[local[has_fruit], FRUIT_CHANNEL, fruit[has_fruit, 0], fruit[has_fruit, 1]] = 1.0
        return observation

    def _info(self) -> dict[str, Any]:
        return {"length": self.length.copy(), "action_mask": self.action_masks(),
                "won": self.won.copy(), "episode_steps": self.episode_steps.copy()}
