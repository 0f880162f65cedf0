"""Slitherin': a slither.io-like multi-snake game on a grid, as a PettingZoo `ParallelEnv`.

## Description

`num_snakes` snakes (default 2, at most `MAX_SNAKES` = 8) move at the same time on a
`height x width` field (default 20 x 20) surrounded by walls. `num_fruit` fruits lie on free
cells; a fruit eaten is replaced at once by a new one on a uniformly random free cell, so the
field always holds `num_fruit` fruits (fewer only when it is full). Eating grows the snake by one
cell. A snake dies when its head hits a wall, its own body, another snake's body, or another
head. The game ends when every snake is dead, or is truncated after `max_steps` steps.

Agents are named "snake_0" ... "snake_{n-1}"; `env.agents` lists the living ones.

## Movement and collisions (all snakes move simultaneously)

1. Every living snake turns by its relative action (0 left, 1 straight, 2 right; the turn logic
   and compass `DIRECTIONS` of `rl_suite.envs.snake`) and moves its head one cell.
2. Its tail cell is freed in the same step unless its head enters a fruit cell.
3. The board after the move is then checked. A snake dies if its new head is:
   - off the field: cause "wall";
   - on a cell of its own body: cause "self";
   - on a body cell (any cell but the new head) of another snake j: cause "body", killer j.
     This includes the old head of j, which became j's neck: two heads that swap cells
     (pass through each other) both die, each killed by the other's body;
   - on the same cell as another new head: cause "head_on" (every snake in that cell dies;
     nobody is credited).
   The checks run in this order; the first that applies is the recorded cause.
4. Snakes that died are removed from the field at the end of the step; until then their bodies
   (already moved) count as obstacles, so a snake can kill another in the step it dies.
   A fruit is eaten only by a snake that survives the step; a snake that dies on a fruit cell
   leaves the fruit there.

## Action Space

`Discrete(3)` per agent, relative to the heading: 0 turn left, 1 straight, 2 turn right (see
`rl_suite.envs.snake` for why relative actions).

## Observation Space

Egocentric: a `(5, S, S)` float32 window, `S = 2 * view_radius + 1`, centred on the snake's
head and rotated so that its heading points up (row 0 is ahead, column 0 is on its left):

| Channel | Content                                                                        |
|---------|--------------------------------------------------------------------------------|
| 0       | own body: 0.5 * (1 + lifetime / length) on each own cell (head = 1, tail just   |
|         | above 0.5), where lifetime = steps until the cell is vacated without eating      |
| 1       | other snakes' bodies, same encoding with their own lengths (heads included)     |
| 2       | other snakes' heads: 1                                                          |
| 3       | fruit: 1                                                                        |
| 4       | wall: 1 on cells outside the field                                              |

The own head is always the centre cell `(view_radius, view_radius)`. A dead snake's last
observation is taken around its last head position before the fatal move.

## Rewards (per agent and step; all configurable)

- `fruit_reward` (+1) for eating a fruit;
- `death_reward` (-1) in the step the snake dies;
- `survival_reward` (0 by default) for every step survived;
- `outlast_reward` (+1): to the single snake left alive in a step where the last of its
  opponents died (it has outlasted them all). Never given in a one-snake game, nor when the last
  snakes die together.

## Starting State

From `self.np_random` only: each snake in turn gets a straight body of `initial_length` cells
(head first) on free cells, head cell and heading uniform among the placements that fit
(rejection sampling); then `num_fruit` fruits on uniformly random free cells.

## Episode End

- Termination of an agent: it dies. The game is over when `env.agents` is empty.
- Truncation: after `max_steps` steps every living agent is truncated.

## Information

`infos[agent]` holds "length", "action_mask" (bool (3,): True where the move cannot die at once
against walls and bodies; it ignores the other heads' simultaneous moves), "alive",
"death_cause" (None, "wall", "self", "body" or "head_on") and "killer" (the agent whose body was
hit, for "body" deaths, else None).

## Arguments

`SlitherinEnv(height=20, width=20, num_snakes=2, num_fruit=3, view_radius=5, max_steps=500,
initial_length=3, render_mode=None, ...)`; `render_mode="rgb_array"` draws the field.

## Version History

- v0: initial version (rl_suite).
"""

