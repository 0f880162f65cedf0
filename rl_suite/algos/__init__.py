"""Reinforcement-learning algorithms of rl_suite (PPO: `rl_suite.algos.ppo`)."""
