"""The trusted kernel: valid certificates pass, corrupted ones are rejected with a reason."""

from __future__ import annotations

import ast
import json
import pathlib
import subprocess
import sys

import pytest
import sympy
from sympy import Integer as I
from sympy import Rational as R

from ineq.kernel import (
    AMGM,
    CaseSplit,
    ChangeVariables,
    Cut,
    Exponentiate,
    Generalize,
    IntroduceRoot,
    Substitute,
    SymmetryOrder,
    Weaken,
    Reciprocal,
    RootOrder,
    CertificateFormatError,
    EqualityMultiple,
    Gram,
    Identity,
    Lemma,
    MonomialRoots,
    Pin,
    Square,
    certificate_from_json,
    check,
    load_proof,
    proof_document,
)
from ineq.problem import Relation, make_problem, var

a, b, c, x, y, z = map(var, "abcxyz")
POSITIVE_ABC = [Relation(a, ">", 0), Relation(b, ">", 0), Relation(c, ">", 0)]
TINY = R(1, 10**9)


def matrix(rows):
    return tuple(tuple(sympy.Rational(v) for v in row) for row in rows)


# --- problems --------------------------------------------------------------------------------------
AMGM2 = make_problem([], Relation(a**2 + b**2, ">=", 2 * a * b))
NESBITT = make_problem(POSITIVE_ABC, Relation(a / (b + c) + b / (c + a) + c / (a + b), ">=", R(3, 2)))
AMGM3 = make_problem(POSITIVE_ABC, Relation(a**3 + b**3 + c**3, ">=", 3 * a * b * c))
CONSTRAINED = make_problem([Relation(x, ">=", 0), Relation(y, ">=", 0), Relation(x + y, "=", 1)],
                           Relation(x * y, "<=", R(1, 4)))
STRICT = make_problem([], Relation(a**2 + 1, ">", a))
QUADRATIC = b**2 - b * c + c**2  # >= 0 but not by its coefficients

# --- valid certificates ----------------------------------------------------------------------------
SQUARE_OK = Identity((), (Square(I(1), (), a - b),))
GRAM_OK = Identity((), (Gram((), (a, b), matrix([[1, -1], [-1, 1]])),))
# Nesbitt: (a+b)(b+c)(c+a) * (lhs - 3/2) = (a+b)(a-b)^2/2 + ... after clearing denominators.
NESBITT_OK = Identity((b + c, c + a, a + b), (
    Square(R(1, 2), (a,), a - b), Square(R(1, 2), (b,), a - b),
    Square(R(1, 2), (b,), b - c), Square(R(1, 2), (c,), b - c),
    Square(R(1, 2), (c,), c - a), Square(R(1, 2), (a,), c - a)))
AMGM3_OK = Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a**3, b**3, c**3)),))
# 1/4 - xy = (x - y)^2/4 - (x + y - 1)(x + y + 1)/4, and x + y - 1 = 0.
CONSTRAINED_OK = Identity((), (Square(R(1, 4), (), x - y), EqualityMultiple(x + y - 1, -(x + y + 1) / 4)))
# a^2 + 1 - a = (a - 1/2)^2 + 3/4
STRICT_OK = Identity((), (Square(I(1), (), a - R(1, 2)), Square(R(3, 4), (), I(1))))
# a^2+b^2 >= 2ab as a sum of the proved lemma (a-b)^2 >= 0 (coefficient 1).
LEMMA_OK = Identity((), (Lemma(I(1), Relation((a - b) ** 2, ">=", 0), SQUARE_OK_FOR_LEMMA := Identity(
    (), (Square(I(1), (), a - b),))),))

ABC_ONE = make_problem(POSITIVE_ABC + [Relation(a * b * c, "=", 1)], Relation(a + b + c, ">=", 3))
# a + b + c >= 3 (abc)^(1/3) = 3: the pin rewrites the mean (abc)^(1/3) as 1^(1/3) = 1.
PIN_OK = Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c), Pin(a * b * c - 1, R(1, 3))),))

CUBE_ROOT_AMGM = make_problem(POSITIVE_ABC, Relation((a + b + c) / 3, ">=", (a * b * c) ** R(1, 3)))
CUBE_ROOT_AMGM_OK = Identity((), (AMGM(I(1), (R(1, 3),) * 3, (a, b, c)),))

VALID = [
    ("amgm-pinned-mean", ABC_ONE, PIN_OK),
    ("amgm-fractional-mean-of-positive-variables", CUBE_ROOT_AMGM, CUBE_ROOT_AMGM_OK),
    ("amgm-fractional-terms", make_problem(POSITIVE_ABC, Relation(sympy.sqrt(a) + sympy.sqrt(b), ">=", 2 * (a * b) ** R(1, 4))),
     Identity((), (AMGM(I(2), (R(1, 2), R(1, 2)), (sympy.sqrt(a), sympy.sqrt(b))),))),
    ("amgm-pinned-mean-cube-root", make_problem(POSITIVE_ABC + [Relation(2 * a * b * c, "=", 16)],
                                                Relation(a + b + c, ">=", 6)),   # (abc)^(1/3) = 8^(1/3) = 2
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c), Pin(a * b * c - 8, R(1, 3))),))),
    ("amgm-pinned-mean-partial", make_problem(POSITIVE_ABC + [Relation(a * b, "=", 1)],
                                              Relation(a * c + b * c, ">=", 2 * c)),   # sqrt(ac * bc) = c
     Identity((), (AMGM(I(2), (R(1, 2),) * 2, (a * c, b * c), Pin(a * b - 1, R(1, 2))),))),
    ("square", AMGM2, SQUARE_OK),
    ("gram", AMGM2, GRAM_OK),
    ("nesbitt-multiplier", NESBITT, NESBITT_OK),
    ("amgm", AMGM3, AMGM3_OK),
    ("amgm-even-unknown-sign", AMGM2, Identity((), (AMGM(I(2), (R(1, 2), R(1, 2)), (a**2, b**2)),))),
    ("amgm-laurent", make_problem(POSITIVE_ABC, Relation(a / b + b / c + c / a, ">=", 3)),
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a / b, b / c, c / a)),))),
    ("equality-multiple", CONSTRAINED, CONSTRAINED_OK),
    ("strict", STRICT, STRICT_OK),
    ("lemma", AMGM2, LEMMA_OK),
    ("multiplier-nonnegative-where-defined", make_problem([Relation(v, ">=", 0) for v in (a, b, c)], NESBITT.goal),
     NESBITT_OK),   # b + c >= 0 divides a denominator, so it is > 0 wherever the goal is defined
    ("multiplier-nonstrict-assumption-where-defined", make_problem([Relation(QUADRATIC, ">=", 0)],
                                                                    Relation(1 / QUADRATIC, ">=", 0)),
     Identity((QUADRATIC,), (Square(I(1), (), I(1)),))),  # assumed >= 0 and a written denominator
    ("multiplier-nonstrict-product-of-denominators", make_problem([Relation(a * b, ">=", 0)],
                                                                   Relation(1 / a + 1 / b, ">=", 1 / a + 1 / b)),
     Identity((a * b,), ())),  # ab >= 0, and a, b are written denominators: ab > 0 where defined
    ("multiplier-even-power-unsigned", make_problem([], Relation(1 / (1 + x**2), ">", 0)),
     Identity((1 + x**2,), (Square(I(1), (), I(1)),))),
    ("multiplier-even-power-of-a-denominator", make_problem([], Relation(1 / (x - 1)**2, ">=", 0)),
     Identity(((x - 1)**2,), (Square(I(1), (), I(1)),))),  # a square, nonzero where the goal is defined
    ("equality-goal", make_problem([Relation(x + y, "=", 1)], Relation(x**2 + x * y, "=", x)),
     Identity((), (EqualityMultiple(x + y - 1, x),))),
]


