"""The assumption_denominators tactic: replace an assumption with denominators by its polynomial form.

The closing tactics read polynomial assumptions. For an assumption `h op 0` whose cleared form is
`D * h = P` (D the denominator's factors), this proposes the kernel's `Cut` of `P op 0`, proved as
`EqualityMultiple(h, D)` for an equality or as `Square` pieces `c * h * monomial` when D has
nonnegative coefficients and nonnegative monomials (so that D * h keeps h's sign), followed by
`Weaken`, which drops the rational form. For an equality the replacement may admit extra points
where D = 0; the subgoal is then a relaxation, which the search (and its refuter) may reject.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import (
    Cut,
    Domain,
    EqualityMultiple,
    Identity,
    Square,
    Weaken,
    cut_problem,
    is_positive_factor,
    weakened_problem,
)
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import denominator_factors

TACTIC_NAME = "assumption_denominators"


def assumption_denominators(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt that replaces every assumption with a variable denominator by its
    polynomial form (those it can), or nothing when there is none."""
    replacements = []
    for assumption in goal.assumptions:
        if deadline.expired():
            return
        replacement = _polynomial_form(goal, assumption)
        if replacement is not None:
            replacements.append((assumption, *replacement))
    if not replacements:
        return
    # Cut every polynomial form first (each proved under the original assumptions), then drop the
    # rational forms one by one, exactly as the nested certificate is checked.
    problem = goal
    for _, claim, _ in replacements:
        problem = cut_problem(problem, claim)
    for assumption, _, _ in replacements:
        problem = weakened_problem(problem, assumption)

    def build(certificates):
        certificate = certificates[0]
        for assumption, _, _ in reversed(replacements):
            certificate = Weaken(assumption, certificate)
        for _, claim, claim_certificate in reversed(replacements):
            certificate = Cut(claim, claim_certificate, certificate)
        return certificate

    shown = "; ".join(f"{assumption} becomes {claim}" for assumption, claim, _ in replacements)
    yield Attempt(TACTIC_NAME, goal, (problem,), build,
                  (f"Clear the denominators of the assumptions: {shown}.",))


def _polynomial_form(goal: Problem, assumption: Relation) -> tuple[Relation, Identity] | None:
    """(`P op 0`, its certificate) for an assumption `h op 0` with D * h = P, or None."""
    h, op = assumption.normalized()
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(h)))
    variables = goal.variables
    if denominator.is_Rational or not (numerator.is_polynomial(*variables) and denominator.is_polynomial(*variables)):
        return None
    domain = Domain(goal)
    multiplier = sympy.Integer(1)
    for factor, power in denominator_factors(denominator, variables):
        if op != "=" and not is_positive_factor(domain, factor):
            factor = -factor
            if not is_positive_factor(domain, factor):
                return None
        multiplier *= factor ** power
    multiplier = sympy.expand(multiplier)
    polynomial = sympy.expand(sympy.cancel(multiplier * h))
    if not polynomial.is_polynomial(*variables):
        return None
    claim = Relation(polynomial, op, 0)
    if op == "=":
        return claim, Identity((), (EqualityMultiple(h, multiplier),))
    return claim, Identity((), _signed_pieces(h, multiplier, variables, domain.positive, strict=op == ">"))


def _signed_pieces(h: sympy.Expr, multiplier: sympy.Expr, variables, positive: set,
                   strict: bool) -> tuple[Square, ...]:
    """`multiplier * h` as Square pieces `c * h * x^k`: every odd power of a variable becomes an atom
    (the positivity rule made it nonnegative), the even part the squared monomial. For a strict
    assumption, one monomial in positive variables writes them all as atoms so the kernel sees `> 0`
    (the positivity rule guarantees such a monomial)."""
    pieces = []
    strict_done = not strict
    poly = sympy.Poly(multiplier, *variables)
    for exponents, coefficient in poly.terms():
        if not strict_done and all(e == 0 or v in positive for v, e in zip(variables, exponents)):
            atoms = (h,) + tuple(v for v, e in zip(variables, exponents) for _ in range(e))
            pieces.append(Square(coefficient, atoms, sympy.Integer(1)))
            strict_done = True
            continue
        atoms = (h,) + tuple(v for v, e in zip(variables, exponents) if e % 2)
        root = sympy.Mul(*(v ** (e // 2) for v, e in zip(variables, exponents)))
        pieces.append(Square(coefficient, atoms, root))
    return tuple(pieces)
