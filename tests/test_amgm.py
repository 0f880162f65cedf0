"""The AM-GM tactic: every yielded attempt closes its goal with a certificate the kernel accepts,
and goals AM-GM cannot prove (or false ones) yield nothing, quickly."""

import time

import pytest
import sympy

from ineq.kernel import AMGM, EqualityMultiple, Identity, check
from ineq.problem import Relation, make_problem, var
from ineq.tactics.amgm import AMGMInputError, amgm
from ineq.tactics.base import Deadline

a, b, c, d, x, y, z = map(var, "abcdxyz")


def positive(*variables):
    return [Relation(v, ">", 0) for v in variables]


def nonnegative(*variables):
    return [Relation(v, ">=", 0) for v in variables]


def first_attempt(problem):
    attempts = list(amgm(problem, Deadline.after(10)))
    assert attempts, f"amgm found no proof of {problem}"
    return attempts[0]


PROVABLE = {
    "two squares, no assumptions": ([], Relation(a**2 + b**2, ">=", 2 * a * b)),
    "three cubes": (positive(a, b, c), Relation(a**3 + b**3 + c**3, ">=", 3 * a * b * c)),
    "cyclic fractions": (positive(a, b, c), Relation(a / b + b / c + c / a, ">=", 3)),
    "Muirhead (3,0) > (2,1)": (positive(a, b), Relation(a**3 + b**3, ">=", a**2 * b + a * b**2)),
    "fourth powers, nonnegative": (nonnegative(x, y, z), Relation(
        x**4 + y**4 + z**4, ">=", x**2 * y * z + y**2 * z * x + z**2 * x * y)),
    "weighted": (positive(a, b), Relation(2 * a**3 + b**3, ">=", 3 * a**2 * b)),
    "product of sums": (positive(a, b, c), Relation((a + b) * (b + c) * (c + a), ">=", 8 * a * b * c)),
    "cyclic Muirhead": (positive(a, b, c), Relation(a**3 + b**3 + c**3, ">=", a**2 * b + b**2 * c + c**2 * a)),
    "unknown signs, even sources": ([], Relation(x**4 + y**4 + z**4, ">=", x * y * z * (x + y + z))),
    "four variables": (positive(a, b, c, d), Relation(a**4 + b**4 + c**4 + d**4, ">=", 4 * a * b * c * d)),
    "Laurent with mixed degrees": (positive(a, b, c), Relation(a**2 / b + b**2 / c + c**2 / a, ">=", a + b + c)),
    "strict with a positive leftover": (positive(a, b), Relation(a**2 + b**2 + 1, ">", 2 * a * b)),
    "abc = 1": (positive(a, b, c) + [Relation(a * b * c, "=", 1)], Relation(a**3 + b**3 + c**3, ">=", 3)),
    "ab = 4, constant not 1": (positive(a, b) + [Relation(a * b, "=", 4)], Relation(a**2 + b**2, ">=", 8)),
    "Laurent leftover, proved after clearing": (positive(a, b), Relation(2 * a / b + b / a, ">=", 2)),
    "abc = 1, cyclic": (positive(a, b, c) + [Relation(a * b * c, "=", 1)],
                        Relation(a**2 * b + b**2 * c + c**2 * a, ">=", 3)),
    "abc = 1, cube root of the product": (positive(a, b, c) + [Relation(a * b * c, "=", 1)], Relation(a + b + c, ">=", 3)),
    "abc = 8, cube root 2": (positive(a, b, c) + [Relation(a * b * c, "=", 8)], Relation(a + b + c, ">=", 6)),
    "abc = 1, degree 2 over degree 1": (positive(a, b, c) + [Relation(a * b * c, "=", 1)],
                                        Relation(a**2 + b**2 + c**2, ">=", a + b + c)),
    "cube root of a product": (positive(x, y, z), Relation((x + y + z) / 3, ">=", (x * y * z) ** sympy.Rational(1, 3))),
    "weighted roots": (positive(a, b, c, d), Relation(d / 6 + a / 3 + b / 3 + c / 6, ">=", d ** sympy.Rational(1, 6) * (
        a * b) ** sympy.Rational(1, 3) * c ** sympy.Rational(1, 6))),
    "fourth root with a reciprocal": (positive(x, y, z, d), Relation(x / 4 + y / 4 + z / 4 + 1 / (4 * d), ">=",
                                                                   (x * y * z / d) ** sympy.Rational(1, 4))),
}


@pytest.mark.parametrize("name", list(PROVABLE))
def test_proves_and_kernel_accepts(name):
    problem = make_problem(*PROVABLE[name])
    attempt = first_attempt(problem)
    assert attempt.tactic == "amgm"
    assert attempt.subgoals == ()
    certificate = attempt.build(())
    assert isinstance(certificate, Identity)
    assert check(problem, certificate), check(problem, certificate).reason
    assert any(line.startswith("By AM-GM, ") for line in attempt.explanation)


