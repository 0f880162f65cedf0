"""The radical_tangent tactic: replace roots by bounds that touch them at the equality case.

When the goal (as `g >= 0`) contains `c * sqrt(E)`, a lower bound of sqrt(E) helps where c > 0 and an
upper bound where c < 0. Both come from the tangent of sqrt(E) at the goal's presumed equality case x0
(the all-equal point that satisfies the equality assumptions), so that no slack is lost there:

- lower: sqrt(E) >= L, L the tangent plane of sqrt(E) at x0. It holds wherever sqrt(E) is convex, for
  example when E is a positive semidefinite quadratic form (sqrt(E) is then a norm): Minkowski-type
  sums sqrt(a^2 + ab + b^2) + ... >= ... For a homogeneous quadratic E with E(x0) not a rational
  square the slope is rounded down (sqrt(E(x0)) rounded up to tenths), which only weakens the bound.
- upper: sqrt(E) <= (E + L^2) / (2L) for any L > 0 (AM-GM: the difference is (sqrt(E) - L)^2 / (2L)),
  with L as above; the kernel's positivity rule must accept L. A higher root E^(1/n) is bounded above
  the same way with the constant L = E(x0)^(1/n) when that is rational:
  E^(1/n) <= (E + (n - 1) L^n) / (n L^(n - 1)) (`cbrt(ab + bc) <= (ab + bc + 16)/12` at a = b = c = 2).

All boundable roots are replaced in one attempt. The certificate is the kernel's `Identity` with one
`Lemma` per bound (proved by the search, usually by squaring) and one `Lemma` for the rest:

    g = sum_i c_i (sqrt(E_i) - L_i) + sum_j (-c_j) (U_j - sqrt(E_j)) + g_remainder.

A lower bound may be false (sqrt(E) need not be convex) and the remainder may be false (the step is
lossy away from x0); the search's refuter prunes such subgoals.
"""

from __future__ import annotations

import math
from typing import Iterator

import sympy

from ineq.kernel import Domain, Identity, Lemma, is_nonnegative_by_coefficients, is_positive_factor
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline, is_monomial

TACTIC_NAME = "radical_tangent"


