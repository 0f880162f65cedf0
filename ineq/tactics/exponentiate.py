"""The exponentiate tactic: a goal that compares weighted sums of logs compares products.

`log(x)/4 + 3 log(y)/8 + 3 log(z)/8 <= log(x/4 + 3y/8 + 3z/8)` (x, y, z > 0) is, log being
increasing, `x^(1/4) y^(3/8) z^(3/8) <= x/4 + 3y/8 + 3z/8`: weighted AM-GM, which the root and AM-GM
tactics prove. The kernel's `Exponentiate` rule does the step; this tactic proposes it whenever the
goal has that form (rational weights, arguments positive by the kernel's rule).
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Exponentiate, exponentiated_problem
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "exponentiate"


def exponentiate(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt, whose subgoal compares the two products, when the goal is a rational
    combination of logs of positive expressions."""
    if deadline.expired() or not goal.goal.lhs.has(sympy.log) and not goal.goal.rhs.has(sympy.log):
        return
    exponentiated = exponentiated_problem(goal)
    if exponentiated is None:
        return
    line = f"Since log is increasing, it suffices to prove {exponentiated.goal}."
    yield Attempt(TACTIC_NAME, goal, (exponentiated,), lambda subs: Exponentiate(subs[0]), (line,))
