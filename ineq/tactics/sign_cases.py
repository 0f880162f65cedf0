"""The sign_cases tactic: split on the sign of what an abs, max or min compares.

For `Abs(E)` (E a polynomial) the kernel's `CaseSplit(E)` proves the goal once with `E >= 0`, where it
reads `Abs(E)` as E, and once with `E <= 0`, where it reads -E; for a `Max(A, B, ...)` or
`Min(A, B, ...)` the split is on A - B (each case drops the argument that loses). Innermost occurrences go first, so nested ones resolve from the
inside out, one split per search step.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import CaseSplit, case_problems
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "sign_cases"
MAX_SPLITS_PROPOSED = 3


def sign_cases(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one case split per candidate expression (innermost first, at most MAX_SPLITS_PROPOSED)."""
    for expr in split_candidates(goal)[:MAX_SPLITS_PROPOSED]:
        if deadline.expired():
            return
        first, second = case_problems(goal, expr)
        if first == goal or second == goal:
            continue  # nothing was rewritten: the split would not make progress
        shown = sympy.sstr(expr)
        yield Attempt(TACTIC_NAME, goal, (first, second),
                      lambda subs, e=expr: CaseSplit(e, subs[0], subs[1]),
                      (f"Consider the cases {shown} >= 0 and {shown} <= 0.",))


def split_candidates(goal: Problem) -> list[sympy.Expr]:
    """The polynomial arguments of Abs and differences of the first two arguments of Max/Min, innermost first."""
    sides = [goal.goal.lhs, goal.goal.rhs] + [side for a in goal.assumptions for side in (a.lhs, a.rhs)]
    found: list[tuple[int, str, sympy.Expr]] = []
    for side in sides:
        for node in sympy.preorder_traversal(side):
            if isinstance(node, sympy.Abs):
                expr = node.args[0]
            elif isinstance(node, (sympy.Max, sympy.Min)):
                expr = node.args[0] - node.args[1]  # with more arguments, one split drops one of them
            else:
                continue
            if not expr.is_polynomial(*goal.variables):
                continue
            nested = sum(1 for n in sympy.preorder_traversal(expr) if isinstance(n, (sympy.Abs, sympy.Max, sympy.Min)))
            found.append((nested, sympy.sstr(expr), sympy.expand(expr)))
    unique = {}
    for nested, text, expr in sorted(found, key=lambda f: (f[0], len(f[1]), f[1])):
        unique.setdefault(expr, nested)
    return list(unique)
