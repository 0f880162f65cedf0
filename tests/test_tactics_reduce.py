"""The reducing tactics (radicals, substitute, homogenize, tangent_line, cauchy_schwarz,
denominator_signs, assumption_denominators, reciprocal, sign_cases, radical_amgm): each one,
put first in the search next to the closing tactics, yields proofs the kernel accepts, on the
classic problems it is meant for; where it does not apply it yields nothing."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
import sympy

from ineq.kernel import Domain, Identity, certificate_from_json, check
from ineq.parse import parse_problem
from ineq.problem import var
from ineq.search import heuristic_scorer, search
from ineq.tactics.amgm import amgm
from ineq.tactics.base import Deadline
from ineq.tactics.assumption_denominators import assumption_denominators
from ineq.tactics.cauchy_schwarz import cauchy_schwarz
from ineq.tactics.denominator_signs import denominator_signs
from ineq.tactics.exponentiate import exponentiate
from ineq.tactics.generalize import generalize
from ineq.tactics.homogenize import homogenize, ratio_of_forms
from ineq.tactics.jensen import jensen
from ineq.tactics.power_substitution import power_substitution
from ineq.tactics.product_split import product_split
from ineq.tactics.radical_amgm import radical_amgm
from ineq.tactics.radical_holder import radical_holder
from ineq.tactics.radical_pairs import radical_pairs
from ineq.tactics.radical_tangent import radical_tangent
from ineq.tactics.radicals import fresh_name, radical_groups, radicals
from ineq.tactics.ratio_substitution import product_constraint, ratio_substitution
from ineq.tactics.ravi import ravi
from ineq.tactics.reciprocal import denominator_variables, reciprocal
from ineq.tactics.sign_cases import sign_cases, split_candidates
from ineq.tactics.sos import sos
from ineq.tactics.substitute import solve_linear, substitute
from ineq.tactics.sum_split import sum_split
from ineq.tactics.symmetry import symmetry
from ineq.tactics.tangent_line import tangent_line

SECONDS = 15
REDUCERS = {"radicals": radicals, "substitute": substitute, "homogenize": homogenize,
            "tangent_line": tangent_line, "cauchy_schwarz": cauchy_schwarz, "denominator_signs": denominator_signs,
            "assumption_denominators": assumption_denominators, "reciprocal": reciprocal,
            "sign_cases": sign_cases, "radical_amgm": radical_amgm, "ratio_substitution": ratio_substitution,
            "radical_tangent": radical_tangent, "ravi": ravi, "radical_pairs": radical_pairs,
            "radical_holder": radical_holder, "power_substitution": power_substitution,
            "product_split": product_split, "generalize": generalize,
            "exponentiate": exponentiate, "sum_split": sum_split,
            "jensen": jensen}


def prove_with(reducer: str, text: str, closers=("amgm", "sos")):
    """Search with `reducer` tried before the closing tactics; the proof (or None) and the problem."""
    problem = parse_problem(text)
    tactics = {reducer: REDUCERS[reducer]}
    tactics.update({name: {"amgm": amgm, "sos": sos, "homogenize": homogenize, "radicals": radicals,
                     "symmetry": symmetry}[name]
                    for name in closers})

    def reducer_first(goal, names):
        return [score + (10.0 if name == reducer else 0.0) for name, score in zip(names, heuristic_scorer(goal, names))]

    started = time.monotonic()
    proof = search(problem, Deadline.after(SECONDS), scorer=reducer_first, tactics=tactics)
    assert time.monotonic() - started < SECONDS + 2
    return proof, problem


def assert_proved_through(reducer: str, text: str, closers=("amgm", "sos")):
    proof, problem = prove_with(reducer, text, closers)
    assert proof is not None, f"{reducer} did not prove {text}"
    verdict = check(problem, proof.certificate)
    assert verdict.ok, verdict.reason
    assert proof.tactics[0] == reducer
    assert proof.explanation and all(isinstance(line, str) and line for line in proof.explanation)
    return proof


# --- radicals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a, b > 0 => (a + b)/2 >= sqrt(ab)",
    "x >= 0 => x + 1 >= 2 sqrt(x)",
    "x >= 0 => x^(1/3) <= x + 1",
    "x, y >= 0 => x + y + 2 >= 2 sqrt(x) + 2 sqrt(y)",
    "a, b > 0 => a + b > sqrt(ab)",
    "x > 0 => x + 1/x >= sqrt(2)",                        # a constant radical is named too
    "a, b >= 0 => (a + b)/2 >= sqrt(ab)",                 # multiplier only >= 0: split > 0 / <= 0
    "a,b,c >= 0, a^2+b^2+c^2 = 1 => a + b + c <= sqrt(3)",
])
def test_radicals_are_named_and_the_kernel_accepts(text):
    proof = assert_proved_through("radicals", text)
    assert any(line.startswith("Let t = ") for line in proof.explanation)


def test_square_both_sides_leaves_a_radical_free_subgoal():
    goal = parse_problem("a, b > 0 => (a + b)/2 >= sqrt(ab)")
    first = next(radicals(goal, Deadline.after(5)))
    assert len(first.subgoals) == 1
    subgoal = first.subgoals[0]
    assert subgoal.variables == goal.variables and not radical_groups(subgoal)
    assert sympy.expand(subgoal.goal.lhs - subgoal.goal.rhs - (goal.variables[0] - goal.variables[1]) ** 2 / 4) == 0


def test_square_both_sides_after_cutting_the_sign_of_the_dominant_side():
    # 567NEQ p27: the multiplier 1 - ab - bc - ca + 2t is not positive by its coefficients, so the
    # route first proves 1 - ab - bc - ca >= 0, then the squared claim.
    text = "a,b,c >= 0, a+b+c = 1 => 2 sqrt(a^2 b + b^2 c + c^2 a) + ab + bc + ca <= 1"
    goal = parse_problem(text)
    attempts = list(radicals(goal, Deadline.after(5)))
    cut_attempts = [attempt for attempt in attempts if len(attempt.subgoals) == 2
                    and not radical_groups(attempt.subgoals[0]) and not radical_groups(attempt.subgoals[1])]
    assert cut_attempts
    sign_claim = cut_attempts[0].subgoals[0].goal
    a, b, c = goal.variables
    assert sympy.expand(sign_claim.lhs - sign_claim.rhs) == 1 - a * b - b * c - c * a
    proof = assert_proved_through("radicals", text, closers=("amgm", "sos", "homogenize"))
    assert any(line.startswith("First, ") for line in proof.explanation)


def test_a_radical_of_a_fraction_is_squared_with_its_denominator_as_a_multiplier():
    # 567NEQ p47: sqrt(27 + (a+b+c)(1/a+1/b+1/c)), a fraction under the root with denominator abc > 0.
    text = ("a,b,c > 0 => a(b+c)/(a^2+bc) + b(c+a)/(b^2+ca) + c(a+b)/(c^2+ab) "
            "<= sqrt(27 + (a+b+c)(1/a+1/b+1/c))/2")
    goal = parse_problem(text)
    first = next(radicals(goal, Deadline.after(5)))
    assert len(first.subgoals) == 1 and not radical_groups(first.subgoals[0])
    assert_proved_through("radicals", text)


def test_cube_both_sides_leaves_the_comparison_of_cubes():
    # Ineq-Comp jensen_p25: the power mean of order 3 against the weighted mean.
    text = "x, y, z > 0 => x/4 + 3y/8 + 3z/8 <= (x^3/4 + 3y^3/8 + 3z^3/8)^(1/3)"
    goal = parse_problem(text)
    first = next(radicals(goal, Deadline.after(5)))
    assert len(first.subgoals) == 1 and not radical_groups(first.subgoals[0])
    claim = first.subgoals[0].goal
    x, y, z = goal.variables
    mean, cubes = x / 4 + 3 * y / 8 + 3 * z / 8, x**3 / 4 + 3 * y**3 / 8 + 3 * z**3 / 8
    ratio = sympy.cancel((claim.lhs - claim.rhs) / (cubes - mean**3))
    assert ratio.is_number and ratio > 0
    proof = assert_proved_through("radicals", text)
    assert any("cubing both sides" in line for line in proof.explanation)


@pytest.mark.parametrize("text", [
    "x, y > 0 => x + y <= (3 x^3 + 3 y^3)^(1/3)",  # false: x = y gives 2x against 6^(1/3) x
    "x, y > 0 => x + 2 y <= (x^3 + y^3 + x^2 y)^(1/3)",  # false at x = y: 3x against 3^(1/3) x
])
def test_a_false_cubed_goal_is_not_proved(text):
    proof, _ = prove_with("radicals", text)
    assert proof is None


def test_cube_both_sides_needs_a_positive_multiplier():
    # Over x, y >= 0 the multiplier x^2 + ... + t^2 vanishes at 0: no cubing attempt, only naming.
    goal = parse_problem("x, y >= 0 => x + y <= (4 x^3 + 4 y^3)^(1/3)")
    attempts = list(radicals(goal, Deadline.after(5)))
    assert all(radical_groups(subgoal) or "t" in {v.name for v in subgoal.variables}
               for attempt in attempts for subgoal in attempt.subgoals)


def test_generalize_names_logs_by_positive_variables():
    # Ineq-Comp comp_p60: an AM-GM fact written in log(a + 1), log(b + 1), log(c + 1).
    text = ("a, b, c > 0 => (log(a + 1) + log(b + 1) + log(c + 1))^3/(8 log(a + 1) log(b + 1) log(c + 1)) >= "
            "27 log(a + 1) log(b + 1) log(c + 1)/((log(a + 1) + log(b + 1))(log(b + 1) + log(c + 1))"
            "(log(c + 1) + log(a + 1)))")
    proof = assert_proved_through("generalize", text)
    assert proof.explanation[0].startswith("Let u = log(a + 1), so u > 0")
    document = json.loads(json.dumps(proof.certificate.to_json()))
    assert check(parse_problem(text), certificate_from_json(document)).ok


def test_generalize_writes_exp_of_a_positive_argument_as_one_plus_a_positive_variable():
    goal = parse_problem("a > 0, b > 0 => exp(a) + exp(-b) >= 1")
    (attempt,) = generalize(goal, Deadline.after(5))
    subgoal = attempt.subgoals[0]
    p, v = var("p"), var("v")
    assert sympy.expand(subgoal.goal.lhs - subgoal.goal.rhs - (p + v)) == 0
    # a and b occur nowhere else, so their sign assumptions (and they) are dropped.
    assert {str(a) for a in subgoal.assumptions} == {"p > 0", "v > 0"} and set(subgoal.variables) == {p, v}
    assert attempt.explanation[0].startswith("Let p = exp(a) - 1, so p > 0")
    proof = assert_proved_through("generalize", "a > 0, b > 0 => exp(a) + exp(-b) >= 1")
    assert check(goal, certificate_from_json(json.loads(json.dumps(proof.certificate.to_json())))).ok
    assert list(generalize(parse_problem("a > 0 => a + 1 >= 1"), Deadline.after(5))) == []


def test_exponentiate_turns_weighted_logs_into_weighted_am_gm():
    # Ineq-Comp jensen_p6: concavity of log with weights 1/4, 3/8, 3/8.
    text = "x, y, z > 0 => log(x)/4 + 3 log(y)/8 + 3 log(z)/8 <= log(x/4 + 3y/8 + 3z/8)"
    (attempt,) = exponentiate(parse_problem(text), Deadline.after(5))
    claim = attempt.subgoals[0].goal
    assert not claim.lhs.has(sympy.log) and not claim.rhs.has(sympy.log)
    proof = assert_proved_through("exponentiate", text, closers=("amgm", "sos", "radicals"))
    assert proof.explanation[0].startswith("Since log is increasing")
    # Not a combination of logs (a constant term), or an argument of unknown sign: nothing.
    assert list(exponentiate(parse_problem("x > 0 => log(x) + 1 >= 0"), Deadline.after(5))) == []
    assert list(exponentiate(parse_problem("x, y > 0 => log(x - y) <= log(x)"), Deadline.after(5))) == []


def test_exponentiate_does_not_prove_a_false_comparison():
    proof, _ = prove_with("exponentiate", "x, y > 0 => log(x) + log(y) >= 2 log(x/2 + y/2)")
    assert proof is None


def test_generalize_does_not_prove_what_needs_the_function():
    # Jensen for exp is true, but not for arbitrary positive u, v, w in place of exp(x), exp(y),
    # exp((x + y)/2): the generalized goal is false and must not be proved.
    proof, _ = prove_with("generalize", "exp((x + y)/2) <= (exp(x) + exp(y))/2")
    assert proof is None


def test_radicals_wait_for_sign_cases_to_resolve_abs():
    # Naming sqrt 2 first would leave |X| inside the split and no squaring step (IMO 2006/3).
    goal = parse_problem("abs(x^3 - x) <= sqrt(2) (x^2 + 1)^2")
    assert list(radicals(goal, Deadline.after(5))) == []
    assert list(radicals(parse_problem("x >= 0 => x^3 - x <= sqrt(2) (x^2 + 1)^2"), Deadline.after(5)))


@pytest.mark.parametrize("text", ["a,b,c >= 0, a+b+c = 1 => 2 sqrt(a^2 b + b^2 c + c^2 a) + ab + bc + ca <= 9/10",
                                  "x >= 0 => 2 sqrt(x) <= x"])
def test_a_false_squared_goal_is_not_proved_by_the_sign_cut(text):
    proof, _ = prove_with("radicals", text)
    assert proof is None


@pytest.mark.parametrize("text", ["x >= 0 => x + 1 >= 3 sqrt(x)", "x > 0 => x + 1/x >= sqrt(5)"])
def test_false_radical_goal_is_not_proved(text):
    proof, _ = prove_with("radicals", text)
    assert proof is None


def test_radical_groups_innermost_first_and_fresh_names_avoid_variables():
    problem = parse_problem("x >= 0 => sqrt(1 + sqrt(x)) <= 1 + x")
    groups = radical_groups(problem)
    assert [g[0] for g in groups] == [var("x"), 1 + sympy.sqrt(var("x"))]
    assert fresh_name(problem, 2) == var("u")
    taken = parse_problem("t, x >= 0 => sqrt(x) <= t + x")
    assert fresh_name(taken, 1) == var("t1")


def test_cube_root_of_the_parser_is_left_alone():
    # cbrt(x) parses to Abs(x)**(1/3)*sign(x), which no polynomial subgoal can express.
    assert list(radicals(parse_problem("x >= 0 => cbrt(x) <= x + 1"), Deadline.after(5))) == []


# --- substitute -------------------------------------------------------------------------------------


def test_substitution_makes_amgm_applicable():
    # amgm refuses non-monomial equalities; after z is eliminated it proves (y - 1)^2 >= 0.
    proof = assert_proved_through("substitute", "x, y > 0, x + y = 2 => xy <= 1", closers=("amgm",))
    assert "substitute" in proof.explanation[0]


def test_two_equalities_are_eliminated_one_after_the_other():
    assert_proved_through("substitute", "x, y, z >= 0, x + y + z = 3, x = 2y => x^2 + y^2 + z^2 >= 3",
                          closers=("sos",))


def test_only_linear_occurrences_are_solved():
    x, y = var("x"), var("y")
    assert solve_linear(x * y - 1, x) is None
    assert solve_linear(x**2 + y - 1, x) is None
    assert solve_linear(2 * x + y - 1, x) == sympy.Rational(1, 2) - y / 2


def test_smallest_substitution_first():
    goal = parse_problem("x, y > 0, x + 3y = 4 => x^2 y >= 0")
    first = next(substitute(goal, Deadline.after(5)))
    assert "x = 4 - 3*y" in first.explanation[0]


# --- homogenize -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a, b, c > 0, a + b + c = 3 => ab + bc + ca <= 3",
    "x, y, z > 0, x + y + z = 1 => 1/x + 1/y + 1/z >= 9",
    "a, b, c > 0, a + b + c = 3 => a^2 + b^2 + c^2 >= 3",
    "a, b, c > 0, abc = 1 => (a + b)(b + c)(c + a) >= 8",
])
def test_homogenised_goal_is_proved_without_the_equality(text):
    proof = assert_proved_through("homogenize", text, closers=("amgm",))
    claim_goal = proof.attempts[0].subgoals[0]
    assert all(a.op != "=" for a in claim_goal.assumptions)
    g, _ = claim_goal.goal.normalized()
    assert sympy.Poly(sympy.expand(g), *claim_goal.variables).is_homogeneous


def test_homogenize_needs_compatible_degrees():
    # abc = 1 has degree 3; terms of degrees 2 and 1 cannot be matched by integer powers.
    goal = parse_problem("a, b, c > 0, abc = 1 => a^2 + b^2 + c^2 >= a + b + c")
    assert list(homogenize(goal, Deadline.after(5))) == []


@pytest.mark.parametrize("text", [
    # USAMO 2011/1: the bound turns the 1 in ab + 1 into (a^2+b^2+c^2+(a+b+c)^2)/4.
    "a, b, c > 0, a^2 + b^2 + c^2 + (a + b + c)^2 <= 4 => (ab+1)/(a+b)^2 + (bc+1)/(b+c)^2 + (ca+1)/(c+a)^2 >= 3",
    "a, b, c > 0, a + b + c >= 3 => a^2 + b^2 + c^2 >= 3",   # t >= 1, the constant term is negative
    "x, y, z > 0, xyz >= xy + yz + zx => xyz >= 3(x + y + z)",  # t = xyz/(xy + yz + zx) >= 1
])
def test_homogenised_by_a_bound(text):
    proof = assert_proved_through("homogenize", text, closers=("amgm",))
    claim_goal = proof.attempts[0].subgoals[0]
    assert len(claim_goal.assumptions) == len(parse_problem(text).assumptions) - 1
    g, _ = claim_goal.goal.normalized()
    assert sympy.Poly(sympy.expand(g), *claim_goal.variables).is_homogeneous


def test_homogenised_by_a_ratio_of_forms():
    # ISL 2009 A2 with its constraint 1/a + 1/b + 1/c = a + b + c cleared: t = abc(a+b+c)/(ab+bc+ca) = 1.
    text = ("a, b, c > 0, ab + bc + ca = abc(a + b + c) => "
            "1/(2a + b + c)^2 + 1/(a + 2b + c)^2 + 1/(a + b + 2c)^2 <= 3/16")
    proof = assert_proved_through("homogenize", text, closers=("amgm",))
    claim_goal = proof.attempts[0].subgoals[0]
    assert all(a.op != "=" for a in claim_goal.assumptions)
    assert sympy.expand(proof.certificate.multiplier[-1] - (var("a") * var("b") + var("b") * var("c")
                                                            + var("c") * var("a"))) == 0


def test_a_ratio_of_forms_needs_a_positive_denominator():
    goal = parse_problem("a, b > 0, a^2 + b^2 = a - b => a + b >= 0")
    h, _ = goal.assumptions[-1].normalized()
    assert ratio_of_forms(sympy.expand(h), goal.variables, goal) is None
    goal = parse_problem("a, b > 0, a^2 + b^2 = a + b => a + b >= 0")
    h, _ = goal.assumptions[-1].normalized()
    assert ratio_of_forms(sympy.expand(h), goal.variables, goal) is not None


@pytest.mark.parametrize("text", [
    "a, b, c > 0, a + b + c <= 3 => a^2 + b^2 + c^2 >= 3",   # false: the bound points the wrong way
    "a, b, c > 0, a + b + c >= 3 => a^2 + b^2 + c^2 + a >= 4",  # t >= 1 would raise the term a
])
def test_a_bound_on_the_wrong_side_is_not_used(text):
    assert list(homogenize(parse_problem(text), Deadline.after(5))) == []


# --- ratio substitution -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a, b, c > 0, abc = 1 => (a - 1 + 1/b)(b - 1 + 1/c)(c - 1 + 1/a) <= 1",   # IMO 2000/2: Schur
    "a, b, c >= 0, abc = 1 => a^2 + b^2 + c^2 >= a + b + c",   # degrees 2 and 1: no homogenising
    "x, y > 0, xy = 4 => x + y >= 4",
])
def test_ratio_substitution_removes_the_product_constraint(text):
    proof = assert_proved_through("ratio_substitution", text)
    reduced = proof.attempts[0].subgoals[0]
    assert all(a.op != "=" for a in reduced.assumptions)
    assert not set(reduced.variables) & set(parse_problem(text).variables)


def test_product_constraint_shapes():
    def shape(text):
        goal = parse_problem(text)
        h, _ = goal.assumptions[-1].normalized()
        return product_constraint(sympy.expand(h), goal.variables, Domain(goal))

    assert shape("a, b, c > 0, abc = 8 => a >= 0") == ([var("a"), var("b"), var("c")], 2)
    assert shape("a, b, c > 0, abc = 2 => a >= 0") is None          # the cube root of 2 is irrational
    assert shape("a, b, c > 0, a^2 b c = 1 => a >= 0") is None
    assert shape("abc = 1 => a^2 >= 0") is None                      # signs unknown: a = x/y needs a > 0
    assert shape("a, b, c > 0, abc = -1 => a >= 0") is None


# --- tangent line -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a, b, c > 0, a + b + c = 1 => a/(1 + a^2) + b/(1 + b^2) + c/(1 + c^2) <= 9/10",
    "a, b, c > 0, a + b + c = 3 => 1/(a^2 + 1) + 1/(b^2 + 1) + 1/(c^2 + 1) >= 3/2",
    "a, b, c > 0, a + b + c = 3 => a^4 + b^4 + c^4 >= a^3 + b^3 + c^3",
])
def test_tangent_line_trick(text):
    proof = assert_proved_through("tangent_line", text)
    assert proof.explanation[0].startswith("Tangent line at a, b, c = ")
    assert len(proof.attempts[0].subgoals) == 3
    assert all(len(s.variables) == 1 for s in proof.attempts[0].subgoals)


def test_tangent_line_that_crosses_the_function_is_not_proposed():
    # 1/x^2 - x^2 >= -4(x - 1) fails at x = 3 (the trick needs a case split there).
    goal = parse_problem("a, b, c > 0, a + b + c = 3 => 1/a^2 + 1/b^2 + 1/c^2 >= a^2 + b^2 + c^2")
    assert list(tangent_line(goal, Deadline.after(5))) == []


def test_tangent_line_needs_a_separable_goal():
    goal = parse_problem("a, b, c > 0, a + b + c = 3 => ab + bc + ca <= 3")
    assert list(tangent_line(goal, Deadline.after(5))) == []


# --- Cauchy-Schwarz ---------------------------------------------------------------------------------


def test_nesbitt_by_engel_form():
    proof = assert_proved_through("cauchy_schwarz", "a, b, c > 0 => a/(b + c) + b/(c + a) + c/(a + b) >= 3/2")
    assert proof.explanation[0].startswith("By Cauchy-Schwarz in Engel form")
    remaining = proof.attempts[0].subgoals[0].goal
    assert sympy.cancel(remaining.lhs - (sum(var(n) for n in "abc") ** 2
                                         / (2 * (var("a") * var("b") + var("b") * var("c") + var("c") * var("a"))))) == 0


@pytest.mark.parametrize("text", [
    "a, b, c > 0 => a^2/b + b^2/c + c^2/a >= a + b + c",
    "a, b, c > 0 => 1/a + 1/b + 1/c >= 9/(a + b + c)",
    "x, y, z > 0 => x^2/(y + z) + y^2/(z + x) + z^2/(x + y) >= (x + y + z)/2",
])
def test_titu_closes_exact_bounds_without_a_subgoal(text):
    proof = assert_proved_through("cauchy_schwarz", text)
    assert proof.attempts[0].subgoals == ()


def test_four_term_cyclic_sum():
    assert_proved_through("cauchy_schwarz", "a, b, c, d > 0 => a/(b + c) + b/(c + d) + c/(d + a) + d/(a + b) >= 2")


def test_cauchy_schwarz_needs_positive_denominators():
    goal = parse_problem("a/(b + c) + b/(c + a) >= 1")
    assert list(cauchy_schwarz(goal, Deadline.after(5))) == []


def test_tangent_line_bounded_by_the_sum_substitutes_the_variable():
    # a/(2 - a) lies above its tangent at 1/3 only for a < 2; a <= 1 follows from b, c > 0, and
    # substituting a = 1 - b - c turns the denominator 2 - a into 1 + b + c (kernel-positive).
    proof = assert_proved_through("tangent_line", "a, b, c > 0, a + b + c = 1 => a/(2-a) + b/(2-b) + c/(2-c) >= 3/5",
                                  closers=("sos",))
    subgoals = proof.attempts[0].subgoals
    assert len(subgoals) == 3 and all(len(s.variables) == 2 for s in subgoals)
    assert all(a.op != "=" for s in subgoals for a in s.assumptions)


def test_homogenize_ignores_irrational_coefficients():
    goal = parse_problem("a, b > 0, a + b = 2 => sqrt(3) a b + a^2 <= 4")
    assert list(homogenize(goal, Deadline.after(5))) == []


@pytest.mark.parametrize("text", [
    "x,y>0, x+y=1 => 1/(1-x) >= 1",                   # 1 - x > 0 only because of the equality
    "a,b>=0, a+b=1 => 1/(a^2-4a+9) + 1/(b^2-4b+9) <= 2/7",  # positive as (a-2)^2 + 5
])
def test_denominator_signs_cuts_a_sign_claim_first(text):
    proof, problem = prove_with("denominator_signs", text)
    assert proof is not None, f"denominator_signs did not prove {text}"
    assert check(problem, proof.certificate).ok
    assert type(proof.certificate).__name__ == "Cut"


def test_denominator_signs_picks_the_sign_that_holds():
    problem = parse_problem("x,y>0, x+y=1 => 1/(x-1) <= -1")
    attempt = next(denominator_signs(problem, Deadline.after(5)))
    claim = attempt.subgoals[0].goal
    assert sympy.expand(claim.lhs - (1 - var("x"))) == 0 and claim.op == ">"


def test_denominator_signs_skips_a_denominator_that_changes_sign():
    problem = parse_problem("x>0, x<2 => x^2/(x-1)^2 + 1/(x-1) >= -1/4")
    assert list(denominator_signs(problem, Deadline.after(5))) == []


@pytest.mark.parametrize("text", [
    "x,y>0, 1/x+1/y=1 => x+y>=4",
    "x,y>0, 1/x+1/y<=1 => x+y>=4",
])
def test_assumption_denominators_replaces_the_rational_assumption(text):
    proof, problem = prove_with("assumption_denominators", text)
    assert proof is not None, f"assumption_denominators did not prove {text}"
    assert check(problem, proof.certificate).ok
    remaining = proof.attempts[0].subgoals[0]
    assert all(sympy.fraction(sympy.together(a.lhs - a.rhs))[1].is_number for a in remaining.assumptions)


def test_assumption_denominators_keeps_the_sign_of_a_strict_inequality():
    problem = parse_problem("x,y>0, 1/x+1/y<1 => x+y>4")
    attempt = next(assumption_denominators(problem, Deadline.after(5)))
    claims = [a for a in attempt.subgoals[0].assumptions if a.lhs.free_symbols == {var("x"), var("y")}]
    assert len(claims) == 1 and claims[0].op == ">"
    proof, _ = prove_with("assumption_denominators", "x,y>0, 1/x+1/y<1 => x+y>4")
    assert proof is not None and check(problem, proof.certificate).ok


def test_assumption_denominators_needs_a_signed_denominator_for_inequalities():
    assert list(assumption_denominators(parse_problem("x,y>0, 1/(x-y) >= 1 => x >= y"), Deadline.after(5))) == []


def test_reciprocal_turns_reciprocal_powers_into_a_polynomial_goal():
    proof = assert_proved_through("reciprocal", "a,b>0 => 1/a^3 + 1/b^3 >= 1/(a*b^2) + 1/(a^2*b)")
    remaining = proof.attempts[0].subgoals[0]
    assert [v.name for v in remaining.variables] == ["x", "y"]
    assert remaining.goal.lhs.is_polynomial(*remaining.variables)
    # 1/x > 0 follows from x > 0 and is dropped (kept, it would grow the assumptions on every round).
    assert sorted(map(str, remaining.assumptions)) == ["x > 0", "y > 0"]


def test_reciprocal_changes_only_positive_variables_in_denominators():
    assert [v.name for v in denominator_variables(parse_problem("a,b>0, c>=0 => c/(a*b) + 1/c >= 0"))] == ["a", "b"]
    assert denominator_variables(parse_problem("a,b>0 => a/(a+b) <= 1")) == []


@pytest.mark.parametrize("text", ["|x-1| + |x+1| >= 2", "max(a,b) >= (a+b)/2", "min(a,b) <= (a+b)/2",
                                  "min(a, b, c) <= (a+b+c)/3"])
def test_sign_cases_resolve_abs_max_min(text):
    proof = assert_proved_through("sign_cases", text)
    assert "Assuming" in "\n".join(proof.explanation)


def test_sign_cases_split_innermost_first_and_skip_non_polynomials():
    x = var("x")
    assert split_candidates(parse_problem("|x - |x + 1|| >= 0"))[0] == x + 1
    assert split_candidates(parse_problem("x > 0 => |sqrt(x) - 1| >= 0")) == []


def test_false_abs_statement_is_not_proved():
    proof, _ = prove_with("sign_cases", "|x-1| + |x+1| >= 3")
    assert proof is None


def test_radical_amgm_bounds_each_root_of_a_product():
    problem = parse_problem("a,b,c>0, a+b+c=3 => sqrt(a*b)+sqrt(b*c)+sqrt(c*a) <= 3")
    attempt = next(radical_amgm(problem, Deadline.after(5)))
    assert len(attempt.subgoals) == 4  # three AM-GM bounds and the radical-free remainder
    assert not radical_groups(attempt.subgoals[-1])
    # Prove every subgoal with the whole registry, then let the kernel check the assembled certificate.
    proofs = [search(subgoal, Deadline.after(SECONDS)) for subgoal in attempt.subgoals]
    assert all(p is not None for p in proofs)
    verdict = check(problem, attempt.build(tuple(p.certificate for p in proofs)))
    assert verdict.ok, verdict.reason


def test_radical_amgm_bounds_a_root_inside_a_denominator():
    # ChenNEQ p24: 1/(c + 6 sqrt(ab)) falls as sqrt(ab) grows, so it is >= 1/(c + 3(a + b)).
    text = ("a,b,c > 0, a+b+c = 1 => 1/(a+2) + 1/(b+2) + 1/(c+2) "
            "<= 1/(6 sqrt(ab) + c) + 1/(6 sqrt(bc) + a) + 1/(6 sqrt(ca) + b)")
    goal = parse_problem(text)
    attempt = next(radical_amgm(goal, Deadline.after(5)))
    a, b, c = goal.variables
    claims = [s.goal for s in attempt.subgoals[:-1]]
    assert any(sympy.simplify(claim.rhs - 1 / (3 * a + 3 * b + c)) == 0 for claim in claims)
    assert not radical_groups(attempt.subgoals[-1])
    assert_proved_through("radical_amgm", text, closers=("amgm", "sos", "radicals", "homogenize"))
    # A term that grows with the root is left alone: 1/(c + 6 sqrt(ab)) on the smaller side.
    assert list(radical_amgm(parse_problem("a,b,c > 0 => 1/(6 sqrt(ab) + c) <= 1/c"), Deadline.after(5))) == []


def test_radical_amgm_needs_an_upper_bound_and_nonnegative_factors():
    assert list(radical_amgm(parse_problem("a,b>0 => sqrt(a*b) >= 0"), Deadline.after(5))) == []
    assert list(radical_amgm(parse_problem("sqrt(x^2*y^2+1) <= |x*y| + 1"), Deadline.after(5))) == []
    assert list(radical_amgm(parse_problem("a,b>=0 => (a+b)/2 >= sqrt(ab)"), Deadline.after(5))) == []


def test_radical_tangent_bounds_a_norm_by_its_tangent_plane():
    # ChenNEQ p38: sqrt(a^2 + ab + b^2) is a norm, so it lies above its tangent plane at a = b = c = 1;
    # sqrt 3 is irrational there, so the slope is rounded down: sqrt(a^2 + ab + b^2) >= 5(a + b)/6.
    text = "a,b,c > 0, a+b+c = 3 => sqrt(3) <= sqrt(a^2+ab+b^2) + sqrt(b^2+bc+c^2) + sqrt(c^2+ca+a^2)"
    goal = parse_problem(text)
    attempt = next(radical_tangent(goal, Deadline.after(5)))
    a, b, c = goal.variables
    bounds = {sympy.expand(s.goal.rhs) for s in attempt.subgoals[:-1]}
    assert sympy.expand(5 * (a + b) / 6) in bounds
    assert_proved_through("radical_tangent", text, closers=("amgm", "sos", "radicals", "homogenize"))


def test_radical_tangent_bounds_from_above_by_am_gm_with_a_positive_tangent():
    # sqrt(E) <= (E + L^2)/(2L) with L = (a + b)/2 + ... the tangent at a = b = 1, which is > 0.
    goal = parse_problem("a,b > 0 => a + b >= sqrt(2a^2 + 2b^2) - (a+b)/3")
    attempt = next(radical_tangent(goal, Deadline.after(5)))
    a, b = goal.variables
    bound = 2 * a**2 + 2 * b**2 + (a + b) ** 2
    assert sympy.simplify(attempt.subgoals[0].goal.lhs - bound / (2 * (a + b))) == 0
    # Without a positive tangent (a, b only >= 0) no upper bound is proposed.
    assert list(radical_tangent(parse_problem("a,b >= 0 => a + b >= sqrt(2a^2 + 2b^2) - (a+b)/3"),
                                Deadline.after(5))) == []


def test_radical_tangent_bounds_cube_roots_from_above_by_am_gm():
    # ineqmath train/72: cbrt(ab + bc) <= (ab + bc + 16)/12, equal at a = b = c = 2 where ab + bc = 8.
    text = "a,b,c > 0, a+b+c = 6 => (ab+bc)^(1/3) + (bc+ca)^(1/3) + (ca+ab)^(1/3) <= 6"
    proof = assert_proved_through("radical_tangent", text, closers=("amgm", "sos", "radicals", "homogenize"))
    assert "(a*b + b*c)**(1/3) <= a*b/12 + b*c/12 + 4/3" in proof.explanation[0]


def test_radical_tangent_false_bound_is_not_proved():
    # sqrt(a^2 + ab + bc + c^2) >= 3a/4 + b/2 + 3c/4 fails at (1, 0, 1): the lossy step must not prove
    # a false remainder either.
    proof, _ = prove_with("radical_tangent", "a,b,c>=0, a+b+c=3 => sqrt(a^2+ab+bc+c^2) + a >= 100")
    assert proof is None


def test_ravi_turns_triangle_sides_into_nonnegative_variables():
    # vasile p31138: a cyclic cubic on the sides of a (possibly degenerate) triangle.
    text = "b+c >= a, c+a >= b, a+b >= c => a^2 (a+b)(b-c) + b^2 (b+c)(c-a) + c^2 (c+a)(a-b) >= 0"
    goal = parse_problem(text)
    attempt = next(ravi(goal, Deadline.after(5)))
    reduced = attempt.subgoals[0]
    assert [str(r) for r in reduced.assumptions] == ["x >= 0", "y >= 0", "z >= 0"]
    assert_proved_through("ravi", text, closers=("amgm", "sos", "symmetry"))


def test_ravi_keeps_strictness_and_needs_all_three_inequalities():
    goal = parse_problem("a,b,c > 0, b+c > a, c+a > b, a+b > c => a^2+b^2+c^2 < 2(ab+bc+ca)")
    reduced = next(ravi(goal, Deadline.after(5))).subgoals[0]
    assert [str(r) for r in reduced.assumptions[-3:]] == ["x > 0", "y > 0", "z > 0"]
    assert list(ravi(parse_problem("b+c >= a, c+a >= b => a+b+c >= 0"), Deadline.after(5))) == []


def test_radical_pairs_closes_a_triangle_goal_by_concavity_alone():
    # ChenNEQ p17: sqrt(a+b-c) + sqrt(c+a-b) <= 2 sqrt(a), and the three such pairs add up to the goal.
    goal = parse_problem("a,b,c > 0, a+b > c, b+c > a, c+a > b => "
                         "sqrt(a+b-c) + sqrt(b+c-a) + sqrt(c+a-b) <= sqrt(a) + sqrt(b) + sqrt(c)")
    attempt = next(radical_pairs(goal, Deadline.after(5)))
    assert attempt.subgoals == ()
    verdict = check(goal, attempt.build(()))
    assert verdict.ok, verdict.reason


def test_radical_pairs_leaves_the_rest_as_a_subgoal_and_needs_matching_sums():
    # 2 sqrt(x) <= ... : sqrt(x + 1) + sqrt(x - 1) <= 2 sqrt(x), with x >= 1; the rest 1 >= 0 is a subgoal.
    text = "x >= 1 => sqrt(x + 1) + sqrt(x - 1) <= 2 sqrt(x) + 1"
    attempt = next(radical_pairs(parse_problem(text), Deadline.after(5)))
    assert len(attempt.subgoals) == 1
    assert_proved_through("radical_pairs", text)
    # False (at x = 100): the remainder -1/10 >= 0 must not be proved.
    assert prove_with("radical_pairs", "x >= 1 => sqrt(x + 1) + sqrt(x - 1) <= 2 sqrt(x) - 1/10")[0] is None
    # (x + 2) + (x - 1) is not twice x times a rational square: no lemma.
    assert list(radical_pairs(parse_problem("x >= 1 => sqrt(x + 2) + sqrt(x - 1) <= 2 sqrt(x) + 1"),
                              Deadline.after(5))) == []


def test_radical_holder_proves_a_sum_of_roots_against_a_root_by_hoelder():
    # vasile p22054: equality at a = b, c = 0, where the three roots are 3, 1, 1 (so the weights G_i
    # must take the ratios 1/3 : 1 : 1 there). The degree-12 subgoal falls to AM-GM.
    text = ("a,b,c >= 0 => sqrt(a^2+7ab+b^2) + sqrt(a^2+7ac+c^2) + sqrt(b^2+7bc+c^2) >= 5 sqrt(ab+bc+ca)")
    proof = assert_proved_through("radical_holder", text)
    assert "Hölder" in proof.explanation[0]


def test_radical_holder_certificate_is_checked_in_every_case():
    # Russia 2002 (a + b + c = 3 => sqrt(a) + sqrt(b) + sqrt(c) >= ab + bc + ca): Hölder with constant
    # weights. Each of the four cases is an exact identity; dropping a piece from any one is rejected.
    goal = parse_problem("a,b,c>0, a+b+c=3 => sqrt(a)+sqrt(b)+sqrt(c) >= ab+bc+ca")
    attempt = next(radical_holder(goal, Deadline.after(10)))
    proof = search(attempt.subgoals[0], Deadline.after(SECONDS))
    certificate = attempt.build((proof.certificate,))
    assert check(goal, certificate).ok
    assert check(goal, certificate_from_json(json.loads(json.dumps(certificate.to_json())))).ok  # a saved proof

    def identities(node, path=()):
        if isinstance(node, Identity):
            yield path
        for name in ("certificate", "nonnegative_case", "nonpositive_case"):
            if hasattr(node, name):
                yield from identities(getattr(node, name), path + (name,))

    def without_last_piece(node, path):
        if not path:
            return dataclasses.replace(node, pieces=node.pieces[:-1])
        return dataclasses.replace(node, **{path[0]: without_last_piece(getattr(node, path[0]), path[1:])})

    paths = list(identities(certificate))
    assert len(paths) == 4  # R <= 0, N <= 0, C <= 0 and the main identity
    for path in paths:
        assert not check(goal, without_last_piece(certificate, path)).ok


def test_radical_holder_homogenises_through_a_normalising_constraint():
    # vasile p22076: with a + b + c = 3 the roots read sqrt(a^2 + (a + b + c)^2/3), the constraint is
    # used only in the certificate's equality multiples.
    text = "a,b,c >= 0, a+b+c = 3 => sqrt(a^2+3) + sqrt(b^2+3) + sqrt(c^2+3) >= sqrt(2a^2+2b^2+2c^2+30)"
    attempt = next(radical_holder(parse_problem(text), Deadline.after(10)))
    (subgoal,) = attempt.subgoals
    assert not any(p.exp.is_Rational and not p.exp.is_Integer for p in subgoal.goal.lhs.atoms(sympy.Pow))
    assert sympy.Poly(subgoal.goal.lhs, *subgoal.variables).is_homogeneous
    assert_proved_through("radical_holder", text, closers=("amgm", "sos", "symmetry"))


def test_radical_holder_leaves_other_shapes_alone():
    for text in ["a,b,c >= 0 => sqrt(a) + sqrt(b) >= sqrt(a+b) - sqrt(c)",   # a root on each side and a rest
                 "a,b >= 0 => sqrt(a) + sqrt(b) <= 2 sqrt(a+b)",                # an upper bound
                 "a + b >= 0 => sqrt(a^2+1) + sqrt(b^2+1) >= a + b"]:          # variables of any sign
        assert list(radical_holder(parse_problem(text), Deadline.after(5))) == [], text


# --- power_substitution -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "a, b, c > 0 => cbrt(abc) >= 3/(1/a + 1/b + 1/c)",          # GM >= HM: a = x^3, ..., then AM-GM
    "a, b, c >= 0 => (1+a)(1+b)(1+c) >= (1 + cbrt(abc))^3",      # real cube root of a nonnegative product
    "a, b >= 0 => a + 3b >= 4 a^(1/4) b^(3/4)",                  # weighted AM-GM in fourth powers
])
def test_power_substitution_removes_roots_of_monomials(text):
    proof = assert_proved_through("power_substitution", text)
    assert any("write a = x^" in line for line in proof.explanation)


def test_power_substitution_uses_one_power_per_variable_and_a_checkable_chain():
    # sqrt(a) and a^(1/3) together: a = x^6 turns both into integer powers (x^3, x^2).
    goal = parse_problem("a, b >= 0 => sqrt(a) + cbrt(ab) <= a + b + 1")
    (attempt,) = power_substitution(goal, Deadline.after(5))
    (subgoal,) = attempt.subgoals
    x, y = var("x"), var("y")
    assert subgoal.variables == (x, y)
    assert sympy.expand(subgoal.goal.lhs - (x**3 + x**2 * y)) == 0 and sympy.expand(subgoal.goal.rhs - (x**6 + y**3 + 1)) == 0
    assert sorted(map(str, subgoal.assumptions)) == ["x >= 0", "y >= 0"]  # x^6 >= 0 and y^3 >= 0 dropped
    proof = search(subgoal, Deadline.after(SECONDS))
    assert proof is not None
    certificate = attempt.build((proof.certificate,))
    assert check(goal, certificate).ok
    assert check(goal, certificate_from_json(json.loads(json.dumps(certificate.to_json())))).ok


def test_power_substitution_follows_an_ordered_chain():
    # vasile p32060_p1: a >= b >= c >= 0 gives a, b >= 0 (cut in); after a = x^3, b = y^3, c = z^3 the
    # order x^3 >= y^3 >= z^3 reads x >= y >= z (root_order), which the closing tactics use.
    goal = parse_problem("a >= b, b >= c, c >= 0 => a + b + c >= 3 cbrt(abc) + 3(b - c)^2/(4b + 5c)")
    (attempt,) = power_substitution(goal, Deadline.after(5))
    (subgoal,) = attempt.subgoals
    assert sorted(map(str, subgoal.assumptions)) == ["x >= 0", "x >= y", "y >= 0", "y >= z", "z >= 0"]
    proof = search(subgoal, Deadline.after(SECONDS))
    assert proof is not None
    assert check(goal, attempt.build((proof.certificate,))).ok


def test_power_substitution_needs_a_stated_sign():
    for text in ["ab >= 1, b >= 0 => a + b >= 2 sqrt(ab)",      # a > 0 follows, but not from a chain of orders
                 "a, b >= 0 => sqrt(a + b) <= sqrt(a + 1) + b",   # roots of sums only: radicals' work
                 "a^2 + 1 >= 2 cbrt(a^3)"]:                      # a real variable: cbrt(a^3) = a, yet unsigned
        assert list(power_substitution(parse_problem(text), Deadline.after(5))) == [], text


# --- product_split ----------------------------------------------------------------------------------


def test_product_split_bounds_each_independent_factor():
    # ineq-comp cauchy_p30: each factor is >= 12 by Cauchy-Schwarz under its own constraint.
    text = "x,y,z > 0, x+y+z = 3, a,b,c > 0, a+b+c = 3 => (4/x + 1/y + 9/z)(4/a + 1/b + 9/c) >= 144"
    goal = parse_problem(text)
    (attempt,) = product_split(goal, Deadline.after(5))
    first, second = attempt.subgoals
    assert str(first.goal) == "9/c + 1/b + 4/a >= 12" and str(second.goal) == "9/z + 1/y + 4/x >= 12"
    assert not any(a.lhs.free_symbols & {var("x"), var("y"), var("z")} for a in first.assumptions)  # x, y, z dropped
    proofs = [search(sub, Deadline.after(SECONDS)) for sub in attempt.subgoals]
    assert all(proofs)
    certificate = attempt.build(tuple(p.certificate for p in proofs))
    assert check(goal, certificate).ok
    assert check(goal, certificate_from_json(json.loads(json.dumps(certificate.to_json())))).ok


def test_product_split_of_upper_bounds_cuts_the_factors_signs():
    # ineq-comp schur_p9: 25 (a^2+b^2+c^2)(x^2+y^2+z^2) <= (6(a^3+b^3+c^3)+1)(6(x^3+y^3+z^3)+1), each
    # factor bounded with the constant 25 split as 5 * 5; the factors a^2+b^2+c^2 >= 0 are cut in too.
    text = ("a,b,c,x,y,z > 0, a+b+c = 1, x+y+z = 1 => "
            "25(a^2+b^2+c^2)(x^2+y^2+z^2) <= (6(a^3+b^3+c^3)+1)(6(x^3+y^3+z^3)+1)")
    proof = assert_proved_through("product_split", text, closers=("amgm", "sos", "homogenize"))
    assert "5*a**2 + 5*b**2 + 5*c**2" in proof.explanation[0]


def test_product_split_gives_an_irrational_ratio_to_either_factor():
    # Ineq-Comp comp_p65 after generalize: weighted AM-GM (the factor 1/7 belongs to it) times the
    # abc = 1 inequality. sqrt(7) cannot be shared, so both placements are proposed; one is true.
    text = ("g, q, s > 0, g q s = 1, x, y > 0 => (3x^7/7 + 4y^7/7)(g/q + q/s + 3 + s/g) >= "
            "x^3 y^4 (g + q + s + 1/s + 1/q + 1/g)")
    attempts = list(product_split(parse_problem(text), Deadline.after(5)))
    assert len(attempts) == 2
    claims = [str(attempt.subgoals[0].goal) + " | " + str(attempt.subgoals[1].goal) for attempt in attempts]
    assert any("7*x**3*y**4" in claim for claim in claims) and any("7*g" in claim for claim in claims)
    assert_proved_through("product_split", text, closers=("amgm", "sos", "homogenize", "symmetry"))


def test_product_split_first_tries_the_constant_that_keeps_equality_at_all_ones():
    # Ineq-Comp comp_p18 after generalize: 2 * (a triangle inequality) over an AM-GM denominator.
    # The constant 3 splits as 1/2 (equality at p = r = v) times 6 (equality at a = b = c = d).
    text = ("a, b, c, d > 0, p + v > r, p + r > v, r + v > p, p, r, v > 0 => "
            "(2p^2(r + v) + 2r^2(p + v) + 2v^2(p + r))/(a^2 b^2 c d) >= (p^3 + r^3 + v^3 + 9prv)/(a^6/3 + b^6/3 + c^6/6 + d^6/6)")
    first = next(product_split(parse_problem(text), Deadline.after(5)))
    assert str(first.subgoals[0].goal) == "1/(a**2*b**2*c*d) >= 6/(2*a**6 + 2*b**6 + c**6 + d**6)"
    assert_proved_through("product_split", text, closers=("amgm", "sos", "symmetry"))


def test_sum_split_separates_the_two_inequalities_of_a_sum():
    # Ineq-Comp comp_p79's shape: weighted AM-GM (in a, b) plus Nesbitt (in x, y, z), written as one sum.
    text = ("a, b, x, y, z > 0 => 4a^6/3 + 2b^6/3 + x/(y + z) + y/(z + x) + z/(x + y) >= 2a^4 b^2 + 3/2")
    goal = parse_problem(text)
    attempts = list(sum_split(goal, Deadline.after(5)))
    assert attempts
    claims = {str(subgoal.goal) for subgoal in attempts[0].subgoals}
    assert claims == {"4*a**6/3 + 2*b**6/3 >= 2*a**4*b**2", "x/(y + z) + y/(x + z) + z/(x + y) >= 3/2"}
    proof = assert_proved_through("sum_split", text, closers=("amgm", "sos"))
    assert check(goal, certificate_from_json(json.loads(json.dumps(proof.certificate.to_json())))).ok


def test_sum_split_proposes_only_splits_true_at_every_sample():
    # a^2 + b^2 + c^2 >= ab + bc + ca has no termwise split that holds everywhere.
    assert list(sum_split(parse_problem("a, b, c > 0 => a^2 + b^2 + c^2 >= ab + bc + ca"), Deadline.after(5))) == []
    proof, _ = prove_with("sum_split", "a, b, x, y > 0 => a^2 + b^2 + x/y + y/x >= 2ab + 2.5")
    assert proof is None  # false: a = b, x = y gives 2a^2 + 2 against 2a^2 + 2.5


@pytest.mark.parametrize("text,bounds", [
    ("x, y, z > 0 => x^3/4 + 3y^3/8 + 3z^3/8 >= (x/4 + 3y/8 + 3z/8)^3", 3),  # convex t^3, weighted
    ("x, y > 0 => 1/(2x) + 1/(2y) >= 2/(x + y)", 2),  # convex 1/t
    ("x, y, z > 0 => sqrt(x)/3 + sqrt(y)/3 + sqrt(z)/3 <= sqrt((x + y + z)/3)", 3),  # concave sqrt
])
def test_jensen_leaves_the_tangent_bounds_as_subgoals(text, bounds):
    goal = parse_problem(text)
    (attempt,) = jensen(goal, Deadline.after(5))
    assert len(attempt.subgoals) == bounds and attempt.explanation[0].startswith("Jensen's inequality for f(t) = ")
    proof = assert_proved_through("jensen", text, closers=("amgm", "sos", "radicals"))
    assert check(goal, certificate_from_json(json.loads(json.dumps(proof.certificate.to_json())))).ok


@pytest.mark.parametrize("text", [
    "x, y > 0 => x^3/2 + y^3/2 >= ((x + y)/2)^3 + 1/100",  # not Jensen's shape: no attempt
    "x, y > 0 => x^2/2 + y^3/2 >= ((x + y)/2)^2",  # two different functions
    "x, y > 0 => x/2 + y/2 >= (x + y)/2",  # linear f
    "abs(x)/2 + abs(y)/2 >= abs(x/2 + y/2)",  # no tangent at 0
])
def test_jensen_needs_one_function_and_its_value_at_the_mean(text):
    assert list(jensen(parse_problem(text), Deadline.after(5))) == []


def test_jensen_does_not_prove_the_wrong_direction():
    # sqrt is concave, so the convex claims the shape asks for are false.
    proof, _ = prove_with("jensen", "x, y > 0 => sqrt(x)/2 + sqrt(y)/2 >= sqrt(x/2 + y/2)",
                          closers=("amgm", "sos", "radicals"))
    assert proof is None


def test_product_split_needs_independent_groups():
    for text in ["x,y,a,b > 0, x + a = 1 => (x + y)(a + b) >= 0",        # an assumption links x and a
                 "x,y > 0 => (x + y)(1/x + 1/y) >= 4",                    # one group only
                 "x, a > 0 => (x + a)(1/x + 1/a) >= 4"]:                  # a factor links them
        assert list(product_split(parse_problem(text), Deadline.after(5))) == [], text
