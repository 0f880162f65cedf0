"""The Snake experiment: PPO (rl_suite.algos.ppo) against baselines on rl_suite/Snake-v0.

Modules: `policy` (the egocentric actor-critic), `agents` (baselines, evaluation), `train`
(training runs), `cli` (`python -m rl_suite.snake train|evaluate|play`). See docs/snake.md.
"""
