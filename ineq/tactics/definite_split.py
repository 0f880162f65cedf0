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

from ineq.kernel import CaseSplit, case_problems
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import clear_denominators

TACTIC_NAME = "definite_split"


def definite_split(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """One attempt for a nonstrict goal whose difference (or, for a rational goal, its numerator) is
    a form of even degree >= 4."""
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
    if degree < 4 or degree % 2 or not poly.is_homogeneous:
        return
    quadratic = sympy.Add(*(v**2 for v in variables))
    if any(sympy.expand(a.lhs - a.rhs - quadratic) == 0 for a in goal.assumptions):
        return  # already split
    first, second = case_problems(goal, quadratic, strict=True)
    shown = sympy.sstr(quadratic)
    yield Attempt(TACTIC_NAME, goal, (first, second),
                  lambda subs: CaseSplit(quadratic, subs[0], subs[1], strict=True),
                  (f"Consider the cases {shown} > 0 (multiply by it) and {shown} <= 0 (every variable is 0).",))