@pytest.mark.parametrize("name,problem,certificate", VALID, ids=[v[0] for v in VALID])
def test_valid_certificates_pass(name, problem, certificate):
    verdict = check(problem, certificate)
    assert verdict.ok, verdict.reason


@pytest.mark.parametrize("name,problem,certificate", VALID, ids=[v[0] for v in VALID])
def test_json_round_trip_keeps_validity(name, problem, certificate, tmp_path):
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_document(problem, certificate, steps=["for people"])))
    loaded_problem, loaded_certificate = load_proof(path)
    assert loaded_problem == problem
    assert loaded_certificate == certificate
    assert check(loaded_problem, loaded_certificate).ok


# --- corrupted certificates: at least five per kind -------------------------------------------------
CORRUPTED = [
    ("amgm-fractional-mean-nonnegative-only", make_problem([Relation(v, ">=", 0) for v in (a, b, c)], CUBE_ROOT_AMGM.goal),
     CUBE_ROOT_AMGM_OK, "integer exponents"),
    ("amgm-fractional-mean-no-sign", make_problem([], CUBE_ROOT_AMGM.goal), CUBE_ROOT_AMGM_OK, "not nonnegative"),
    ("amgm-fractional-wrong-weights", CUBE_ROOT_AMGM,
     Identity((), (AMGM(I(1), (R(1, 2), R(1, 4), R(1, 4)), (a, b, c)),)), "does not hold"),
    ("amgm-fractional-term-of-nonnegative-variable", make_problem([Relation(a, ">=", 0), Relation(b, ">", 0)],
                                                                  Relation(sympy.sqrt(a) + b, ">=", 0)),
     Identity((), (AMGM(I(2), (R(1, 2), R(1, 2)), (sympy.sqrt(a), b)),)), "not a monomial"),
    # Positive symbols are used for variables assumed > 0 only: for real x, sqrt(x^2) = |x| is not x.
    ("identity-positive-rewriting-needs-positivity", make_problem([], Relation(x, ">=", sympy.sqrt(x**2))),
     Identity((), ()), "does not hold"),
    ("identity-positive-rewriting-needs-strict-positivity", make_problem([Relation(x, ">=", 0)],
                                                                         Relation(x, ">=", sympy.sqrt(x**2))),
     Identity((), ()), "does not hold"),
    # AM-GM with a pinned mean
    ("amgm-pin-not-an-assumption", ABC_ONE, Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c),
                                                              Pin(a * b * c - 2, R(1, 3))),)), "not an equality assumption"),
    ("amgm-pin-wrong-power", ABC_ONE, Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c), Pin(a * b * c - 1, R(1, 2))),)),
     "does not hold"),
    ("amgm-pin-unsigned-variables", make_problem([Relation(a * b * c, "=", 1)], Relation(a**2 + b**2 + c**2, ">=", 3)),
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a**2, b**2, c**2), Pin(a * b * c - 1, R(2, 3))),)), "no sign assumption"),
    ("amgm-pin-negative-value", make_problem(POSITIVE_ABC + [Relation(a * b * c, "=", -1)], ABC_ONE.goal),
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c), Pin(a * b * c + 1, R(1, 3))),)), "not positive"),
    ("amgm-pin-not-a-monomial", make_problem(POSITIVE_ABC + [Relation(a + b + c, "=", 3)], ABC_ONE.goal),
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c), Pin(a + b + c - 3, R(1, 3))),)), "monomial = constant"),
    ("amgm-pin-irrational-mean", make_problem(POSITIVE_ABC + [Relation(a * b * c, "=", 2)], ABC_ONE.goal),
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a, b, c), Pin(a * b * c - 2, R(1, 3))),)), "not rational"),
    # Square
    ("square-coefficient-off", AMGM2, Identity((), (Square(1 + TINY, (), a - b),)), "does not hold"),
    ("square-negative-coefficient", AMGM2, Identity((), (Square(I(-1), (), a - b), Square(I(2), (), a - b))),
     "negative"),
    ("square-wrong-variable", AMGM2, Identity((), (Square(I(1), (), a - c),)), "polynomial in the problem"),
    ("square-dropped-side-condition", make_problem([], Relation(a * (a - b) ** 2, ">=", 0)),
     Identity((), (Square(I(1), (a,), a - b),)), "not an assumption"),
    ("square-not-polynomial", NESBITT, Identity((), (Square(I(1), (), a / b),)), "not a polynomial"),
    ("square-float-coefficient", AMGM2, Identity((), (Square(sympy.Float(1.0), (), a - b),)), "not an exact rational"),
    ("nesbitt-dropped-multiplier-factor", NESBITT, Identity(NESBITT_OK.multiplier[:2], NESBITT_OK.pieces),
     "does not hold"),
    ("nesbitt-unproved-multiplier", make_problem([], NESBITT.goal), NESBITT_OK, "no assumption"),
    ("nesbitt-nonnegative-multiplier-outside-a-denominator", make_problem(
        [Relation(v, ">=", 0) for v in (a, b, c)], Relation(a * b * (a + b), ">=", 0)),
     Identity((a + b,), (Square(I(1), (a, b), I(1)),)), "needs"),
    ("nesbitt-multiplier-divides-no-denominator", make_problem(
        [Relation(v, ">=", 0) for v in (a, b, c)], Relation(a / (a + b), ">=", 0)),
     Identity((a + c,), (Square(I(1), (a,), I(1)),)), "needs"),
    ("nesbitt-denominator-of-unknown-sign", make_problem([], Relation(1 / (x + 1), ">", 0)),
     Identity((x + 1,), (Square(I(1), (), I(1)),)), "odd power"),
    ("nesbitt-denominator-negative-coefficient", make_problem([Relation(a, ">=", 0), Relation(b, ">=", 0)],
                                                              Relation(1 / (a - b), ">=", 0)),
     Identity((a - b,), (Square(I(1), (), I(1)),)), "not positive by its coefficients"),
    ("multiplier-with-a-foreign-symbol", make_problem([], Relation(1 / (x - 1)**2, ">=", 0)),
     Identity(((sympy.Symbol("k") * (x - 1))**2,), (Square(I(1), (), sympy.Symbol("k")),)),
     "not the problem's variables"),
    ("odd-power-of-a-denominator", make_problem([], Relation(1 / (x - 1)**3, ">=", 0)),
     Identity(((x - 1)**3,), (Square(I(1), (), I(1)),)), "not positive by its coefficients"),
    ("even-power-outside-the-denominators", make_problem([], Relation(x**2 / (x - 1)**2, ">=", 0)),
     Identity(((x - 1)**2, (x - 2)**2), (Square(I(1), (), x * (x - 2)),)), "(x - 2)**2 is not positive"),
    # A nonstrict assumption f >= 0 clears f only where f divides a written denominator, with that sign.
    ("nonstrict-assumption-multiplier-outside-a-denominator", make_problem(
        [Relation(QUADRATIC, ">=", 0)], Relation(b**2 / (b**2 + 1), ">=", 0)),
     Identity((QUADRATIC, b**2 + 1), (Square(I(1), (QUADRATIC,), b),)), "not positive by its coefficients"),
    ("nonstrict-product-with-a-factor-outside-the-denominators", make_problem(
        [Relation(a * b * c, ">=", 0)], Relation(1 / a + 1 / b, ">=", 0)),
     Identity((a * b * c,), (Square(I(1), (a * b * c,), I(1)),)), "no assumption makes nonnegative"),
    ("nonstrict-assumption-opposite-sign", make_problem([Relation(-QUADRATIC, ">=", 0)],
                                                        Relation(1 / QUADRATIC, ">=", 0)),
     Identity((QUADRATIC,), (Square(I(1), (), I(1)),)), "not positive by its coefficients"),
    ("nonstrict-assumption-missing", make_problem([], Relation(1 / QUADRATIC, ">=", 0)),
     Identity((QUADRATIC,), (Square(I(1), (), I(1)),)), "not positive by its coefficients"),
    ("nonstrict-assumption-of-a-shifted-factor", make_problem([Relation(QUADRATIC, ">=", 1)],
                                                              Relation(1 / QUADRATIC, ">=", 0)),
     Identity((QUADRATIC,), (Square(I(1), (), I(1)),)), "not positive by its coefficients"),
    ("nonstrict-assumption-inside-a-lemma", make_problem([Relation(QUADRATIC, ">=", 0)], Relation(I(1), ">=", 0)),
     Identity((), (Lemma(I(1), Relation(1 / QUADRATIC, ">=", 0), Identity((QUADRATIC,), (Square(I(1), (), I(1)),))),
                   Square(I(1), (), I(1)))), "not proved"),
    # A lemma's claim is used wherever the parent is defined: its own denominator x (zero on the whole
    # domain, so the claim is vacuous) must not make x a positive multiplier, or 1 >= 2 would follow.
    ("lemma-vacuous-claim-by-its-denominator", make_problem([Relation(x, ">=", 0), Relation(x, "=", 0)],
                                                            Relation(I(1), ">=", 2)),
     Identity((), (Lemma(R(1, 2), Relation((x**2 - x) / x - x, ">=", 1),
                         Identity((x,), (EqualityMultiple(x, I(-2)),))),)), "needs"),
    ("nesbitt-negative-multiplier", NESBITT, Identity((-(b + c), c + a, a + b), NESBITT_OK.pieces),
     "not positive"),
    ("nesbitt-multiplier-unsigned-odd-power", make_problem([], Relation(x + 1, ">=", 0)),
     Identity((1 + x,), (Square(I(1), (), 1 + x),)), "odd power of x"),
    # Gram
    ("gram-not-psd", AMGM2, Identity((), (Gram((), (a, b), matrix([[1, -2], [-2, 1]])), Gram(
        (), (a, b), matrix([[0, 1], [1, 0]])))), "not PSD"),
    ("gram-entry-off", AMGM2, Identity((), (Gram((), (a, b), matrix([[1 + TINY, -1], [-1, 1]])),)), "does not hold"),
    ("gram-not-symmetric", AMGM2, Identity((), (Gram((), (a, b), matrix([[1, -2], [0, 1]])),)), "not symmetric"),
    ("gram-wrong-size", AMGM2, Identity((), (Gram((), (a, b, I(1)), matrix([[1, -1], [-1, 1]])),)), "not 3x3"),
    ("gram-wrong-variable", AMGM2, Identity((), (Gram((), (a, c), matrix([[1, -1], [-1, 1]])),)), "polynomial"),
    ("gram-zero-pivot-nonzero-row", make_problem([], Relation(2 * a * b, ">=", 0)),
     Identity((), (Gram((), (a, b), matrix([[0, 1], [1, 0]])),)), "not PSD"),
    ("gram-unassumed-atom", make_problem([], Relation(a * b**2, ">=", 0)),
     Identity((), (Gram((a,), (b,), matrix([[1]])),)), "not an assumption"),
    # AMGM
    ("amgm-weights-do-not-sum", AMGM3, Identity((), (AMGM(I(3), (R(1, 3), R(1, 3), R(1, 3) + TINY),
                                                          (a**3, b**3, c**3)),)), "sum to"),
    ("amgm-negative-weight", AMGM3, Identity((), (AMGM(I(3), (R(2, 3), R(2, 3), R(-1, 3)), (a**3, b**3, c**3)),)),
     "negative"),
    ("amgm-coefficient-off", AMGM3, Identity((), (AMGM(3 + TINY, (R(1, 3),) * 3, (a**3, b**3, c**3)),)),
     "does not hold"),
    ("amgm-dropped-sign-condition", make_problem([], AMGM3.goal),
     Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a**3, b**3, c**3)),)), "not nonnegative"),
    ("amgm-fractional-mean-is-not-the-goal", AMGM3, Identity((), (AMGM(I(3), (R(1, 2), R(1, 4), R(1, 4)),
                                                                      (a**3, b**3, c**3)),)), "does not hold"),
    ("amgm-wrong-variable", AMGM3, Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a**3, b**3, x**3)),)),
     "not a monomial"),
    ("amgm-negative-term", AMGM3, Identity((), (AMGM(I(3), (R(1, 3),) * 3, (a**3, b**3, -(c**3))),)),
     "nonpositive coefficient"),
    ("amgm-irrational-mean", make_problem([Relation(a, ">", 0)], Relation(a**2 + 2, ">=", 2 * sympy.sqrt(2) * a)),
     Identity((), (AMGM(I(2), (R(1, 2), R(1, 2)), (a**2, I(2))),)), "not rational"),
    # EqualityMultiple
    ("equality-not-assumed", CONSTRAINED, Identity((), (Square(R(1, 4), (), x - y), EqualityMultiple(
        x + y - 2, -(x + y + 1) / 4))), "not an equality assumption"),
    ("equality-multiplier-off", CONSTRAINED, Identity((), (Square(R(1, 4), (), x - y), EqualityMultiple(
        x + y - 1, -(x + y + 1) / 4 + TINY))), "does not hold"),
    ("equality-rational-multiplier", CONSTRAINED, Identity((), (Square(R(1, 4), (), x - y), EqualityMultiple(
        x + y - 1, 1 / x))), "not a polynomial"),
    ("equality-inequality-used-as-equality", make_problem([Relation(x + y, ">=", 1)], CONSTRAINED.goal),
     CONSTRAINED_OK, "not an equality assumption"),
    ("equality-goal-with-square", make_problem([], Relation(a**2, "=", a**2 + (a - a))),
     Identity((), (Square(I(0), (), a),)), "only use equality multiples"),
    # Lemma
    ("lemma-unproved", AMGM2, Identity((), (Lemma(I(1), Relation((a - b) ** 2, ">=", 0),
                                                  Identity((), (Square(I(1), (), a + b),))),)), "not proved"),
    ("lemma-negative-coefficient", AMGM2, Identity((), (Lemma(I(-1), Relation((a - b) ** 2, "<=", 0),
                                                               Identity((), ())),)), "negative"),
    ("lemma-coefficient-off", AMGM2, Identity((), (Lemma(1 + TINY, Relation((a - b) ** 2, ">=", 0),
                                                         SQUARE_OK_FOR_LEMMA),)), "does not hold"),
    ("lemma-equality-claim", AMGM2, Identity((), (Lemma(I(1), Relation((a - b) ** 2, "=", (a - b) ** 2),
                                                        Identity((), ())),)), "must be an inequality"),
    ("lemma-wrong-claim", AMGM2, Identity((), (Lemma(I(1), Relation((a - c) ** 2, ">=", 0),
                                                     Identity((), (Square(I(1), (), a - c),))),)), "not proved"),
    # strictness
    ("strict-without-strict-piece", STRICT, Identity((), (Square(I(1), (), a - R(1, 2)), Gram(
        (), (I(1),), matrix([[R(3, 4)]])))), "no piece is strictly positive"),
    ("strict-constant-off", STRICT, Identity((), (Square(I(1), (), a - R(1, 2)), Square(R(3, 4) + TINY, (), I(1)))),
     "does not hold"),
]


