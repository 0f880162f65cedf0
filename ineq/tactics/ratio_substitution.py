"""The ratio_substitution tactic: a product constraint over positive variables becomes ratios.

For an equality assumption `v_1 v_2 ... v_n = r^n` (distinct variables, each > 0 on the domain, r a
positive rational, 2 <= n <= 4) propose the kernel's `ChangeVariables` with

    v_i = r * w_i / w_(i+1)   (indices cyclic),   w_1 = 1,  w_(i+1) = r^i / (v_1 ... v_i),

the olympiad substitution abc = 1 -> a = x/y, b = y/z, c = z/x. The product constraint becomes an
identity and the positivity of the v_i follows from w > 0, so those assumptions are dropped; a
goal that was rational in the v_i is then homogeneous of degree 0 in the w_i, which clearing
denominators turns into a homogeneous polynomial inequality without constraints (IMO 2000/2:
(a - 1 + 1/b)(b - 1 + 1/c)(c - 1 + 1/a) <= 1 becomes Schur's inequality).
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import ChangeVariables, Domain, changed_problem
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline, equality_assumptions, fresh_names

TACTIC_NAME = "ratio_substitution"
_NAMES = "xyzwuvpqst"
_MAX_FACTORS = 4


def ratio_substitution(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per product constraint of the shape above."""
    domain = Domain(goal)
    for index, h in equality_assumptions(goal, deadline):
        assumption = goal.assumptions[index]
        shape = product_constraint(h, goal.variables, domain)
        if shape is None:
            continue
        factors, root = shape
        names = fresh_names(goal, len(factors), _NAMES, "w")
        n = len(factors)
        forward = tuple((v, root * names[i] / names[(i + 1) % n]) for i, v in enumerate(factors))
        inverse = [(names[0], sympy.Integer(1))]
        for i in range(1, n):
            inverse.append((names[i], root**i / sympy.Mul(*factors[:i])))
        positivity = {i for i, a in enumerate(goal.assumptions)
                      if a.normalized()[1] != "=" and a.normalized()[0] in factors}
        dropped = tuple(sorted(positivity | {index}))
        change = ChangeVariables(forward, tuple(inverse), dropped, None)
        reduced = changed_problem(goal, change)

        def build(subs, change=change):
            return ChangeVariables(change.forward, change.inverse, change.dropped, subs[0])

        shown = ", ".join(f"{v} = {sympy.sstr(e)}" for v, e in forward)
        yield Attempt(TACTIC_NAME, goal, (reduced,), build,
                      (f"Since {assumption}, write {shown} with {', '.join(map(str, names))} > 0.",
                       f"It remains to prove {reduced.goal}."))


def product_constraint(h: sympy.Expr, variables, domain: Domain) -> tuple[list, sympy.Rational] | None:
    """`(factors, r)` when `h = 0` reads `k * v_1 ... v_n = c` with distinct variables v_i > 0 on the
    domain, 2 <= n <= 4, and c/k = r^n for a positive rational r; otherwise None."""
    if not h.is_polynomial(*variables) or not h.free_symbols <= set(variables):
        return None
    terms = sympy.Poly(h, *variables, domain="QQ").terms()
    if len(terms) != 2:
        return None
    (monomial, coefficient), (constant_monomial, constant) = sorted(terms, key=lambda t: -sum(t[0]))
    if sum(constant_monomial) or any(e > 1 for e in monomial):
        return None
    factors = [v for v, e in zip(variables, monomial) if e]
    if not 2 <= len(factors) <= _MAX_FACTORS or not set(factors) <= domain.positive:
        return None
    value = sympy.Rational(-constant, coefficient)
    if value <= 0:
        return None
    root = sympy.root(value, len(factors))
    return (factors, root) if root.is_Rational else None


