"""The tangent line trick: a separable goal `sum_i f_i(x_i) + K >= 0` under `x_1 + ... + x_n = S`.

At the equality point m = S/n every f_i gets its tangent line; when the slopes f_i'(m) agree (always
so for one f used for every variable) and each f_i lies above its tangent on its variable's own
domain, summing the n one-variable lemmas gives

    g = sum_i [f_i(x_i) - f_i(m) - d (x_i - m)]  +  d (x_1 + ... + x_n - S)  +  (sum_i f_i(m) + K)

with d the common slope: lemmas, one equality multiple and a nonnegative constant. Each lemma is a
subgoal in ONE variable (only that variable's assumptions), which sos or amgm closes after clearing
denominators. When f_i lies above its tangent only for x_i <= S (e.g. a/(2 - a) under a + b + c = 1)
and the other summed variables are nonnegative, the lemma is stated under all the assumptions and
x_i = S - (the others) is substituted (kernel `Substitute` inside the `Lemma`), so the bound comes
from the other variables' signs and denominators such as 2 - a become 1 + b + c. A cheap numerical sample rejects tangent lines that cross f_i, so no time is spent on
false subgoals. Only `>=`/`>` goals (after normalising, so `<=` goals too) are handled.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import sympy

from ineq.kernel import (
    Domain,
    EqualityMultiple,
    Identity,
    Lemma,
    Square,
    Substitute,
    substituted_problem,
)
from ineq.problem import Problem, Relation, make_problem
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "tangent_line"
# Sample points, as multiples of max(|m|, 1) around the equality point, for the numerical screen.
_SAMPLES = [Fraction(k, 16) for k in range(-64, 161)]


def tangent_line(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per equality assumption `c * (x_1 + ... + x_n) = c * S` (n >= 2) for
    which the goal separates into one-variable parts with a common slope at S/n."""
    g, op = goal.goal.normalized()
    if op == "=":
        return
    for assumption in goal.assumptions:
        if deadline.expired():
            return
        h, assumption_op = assumption.normalized()
        if assumption_op != "=":
            continue
        h = sympy.expand(h)
        shape = _equal_weight_sum(h, goal.variables)
        if shape is None:
            continue
        summed, weight, total = shape
        attempt = _attempt(goal, g, op, h, assumption, summed, weight, total)
        if attempt is not None:
            yield attempt


def _equal_weight_sum(h: sympy.Expr, variables) -> tuple | None:
    """`(vars, w, S)` when `h = w * (sum(vars) - S)` with w a nonzero rational and len(vars) >= 2."""
    if not h.is_polynomial(*variables):
        return None
    poly = sympy.Poly(h, *variables, domain="QQ")
    if poly.total_degree() != 1:
        return None
    summed, weights = [], set()
    for variable in variables:
        coefficient = poly.coeff_monomial(variable)
        if coefficient != 0:
            summed.append(variable)
            weights.add(coefficient)
    if len(summed) < 2 or len(weights) != 1:
        return None
    weight = weights.pop()
    return tuple(summed), weight, -poly.coeff_monomial(1) / weight


def separate(g: sympy.Expr, summed) -> tuple[dict, sympy.Expr] | None:
    """`({v: f_v(v)}, K)` with `g == sum f_v(v) + K`, or None when a term mixes variables or uses a
    variable outside `summed`."""
    parts = {v: sympy.Integer(0) for v in summed}
    constant = sympy.Integer(0)
    for term in sympy.Add.make_args(sympy.expand(g)):
        symbols = term.free_symbols
        if not symbols:
            constant += term
        elif len(symbols) == 1 and next(iter(symbols)) in parts:
            parts[next(iter(symbols))] += term
        else:
            return None
    return parts, constant


