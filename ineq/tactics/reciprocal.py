"""The reciprocal tactic: substitute a = 1/x for positive variables that sit in denominators.

Olympiad statements such as 1/(a^3 (b + c)) with abc = 1 (IMO 1995/2) become polynomial-looking
after a = 1/x, b = 1/y, c = 1/z: x^2/(y + z) with xyz = 1. Each change is the kernel's `Reciprocal`
rule (v -> 1/v is a bijection of the positive reals); this tactic proposes one attempt that changes
every positive variable that divides the goal's denominator, in the order of the problem's variables.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Domain, Reciprocal, Weaken, reciprocal_problem, weakened_problem
from ineq.problem import Problem, var
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import denominator_factors

TACTIC_NAME = "reciprocal"
_NAMES = "xyzuvwpqrs"


def reciprocal(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt (all positive variables in the goal's denominator changed), or nothing."""
    changed = denominator_variables(goal)
    if not changed or deadline.expired():
        return
    taken = {v.name for v in goal.variables}
    names = [var(n) for n in _NAMES if n not in taken][:len(changed)]
    if len(names) < len(changed):
        return
    problem = goal
    for variable, name in zip(changed, names):
        problem = reciprocal_problem(problem, variable, name)
    # a > 0 became 1/x > 0, which x > 0 already gives: drop it, or a later reciprocal would bring it
    # back as x > 0 again and the search would go round in circles on ever longer assumption lists.
    redundant = [a for a in problem.assumptions if a.rhs == 0 and a.op in (">", ">=")
                 and any(a.lhs == 1 / name for name in names)]
    for assumption in redundant:
        problem = weakened_problem(problem, assumption)

    def build(certificates):
        certificate = certificates[0]
        for assumption in reversed(redundant):
            certificate = Weaken(assumption, certificate)
        for variable, name in reversed(list(zip(changed, names))):
            certificate = Reciprocal(variable, name, certificate)
        return certificate

    shown = ", ".join(f"{v} = 1/{n}" for v, n in zip(changed, names))
    yield Attempt(TACTIC_NAME, goal, (problem,), build,
                  (f"Substitute {shown} (all positive).", f"It remains to prove {problem}."))


def denominator_variables(goal: Problem) -> list[sympy.Symbol]:
    """The variables assumed > 0 that divide the denominator of the goal (over a common denominator)."""
    g, _ = goal.goal.normalized()
    _, denominator = sympy.fraction(sympy.together(g))
    if denominator.is_number:
        return []
    positive = Domain(goal).positive
    factors = denominator_factors(denominator, goal.variables)
    dividing = {factor for factor, _ in factors if factor.is_Symbol}
    return [v for v in goal.variables if v in positive and v in dividing]
