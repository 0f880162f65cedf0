"""The symmetry tactic: when a problem is unchanged by permuting some variables, assume an order.

A problem (goal and assumptions together) that is invariant under every adjacent transposition of
`v1, ..., vk` is symmetric in them, and we may assume `v1 >= v2 >= ... >= vk`; one invariant under
the cyclic shift `v1 -> v2 -> ... -> vk -> v1` is cyclic, and we may assume `v1 >= vi` for every
i. The tactic proposes the kernel's `SymmetryOrder` rule with the ordered problem as the subgoal.

The invariance test below mirrors the kernel's (`ineq.kernel.check`): the moved goal minus the goal
is zero as a rational function, and every moved assumption is a positive multiple of an assumption
with the same operator (any nonzero multiple for equalities). The kernel re-checks it anyway.

Helpers used by the closing tactics (sds, schur): `detect_symmetry`, `ordering_assumptions`,
`ordered_problem`.
"""

from __future__ import annotations

import cmath
from typing import Iterator

import sympy

from ineq.kernel import SymmetryOrder
from ineq.problem import Problem, Relation, make_problem
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "symmetry"
SYMMETRIC, CYCLIC = "symmetric", "cyclic"


class SymmetryInputError(ValueError):
    """The goal handed to the tactic is not a Problem."""


