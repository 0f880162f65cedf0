"""Clearing denominators: which factors multiply the goal, and how they are found."""

from __future__ import annotations

import sympy

from ineq.kernel import check
from ineq.parse import parse_problem
from ineq.search import search
from ineq.tactics.base import Deadline
from ineq.tactics.clear_denominators import clear_denominators, denominator_factors


def test_written_factors_are_kept_and_small_ones_factored():
    a, b, c = sympy.symbols("a b c")
    factors = dict(denominator_factors((a + b) ** 2 * (a**2 - b**2) * c**3, (a, b, c)))
    assert factors == {a + b: 3, a - b: 1, c: 3}


def test_a_large_factor_is_kept_whole_and_its_monomial_content_split_off():
    s, t, u, w = sympy.symbols("s t u w")
    big = s**21 + t**21 + u**21 + w**21  # factoring it took minutes
    factors = dict(denominator_factors(sympy.expand(u * big), (s, t, u, w)))
    assert factors == {u: 1, big: 1}


def test_the_whole_denominator_is_used_when_only_it_has_a_sign():
    goal = parse_problem("a*b>0 => (a^4+4*b^4+1)/(a*b) >= 4")
    cleared = clear_denominators(goal)
    assert cleared is not None and len(cleared.multiplier) == 1
    assert sympy.expand(cleared.multiplier[0] - goal.variables[0] * goal.variables[1]) == 0
    proof = search(goal, Deadline.after(30))
    assert proof is not None and check(goal, proof.certificate).ok


def test_factors_with_their_own_sign_stay_separate():
    cleared = clear_denominators(parse_problem("a,b,c>0 => a/(b+c)+b/(c+a)+c/(a+b) >= 3/2"))
    assert len(cleared.multiplier) == 3


def test_a_squared_factor_of_unknown_sign_clears_as_its_square():
    # IMO 2008/2 (a): x, y, z != 1 with xyz = 1; (x - 1)^2 is > 0 wherever the goal is defined.
    goal = parse_problem("x*y*z = 1 => x^2/(x-1)^2 + y^2/(y-1)^2 + z^2/(z-1)^2 >= 1")
    cleared = clear_denominators(goal)
    x = goal.variables[0]
    assert cleared is not None and (x - 1) ** 2 in cleared.multiplier
    proof = search(goal, Deadline.after(30))
    assert proof is not None and check(goal, proof.certificate).ok
