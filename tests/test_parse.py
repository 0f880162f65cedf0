"""Tests of the problem-language parser (ineq.parse): expressions, statements, errors, fuzzing."""

from __future__ import annotations

import pickle

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ineq.parse import (
    ParseError,
    UnsupportedError,
    cyclic_order,
    parse_expression,
    parse_problem,
    parse_problem_with_notes,
)
from ineq.problem import Relation, var

a, b, c, d, e, x, y, z = (var(n) for n in "abcdexyz")
R = sympy.Rational


def same(got: sympy.Expr, expected: sympy.Expr) -> bool:
    """Structurally equal, or equal after simplification."""
    expected = sympy.sympify(expected)
    return got == expected or sympy.simplify(got - expected) == 0


# (id, text, variables for sums or None, expected expression)
EXPRESSIONS = [
    ("implicit-number-letters", "2ab", None, 2 * a * b),
    ("implicit-three-letters", "abc", None, a * b * c),
    ("implicit-number-paren", "3(a+b)", None, 3 * (a + b)),
    ("implicit-paren-paren", "(a+b)(b+c)", None, (a + b) * (b + c)),
    ("implicit-letter-paren", "a(b+c)", None, a * (b + c)),
    ("implicit-number-function", "2 sqrt(x)", None, 2 * sympy.sqrt(x)),
    ("implicit-letter-function", "xsqrt(y)", None, x * sympy.sqrt(y)),
    ("implicit-function-function", "sqrt(x)sqrt(y)", None, sympy.sqrt(x) * sympy.sqrt(y)),
    ("implicit-with-spaces", "a b c", None, a * b * c),
    ("implicit-after-power", "a^2b", None, a**2 * b),
    ("indexed-variables", "x1 + x_2 + a_10", None, var("x1") + var("x_2") + var("a_10")),
    ("greek-variables", "α + β", None, var("α") + var("β")),
    ("e-is-a-variable", "1.5e", None, R(3, 2) * e),
    ("power-right-assoc", "a^2^3", None, a**8),
    ("power-right-assoc-symbolic", "a^b^c", None, a ** (b**c)),
    ("unary-minus-below-power", "-a^2", None, -(a**2)),
    ("unary-minus-implicit", "-2ab", None, -2 * a * b),
    ("double-minus", "--a", None, a),
    ("unary-plus", "+a", None, a),
    ("star-star", "a**3", None, a**3),
    ("negative-exponent", "2^-1", None, R(1, 2)),
    ("negative-exponent-star-star", "x ** -2", None, x**-2),
    ("decimal-exact", "0.25", None, R(1, 4)),
    ("decimal-times-variable", "2.5x", None, R(5, 2) * x),
    ("fraction", "1/3", None, R(1, 3)),
    ("fraction-times", "1/2*a", None, a / 2),
    ("left-assoc-division", "a/b/c", None, a / (b * c)),
    ("left-assoc-subtraction", "a - b - c", None, a - b - c),
    ("division-by-paren-product", "a/(2b)", None, a / (2 * b)),
    ("power-of-sum-over-number", "(a+b)^2/4", None, (a + b) ** 2 / 4),
    ("rational-exponent", "x^(1/3)", None, x ** R(1, 3)),
    ("unicode-root-letter", "√x", None, sympy.sqrt(x)),
    ("unicode-root-paren", "√(x+1)", None, sympy.sqrt(x + 1)),
    ("unicode-root-number", "2√3", None, 2 * sympy.sqrt(3)),
    ("unicode-superscripts", "x² + y³ + z⁴", None, x**2 + y**3 + z**4),
    ("unicode-superscript-paren", "(x+1)²", None, (x + 1) ** 2),
    ("unicode-superscript-negative", "x⁻¹", None, 1 / x),
    ("unicode-times", "a·b × c", None, a * b * c),
    ("unicode-minus", "a − b", None, a - b),
    ("unicode-divide", "a ÷ b", None, a / b),
    ("sqrt", "sqrt(x^2 + 1)", None, sympy.sqrt(x**2 + 1)),
    ("cbrt-symbolic-is-real-root", "cbrt(x)", None, sympy.real_root(x, 3)),
    ("cbrt-negative-number", "cbrt(-8)", None, -2),
    ("root-odd", "root(3, x)", None, sympy.real_root(x, 3)),
    ("root-even-number", "root(4, 16)", None, 2),
    ("abs-function", "abs(x - 1)", None, sympy.Abs(x - 1)),
    ("abs-bars", "|x - y|", None, sympy.Abs(x - y)),
    ("abs-bars-products", "|a|b|c|", None, sympy.Abs(a) * b * sympy.Abs(c)),
    ("abs-bars-implicit", "2|x| |y|", None, 2 * sympy.Abs(x) * sympy.Abs(y)),
    ("abs-bars-nested", "||a| - |b||", None, sympy.Abs(sympy.Abs(a) - sympy.Abs(b))),
    ("min-three", "min(a, b, c)", None, sympy.Min(a, b, c)),
    ("max-two", "max(a, 1)", None, sympy.Max(a, 1)),
    ("max-one", "max(a)", None, a),
    ("exp", "exp(x)", None, sympy.exp(x)),
    ("exp-one", "exp(1)", None, sympy.E),
    ("ln-and-log-natural", "ln(x) + log(y)", None, sympy.log(x) + sympy.log(y)),
    ("pi", "2pi", None, 2 * sympy.pi),
    ("sum-cyc", "sum_cyc(a^2 b)", ("a", "b", "c"), a**2 * b + b**2 * c + c**2 * a),
    ("sum-cyc-four", "sum_cyc(ab)", ("a", "b", "c", "d"), a * b + b * c + c * d + d * a),
    (
        "sum-sym",
        "sum_sym(a^2 b)",
        ("a", "b", "c"),
        a**2 * b + a**2 * c + b**2 * a + b**2 * c + c**2 * a + c**2 * b,
    ),
    ("prod-cyc", "prod_cyc(a+b)", ("a", "b", "c"), (a + b) * (b + c) * (c + a)),
    ("sum-cyc-own-variables", "sum_cyc(x/y)", None, x / y + y / x),
    ("sum-cyc-explicit-order", "sum_cyc[x, y, z](x/y)", ("x", "y", "z"), x / y + y / z + z / x),
]


