"""The fudging tactic ("SOS-tangent" or isolated fudging): bound each term of a cyclic sum by its
share of the constant.

A goal `T(x_1..x_n) + T(x_2..x_n, x_1) + ... + K >= 0` (the n cyclic images of one term T, homogeneous
of degree 0, all variables assumed > 0, equality at x_1 = ... = x_n) follows from the n lemmas

    sigma^k(T)  >=  -K * x_{p+k}^r / (x_1^r + ... + x_n^r)          (k = 0 .. n-1)

whose right sides add up to -K. The exponent r is the one that makes the right side tangent to T at
the all-equal point (their derivatives in x_p agree there), the only r for which the lemma can hold;
a numerical sample rejects it when it does not. The classic instance is IMO 2001/2:
a/sqrt(a^2 + 8bc) >= a^(4/3) / (a^(4/3) + b^(4/3) + c^(4/3)). Each lemma is a subgoal of its own
(radicals and AM-GM usually close it); the kernel checks that the goal is the sum of the lemmas
exactly.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
import sympy

from ineq.kernel import Domain, Identity, Lemma
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "fudging"
_SAMPLES = 400
_SAMPLE_SEED = 7
_TOLERANCE = 1e-9


def fudging(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield at most one attempt per choice of the term's own variable whose lemmas pass the sample."""
    g, op = goal.goal.normalized()
    variables = goal.variables
    n = len(variables)
    if op != ">=" or n < 2 or not set(variables) <= Domain(goal).positive:
        return
    constant, terms = _constant_and_terms(sympy.expand(g, deep=False, mul=False, multinomial=False), variables)
    if constant is None or constant == 0 or len(terms) != n:
        return
    for order in (variables, tuple(reversed(variables))):
        term = terms[0]
        images = [term.xreplace(_shift(order, k)) for k in range(n)]
        if sympy.Add(*images) != sympy.Add(*terms):
            continue
        for own in order:
            if deadline.expired():
                return
            if not term.has(own):
                continue
            attempt = _attempt(goal, order, images, own, constant)
            if attempt is not None:
                yield attempt
        return


def _constant_and_terms(g: sympy.Expr, variables) -> tuple[sympy.Expr | None, list[sympy.Expr]]:
    """(K, [terms]) with g = K + sum(terms), K a rational constant; (None, []) when K is not rational."""
    constant = sympy.Integer(0)
    terms = []
    for term in sympy.Add.make_args(g):
        if term.free_symbols & set(variables):
            terms.append(term)
        else:
            constant += term
    if not constant.is_Rational:
        return None, []
    return constant, terms


def _shift(order, k: int) -> dict:
    n = len(order)
    return {order[i]: order[(i + k) % n] for i in range(n)}


def _attempt(goal: Problem, order, images, own, constant) -> Attempt | None:
    n = len(order)
    term = images[0]
    ones = {v: sympy.Integer(1) for v in order}
    share = -constant / n
    try:
        value = sympy.nsimplify(term.subs(ones))
        slope = sympy.nsimplify(sympy.diff(term, own).subs(ones))
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    if value != share or not slope.is_Rational:
        return None
    # d/dx_p of share * n * x_p^r / sum x^r at the all-equal point is share * r * (n - 1) / n.
    exponent = sympy.Rational(slope * n, share * (n - 1))
    power_sum = sympy.Add(*(v**exponent for v in order))
    start = order.index(own)
    bounds = [-constant * order[(start + k) % n] ** exponent / power_sum for k in range(n)]
    if not _holds_numerically(term - bounds[0], order):
        return None
    # Stated the way a reader expects: a term written with a minus sign (an upper bound on a sum)
    # gets the lemma `U <= bound` for U = -term.
    flipped = term.could_extract_minus_sign()
    claims = [Relation(-image, "<=", -bound) if flipped else Relation(image, ">=", bound)
              for image, bound in zip(images, bounds)]
    subgoals = tuple(goal.with_goal(claim) for claim in claims)

    def build(certificates):
        return Identity((), tuple(Lemma(sympy.Integer(1), claim, certificate)
                                  for claim, certificate in zip(claims, certificates)))

    names = " = ".join(map(str, order))
    lines = (f"Bound each term by its share of the total, with the exponent {exponent} chosen so that the bound "
             f"is tangent at {names}: " + "; ".join(str(claim) for claim in claims) + ".",
             f"The bounds add up to {sympy.sstr(-constant)}, which proves the inequality.")
    return Attempt(TACTIC_NAME, goal, subgoals, build, lines)


def _holds_numerically(difference: sympy.Expr, order) -> bool:
    """False when a random positive point (log-uniform over four decades) makes `difference` < 0:
    a cheap screen, so no time goes to a false lemma. Nothing here is trusted."""
    function = sympy.lambdify(order, difference, modules="numpy")
    rng = np.random.default_rng(_SAMPLE_SEED)
    points = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), size=(_SAMPLES, len(order))))
    with np.errstate(all="ignore"):
        try:
            values = np.asarray(function(*points.T), dtype=float)
        except (TypeError, ValueError, ZeroDivisionError):
            return False
    values = values[np.isfinite(values)]
    return values.size > 0 and bool(np.min(values) >= -_TOLERANCE)
