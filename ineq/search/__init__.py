"""Search for a kernel-checked proof of a goal by trying tactics in the order a scorer ranks them.

This is the first proving path: a depth-limited AND-OR search (an attempt's subgoals are all proved
by the same search). The scorer is a parameter so that other rankers (a learned policy) plug in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ineq.kernel import Certificate, check
from ineq.problem import Problem
from ineq.tactics import TACTICS
from ineq.tactics.base import Attempt, Deadline

# scorer(goal, tactic_name) -> priority; higher is tried first.
Scorer = Callable[[Problem, str], float]


def heuristic_scorer(goal: Problem, tactic_name: str) -> float:
    """Cheap structured proofs before SDP: AM-GM (one LP) first, then SOS."""
    return {"amgm": 2.0, "sos": 1.0}.get(tactic_name, 0.0)


@dataclass
class Proof:
    """A kernel-checked certificate for `goal` and the attempts (outermost first) that built it."""

    goal: Problem
    certificate: Certificate
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def tactics(self) -> list[str]:
        return [attempt.tactic for attempt in self.attempts]

    @property
    def explanation(self) -> list[str]:
        return [line for attempt in self.attempts for line in attempt.explanation]


@dataclass
class SearchStats:
    nodes: int = 0
    attempts: int = 0
    rejected_by_kernel: int = 0


def search(goal: Problem, deadline: Deadline, scorer: Scorer = heuristic_scorer, max_depth: int = 3,
           stats: SearchStats | None = None) -> Proof | None:
    """A kernel-checked proof of `goal`, or None when the tactics, the depth or the deadline run out."""
    stats = stats if stats is not None else SearchStats()
    stats.nodes += 1
    ranked = sorted(TACTICS, key=lambda name: -scorer(goal, name))
    for name in ranked:
        for attempt in TACTICS[name](goal, deadline):
            stats.attempts += 1
            proof = _close(attempt, deadline, scorer, max_depth, stats)
            if proof is not None:
                return proof
            if deadline.expired():
                return None
    return None


def _close(attempt: Attempt, deadline: Deadline, scorer: Scorer, max_depth: int,
           stats: SearchStats) -> Proof | None:
    if attempt.subgoals and max_depth <= 1:
        return None
    subproofs = []
    for subgoal in attempt.subgoals:
        subproof = search(subgoal, deadline, scorer, max_depth - 1, stats)
        if subproof is None:
            return None
        subproofs.append(subproof)
    certificate = attempt.build(tuple(p.certificate for p in subproofs))
    if not check(attempt.goal, certificate).ok:
        # A tactic proposed something wrong: count it and keep searching; the kernel decides.
        stats.rejected_by_kernel += 1
        return None
    return Proof(attempt.goal, certificate, [attempt] + [a for p in subproofs for a in p.attempts])
