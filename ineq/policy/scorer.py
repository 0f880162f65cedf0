"""`PolicyScorer`: the trained network as an `ineq.search.Scorer`.

One forward pass per goal scores every tactic at once (the policy head has one logit per registered
tactic). The score of tactic t at goal g is

    prior_scale * log p(t | g) + value_scale * log v(g)

where v is the value head's probability that g closes and p is, with `prior_kind="sigmoid"` (the
default), sigmoid(logit_t), the probability that t works at g if tried, or, with "softmax", the softmax
prior over the tactics (which tactic the proofs used). The search orders
its frontier by `depth cost - score`, so the prior orders the tactics of one goal and the value term
moves the whole goal up or down against the other open goals. Tactics the network was not trained on
get the lowest prior of the known ones (they are still tried, last).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import torch

from ineq.policy.features import (
    FEATURE_NAMES,
    PAD_ID,
    EncodedGoal,
    encode_goal,
)
from ineq.policy.model import PolicyBatch, PolicyValueNet
from ineq.problem import Problem
from ineq.search import heuristic_scorer

PRIOR_KINDS = ("sigmoid", "softmax")


class PolicyError(ValueError):
    """A checkpoint that cannot serve as a policy (missing, unreadable, or for another encoder)."""


def collate(goals: Sequence[EncodedGoal], device: torch.device | str = "cpu") -> PolicyBatch:
    """Pad encoded goals into one `PolicyBatch` (no targets): tokens (B, T), features (B, F)."""
    length = max(1, max(len(goal.token_ids) for goal in goals))
    tokens = torch.full((len(goals), length), PAD_ID, dtype=torch.long)
    for row, goal in enumerate(goals):
        tokens[row, : len(goal.token_ids)] = torch.tensor(goal.token_ids, dtype=torch.long)
    features = torch.tensor([goal.features for goal in goals], dtype=torch.float32)
    return PolicyBatch(tokens.to(device), features.to(device))


class PolicyScorer:
    """A `Scorer` backed by a `PolicyValueNet`; `tactic_names` are the model's outputs, in order."""

    def __init__(self, model: PolicyValueNet, tactic_names: Sequence[str], prior_scale: float = 1.0,
                 value_scale: float = 1.0, prior_kind: str = "sigmoid", device: torch.device | str = "cpu"):
        if prior_kind not in PRIOR_KINDS:
            raise PolicyError(f"prior_kind must be one of {PRIOR_KINDS}, got {prior_kind!r}")
        self.prior_kind = prior_kind
        self.fallbacks = 0  # goals scored by the heuristic because encoding or the forward pass failed
        self.model = model.to(device).eval()
        self.tactic_names = list(tactic_names)
        self.index = {name: i for i, name in enumerate(self.tactic_names)}
        self.prior_scale, self.value_scale = prior_scale, value_scale
        self.device = device

    @classmethod
    def from_checkpoint(cls, path: str | Path, device: torch.device | str = "cpu", **overrides) -> PolicyScorer:
        """Load a checkpoint written by `ineq.policy.train` (model kwargs, tactic names and score settings
        are stored in it); `overrides` may replace prior_scale / value_scale / prior_kind."""
        from rl_suite.core.checkpoint import load_checkpoint
        from rl_suite.core.errors import CoreError

        try:
            model, payload = load_checkpoint(path, map_location=device)
        except CoreError as error:
            raise PolicyError(f"cannot load the policy checkpoint: {error}") from None
        extra = payload["extra"]
        if not isinstance(model, PolicyValueNet) or extra.get("feature_names") != list(FEATURE_NAMES):
            raise PolicyError(f"{path} is not a policy checkpoint for this goal encoder")
        settings = {"prior_scale": extra.get("prior_scale", 1.0), "value_scale": extra.get("value_scale", 1.0),
                    "prior_kind": extra.get("prior_kind", "sigmoid")}
        settings.update(overrides)
        return cls(model, extra["tactic_names"], device=device, **settings)

    @torch.no_grad()
    def evaluate(self, goals: Sequence[Problem]) -> tuple[torch.Tensor, torch.Tensor]:
        """(log p (B, A) over `tactic_names` as set by `prior_kind`, log value (B,)) for a batch of goals."""
        batch = collate([encode_goal(goal) for goal in goals], self.device)
        out, _ = self.model(batch)
        if self.prior_kind == "softmax":
            log_prior = torch.log_softmax(out.policy_logits, dim=-1)
        else:
            log_prior = torch.nn.functional.logsigmoid(out.policy_logits)
        return log_prior.cpu(), torch.nn.functional.logsigmoid(out.value_logit).cpu()

    def __call__(self, goal: Problem, tactic_names: Sequence[str]) -> list[float]:
        try:
            log_prior, log_value = self.evaluate([goal])
        except Exception:  # noqa: BLE001 - guidance is untrusted and optional: a goal the encoder chokes on gets the heuristic
            self.fallbacks += 1
            return heuristic_scorer(goal, tactic_names)
        known = log_prior[0].tolist()
        floor = min(known)
        node_term = self.value_scale * float(log_value[0])
        return [self.prior_scale * (known[self.index[name]] if name in self.index else floor - math.log(2.0))
                + node_term for name in tactic_names]
