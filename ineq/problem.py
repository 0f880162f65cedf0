"""The statement of an inequality problem: variables, assumptions, goal.

Everything is exact: expressions are sympy objects built from integers, Rationals and Symbols
(never Floats). A `Problem` is frozen and hashable so that goals can be deduplicated in the search.

This module is part of the trusted base (the kernel reads problems through it), so it imports only
the standard library and sympy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

# Relation operators. `lhs op rhs`; `!=` is not supported.
OPERATORS = (">=", ">", "<=", "<", "=")
_FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "="}


@dataclass(frozen=True)
class Relation:
    """`lhs op rhs` with `op` one of OPERATORS."""

    lhs: sympy.Expr
    op: str
    rhs: sympy.Expr

    def __post_init__(self) -> None:
        if self.op not in OPERATORS:
            raise ValueError(f"unknown relation operator {self.op!r}; expected one of {OPERATORS}")
        for side in ("lhs", "rhs"):
            value = getattr(self, side)
            if isinstance(value, int):  # a convenience for literals such as Relation(x, ">", 0)
                object.__setattr__(self, side, sympy.Integer(value))
            elif not isinstance(value, sympy.Expr):
                raise TypeError(f"relation {side} must be a sympy expression, got {type(value).__name__}")

    def normalized(self) -> tuple[sympy.Expr, str]:
        """The relation as `(g, op)` meaning `g op 0`, with op in {'>=', '>', '='}.

        `a <= b` becomes `(b - a, '>=')`; `a = b` becomes `(a - b, '=')`. `g` is not expanded.
        """
        if self.op in (">=", ">", "="):
            return self.lhs - self.rhs, self.op
        return self.rhs - self.lhs, _FLIPPED[self.op]

    @property
    def strict(self) -> bool:
        return self.op in (">", "<")

    def flipped(self) -> "Relation":
        """The same relation with its sides swapped (`a <= b` -> `b >= a`)."""
        return Relation(self.rhs, _FLIPPED[self.op], self.lhs)

    def free_symbols(self) -> set[sympy.Symbol]:
        return set(self.lhs.free_symbols) | set(self.rhs.free_symbols)

    def __str__(self) -> str:
        return f"{sympy.sstr(self.lhs)} {self.op} {sympy.sstr(self.rhs)}"

    def to_json(self) -> dict:
        return {"lhs": sympy.sstr(self.lhs), "op": self.op, "rhs": sympy.sstr(self.rhs)}


@dataclass(frozen=True)
class Problem:
    """A claim `goal` about real `variables`, under `assumptions`.

    `variables` are sorted by name; every free symbol of the assumptions and the goal is among them.
    `text` is the user's original input (for messages only; it carries no meaning).
    """

    variables: tuple[sympy.Symbol, ...]
    assumptions: tuple[Relation, ...]
    goal: Relation
    text: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        names = [v.name for v in self.variables]
        if names != sorted(names, key=variable_sort_key) or len(set(names)) != len(names):
            raise ValueError(f"variables must be distinct and sorted: {names}")
        used = self.goal.free_symbols().union(*(a.free_symbols() for a in self.assumptions))
        missing = used - set(self.variables)
        if missing:
            raise ValueError(f"symbols {sorted(map(str, missing))} are not among the variables")

    def __str__(self) -> str:
        if not self.assumptions:
            return str(self.goal)
        return ", ".join(str(a) for a in self.assumptions) + " => " + str(self.goal)

    def to_json(self) -> dict:
        return {
            "variables": [v.name for v in self.variables],
            "assumptions": [a.to_json() for a in self.assumptions],
            "goal": self.goal.to_json(),
            "text": str(self),
        }

    def with_goal(self, goal: Relation) -> "Problem":
        """The same variables and assumptions with another goal (for subgoals)."""
        return Problem(self.variables, self.assumptions, goal, text=self.text)


def var(name: str) -> sympy.Symbol:
    """The one way to make a problem variable: a real symbol. Every module uses it, so that symbols
    made in different places compare equal."""
    return sympy.Symbol(name, real=True)


def variable_sort_key(name: str) -> tuple:
    """Alphabetical by letter, then by numeric suffix, so that x2 < x10."""
    letter, suffix = name[:1], name[1:].lstrip("_")
    return (letter, int(suffix) if suffix.isdigit() else -1, name)


def make_problem(
    assumptions: list[Relation] | tuple[Relation, ...],
    goal: Relation,
    text: str = "",
    extra_variables: tuple[sympy.Symbol, ...] = (),
) -> Problem:
    """Build a Problem whose variables are all free symbols used, sorted by `variable_sort_key`."""
    used = goal.free_symbols().union(*(a.free_symbols() for a in assumptions), extra_variables)
    variables = tuple(sorted(used, key=lambda s: variable_sort_key(s.name)))
    return Problem(variables, tuple(assumptions), goal, text=text)
