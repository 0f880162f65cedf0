"""The radical_pairs tactic: two square roots on the smaller side against one on the bigger side.

Concavity of the square root on a pair: for X, Z >= 0, sqrt(X) + sqrt(Z) <= 2 sqrt((X + Z)/2). When
the goal (as `g >= 0`) subtracts square roots sqrt(X_i) and adds square roots sqrt(Y_j), every pair
(i, k) with X_i + X_k = 2 mu^2 Y_j (mu a positive rational) gives the lemma

    2 mu sqrt(Y_j) - sqrt(X_i) - sqrt(X_k) >= 0,

and a small linear program picks weights w >= 0 for the lemmas that use up each subtracted root
exactly and each added root at most (ChenNEQ p17 on a triangle's sides: sqrt(a + b - c) +
sqrt(c + a - b) <= 2 sqrt(a), and the three such pairs add up to the goal). The certificate is the
kernel's `Identity`, g = sum w_p * lemma_p + remainder, where each lemma carries its own exact
certificate (no search): after naming t = sqrt(X_i), u = sqrt(X_k), s = sqrt(Y_j),

    (2 mu s + t + u) (2 mu s - t - u) = (t - u)^2 + 4 mu^2 (s^2 - Y_j) - 2 (t^2 - X_i) - 2 (u^2 - X_k),

split on the multiplier 2 mu s + t + u > 0 or <= 0 (then t = u = s = 0). The remainder (the added
roots left over and the rest of g) is a subgoal for the search unless it is zero.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np
import scipy.optimize
import sympy

from ineq.kernel import CaseSplit, EqualityMultiple, Identity, IntroduceRoot, Lemma, Square
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline, fresh_names

TACTIC_NAME = "radical_pairs"
_MAX_PAIRS = 60


def radical_pairs(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt when the pair lemmas can absorb every subtracted square root, else nothing."""
    g, op = goal.goal.normalized()
    if op != ">=" or deadline.expired():
        return
    expanded = sympy.expand(g)
    subtracted, added = [], []  # (coefficient > 0, radical)
    for radical in sorted(expanded.atoms(sympy.Pow), key=sympy.default_sort_key):
        if radical.exp != sympy.Rational(1, 2) or not radical.base.is_polynomial(*goal.variables):
            continue
        coefficient = expanded.coeff(radical)
        if coefficient.is_Rational and coefficient < 0:
            subtracted.append((-coefficient, radical))
        elif coefficient.is_Rational and coefficient > 0:
            added.append((coefficient, radical))
    if len(subtracted) < 2 or not added:
        return
    lemmas = []  # (i, k, j, mu)
    for (i, (_, first)), (k, (_, second)) in itertools.combinations(enumerate(subtracted), 2):
        total = sympy.expand(first.base + second.base)
        for j, (_, bigger) in enumerate(added):
            ratio = sympy.cancel(total / (2 * bigger.base))
            if ratio.is_Rational and ratio > 0 and sympy.sqrt(ratio).is_Rational:
                lemmas.append((i, k, j, sympy.sqrt(ratio)))
        if len(lemmas) > _MAX_PAIRS:
            return
    weights = _weights(lemmas, subtracted, added)
    if weights is None:
        return
    claims, pieces_used = [], sympy.Integer(0)
    for (i, k, j, mu), weight in zip(lemmas, weights):
        if weight == 0:
            continue
        first, second, bigger = subtracted[i][1], subtracted[k][1], added[j][1]
        claim = Relation(2 * mu * bigger, ">=", first + second)
        claims.append((weight, claim, (first, second, bigger, mu)))
        pieces_used += weight * (2 * mu * bigger - first - second)
    remainder_expr = sympy.expand(expanded - pieces_used)
    remainder = goal.with_goal(Relation(remainder_expr, ">=", 0)) if remainder_expr != 0 else None
    subgoals = (remainder,) if remainder is not None else ()

    def build(subs):
        pieces = [Lemma(weight, claim, _pair_certificate(goal.with_goal(claim), *roots))
                  for weight, claim, roots in claims]
        if remainder is not None:
            pieces.append(Lemma(sympy.Integer(1), remainder.goal, subs[0]))
        return Identity((), tuple(pieces))

    shown = "; ".join(f"{sympy.sstr(claim.rhs)} <= {sympy.sstr(claim.lhs)}" for _, claim, _ in claims)
    lines = (f"The square root is concave: sqrt(X) + sqrt(Z) <= 2 sqrt((X + Z)/2). So {shown}.",)
    lines += (f"It remains to prove {remainder.goal}.",) if remainder is not None else \
        ("Adding these (with weights " + ", ".join(sympy.sstr(w) for w, _, _ in claims) + ") gives the goal.",)
    yield Attempt(TACTIC_NAME, goal, subgoals, build, lines)