@pytest.mark.parametrize(("text", "variables", "expected"), [c[1:] for c in EXPRESSIONS], ids=[c[0] for c in EXPRESSIONS])
def test_expression(text, variables, expected):
    got = parse_expression(text, variables)
    assert same(got, expected), f"{text!r} -> {got}, expected {expected}"


def test_decimals_are_exact_rationals():
    value = parse_expression("0.1 + 0.2")
    assert value == R(3, 10) and isinstance(value, sympy.Rational)
    assert not parse_expression("3.75x").atoms(sympy.Float)


def test_variables_are_real_symbols_of_ineq_problem():
    assert parse_expression("x").is_real is True
    assert parse_expression("x") == var("x")


def rel(lhs, op, rhs) -> Relation:
    return Relation(sympy.sympify(lhs), op, sympy.sympify(rhs))


nesbitt = a / (b + c) + b / (c + a) + c / (a + b)

# (id, text, expected assumptions, expected goal)
STATEMENTS = [
    ("list-shorthand-strict", "a,b,c>0 => a+b+c>0", [rel(a, ">", 0), rel(b, ">", 0), rel(c, ">", 0)], rel(a + b + c, ">", 0)),
    ("list-shorthand-spaces", "a, b, c >= 0 => ab >= 0", [rel(a, ">=", 0), rel(b, ">=", 0), rel(c, ">=", 0)], rel(a * b, ">=", 0)),
    ("double-inequality", "0<x<1 => x^2 < x", [rel(0, "<", x), rel(x, "<", 1)], rel(x**2, "<", x)),
    ("chain", "0 < a <= b <= c => a <= c", [rel(0, "<", a), rel(a, "<=", b), rel(b, "<=", c)], rel(a, "<=", c)),
    ("interval-closed", "x in [0,1] => x^2 <= x", [rel(0, "<=", x), rel(x, "<=", 1)], rel(x**2, "<=", x)),
    ("interval-open", "x in (0,1) => x^2 < x", [rel(0, "<", x), rel(x, "<", 1)], rel(x**2, "<", x)),
    ("interval-half-open-right", "x in [0,1) => x < 1", [rel(0, "<=", x), rel(x, "<", 1)], rel(x, "<", 1)),
    ("interval-half-open-left", "x in (0,1] => x > 0", [rel(0, "<", x), rel(x, "<=", 1)], rel(x, ">", 0)),
    ("interval-unicode-member", "x ∈ [0, 1] => x >= 0", [rel(0, "<=", x), rel(x, "<=", 1)], rel(x, ">=", 0)),
    ("interval-list-infinite", "a,b in (0, oo) => a+b > 0", [rel(0, "<", a), rel(0, "<", b)], rel(a + b, ">", 0)),
    ("interval-negative-infinity", "x in (-oo, 0] => x <= 0", [rel(x, "<=", 0)], rel(x, "<=", 0)),
    ("turnstile", "x>0 |- x + 1/x >= 2", [rel(x, ">", 0)], rel(x + 1 / x, ">=", 2)),
    ("unicode-relations", "x ≥ 0 ⇒ x ≤ x + 1", [rel(x, ">=", 0)], rel(x, "<=", x + 1)),
    ("no-assumptions", "a^2 + b^2 >= 2ab", [], rel(a**2 + b**2, ">=", 2 * a * b)),
    ("equality-goal", "a = b => a - b = 0", [rel(a, "=", b)], rel(a - b, "=", 0)),
    ("double-equals", "a == b => a^2 == b^2", [rel(a, "=", b)], rel(a**2, "=", b**2)),
    ("not-equal-as-square", "x != y => (x-y)^2 > 0", [rel((x - y) ** 2, ">", 0)], rel((x - y) ** 2, ">", 0)),
    ("strict-goal", "x > 0 => x + 1 > x", [rel(x, ">", 0)], rel(x + 1, ">", x)),
    ("nesbitt-sum-cyc", "a,b,c>0 => sum_cyc(a/(b+c)) >= 3/2", [rel(a, ">", 0), rel(b, ">", 0), rel(c, ">", 0)], rel(nesbitt, ">=", R(3, 2))),
    ("sum-cyc-in-assumption", "a,b,c>0, abc=1 => sum_cyc(a) >= 3", [rel(a, ">", 0), rel(b, ">", 0), rel(c, ">", 0), rel(a * b * c, "=", 1)], rel(a + b + c, ">=", 3)),
    ("sums-both-sides", "c > 0 => sum_cyc(a^2) >= sum_cyc(ab)", [rel(c, ">", 0)], rel(a**2 + b**2 + c**2, ">=", a * b + b * c + c * a)),
    ("multiline", "x > 0,\n y > 0\n=> x y > 0", [rel(x, ">", 0), rel(y, ">", 0)], rel(x * y, ">", 0)),
]


