"""Cauchy-Schwarz in Engel form (Titu's lemma): `sum p_i^2 / q_i >= (sum p_i)^2 / (sum q_i)` for q_i > 0.

The side of the goal that is a sum of fractions N_i / D_i is written as `p_i^2 / q_i`: with p_i = s
and q_i = D_i / c when N_i = c * s^2 (a^2/b: p = a, q = b), otherwise with the weight N_i itself,
p_i = N_i and q_i = N_i * D_i (a/(b+c) = a^2/(a(b+c)), which keeps the equality case a = b = c).
The goal then follows from two lemmas: the Titu instance, whose certificate is emitted directly
(Lagrange's identity, no SDP)

    (prod q) * (sum q) * (sum p_i^2/q_i - (sum p)^2/(sum q)) = sum_{i<j} (p_i q_j - p_j q_i)^2 * prod_{k != i,j} q_k,

and the remaining subgoal `(sum p)^2 / (sum q) >= other side`, left to the search (omitted when it
is identically 0 >= 0). Every q_i and sum q must be positive by the kernel's multiplier rule, and the
products of the other q_k are expanded into monomials over sign-assumed variables (Square pieces).
"""

from __future__ import annotations

import itertools
from typing import Iterator

import sympy

from ineq.kernel import Domain, Identity, Lemma, Square, check, is_positive_factor
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "cauchy_schwarz"
_MAX_TERMS = 6  # Lagrange's identity has n(n-1)/2 squares times products of n-2 denominators


def cauchy_schwarz(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield up to two attempts (numerators as squares where possible, then every term weighted
    by its numerator), each reducing the goal to `(sum p)^2 / (sum q) >= other side`."""
    op = goal.goal.op
    if op == "=":
        return
    fraction_side, other = (goal.goal.lhs, goal.goal.rhs) if op in (">=", ">") else (goal.goal.rhs, goal.goal.lhs)
    strict = op in (">", "<")
    fractions, plain = [], []
    for term in sympy.Add.make_args(fraction_side):
        numerator, denominator = sympy.fraction(sympy.together(term))
        if denominator.free_symbols:
            fractions.append((sympy.expand(numerator), denominator))
        else:
            plain.append(term)
    if not 2 <= len(fractions) <= _MAX_TERMS:
        return
    domain = Domain(goal)
    seen = set()
    for use_squares in (True, False):
        if deadline.expired():
            return
        pairs = [_engel_pair(n, d, use_squares) for n, d in fractions]
        if any(pair is None for pair in pairs) or tuple(pairs) in seen:
            continue
        seen.add(tuple(pairs))
        attempt = _attempt(goal, domain, pairs, other - sympy.Add(*plain), strict)
        if attempt is not None:
            yield attempt


def _engel_pair(numerator: sympy.Expr, denominator: sympy.Expr, use_squares: bool):
    """`(p, q)` with `numerator/denominator == p^2/q`, p and q polynomials, or None."""
    if use_squares:
        coefficient, factors = sympy.factor_list(numerator)
        if coefficient > 0 and all(power % 2 == 0 for _, power in factors):  # 1 = 1^2 included
            root = sympy.Mul(*(f ** (power // 2) for f, power in factors))
            return sympy.expand(root), sympy.expand(denominator / coefficient)
    if numerator.is_Number:
        return None  # a constant numerator is the squares case or cannot be weighted
    return numerator, sympy.expand(numerator * denominator)


def _attempt(goal: Problem, domain: Domain, pairs, bound_other: sympy.Expr, strict: bool) -> Attempt | None:
    variables = goal.variables
    ps = [p for p, _ in pairs]
    qs = [q for _, q in pairs]
    if not all(sympy.sympify(x).is_polynomial(*variables) for x in ps + qs):
        return None
    total_q = sympy.expand(sum(qs))
    if not all(is_positive_factor(domain, q) for q in qs + [total_q]):
        return None
    engel_side = sympy.Add(*(p**2 / q for p, q in pairs))
    bound = sympy.Add(*ps) ** 2 / sympy.factor(total_q)
    titu = Relation(engel_side, ">=", bound)
    titu_certificate = lagrange_certificate(domain, ps, qs)
    if titu_certificate is None or not check(goal.with_goal(titu), titu_certificate):
        return None
    titu_lemma = Lemma(sympy.Integer(1), titu, titu_certificate)
    rest = Relation(bound, ">" if strict else ">=", bound_other)
    shown_terms = " + ".join(f"({sympy.sstr(p)})^2/({sympy.sstr(sympy.factor(q))})" for p, q in pairs)
    lines = [f"By Cauchy-Schwarz in Engel form, {shown_terms} >= {sympy.sstr(bound)}."]
    difference = sympy.cancel(sympy.together(bound - bound_other))
    if difference == 0 and not strict:
        lines.append("The right-hand side is exactly the bound, which proves the inequality.")
        return Attempt(TACTIC_NAME, goal, (), lambda _subs: Identity((), (titu_lemma,)), tuple(lines))
    lines.append(f"It remains to prove {rest}.")
    return Attempt(TACTIC_NAME, goal, (goal.with_goal(rest),),
                   lambda subs: Identity((), (titu_lemma, Lemma(sympy.Integer(1), rest, subs[0]))), tuple(lines))


def lagrange_certificate(domain: Domain, ps, qs) -> Identity | None:
    """The Identity proving `sum p_i^2/q_i >= (sum p)^2/(sum q)` by Lagrange's identity, or None
    when a product of denominators has a monomial the kernel cannot see as nonnegative."""
    variables = domain.variables
    multiplier = (sympy.expand(sum(qs)),) + tuple(qs)
    pieces = []
    for i, j in itertools.combinations(range(len(ps)), 2):
        cross = sympy.expand(ps[i] * qs[j] - ps[j] * qs[i])
        if cross == 0:
            continue
        others = sympy.expand(sympy.Mul(*(q for k, q in enumerate(qs) if k not in (i, j))))
        poly = sympy.Poly(others, *variables, domain="QQ")
        for monomial, coefficient in poly.terms():
            if coefficient < 0:
                return None
            atoms, square_part = [], sympy.Integer(1)
            for variable, exponent in zip(variables, monomial):
                square_part *= variable ** (exponent // 2)
                if exponent % 2:
                    if domain.atom_strictness(variable) is None:
                        return None
                    atoms.append(variable)
            pieces.append(Square(sympy.Rational(coefficient), tuple(atoms), sympy.expand(square_part * cross)))
    return Identity(multiplier, tuple(pieces))
