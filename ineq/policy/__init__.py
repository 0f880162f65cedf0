"""Learned guidance for the proof search: a policy/value network over goals, trained by expert iteration.

- `get_scorer(name, checkpoint=None) -> Scorer` for name in SCORER_NAMES: "heuristic" and "uniform" are
  the hand-written scorers of `ineq.search`; "policy" is the network of `checkpoints/policy.pt` (or of
  `checkpoint`), loaded once per process. torch is imported only when the policy is asked for, so the
  other scorers cost nothing at start-up.
- `ineq.policy.features` (goal encoder), `ineq.policy.model` (the network), `ineq.policy.scorer`
  (`PolicyScorer`), `ineq.policy.train` (expert iteration; `scripts/train_policy.py` runs it).
"""

from __future__ import annotations

from pathlib import Path

SCORER_NAMES = ("policy", "heuristic", "uniform")
# Chosen on the dev split (docs/policy.md): the scorer `ineq prove` uses when none is named.
DEFAULT_SCORER = "heuristic"
DEFAULT_CHECKPOINT = Path(__file__).resolve().parent.parent.parent / "checkpoints" / "policy.pt"

_loaded: dict[str, object] = {}


class ScorerError(ValueError):
    """An unknown scorer name, or a policy checkpoint that cannot be loaded."""


def get_scorer(name: str = DEFAULT_SCORER, checkpoint: str | Path | None = None):
    """The `ineq.search.Scorer` called `name`; the policy checkpoint is loaded once and cached."""
    from ineq.search import heuristic_scorer, uniform_scorer

    if name == "heuristic":
        return heuristic_scorer
    if name == "uniform":
        return uniform_scorer
    if name != "policy":
        raise ScorerError(f"unknown scorer {name!r}; choose one of {', '.join(SCORER_NAMES)}")
    path = Path(checkpoint) if checkpoint is not None else DEFAULT_CHECKPOINT
    key = str(path.resolve())
    if key not in _loaded:
        import torch

        from ineq.policy.scorer import PolicyError, PolicyScorer

        torch.set_num_threads(1)  # a one-goal forward pass gains nothing from threads, and forks stay safe
        if not path.is_file():
            raise ScorerError(f"no policy checkpoint at {path}; train one with scripts/train_policy.py")
        try:
            _loaded[key] = PolicyScorer.from_checkpoint(path)
        except PolicyError as error:
            raise ScorerError(str(error)) from None
    return _loaded[key]