@pytest.mark.parametrize(("text", "assumptions", "goal"), [s[1:] for s in STATEMENTS], ids=[s[0] for s in STATEMENTS])
def test_statement(text, assumptions, goal):
    problem = parse_problem(text)
    assert len(problem.assumptions) == len(assumptions), problem
    for got, want in zip((*problem.assumptions, problem.goal), (*assumptions, goal)):
        assert got.op == want.op, (got, want)
        assert same(got.lhs, want.lhs) and same(got.rhs, want.rhs), (got, want)
    assert problem.text == text


def test_problem_variables_sorted_with_numeric_suffix():
    problem = parse_problem("x10, x2, x1 > 0 => x1 + x2 + x10 > 0")
    assert [v.name for v in problem.variables] == ["x1", "x2", "x10"]


def test_sum_runs_over_all_problem_variables_and_notes_say_the_order():
    problem, notes = parse_problem_with_notes("a,b,c,t>0 => sum_cyc(a) >= t")
    assert same(problem.goal.lhs, a + b + c + var("t"))
    assert notes == ("sum_cyc runs over the variables in cyclic order: a, b, c, t",)
    assert cyclic_order(problem.variables) == ("a", "b", "c", "t")


def test_cyclic_order_sorts_by_variable_sort_key():
    assert cyclic_order(["x10", "x2", "b", "a"]) == ("a", "b", "x2", "x10")


