"""The radical_amgm tactic: bound each square root of a product from above by AM-GM.

When the goal (as `g >= 0`) contains `-c * sqrt(u * v)` with c > 0 and u, v nonnegative on the domain,
`sqrt(u v) <= (u + v)/2` turns it into `-c * (u + v)/2`. Every such term is replaced at once; the
certificate is the kernel's `Identity` with one `Lemma` per bound (proved by the search, e.g. by the
radicals tactic) and one `Lemma` for the radical-free remainder:

    g = sum_i c_i * ((u_i + v_i)/2 - sqrt(u_i v_i)) + g_remainder.

The step is lossy (equality needs u = v), so the remainder can be false; the search's refuter then
prunes it.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Domain, Identity, Lemma, is_positive_factor
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "radical_amgm"


def radical_amgm(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt replacing every boundable square root, or nothing."""
    g, op = goal.goal.normalized()
    if op == "=" or deadline.expired():
        return
    domain = Domain(goal)
    expanded = sympy.expand(g)
    bounds = []  # (c, radical, u, v)
    for radical in sorted(expanded.atoms(sympy.Pow), key=sympy.default_sort_key):
        if radical.exp != sympy.Rational(1, 2):
            continue
        coefficient = expanded.coeff(radical)
        if not (coefficient.is_Rational and coefficient < 0):
            continue
        split = _two_nonnegative_factors(domain, radical.base, goal.variables)
        if split is not None:
            bounds.append((-coefficient, radical, *split))
    if not bounds:
        return
    remainder_expr = expanded
    claims = []
    for c, radical, u, v in bounds:
        remainder_expr = remainder_expr.subs(radical, (u + v) / 2)
        claims.append((c, Relation((u + v) / 2, ">=", radical)))
    remainder = goal.with_goal(Relation(sympy.expand(remainder_expr), op, 0))
    subgoals = tuple(goal.with_goal(claim) for _, claim in claims) + (remainder,)
    if goal in subgoals:
        return  # the goal is itself one AM-GM bound: the step would only restate it

    def build(certificates):
        pieces = [Lemma(sympy.Rational(c), claim, certificate)
                  for (c, claim), certificate in zip(claims, certificates[:-1])]
        pieces.append(Lemma(sympy.Integer(1), remainder.goal, certificates[-1]))
        return Identity((), tuple(pieces))

    shown = "; ".join(f"{sympy.sstr(radical)} <= {sympy.sstr((u + v) / 2)}" for _, radical, u, v in bounds)
    yield Attempt(TACTIC_NAME, goal, subgoals, build,
                  (f"By AM-GM, {shown}.", f"It remains to prove {remainder.goal}."))


def _two_nonnegative_factors(domain: Domain, base: sympy.Expr, variables) -> tuple[sympy.Expr, sympy.Expr] | None:
    """(u, v) with base = u * v, both nonnegative on the domain (assumption atoms or nonnegative
    by the kernel's positivity rule), or None."""
    if not base.is_polynomial(*variables):
        return None
    constant, factors = sympy.factor_list(base, *variables)
    flat = [f for f, power in factors for _ in range(power)]
    if len(flat) != 2 or not (constant.is_Rational and constant > 0):
        return None
    u, v = flat[0], constant * flat[1]
    for factor in (u, v):
        if domain.atom_strictness(factor) is None and not is_positive_factor(domain, factor):
            return None
    return u, v
