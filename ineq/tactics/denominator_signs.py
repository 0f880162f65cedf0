"""The denominator_signs tactic: prove the sign of each denominator first, then clear it.

The closing tactics clear denominators only with factors the kernel's positivity rule accepts
(nonnegative coefficients, or a strict assumption). A factor such as `1 - c^2` under `a + b + c = 1`
or `c^2 - 4c + 9` is positive on the domain for other reasons. For every such factor this tactic
picks the sign that neither the refuter nor z3 can break (quick and untrusted) and proposes the kernel's
`Cut`: prove `f > 0` (or `-f > 0`) as a subgoal, then prove the goal with that claim assumed, where
the factor has become a strict assumption and clears like any other. A factor that vanishes only
where the goal is undefined gets the claim `f >= 0` instead: a nonnegative assumption that divides a
written denominator clears too (the kernel's "positive where defined" rule).
"""

from __future__ import annotations

import itertools
from typing import Iterator

import sympy

from ineq.kernel import Cut, cut_problem, is_positive_where_defined
from ineq.problem import Problem, Relation
from ineq.z3_oracle import falsified
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import denominator_factors

TACTIC_NAME = "denominator_signs"
SIGN_CHECK_SECONDS = 0.3  # per candidate claim and checker: the refuter's first rounds, or z3 on a small claim


def denominator_signs(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt (claims first, then the goal with every claim assumed) when the goal has
    denominator factors of unknown sign and each has a sign the refuter could not break."""
    claims = _sign_claims(goal, deadline)
    if not claims:
        return
    # Claim i is proved under the claims before it, exactly as nested Cuts are checked.
    subgoals, problem = [], goal
    for claim in claims:
        subgoals.append(problem.with_goal(claim))
        problem = cut_problem(problem, claim)
    subgoals.append(problem)

    def build(certificates):
        certificate = certificates[-1]
        for claim, claim_certificate in reversed(list(zip(claims, certificates[:-1]))):
            certificate = Cut(claim, claim_certificate, certificate)
        return certificate

    shown = ", ".join(str(claim) for claim in claims)
    yield Attempt(TACTIC_NAME, goal, tuple(subgoals), build,
                  (f"First prove {shown}, so that the denominators can be cleared.",))


def _sign_claims(goal: Problem, deadline: Deadline) -> list[Relation]:
    """`f > 0` or `-f > 0` (else `f >= 0` or `-f >= 0`) for every denominator factor f the positivity
    rule does not accept; empty when there is none, when the goal is not rational, or when a factor
    changes sign."""
    g, _ = goal.goal.normalized()
    _, denominator = sympy.fraction(sympy.together(g))
    variables = goal.variables
    if denominator.is_Rational or not denominator.is_polynomial(*variables):
        return []
    claims = []
    for factor, _ in denominator_factors(denominator, variables):
        if is_positive_where_defined(goal, factor) or is_positive_where_defined(goal, -factor):
            continue
        # A strict sign first; a nonstrict one (2b^2 - bc + 2c^2 >= 0 for b, c >= 0, zero only
        # where the goal is undefined) then clears by the kernel's rule for written denominators.
        for op, candidate in itertools.product((">", ">="), (sympy.expand(factor), sympy.expand(-factor))):
            if deadline.remaining() < SIGN_CHECK_SECONDS:
                return []
            claim = Relation(candidate, op, 0)
            if falsified(goal.with_goal(claim), SIGN_CHECK_SECONDS, SIGN_CHECK_SECONDS) is None:
                claims.append(claim)
                break
        else:
            return []
    return claims