# (id, text, exception class, line, column, substring of the message or None, required expected item or None)
MALFORMED = [
    ("missing-operand", "a + > 0", ParseError, 1, 5, "unexpected relation", "an expression"),
    ("unclosed-paren", "(a+b >= 0", ParseError, 1, 6, None, "')'"),
    ("nothing-after-arrow", "a >= b =>", ParseError, 1, 10, "end of input", "an expression"),
    ("nothing-after-relation", "a >= ", ParseError, 1, 5, "end of input", "an expression"),
    ("two-numbers-side-by-side", "2 3 > 0", ParseError, 1, 3, "unexpected number", "'*'"),
    ("sin", "sin(x) > 0", UnsupportedError, 1, 1, "function 'sin' is not supported; supported functions: sqrt", None),
    ("sin-without-paren", "sin x > 0", UnsupportedError, 1, 1, "function 'sin' is not supported", None),
    ("cos-in-goal", "x > 0 => cos(x) <= 1", UnsupportedError, 1, 10, "function 'cos' is not supported", None),
    ("floor", "floor(x) >= 0", UnsupportedError, 1, 1, "function 'floor' is not supported", None),
    ("ambiguous-division", "a/2b >= 0", ParseError, 1, 2, "ambiguous division", None),
    ("chained-goal", "a <= b <= c", UnsupportedError, 1, 1, "single relation", None),
    ("no-arrow", "a > 0, b > 0", ParseError, 1, 8, "no '=>'", None),
    ("goal-with-comma", "a > 0 => b > 0, c > 0", ParseError, 1, 17, "single relation", None),
    ("division-by-zero", "1/0 > 0", ParseError, 1, 2, "division by zero", None),
    ("bad-character", "x @ 1", ParseError, 1, 3, "unexpected character '@'", "a relation (>=, >, <=, <, =)"),
    ("empty", "", ParseError, 1, 1, "empty input", None),
    ("root-index-not-number", "root(x, 2) > 0", ParseError, 1, 1, "whole number", None),
    ("log-two-arguments", "log(x, 2) > 0", ParseError, 1, 1, "natural logarithm", None),
    ("empty-call", "sqrt() > 0", ParseError, 1, 6, None, "an expression"),
    ("unclosed-interval", "x in [0, 1 => x > 0", ParseError, 1, 12, None, "']'"),
    ("unclosed-bars", "|a + b > 0", ParseError, 1, 8, None, None),
    ("multiline-end", "x > 0\n=> y >", ParseError, 2, 7, "end of input", "an expression"),
    ("underscore-without-digits", "x_ > 0", ParseError, 1, 2, "unexpected character '_'", None),
    ("infinite-lower-end", "x in [oo, 1] => x > 0", ParseError, 1, 7, "lower end", None),
    ("doubled-relation", "a ≥≥ b", ParseError, 1, 4, None, "an expression"),
    ("not-real-power", "(-8)^(1/3) > 0", ParseError, 1, 1, "fractional power of a negative", None),
    ("not-real-sqrt", "x > 0 => sqrt(-1) < x", ParseError, 1, 10, "not a real number", None),
    ("huge-power", "9^9^9^9 > 0", UnsupportedError, 1, 4, "too large", None),
    ("sum-sym-too-many", "sum_sym(a) + b + c + d + e + f + g > 0", UnsupportedError, 1, 1, "variables in cyclic order: a, b, c, d, e, f, g", None),
    ("sum-without-variables", "sum_cyc(1) > 0", ParseError, 1, 1, "variables in cyclic order: (none)", None),
    ("sum-repeated-variable", "sum_cyc[a, a](a) > 0", ParseError, 1, 1, "variables in cyclic order: a, a", None),
    ("bare-function-name", "sqrt x > 0", ParseError, 1, 6, None, "'('"),
]


