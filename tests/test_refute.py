"""Tests of the counterexample finder `ineq.refute`.

Every returned point is re-verified here independently of the module's own evaluator: exact rational
arithmetic where the values are rational, otherwise sympy's 80-digit evaluation with a 1e-30 relative
margin, and equality assumptions by a symbolic zero test.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import sympy

from ineq.problem import Problem, Relation, make_problem, var
from ineq.refute import Counterexample, RefuteError, evaluate_relation_exactly, feasible_points, refute

FALSE_STATEMENTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "false_statements.jsonl"  # ../shared beside the checkout
RELATION_OPERATORS = (">=", "<=", "!=", ">", "<", "=")  # two-character operators first


def _split_relation(text: str) -> tuple[str, str, str]:
    for op in RELATION_OPERATORS:
        if op in text:
            lhs, rhs = text.split(op, 1)
            return lhs, op, rhs
    raise ValueError(f"no relation operator in {text!r}")


def _local_problem(assumptions: list[str], goal: str) -> Problem:
    """A Problem built with sympy's parser, for use until `ineq.parse` exists."""

    def expression(text: str) -> sympy.Expr:
        names = {name: var(name) for name in sorted(set(_identifiers(text)))}
        names.update({"sqrt": sympy.sqrt, "abs": sympy.Abs, "cbrt": sympy.cbrt, "exp": sympy.exp, "log": sympy.log})
        parsed = sympy.parse_expr(text.replace("^", "**"), local_dict=names)
        return sympy.nsimplify(parsed, rational=True) if parsed.has(sympy.Float) else parsed

    def relation(text: str) -> Relation:
        lhs, op, rhs = _split_relation(text)
        return Relation(expression(lhs), op, expression(rhs))

    return make_problem([relation(a) for a in assumptions], relation(goal), text=", ".join(assumptions) + " => " + goal if assumptions else goal)


def _identifiers(text: str) -> list[str]:
    functions = {"sqrt", "abs", "cbrt", "exp", "log"}
    return [word for word in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text) if word not in functions]


def make(assumptions: list[str], goal: str) -> Problem:
    """Use the project parser when it is importable, else the local fallback."""
    try:
        from ineq.parse import parse_problem
    except ImportError:
        return _local_problem(assumptions, goal)
    return parse_problem(", ".join(assumptions) + " => " + goal if assumptions else goal)


# ----------------------------------------------------------------------------------------------------
# Independent re-verification of a returned point


def _sign_independently(value: sympy.Expr, scale: sympy.Expr) -> int:
    """Sign of `value`: exact for rationals, else 80-digit evalf with a 1e-30 relative margin; 0 when
    shown exactly zero. Fails the test when undecidable."""
    assert not value.has(sympy.zoo, sympy.nan, sympy.I), f"undefined value {value}"
    if value.is_Rational:
        return int(sympy.sign(value))
    if sympy.simplify(value) == 0:
        return 0
    numeric, size = sympy.N(value, 80), abs(sympy.N(scale, 80)) + sympy.Rational(1, 10**40)
    assert abs(numeric) > size * sympy.Rational(1, 10**30), f"sign of {value} too close to call"
    return 1 if numeric > 0 else -1


def _holds(relation: Relation, values: dict[sympy.Symbol, sympy.Expr]) -> bool:
    lhs = relation.lhs.xreplace(values)
    rhs = relation.rhs.xreplace(values)
    sign = _sign_independently(lhs - rhs, abs(lhs) + abs(rhs))
    return {">=": sign >= 0, ">": sign > 0, "<=": sign <= 0, "<": sign < 0, "=": sign == 0}[relation.op]


def assert_refutes(problem: Problem, counterexample: Counterexample, not_equal_to: dict[str, list] | None = None) -> None:
    """The point is inside the domain and the goal fails there, checked without the module's code."""
    values = {var(name): value for name, value in counterexample.values.items()}
    assert set(values) == set(problem.variables)
    assert all(not value.has(sympy.Float) and not value.free_symbols for value in values.values())
    for assumption in problem.assumptions:
        assert _holds(assumption, values), f"assumption {assumption} fails at {counterexample.values}"
    assert not _holds(problem.goal, values), f"goal {problem.goal} holds at {counterexample.values}"
    for name, excluded in (not_equal_to or {}).items():
        assert all(values[var(name)] != value for value in excluded)


# ----------------------------------------------------------------------------------------------------
# The 26 false statements