@pytest.mark.parametrize("name,problem,certificate,reason", CORRUPTED, ids=[c[0] for c in CORRUPTED])
def test_corrupted_certificates_are_rejected_with_a_reason(name, problem, certificate, reason):
    verdict = check(problem, certificate)
    assert not verdict.ok
    assert reason in verdict.reason, verdict.reason


def test_at_least_five_corruptions_per_piece_kind():
    kinds = {"square": 0, "gram": 0, "amgm": 0, "equality": 0, "lemma": 0}
    for name, *_ in CORRUPTED:
        prefix = name.split("-")[0]
        if prefix in kinds:
            kinds[prefix] += 1
    assert all(count >= 5 for count in kinds.values()), kinds


@pytest.mark.parametrize("bad", [
    {"rule": "magic"},
    {"rule": "case_split", "expr": "x", "strict": "yes",
     "cases": [{"rule": "identity", "multiplier": [], "pieces": []}] * 2},
    {"rule": "identity"},
    {"rule": "identity", "multiplier": [], "pieces": [{"kind": "square", "coeff": "1.5", "atoms": [], "poly": "a"}]},
    {"rule": "identity", "multiplier": [], "pieces": [{"kind": "square", "coeff": "1", "atoms": [], "poly": "a +"}]},
    {"rule": "identity", "multiplier": ["__import__('os')"], "pieces": []},
    {"rule": "identity", "multiplier": [], "pieces": [{"kind": "unknown"}]},
    {"rule": "identity", "multiplier": [], "pieces": [{"kind": "gram", "atoms": [], "basis": ["a"],
                                                        "matrix": [["sin(a)"]]}]},
    {"rule": "root_order", "larger": "x", "smaller": "y", "degree": "3",
     "certificate": {"rule": "identity", "multiplier": [], "pieces": []}},
    {"rule": "root_order", "larger": "x + 1", "smaller": "y", "degree": 3,
     "certificate": {"rule": "identity", "multiplier": [], "pieces": []}},
    {"rule": "monomial_roots"},
    {"rule": "generalize", "term": "exp(", "name": "t", "certificate": {"rule": "identity", "multiplier": [],
                                                                       "pieces": []}},
    {"rule": "exponentiate"},
    {"rule": "generalize", "term": "log(a)", "certificate": {"rule": "identity", "multiplier": [], "pieces": []}},
])
def test_malformed_certificate_json_is_a_format_error(bad):
    with pytest.raises(CertificateFormatError):
        certificate_from_json(bad)


