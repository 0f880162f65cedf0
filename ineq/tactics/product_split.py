"""The product_split tactic: a product of two independent problems, each bounded on its own.

`(4/x + 1/y + 9/z)(4/a + 1/b + 9/c) >= 144` under `x + y + z = 3, a + b + c = 3`: no assumption links
x, y, z to a, b, c, so the goal is proved by `4/x + 1/y + 9/z >= 12` and `4/a + 1/b + 9/c >= 12`, each
a problem in three variables.

Shape: the variables fall into two groups X and Y that no assumption and no factor mixes, and the
goal reads `p A(X) B(Y) >= q C(X) D(Y)` (either direction, nonstrict; p, q positive rationals, any of
A, B, C, D may be 1). With r = q/p and a split r = lam * mu (lam = mu = sqrt(r) when that is rational,
else lam = r, mu = 1), the claims `A >= lam C` and `B >= mu D` give, with P = A - lam C >= 0 and
Q = B - mu D >= 0,

    A B - r C D = lam * C * Q + mu * D * P + P * Q,

nonnegative once C >= 0 and D >= 0 (claims too, unless products of assumed-nonnegative atoms and
squares). Each claim is cut in (the kernel
accepts a rational claim whose denominators are positive on the domain) and proved with the other
group's assumptions dropped, so its subgoal is a problem in one group's variables only.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Cut, Domain, Identity, Square, Weaken, cut_problem, weakened_problem
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline

TACTIC_NAME = "product_split"


def product_split(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one or two attempts when the goal is a product of two independent problems."""
    if goal.goal.op not in (">=", "<="):
        return
    big, small = (goal.goal.lhs, goal.goal.rhs) if goal.goal.op == ">=" else (goal.goal.rhs, goal.goal.lhs)
    variables = goal.variables
    if not (big.is_rational_function(*variables) and small.is_rational_function(*variables)):
        return  # the kernel cuts in rational claims only: name the roots first
    groups = _variable_groups(goal, big, small)
    if groups is None:
        return
    first, second = groups
    p, (a_factor, b_factor) = _split_product(big, first)
    q, (c_factor, d_factor) = _split_product(small, first)
    if not (p > 0 and q > 0):
        return
    ratio = q / p
    root = sympy.sqrt(ratio)
    # The constant goes to one factor or splits evenly; where sqrt(q/p) is irrational, either factor
    # may carry it (3x^7/7 + 4y^7/7 >= x^3 y^4 takes all of 1/7), so both are proposed.
    splits = [(root, root)] if root.is_Rational else [(ratio, sympy.Integer(1)), (sympy.Integer(1), ratio)]
    # Where sqrt(q/p) is irrational and every variable = 1 satisfies the first group's assumptions
    # (the usual equality case of a symmetric factor), A/C there is the constant that keeps equality:
    # try it first.
    at_ones = None if root.is_Rational else _ratio_at_ones(goal, first, a_factor, c_factor)
    if at_ones is not None and (at_ones, ratio / at_ones) not in splits:
        splits.insert(0, (at_ones, ratio / at_ones))
    domain = Domain(goal)
    for lam, mu in splits:
        if deadline.expired():
            return
        yield _attempt(goal, first, second, p, (a_factor, b_factor, c_factor, d_factor), lam, mu, domain)


def _attempt(goal: Problem, first: set, second: set, p, factors: tuple, lam, mu, domain: Domain) -> Attempt:
    """The attempt that proves A >= lam C and B >= mu D (and C, D >= 0 where not evident), each with
    the other group's assumptions dropped, then the goal from them."""
    a_factor, b_factor, c_factor, d_factor = factors
    claims = [Relation(a_factor, ">=", lam * c_factor), Relation(b_factor, ">=", mu * d_factor)]
    claims += [Relation(factor, ">=", 0) for factor in (c_factor, d_factor)
               if not factor.is_number and _square_parts(factor, domain) is None]
    subgoals, weakenings, current = [], [], goal
    for claim in claims:
        group = first if claim.lhs.free_symbols <= first and claim.rhs.free_symbols <= first else second
        claim_problem = current.with_goal(claim)
        dropped = [a for a in claim_problem.assumptions if not (a.lhs.free_symbols | a.rhs.free_symbols) <= group]
        for relation in dropped:
            claim_problem = weakened_problem(claim_problem, relation)
        subgoals.append(claim_problem)
        weakenings.append(tuple(dropped))
        current = cut_problem(current, claim)
    pieces = _pieces(p, lam, mu, a_factor - lam * c_factor, b_factor - mu * d_factor, c_factor, d_factor, domain)

    def build(subs, claims=tuple(claims), weakenings=tuple(weakenings), pieces=pieces):
        certificate = Identity((), pieces)
        for claim, dropped, sub in reversed(list(zip(claims, weakenings, subs))):
            for relation in reversed(dropped):
                sub = Weaken(relation, sub)
            certificate = Cut(claim, sub, certificate)
        return certificate

    shown = ", ".join(str(c) for c in claims[:2])
    return Attempt(TACTIC_NAME, goal, tuple(subgoals), build,
                   (f"No assumption links {_names(first)} with {_names(second)}, so bound each factor on its own: "
                    f"{shown}; multiplying the two bounds proves the goal.",))