def _false_statements() -> list[dict]:
    return [json.loads(line) for line in FALSE_STATEMENTS.read_text().splitlines() if line.strip()]


def _statement_problem(record: dict) -> tuple[Problem, dict[str, list]]:
    """The Problem of a record, and the `v != c` assumptions, which a Problem cannot express: they are
    checked on the returned point instead."""
    kept, excluded = [], {}
    for assumption in record["assumptions"]:
        lhs, op, rhs = _split_relation(assumption)
        if op == "!=":
            excluded.setdefault(lhs.strip(), []).append(sympy.Rational(rhs.strip()))
        else:
            kept.append(assumption)
    return make(kept, record["goal"]), excluded


@pytest.mark.parametrize("record", _false_statements() if FALSE_STATEMENTS.exists() else [], ids=lambda r: r["id"])
def test_refutes_false_statement_within_ten_seconds(record):
    problem, excluded = _statement_problem(record)
    started = time.monotonic()
    counterexample = refute(problem, timeout=10)
    elapsed = time.monotonic() - started
    assert counterexample is not None, f"{record['id']} not refuted"
    assert elapsed < 12, f"took {elapsed:.1f}s"
    assert_refutes(problem, counterexample, excluded)


# ----------------------------------------------------------------------------------------------------
# True statements are not refuted


@pytest.mark.parametrize(
    "assumptions, goal",
    [
        ([], "a^2 + b^2 >= 2*a*b"),
        (["a > 0", "b > 0", "c > 0"], "a/(b + c) + b/(c + a) + c/(a + b) >= 3/2"),
        (["x >= 0", "y >= 0", "z >= 0", "x + y + z = 1"], "x*y + y*z + z*x - 2*x*y*z <= 7/27"),
        (["a >= 0", "b >= 0"], "sqrt(a*b) <= (a + b)/2"),
        (["x > 0", "y > 0", "z > 0", "x^2 + y^2 + z^2 = 3"], "x + y + z <= 3"),
        (["a > 0", "b > 0", "c > 0", "a*b*c = 1"], "a + b + c >= 3"),
    ],
    ids=["am-gm", "nesbitt", "imo1984", "sqrt-am-gm", "sphere-sum", "product-one"],
)
def test_true_statement_is_not_refuted(assumptions, goal):
    started = time.monotonic()
    assert refute(make(assumptions, goal), timeout=2) is None
    assert time.monotonic() - started < 3


def test_undefined_goal_is_not_a_counterexample():
    # The only point of the domain is x = 1, where the goal divides by zero.
    assert refute(make(["x >= 1", "x <= 1"], "1/(x - 1) >= 5"), timeout=1) is None
    # sqrt(x) is undefined for x < 0, so those points refute nothing.
    assert refute(make([], "sqrt(x) >= 0"), timeout=1) is None


# ----------------------------------------------------------------------------------------------------
# Refutations with exact points


def test_nesbitt_with_two_is_refuted_exactly():
    problem = make(["a > 0", "b > 0", "c > 0"], "a/(b + c) + b/(c + a) + c/(a + b) >= 2")
    counterexample = refute(problem, timeout=5)
    assert counterexample is not None
    assert counterexample.method == "exact rational arithmetic"
    assert all(value.is_Rational and value > 0 for value in counterexample.values.values())
    assert counterexample.lhs_value < counterexample.rhs_value == 2
    assert_refutes(problem, counterexample)


def test_strict_goal_fails_at_exact_equality():
    problem = make([], "a^2 + b^2 > 2*a*b")
    counterexample = refute(problem, timeout=5)
    assert counterexample is not None
    assert counterexample.values["a"] == counterexample.values["b"]
    assert_refutes(problem, counterexample)


def test_linear_equality_gives_rational_point():
    problem = make(["a >= 0", "b >= 0", "c >= 0", "a + b + c = 3"], "a*b*c >= 1/2")
    counterexample = refute(problem, timeout=5)
    assert counterexample is not None
    assert sum(counterexample.values.values()) == 3
    assert counterexample.method == "exact rational arithmetic"
    assert_refutes(problem, counterexample)


def test_quadratic_equality_is_solved_with_radicals():
    problem = make(["x > 0", "y > 0", "z > 0", "x^2 + y^2 + z^2 = 1"], "x + y + z >= 3/2")
    counterexample = refute(problem, timeout=5)
    assert counterexample is not None
    x, y, z = (counterexample.values[name] for name in "xyz")
    assert sympy.expand(x**2 + y**2 + z**2) == 1
    assert counterexample.method.startswith("60-digit interval arithmetic")
    assert_refutes(problem, counterexample)


