"""Gymnasium environments of rl_suite; importing this package registers them.

- "rl_suite/Snake-v0": `rl_suite.envs.snake.make_snake_env` (classic Snake; kwargs size or
  height/width, max_steps_without_food, render_mode). `rl_suite.envs.snake_vector.SnakeVectorEnv`
  is its numpy-vectorised twin for fast rollouts.
- Slitherin' (PettingZoo `ParallelEnv`, "slitherin_v0"): `rl_suite.envs.slitherin.SlitherinEnv` and
  `parallel_env` (PettingZoo has no global registry; import it).
"""

import gymnasium

SNAKE_ID = "rl_suite/Snake-v0"

if SNAKE_ID not in gymnasium.registry:  # importing twice (e.g. reload) must not warn
    gymnasium.register(id=SNAKE_ID, entry_point="rl_suite.envs.snake:make_snake_env")
