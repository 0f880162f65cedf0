"""The AND-OR best-first search, with small hand-made tactics so each behaviour is isolated."""

from __future__ import annotations

import time

import pytest
import sympy

from ineq.kernel import Identity, Lemma, Square, check
from ineq.parse import parse_problem
from ineq.problem import Relation, make_problem, var
from ineq.search import (
    MAX_ATTEMPTS_PER_RUN,
    MAX_RESTARTS,
    SearchStats,
    heuristic_scorer,
    search,
    uniform_scorer,
)
from ineq.tactics import TACTICS
from ineq.tactics.amgm import amgm
from ineq.tactics.base import Attempt, Deadline


def split_sum(goal, deadline):
    """Reduce `A + B >= 0` to `A >= 0` and `B >= 0` (sound; possibly lossy)."""
    g, op = goal.goal.normalized()
    terms = sympy.Add.make_args(sympy.expand(g))
    if op != ">=" or len(terms) < 2:
        return
    half = len(terms) // 2
    first, second = sympy.Add(*terms[:half]), sympy.Add(*terms[half:])
    claims = (Relation(first, ">=", 0), Relation(second, ">=", 0))

    def build(certificates):
        return Identity((), tuple(Lemma(sympy.Integer(1), claim, cert) for claim, cert in zip(claims, certificates)))

    yield Attempt("split_sum", goal, tuple(goal.with_goal(c) for c in claims), build, ("split",))


def wrong_closer(goal, deadline):
    """Always proposes (a - b)^2, right only for one goal: the kernel must reject the others."""
    a, b = sympy.symbols("a b", real=True)
    yield Attempt("wrong", goal, (), lambda _: Identity((), (Square(sympy.Integer(1), (), a - b),)), ())


def test_and_or_search_combines_subproofs_and_the_kernel_checks_the_root():
    goal = parse_problem("a,b,c,d>0 => a^2+b^2-2ab + c^3+d^3-c^2d-cd^2 >= 0")
    stats = SearchStats()
    proof = search(goal, Deadline.after(20), scorer=uniform_scorer, stats=stats,
                   tactics={"split_sum": split_sum, "amgm": amgm})
    assert proof is not None
    assert check(goal, proof.certificate).ok
    assert proof.tactics[0] in ("split_sum", "amgm")
    assert stats.nodes >= 1


def test_kernel_rejections_are_counted_and_search_goes_on():
    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    stats = SearchStats()
    proof = search(goal, Deadline.after(20), scorer=uniform_scorer, stats=stats,
                   tactics={"wrong": wrong_closer, "amgm": amgm})
    assert proof is not None and proof.tactics == ["amgm"]
    assert stats.rejected_by_kernel == 1


def test_false_subgoals_are_pruned_with_a_confirmed_counterexample():
    # Splitting a^2 - 2ab + b^2 gives false pieces such as a^2 - 2ab >= 0; nothing closes the goal.
    goal = parse_problem("a^2 - 2*a*b + b^2 >= 0")
    stats = SearchStats()
    proof = search(goal, Deadline.after(20), scorer=uniform_scorer, stats=stats, tactics={"split_sum": split_sum})
    assert proof is None
    assert stats.pruned_false >= 1


def test_node_budget_is_respected():
    goal = parse_problem("a,b,c>0 => a^4+b^4+c^4 >= abc(a+b+c)")
    stats = SearchStats()
    search(goal, Deadline.after(20), scorer=uniform_scorer, stats=stats, max_nodes=1,
           tactics={"split_sum": split_sum})
    assert stats.nodes == 1


def test_trace_records_each_attempt_and_marks_the_proof():
    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    stats = SearchStats()
    proof = search(goal, Deadline.after(20), scorer=heuristic_scorer, stats=stats, record_trace=True,
                   tactics={"wrong": wrong_closer, "amgm": amgm})
    assert proof is not None
    outcomes = {(entry["tactic"], entry["outcome"]) for entry in stats.trace}
    assert ("amgm", "closed") in outcomes
    assert any(entry["in_proof"] for entry in stats.trace if entry["tactic"] == "amgm")
    assert not any(entry["in_proof"] for entry in stats.trace if entry["tactic"] == "wrong")


def test_scorer_decides_the_order():
    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    order = []

    def recorder(name):
        def tactic(goal, deadline):
            order.append(name)
            return iter(())
        return tactic

    tactics = {"first": recorder("first"), "second": recorder("second")}
    search(goal, Deadline.after(5), scorer=lambda g, names: [1.0 if n == "second" else 0.0 for n in names],
           tactics=tactics)
    assert order == ["second", "first"]


def stall(goal, deadline):
    """Works until its clock runs out and finds nothing (an SDP that will not finish in time)."""
    while not deadline.expired():
        time.sleep(0.01)
    return
    yield  # a generator that yields nothing


def test_a_slow_tactic_gets_a_slice_and_the_others_still_run():
    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    stats = SearchStats()
    started = time.monotonic()
    proof = search(goal, Deadline.after(10), scorer=lambda g, names: [1.0 if n == "stall" else 0.0 for n in names],
                   stats=stats, record_trace=True, tactics={"stall": stall, "amgm": amgm})
    assert proof is not None and proof.tactics == ["amgm"]
    # The stalling tactic ran first but only for its slice (30% of the budget), not the whole 10 s.
    assert time.monotonic() - started < 0.3 * 10 + 3
    assert stats.trace[0]["tactic"] == "stall" and stats.trace[0]["outcome"] == "out_of_slice"


