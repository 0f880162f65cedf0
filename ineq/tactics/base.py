"""What a tactic is: untrusted code that proposes how to prove a goal.

A tactic looks at a goal (a `Problem`) and yields `Attempt`s. An attempt either closes the goal
(no subgoals: `build(())` returns a complete certificate) or reduces it to subgoals, with `build`
turning the subgoals' certificates into the parent's certificate (typically with `Lemma` pieces).
Nothing a tactic returns is trusted: the search asks the kernel to check the final certificate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

import sympy

from ineq.kernel import Certificate
from ineq.problem import Problem, var


@dataclass(frozen=True)
class Deadline:
    """A wall-clock budget shared by a search and the tactics it calls."""

    at: float

    @classmethod
    def after(cls, seconds: float) -> "Deadline":
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.at


@dataclass(frozen=True)
class Attempt:
    """One way to prove `goal`: prove every subgoal, then `build` the goal's certificate.

    `explanation` holds the lines a student reads for this step (what was multiplied, which named
    inequality was applied to which terms); `build` receives the subgoals' certificates in order.
    """

    tactic: str
    goal: Problem
    subgoals: tuple[Problem, ...]
    build: Callable[[tuple[Certificate, ...]], Certificate]
    explanation: tuple[str, ...] = field(default=())


class Tactic(Protocol):
    """`tactic(goal, deadline)` yields attempts, cheapest or most promising first, and returns early
    (yielding nothing more) once `deadline` has expired."""

    def __call__(self, goal: Problem, deadline: Deadline) -> Iterator[Attempt]: ...


def fresh_names(problem: Problem, count: int, preferred, spare_prefix: str) -> list[sympy.Symbol]:
    """`count` variable names not used in `problem`: the `preferred` ones first (a string of letters
    or a sequence of names), then `spare_prefix` + 0, 1, ..."""
    taken = {v.name for v in problem.variables}
    names = [name for name in preferred if name not in taken]
    names += [f"{spare_prefix}{i}" for i in range(count) if f"{spare_prefix}{i}" not in taken]
    return [var(name) for name in names[:count]]


def is_monomial(expr: sympy.Expr) -> bool:
    """Whether `expr` (or the argument of an Abs) is a positive rational times powers of symbols (a
    positive constant counts): the radicands `power_substitution` removes."""
    if isinstance(expr, sympy.Abs):
        expr = expr.args[0]
    coefficient, factors = expr.as_coeff_mul()
    return coefficient > 0 and all(f.as_base_exp()[0].is_Symbol for f in factors)


def equality_assumptions(goal: Problem, deadline: Deadline) -> Iterator[tuple[int, sympy.Expr]]:
    """(index, expanded h) for every assumption that reads h = 0, until the deadline passes."""
    for index, assumption in enumerate(goal.assumptions):
        if deadline.expired():
            return
        h, op = assumption.normalized()
        if op == "=":
            yield index, sympy.expand(h)
