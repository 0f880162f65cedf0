"""The factor_bound tactic: tangent bounds on the factors of a product of one-variable polynomials."""

from __future__ import annotations

import sympy

from ineq.kernel import check
from ineq.parse import parse_problem
from ineq.problem import var
from ineq.search import search
from ineq.tactics.base import Deadline
from ineq.tactics.factor_bound import _equality_point, _product_shape, _tangent, factor_bound

USAMO_2004 = "a, b, c > 0 => (a^5 - a^2 + 3)(b^5 - b^2 + 3)(c^5 - c^2 + 3) >= (a + b + c)^3"


def test_usamo_2004_is_proved_through_the_tangent_bounds_and_checked():
    goal = parse_problem(USAMO_2004)
    proof = search(goal, Deadline.after(60))
    assert proof is not None and proof.tactics[0] == "factor_bound"
    assert check(goal, proof.certificate).ok


def test_the_bounds_touch_at_the_equality_case_and_stay_below():
    a = var("a")
    factors, other, op = _product_shape(parse_problem(USAMO_2004))
    assert _equality_point(factors, other, op) == 1
    assert sympy.expand(_tangent(a**5 - a**2 + 3, a, sympy.Integer(1), 3) - (a**3 + 2)) == 0
    # (a - 1)^3 + a + 2 has an inflection at 1: it crosses its tangents a + 2 and a^2/2 + 5/2.
    crossing = a**3 - 3 * a**2 + 4 * a + 1
    assert _tangent(crossing, a, sympy.Integer(1), 1) is None
    assert _tangent(crossing, a, sympy.Integer(1), 2) is None


def test_only_products_of_one_variable_factors_in_distinct_nonnegative_variables():
    for statement in ("a, b > 0 => (a^2 + 1)(a^2 + 2) >= a",          # the same variable twice
                      "(a^2 + 1)(b^2 + 1) >= a*b",                     # no sign assumptions
                      "a, b > 0 => (a^2 + b)(b^2 + 1) >= a*b",         # a factor in two variables
                      "a, b > 0 => a^2 + b^2 >= 2*a*b"):               # no product
        assert list(factor_bound(parse_problem(statement), Deadline.after(5))) == []
