"""Device choice: cuda when present (and wanted), else cpu."""

from __future__ import annotations

import torch

from rl_suite.core.errors import CoreError

_CHOICES = ("auto", "cpu", "cuda")


def select_device(preference: str = "auto", *, local_rank: int | None = None) -> torch.device:
    """Return the torch device to train on.

    `preference` is "auto" (cuda if available, else cpu), "cpu" or "cuda". Under torchrun pass
    `local_rank` so each process takes its own GPU ("cuda:<local_rank>"). Asking for "cuda" on a
    machine without it raises `CoreError` instead of failing later inside torch.
    """
    if preference not in _CHOICES:
        raise CoreError(f"device preference must be one of {_CHOICES}, got {preference!r}")
    want_cuda = preference == "cuda" or (preference == "auto" and torch.cuda.is_available())
    if not want_cuda:
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise CoreError("device 'cuda' requested but torch.cuda.is_available() is False")
    return torch.device("cuda", local_rank if local_rank is not None else 0)
