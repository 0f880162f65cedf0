"""The substitute tactic: eliminate a variable with an equality assumption that is linear in it.

For an equality assumption `h = 0` in which a variable v occurs only as `c * v` with c a nonzero
rational (x + y + z = 1 gives z = 1 - x - y), propose the kernel's `Substitute(v, expr, sub)`:
prove the goal with `expr` in place of v, the used equality dropped. Candidates are ordered so that
the reduced problem stays small (fewest operations in the substituted goal and assumptions).
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Substitute, substituted_problem
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline, equality_assumptions

TACTIC_NAME = "substitute"


def substitute(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per (equality, variable) candidate, smallest reduced problem first."""
    candidates = []
    for index, h in equality_assumptions(goal, deadline):
        assumption = goal.assumptions[index]
        for variable in goal.variables:
            expression = solve_linear(h, variable)
            if expression is None:
                continue
            reduced = substituted_problem(goal, index, variable, expression)
            candidates.append((_size(reduced), variable.name, variable, expression, reduced, assumption))
    candidates.sort(key=lambda c: (c[0], c[1]))
    for _, _, variable, expression, reduced, assumption in candidates:
        if deadline.expired():
            return
        yield Attempt(TACTIC_NAME, goal, (reduced,),
                      lambda subs, v=variable, e=expression: Substitute(v, e, subs[0]),
                      (f"Since {assumption}, substitute {variable} = {sympy.sstr(expression)}.",
                       f"It remains to prove {reduced}."))


def solve_linear(h: sympy.Expr, variable: sympy.Symbol) -> sympy.Expr | None:
    """`expr` with `h = 0  <=>  variable = expr` when h is `c * variable + rest`, c a nonzero
    rational and rest free of the variable; otherwise None."""
    if not h.has(variable) or not h.is_polynomial(variable):
        return None
    poly = sympy.Poly(h, variable)
    if poly.degree() != 1:
        return None
    coefficient = poly.coeff_monomial(variable)
    if not coefficient.is_Rational or coefficient == 0:
        return None
    rest = sympy.expand(h - coefficient * variable)
    if rest.has(variable):
        return None
    return sympy.expand(-rest / coefficient)


def _size(problem: Problem) -> int:
    sides = [problem.goal.lhs, problem.goal.rhs] + [s for a in problem.assumptions for s in (a.lhs, a.rhs)]
    return sum(int(sympy.count_ops(sympy.expand(s))) for s in sides)