@pytest.mark.parametrize(
    ("text", "error_class", "line", "column", "message", "expected_item"),
    [m[1:] for m in MALFORMED],
    ids=[m[0] for m in MALFORMED],
)
def test_malformed(text, error_class, line, column, message, expected_item):
    with pytest.raises(ParseError) as caught:
        parse_problem(text)
    error = caught.value
    assert type(error) is error_class, f"{type(error).__name__}: {error}"
    assert (error.line, error.column) == (line, column), str(error)
    if message is not None:
        assert message in error.message, str(error)
    if expected_item is not None:
        assert expected_item in error.expected, error.expected


def test_error_text_shows_line_caret_and_expected():
    with pytest.raises(ParseError) as caught:
        parse_problem("a > 0 => (a + b >= 0")
    rendered = str(caught.value).splitlines()
    assert rendered[0].startswith("line 1, column 17:")
    assert rendered[1] == "    a > 0 => (a + b >= 0"
    assert rendered[2] == "    " + " " * 16 + "^"
    assert rendered[3].startswith("expected:") and "')'" in rendered[3]


def test_error_shows_the_offending_line_of_multiline_input():
    with pytest.raises(ParseError) as caught:
        parse_problem("x > 0,\ny >> 0\n=> x + y > 0")
    assert (caught.value.line, caught.value.column) == (2, 4)
    assert "\n    y >> 0\n       ^" in str(caught.value)


def test_parse_error_is_value_error_and_pickles():
    with pytest.raises(ValueError):
        parse_problem("a +")
    try:
        parse_problem("sin(x) > 0")
    except UnsupportedError as error:
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is UnsupportedError and str(clone) == str(error)


def test_expression_unknown_variable_when_variables_given():
    with pytest.raises(ParseError) as caught:
        parse_expression("a + q", variables=("a", "b"))
    assert caught.value.column == 5 and "unknown variable 'q'" in caught.value.message


def test_expression_rejects_relation_and_non_real():
    with pytest.raises(ParseError):
        parse_expression("a > 0")
    with pytest.raises(ParseError):
        parse_expression("log(0)")


def test_deep_nesting_and_long_numbers_are_parse_errors():
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_problem("(" * 3000 + "a" + ")" * 3000 + " > 0")
    with pytest.raises(UnsupportedError, match="digits"):
        parse_problem("9" * 5000 + " > 0")
    with pytest.raises(UnsupportedError, match="too large"):
        parse_problem("(2x)^(10^9) > 0")


def test_non_string_input_is_parse_error():
    with pytest.raises(ParseError):
        parse_problem(None)  # type: ignore[arg-type]


# Pieces of the language, so that fuzzing also reaches deep into the grammar, not only the lexer.
_PIECES = [
    "a", "b", "x1", "x_2", "2", "0.5", "(", ")", "[", "]", "|", ",", "+", "-", "*", "/", "^", "**",
    ">=", ">", "<=", "<", "=", "!=", "=>", "|-", "in", "oo", "sqrt", "cbrt", "root", "abs", "min",
    "max", "exp", "ln", "log", "sin", "pi", "sum_cyc", "sum_sym", "prod_cyc", "√", "²", "⁻", "≥",
    " ", "\n", "0", "9", "/0", "^(1/2)", "(-1)", "e", "ab",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(_PIECES), max_size=25).map("".join)))
def test_fuzz_only_parse_error_escapes(text):
    for parse in (parse_problem, parse_expression):
        try:
            result = parse(text)
        except ParseError as error:
            assert error.line >= 1 and error.column >= 1
            str(error)  # rendering must not fail either
        else:
            assert result is not None
            assert not (result.atoms(sympy.Float) if isinstance(result, sympy.Basic) else False)
