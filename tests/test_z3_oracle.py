"""The z3 oracle: an exact, confirmed counterexample or nothing; never a claim of truth used as proof."""

import sympy

from ineq.parse import parse_problem
from ineq.problem import var
from ineq.refute import evaluate_relation_exactly
from ineq.z3_oracle import Unsupported, decide, falsified


def test_false_statement_gets_a_confirmed_rational_point():
    problem = parse_problem("x*y = 1, x > 0 => x + y <= 2")
    verdict = decide(problem, timeout=5)
    assert verdict.answer == "sat" and verdict.confirmed
    point = verdict.point
    assert all(evaluate_relation_exactly(a, point) is True for a in problem.assumptions)
    assert evaluate_relation_exactly(problem.goal, point) is False


def test_true_statement_is_unsat_and_gives_no_point():
    problem = parse_problem("x, y > 0 => x + y >= 2 sqrt(x y)")
    assert decide(problem, timeout=5).answer == "unsat"
    assert falsified(problem, z3_seconds=5, refute_seconds=1) is None


def test_abs_and_max_are_encoded():
    assert decide(parse_problem("|x - 1| + |x + 1| >= 2"), timeout=5).answer == "unsat"
    point = decide(parse_problem("max(x, y) >= x + y"), timeout=5).point
    assert point is not None and point[var("x")] + point[var("y")] > max(point[var("x")], point[var("y")])


def test_exp_is_unsupported():
    problem = parse_problem("x > 0 => exp(x) >= 1")
    try:
        decide(problem, timeout=5)
    except Unsupported as error:
        assert "exp" in str(error).lower()
    else:
        raise AssertionError("exp must be reported as unsupported")


def test_points_are_exact_rationals():
    point = decide(parse_problem("a, b > 0 => a/b + b/a >= 3"), timeout=5).point
    assert point is not None and all(isinstance(v, sympy.Rational) for v in point.values())


def test_falsified_names_who_found_the_point():
    assert falsified(parse_problem("x*y = 1, x > 0 => x + y <= 2"), z3_seconds=5, refute_seconds=1) == "z3"
    # exp is beyond z3's encoding: the refuter's sampling finds exp(x) < 2 for small x.
    assert falsified(parse_problem("x > 0 => exp(x) >= 2"), z3_seconds=5, refute_seconds=5) == "refuter"
    assert falsified(parse_problem("x > 0 => exp(x) >= 1"), z3_seconds=5, refute_seconds=1) is None
