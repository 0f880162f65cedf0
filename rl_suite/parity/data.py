"""Parity data: random bit strings, their lengths, and the parity of each string.

A dataset is `(bits, lengths)`: `bits` a float tensor `(num, max_len)` of 0/1 with zeros after
each string's end, `lengths` a long tensor `(num,)` in 1..max_len. The label of a string is the
parity (sum mod 2) of its first `length` bits.
"""

from __future__ import annotations

import torch

from rl_suite.core.errors import CoreError


def random_strings(num: int, max_len: int, *, variable_length: bool,
                   generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """`num` uniform random strings: all of length `max_len`, or lengths uniform in 1..max_len."""
    if num < 1 or max_len < 1:
        raise CoreError(f"num ({num}) and max_len ({max_len}) must be >= 1")
    bits = torch.randint(0, 2, (num, max_len), generator=generator).float()
    if variable_length:
        lengths = torch.randint(1, max_len + 1, (num,), generator=generator)
        bits = bits * (torch.arange(max_len) < lengths[:, None]).float()  # zero the padding
    else:
        lengths = torch.full((num,), max_len, dtype=torch.long)
    return bits, lengths


def prefix_parities(bits: torch.Tensor) -> torch.Tensor:
    """`out[i, t]` = parity of `bits[i, :t+1]` (the label of the length-(t+1) prefix)."""
    return torch.remainder(torch.cumsum(bits, dim=1), 2.0)


def parity_labels(bits: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Parity of each string's first `lengths[i]` bits, as a float 0/1 tensor `(num,)`."""
    if lengths.min() < 1 or lengths.max() > bits.shape[1]:
        raise CoreError(f"lengths must lie in 1..{bits.shape[1]}")
    return prefix_parities(bits).gather(1, (lengths - 1)[:, None]).squeeze(1)


def truncate(bits: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Zero every bit at or after position `lengths[i]` (so the string is its length-prefix)."""
    return bits * (torch.arange(bits.shape[1]) < lengths[:, None]).float()
