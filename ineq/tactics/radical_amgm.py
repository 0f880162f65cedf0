"""The radical_amgm tactic: bound each square root of a product from above by AM-GM.

When the goal (as `g >= 0`) contains `-c * sqrt(u * v)` with c > 0 and u, v nonnegative on the domain,
`sqrt(u v) <= (u + v)/2` turns it into `-c * (u + v)/2`; a term that falls as its one root grows, such as
`1/(c + 6 sqrt(ab))`, becomes `1/(c + 3(a + b))` the same way. Every such term is replaced at once; the
certificate is the kernel's `Identity` with one `Lemma` per bound (proved by the search, e.g. by the
radicals tactic) and one `Lemma` for the radical-free remainder:

    g = sum_i c_i * ((u_i + v_i)/2 - sqrt(u_i v_i)) + sum_j (T_j - T_j[sqrt(u_j v_j) -> (u_j + v_j)/2])
        + g_remainder.

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
    claims = []  # (coefficient, claim), the claim saying term >= its bounded form
    remainder_terms = []
    shown = []
    for term in sympy.Add.make_args(expanded):
        radicals = {p for p in term.atoms(sympy.Pow) if p.exp == sympy.Rational(1, 2)}
        split = _two_nonnegative_factors(domain, next(iter(radicals)).base, goal.variables) \
            if len(radicals) == 1 else None
        if split is None:
            remainder_terms.append(term)
            continue
        radical = next(iter(radicals))
        bound = (split[0] + split[1]) / 2
        coefficient = term / radical
        if coefficient.is_Rational and coefficient < 0:
            claims.append((-coefficient, Relation(bound, ">=", radical)))
        elif _decreasing_at_centre(term, radical, goal.variables):
            # A term falling as the root grows (1/(c + 6 sqrt(ab))) only falls when the root is replaced
            # by the larger AM-GM bound: term >= term with the bound.
            claims.append((sympy.Integer(1), Relation(term, ">=", term.xreplace({radical: bound}))))
        else:
            remainder_terms.append(term)
            continue
        remainder_terms.append(term.xreplace({radical: bound}))
        shown.append(f"{sympy.sstr(radical)} <= {sympy.sstr(bound)}")
    if not claims:
        return
    remainder = goal.with_goal(Relation(sympy.expand(sympy.Add(*remainder_terms)), op, 0))
    subgoals = tuple(goal.with_goal(claim) for _, claim in claims) + (remainder,)
    if goal in subgoals:
        return  # the goal is itself one AM-GM bound: the step would only restate it

    def build(certificates):
        pieces = [Lemma(sympy.Rational(c), claim, certificate)
                  for (c, claim), certificate in zip(claims, certificates[:-1])]
        pieces.append(Lemma(sympy.Integer(1), remainder.goal, certificates[-1]))
        return Identity((), tuple(pieces))

    yield Attempt(TACTIC_NAME, goal, subgoals, build,
                  (f"By AM-GM, {'; '.join(dict.fromkeys(shown))}.", f"It remains to prove {remainder.goal}."))


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


def _decreasing_at_centre(term: sympy.Expr, radical: sympy.Expr, variables) -> bool:
    """Whether d(term)/d(root) < 0 at the all-ones point, the root taken as its own variable (a cheap
    screen; the lemma itself is proved by the search or pruned by the refuter)."""
    root = sympy.Dummy("root")
    derivative = sympy.diff(term.xreplace({radical: root}), root)
    ones = {v: 1 for v in variables}
    try:
        value = complex(derivative.xreplace(ones).xreplace({root: radical.base.xreplace(ones) ** 0.5}))
    except (TypeError, ValueError, ZeroDivisionError):
        return False
    return abs(value.imag) < 1e-12 and value.real < 0
