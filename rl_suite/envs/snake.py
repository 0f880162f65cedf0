"""Classic Snake as a Gymnasium environment (single board; see `snake_vector.py` for many).

## Description

A snake moves on an `height x width` board surrounded by walls. One fruit lies on a free cell at
a time; eating it grows the snake by one cell and a new fruit appears on a uniformly random free
cell. The snake dies when its head leaves the board or runs into its own body (moving into the
cell the tail is just leaving is allowed). The game is won when the snake fills the whole board.

## Action Space

`Discrete(3)`, relative to the current heading of the head:

| Action | Meaning      |
|--------|--------------|
| 0      | turn left    |
| 1      | go straight  |
| 2      | turn right   |

Why relative actions rather than the four compass directions: (1) "reverse" into the neck is
always suicidal, so an absolute action set wastes one action of four on an instant death that
the agent must first learn to avoid; (2) the game is symmetric under rotations and reflections of
the board, and relative actions make the policy's job egocentric: "the fruit is to my left" maps
to "turn left" whatever the compass heading, so an agent that looks at the board from the head's
point of view (as `rl_suite.snake.agents.SnakePolicy` does) learns one rule instead of four.

## Observation Space

`Box(0, 1, (3, height, width), float32)`, three channels aligned with the board:

| Channel | Content                                                                            |
|---------|------------------------------------------------------------------------------------|
| 0       | head: 1 at the head's cell                                                         |
| 1       | body with age: each body cell other than the head holds (steps until that cell is  |
|         | vacated if no fruit is eaten) / (height * width): the neck is largest, the tail is |
|         | 1 / (height * width); 0 elsewhere                                                  |
| 2       | fruit: 1 at the fruit's cell (all zeros once the board is full)                    |

The heading is the direction from the neck (the largest body value) to the head; the snake
always has at least two cells, so it is always defined.

## Rewards

+1 for eating a fruit (including the last one, which wins), -1 for dying, 0 otherwise.

## Starting State

`reset` draws, from `self.np_random` only: the head on a uniformly random cell, a heading
uniformly among those whose neck cell (one step behind the head) lies on the board, and the
fruit on a uniformly random free cell. The snake starts with length 2 (head and neck).

## Episode End

- Termination: the snake dies (wall or body), or it wins (length == height * width).
- Truncation: not part of the game. `make_snake_env` (the registered entry point) wraps the game
  in `StepsWithoutFoodLimit`, which truncates after `max_steps_without_food` consecutive steps
  without a fruit (default `2 * height * width`; a snake following a Hamiltonian cycle needs at
  most `height * width - 1`).

## Information

`info` holds "length" (int, cells of the snake), "action_mask" (bool array of shape (3,): True
where the move does not die at once) and "won" (bool). Once the snake is boxed in every entry of
the mask is False.

## Arguments

`gymnasium.make("rl_suite/Snake-v0", size=6)` (square board) or `height=..., width=...`;
`max_steps_without_food=...`; `render_mode` is "rgb_array" (an RGB uint8 image, `cell_pixels`
per cell) or "ansi" (a text board: `@` head, `o` body, `*` fruit, `.` empty).

## Version History

- v0: initial version (rl_suite).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

TURN_LEFT, STRAIGHT, TURN_RIGHT = 0, 1, 2
# Compass headings in clockwise order, so "turn right" is +1 and "turn left" is -1 (mod 4).
DIRECTIONS = np.array([[-1, 0], [0, 1], [1, 0], [0, -1]], dtype=np.int64)  # up, right, down, left
HEAD_CHANNEL, BODY_CHANNEL, FRUIT_CHANNEL = 0, 1, 2
NUM_CHANNELS = 3
FRUIT_REWARD, DEATH_REWARD = 1.0, -1.0
MIN_SIDE = 2

# rgb_array colours
_BACKGROUND = np.array([24, 24, 32], dtype=np.uint8)
_GRID_LINE = np.array([44, 44, 56], dtype=np.uint8)
_HEAD = np.array([250, 220, 60], dtype=np.uint8)
_BODY_NEW = np.array([60, 200, 90], dtype=np.float64)
_BODY_OLD = np.array([20, 90, 60], dtype=np.float64)
_FRUIT = np.array([220, 50, 50], dtype=np.uint8)


class SnakeError(ValueError):
    """Bad argument to a Snake environment or agent (board size, limit, action, render mode)."""


def board_shape(size: int | None = 6, height: int | None = None, width: int | None = None
                ) -> tuple[int, int]:
    """Resolve `(height, width)` from a square `size` and/or explicit sides; validate them."""
    height = size if height is None else height
    width = size if width is None else width
    for label, value in (("height", height), ("width", width)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < MIN_SIDE:
            raise SnakeError(f"board {label} must be an int >= {MIN_SIDE}, got {value!r}")
    return int(height), int(width)


def default_steps_without_food(height: int, width: int) -> int:
    """The default truncation limit: twice the board area."""
    return 2 * height * width


class SnakeEnv(gym.Env[np.ndarray, np.int64]):
    """The Snake game on one board; the module docstring documents spaces, rewards and ends."""

    metadata = {"render_modes": ["rgb_array", "ansi"], "render_fps": 8}

    def __init__(self, size: int | None = 6, *, height: int | None = None, width: int | None = None,
                 render_mode: str | None = None, cell_pixels: int = 24) -> None:
        self.height, self.width = board_shape(size, height, width)
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise SnakeError(f"render_mode must be one of {self.metadata['render_modes']} or None, "
                             f"got {render_mode!r}")
        if not isinstance(cell_pixels, int) or cell_pixels < 2:
            raise SnakeError(f"cell_pixels must be an int >= 2, got {cell_pixels!r}")
        self.render_mode = render_mode
        self.cell_pixels = cell_pixels
        self.area = self.height * self.width
        self.observation_space = spaces.Box(0.0, 1.0, (NUM_CHANNELS, self.height, self.width),
                                            dtype=np.float32)
        self.action_space = spaces.Discrete(3)
        self._body: deque[tuple[int, int]] = deque()  # head first, tail last
        self._heading = 0
        self._fruit: tuple[int, int] | None = None
        self._won = False

    # ---------------------------------------------------------------- game logic
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        head_index = int(self.np_random.integers(self.area))
        head = divmod(head_index, self.width)
        headings = [h for h in range(4) if self._inside(self._offset(head, h, sign=-1))]
        self._heading = headings[int(self.np_random.integers(len(headings)))]
        self._body = deque([head, self._offset(head, self._heading, sign=-1)])
        self._won = False
        self._place_fruit()
        return self._observation(), self._info()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._fruit is None and not self._won:
            raise SnakeError("call reset() before step()")
        if not self.action_space.contains(action):
            raise SnakeError(f"action must be 0 (left), 1 (straight) or 2 (right), got {action!r}")
        heading = (self._heading + int(action) - 1) % 4
        target = self._offset(self._body[0], heading)
        if not self._is_safe(target):
            # The fatal move is not carried out: the last observation shows the board before it.
            return self._observation(), DEATH_REWARD, True, False, self._info()
        self._heading = heading
        eats = target == self._fruit
        self._body.appendleft(target)
        if not eats:
            self._body.pop()
            return self._observation(), 0.0, False, False, self._info()
        if len(self._body) == self.area:
            self._won, self._fruit = True, None
            return self._observation(), FRUIT_REWARD, True, False, self._info()
        self._place_fruit()
        return self._observation(), FRUIT_REWARD, False, False, self._info()

    def _place_fruit(self) -> None:
        occupied = np.zeros(self.area, dtype=bool)
        for row, col in self._body:
            occupied[row * self.width + col] = True
        free = np.flatnonzero(~occupied)  # row-major order; the vector env relies on it
        self._fruit = divmod(int(free[self.np_random.integers(len(free))]), self.width)

    def _offset(self, cell: tuple[int, int], heading: int, sign: int = 1) -> tuple[int, int]:
        return (cell[0] + sign * int(DIRECTIONS[heading, 0]),
                cell[1] + sign * int(DIRECTIONS[heading, 1]))

    def _inside(self, cell: tuple[int, int]) -> bool:
        return 0 <= cell[0] < self.height and 0 <= cell[1] < self.width

    def _is_safe(self, target: tuple[int, int]) -> bool:
        """Moving the head to `target` survives: on the board and not onto the body, except the
        tail, which moves away in the same step (a fruit never lies on the tail)."""
        if not self._inside(target):
            return False
        return target not in list(self._body)[:-1]

    # ---------------------------------------------------------------- views
    @property
    def length(self) -> int:
        """Number of cells of the snake."""
        return len(self._body)

    @property
    def heading(self) -> int:
        """Compass heading of the head: 0 up, 1 right, 2 down, 3 left."""
        return self._heading

    def action_mask(self) -> np.ndarray:
        """Bool array (3,): True for the relative actions that do not die at once."""
        return np.array([self._is_safe(self._offset(self._body[0], (self._heading + a - 1) % 4))
                         for a in range(3)], dtype=bool)

    def _observation(self) -> np.ndarray:
        observation = np.zeros((NUM_CHANNELS, self.height, self.width), dtype=np.float32)
        length = len(self._body)
        head_row, head_col = self._body[0]
        observation[HEAD_CHANNEL, head_row, head_col] = 1.0
        for index, (row, col) in enumerate(self._body):
            if index > 0:
                observation[BODY_CHANNEL, row, col] = (length - index) / self.area
        if self._fruit is not None:
            observation[FRUIT_CHANNEL, self._fruit[0], self._fruit[1]] = 1.0
        return observation

    def _info(self) -> dict[str, Any]:
        return {"length": len(self._body), "action_mask": self.action_mask(), "won": self._won}

    def render(self) -> np.ndarray | str | None:
        if self.render_mode == "ansi":
            return render_ansi(self._observation())
        if self.render_mode == "rgb_array":
            return render_rgb(self._observation(), self.cell_pixels)
        return None


def render_ansi(observation: np.ndarray) -> str:
    """Text picture of an observation: `@` head, `o` body, `*` fruit, `.` empty, `#` walls."""
    _, height, width = observation.shape
    rows = ["#" * (width + 2)]
    for row in range(height):
        chars = []
        for col in range(width):
            if observation[HEAD_CHANNEL, row, col] > 0:
                chars.append("@")
            elif observation[BODY_CHANNEL, row, col] > 0:
                chars.append("o")
            elif observation[FRUIT_CHANNEL, row, col] > 0:
                chars.append("*")
            else:
                chars.append(".")
        rows.append("#" + "".join(chars) + "#")
    rows.append("#" * (width + 2))
    return "\n".join(rows) + "\n"


def render_rgb(observation: np.ndarray, cell_pixels: int = 24) -> np.ndarray:
    """RGB uint8 image `(height * cell_pixels, width * cell_pixels, 3)` of an observation.

    Body cells fade from bright (neck) to dark (tail) so the direction of the body is visible.
    """
    _, height, width = observation.shape
    cells = np.tile(_BACKGROUND, (height, width, 1)).astype(np.uint8)
    body = observation[BODY_CHANNEL]
    if body.max() > 0:
        freshness = body / body.max()  # 1 at the neck, small at the tail
        shade = (_BODY_OLD + freshness[..., None] * (_BODY_NEW - _BODY_OLD)).astype(np.uint8)
        cells = np.where((body > 0)[..., None], shade, cells)
    cells[observation[FRUIT_CHANNEL] > 0] = _FRUIT
    cells[observation[HEAD_CHANNEL] > 0] = _HEAD
    image = np.repeat(np.repeat(cells, cell_pixels, axis=0), cell_pixels, axis=1)
    image[::cell_pixels, :] = _GRID_LINE  # one-pixel grid lines on each cell's top and left edge
    image[:, ::cell_pixels] = _GRID_LINE
    return np.ascontiguousarray(image)


class StepsWithoutFoodLimit(gym.Wrapper):
    """Truncate an episode after `limit` consecutive steps in which no fruit was eaten.

    Like `gymnasium.wrappers.TimeLimit`, but the counter restarts whenever `info["length"]`
    grows. A step that terminates is never also reported as truncated.
    """

    def __init__(self, env: gym.Env, limit: int) -> None:
        super().__init__(env)
        if not isinstance(limit, (int, np.integer)) or isinstance(limit, bool) or limit < 1:
            raise SnakeError(f"max_steps_without_food must be an int >= 1, got {limit!r}")
        self.limit = int(limit)
        self.steps_without_food = 0
        self._length = 0

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        observation, info = self.env.reset(**kwargs)
        self.steps_without_food, self._length = 0, info["length"]
        return observation, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        observation, reward, terminated, truncated, info = self.env.step(action)
        if info["length"] > self._length:
            self.steps_without_food = 0
        else:
            self.steps_without_food += 1
        self._length = info["length"]
        if self.steps_without_food >= self.limit and not terminated:
            truncated = True
        return observation, reward, terminated, truncated, info


def make_snake_env(size: int | None = 6, *, height: int | None = None, width: int | None = None,
                   max_steps_without_food: int | None = None, render_mode: str | None = None,
                   cell_pixels: int = 24) -> gym.Env:
    """The registered entry point: a `SnakeEnv` wrapped in `StepsWithoutFoodLimit`.

    `max_steps_without_food=None` means `default_steps_without_food(height, width)`.
    """
    env = SnakeEnv(size, height=height, width=width, render_mode=render_mode,
                   cell_pixels=cell_pixels)
    if max_steps_without_food is None:
        max_steps_without_food = default_steps_without_food(env.height, env.width)
    return StepsWithoutFoodLimit(env, max_steps_without_food)