from __future__ import annotations

import functools
import itertools
from collections import deque
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import ParallelEnv

from rl_suite.envs.snake import DIRECTIONS, STRAIGHT

MAX_SNAKES = 8
NUM_OBS_CHANNELS = 5
OWN_BODY, OTHER_BODY, OTHER_HEADS, FRUIT, WALL = range(NUM_OBS_CHANNELS)
DEATH_CAUSES = ("wall", "self", "body", "head_on")

# rgb_array colours: one per snake (body; the head is drawn lighter), fruit, background.
SNAKE_COLOURS = np.array([[60, 200, 90], [70, 140, 240], [240, 160, 40], [200, 80, 220],
                          [40, 210, 210], [230, 230, 80], [240, 110, 130], [160, 160, 160]],
                         dtype=np.float64)
_BACKGROUND = np.array([24, 24, 32], dtype=np.uint8)
_GRID_LINE = np.array([44, 44, 56], dtype=np.uint8)
_FRUIT_COLOUR = np.array([220, 50, 50], dtype=np.uint8)

Cell = tuple[int, int]


class SlitherinError(ValueError):
    """Bad argument to the Slitherin' environment (sizes, counts, actions, hand-built states)."""


def agent_name(index: int) -> str:
    """The PettingZoo name of snake `index`."""
    return f"snake_{index}"


@functools.lru_cache(maxsize=16)
def egocentric_window(view_radius: int) -> tuple[np.ndarray, np.ndarray]:
    """Board offsets `(4, S, S)` (rows, cols) seen at each window cell, for each heading.

    The rotation is the one of `rl_suite.snake.policy.egocentric_offsets` (reused, so Snake and
    Slitherin' agents share the convention "up = heading, left = the snake's left").
    """
    from rl_suite.snake.policy import egocentric_offsets  # torch; imported only when needed

    rows, cols = egocentric_offsets(2 * view_radius + 1)
    return rows.numpy().astype(np.int64), cols.numpy().astype(np.int64)


def _check_int(label: str, value: Any, low: int, high: int | None = None) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < low or (
            high is not None and value > high):
        bound = f">= {low}" if high is None else f"in {low}..{high}"
        raise SlitherinError(f"{label} must be an int {bound}, got {value!r}")
    return int(value)


