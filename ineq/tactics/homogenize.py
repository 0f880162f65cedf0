"""The homogenize tactic: use a normalising constraint (a + b + c = 3, abc = 1, x^2 + y^2 = 2) to
turn a non-homogeneous goal into a homogeneous one that no longer needs the constraint.

For an equality assumption `L = c` with L a homogeneous polynomial of degree d and c a nonzero
rational, write t = L / c (so t = 1 on the domain). After clearing denominators the goal reads
`N op 0` with N a polynomial; multiplying each term of degree k by t^((D - k) / d), D the smallest
degree >= deg N that every term reaches this way, gives a homogeneous N' with `N - N' = q * (L - c)`
for a polynomial q computed exactly. The parent's certificate is

    Identity(multiplier, (Lemma(1, N' op 0, sub), EqualityMultiple(L - c, q)))

and the subgoal `N' op 0` is stated WITHOUT the used equality (a certificate that does not use an
assumption stays valid with it), so that amgm and homogeneous sums of squares apply.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import EqualityMultiple, Identity, Lemma
from ineq.problem import Problem, Relation, make_problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import clear_denominators

TACTIC_NAME = "homogenize"


def homogenize(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per equality assumption of the `L = c` shape that homogenises the goal."""
    variables = goal.variables
    if not variables:
        return
    cleared = None
    for index, assumption in enumerate(goal.assumptions):
        if deadline.expired():
            return
        h, op = assumption.normalized()
        if op != "=":
            continue
        shape = normalising_constraint(sympy.expand(h), variables)
        if shape is None:
            continue
        if cleared is None:
            cleared = clear_denominators(goal)
            if cleared is None or cleared.op == "=":
                return
        homogenised = homogenise(cleared.polynomial, shape, variables)
        if homogenised is None:
            continue
        claim_poly, quotient = homogenised
        constraint, form, value, _ = shape
        claim = _as_relation(claim_poly, cleared.op, variables)
        rest = [a for i, a in enumerate(goal.assumptions) if i != index]
        subgoal = make_problem(rest, claim, extra_variables=variables)
        pieces_tail = (EqualityMultiple(constraint, quotient),) if quotient != 0 else ()

        def build(subs, claim=claim, pieces_tail=pieces_tail, multiplier=tuple(cleared.multiplier)):
            return Identity(multiplier, (Lemma(sympy.Integer(1), claim, subs[0]),) + pieces_tail)

        lines = []
        if cleared.explanation():
            lines.append(cleared.explanation())
        unit = sympy.sstr(form) if value == 1 else f"({sympy.sstr(form)})/{sympy.sstr(value)}"
        degree = sympy.Poly(claim_poly, *variables).total_degree()
        lines.append(f"Homogenise with {assumption}: multiply each term by a power of {unit} = 1 "
                     f"to reach degree {degree}.")
        lines.append(f"It suffices to prove the homogeneous inequality {claim}.")
        yield Attempt(TACTIC_NAME, goal, (subgoal,), build, tuple(lines))


def normalising_constraint(h: sympy.Expr, variables) -> tuple | None:
    """`(h, L, c, d)` when `h = L - c` with L homogeneous of degree d >= 1 and c a nonzero rational."""
    poly = _rational_poly(h, variables)
    if poly is None:
        return None
    constant = poly.coeff_monomial(1)
    if constant == 0:
        return None
    form = sympy.expand(h - constant)
    degrees = {sum(m) for m in sympy.Poly(form, *variables).monoms()}
    if len(degrees) != 1:
        return None
    return h, form, -constant, degrees.pop()


def homogenise(polynomial: sympy.Expr, shape: tuple, variables) -> tuple[sympy.Expr, sympy.Expr] | None:
    """`(N', q)` with N' homogeneous and `polynomial == N' + q * h` exactly; None if the polynomial
    is already homogeneous or its term degrees differ by non-multiples of the constraint's degree."""
    h, form, value, degree = shape
    poly = _rational_poly(polynomial, variables)
    if poly is None:
        return None
    term_degrees = {sum(m) for m in poly.monoms()}
    if len(term_degrees) <= 1:
        return None
    top = max(term_degrees)
    if any((top - k) % degree for k in term_degrees):
        return None
    ratio = form / value
    homogeneous = sympy.expand(sum(coefficient * sympy.Mul(*(v**e for v, e in zip(variables, monomial)))
                                   * ratio ** ((top - sum(monomial)) // degree)
                                   for monomial, coefficient in poly.terms()))
    quotient, remainder = sympy.div(sympy.expand(polynomial - homogeneous), h, *variables)
    if sympy.expand(remainder) != 0:
        return None
    return homogeneous, sympy.expand(quotient)


def _rational_poly(expr: sympy.Expr, variables) -> sympy.Poly | None:
    """`expr` as a polynomial with rational coefficients, or None (not a polynomial, or a coefficient
    such as sqrt(3) that is not rational)."""
    if not expr.is_polynomial(*variables):
        return None
    try:
        return sympy.Poly(expr, *variables, domain="QQ")
    except (sympy.PolynomialError, sympy.CoercionFailed):
        return None


def _as_relation(polynomial: sympy.Expr, op: str, variables) -> Relation:
    """`positive terms op negative terms` (reads better than `N op 0`); op is '>=' or '>'."""
    positive, negative = [], []
    for term in sympy.Add.make_args(polynomial):
        (positive if term.as_coeff_Mul()[0] > 0 else negative).append(term)
    return Relation(sympy.Add(*positive), op, -sympy.Add(*negative))