KERNEL_DIR = pathlib.Path(__file__).resolve().parents[1] / "ineq" / "kernel"
ALLOWED_IMPORTS = {"__future__", "dataclasses", "fractions", "json", "pathlib", "re", "sys", "typing", "sympy",
                   "ineq.kernel", "ineq.problem"}


def test_kernel_imports_only_the_trusted_base():
    for path in KERNEL_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                allowed = any(name == ok or name.startswith(ok + ".") for ok in ALLOWED_IMPORTS)
                assert allowed, f"{path.name} imports {name}"


def test_kernel_main_checks_a_file_without_loading_search_code(tmp_path):
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_document(NESBITT, NESBITT_OK)))
    script = ("import sys; from ineq.kernel.__main__ import main; status = main([sys.argv[1]]); "
              "bad = [m for m in sys.modules if m.split('.')[0] in ('cvxpy', 'z3', 'numpy', 'torch', 'lark') "
              "or m.startswith(('ineq.tactics', 'ineq.search', 'ineq.parse', 'ineq.refute'))]; "
              "print('loaded:', bad); sys.exit(status)")
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "verified" in result.stdout
    assert "loaded: []" in result.stdout


# --- structural rules: case split, symmetry order, substitution, named radicals ----------------------

t = var("t")
SPLIT_GOAL = make_problem([], Relation(a**2 * (a**2 - 1) + 1, ">=", 0))
SPLIT_OK = CaseSplit(a, Identity((), (Square(I(1), (), a**2 - R(1, 2)), Square(R(3, 4), (), I(1)))),
                     Identity((), (Square(I(1), (), a**2 - R(1, 2)), Square(R(3, 4), (), I(1)))))
SCHUR_LIKE = make_problem([Relation(v, ">=", 0) for v in (a, b, c)],
                          Relation(a * (a - b) * (a - c) + b * (b - a) * (b - c) + c * (c - a) * (c - b), ">=", 0))
# With a >= b >= c >= 0: a(a-b)(a-c) + b(b-a)(b-c) = (a-b)[a(a-c) - b(b-c)] = (a-b)^2 (a+b-c) and c(c-a)(c-b) >= 0.
SCHUR_OK = SymmetryOrder("symmetric", (a, b, c), Identity((), (
    Square(I(1), (a,), a - b), Square(I(1), (b - c,), a - b), Square(I(1), (c, a - b, b - c), I(1)),
    Square(I(1), (c,), b - c))))
SUBSTITUTE_GOAL = make_problem([Relation(x + y, "=", 1)], Relation(x * y, "<=", R(1, 4)))
SUBSTITUTE_OK = Substitute(y, 1 - x, Identity((), (Square(I(1), (), x - R(1, 2)),)))
ROOT_GOAL = make_problem([Relation(a, ">=", 0)], Relation(a + 1, ">=", 2 * sympy.sqrt(a)))
ROOT_OK = IntroduceRoot(sympy.sqrt(a), t, Identity((), (Square(I(1), (), t - 1), EqualityMultiple(t**2 - a, I(-1)))))
# a, b >= 0 => a + b >= 2 sqrt(ab): split sqrt(ab) = sqrt(a) sqrt(b), name both, one square.
MONOMIAL_GOAL = make_problem([Relation(a, ">=", 0), Relation(b, ">=", 0)],
                             Relation(a + b, ">=", 2 * sympy.sqrt(a * b)))
MONOMIAL_INNER = IntroduceRoot(sympy.sqrt(a), x, IntroduceRoot(sympy.sqrt(b), y, Identity((), (
    Square(I(1), (), x - y), EqualityMultiple(x**2 - a, I(-1)), EqualityMultiple(y**2 - b, I(-1))))))
MONOMIAL_OK = MonomialRoots(MONOMIAL_INNER)
# cbrt(a^3) is written |a| sign(a^3); with a >= 0 it is a.
REAL_ROOT_GOAL = make_problem([Relation(a, ">=", 0)], Relation(a**2 + 1, ">=", 2 * sympy.real_root(a**3, 3)))
REAL_ROOT_OK = MonomialRoots(Identity((), (Square(I(1), (), a - 1),)))
# A fourth root names sqrt(a) too: sqrt(a) = t^2.
FOURTH_ROOT_OK = IntroduceRoot(a ** R(1, 4), t, Identity((), (Square(I(1), (), t**2 - 1),
                                                                EqualityMultiple(t**4 - a, I(-1)))))
# x, y >= 0 and x^3 >= y^3 => x >= y: the root order gives it as an assumption.
ORDER_GOAL = make_problem([Relation(x, ">=", 0), Relation(y, ">=", 0), Relation(x**3, ">=", y**3)],
                          Relation(x, ">=", y))
