"""rl_suite: answers to OpenAI's Requests for Research 2.0 on one shared training core.

- `rl_suite.core`: config, device, seeding, logging, checkpoints, training loop, GAE, distributed helpers.
- `rl_suite.parity`, `rl_suite.snake`, `rl_suite.slitherin`: the experiments (see docs/).
- `rl_suite.envs`: environments; importing `rl_suite` registers "rl_suite/Snake-v0" with Gymnasium.
"""

import rl_suite.envs  # noqa: F401  (registers the Gymnasium environments)
