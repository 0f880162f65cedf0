"""The definite_split tactic: for a form that is nonnegative but not a sum of squares, split off the
origin so that a positive definite quadratic may multiply it.

A nonnegative form need not be a sum of squares (Motzkin, Robinson), but times q = x_1^2 + ... + x_n^2
it often is. The kernel accepts a multiplier only where it is positive, so the kernel's `CaseSplit(q)`
with a strict first case proves the goal twice: with q > 0 assumed, where q is a strict assumption and
multiplies the goal like any other (the sos tactic tries its strict assumptions as multipliers), and
with q <= 0, where every variable is 0 and sos closes the goal with q's multiplier.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import CaseSplit, Domain, case_problems
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import clear_denominators

TACTIC_NAME = "definite_split"


def definite_split(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """One attempt for a nonstrict goal whose difference (or, for a rational goal, its numerator) is
    a form: of degree >= 2 over nonnegative variables not all assumed > 0 (split on their sum), or
    else of even degree >= 4 (split on the sum of their squares)."""
    g, op = goal.goal.normalized()
    variables = goal.variables
    if op != ">=" or deadline.expired() or not variables:
        return
    if not g.is_polynomial(*variables):
        # A rational goal qualifies by its numerator once the denominators are cleared
        # (Vasile's 4/3 >= sum (a+b)(a+c)/(a^2+4b^2+4c^2) over the reals).
        cleared = clear_denominators(goal)
        if cleared is None or cleared.op != ">=":
            return
        g = cleared.polynomial
    poly = sympy.Poly(sympy.expand(g), *variables)
    degree = poly.total_degree()
    if not poly.is_homogeneous:
        return
    domain = Domain(goal)
    if set(variables) <= domain.nonnegative and not set(variables) <= domain.positive and degree >= 2:
        # Over nonnegative variables the sum of the variables is the multiplier (Schur-like forms
        # need it), but it is only >= 0: split off the origin to make it > 0.
        splitter = sympy.Add(*variables)
    elif degree >= 4 and degree % 2 == 0:
        splitter = sympy.Add(*(v**2 for v in variables))
    else:
        return
    if any(sympy.expand(a.lhs - a.rhs - splitter) == 0 for a in goal.assumptions):
        return  # already split
    first, second = case_problems(goal, splitter, strict=True)
    shown = sympy.sstr(splitter)
    yield Attempt(TACTIC_NAME, goal, (first, second),
                  lambda subs: CaseSplit(splitter, subs[0], subs[1], strict=True),
                  (f"Consider the cases {shown} > 0 (multiply by it) and {shown} <= 0 (every variable is 0).",))
