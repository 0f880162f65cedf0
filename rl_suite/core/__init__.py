"""The shared training core of rl_suite: config, device, seeding, logging, checkpoints,
supervised loop, PPO rollout helpers (storage + GAE), distributed helpers and plotting.

Import submodules directly (e.g. `from rl_suite.core.checkpoint import load_checkpoint`); the
names re-exported here are the ones most experiments need. `plotting` is not imported here so
that using the core does not pull in matplotlib.
"""

from rl_suite.core.checkpoint import build_model, load_checkpoint, register_model, save_checkpoint
from rl_suite.core.config import RunConfig, config_to_dict, parse_config
from rl_suite.core.device import select_device
from rl_suite.core.errors import CoreError
from rl_suite.core.logging import RunLogger, make_run_dir, progress, read_jsonl
from rl_suite.core.rollout import RolloutStorage, compute_gae
from rl_suite.core.seeding import seed_everything
from rl_suite.core.train import EarlyStopping, FitResult, evaluate, fit, make_lr_schedule, train_step

__all__ = [
    "CoreError", "EarlyStopping", "FitResult", "RolloutStorage", "RunConfig", "RunLogger",
    "build_model", "compute_gae", "config_to_dict", "evaluate", "fit", "load_checkpoint",
    "make_lr_schedule", "make_run_dir", "parse_config", "progress", "read_jsonl",
    "register_model", "save_checkpoint", "seed_everything", "select_device", "train_step",
]
