"""Opponent schemes of Slitherin' self-play: which past policy the learner plays against.

The pool holds snapshots of the learner's weights, oldest first, and always ends with "latest"
(a copy of the learner refreshed before every rollout). Entry indices: 0 .. n-2 are past
snapshots, n-1 is latest. A scheme is a sampling distribution over the entries, drawn once per
opponent seat per game:

| Scheme    | Distribution                                                                  |
|-----------|-------------------------------------------------------------------------------|
| `latest`  | latest only (plain self-play)                                                  |
| `uniform` | uniform over all entries, latest included (fictitious self-play: the average   |
|           | of all iterates so far)                                                        |
| `mixed`   | latest with probability 1 - `past_fraction`, else uniform over past snapshots    |
|           | (all latest while there are none)                                              |
| `pfsp`    | prioritised fictitious self-play: entry k weighted by (1 - p_k) ** `pfsp_power`, |
|           | p_k = the learner's recent score against k (below), so the opponents that beat  |
|           | us most are drawn most; latest included                                        |
| `fixed`   | entry 0 only, never refreshed (for training an exploiter against a frozen policy)|

The learner's score against entry k is (wins + draws / 2 + 1) / (games + 2) over its last
`window` games against k: a Laplace-smoothed win rate that starts at 1/2 for an unseen entry and
follows the learner as it changes.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import nn

SCHEMES = ("latest", "uniform", "mixed", "pfsp")
ALL_SCHEMES = SCHEMES + ("fixed",)
LATEST = -1  # the id of the latest entry in games and records


class OpponentError(ValueError):
    """Unknown scheme or bad pool argument."""


def learner_scores(outcomes: list[deque[float]]) -> np.ndarray:
    """Smoothed learner score against each entry: (sum of outcomes + 1) / (games + 2), where an
    outcome is 1 for a learner win, 0.5 for a draw and 0 for a loss."""
    return np.array([(sum(o) + 1.0) / (len(o) + 2.0) for o in outcomes], dtype=np.float64)


def sampling_distribution(scheme: str, num_entries: int, scores: np.ndarray | None = None, *,
                          past_fraction: float = 0.2, pfsp_power: float = 2.0) -> np.ndarray:
    """Probabilities over the `num_entries` pool entries (the last is latest) for `scheme`.

    `scores[k]` is the learner's smoothed score against entry k (needed by "pfsp" only).
    """
    if scheme not in ALL_SCHEMES:
        raise OpponentError(f"scheme must be one of {ALL_SCHEMES}, got {scheme!r}")
    if num_entries < 1:
        raise OpponentError("the pool is empty")
    if not 0.0 <= past_fraction <= 1.0:
        raise OpponentError(f"past_fraction must lie in [0, 1], got {past_fraction}")
    probabilities = np.zeros(num_entries)
    if scheme == "fixed":
        probabilities[0] = 1.0
    elif scheme == "latest" or (scheme == "mixed" and num_entries == 1):
        probabilities[-1] = 1.0
    elif scheme == "uniform":
        probabilities[:] = 1.0 / num_entries
    elif scheme == "mixed":
        probabilities[:-1] = past_fraction / (num_entries - 1)
        probabilities[-1] = 1.0 - past_fraction
    else:
        if scores is None or len(scores) != num_entries:
            raise OpponentError("pfsp needs one learner score per pool entry")
        weights = (1.0 - np.asarray(scores, dtype=np.float64)) ** pfsp_power
        # A learner that beats everyone (all weights ~0) falls back to uniform.
        probabilities = weights / weights.sum() if weights.sum() > 1e-12 else np.full(
            num_entries, 1.0 / num_entries)
    return probabilities


class OpponentPool:
    """Snapshots of a policy plus "latest", sampled by a scheme, with per-entry outcome records.

    `models[k]` is a frozen (eval-mode, no-grad) copy of the policy for entry k; `steps[k]` the
    learner step at which it was taken (latest: its last refresh).
    """

    def __init__(self, template: nn.Module, scheme: str, *, past_fraction: float = 0.2,
                 pfsp_power: float = 2.0, window: int = 100) -> None:
        if scheme not in ALL_SCHEMES:
            raise OpponentError(f"scheme must be one of {ALL_SCHEMES}, got {scheme!r}")
        if window < 1:
            raise OpponentError(f"window must be >= 1, got {window}")
        self.scheme = scheme
        self.past_fraction, self.pfsp_power, self.window = past_fraction, pfsp_power, window
        self.models: list[nn.Module] = [self._frozen_copy(template)]
        self.steps: list[int] = [0]
        self.outcomes: list[deque[float]] = [deque(maxlen=window)]

    @staticmethod
    def _frozen_copy(model: nn.Module) -> nn.Module:
        frozen = copy.deepcopy(model)
        frozen.eval()
        for parameter in frozen.parameters():
            parameter.requires_grad_(False)
        return frozen

    @property
    def tracks_latest(self) -> bool:
        """False for "fixed": the single entry is never refreshed nor extended."""
        return self.scheme != "fixed"

    def refresh_latest(self, state_dict: Mapping[str, Any], step: int) -> None:
        """Load the learner's current weights into the latest entry."""
        if self.tracks_latest:
            self.models[-1].load_state_dict(state_dict)
            self.steps[-1] = step

    def add_snapshot(self, state_dict: Mapping[str, Any], step: int) -> None:
        """Freeze the current weights as a past snapshot, kept just before latest (past entries
        keep their indices, so a game in progress still records against the right entry)."""
        if not self.tracks_latest:
            return
        self.refresh_latest(state_dict, step)
        snapshot = self._frozen_copy(self.models[-1])
        self.models.insert(-1, snapshot)
        self.steps.insert(-1, step)
        # The new snapshot inherits latest's record (it is the same policy right now).
        self.outcomes.insert(-1, deque(self.outcomes[-1], maxlen=self.window))

    def probabilities(self) -> np.ndarray:
        """The scheme's current distribution over entries."""
        return sampling_distribution(self.scheme, len(self.models), learner_scores(self.outcomes),
                                     past_fraction=self.past_fraction, pfsp_power=self.pfsp_power)

    def sample(self, rng: np.random.Generator) -> int:
        """Draw one entry from `probabilities()`; latest is returned as `LATEST` (-1), so the
        id stays valid when snapshots are added during the game."""
        entry = int(rng.choice(len(self.models), p=self.probabilities()))
        return LATEST if entry == len(self.models) - 1 and self.tracks_latest else entry

    def record(self, entry: int, outcome: float) -> None:
        """Record a finished game against `entry`: 1 learner win, 0.5 draw, 0 loss."""
        if outcome not in (0.0, 0.5, 1.0):
            raise OpponentError(f"outcome must be 0, 0.5 or 1, got {outcome!r}")
        if not -1 <= entry < len(self.outcomes):
            raise OpponentError(f"no pool entry {entry}")
        self.outcomes[entry].append(float(outcome))

    @torch.no_grad()
    def act(self, entry: int, obs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Sample actions of entry `entry` for a batch of observations (masked like PPO)."""
        from rl_suite.algos.ppo import masked_logits

        logits, _ = self.models[entry](obs)
        return torch.distributions.Categorical(logits=masked_logits(logits, mask)).sample()
