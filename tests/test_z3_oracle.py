"""The z3 oracle: an exact, confirmed counterexample or nothing; never a claim of truth used as proof."""

import sympy

from ineq.parse import parse_problem
from ineq.problem import var
from ineq.refute import evaluate_relation_exactly
from ineq.z3_oracle import Unsupported, counterexample, decide


def test_false_statement_gets_a_confirmed_rational_point():
    problem = parse_problem("x*y = 1, x > 0 => x + y <= 2")
    point = counterexample(problem, timeout=5)
    assert point is not None
    assert all(evaluate_relation_exactly(a, point) is True for a in problem.assumptions)
    assert evaluate_relation_exactly(problem.goal, point) is False


def test_true_statement_is_unsat_and_gives_no_point():
    problem = parse_problem("x, y > 0 => x + y >= 2 sqrt(x y)")
    assert decide(problem, timeout=5).answer == "unsat"
    assert counterexample(problem, timeout=5) is None


def test_abs_and_max_are_encoded():
    assert decide(parse_problem("|x - 1| + |x + 1| >= 2"), timeout=5).answer == "unsat"
    point = counterexample(parse_problem("max(x, y) >= x + y"), timeout=5)
    assert point is not None and point[var("x")] + point[var("y")] > max(point[var("x")], point[var("y")])


def test_exp_is_unsupported():
    problem = parse_problem("x > 0 => exp(x) >= 1")
    assert counterexample(problem, timeout=5) is None
    try:
        decide(problem, timeout=5)
    except Unsupported as error:
        assert "exp" in str(error).lower()
    else:
        raise AssertionError("exp must be reported as unsupported")


def test_points_are_exact_rationals():
    point = counterexample(parse_problem("a, b > 0 => a/b + b/a >= 3"), timeout=5)
    assert point is not None and all(isinstance(v, sympy.Rational) for v in point.values())
