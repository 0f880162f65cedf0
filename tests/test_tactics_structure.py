"""The structure tactics: symmetry (SymmetryOrder), successive difference substitution (sds) and
SOS-Schur (schur). Every certificate they return must pass the kernel; false goals and goals
outside their reach yield nothing, quickly."""

from __future__ import annotations

import time

import pytest

import ineq.search
from ineq.kernel import CaseSplit, Identity, Square, SymmetryOrder, check
from ineq.parse import parse_problem
from ineq.search import search
from ineq.tactics.amgm import amgm
from ineq.tactics.base import Deadline
from ineq.tactics.schur import SchurInputError, schur
from ineq.tactics.sds import SDSInputError, sds
from ineq.tactics.symmetry import SymmetryInputError, symmetry

SCHUR_T1 = "a,b,c >= 0 => a^3+b^3+c^3+3abc >= a^2b+a^2c+b^2a+b^2c+c^2a+c^2b"
SCHUR_T2 = "a,b,c >= 0 => a^2(a-b)(a-c)+b^2(b-a)(b-c)+c^2(c-a)(c-b) >= 0"
AM_GM_CUBE = "a,b,c >= 0 => (a+b+c)^3 >= 27abc"
CYCLIC_CUBES = "a,b,c >= 0 => a^3+b^3+c^3 >= a^2b+b^2c+c^2a"
CYCLIC_4_27 = "a,b,c >= 0 => 4(a+b+c)^3 >= 27(a^2b+b^2c+c^2a+abc)"
FALSE_GOAL = "a,b,c >= 0 => a^3+b^3+c^3 >= 4abc"
NESBITT = "a,b,c > 0 => a/(b+c)+b/(c+a)+c/(a+b) >= 3/2"


def only_attempt(tactic, text, seconds=20):
    problem = parse_problem(text)
    attempts = list(tactic(problem, Deadline.after(seconds)))
    assert len(attempts) == 1, f"{tactic.__name__} gave {len(attempts)} attempts for {text}"
    attempt = attempts[0]
    assert attempt.subgoals == ()
    certificate = attempt.build(())
    verdict = check(problem, certificate)
    assert verdict.ok, verdict.reason
    return attempt, certificate


# --- symmetry -------------------------------------------------------------------------------------


def test_symmetry_proposes_the_full_order_for_a_symmetric_goal():
    problem = parse_problem(SCHUR_T1)
    attempts = list(symmetry(problem, Deadline.after(5)))
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt.explanation == ("By symmetry we may assume a >= b >= c.",)
    (subgoal,) = attempt.subgoals
    assert len(subgoal.assumptions) == len(problem.assumptions) + 2
    # The subgoal is closed by sds; the wrapped certificate passes the kernel on the original goal.
    inner = list(sds(subgoal, Deadline.after(10)))[0].build(())
    certificate = attempt.build((inner,))
    assert isinstance(certificate, SymmetryOrder) and certificate.kind == "symmetric"
    assert check(problem, certificate).ok


def test_symmetry_proposes_a_cyclic_order_when_only_cyclic():
    attempts = list(symmetry(parse_problem(CYCLIC_CUBES), Deadline.after(5)))
    assert len(attempts) == 1
    assert "cyclic" in attempts[0].explanation[0]
    subgoal = attempts[0].subgoals[0]
    ordered = {str(relation) for relation in subgoal.assumptions}
    assert {"a >= b", "a >= c"} <= ordered


def test_symmetry_is_not_proposed_for_a_non_symmetric_goal():
    problem = parse_problem("a,b,c >= 0 => a^2 + 2b^2 + 3c^2 >= ab")
    assert list(symmetry(problem, Deadline.after(5))) == []


def test_symmetry_is_not_proposed_twice():
    problem = parse_problem(SCHUR_T1)
    subgoal = list(symmetry(problem, Deadline.after(5)))[0].subgoals[0]
    assert list(symmetry(subgoal, Deadline.after(5))) == []


def test_symmetry_finds_a_class_of_two_variables():
    problem = parse_problem("x, y >= 0 => x^2 + y^2 + z^2 >= z(x + y)")
    attempts = list(symmetry(problem, Deadline.after(5)))
    assert [attempt.explanation for attempt in attempts] == [("By symmetry we may assume x >= y.",)]


# --- sds --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [SCHUR_T1, SCHUR_T2, AM_GM_CUBE, NESBITT])
def test_sds_proves_symmetric_goals_in_one_order(text):
    attempt, certificate = only_attempt(sds, text)
    assert isinstance(certificate, SymmetryOrder) and isinstance(certificate.certificate, Identity)
    assert any(line.startswith("Put c = z, b = z + y, a = z + y + x") for line in attempt.explanation)
    assert all(isinstance(piece, Square) for piece in certificate.certificate.pieces)


def test_sds_and_amgm_agree_on_am_gm_for_three_cubes():
    # A cross-check: two unrelated tactics both prove it, and the kernel accepts both.
    problem = parse_problem(AM_GM_CUBE)
    for tactic in (sds, amgm):
        certificate = list(tactic(problem, Deadline.after(10)))[0].build(())
        assert check(problem, certificate).ok


def test_sds_proves_a_cyclic_goal_in_two_cases():
    attempt, certificate = only_attempt(sds, CYCLIC_CUBES)
    assert certificate.kind == "cyclic" and isinstance(certificate.certificate, CaseSplit)
    assert sum(line.startswith("Case ") for line in attempt.explanation) == 2


