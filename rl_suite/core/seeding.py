"""Seeding of python, numpy and torch, offset by the distributed rank."""

from __future__ import annotations

import os
import random

import numpy as np
import torch

from rl_suite.core.errors import CoreError


def seed_everything(seed: int, *, add_rank: bool = True, deterministic: bool = True) -> int:
    """Seed `random`, numpy and torch (cpu and cuda); return the seed actually used.

    With `add_rank`, the rank from the RANK environment variable (set by torchrun, 0 otherwise)
    is added so that data-parallel workers draw different samples. `deterministic` sets the
    cheap cuDNN flags (deterministic kernels, no autotuning); it does not call
    `torch.use_deterministic_algorithms`, which can raise on some ops and slows others.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise CoreError(f"seed must be a non-negative int, got {seed!r}")
    effective = seed + (int(os.environ.get("RANK", "0")) if add_rank else 0)
    random.seed(effective)
    np.random.seed(effective % 2**32)
    torch.manual_seed(effective)  # also seeds every cuda device
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
    return effective