def test_a_run_out_of_its_slice_is_restarted_with_a_longer_one_a_bounded_number_of_times():
    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    stats = SearchStats()
    proof = search(goal, Deadline.after(4), scorer=uniform_scorer, stats=stats, record_trace=True,
                   tactics={"stall": stall})
    assert proof is None
    runs = [entry for entry in stats.trace if entry["tactic"] == "stall"]
    assert 2 <= len(runs) <= MAX_RESTARTS + 1
    assert runs[1]["seconds"] > runs[0]["seconds"] * 1.5 or runs[1]["outcome"] != "out_of_slice"


def test_a_tactic_that_raises_is_skipped_and_recorded():
    def broken(goal, deadline):
        raise ZeroDivisionError("bug in a tactic")
        yield

    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    stats = SearchStats()
    proof = search(goal, Deadline.after(20), scorer=lambda g, names: [1.0 if n == "broken" else 0.0 for n in names],
                   stats=stats, tactics={"broken": broken, "amgm": amgm})
    assert proof is not None and proof.tactics == ["amgm"]
    assert stats.tactic_errors == ["broken: ZeroDivisionError: bug in a tactic"]


def test_a_run_yields_a_bounded_number_of_attempts():
    def endless(goal, deadline):
        while True:
            yield Attempt("endless", goal, (goal.with_goal(Relation(sympy.Integer(0), ">=", 1)),),
                          lambda subs: subs[0], ())

    goal = parse_problem("a,b>0 => a^3+b^3 >= a^2 b + a b^2")
    stats = SearchStats()
    search(goal, Deadline.after(10), scorer=uniform_scorer, stats=stats, prune_false_subgoals=False,
           tactics={"endless": endless})
    assert stats.nodes <= MAX_ATTEMPTS_PER_RUN * 2


def test_three_named_radicals_substituted_away_fit_the_default_depth():
    # radicals (x = t^2 named three times) and three substitutions come before the closing step
    # (power_substitution would do all of it in one step, so it is left out here).
    problem = parse_problem("x,y,z>0, sqrt(x)+sqrt(y)+sqrt(z)=3 => x^3/3+y^3/3+z^3/3 >= 1")
    tactics = {name: tactic for name, tactic in TACTICS.items() if name != "power_substitution"}
    proof = search(problem, Deadline.after(60), tactics=tactics)
    assert proof is not None and check(problem, proof.certificate).ok
    assert proof.tactics.count("substitute") >= 3 and len(proof.tactics) > 5


def test_a_denominator_that_vanishes_only_where_the_goal_is_undefined_is_cleared():
    # 2b^2 - bc + 2c^2 is >= 0 but zero at b = c = 0: no strict sign holds, the nonstrict claim does.
    a, b, c = (var(name) for name in "abc")
    goal = make_problem([Relation(v, ">=", 0) for v in (a, b, c)],
                        Relation(a**2 / (2 * b**2 - b * c + 2 * c**2) + b**2 / (2 * a**2 - a * c + 2 * c**2)
                                 + c**2 / (2 * a**2 - a * b + 2 * b**2), ">=", 1))
    proof = search(goal, Deadline.after(30))
    assert proof is not None and "denominator_signs" in proof.tactics
    assert check(goal, proof.certificate).ok


@pytest.mark.parametrize("statement,first,before", [
    ("x, y, z > 0, sqrt(x) + sqrt(y) + sqrt(z) = 3 => x^3 + y^3 + z^3 >= 3", "radicals", "sos"),
    ("x, y, z > 0 => sqrt(x) + sqrt(y) + sqrt(z) <= sqrt(3 (x + y + z))", "radical_pairs", "radicals"),
    ("x, y, z > 0 => sqrt(x) + sqrt(y) + sqrt(z) >= 3 (xyz)^(1/6)", "power_substitution", "radicals"),
    # xyz has a value by the assumption: naming sqrt(xyz) keeps the degree low (IneqMath train 136).
    ("x, y, z > 0, xyz = x + y + z + 2 => sqrt(x) + sqrt(y) + sqrt(z) <= (3/2) sqrt(xyz)", "radicals",
     "power_substitution"),
    ("x, y > 0, s > 0, s^2 = x => s^3 + y >= 0", "substitute", "sos"),
    ("a, b, c > 0, abc = 1 => a^2 + b^2 + c^2 >= a + b + c", "ratio_substitution", "sos"),
    ("a, b, c > 0, ab + bc + ca = abc(a + b + c) => a + b + c >= 3", "homogenize", "sos"),
    ("a, b, c > 0, a^2 + b^2 + c^2 <= 3 => 1/a + 1/b + 1/c >= 3", "homogenize", "sos"),
])
def test_the_heuristic_tries_the_cheap_reduction_before_the_sdp(statement, first, before):
    names = list(TACTICS)
    scores = dict(zip(names, heuristic_scorer(parse_problem(statement), names)))
    assert scores[first] > scores[before]