def radical_tangent(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt replacing every square root it can bound, or nothing."""
    g, op = goal.goal.normalized()
    if op == "=" or deadline.expired():
        return
    variables = goal.variables
    centre = _equality_point(goal)
    if centre is None:
        return
    domain = Domain(goal)
    expanded = sympy.expand(g)
    replacements, claims = {}, []  # radical -> bound; (sign of its coefficient, radical, bound, claim)
    for radical in sorted(expanded.atoms(sympy.Pow), key=sympy.default_sort_key):
        if not (radical.exp.is_Rational and radical.exp.p == 1 and radical.exp.q >= 2) \
                or not radical.base.is_polynomial(*variables):
            continue
        coefficient = expanded.coeff(radical)
        if coefficient == 0 or any(p.exp.is_Rational and not p.exp.is_Integer for p in coefficient.atoms(sympy.Pow)):
            continue  # a coefficient with roots of its own is not a plain multiple of this root
        sign = _sign(domain, coefficient)
        if sign == 0:
            continue
        if radical.exp.q > 2:
            # A root of a monomial is AM-GM's (or power_substitution's) to handle: a constant L would
            # also break the homogeneity of a homogeneous goal.
            bound = _root_upper_bound(radical, centre) if sign < 0 and not is_monomial(radical.base) else None
            if bound is None:
                continue
            replacements[radical] = bound
            claims.append((sign, radical, bound, Relation(-coefficient * bound, ">=", -coefficient * radical)))
            continue
        tangent = _tangent(radical.base, variables, centre, lower=sign > 0)
        if tangent is None:
            continue
        if sign > 0:
            bound = tangent
            claim = Relation(coefficient * radical, ">=", coefficient * bound)
        else:
            if not is_positive_factor(domain, sympy.expand(tangent)):
                continue  # (E + L^2)/(2L) needs L > 0 everywhere on the domain
            bound = (radical.base + tangent**2) / (2 * tangent)
            claim = Relation(-coefficient * bound, ">=", -coefficient * radical)
        replacements[radical] = bound
        claims.append((sign, radical, bound, claim))
    if not replacements:
        return
    remainder_expr = sympy.expand(expanded.xreplace(replacements))
    remainder = goal.with_goal(Relation(remainder_expr, op, 0))
    subgoals = tuple(goal.with_goal(claim) for _, _, _, claim in claims) + (remainder,)
    if goal in subgoals:
        return

    def build(certificates):
        pieces = [Lemma(sympy.Integer(1), claim, certificate)
                  for (_, _, _, claim), certificate in zip(claims, certificates[:-1])]
        pieces.append(Lemma(sympy.Integer(1), remainder.goal, certificates[-1]))
        return Identity((), tuple(pieces))

    shown = "; ".join(f"{sympy.sstr(radical)} {'>=' if sign > 0 else '<='} {sympy.sstr(bound)}"
                      for sign, radical, bound, _ in claims)
    yield Attempt(TACTIC_NAME, goal, subgoals, build,
                  (f"Bound each root by its tangent at {_show_point(variables, centre)}: {shown}.",
                   f"It remains to prove {remainder.goal}."))


def _sign(domain: Domain, coefficient: sympy.Expr) -> int:
    """+1 / -1 when the coefficient is a positive / negative constant or +- a polynomial that is
    nonnegative by its coefficients; 0 otherwise."""
    if coefficient.is_number:
        return 1 if coefficient > 0 else -1 if coefficient < 0 else 0
    if not coefficient.is_polynomial(*domain.variables):
        return 0
    if is_nonnegative_by_coefficients(domain, sympy.expand(coefficient)):
        return 1
    if is_nonnegative_by_coefficients(domain, sympy.expand(-coefficient)):
        return -1
    return 0


def _equality_point(goal: Problem) -> dict | None:
    """The all-equal point k * (1, ..., 1), k > 0 rational, that satisfies every equality assumption
    (k = 1 without any); None if there is none."""
    k = sympy.Symbol("k", positive=True)
    scale = None
    for assumption in goal.assumptions:
        if assumption.op != "=":
            continue
        expr, _ = assumption.normalized()
        along = sympy.expand(expr.xreplace({v: k for v in goal.variables}))
        if along == 0:
            continue
        if not along.is_polynomial(k):
            return None
        roots = [r for r in sympy.Poly(along, k).ground_roots() if r.is_Rational and r > 0]
        if not roots or (scale is not None and scale not in roots):
            return None
        scale = scale if scale is not None else roots[0]
    scale = sympy.Integer(1) if scale is None else scale
    return {v: scale for v in goal.variables}


def _root_upper_bound(radical: sympy.Expr, centre: dict) -> sympy.Expr | None:
    """For E^(1/n) with L = E(x0)^(1/n) a positive rational: the AM-GM bound
    E^(1/n) <= (E + (n - 1) L^n) / (n L^(n - 1)), equal to the root (with the same slope in E) at x0."""
    base, degree = radical.base, int(radical.exp.q)
    value = base.xreplace(centre)
    if not (value.is_Rational and value > 0):
        return None
    root = sympy.root(value, degree)
    if not root.is_Rational:
        return None
    return (base + (degree - 1) * value) / (degree * root ** (degree - 1))


def _tangent(base: sympy.Expr, variables, centre: dict, lower: bool) -> sympy.Expr | None:
    """The tangent of sqrt(base) at `centre`, a linear polynomial with rational coefficients, or None.
    For a homogeneous quadratic base whose value there is not a rational square, a lower bound uses
    a rounded-up root (a smaller slope)."""
    value = base.xreplace(centre)
    if not (value.is_Rational and value > 0):
        return None
    gradient = [sympy.diff(base, v).xreplace(centre) for v in variables]
    root = sympy.sqrt(value)
    if root.is_Rational:
        return sympy.expand(root + sum(d * (v - centre[v]) for d, v in zip(gradient, variables)) / (2 * root))
    poly = sympy.Poly(base, *variables)
    if not (lower and poly.is_homogeneous and poly.total_degree() == 2):
        return None
    rounded = sympy.Rational(math.ceil(math.sqrt(value) * 10), 10)
    # Euler: for a quadratic form, grad(E)(x0) . x / (2 sqrt(E(x0))) is the tangent plane itself.
    return sympy.expand(sum(d * v for d, v in zip(gradient, variables)) / (2 * rounded))


def _show_point(variables, centre: dict) -> str:
    return f"{', '.join(v.name for v in variables)} = {centre[variables[0]]}"
