"""The fudging tactic: bound each term of a cyclic sum by its tangent share of the constant."""

from __future__ import annotations

import sympy

from ineq.kernel import check
from ineq.parse import parse_problem
from ineq.search import search
from ineq.tactics.base import Deadline
from ineq.tactics.fudging import fudging

IMO_2001 = "a,b,c>0 => a/sqrt(a^2+8*b*c) + b/sqrt(b^2+8*c*a) + c/sqrt(c^2+8*a*b) >= 1"


def test_the_exponent_is_the_tangent_one_and_the_lemmas_are_the_cyclic_images():
    goal = parse_problem(IMO_2001)
    attempt = next(fudging(goal, Deadline.after(10)))
    claims = [subgoal.goal for subgoal in attempt.subgoals]
    a, b, c = goal.variables
    power_sum = a ** sympy.Rational(4, 3) + b ** sympy.Rational(4, 3) + c ** sympy.Rational(4, 3)
    # One lemma per variable's share: exactly one of them bounds by a's share.
    assert sum(sympy.simplify(claim.rhs - a ** sympy.Rational(4, 3) / power_sum) == 0 for claim in claims) == 1
    assert all(claim.op == ">=" for claim in claims) and len(claims) == 3
    assert "4/3" in attempt.explanation[0]


def test_imo_2001_is_proved_and_kernel_checked():
    goal = parse_problem(IMO_2001)
    proof = search(goal, Deadline.after(60))
    assert proof is not None and proof.tactics[0] == "fudging"
    assert check(goal, proof.certificate).ok


def test_no_attempt_when_the_bound_is_not_tight_at_the_equal_point():
    # Each term is 1/3 at a = b = c, so the sum is 1 there, not 2: no tangent share exists.
    goal = parse_problem("a,b,c>0 => a/sqrt(a^2+8*b*c) + b/sqrt(b^2+8*c*a) + c/sqrt(c^2+8*a*b) <= 2")
    assert list(fudging(goal, Deadline.after(10))) == []


def test_no_attempt_when_a_lemma_fails_the_numerical_sample():
    # a/(a+b) does not depend on c, its tangent share does: the lemma is false near a = b = c (and so
    # is the statement), and the sample must catch it.
    goal = parse_problem("a,b,c>0 => a/(a+b) + b/(b+c) + c/(c+a) >= 3/2")
    assert list(fudging(goal, Deadline.after(10))) == []


def test_variables_without_a_strict_sign_are_left_alone():
    goal = parse_problem("a,b,c>=0 => a/sqrt(a^2+8*b*c) + b/sqrt(b^2+8*c*a) + c/sqrt(c^2+8*a*b) >= 1")
    assert list(fudging(goal, Deadline.after(10))) == []