def test_sds_substitutes_twice_when_once_leaves_a_negative_coefficient():
    attempt, _ = only_attempt(sds, CYCLIC_4_27)
    assert any("still has negative coefficients" in line for line in attempt.explanation)


def test_sds_splits_into_all_orders_without_symmetry():
    # `a >= 1` breaks the cyclic symmetry: six orders by nested case splits.
    attempt, certificate = only_attempt(sds, "a,b,c >= 0, a >= 1 => a^3+b^3+c^3 >= a^2b+b^2c+c^2a")
    assert isinstance(certificate, CaseSplit)
    assert sum(line.startswith("Case ") for line in attempt.explanation) == 6


def test_sds_proves_a_strict_goal_with_a_strict_piece():
    only_attempt(sds, "a,b,c > 0 => (a+b+c)^3 > 26abc")


def test_sds_uses_an_order_the_problem_already_has():
    _, certificate = only_attempt(sds, "a >= b, b >= c, c >= 0 => a^2b + b^2c + c^2a >= ab^2 + bc^2 + ca^2")
    assert isinstance(certificate, Identity)


def test_sds_yields_nothing_for_a_false_goal_quickly():
    started = time.monotonic()
    assert list(sds(parse_problem(FALSE_GOAL), Deadline.after(20))) == []
    assert time.monotonic() - started < 5


def test_sds_needs_nonnegative_variables():
    assert list(sds(parse_problem("a^2 + b^2 >= 2ab - 1"), Deadline.after(5))) == []


def test_sds_honours_an_expired_deadline():
    assert list(sds(parse_problem(CYCLIC_4_27), Deadline.after(0))) == []


# --- schur ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [SCHUR_T1, SCHUR_T2, NESBITT])
def test_schur_proves_schur_type_goals(text):
    attempt, certificate = only_attempt(schur, text)
    assert isinstance(certificate, SymmetryOrder)
    form = next(line for line in attempt.explanation if line.startswith("SOS-Schur: P = S_a(b-c)^2"))
    assert "S_b = " in form and "S_c = " in form
    assert any("S_b = " in line and "have nonnegative coefficients" in line for line in attempt.explanation)


def test_schur_uses_the_second_criterion_where_sds_needs_two_rounds():
    attempt, certificate = only_attempt(schur, CYCLIC_4_27)
    assert certificate.kind == "cyclic"
    assert any("D(a-2b+c)^2" in line for line in attempt.explanation)


def test_schur_yields_nothing_for_a_false_goal_or_other_shapes():
    started = time.monotonic()
    assert list(schur(parse_problem(FALSE_GOAL), Deadline.after(20))) == []
    assert list(schur(parse_problem("a,b >= 0 => a^2 + b^2 >= 2ab"), Deadline.after(5))) == []
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("tactic, error", [(symmetry, SymmetryInputError), (sds, SDSInputError),
                                           (schur, SchurInputError)])
def test_bad_input_is_a_clear_error(tactic, error):
    with pytest.raises(error):
        list(tactic("a >= 0", Deadline.after(1)))


# --- through the search -----------------------------------------------------------------------------


def prefer_symmetry_first(goal, names):
    """Symmetry on the original goal, the closer only once the variables are ordered."""
    ordered = any(a.lhs.is_Symbol and a.rhs.is_Symbol and a.op == ">=" for a in goal.assumptions)
    return [5.0 if name == "symmetry" else (2.0 if ordered else -5.0) for name in names]


@pytest.mark.parametrize("text, closer", [(SCHUR_T1, sds), (SCHUR_T2, schur), (CYCLIC_CUBES, sds)])
def test_search_orders_by_symmetry_then_closes(text, closer):
    problem = parse_problem(text)
    proof = search(problem, Deadline.after(30), scorer=prefer_symmetry_first,
                   tactics={"symmetry": symmetry, closer.__name__: closer})
    assert proof is not None
    assert proof.tactics == ["symmetry", closer.__name__]
    assert proof.explanation[0].endswith("we may assume a >= b >= c.") or "cyclic" in proof.explanation[0]
    assert check(problem, proof.certificate).ok


def test_registered_in_the_search_with_the_default_scorer(monkeypatch):
    tactics = {"symmetry": symmetry, "sds": sds, "schur": schur}
    monkeypatch.setattr(ineq.search, "TACTICS", tactics)
    problem = parse_problem(SCHUR_T2)
    proof = search(problem, Deadline.after(30))
    assert proof is not None and set(proof.tactics) <= set(tactics)
    assert check(problem, proof.certificate).ok


def test_symmetry_of_radical_goals_is_decided_exactly_after_the_numeric_filter():
    from ineq.problem import var
    from ineq.tactics.symmetry import is_invariant

    a, b, c = var("a"), var("b"), var("c")
    symmetric = parse_problem("a,b,c>0 => sqrt(a+b) + sqrt(b+c) + sqrt(c+a) <= sqrt(6(a+b+c))")
    assert is_invariant(symmetric, {a: b, b: a})
    cyclic_only = parse_problem("a,b,c>0 => a/sqrt(a+b) + b/sqrt(b+c) + c/sqrt(c+a) >= sqrt((a+b+c)/2)")
    assert not is_invariant(cyclic_only, {a: b, b: a})
    assert is_invariant(cyclic_only, {a: b, b: c, c: a})
    started = time.monotonic()
    for _ in range(20):
        assert not is_invariant(cyclic_only, {b: c, c: b})
    assert time.monotonic() - started < 2.0