class SlitherinEnv(ParallelEnv):
    """The Slitherin' game; the module docstring documents rules, spaces and rewards."""

    metadata: ClassVar[dict[str, Any]] = {"name": "slitherin_v0", "render_modes": ["rgb_array"], "render_fps": 8,
                "is_parallelizable": True}

    def __init__(self, height: int = 20, width: int = 20, *, num_snakes: int = 2, num_fruit: int = 3,
                 view_radius: int = 5, max_steps: int = 500, initial_length: int = 3,
                 fruit_reward: float = 1.0, death_reward: float = -1.0,
                 survival_reward: float = 0.0, outlast_reward: float = 1.0,
                 render_mode: str | None = None, cell_pixels: int = 16) -> None:
        self.height = _check_int("height", height, 4)
        self.width = _check_int("width", width, 4)
        self.num_snakes = _check_int("num_snakes", num_snakes, 1, MAX_SNAKES)
        self.num_fruit = _check_int("num_fruit", num_fruit, 1)
        self.view_radius = _check_int("view_radius", view_radius, 1)
        self.max_steps = _check_int("max_steps", max_steps, 1)
        self.initial_length = _check_int("initial_length", initial_length, 2,
                                         min(self.height, self.width) - 1)
        if self.num_snakes * self.initial_length + self.num_fruit > self.height * self.width // 2:
            raise SlitherinError("the field is too small for that many snakes and fruits")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise SlitherinError(f"render_mode must be 'rgb_array' or None, got {render_mode!r}")
        self.cell_pixels = _check_int("cell_pixels", cell_pixels, 2)
        self.render_mode = render_mode
        self.rewards_config = {"fruit": float(fruit_reward), "death": float(death_reward),
                               "survival": float(survival_reward), "outlast": float(outlast_reward)}
        self.possible_agents = [agent_name(i) for i in range(self.num_snakes)]
        self.agent_name_mapping = {name: i for i, name in enumerate(self.possible_agents)}
        span = 2 * self.view_radius + 1
        self._observation_space = spaces.Box(0.0, 1.0, (NUM_OBS_CHANNELS, span, span), np.float32)
        self._action_space = spaces.Discrete(3)
        self._observation_spaces = {a: self._observation_space for a in self.possible_agents}
        self._action_spaces = {a: spaces.Discrete(3) for a in self.possible_agents}
        self.agents: list[str] = []
        self.bodies: list[deque[Cell]] = []  # head first; a dead snake keeps its last body
        self.headings = np.zeros(self.num_snakes, dtype=np.int64)
        self.alive = np.zeros(self.num_snakes, dtype=bool)
        self.fruit = np.zeros((self.height, self.width), dtype=bool)
        self.death_cause: list[str | None] = [None] * self.num_snakes
        self.killer: list[int | None] = [None] * self.num_snakes
        self.death_step: list[int | None] = [None] * self.num_snakes
        self.steps = 0
        self.np_random, _ = seeding.np_random(None)

    # ---------------------------------------------------------------- spaces
    def observation_space(self, agent: str) -> spaces.Box:
        return self._observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Discrete:
        return self._action_spaces[agent]

    # ---------------------------------------------------------------- game
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None
              ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
        self.bodies = []
        occupied = np.zeros((self.height, self.width), dtype=bool)
        for _ in range(self.num_snakes):
            body, heading = self._random_placement(occupied)
            for cell in body:
                occupied[cell] = True
            self.bodies.append(deque(body))
            self.headings[len(self.bodies) - 1] = heading
        self.alive[:] = True
        self.fruit[:] = False
        self._refill_fruit()
        self._start_game()
        return self._observations(range(self.num_snakes)), self._infos(range(self.num_snakes))

    def set_state(self, bodies: list[list[Cell]], fruit: list[Cell] = (), *, steps: int = 0
                  ) -> tuple[dict[str, np.ndarray], dict[str, dict[str, Any]]]:
        """Start a game from a hand-built state (for tests and analysis); return obs and infos.

        `bodies[i]` lists snake i's cells head first (at least 2, 4-adjacent, inside, no overlap);
        its heading is the direction from its second cell to its head. No fruit is added beyond
        `fruit`. Raises `SlitherinError` on an invalid state.
        """
        if len(bodies) != self.num_snakes:
            raise SlitherinError(f"need {self.num_snakes} bodies, got {len(bodies)}")
        occupied: set[Cell] = set()
        headings = []
        for index, body in enumerate(bodies):
            cells = [(int(r), int(c)) for r, c in body]
            if len(cells) < 2:
                raise SlitherinError(f"snake {index} needs at least 2 cells")
            for a, b in itertools.pairwise(cells):
                if abs(a[0] - b[0]) + abs(a[1] - b[1]) != 1:
                    raise SlitherinError(f"snake {index}: cells {a} and {b} are not adjacent")
            for cell in cells:
                if not self._inside(cell) or cell in occupied:
                    raise SlitherinError(f"snake {index}: cell {cell} is off the field or taken")
                occupied.add(cell)
            delta = (cells[0][0] - cells[1][0], cells[0][1] - cells[1][1])
            headings.append(int(np.flatnonzero((DIRECTIONS == delta).all(axis=1))[0]))
        self.bodies = [deque((int(r), int(c)) for r, c in body) for body in bodies]
        self.headings[:] = headings
        self.alive[:] = True
        self.fruit[:] = False
        for cell in fruit:
            if not self._inside(cell) or cell in occupied:
                raise SlitherinError(f"fruit cell {cell} is off the field or on a snake")
            self.fruit[cell] = True
        self._start_game(steps)
        return self._observations(range(self.num_snakes)), self._infos(range(self.num_snakes))

    def _start_game(self, steps: int = 0) -> None:
        self.agents = [agent_name(i) for i in range(self.num_snakes)]
        self.death_cause = [None] * self.num_snakes
        self.killer = [None] * self.num_snakes
        self.death_step = [None] * self.num_snakes
        self.steps = steps

    def step(self, actions: dict[str, int]) -> tuple[dict[str, np.ndarray], dict[str, float],
                                                     dict[str, bool], dict[str, bool],
                                                     dict[str, dict[str, Any]]]:
        if not self.agents:
            raise SlitherinError("the game is over; call reset()")
        movers = [self.agent_name_mapping[a] for a in self.agents]
        targets: dict[int, Cell] = {}
        new_headings: dict[int, int] = {}
        for index in movers:
            action = actions.get(agent_name(index), None)
            if not (isinstance(action, (int, np.integer)) and not isinstance(action, bool)
                    and 0 <= action <= 2):
                raise SlitherinError(f"{agent_name(index)} needs an action in {{0, 1, 2}}, got {action!r}")
            heading = (int(self.headings[index]) + int(action) - STRAIGHT) % 4
            head = self.bodies[index][0]
            targets[index] = (head[0] + int(DIRECTIONS[heading, 0]), head[1] + int(DIRECTIONS[heading, 1]))
            new_headings[index] = heading

        # Board after the move: owner of every body cell other than the new heads.
        enters_fruit = {i: self._inside(t) and bool(self.fruit[t]) for i, t in targets.items()}
        body_owner: dict[Cell, int] = {}
        for index in movers:
            body = list(self.bodies[index])
            kept = body if enters_fruit[index] else body[:-1]
            for cell in kept:  # the old head and on: after the move they are all body cells
                body_owner[cell] = index
        heads_at: dict[Cell, list[int]] = {}
        for index, target in targets.items():
            heads_at.setdefault(target, []).append(index)

        rewards = {agent_name(i): self.rewards_config["survival"] for i in movers}
        dead: list[int] = []
        for index in movers:
            target = targets[index]
            if not self._inside(target):
                cause, killer = "wall", None
            elif body_owner.get(target) == index:
                cause, killer = "self", None
            elif target in body_owner:
                cause, killer = "body", body_owner[target]
            elif len(heads_at[target]) > 1:
                cause, killer = "head_on", None
            else:
                continue
            dead.append(index)
            self.death_cause[index], self.killer[index] = cause, killer
            self.death_step[index] = self.steps + 1
            rewards[agent_name(index)] = self.rewards_config["death"]

        for index in movers:
            if index in dead:
                continue
            self.bodies[index].appendleft(targets[index])
            self.headings[index] = new_headings[index]
            if enters_fruit[index]:
                self.fruit[targets[index]] = False
                rewards[agent_name(index)] += self.rewards_config["fruit"]
            else:
                self.bodies[index].pop()
        self.alive[dead] = False
        survivors = [i for i in movers if i not in dead]
        if dead and len(movers) >= 2 and len(survivors) == 1:
            rewards[agent_name(survivors[0])] += self.rewards_config["outlast"]
        self._refill_fruit()
        self.steps += 1

        truncate = self.steps >= self.max_steps
        terminations = {agent_name(i): i in dead for i in movers}
        truncations = {agent_name(i): truncate and i not in dead for i in movers}
        observations = self._observations(movers)
        infos = self._infos(movers)
        self.agents = [] if truncate else [agent_name(i) for i in survivors]
        return observations, rewards, terminations, truncations, infos

    def _random_placement(self, occupied: np.ndarray) -> tuple[list[Cell], int]:
        for _ in range(10_000):
            head = (int(self.np_random.integers(self.height)), int(self.np_random.integers(self.width)))
            heading = int(self.np_random.integers(4))
            body = [(head[0] - k * int(DIRECTIONS[heading, 0]), head[1] - k * int(DIRECTIONS[heading, 1]))
                    for k in range(self.initial_length)]
            if all(self._inside(cell) and not occupied[cell] for cell in body):
                return body, heading
        raise SlitherinError("could not place a snake; the field is too crowded")

    def _refill_fruit(self) -> None:
        missing = self.num_fruit - int(self.fruit.sum())
        if missing <= 0:
            return
        free = ~self.fruit
        for index in np.flatnonzero(self.alive):
            for cell in self.bodies[index]:
                free[cell] = False
        candidates = np.flatnonzero(free.ravel())
        if len(candidates) == 0:
            return
        chosen = self.np_random.choice(candidates, size=min(missing, len(candidates)), replace=False)
        self.fruit.ravel()[chosen] = True

    def _inside(self, cell: Cell) -> bool:
        return 0 <= cell[0] < self.height and 0 <= cell[1] < self.width

    # ---------------------------------------------------------------- views
    def owner_grid(self) -> np.ndarray:
        """int (H, W): index of the living snake on each cell, -1 where free."""
        owner = np.full((self.height, self.width), -1, dtype=np.int64)
        for index in np.flatnonzero(self.alive):
            for cell in self.bodies[index]:
                owner[cell] = index
        return owner

    def lifetime_grid(self) -> np.ndarray:
        """int (H, W): steps until each living body cell is vacated if nobody eats (head =
        length, tail = 1), 0 where free."""
        lifetime = np.zeros((self.height, self.width), dtype=np.int64)
        for index in np.flatnonzero(self.alive):
            length = len(self.bodies[index])
            for offset, cell in enumerate(self.bodies[index]):
                lifetime[cell] = length - offset
        return lifetime

    def head(self, index: int) -> Cell:
        """The head cell of snake `index` (its last one if dead)."""
        return self.bodies[index][0]

    def _observations(self, indices: Any) -> dict[str, np.ndarray]:
        radius = self.view_radius
        # Field-sized planes padded by the view radius (padding = wall), shared by all snakes.
        owner = np.full((self.height + 2 * radius, self.width + 2 * radius), -1, dtype=np.int64)
        encoded = np.zeros(owner.shape, dtype=np.float32)
        heads = np.zeros(owner.shape, dtype=np.float32)
        fruit = np.zeros(owner.shape, dtype=np.float32)
        wall = np.ones(owner.shape, dtype=np.float32)
        inner = (slice(radius, radius + self.height), slice(radius, radius + self.width))
        owner[inner] = self.owner_grid()
        encoded[inner] = self._encoded_bodies(np.flatnonzero(self.alive))
        fruit[inner] = self.fruit
        wall[inner] = 0.0
        for index in np.flatnonzero(self.alive):
            head = self.bodies[index][0]
            heads[head[0] + radius, head[1] + radius] = index + 1.0  # decoded per observer
        offset_rows, offset_cols = egocentric_window(radius)
        observations = {}
        for index in indices:
            head = self.bodies[index][0]
            heading = int(self.headings[index])
            rows = head[0] + radius + offset_rows[heading]
            cols = head[1] + radius + offset_cols[heading]
            seen_owner = owner[rows, cols]
            seen_body = encoded[rows, cols]
            window = np.zeros(self._observation_space.shape, dtype=np.float32)
            others = (seen_owner >= 0) & (seen_owner != index)
            window[OTHER_BODY] = np.where(others, seen_body, 0.0)
            seen_heads = heads[rows, cols]
            window[OTHER_HEADS] = (seen_heads > 0) & (seen_heads != index + 1.0)
            window[FRUIT] = fruit[rows, cols]
            window[WALL] = wall[rows, cols]
            if self.alive[index]:
                window[OWN_BODY] = np.where(seen_owner == index, seen_body, 0.0)
            else:  # a dead snake is off the field: draw its last body from its own record
                own = np.zeros(owner.shape, dtype=np.float32)
                own[inner] = self._encoded_bodies([index])
                window[OWN_BODY] = own[rows, cols]
            observations[agent_name(index)] = window
        return observations

    def _encoded_bodies(self, indices: Any) -> np.ndarray:
        """(H, W) float32: 0.5 * (1 + lifetime / length) on the cells of the given snakes."""
        plane = np.zeros((self.height, self.width), dtype=np.float32)
        for index in indices:
            length = len(self.bodies[index])
            for offset, cell in enumerate(self.bodies[index]):
                plane[cell] = 0.5 * (1.0 + (length - offset) / length)
        return plane

    def action_mask(self, index: int, lifetime: np.ndarray | None = None) -> np.ndarray:
        """Bool (3,): True where the relative action cannot die at once against walls or bodies
        (a tail counts as free; the other heads' simultaneous moves are ignored). `lifetime`:
        a precomputed `lifetime_grid()`."""
        lifetime = self.lifetime_grid() if lifetime is None else lifetime
        head = self.bodies[index][0]
        mask = np.zeros(3, dtype=bool)
        for action in range(3):
            heading = (int(self.headings[index]) + action - STRAIGHT) % 4
            cell = (head[0] + int(DIRECTIONS[heading, 0]), head[1] + int(DIRECTIONS[heading, 1]))
            mask[action] = self._inside(cell) and lifetime[cell] <= 1
        return mask

    def _infos(self, indices: Any) -> dict[str, dict[str, Any]]:
        lifetime = self.lifetime_grid()
        infos = {}
        for index in indices:
            killer = self.killer[index]
            infos[agent_name(index)] = {
                "length": len(self.bodies[index]),
                "action_mask": (self.action_mask(index, lifetime) if self.alive[index]
                                else np.zeros(3, dtype=bool)),
                "alive": bool(self.alive[index]),
                "death_cause": self.death_cause[index],
                "killer": None if killer is None else agent_name(killer),
            }
        return infos

    def render(self) -> np.ndarray | None:
        """An RGB uint8 image `(H * cell_pixels, W * cell_pixels, 3)` of the field (rgb_array
        mode; None without a render mode). Living snakes only; heads are drawn lighter."""
        if self.render_mode is None:
            return None
        return render_field(self, self.cell_pixels)

    def close(self) -> None:
        """Nothing to release (no window)."""


