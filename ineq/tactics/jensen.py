"""The jensen tactic: Jensen's inequality, with convexity left as subgoals in tangent-line form.

For a goal `sum_i w_i f(x_i) >= s f(M / s)` with rational weights w_i > 0, s = sum_i w_i, variables x_i and
M = sum_i w_i x_i (or the same with `<=`, for concave f), each term is bounded by the tangent of f at the
weighted mean m = M / s:

    f(x_i) >= f(m) + f'(m) (x_i - m),

and the weighted sum of these bounds is exactly the goal, because sum_i w_i (x_i - m) = 0. The bounds are
the convexity of f, stated at the points where it is used; they are the subgoals, and the certificate is an
identity whose pieces are the bounds as lemmas. f is read off the first term (any expression in one
variable); the tactic applies only when every other term is the same function of its own variable.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Identity, Lemma
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "jensen"
_POINT = sympy.Dummy("t")


def jensen(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt whose subgoals are the tangent bounds, when the goal has Jensen's shape."""
    if goal.goal.op not in (">=", "<=") or deadline.expired():
        return
    for sum_side, other, convex in ((goal.goal.lhs, goal.goal.rhs, goal.goal.op == ">="),
                                    (goal.goal.rhs, goal.goal.lhs, goal.goal.op == "<=")):
        shape = _jensen_shape(sum_side, other, goal.variables)
        if shape is not None:
            yield _attempt(goal, *shape, convex)
            return


def _jensen_shape(sum_side: sympy.Expr, other: sympy.Expr, variables) -> tuple | None:
    """(f as an expression in _POINT, [(w_i, x_i)], m) when `sum_side` is sum_i w_i f(x_i) over two or
    more distinct variables and `other` is s f(m) with m the weighted mean; else None."""
    terms = []
    for term in sympy.Add.make_args(sum_side):
        weight, rest = term.as_coeff_Mul()
        symbols = rest.free_symbols
        if not (weight.is_Rational and weight > 0 and len(symbols) == 1):
            return None
        (point,) = symbols
        if point not in variables:
            return None
        terms.append((weight, point, rest))
    points = [point for _, point, _ in terms]
    if len(terms) < 2 or len(set(points)) != len(points):
        return None
    function = terms[0][2].xreplace({terms[0][1]: _POINT})
    if function.is_polynomial(_POINT) and sympy.Poly(function, _POINT).degree() <= 1:
        return None  # a linear f: nothing to prove beyond an identity
    if function.has(sympy.Abs, sympy.Min, sympy.Max, sympy.sign):
        return None  # not differentiable everywhere: no tangent to take
    if any(sympy.simplify(rest - function.xreplace({_POINT: point})) != 0 for _, point, rest in terms[1:]):
        return None
    total = sum(weight for weight, _, _ in terms)
    mean = sum(weight * point for weight, point, _ in terms) / total
    if sympy.simplify(other - total * function.xreplace({_POINT: mean})) != 0:
        return None
    return function, [(weight, point) for weight, point, _ in terms], mean


def _attempt(goal: Problem, function: sympy.Expr, terms: list, mean: sympy.Expr, convex: bool) -> Attempt:
    slope = sympy.diff(function, _POINT).xreplace({_POINT: mean})
    at_mean = function.xreplace({_POINT: mean})
    claims = []
    for _, point in terms:
        tangent = at_mean + slope * (point - mean)
        value = function.xreplace({_POINT: point})
        claims.append(Relation(value, ">=", tangent) if convex else Relation(tangent, ">=", value))
    weights = [weight for weight, _ in terms]

    def build(subs, claims=tuple(claims)):
        return Identity((), tuple(Lemma(weight, claim, sub) for weight, claim, sub in zip(weights, claims, subs)))

    kind = "convex" if convex else "concave"
    shown = sympy.sstr(function.xreplace({_POINT: sympy.Symbol("t")}))
    lines = (f"Jensen's inequality for f(t) = {shown}: each f(x) lies {'above' if convex else 'below'} the "
             f"tangent of f at the weighted mean m = {sympy.sstr(mean)} ({kind} f), and the weighted sum of "
             f"the tangents is f(m). It suffices to prove the {len(claims)} tangent bounds.",)
    return Attempt(TACTIC_NAME, goal, tuple(goal.with_goal(claim) for claim in claims), build, lines)