def test_product_equality_is_solved_for_a_real_root():
    # abc = 1 in cubes: c^3 = 1/(ab)^3 is solved for c, so random points satisfy it.
    problem = make(["a > 0", "b > 0", "c > 0", "a^3 b^3 c^3 = 1"], "a + b + c >= 3.3")
    counterexample = refute(problem, timeout=5)
    assert counterexample is not None
    a, b, c = (counterexample.values[name] for name in "abc")
    assert sympy.simplify(a**3 * b**3 * c**3) == 1
    assert_refutes(problem, counterexample)


def test_feasible_points_satisfy_the_assumptions():
    problem = make(["x > 0", "y > 0", "x^3 y^3 = 8", "x <= 4"], "x + y >= 0")
    points = feasible_points(problem, count=64)
    assert len(points) >= 8
    for point in points:
        x, y = point[var("x")], point[var("y")]
        assert 0 < x <= 4 + 1e-9 and y > 0 and abs(x**3 * y**3 - 8) <= 1e-6 * 8


def test_equality_goal_is_refuted():
    problem = make(["a > 0", "b > 0"], "a + b = 2*a*b")
    counterexample = refute(problem, timeout=5)
    assert counterexample is not None
    assert_refutes(problem, counterexample)


def test_same_seed_gives_same_point():
    problem = make(["a > 0", "b > 0", "c > 0"], "a^3 + b^3 + c^3 >= 4*a*b*c")
    first, second = refute(problem, timeout=5, seed=3), refute(problem, timeout=5, seed=3)
    assert first is not None and first == second


def test_to_json_reports_exact_values_and_approximations():
    problem = make(["a > 0", "b > 0", "c > 0"], "a/(b + c) + b/(c + a) + c/(a + b) >= 2")
    counterexample = refute(problem, timeout=5)
    data = counterexample.to_json()
    assert set(data) == {"values", "lhs", "rhs", "lhs_approx", "rhs_approx", "method"}
    assert {name: sympy.Rational(text) for name, text in data["values"].items()} == counterexample.values
    assert data["rhs"] == "2" and data["rhs_approx"] == 2.0
    assert data["lhs_approx"] == pytest.approx(float(counterexample.lhs_value))


# ----------------------------------------------------------------------------------------------------
# evaluate_relation_exactly


def test_evaluate_relation_exactly_decides_rationals_and_radicals():
    a, b = var("a"), var("b")
    assert evaluate_relation_exactly(Relation(a / b, ">", sympy.Rational(1, 3)), {"a": 1, "b": 3}) is False
    assert evaluate_relation_exactly(Relation(a / b, ">=", sympy.Rational(1, 3)), {a: 1, b: 3}) is True
    # sqrt(2) + sqrt(3) vs sqrt(10): 3.1463 < 3.1623, decided by intervals.
    assert evaluate_relation_exactly(Relation(sympy.sqrt(a) + sympy.sqrt(b), "<", sympy.sqrt(10)), {a: 2, b: 3}) is True
    # (1 + sqrt(2))^2 = 3 + 2 sqrt(2) exactly: equality is shown symbolically, never by intervals.
    square = Relation((1 + sympy.sqrt(a)) ** 2, "=", 3 + 2 * sympy.sqrt(a))
    assert evaluate_relation_exactly(square, {a: 2}) is True
    assert evaluate_relation_exactly(Relation(square.lhs, ">", square.rhs), {a: 2}) is False


def test_evaluate_relation_exactly_returns_none_where_undefined():
    a = var("a")
    assert evaluate_relation_exactly(Relation(1 / (a - 1), ">=", 0), {a: 1}) is None
    assert evaluate_relation_exactly(Relation(sympy.sqrt(a), ">=", 0), {a: -1}) is None
    assert evaluate_relation_exactly(Relation(sympy.log(a), "<=", 0), {a: 0}) is None


def test_bad_input_raises_refute_error():
    a = var("a")
    with pytest.raises(RefuteError):
        refute("a >= 0", timeout=1)
    with pytest.raises(RefuteError):
        refute(make([], "a^2 >= 0"), timeout=0)
    with pytest.raises(RefuteError):
        evaluate_relation_exactly(Relation(a, ">=", 0), {a: 0.5})
    with pytest.raises(RefuteError):
        evaluate_relation_exactly(Relation(a, ">=", var("b")), {a: 1})