ORDER_OK = RootOrder(x, y, 3, Identity((), (Square(I(1), (x - y,), I(1)),)))

# log(a + 1) > 0 for a > 0, exp(a) > 1 for a > 0, exp(x) > 0 always: each becomes a variable t with that range.
LOG_GOAL = make_problem([Relation(a, ">", 0)], Relation(sympy.log(a + 1) ** 2 + 1, ">=", 2 * sympy.log(a + 1)))
LOG_OK = Generalize(sympy.log(a + 1), t, Identity((), (Square(I(1), (), t - 1),)))
EXP_GOAL = make_problem([Relation(a, ">", 0)], Relation(sympy.exp(a), ">", 1))
EXP_OK = Generalize(sympy.exp(a), t, Identity((), (Square(I(1), (t - 1,), I(1)),)))

# log a + log b <= 2 log((a + b)/2) is ab <= ((a + b)/2)^2.
LOG_SUM_GOAL = make_problem([Relation(a, ">", 0), Relation(b, ">", 0)],
                            Relation(sympy.log(a) + sympy.log(b), "<=", 2 * sympy.log(a / 2 + b / 2)))
LOG_SUM_OK = Exponentiate(Identity((), (Square(R(1, 4), (), a - b),)))

# x, y > 0 and x + y = 1: first 1 - x > 0 (it is y), then with that assumption clear the denominator.
CUT_GOAL = make_problem([Relation(x, ">", 0), Relation(y, ">", 0), Relation(x + y, "=", 1)],
                        Relation(1 / (1 - x), ">=", 1))
CUT_CLAIM = Relation(1 - x, ">", 0)
CUT_CLAIM_OK = Identity((), (Square(I(1), (y,), I(1)), EqualityMultiple(x + y - 1, I(-1))))
CUT_MAIN_OK = Identity((1 - x,), (Square(I(1), (x,), I(1)),))
CUT_OK = Cut(CUT_CLAIM, CUT_CLAIM_OK, CUT_MAIN_OK)

# a + b = 1/a + 1/b with a, b > 0: cut the polynomial form ab(a + b) = a + b (the equality times ab),
# drop the rational form, and prove the goal from the polynomial one.
RATIONAL_EQUALITY = Relation(a + b, "=", 1 / a + 1 / b)
WEAKEN_GOAL = make_problem([Relation(a, ">", 0), Relation(b, ">", 0), RATIONAL_EQUALITY],
                           Relation(a * b * (a + b), ">=", a + b))
POLYNOMIAL_EQUALITY = Relation(a * b * (a + b) - a - b, "=", 0)
WEAKEN_OK = Cut(POLYNOMIAL_EQUALITY, Identity((), (EqualityMultiple(a + b - 1 / a - 1 / b, a * b),)),
                Weaken(RATIONAL_EQUALITY, Identity((), (EqualityMultiple(a * b * (a + b) - a - b, I(1)),))))

# a > 0: 1/a^2 + 1 >= 2/a becomes x^2 + 1 >= 2x with a = 1/x.
RECIPROCAL_GOAL = make_problem([Relation(a, ">", 0)], Relation(1 / a**2 + 1, ">=", 2 / a))
RECIPROCAL_OK = Reciprocal(a, x, Identity((), (Square(I(1), (), x - 1),)))

ABS_GOAL = make_problem([], Relation(sympy.Abs(x), ">=", x))
ABS_OK = CaseSplit(x, Identity((), ()), Identity((), (Square(I(2), (-x,), I(1)),)))   # x >= x; -x >= x
MAX_GOAL = make_problem([], Relation(sympy.Max(a, b), ">=", (a + b) / 2))
MAX_OK = CaseSplit(a - b, Identity((), (Square(R(1, 2), (a - b,), I(1)),)), Identity((), (Square(R(1, 2), (b - a,), I(1)),)))
# Min(a, b, c) <= (a + b + c)/3: each split drops the argument that loses; two splits resolve it.
MIN3_GOAL = make_problem([], Relation((a + b + c) / 3, ">=", sympy.Min(a, b, c)))
MIN3_OK = CaseSplit(a - b, CaseSplit(b - c, Identity((), (Square(R(1, 3), (a - b,), I(1)), Square(R(2, 3), (b - c,), I(1)))),
                                     Identity((), (Square(R(1, 3), (a - b,), I(1)), Square(R(1, 3), (c - b,), I(1))))),
                    CaseSplit(a - c, Identity((), (Square(R(2, 3), (a - c,), I(1)), Square(R(1, 3), (b - a,), I(1)))),
                              Identity((), (Square(R(1, 3), (b - a,), I(1)), Square(R(1, 3), (c - a,), I(1))))))
STRICT_SPLIT_GOAL = make_problem([Relation(x, ">=", 0)], Relation(x**2, ">=", 0))
# In the strict first case x > 0 is a multiplier: x * x^2 = x^3 (atoms x, x, x).
STRICT_SPLIT_OK = CaseSplit(x, Identity((x,), (Square(I(1), (x, x, x), I(1)),)), Identity((), (Square(I(1), (), x),)),
                            strict=True)

# a, b, c > 0, abc = 1: a = x/y, b = y/z, c = z/x (x = 1, y = 1/a, z = 1/(ab) give them back, the
# last one because abc = 1); then a + 1/a >= 2 reads x/y + y/x >= 2, times xy a square.
RATIO_ASSUMPTIONS = [Relation(a, ">", 0), Relation(b, ">", 0), Relation(c, ">", 0), Relation(a * b * c, "=", 1)]
RATIO_GOAL = make_problem(RATIO_ASSUMPTIONS, Relation(a + 1 / a, ">=", 2))
RATIO_FORWARD = ((a, x / y), (b, y / z), (c, z / x))
RATIO_INVERSE = ((x, I(1)), (y, 1 / a), (z, 1 / (a * b)))
RATIO_INNER = Identity((x * y,), (Square(I(1), (), x - y),))
RATIO_OK = ChangeVariables(RATIO_FORWARD, RATIO_INVERSE, (0, 1, 2, 3), RATIO_INNER)

TRIANGLE = [Relation(b + c, ">=", a), Relation(c + a, ">=", b), Relation(a + b, ">=", c)]
RAVI_GOAL = make_problem(TRIANGLE, Relation(a * b + b * c + c * a, ">=", 0))
RAVI_FORWARD = ((a, y + z), (b, z + x), (c, x + y))
RAVI_INVERSE = ((x, (b + c - a) / 2), (y, (c + a - b) / 2), (z, (a + b - c) / 2))
# (y+z)(z+x) + (z+x)(x+y) + (x+y)(y+z) = x^2 + y^2 + z^2 + 3(xy + yz + zx), with x, y, z >= 0
RAVI_INNER = Identity((), (Square(I(1), (), x), Square(I(1), (), y), Square(I(1), (), z), Square(I(3), (x, y), I(1)),
                           Square(I(3), (y, z), I(1)), Square(I(3), (z, x), I(1))))
RAVI_OK = ChangeVariables(RAVI_FORWARD, RAVI_INVERSE, (0, 1, 2), RAVI_INNER)

