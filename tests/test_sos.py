"""The sum-of-squares tactic: every certificate it returns passes the kernel, on the classic
inequalities; false goals yield nothing, within the deadline."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest
import sympy
from sympy import Rational as R

from ineq.kernel import EqualityMultiple, Identity, Square, check
from ineq.problem import Relation, make_problem, var
from ineq.tactics.base import Deadline
from ineq.tactics.sos import find_sos_certificate, sos
from ineq.tactics.sos_rounding import AffineProjector, ldl, rational_kernel_complement

a, b, c, x, y, z = (var(name) for name in "abcxyz")
SECONDS_PER_GOAL = 10


def positive(*variables, op=">"):
    return [Relation(v, op, 0) for v in variables]


SCHUR_LHS = a**3 + b**3 + c**3 + 3 * a * b * c
SCHUR_RHS = a**2 * b + a**2 * c + b**2 * a + b**2 * c + c**2 * a + c**2 * b

PROVABLE = {
    "two squares": make_problem([], Relation(a**2 + b**2, ">=", 2 * a * b)),
    "quartic": make_problem([], Relation(x**4 + y**4, ">=", x**3 * y + x * y**3)),
    "three squares": make_problem([], Relation(a**2 + b**2 + c**2, ">=", a * b + b * c + c * a)),
    "square of sum": make_problem([], Relation((a + b + c) ** 2, ">=", 3 * (a * b + b * c + c * a))),
    "nesbitt": make_problem(positive(a, b, c),
                            Relation(a / (b + c) + b / (c + a) + c / (a + b), ">=", R(3, 2))),
    "imo 1984": make_problem(positive(x, y, z, op=">=") + [Relation(x + y + z, "=", 1)],
                             Relation(x * y + y * z + z * x - 2 * x * y * z, "<=", R(7, 27))),
    "schur": make_problem(positive(a, b, c), Relation(SCHUR_LHS, ">=", SCHUR_RHS)),
    "strict with constant": make_problem([], Relation(a**2 + b**2 + 1, ">", a * b)),
    "strict quadratic": make_problem([], Relation(x**2 - x + 1, ">", 0)),
    "strict needs positive atoms": make_problem(positive(a, b), Relation((a + b) ** 2, ">", a**2 + b**2)),
    "strict needs a repeated atom": make_problem(positive(a, b), Relation(a**3 + b**3, ">", 0)),
    "motzkin": make_problem([], Relation(x**4 * y**2 + x**2 * y**4 + 1, ">=", 3 * x**2 * y**2)),
    "cauchy with reciprocals": make_problem(positive(a, b, c), Relation((a + b + c) * (1 / a + 1 / b + 1 / c), ">=", 9)),
}


@pytest.mark.parametrize("name", sorted(PROVABLE))
def test_sos_proves_and_kernel_accepts(name):
    goal = PROVABLE[name]
    started = time.monotonic()
    attempts = list(sos(goal, Deadline.after(SECONDS_PER_GOAL)))
    assert time.monotonic() - started < SECONDS_PER_GOAL
    assert len(attempts) == 1
    attempt = attempts[0]
    assert attempt.subgoals == () and attempt.goal == goal and attempt.tactic == "sos"
    certificate = attempt.build(())
    verdict = check(goal, certificate)
    assert verdict.ok, verdict.reason
    assert attempt.explanation and attempt.explanation[-1].startswith("The difference equals")


def test_explanation_spells_out_the_squares_for_nesbitt():
    goal = PROVABLE["nesbitt"]
    attempt = next(sos(goal, Deadline.after(SECONDS_PER_GOAL)))
    assert attempt.explanation[0].startswith("Multiply both sides by")
    assert "^2" in attempt.explanation[-1]
    certificate = attempt.build(())
    assert len(certificate.multiplier) == 3
    assert all(isinstance(piece, Square) for piece in certificate.pieces)


def test_two_squares_certificate_is_the_textbook_one():
    certificate = find_sos_certificate(PROVABLE["two squares"], Deadline.after(SECONDS_PER_GOAL))
    assert certificate == Identity((), (Square(sympy.Integer(1), (), a - b),))


def test_schur_needs_the_sum_multiplier():
    certificate = find_sos_certificate(PROVABLE["schur"], Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None
    assert sympy.expand(certificate.multiplier[-1] - (a + b + c)) == 0


def test_motzkin_is_proved_after_multiplying_by_a_positive_definite_factor():
    certificate = find_sos_certificate(PROVABLE["motzkin"], Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None
    assert sympy.expand(certificate.multiplier[-1] - (1 + x**2 + y**2)) == 0


def test_an_odd_nonhomogeneous_goal_needs_one_plus_the_sum_of_the_variables():
    # Vasile p31091: equality at a = b = c = 1, and no certificate of degree 4 or 6 without the factor.
    goal = make_problem(positive(a, b, c, op=">="),
                        Relation(2 * (a**3 + b**3 + c**3) + 9 * (a * b + b * c + c * a) + 39, ">=",
                                 24 * (a + b + c)))
    certificate = find_sos_certificate(goal, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(goal, certificate)
    assert sympy.expand(certificate.multiplier[-1] - (1 + a + b + c)) == 0


def test_equality_assumption_is_used_for_imo_1984():
    certificate = find_sos_certificate(PROVABLE["imo 1984"], Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None
    assert any(isinstance(piece, EqualityMultiple) for piece in certificate.pieces)


def test_strict_goal_has_a_strict_piece():
    certificate = find_sos_certificate(PROVABLE["strict quadratic"], Deadline.after(SECONDS_PER_GOAL))
    assert any(isinstance(p, Square) and p.poly == 1 and p.coeff > 0 and not p.atoms for p in certificate.pieces)


UNPROVABLE = {
    "odd power": make_problem([], Relation(a**3, ">=", 0)),
    "false amgm": make_problem(positive(a, b, c), Relation(a**3 + b**3, ">=", 3 * a * b * c)),
    "false quadratic": make_problem([], Relation(x**2, ">=", x)),
    "strict but touches zero": make_problem([], Relation(a**2 + b**2, ">", 2 * a * b)),
    "not a polynomial": make_problem(positive(a), Relation(sympy.sqrt(a), ">=", 0)),
    "equality goal": make_problem([], Relation(a**2, "=", a**2)),
}


@pytest.mark.parametrize("name", sorted(UNPROVABLE))
def test_unprovable_goal_yields_nothing_within_the_deadline(name):
    started = time.monotonic()
    assert list(sos(UNPROVABLE[name], Deadline.after(5))) == []
    assert time.monotonic() - started < 6


def test_expired_deadline_returns_at_once():
    started = time.monotonic()
    assert list(sos(PROVABLE["imo 1984"], Deadline.after(0))) == []
    assert time.monotonic() - started < 0.5


def test_ldl_detects_indefinite_and_semidefinite_matrices():
    F = Fraction
    assert ldl([[F(1), F(2)], [F(2), F(1)]]) is None
    lower, diagonal = ldl([[F(1), F(1)], [F(1), F(1)]])
    assert diagonal == [F(1), F(0)] and lower[1][0] == F(1)
    assert ldl([[F(0), F(1)], [F(1), F(1)]]) is None


def test_projection_lands_exactly_on_the_affine_space():
    # unknowns u, v with u + v = 1 and u - v = 1/3 (as polynomial coefficients of monomials (0,) and (1,))
    columns = [{(0,): Fraction(1), (1,): Fraction(1)}, {(0,): Fraction(1), (1,): Fraction(-1)}]
    projector = AffineProjector(columns, {(0,): Fraction(1), (1,): Fraction(1, 3)})
    for corrected in (projector.project([Fraction(1), Fraction(0)]), projector.complete([Fraction(1), Fraction(0)])):
        assert corrected == [Fraction(2, 3), Fraction(1, 3)]


def test_rational_kernel_complement_of_all_ones_kernel():
    import numpy as np
    matrix = np.array([[2.0, -1.0, -1.0], [-1.0, 2.0, -1.0], [-1.0, -1.0, 2.0]]) + 1e-9
    complement = rational_kernel_complement(matrix, threshold=1e-6)
    assert len(complement) == 2
    assert all(sum(vector) == 0 for vector in complement)  # orthogonal to (1, 1, 1)


def test_a_large_ansatz_stops_at_the_deadline():
    # Five atoms and an equality of degree 2: the multiplier ansatz has 32 Gram blocks; without a
    # solver time limit its SDP (SCS fallback) ran for half a minute.
    a, b, c = var("a"), var("b"), var("c")
    goal = make_problem([Relation(b, ">=", a), Relation(c, ">=", b), Relation(a, ">=", 0), Relation(b, ">=", 0),
                         Relation(c, ">=", 0), Relation(a * b + b * c + c * a, "=", R(5, 3))],
                        Relation(R(1, 3), ">=", a * b**2 * c**2))
    started = time.monotonic()
    find_sos_certificate(goal, Deadline.after(3))
    assert time.monotonic() - started < 3 + 2.5


def test_a_second_call_skips_the_configurations_that_already_failed():
    a, b = var("a"), var("b")
    goal = make_problem([Relation(a, ">=", 0), Relation(b, ">=", 0)], Relation(a**2 + b**2, ">=", 3 * a * b))  # false
    started = time.monotonic()
    assert find_sos_certificate(goal, Deadline.after(20)) is None
    first = time.monotonic() - started
    started = time.monotonic()
    assert find_sos_certificate(goal, Deadline.after(20)) is None
    assert time.monotonic() - started < max(0.05, first / 4)


def test_equality_cases_are_found_exactly_along_small_directions():
    from ineq.tactics.sos_zeros import equality_cases

    # 12 + a^2 + b^2 + c^2 - 5(ab + bc + ca) under abc + a + b + c = 4 vanishes at (1,1,1) and (2,2,0).
    target = {(0, 0, 0): Fraction(12), (2, 0, 0): Fraction(1), (0, 2, 0): Fraction(1), (0, 0, 2): Fraction(1),
              (1, 1, 0): Fraction(-5), (0, 1, 1): Fraction(-5), (1, 0, 1): Fraction(-5)}
    constraint = {(1, 1, 1): Fraction(1), (1, 0, 0): Fraction(1), (0, 1, 0): Fraction(1), (0, 0, 1): Fraction(1),
                  (0, 0, 0): Fraction(-4)}
    points = set(equality_cases(target, [constraint], 3))
    assert (1, 1, 1) in points and (2, 2, 0) in points and (0, 2, 2) in points
    assert (2, 0, 0) not in points


def test_vanishing_combinations_span_the_polynomials_zero_at_the_points():
    from ineq.tactics.sos_zeros import vanishing_combinations

    values = [[Fraction(1), Fraction(1), Fraction(1)], [Fraction(1), Fraction(2), Fraction(4)]]
    combinations = vanishing_combinations(values, 3)
    assert len(combinations) == 1
    assert all(sum(w * v for w, v in zip(combinations[0], row)) == 0 for row in values)


def test_an_equality_case_on_a_constrained_sextic_is_removed_before_the_solver():
    # Equality at a = b = c = 1 makes every Gram matrix singular; numerical facial reduction alone
    # misjudged the kernel and rounding failed (vasile p13060).
    problem = make_problem(positive(a, b, c, op=">=") + [Relation(a + b + c, "=", 3)],
                           Relation(4 * a**2 * b**2 * c**2 + 8 * (a**2 * b**2 + b**2 * c**2 + c**2 * a**2)
                                    + 7 * (a**2 + b**2 + c**2), ">=", 49))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok


def test_quadratic_irrational_equality_cases_come_in_conjugate_pairs():
    from ineq.tactics.sos_zeros import evaluate_quadratic, quadratic_equality_cases, quadratic_sign

    # 2 - (ab + bc + ca - abc) under a^2 + b^2 + c^2 + abc = 4 vanishes at (sqrt 2, sqrt 2, 0).
    target = {(1, 1, 1): Fraction(1), (1, 1, 0): Fraction(-1), (0, 1, 1): Fraction(-1), (1, 0, 1): Fraction(-1),
              (0, 0, 0): Fraction(2)}
    constraint = {(2, 0, 0): Fraction(1), (0, 2, 0): Fraction(1), (0, 0, 2): Fraction(1), (1, 1, 1): Fraction(1),
                  (0, 0, 0): Fraction(-4)}
    points = quadratic_equality_cases(target, [constraint], 3)
    on_ab = [p for p in points if p.rational == (0, 0, 0) and p.irrational[2] == 0]
    assert {p.radicand for p in on_ab} == {8}  # sqrt 2 = sqrt 8 / 2
    assert sorted(p.irrational[0] for p in on_ab) == [Fraction(-1, 2), Fraction(1, 2)]
    for point in points:
        assert evaluate_quadratic(target, point) == (0, 0)
        assert evaluate_quadratic(constraint, point) == (0, 0)
    assert quadratic_sign((Fraction(3), Fraction(-2)), 2) == 1  # 3 - 2 sqrt 2 > 0
    assert quadratic_sign((Fraction(2), Fraction(-2)), 2) == -1
    assert quadratic_sign((Fraction(-4), Fraction(2)), 4) == 0


def test_an_irrational_equality_case_is_removed_before_the_solver():
    # USAMO 2001/3: equality also at (sqrt 2, sqrt 2, 0); with only the rational case removed the
    # Gram matrices stay singular and no certificate rounds.
    problem = make_problem(positive(a, b, c, op=">=") + [Relation(a**2 + b**2 + c**2 + a * b * c, "=", 4)],
                           Relation(a * b + b * c + c * a - a * b * c, "<=", 2))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok


def test_a_homogeneous_goal_has_irrational_zeros_on_lines_off_the_origin():
    from ineq.tactics.sos_zeros import evaluate_quadratic, quadratic_equality_cases

    # The cyclic quartic sum a^4 - sum a^2 b^2 - 2 sum (a^3 b - a b^3) is (a^2 - ab - b^2)^2 at c = 0:
    # zero at (golden ratio, 1, 0), which no rational ray reaches.
    quartic = sympy.expand(a**4 + b**4 + c**4 - a**2 * b**2 - b**2 * c**2 - c**2 * a**2
                           - 2 * (a**3 * b + b**3 * c + c**3 * a - a * b**3 - b * c**3 - c * a**3))
    target = {m: Fraction(int(v)) for m, v in sympy.Poly(quartic, a, b, c).terms()}
    points = quadratic_equality_cases(target, [], 3)
    golden = [p for p in points if p.rational == (Fraction(1, 2), 1, 0) and p.irrational == (Fraction(1, 2), 0, 0)]
    assert golden and golden[0].radicand == 5
    assert all(evaluate_quadratic(target, point) == (0, 0) for point in points)
    # With those zeros removed the ansatz times (a + b + c) rounds (567NEQ p27 squares to this goal).
    problem = make_problem(positive(a, b, c, op=">=") + [Relation(a + b + c, ">", 0)], Relation(quartic, ">=", 0))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok


def test_irrational_zeros_around_the_centre_are_removed():
    # IMO 2006/3 squared: 81 (a^2+b^2+c^2)^4 >= 512 ((a-b)(b-c)(c-a)(a+b+c))^2, zero at
    # (1 - 3/sqrt 2, 1, 1 + 3/sqrt 2) and its permutations; without them no Gram matrix rounds.
    problem = make_problem([], Relation(81 * (a**2 + b**2 + c**2) ** 4, ">=",
                                        512 * ((a - b) * (b - c) * (c - a) * (a + b + c)) ** 2))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok


def test_signed_zeros_of_a_form_in_real_variables_are_removed():
    # vasile p12105 with e = -(a+b+c+d): zero at (2, -3, -3, 2) and its permutations, ten in all, so
    # no SOS of quadrics exists; times a^2 + b^2 + c^2 + d^2 (> 0 after definite_split) one rounds.
    d = sympy.Symbol("d")
    e = -(a + b + c + d)
    squares = a**2 + b**2 + c**2 + d**2
    problem = make_problem([Relation(squares, ">", 0)], Relation(30 * (a**4 + b**4 + c**4 + d**4 + e**4), ">=",
                                                                 7 * (squares + e**2) ** 2))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok


def test_a_fitted_multiplier_proves_abc_equals_one_over_the_reals():
    # ChenNEQ p07: a + b + c <= a^2 + b^2 + c^2 when abc = 1, for real a, b, c; no fixed multiplier
    # works, a multiplier 1 + (nonnegative combination of squares) found by the SDP does.
    problem = make_problem([Relation(a * b * c, "=", 1)], Relation(a + b + c, "<=", a**2 + b**2 + c**2))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok
    assert len(certificate.multiplier) == 1 and certificate.multiplier[0].has(a**2)


def test_diagonal_entries_that_nothing_can_cancel_are_pruned_exactly():
    import importlib

    sos_module = importlib.import_module("ineq.tactics.sos")
    # x^2 - 2x + 1 over the basis {1, x, x^2}: x^4 appears only on the diagonal entry of x^2, and the
    # target lacks it, so x^2 leaves the basis before any numerics.
    block = sos_module._Block((), {(0,): Fraction(1)}, [{(0,): Fraction(1)}, {(1,): Fraction(1)}, {(2,): Fraction(1)}])
    configuration = sos_module._Configuration("test", (), {(2,): Fraction(1), (1,): Fraction(-2), (0,): Fraction(1)},
                                              [block])
    pruned = sos_module._prune_diagonal(configuration)
    assert [next(iter(element)) for element in pruned.blocks[0].basis] == [(0,), (1,)]


def test_pruning_and_irrational_cases_prove_a_constrained_quartic():
    # 567NEQ p051: equality at (1, 1, 1) and (sqrt 2, sqrt 2, 0); the top-degree squares of the
    # (a + b + c) ansatz are forced to 0 and only their exact removal lets the solution round.
    problem = make_problem(positive(a, b, c) + [Relation(a**2 + b**2 + c**2 + a * b * c, "=", 4)],
                           Relation(a**2 * b**2 + b**2 * c**2 + c**2 * a**2, "<=", a**2 + b**2 + c**2))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok


def test_a_fitted_multiplier_over_positive_variables_may_carry_a_fixed_factor():
    # 567NEQ p56 once its equality is cleared: abc(a + b + c) = ab + bc + ca. Proved as
    # (ab + bc + ca) * (1 + fitted monomials) * (lhs - rhs) = squares + multiple of the equality.
    problem = make_problem(positive(a, b, c) + [Relation(a * b * c * (a + b + c), "=", a * b + b * c + c * a)],
                           Relation(a * b * c + a * b + b * c + c * a, ">=", 4))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok
    assert a * b + a * c + b * c in certificate.multiplier


def test_an_equality_case_along_a_named_root_is_removed():
    # 567NEQ p30 after naming t = sqrt 3: equality at a = b = c = t/3, the direction (1, 1, 1, 3).
    t = var("t")
    problem = make_problem(positive(a, b, c, op=">=") + [Relation(t, ">", 0), Relation(t**2, "=", 3),
                                                         Relation(a**2 + b**2 + c**2, "=", 1)],
                           Relation(a + b + c - a * b * c, "<=", 8 * t / 9))
    certificate = find_sos_certificate(problem, Deadline.after(SECONDS_PER_GOAL))
    assert certificate is not None and check(problem, certificate).ok