def render_field(env: SlitherinEnv, cell_pixels: int = 16) -> np.ndarray:
    """RGB uint8 image of `env`'s field: snake i in `SNAKE_COLOURS[i]`, fruit red."""
    cells = np.tile(_BACKGROUND, (env.height, env.width, 1)).astype(np.uint8)
    cells[env.fruit] = _FRUIT_COLOUR
    for index in np.flatnonzero(env.alive):
        colour = SNAKE_COLOURS[index % len(SNAKE_COLOURS)]
        body = list(env.bodies[index])
        for offset, cell in enumerate(body):
            fade = 1.0 - 0.45 * offset / max(1, len(body) - 1)  # darker towards the tail
            cells[cell] = (colour * fade).astype(np.uint8)
        cells[body[0]] = (0.45 * colour + 0.55 * 255).astype(np.uint8)
    image = np.repeat(np.repeat(cells, cell_pixels, axis=0), cell_pixels, axis=1)
    image[::cell_pixels, :] = _GRID_LINE
    image[:, ::cell_pixels] = _GRID_LINE
    return np.ascontiguousarray(image)


def parallel_env(**kwargs: Any) -> SlitherinEnv:
    """PettingZoo-style constructor (`slitherin.parallel_env(...)`)."""
    return SlitherinEnv(**kwargs)