STRUCTURAL_VALID = [
    ("change-variables-ravi-nonnegative", RAVI_GOAL, RAVI_OK),
    ("change-variables", RATIO_GOAL, RATIO_OK),
    ("change-variables-nonnegative-with-product", make_problem(
        [Relation(v, ">=", 0) for v in (a, b, c)] + [Relation(a * b * c, "=", 1)], RATIO_GOAL.goal), RATIO_OK),
    ("cut", CUT_GOAL, CUT_OK),
    ("cut-rational-claim-with-positive-denominator", make_problem([Relation(x, ">", 0)], Relation(
        x + 1 / x + 1, ">=", 3)), Cut(Relation(x + 1 / x, ">=", 2), Identity((x,), (Square(I(1), (), x - 1),)),
                                      Identity((), (Square(I(1), (x + 1 / x - 2,), I(1)),)))),
    ("split-resolves-abs", ABS_GOAL, ABS_OK),
    ("split-resolves-max", MAX_GOAL, MAX_OK),
    ("split-resolves-min-of-three", MIN3_GOAL, MIN3_OK),
    ("split-strict-first-case", STRICT_SPLIT_GOAL, STRICT_SPLIT_OK),
    ("reciprocal", RECIPROCAL_GOAL, RECIPROCAL_OK),
    ("cut-then-weaken", WEAKEN_GOAL, WEAKEN_OK),
    ("case-split", SPLIT_GOAL, SPLIT_OK),
    ("symmetry-order", SCHUR_LIKE, SCHUR_OK),
    ("substitute", SUBSTITUTE_GOAL, SUBSTITUTE_OK),
    ("introduce-root", ROOT_GOAL, ROOT_OK),
    ("introduce-root-renames-divisor-powers", ROOT_GOAL, FOURTH_ROOT_OK),
    ("monomial-roots", MONOMIAL_GOAL, MONOMIAL_OK),
    ("generalize-log", LOG_GOAL, LOG_OK),
    ("exponentiate", LOG_SUM_GOAL, LOG_SUM_OK),
    ("generalize-exp-of-a-positive-argument", EXP_GOAL, EXP_OK),
    ("generalize-exp", make_problem([], Relation(sympy.exp(x), ">", 0)),
     Generalize(sympy.exp(x), t, Identity((), (Square(I(1), (t,), I(1)),)))),
    ("root-order", ORDER_GOAL, ORDER_OK),
    ("root-order-strict", make_problem([Relation(x, ">=", 0), Relation(y, ">=", 0), Relation(x**2, ">", y**2)],
                                       Relation(x, ">", y)),
     RootOrder(x, y, 2, Identity((), (Square(I(1), (x - y,), I(1)),)))),
    ("monomial-roots-real-cube-root", REAL_ROOT_GOAL, REAL_ROOT_OK),
    ("cyclic-order", make_problem([Relation(v, ">", 0) for v in (a, b, c)],
                                  Relation(a**2 * b + b**2 * c + c**2 * a, ">", 0)),
     SymmetryOrder("cyclic", (a, b, c), Identity((), (Square(I(1), (a, a, b), I(1)), Square(I(1), (b, b, c), I(1)),
                                                      Square(I(1), (c, c, a), I(1)))))),
]


@pytest.mark.parametrize("name,problem,certificate", STRUCTURAL_VALID, ids=[v[0] for v in STRUCTURAL_VALID])
def test_structural_rules_accept_valid_certificates(name, problem, certificate, tmp_path):
    verdict = check(problem, certificate)
    assert verdict.ok, verdict.reason
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof_document(problem, certificate)))
    loaded_problem, loaded_certificate = load_proof(path)
    assert loaded_certificate == certificate and check(loaded_problem, loaded_certificate).ok


NOT_SYMMETRIC = make_problem([Relation(v, ">=", 0) for v in (a, b, c)],
                             Relation(a * (a - b) * (a - c) + b * (b - a) * (b - c) + 2 * c * (c - a) * (c - b), ">=", 0))