def _ratio_at_ones(goal: Problem, group: set, numerator: sympy.Expr, denominator: sympy.Expr):
    """numerator / denominator with every variable of `group` set to 1, when that point satisfies
    the assumptions on `group` and the value is a positive rational; else None."""
    ones = {v: sympy.Integer(1) for v in group}
    for assumption in goal.assumptions:
        if assumption.free_symbols() <= group:
            holds = Relation(assumption.lhs.xreplace(ones), assumption.op, assumption.rhs.xreplace(ones))
            difference, op = holds.normalized()
            value = sympy.nsimplify(difference)
            if not value.is_Rational or not (value > 0 if op == ">" else value >= 0 if op == ">=" else value == 0):
                return None
    top, bottom = numerator.xreplace(ones), denominator.xreplace(ones)
    if not (top.is_Rational and bottom.is_Rational) or top <= 0 or bottom <= 0:
        return None
    return top / bottom


def _variable_groups(goal: Problem, big: sympy.Expr, small: sympy.Expr) -> tuple[set, set] | None:
    """Two nonempty sets of variables such that every assumption and every factor of both sides uses
    variables of one set only; None when the variables are all linked."""
    parts = [a.lhs.free_symbols | a.rhs.free_symbols for a in goal.assumptions]
    parts += [factor.free_symbols for side in (big, small) for factor in sympy.Mul.make_args(side)]
    components: list[set] = []
    for part in (p for p in parts if p):
        linked = [c for c in components if c & part]
        merged = set(part).union(*linked)
        components = [c for c in components if not c & part] + [merged]
    variables = set(goal.variables)
    if len(components) < 2 or set().union(*components) != variables:
        return None
    first = min(components, key=lambda c: sorted(v.name for v in c))
    return first, variables - first


def _split_product(side: sympy.Expr, first: set) -> tuple[sympy.Rational, tuple[sympy.Expr, sympy.Expr]]:
    """(k, (F, G)) with side = k * F * G, k rational, F in the `first` variables, G in the others."""
    coefficient, factors = side.as_coeff_mul()
    primitive = []
    for factor in factors:
        content, rest = factor.as_content_primitive()  # 25a^2 + 25b^2 + 25c^2 -> 25 (a^2 + b^2 + c^2)
        coefficient *= content
        primitive.append(rest)
    in_first = [f for f in primitive if f.free_symbols <= first]
    rest = [f for f in primitive if not f.free_symbols <= first]
    return coefficient, (sympy.Mul(*in_first), sympy.Mul(*rest))


def _square_parts(factor: sympy.Expr, domain: Domain) -> tuple[tuple, sympy.Expr] | None:
    """`factor` as `prod(atoms) * poly**2` with assumed-nonnegative atoms (xyz -> (x, y, z), 1;
    (x + y + z)^2 -> (), x + y + z), or None."""
    atoms, root = [], sympy.Integer(1)
    for part in sympy.Mul.make_args(factor):
        base, exponent = part.as_base_exp()
        if not (exponent.is_Integer and exponent > 0):
            return None
        if exponent % 2 == 0 and base.is_polynomial():
            root *= base ** (exponent // 2)
        elif domain.atom_strictness(base) is not None:
            atoms += [base] * int(exponent)
        else:
            return None
    return tuple(atoms), root


def _pieces(p, lam, mu, first_gap, second_gap, c_factor, d_factor, domain) -> tuple[Square, ...]:
    """p * (lam C Q + mu D P + P Q), each term a square piece over the cut claims' sides (C and D
    written through their own atoms and squares when they are such products)."""
    def piece(coefficient, factor, gap):
        if factor.is_number:  # the contents went to p and q: factor is 1
            return Square(p * coefficient * factor, (gap,), sympy.Integer(1))
        parts = _square_parts(factor, domain)
        if parts is None:
            return Square(p * coefficient, (factor, gap), sympy.Integer(1))
        atoms, root = parts
        return Square(p * coefficient, atoms + (gap,), root)
    return (piece(lam, c_factor, second_gap), piece(mu, d_factor, first_gap),
            Square(p, (first_gap, second_gap), sympy.Integer(1)))


def _names(variables: set) -> str:
    return ", ".join(sorted(v.name for v in variables))
