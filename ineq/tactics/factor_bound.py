"""The factor_bound tactic: bound each factor of a product of one-variable polynomials by a tangent.

For a goal `f_1(x_1) * ... * f_n(x_n) >= R` (distinct variables, each >= 0, each f_i of degree >= 2)
whose diagonal x_1 = ... = x_n = t has a double root at a rational t > 0 (the equality case), replace
every f_i by the simpler g_i(x) = alpha x^k + beta that touches it at t (same value and slope), for
k = deg f_i - 1 down to 1 with alpha, beta >= 0. USAMO 2004/5: a^5 - a^2 + 3 >= a^3 + 2, and then
(a^3 + 2)(b^3 + 2)(c^3 + 2) >= (a + b + c)^3 is Hölder's inequality.

Subgoals: each one-variable claim f_i - g_i >= 0, and the product of the g_i >= R. The certificate cuts
in f_i - g_i >= 0, g_i >= 0 (by its coefficients) and f_i >= 0 (their sum), then telescopes:

    prod f - prod g = sum_j g_1 ... g_(j-1) (f_j - g_j) f_(j+1) ... f_n,

each term a product of cut-in atoms, plus the lemma prod g >= R. A numerical screen drops bounds
that cross f_i on a sample of points.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import sympy

from ineq.kernel import Cut, Domain, Identity, Lemma, Square
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "factor_bound"
_SAMPLES = [Fraction(k, 8) for k in range(0, 81)]


def factor_bound(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per exponent k for which every factor has a tangent bound."""
    shape = _product_shape(goal)
    if shape is None or deadline.expired():
        return
    factors, other, op = shape
    point = _equality_point(factors, other, op)
    if point is None:
        return
    degree = min(sympy.degree(f, v) for v, f in factors)
    for k in range(degree - 1, 0, -1):
        if deadline.expired():
            return
        bounds = [_tangent(f, v, point, k) for v, f in factors]
        if any(b is None for b in bounds):
            continue
        claims = [Relation(f, ">=", g) for (v, f), g in zip(factors, bounds)]
        product = sympy.Mul(*bounds)
        main = Relation(product, op, other) if op in (">=", ">") else Relation(other, op, product)
        subgoals = tuple(goal.with_goal(c) for c in claims) + (goal.with_goal(main),)
        yield Attempt(TACTIC_NAME, goal, subgoals,
                      lambda subs, factors=factors, bounds=bounds, claims=claims, main=main:
                      _certificate(factors, bounds, claims, main, subs),
                      tuple(f"{sympy.sstr(c.lhs)} >= {sympy.sstr(c.rhs)} for {v} >= 0 (tangent at {v} = {point})."
                            for c, (v, _) in zip(claims, factors))
                      + (f"So it suffices to prove {main}.",))


def _product_shape(goal: Problem):
    """`([(v_i, f_i)], R, op)` when the goal's larger side is a product of one-variable polynomials of
    degree >= 2 in distinct variables, each assumed >= 0; op is the goal's relation read from the
    product's side ('>=' or '>')."""
    relation = goal.goal
    if relation.op in (">=", ">"):
        big, other, op = relation.lhs, relation.rhs, relation.op
    elif relation.op in ("<=", "<"):
        big, other, op = relation.rhs, relation.lhs, {"<=": ">=", "<": ">"}[relation.op]
    else:
        return None
    if not big.is_Mul:
        return None
    domain = Domain(goal)
    factors = []
    for factor in big.args:
        symbols = factor.free_symbols
        if len(symbols) != 1:
            return None
        (variable,) = symbols
        if (variable not in domain.nonnegative or not factor.is_polynomial(variable)
                or sympy.degree(factor, variable) < 2 or variable in {v for v, _ in factors}):
            return None
        factors.append((variable, sympy.expand(factor)))
    if len(factors) < 2 or not other.is_polynomial(*goal.variables):
        return None
    return factors, other, op


def _equality_point(factors, other, op) -> sympy.Rational | None:
    """The smallest rational t > 0 where the goal on the diagonal x_i = t has a double root."""
    t = sympy.Symbol("t", positive=True)
    diagonal = sympy.expand(sympy.Mul(*(f.subs(v, t) for v, f in factors))
                            - other.subs({v: t for v, _ in factors}))
    if diagonal == 0:
        return None
    _, parts = sympy.factor_list(diagonal, t)
    roots = []
    for part, multiplicity in parts:
        if multiplicity >= 2 and sympy.degree(part, t) == 1:
            root = sympy.solve(part, t)[0]
            if root.is_Rational and root > 0:
                roots.append(root)
    return min(roots) if roots else None


def _tangent(f: sympy.Expr, v: sympy.Symbol, t: sympy.Rational, k: int) -> sympy.Expr | None:
    """alpha v^k + beta with the value and slope of f at t, alpha > 0, beta >= 0, below f on the
    sample points; None otherwise."""
    slope = sympy.diff(f, v).subs(v, t)
    alpha = slope / (k * t ** (k - 1))
    beta = f.subs(v, t) - alpha * t**k
    if alpha <= 0 or beta < 0:
        return None
    bound = alpha * v**k + beta
    gap = sympy.lambdify(v, f - bound)
    if any(gap(float(x * t)) < -1e-9 for x in _SAMPLES):
        return None
    return bound


def _certificate(factors, bounds, claims, main, subs):
    """Cut in f_j - g_j >= 0, g_j >= 0 and f_j >= 0 for every j, then telescope (module docstring)."""
    claim_certificates, main_certificate = subs[:-1], subs[-1]
    pieces = []
    for j, ((_, f), g) in enumerate(zip(factors, bounds)):
        atoms = tuple(bounds[:j]) + (sympy.expand(f - g),) + tuple(fi for _, fi in factors[j + 1:])
        pieces.append(Square(sympy.Integer(1), atoms, sympy.Integer(1)))
    pieces.append(Lemma(sympy.Integer(1), main, main_certificate))
    certificate = Identity((), tuple(pieces))
    for ((v, f), g, claim, claim_certificate) in reversed(list(zip(factors, bounds, claims, claim_certificates))):
        sum_of_parts = Identity((), (Square(sympy.Integer(1), (sympy.expand(f - g),), sympy.Integer(1)),
                                     Square(sympy.Integer(1), (g,), sympy.Integer(1))))
        certificate = Cut(Relation(f, ">=", 0), sum_of_parts, certificate)
        certificate = Cut(Relation(g, ">=", 0), _by_coefficients(g, v), certificate)
        certificate = Cut(claim, claim_certificate, certificate)
    return certificate


def _by_coefficients(g: sympy.Expr, v: sympy.Symbol) -> Identity:
    """alpha v^k + beta >= 0 for v >= 0: one square per term."""
    pieces = []
    for (exponent,), coefficient in sympy.Poly(g, v).terms():
        pieces.append(Square(sympy.Rational(coefficient), (v,) * (exponent % 2), v ** (exponent // 2)))
    return Identity((), tuple(pieces))