STRUCTURAL_CORRUPTED = [
    ("split-one-case-wrong", SPLIT_GOAL, CaseSplit(a, SPLIT_OK.nonnegative_case, Identity((), (
        Square(I(1), (), a**2 - R(1, 2)),))), "second case"),
    ("split-non-polynomial", SPLIT_GOAL, CaseSplit(1 / (a - 1), SPLIT_OK.nonnegative_case, SPLIT_OK.nonpositive_case),
     "not a polynomial"),
    ("split-foreign-variable", SPLIT_GOAL, CaseSplit(b, SPLIT_OK.nonnegative_case, SPLIT_OK.nonpositive_case),
     "not a polynomial in the problem"),
    ("split-case-uses-missing-assumption", make_problem([], Relation(a**3, ">=", 0)), CaseSplit(
        a, Identity((), (Square(I(1), (a,), a),)), Identity((), (Square(I(1), (a,), a),))), "second case"),
    ("split-coefficient-off", SPLIT_GOAL, CaseSplit(a, SPLIT_OK.nonnegative_case, Identity((), (
        Square(I(1), (), a**2 - R(1, 2)), Square(R(3, 4) + TINY, (), I(1))))), "does not hold"),
    ("symmetry-not-invariant", NOT_SYMMETRIC, SCHUR_OK, "not invariant"),
    ("symmetry-cyclic-not-invariant", make_problem([], Relation(a**2 * b + b**2 * c, ">=", 0)),
     SymmetryOrder("cyclic", (a, b, c), SCHUR_OK.certificate), "not invariant"),
    ("symmetry-unknown-kind", SCHUR_LIKE, SymmetryOrder("dihedral", (a, b, c), SCHUR_OK.certificate), "unknown"),
    ("symmetry-foreign-variable", SCHUR_LIKE, SymmetryOrder("symmetric", (a, x), SCHUR_OK.certificate),
     "problem variables"),
    ("symmetry-dropped-assumption", make_problem([Relation(a, ">=", 0), Relation(b, ">=", 0)], SCHUR_LIKE.goal),
     SCHUR_OK, "not invariant"),
    ("substitute-not-an-assumption", SUBSTITUTE_GOAL, Substitute(y, 2 - x, SUBSTITUTE_OK.certificate),
     "not an equality assumption"),
    ("substitute-self-reference", SUBSTITUTE_GOAL, Substitute(y, 1 - x + y - y**2 + y**2, SUBSTITUTE_OK.certificate),
     "only the other variables"),
    ("substitute-foreign-variable", SUBSTITUTE_GOAL, Substitute(z, 1 - x, SUBSTITUTE_OK.certificate),
     "not a variable"),
    ("substitute-wrong-certificate", SUBSTITUTE_GOAL, Substitute(y, 1 - x, Identity((), (
        Square(I(1), (), x - R(1, 3)),))), "does not hold"),
    ("substitute-inequality-assumption", make_problem([Relation(x + y, ">=", 1)], SUBSTITUTE_GOAL.goal),
     SUBSTITUTE_OK, "not an equality assumption"),
    ("cut-claim-may-be-undefined", CUT_GOAL, Cut(Relation(1 / (1 - x), ">", 0), CUT_CLAIM_OK, CUT_MAIN_OK),
     "may be undefined on the domain"),
    ("cut-claim-not-rational", CUT_GOAL, Cut(Relation(sympy.sqrt(x), ">=", 0), CUT_CLAIM_OK, CUT_MAIN_OK),
     "not a rational function"),
    ("cut-claim-foreign-variable", CUT_GOAL, Cut(Relation(z, ">", 0), CUT_CLAIM_OK, CUT_MAIN_OK),
     "not a rational function in the problem"),
    ("cut-claim-unproved", CUT_GOAL, Cut(CUT_CLAIM, Identity((), (Square(I(1), (y,), I(1)),)), CUT_MAIN_OK),
     "cut claim"),
    ("cut-claim-stronger-than-proved", CUT_GOAL, Cut(Relation(1 - x, ">", R(1, 2)), CUT_CLAIM_OK, CUT_MAIN_OK),
     "cut claim"),
    ("cut-claim-assumes-itself", CUT_GOAL, Cut(CUT_CLAIM, Identity((), (Square(I(1), (1 - x,), I(1)),)), CUT_MAIN_OK),
     "cut claim"),
    ("cut-main-needs-another-claim", CUT_GOAL, Cut(Relation(y, ">", 0), Identity((), (Square(I(1), (y,), I(1)),)),
                                                   CUT_MAIN_OK), "after the cut"),
    ("reciprocal-nonnegative-only", make_problem([Relation(a, ">=", 0)], RECIPROCAL_GOAL.goal), RECIPROCAL_OK,
     "needs the assumption"),
    ("reciprocal-name-clash", make_problem([Relation(a, ">", 0), Relation(x, ">", 0)], RECIPROCAL_GOAL.goal),
     RECIPROCAL_OK, "already a variable"),
    ("reciprocal-foreign-variable", RECIPROCAL_GOAL, Reciprocal(b, x, RECIPROCAL_OK.certificate), "not a variable"),
    ("reciprocal-wrong-certificate", RECIPROCAL_GOAL, Reciprocal(a, x, Identity((), (Square(I(1), (), x - 2),))),
     "does not hold"),
    ("reciprocal-uses-the-old-variable", RECIPROCAL_GOAL, Reciprocal(a, x, Identity((), (Square(I(1), (a,), x - 1),))),
     "after a = 1/x"),
    ("split-abs-wrong-sign", ABS_GOAL, CaseSplit(x, Identity((), ()), Identity((), ())), "second case"),
    ("split-abs-of-another-expression-stays", make_problem([], Relation(sympy.Abs(x + 1), ">=", x + 1)),
     CaseSplit(x, Identity((), ()), Identity((), ())), "does not hold"),
    ("split-min-of-three-wrong-survivor", MIN3_GOAL, CaseSplit(a - b, MIN3_OK.nonpositive_case, MIN3_OK.nonnegative_case),
     "first case"),
    ("split-max-on-another-expression", MAX_GOAL, CaseSplit(a, MAX_OK.nonnegative_case, MAX_OK.nonpositive_case),
     "first case"),
    ("split-strict-needed-for-the-multiplier", STRICT_SPLIT_GOAL,
     CaseSplit(x, STRICT_SPLIT_OK.nonnegative_case, STRICT_SPLIT_OK.nonpositive_case), "needs"),
    ("split-strict-second-case-is-not-strict", make_problem([], Relation(x**2, ">", 0)),
     CaseSplit(x, Identity((x,), (Square(I(1), (x, x, x), I(1)),)), Identity((), (Square(I(1), (), x),)), strict=True),
     "no piece is strictly positive"),
    ("weaken-not-an-assumption", WEAKEN_GOAL, Cut(POLYNOMIAL_EQUALITY, WEAKEN_OK.claim_certificate, Weaken(
        Relation(a + b, "=", 1 / a), WEAKEN_OK.certificate.certificate)), "not an assumption"),
    ("weaken-then-use-the-dropped", WEAKEN_GOAL, Cut(POLYNOMIAL_EQUALITY, WEAKEN_OK.claim_certificate, Weaken(
        RATIONAL_EQUALITY, Identity((), (EqualityMultiple(a + b - 1 / a - 1 / b, a * b),)))), "without"),
    ("weaken-flipped-relation", WEAKEN_GOAL, Weaken(Relation(a + b, ">=", 1 / a + 1 / b), WEAKEN_OK),
     "not an assumption"),
    ("weaken-the-goal-needs-it", make_problem([Relation(a, ">", 0)], Relation(a, ">=", 0)),
     Weaken(Relation(a, ">", 0), Identity((), (Square(I(1), (a,), I(1)),))), "without"),
    ("weaken-twice", make_problem([Relation(a, ">", 0)], Relation(a, ">=", 0)),
     Weaken(Relation(a, ">", 0), Weaken(Relation(a, ">", 0), Identity((), (Square(I(1), (a,), I(1)),)))),
     "not an assumption"),
    ("change-variables-ravi-without-a-side", make_problem(TRIANGLE[1:], RAVI_GOAL.goal),
     ChangeVariables(RAVI_FORWARD, RAVI_INVERSE, (0, 1), RAVI_INNER), "x = -a/2 + b/2 + c/2"),
    # a = b = c = 0 is a degenerate triangle: the new variables are only >= 0, so no piece is strict.
    ("change-variables-ravi-variables-are-not-positive", make_problem(TRIANGLE, Relation(a * b + b * c + c * a, ">", 0)),
     RAVI_OK, "no piece is strictly positive"),
    ("change-variables-wrong-inverse", RATIO_GOAL, ChangeVariables(
        RATIO_FORWARD, ((x, I(1)), (y, 1 / a), (z, 1 / (a * b * c))), (0, 1, 2, 3), RATIO_INNER), "does not give back b"),
    ("change-variables-without-the-product", make_problem(RATIO_ASSUMPTIONS[:3], RATIO_GOAL.goal), ChangeVariables(
        RATIO_FORWARD, RATIO_INVERSE, (0, 1, 2), RATIO_INNER), "does not give back c"),
    ("change-variables-negative-inverse", RATIO_GOAL, ChangeVariables(
        RATIO_FORWARD, ((x, I(1)), (y, -1 / a), (z, -1 / (a * b))), (0, 1, 2, 3), RATIO_INNER), "not positive"),
    ("change-variables-sign-unknown", make_problem([Relation(a * b * c, "=", 1)], RATIO_GOAL.goal),
     ChangeVariables(RATIO_FORWARD, RATIO_INVERSE, (0,), RATIO_INNER), "which no assumption makes nonnegative"),
    ("change-variables-name-clash", RATIO_GOAL, ChangeVariables(
        ((a, b / y), (c, y / a)), ((b, I(1)), (y, 1 / a)), (0,), RATIO_INNER), "not variables of the problem"),
    ("change-variables-foreign-symbol", RATIO_GOAL, ChangeVariables(
        ((a, x / t), (b, y / z), (c, z / x)), RATIO_INVERSE, (0, 1, 2, 3), RATIO_INNER), "unknown symbols"),
    ("change-variables-forward-undefined", RATIO_GOAL, ChangeVariables(
        ((a, x / (y - z)), (b, y / z), (c, z / x)), RATIO_INVERSE, (0, 1, 2, 3), RATIO_INNER), "not positive"),
    ("change-variables-dropped-out-of-range", RATIO_GOAL, ChangeVariables(
        RATIO_FORWARD, RATIO_INVERSE, (0, 4), RATIO_INNER), "dropped index"),
    ("change-variables-wrong-certificate", RATIO_GOAL, ChangeVariables(
        RATIO_FORWARD, RATIO_INVERSE, (0, 1, 2, 3), Identity((x * y,), (Square(I(1), (), x - 2 * y),))),
     "does not hold"),
    ("change-variables-uses-a-dropped-assumption", make_problem(
        RATIO_ASSUMPTIONS + [Relation(a, ">=", 1)], Relation(a, ">=", 1)), ChangeVariables(
        RATIO_FORWARD, RATIO_INVERSE, (0, 1, 2, 3, 4), Identity((y,), (Square(I(1), (x - y,), I(1)),))),
     "after the change of variables"),
    ("root-name-clash", ROOT_GOAL, IntroduceRoot(sympy.sqrt(a), a, ROOT_OK.certificate), "already a variable"),
    ("root-not-a-radical", ROOT_GOAL, IntroduceRoot(a**2, t, ROOT_OK.certificate), "not a radical"),
    ("root-dropped-sign", ROOT_GOAL, IntroduceRoot(sympy.sqrt(a), t, Identity((), (
        Square(I(1), (t,), t - 1), EqualityMultiple(t**2 - a, I(-1))))), "does not hold"),
    ("root-wrong-equation", ROOT_GOAL, IntroduceRoot(sympy.sqrt(a), t, Identity((), (
        Square(I(1), (), t - 1), EqualityMultiple(t**2 - 2 * a, I(-1))))), "not an equality assumption"),
    ("root-wrong-index", ROOT_GOAL, IntroduceRoot(a ** R(1, 3), t, ROOT_OK.certificate), "not an equality assumption"),
    ("monomial-roots-nothing-to-split", ROOT_GOAL, MonomialRoots(ROOT_OK), "no root of a monomial"),
    ("exponentiate-not-only-logs", LOG_SUM_GOAL.with_goal(Relation(sympy.log(a) + a, ">=", sympy.log(b))),
     LOG_SUM_OK, "not a rational combination of logs"),
    ("exponentiate-argument-sign-unknown", LOG_SUM_GOAL.with_goal(Relation(sympy.log(a - b), "<=", sympy.log(a))),
     LOG_SUM_OK, "not a rational combination of logs"),
    ("exponentiate-irrational-weight", LOG_SUM_GOAL.with_goal(Relation(
        sympy.sqrt(2) * sympy.log(a), "<=", sympy.sqrt(2) * sympy.log(a + b))), LOG_SUM_OK,
     "not a rational combination of logs"),
    ("exponentiate-equality-goal", LOG_SUM_GOAL.with_goal(Relation(sympy.log(a), "=", sympy.log(a))), LOG_SUM_OK,
     "not a rational combination of logs"),
    ("exponentiate-wrong-certificate", LOG_SUM_GOAL, Exponentiate(Identity((), (Square(R(1, 2), (), a - b),))),
     "does not hold"),
    ("exponentiate-certificate-for-the-reversed-goal", LOG_SUM_GOAL.with_goal(Relation(
        sympy.log(a) + sympy.log(b), ">=", 2 * sympy.log(a / 2 + b / 2))), LOG_SUM_OK, "does not hold"),
    ("generalize-name-clash", LOG_GOAL, Generalize(sympy.log(a + 1), a, LOG_OK.certificate), "already a variable"),
    ("generalize-not-exp-or-log", LOG_GOAL, Generalize(sympy.sqrt(a), t, LOG_OK.certificate), "not exp(E) or log(E)"),
    ("generalize-foreign-symbol", LOG_GOAL, Generalize(sympy.log(z + 1), t, LOG_OK.certificate), "uses symbols"),
    ("generalize-exp-range-unknown", make_problem([], Relation(sympy.exp(x), ">", 1)),
     Generalize(sympy.exp(x), t, EXP_OK.certificate), "is not an assumption"),
    ("generalize-log-range-unknown", make_problem([Relation(a, ">", 0)], Relation(sympy.log(a), ">", 0)),
     Generalize(sympy.log(a), t, Identity((), (Square(I(1), (t,), I(1)),))), "is not an assumption"),
    ("generalize-other-term", LOG_GOAL, Generalize(sympy.log(a + 2), t, LOG_OK.certificate), "does not hold"),
    ("generalize-wrong-certificate", LOG_GOAL, Generalize(sympy.log(a + 1), t, Identity((), (
        Square(I(1), (), t - 2),))), "does not hold"),
    ("root-order-unsigned-variable", make_problem([Relation(x, ">=", 0), Relation(x**2, ">=", y**2)],
                                                  ORDER_GOAL.goal),
     RootOrder(x, y, 2, ORDER_OK.certificate), "not a variable assumed >= 0"),
    ("root-order-wrong-degree", ORDER_GOAL, RootOrder(x, y, 2, ORDER_OK.certificate), "is not an assumption"),
    ("root-order-reversed", ORDER_GOAL, RootOrder(y, x, 3, Identity((), (Square(I(1), (y - x,), I(1)),))),
     "is not an assumption"),
    ("root-order-zero-degree", ORDER_GOAL, RootOrder(x, y, 0, ORDER_OK.certificate), "not a positive integer"),
    ("root-order-strict-not-given", make_problem(ORDER_GOAL.assumptions, Relation(x, ">", y)), ORDER_OK,
     "strictly positive"),
    ("root-order-wrong-certificate", ORDER_GOAL, RootOrder(x, y, 3, Identity((), (Square(I(2), (x - y,), I(1)),))),
     "does not hold"),
    ("monomial-roots-sign-unknown", make_problem([Relation(a, ">=", 0)], MONOMIAL_GOAL.goal),
     MONOMIAL_OK, "no root of a monomial"),
    ("monomial-roots-negative-coefficient", make_problem(MONOMIAL_GOAL.assumptions, Relation(
        a + b, ">=", 2 * sympy.sqrt(-a * b))), MONOMIAL_OK, "no root of a monomial"),
    ("monomial-roots-real-root-sign-unknown", make_problem([], REAL_ROOT_GOAL.goal), REAL_ROOT_OK,
     "no root of a monomial"),
    ("monomial-roots-certificate-for-the-unsplit-goal", MONOMIAL_GOAL, MonomialRoots(IntroduceRoot(
        sympy.sqrt(a * b), t, Identity((), (Square(I(1), (), t - a), EqualityMultiple(t**2 - a * b, I(-1)))))),
     "does not hold"),
    ("monomial-roots-wrong-certificate", MONOMIAL_GOAL, MonomialRoots(IntroduceRoot(sympy.sqrt(a), x, IntroduceRoot(
        sympy.sqrt(b), y, Identity((), (Square(I(1), (), x - y), EqualityMultiple(x**2 - a, I(-1))))))),
     "does not hold"),
]


