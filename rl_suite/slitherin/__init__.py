"""The Slitherin' experiment: self-play PPO with four opponent schemes on `rl_suite.envs.slitherin`.

Modules: `selfplay` (policy, self-play vector env, training), `opponents` (the schemes),
`behaviour` (players, batched games, behaviour metrics, GIFs), `tournament` (round-robin with
OpenSkill ratings, cycling, exploiters). Command line: `python -m rl_suite.slitherin`.
"""
