"""The ravi tactic: the sides of a triangle become sums of two nonnegative variables.

When the assumptions include the three triangle inequalities b + c >= a, c + a >= b, a + b >= c
(each possibly strict), propose the kernel's `ChangeVariables` with Ravi's substitution

    a = y + z,  b = z + x,  c = x + y,   x = (b + c - a)/2,  y = (c + a - b)/2,  z = (a + b - c)/2,

where each new variable is >= 0 (> 0 when its triangle inequality is strict). The triangle
inequalities become 2x >= 0, ... and are dropped; every other assumption is rewritten. A goal on a
triangle's sides becomes a goal on the nonnegative orthant, where amgm, sds and sos work best
(vasile p31138: a^2 (a + b)(b - c) + b^2 (b + c)(c - a) + c^2 (c + a)(a - b) >= 0).
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import ChangeVariables, changed_problem
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline, fresh_names

TACTIC_NAME = "ravi"
_NAMES = ("x", "y", "z", "p", "q", "r", "u", "v", "w")


def ravi(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per triple of variables whose three triangle inequalities are assumed."""
    inequalities = {}  # (largest side, other two) -> assumption index
    for index, assumption in enumerate(goal.assumptions):
        expr, op = assumption.normalized()
        if op == "=":
            continue
        shape = triangle_inequality(sympy.expand(expr), goal.variables)
        if shape is not None:
            inequalities.setdefault(shape, index)
    sides_seen = {frozenset((side,) + others) for side, others in inequalities}
    for sides in sorted(sides_seen, key=lambda s: sorted(v.name for v in s)):
        if deadline.expired():
            return
        ordered = sorted(sides, key=goal.variables.index)
        keys = [(side, tuple(sorted(set(ordered) - {side}, key=goal.variables.index))) for side in ordered]
        if not all(key in inequalities for key in keys):
            continue
        names = fresh_names(goal, 3, _NAMES, "s")
        a, b, c = ordered
        x, y, z = names
        forward = ((a, y + z), (b, z + x), (c, x + y))
        inverse = ((x, (b + c - a) / 2), (y, (c + a - b) / 2), (z, (a + b - c) / 2))
        dropped = tuple(sorted(inequalities[key] for key in keys))
        change = ChangeVariables(forward, inverse, dropped, None)
        reduced = changed_problem(goal, change)

        def build(subs, change=change):
            return ChangeVariables(change.forward, change.inverse, change.dropped, subs[0])

        shown = ", ".join(f"{v} = {sympy.sstr(e)}" for v, e in forward)
        signs = ", ".join(str(r) for r in reduced.assumptions[-3:])
        yield Attempt(TACTIC_NAME, goal, (reduced,), build,
                      (f"{a}, {b}, {c} satisfy the triangle inequalities: write {shown} (Ravi), with {signs}.",
                       f"It remains to prove {reduced.goal}."))


def triangle_inequality(expr: sympy.Expr, variables) -> tuple | None:
    """`(a, (b, c))` when expr is a positive multiple of b + c - a for distinct variables, else None."""
    if not expr.is_polynomial(*variables):
        return None
    poly = sympy.Poly(expr, *variables)
    terms = poly.terms()
    if len(terms) != 3 or any(sum(m) != 1 for m, _ in terms):
        return None
    coefficients = sorted(c for _, c in terms)
    if not (coefficients[0] < 0 and coefficients[0] == -coefficients[1] == -coefficients[2]):
        return None
    positive = tuple(sorted((variables[m.index(1)] for m, c in terms if c > 0), key=variables.index))
    negative = next(variables[m.index(1)] for m, c in terms if c < 0)
    return negative, positive