@pytest.mark.parametrize("name,problem,certificate,reason", STRUCTURAL_CORRUPTED,
                         ids=[c[0] for c in STRUCTURAL_CORRUPTED])
def test_structural_rules_reject_corruptions(name, problem, certificate, reason):
    verdict = check(problem, certificate)
    assert not verdict.ok
    assert reason in verdict.reason, verdict.reason


def test_weakening_drops_a_variable_that_then_occurs_nowhere():
    from ineq.kernel import weakened_problem

    problem = make_problem([Relation(a, ">", 0), Relation(b, ">", 0)], Relation(b**2, ">=", 0))
    weakened = weakened_problem(problem, Relation(a, ">", 0))
    assert weakened.variables == (b,) and weakened.assumptions == (Relation(b, ">", 0),)
    assert weakened_problem(problem, Relation(b, ">", 0)).variables == (a, b)  # b is still in the goal


def test_naming_a_root_renames_its_fractional_powers_only():
    # t = a^(1/4): sqrt(a) = t^2 and a^(3/4) = t^3, while a^2 (an integer power) stays as it is.
    from ineq.kernel import root_extended_problem

    problem = make_problem([Relation(a, ">=", 0)], Relation(a**2 + sympy.sqrt(a) + a ** R(3, 4), ">=", 0))
    extended = root_extended_problem(problem, a ** R(1, 4), t)
    assert sympy.expand(extended.goal.lhs - (a**2 + t**2 + t**3)) == 0