def _attempt(goal: Problem, g, op, h, assumption, summed, weight, total) -> Attempt | None:
    separated = separate(g, summed)
    if separated is None:
        return None
    parts, constant = separated
    point = total / len(summed)
    slopes, values = set(), []
    for variable, part in parts.items():
        try:
            value = part.subs(variable, point)
            slope = sympy.diff(part, variable).subs(variable, point)
        except (ZeroDivisionError, TypeError):
            return None
        if not (value.is_Rational and slope.is_Rational):
            return None  # undefined at the equality point, or not a rational function
        slopes.add(slope)
        values.append(value)
    if len(slopes) != 1:
        return None
    slope = slopes.pop()
    leftover = sympy.nsimplify(sum(values) + constant)
    if not leftover.is_Rational or leftover < 0 or (op == ">" and leftover == 0):
        return None
    claims, subgoals, eliminated = [], [], []
    nonnegative = Domain(goal).nonnegative
    bounded = total >= 0 and all(v in nonnegative for v in summed)
    for variable, part in parts.items():
        tangent = sympy.expand(part.subs(variable, point) + slope * (variable - point))
        own = [a for a in goal.assumptions if a.free_symbols() <= {variable}]
        # Stated the way the goal reads: a `<=` goal gets `f(x) <= tangent` lemmas.
        flipped = goal.goal.op in ("<=", "<")
        claim = Relation(-part, "<=", -tangent) if flipped else Relation(part, ">=", tangent)
        if _above_tangent_numerically(part - tangent, variable, own, point):
            subgoals.append(make_problem(own, claim, extra_variables=(variable,)))
            eliminated.append(None)
        elif bounded and _above_tangent_numerically(part - tangent, variable,
                                                    own + [Relation(variable, "<=", total)], point):
            # Only true for x <= S, which the other (nonnegative) variables of the sum give: state the
            # lemma under all assumptions and eliminate x = S - (the others) with the equality, which
            # also turns denominators such as 2 - a (under a + b + c = 1) into 1 + b + c.
            expression = sympy.expand(total - sum(v for v in summed if v != variable))
            index = goal.assumptions.index(assumption)
            subgoals.append(substituted_problem(goal.with_goal(claim), index, variable, expression))
            eliminated.append((variable, expression))
        else:
            return None
        claims.append(claim)
    tail = (EqualityMultiple(h, slope / weight),) if slope != 0 else ()
    if leftover > 0:
        tail += (Square(leftover, (), sympy.Integer(1)),)

    def build(subs):
        lemmas = []
        for claim, sub, substitution in zip(claims, subs, eliminated):
            certificate = sub if substitution is None else Substitute(substitution[0], substitution[1], sub)
            lemmas.append(Lemma(sympy.Integer(1), claim, certificate))
        return Identity((), tuple(lemmas) + tail)

    names = ", ".join(map(str, summed))
    lines = [f"Tangent line at {names} = {point}: " + "; ".join(f"{c}" for c in claims) + "."]
    substituted = [f"{v} = {sympy.sstr(e)}" for v, e in filter(None, eliminated)]
    if substituted:
        lines.append(f"These hold only because each variable is at most {total} (the others are nonnegative); "
                     f"each is proved after substituting {', '.join(substituted)} (from {assumption}).")
    lines.append(f"Summing over {names} and using {assumption}"
                 + (f", the sum of the tangent lines is {sympy.sstr(-constant)}" if leftover == 0 else
                    f", the sum of the tangent lines exceeds the bound by {leftover}") + ".")
    return Attempt(TACTIC_NAME, goal, tuple(subgoals), build, tuple(lines))


def _above_tangent_numerically(difference: sympy.Expr, variable, assumptions, point) -> bool:
    """False when a sample point satisfying `assumptions` has difference < 0 (a cheap screen; the
    subgoal's proof decides)."""
    scale = max(abs(Fraction(int(point.p), int(point.q))), Fraction(1))
    function = sympy.lambdify(variable, difference, "math")
    for fraction in _SAMPLES:
        x = float(fraction * scale)
        if not all(_holds(a, variable, x) for a in assumptions):
            continue
        try:
            value = function(x)
        except (ZeroDivisionError, ValueError, OverflowError):
            continue
        if isinstance(value, complex) or value < -1e-9 * (1 + abs(x)) ** 6:
            return False
    return True


def _holds(assumption: Relation, variable, x: float) -> bool:
    expr, op = assumption.normalized()
    try:
        value = float(expr.subs(variable, x))
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return value > 0 if op == ">" else (value >= 0 if op == ">=" else abs(value) < 1e-12)