def symmetry(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield reducing attempts `SymmetryOrder(kind, variables, <subgoal's certificate>)`, whose one
    subgoal is `goal` with the ordering assumptions added: first one per class of variables the
    problem is symmetric in (largest class first), then, when the problem is symmetric in no set
    of three or more variables, cyclic orders (all variables, then all but one). Nothing is
    proposed for a set some assumption already orders (so the subgoal never gets it again)."""
    if not isinstance(goal, Problem):
        raise SymmetryInputError(f"symmetry expects a Problem, got {type(goal).__name__}")
    classes = symmetric_classes(goal, deadline)
    for variables in classes:
        if deadline.expired():
            return
        if not _already_ordered(goal, variables):
            yield _attempt(goal, SYMMETRIC, variables)
    if any(len(variables) >= 3 for variables in classes):
        return
    for variables in _cyclic_candidates(goal):
        if deadline.expired():
            return
        if not _already_ordered(goal, variables) and detect_symmetry(goal, variables) == CYCLIC:
            yield _attempt(goal, CYCLIC, variables)


def symmetric_classes(problem: Problem, deadline: Deadline | None = None) -> list[tuple[sympy.Symbol, ...]]:
    """The classes (size >= 2, each sorted like `problem.variables`, largest first) of variables
    that the problem is symmetric in. Two variables are in one class when swapping them leaves
    the problem unchanged; such swaps compose, so the classes are the components of that relation."""
    variables = problem.variables
    representative = {v: v for v in variables}

    def find(v):
        while representative[v] != v:
            v = representative[v]
        return v

    for i, u in enumerate(variables):
        for w in variables[i + 1:]:
            if deadline is not None and deadline.expired():
                break
            if find(u) == find(w):
                continue  # already known to be exchangeable, through a third variable
            if is_invariant(problem, {u: w, w: u}):
                representative[find(w)] = find(u)
    groups: dict = {}
    for v in variables:
        groups.setdefault(find(v), []).append(v)
    classes = [tuple(group) for group in groups.values() if len(group) >= 2]
    return sorted(classes, key=lambda group: -len(group))


def detect_symmetry(problem: Problem, variables: tuple[sympy.Symbol, ...]) -> str | None:
    """`SYMMETRIC` if the problem is invariant under every adjacent transposition of `variables`,
    else `CYCLIC` if under the cyclic shift (needs three or more), else None."""
    variables = tuple(variables)
    if len(variables) < 2:
        return None
    swaps = [{variables[i]: variables[i + 1], variables[i + 1]: variables[i]} for i in range(len(variables) - 1)]
    if all(is_invariant(problem, swap) for swap in swaps):
        return SYMMETRIC
    if len(variables) >= 3 and is_invariant(problem, _shift(variables)):
        return CYCLIC
    return None


def ordering_assumptions(kind: str, variables: tuple[sympy.Symbol, ...]) -> list[Relation]:
    """The assumptions `SymmetryOrder(kind, variables, ...)` adds (the kernel's, in its order)."""
    if kind == SYMMETRIC:
        return [Relation(variables[i], ">=", variables[i + 1]) for i in range(len(variables) - 1)]
    if kind == CYCLIC:
        return [Relation(variables[0], ">=", v) for v in variables[1:]]
    raise ValueError(f"unknown symmetry kind {kind!r}")


def ordered_problem(problem: Problem, kind: str, variables: tuple[sympy.Symbol, ...]) -> Problem:
    """The problem the kernel checks the inner certificate of `SymmetryOrder` against."""
    extra = ordering_assumptions(kind, variables)
    return make_problem(list(problem.assumptions) + extra, problem.goal, text=problem.text,
                        extra_variables=problem.variables)


def describe_order(kind: str, variables: tuple[sympy.Symbol, ...]) -> str:
    """The student's sentence for the ordering step."""
    names = [sympy.sstr(v) for v in variables]
    if kind == SYMMETRIC:
        return f"By symmetry we may assume {' >= '.join(names)}."
    shift = " -> ".join(names + names[:1])
    largest = ", ".join(f"{names[0]} >= {name}" for name in names[1:])
    return (f"The problem is cyclic ({shift}), so we may rotate the largest variable to the front "
            f"and assume {largest}.")


def is_invariant(problem: Problem, move: dict) -> bool:
    """Whether renaming variables by `move` maps the goal to itself and every assumption onto an
    assumption (see the module docstring)."""
    goal, op = problem.goal.normalized()
    moved_goal, moved_op = _moved(problem.goal, move).normalized()
    if moved_op != op or _numerically_different(moved_goal, goal, problem.variables):
        return False
    normalized = [a.normalized() for a in problem.assumptions]
    for assumption in problem.assumptions:
        moved, moved_op = _moved(assumption, move).normalized()
        # Free symbols first: a multiple of an expression uses the same variables (cheap filter).
        if not any(op == moved_op and moved.free_symbols == expr.free_symbols
                   and _multiple(moved, expr, allow_negative=(op == "=")) for expr, op in normalized):
            return False
    return _is_zero(moved_goal - goal)


# Two sample points with distinct, unrelated positive coordinates (so that radicals are real).
_SAMPLE_POINTS = ((sympy.Rational(13, 7), sympy.Rational(29, 11), sympy.Rational(5, 17), sympy.Rational(41, 13),
                   sympy.Rational(7, 19), sympy.Rational(23, 5), sympy.Rational(3, 23), sympy.Rational(37, 29)),)


def _numerically_different(first: sympy.Expr, second: sympy.Expr, variables) -> bool:
    """True when the two expressions differ clearly at a sample point (so they are not equal as
    functions); False when they agree there or cannot be evaluated (then the exact test decides).
    The exact symbolic test of a large radical goal is slow; most non-invariant moves fail here."""
    for point in _SAMPLE_POINTS:
        values = {v: point[i % len(point)] + i // len(point) for i, v in enumerate(variables)}
        try:
            a = complex(first.xreplace(values).evalf(20))
            b = complex(second.xreplace(values).evalf(20))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            return False
        if not (cmath.isfinite(a) and cmath.isfinite(b)):
            return False
        if abs(a - b) > 1e-8 * (1 + abs(a) + abs(b)):
            return True
    return False


def _attempt(goal: Problem, kind: str, variables: tuple[sympy.Symbol, ...]) -> Attempt:
    subgoal = ordered_problem(goal, kind, variables)
    return Attempt(TACTIC_NAME, goal, (subgoal,),
                   lambda certificates: SymmetryOrder(kind, variables, certificates[0]),
                   (describe_order(kind, variables),))


def _cyclic_candidates(problem: Problem) -> list[tuple[sympy.Symbol, ...]]:
    """All variables in their cyclic order, then (with four or more) all but one of them, so that
    a parameter such as `k` in a cyclic goal in a, b, c does not hide the cyclic structure."""
    variables = problem.variables
    candidates = [variables] if len(variables) >= 3 else []
    if len(variables) >= 4:
        candidates += [tuple(v for v in variables if v != left_out) for left_out in variables]
    return candidates


def _already_ordered(problem: Problem, variables: tuple[sympy.Symbol, ...]) -> bool:
    """Whether some assumption compares two of `variables` (`u >= v`, `u > v`, ...): the set has
    been ordered before, or the problem orders it itself."""
    wanted = set(variables)
    for assumption in problem.assumptions:
        expr, op = assumption.normalized()
        if op == "=":
            continue
        terms = sympy.Add.make_args(sympy.expand(expr))
        symbols = [t.as_coeff_Mul()[1] for t in terms]
        if len(terms) == 2 and set(symbols) <= wanted and all(s.is_Symbol for s in symbols):
            coefficients = sorted(t.as_coeff_Mul()[0] for t in terms)
            if coefficients[0] == -coefficients[1]:
                return True
    return False


def _shift(variables: tuple[sympy.Symbol, ...]) -> dict:
    return {variables[i]: variables[(i + 1) % len(variables)] for i in range(len(variables))}


def _moved(relation: Relation, move: dict) -> Relation:
    return Relation(relation.lhs.xreplace(move), relation.op, relation.rhs.xreplace(move))


def _multiple(expr: sympy.Expr, other: sympy.Expr, allow_negative: bool) -> bool:
    if other == 0:
        return _is_zero(expr)
    ratio = sympy.cancel(sympy.together(expr / other))
    return bool(ratio.is_Rational and (ratio > 0 or (allow_negative and ratio != 0)))


def _is_zero(expr: sympy.Expr) -> bool:
    numerator, _ = sympy.fraction(sympy.together(expr))
    return sympy.expand(numerator) == 0