def _weights(lemmas: list, subtracted: list, added: list) -> list[sympy.Rational] | None:
    """Rational weights w >= 0, one per lemma, using each subtracted root's coefficient exactly and
    each added root's at most (the lemma for (i, k, j, mu) uses 1 of roots i and k and 2 mu of j);
    None when the linear program has no solution that rounds to an exact one."""
    if not lemmas:
        return None
    equality = np.zeros((len(subtracted), len(lemmas)))
    upper = np.zeros((len(added), len(lemmas)))
    for column, (i, k, j, mu) in enumerate(lemmas):
        equality[i, column] += 1
        equality[k, column] += 1
        upper[j, column] += 2 * float(mu)
    result = scipy.optimize.linprog(np.ones(len(lemmas)), A_ub=upper, b_ub=[float(c) for c, _ in added],
                                    A_eq=equality, b_eq=[float(c) for c, _ in subtracted], bounds=(0, None),
                                    method="highs")
    if result.status != 0:
        return None
    weights = [sympy.nsimplify(value, rational=True, tolerance=1e-9) if value > 1e-9 else sympy.Integer(0)
               for value in result.x]
    # The rounded weights must satisfy the constraints exactly.
    for row, (coefficient, _) in enumerate(subtracted):
        if sum(weights[c] * (int(equality[row, c])) for c in range(len(lemmas))) != coefficient:
            return None
    for row, (coefficient, _) in enumerate(added):
        if sum(weights[c] * 2 * lemmas[c][3] for c in range(len(lemmas)) if lemmas[c][2] == row) > coefficient:
            return None
    return weights


def _pair_certificate(claim_problem: Problem, first: sympy.Expr, second: sympy.Expr, bigger: sympy.Expr,
                      mu: sympy.Rational):
    """The exact certificate of 2 mu sqrt(Y) >= sqrt(X) + sqrt(Z) when X + Z = 2 mu^2 Y (module
    docstring): name the three roots, then split on the multiplier's sign."""
    t, u, s = fresh_names(claim_problem, 3, ("t", "u", "s", "w", "p", "q"), "r")
    multiplier = 2 * mu * s + t + u
    positive_case = Identity((multiplier,), (
        Square(sympy.Integer(1), (), t - u),
        EqualityMultiple(sympy.expand(s**2 - bigger.base), 4 * mu**2),
        EqualityMultiple(sympy.expand(t**2 - first.base), sympy.Integer(-2)),
        EqualityMultiple(sympy.expand(u**2 - second.base), sympy.Integer(-2))))
    # Where 2 mu s + t + u <= 0: 2 mu s - t - u = 4 mu s + (-(2 mu s + t + u)), both >= 0.
    degenerate_case = Identity((), (Square(4 * mu, (s,), sympy.Integer(1)),
                                    Square(sympy.Integer(1), (sympy.expand(-multiplier),), sympy.Integer(1))))
    certificate = CaseSplit(multiplier, positive_case, degenerate_case, strict=True)
    for radical, name in reversed(((first, t), (second, u), (bigger, s))):
        certificate = IntroduceRoot(radical, name, certificate)
    return certificate