def test_weighted_instance_is_explained_with_its_weights():
    problem = make_problem(*PROVABLE["weighted"])
    assert "By AM-GM, (2/3)·a^3 + (1/3)·b^3 >= a^2·b; times 3: 2·a^3 + b^3 >= 3·a^2·b." \
        in first_attempt(problem).explanation


def test_muirhead_uses_one_instance_per_sink_and_sums():
    problem = make_problem(*PROVABLE["Muirhead (3,0) > (2,1)"])
    attempt = first_attempt(problem)
    instances = [line for line in attempt.explanation if line.startswith("By AM-GM")]
    assert instances == ["By AM-GM, (2/3)·a^3 + (1/3)·b^3 >= a^2·b.",
                         "By AM-GM, (1/3)·a^3 + (2/3)·b^3 >= a·b^2."]
    assert attempt.explanation[-1] == "Summing: a^3 + b^3 >= a^2·b + a·b^2."


def test_laurent_goal_is_proved_without_a_multiplier():
    problem = make_problem(*PROVABLE["cyclic fractions"])
    certificate = first_attempt(problem).build(())
    assert certificate.multiplier == ()
    assert [type(p) for p in certificate.pieces] == [AMGM]
    assert certificate.pieces[0].weights == (sympy.Rational(1, 3),) * 3


def test_monomial_constraint_is_used_through_an_equality_multiple():
    problem = make_problem(*PROVABLE["abc = 1"])
    certificate = first_attempt(problem).build(())
    assert any(isinstance(p, EqualityMultiple) for p in certificate.pieces)


@pytest.mark.parametrize("name", ["abc = 1, cube root of the product", "abc = 1, degree 2 over degree 1"])
def test_fractional_power_of_the_constraint_is_pinned(name):
    problem = make_problem(*PROVABLE[name])
    attempt = first_attempt(problem)
    pinned = [p for p in attempt.build(()).pieces if isinstance(p, AMGM) and p.pin is not None]
    assert pinned and all(not p.pin.power.is_Integer for p in pinned)
    assert any("since a·b·c = 1" in line for line in attempt.explanation)


def test_irrational_power_of_the_constant_is_not_used():
    problem = make_problem(positive(a, b, c) + [Relation(a * b * c, "=", 2)], Relation(a + b + c, ">=", 3))
    assert list(amgm(problem, Deadline.after(10))) == []


def test_certificate_numbers_are_exact():
    problem = make_problem(*PROVABLE["fourth powers, nonnegative"])
    for piece in first_attempt(problem).build(()).pieces:
        assert piece.coeff.is_Rational
        if isinstance(piece, AMGM):
            assert all(w.is_Rational for w in piece.weights) and sum(piece.weights) == 1


UNPROVABLE = {
    "Schur": (positive(a, b, c), Relation(
        a**3 + b**3 + c**3 + 3 * a * b * c, ">=",
        a**2 * b + a**2 * c + b**2 * a + b**2 * c + c**2 * a + c**2 * b)),
    "false": (positive(a, b), Relation(a**2, ">=", b**2)),
    "false cyclic": (positive(a, b, c), Relation(a / b + b / c + c / a, ">=", b / a + c / b + a / c)),
    "strict at equality": (positive(a, b), Relation(a**2 + b**2, ">", 2 * a * b)),
    "odd source of unknown sign": ([], Relation(x**3 + y**4 + 1, ">=", 0)),
    "equality goal": (positive(a, b), Relation(a * b, "=", b * a)),
    "non-monomial constraint": (positive(a, b, c) + [Relation(a + b + c, "=", 3)], Relation(a * b * c, "<=", 1)),
    "root of a variable that may be zero": (nonnegative(x, y), Relation((x + y) / 2, ">=", sympy.sqrt(x * y))),
}


@pytest.mark.parametrize("name", list(UNPROVABLE))
def test_yields_nothing_quickly_when_amgm_cannot_prove(name):
    problem = make_problem(*UNPROVABLE[name])
    start = time.monotonic()
    assert list(amgm(problem, Deadline.after(10))) == []
    assert time.monotonic() - start < 2


def test_expired_deadline_yields_nothing():
    problem = make_problem(*PROVABLE["three cubes"])
    assert list(amgm(problem, Deadline.after(0))) == []


def test_rejects_non_problem_input():
    with pytest.raises(AMGMInputError):
        list(amgm("a^2 + b^2 >= 2ab", Deadline.after(10)))


def test_nonnegative_denominators_are_cleared_where_the_goal_is_defined():
    # b + c >= 0 divides a denominator, so it is > 0 wherever Nesbitt's left side is defined.
    problem = make_problem(nonnegative(a, b, c), Relation(a / (b + c) + b / (c + a) + c / (a + b), ">=", sympy.Rational(3, 2)))
    attempt = first_attempt(problem)
    assert check(problem, attempt.build(()))
    assert "nonzero, hence > 0" in attempt.explanation[0]
