"""The sum_split tactic: a sum of two inequalities is proved one inequality at a time.

Composed problems add two known inequalities: `3(3 + b^3/c^3 + c^3/d^3 + d^3/b^3) + 2(2a^6/3 + b^6/3)
>= 2a^4 b^2 + 3(b^3 + c^3 + d^3 + 1/b^3 + 1/c^3 + 1/d^3)` under bcd = 1 is the sum of
`3 + b^3/c^3 + ... >= b^3 + ... + 1/d^3` (times 3) and weighted AM-GM (times 2). The tactic splits the
top-level terms of the two sides into two groups each, `B1 + B2 >= S1 + S2`, keeps the splits whose
two claims `B1 >= S1` and `B2 >= S2` hold at every sampled point of the domain (the refuter's sampler;
floats only rank, the kernel decides), and proposes at most two of them: those whose looser claim is
tightest (each part of a composed problem has its own equality case), then fewest shared variables. The certificate is an identity whose pieces are the two claims as lemmas.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np
import sympy

from ineq.kernel import Identity, Lemma
from ineq.problem import Problem, Relation
from ineq.refute import feasible_points
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "sum_split"
_MAX_TERMS = 8  # terms per side: 2^7 * 2^8 splits at most, checked at once in numpy
_MIN_POINTS = 8  # fewer feasible samples than this say too little about a claim
_TOLERANCE = 1e-9  # relative slack a claim may miss by at a sample (equality cases, rounding)
_ATTEMPTS = 2


def sum_split(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield up to two attempts, each with the two claims of one split as subgoals."""
    if goal.goal.op not in (">=", "<="):
        return
    big, small = (goal.goal.lhs, goal.goal.rhs) if goal.goal.op == ">=" else (goal.goal.rhs, goal.goal.lhs)
    big_terms, small_terms = sympy.Add.make_args(big), sympy.Add.make_args(small)
    if len(big_terms) < 2 or len(big_terms) > _MAX_TERMS or len(small_terms) > _MAX_TERMS:
        return
    points = feasible_points(goal, count=128)
    if len(points) < _MIN_POINTS or deadline.expired():
        return
    big_values = _values(big_terms, goal.variables, points)
    small_values = _values(small_terms, goal.variables, points)
    if big_values is None or small_values is None:
        return
    big_masks = np.array(list(_halves(len(big_terms))), dtype=bool)  # (B, n)
    small_masks = np.array(list(itertools.product((0, 1), repeat=len(small_terms))), dtype=bool)  # (S, m)
    # Slack of each claim at each point: (points, B, S), relative to the size of the two sides.
    first = _slack(big_values @ big_masks.T, small_values @ small_masks.T)
    second = _slack(big_values @ (~big_masks).T, small_values @ (~small_masks).T)
    least_first, least_second = first.min(axis=0), second.min(axis=0)  # (B, S)
    true_both = (least_first >= -_TOLERANCE) & (least_second >= -_TOLERANCE)
    # Composed problems add two tight inequalities: rank by the looser claim's least slack.
    looseness = np.maximum(least_first, least_second)
    candidates = []
    for i, j in zip(*np.nonzero(true_both)):
        claims = (_claim(big_terms, big_masks[i], small_terms, small_masks[j]),
                  _claim(big_terms, ~big_masks[i], small_terms, ~small_masks[j]))
        shared = claims[0].free_symbols() & claims[1].free_symbols()
        candidates.append((round(float(looseness[i, j]), 6), len(shared), claims))
    candidates.sort(key=lambda candidate: candidate[:2])
    for _, _, claims in candidates[:_ATTEMPTS]:
        if deadline.expired():
            return
        subgoals = tuple(goal.with_goal(claim) for claim in claims)

        def build(subs, claims=claims):
            return Identity((), tuple(Lemma(sympy.Integer(1), claim, sub) for claim, sub in zip(claims, subs)))

        yield Attempt(TACTIC_NAME, goal, subgoals, build,
                      (f"The goal is the sum of {claims[0]} and {claims[1]}; prove each.",))


def _values(terms, variables, points) -> np.ndarray | None:
    """(points x terms) float values, or None where a term is not a finite real at some point."""
    arguments = [np.array([point[v] for point in points]) for v in variables]
    columns = []
    with np.errstate(all="ignore"):
        for term in terms:
            column = np.broadcast_to(np.asarray(sympy.lambdify(variables, term, modules="numpy")(*arguments),
                                                dtype=float), (len(points),))
            if not np.all(np.isfinite(column)):
                return None
            columns.append(column)
    return np.stack(columns, axis=1)


def _halves(count: int):
    """Boolean masks for the first group of a split into two nonempty groups (each split once)."""
    for bits in itertools.product((0, 1), repeat=count - 1):
        mask = np.array((1,) + bits, dtype=bool)
        if not mask.all():
            yield mask


def _slack(bigger: np.ndarray, smaller: np.ndarray) -> np.ndarray:
    """(points, B, S) relative slack of sum(bigger) >= sum(smaller) for every pair of groups."""
    left, right = bigger[:, :, None], smaller[:, None, :]
    return (left - right) / (np.abs(left) + np.abs(right) + 1e-300)


def _claim(big_terms, big_mask, small_terms, small_mask) -> Relation:
    bigger = sympy.Add(*(t for t, keep in zip(big_terms, big_mask) if keep))
    smaller = sympy.Add(*(t for t, keep in zip(small_terms, small_mask) if keep))
    return Relation(bigger, ">=", smaller)
