"""Certificate data: what a tactic hands the kernel, and what a proof file stores.

One rule covers the polynomial-style proofs: an `Identity` certificate claims

    multiplier_1 * ... * multiplier_k * (goal_lhs - goal_rhs)  ==  piece_1 + ... + piece_n

as rational functions, where every multiplier is strictly positive on the domain and every piece is
nonnegative on it (each piece kind says why). The issue's certificate forms are piece kinds of this
one rule, which keeps the kernel small:

- Positivstellensatz: `Square` (c * atoms * s^2), `Gram` (atoms * z^T Q z with Q PSD) and
  `EqualityMultiple` (q * h for an equality assumption h = 0);
- weighted AM-GM: `AMGM` (c * (sum w_i t_i - prod t_i^w_i) on nonnegative monomial terms t_i);
- sum of proved inequalities: `Lemma` (c * (lhs - rhs) of a claim with its own certificate).

"Atoms" are the nonnegative expressions the assumptions give (`g` for an assumption `g >= 0` or
`g > 0`, after moving everything to one side). Every field holds exact sympy numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import sympy

from ineq.kernel.reader import read_expression, read_rational
from ineq.problem import Relation


def _show(expr) -> str:
    return sympy.sstr(expr)


@dataclass(frozen=True)
class Square:
    """`coeff * prod(atoms) * poly**2` with `coeff >= 0` and `poly` a polynomial."""

    coeff: sympy.Rational
    atoms: tuple[sympy.Expr, ...]
    poly: sympy.Expr

    def to_json(self) -> dict:
        return {"kind": "square", "coeff": _show(self.coeff), "atoms": [_show(a) for a in self.atoms],
                "poly": _show(self.poly)}


@dataclass(frozen=True)
class Gram:
    """`prod(atoms) * z^T Q z` with `z = basis` (polynomials) and `Q = matrix` rational, symmetric, PSD."""

    atoms: tuple[sympy.Expr, ...]
    basis: tuple[sympy.Expr, ...]
    matrix: tuple[tuple[sympy.Rational, ...], ...]

    def to_json(self) -> dict:
        return {"kind": "gram", "atoms": [_show(a) for a in self.atoms], "basis": [_show(b) for b in self.basis],
                "matrix": [[_show(x) for x in row] for row in self.matrix]}


@dataclass(frozen=True)
class AMGM:
    """`coeff * (sum_i weights_i * terms_i - prod_i terms_i ** weights_i)`: weighted AM-GM.

    `terms` are monomials `k * x1^e1 * ... ` with rational `k > 0` and integer exponents; weights are
    nonnegative and sum to 1; the geometric mean must come out as a rational times a monomial with
    integer exponents.
    """

    coeff: sympy.Rational
    weights: tuple[sympy.Rational, ...]
    terms: tuple[sympy.Expr, ...]

    def to_json(self) -> dict:
        return {"kind": "amgm", "coeff": _show(self.coeff), "weights": [_show(w) for w in self.weights],
                "terms": [_show(t) for t in self.terms]}


@dataclass(frozen=True)
class EqualityMultiple:
    """`multiplier * constraint` where `constraint = 0` is an equality assumption and `multiplier` is a polynomial."""

    constraint: sympy.Expr
    multiplier: sympy.Expr

    def to_json(self) -> dict:
        return {"kind": "equality", "constraint": _show(self.constraint), "multiplier": _show(self.multiplier)}


@dataclass(frozen=True)
class Lemma:
    """`coeff * (g)` for a claim `g >= 0` (or `> 0`) proved, under the same assumptions, by `certificate`."""

    coeff: sympy.Rational
    claim: Relation
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"kind": "lemma", "coeff": _show(self.coeff), "claim": self.claim.to_json(),
                "certificate": self.certificate.to_json()}


Piece = Union[Square, Gram, AMGM, EqualityMultiple, Lemma]


@dataclass(frozen=True)
class Identity:
    """`prod(multiplier) * (goal_lhs - goal_rhs) == sum(pieces)` (for `<=` goals: `rhs - lhs`).

    Each multiplier factor must be strictly positive on the domain by the kernel's positivity rule
    (nonnegative coefficients over positive variables, or a strict assumption).
    """

    multiplier: tuple[sympy.Expr, ...]
    pieces: tuple[Piece, ...]

    def to_json(self) -> dict:
        return {"rule": "identity", "multiplier": [_show(m) for m in self.multiplier],
                "pieces": [p.to_json() for p in self.pieces]}


Certificate = Identity


class CertificateFormatError(ValueError):
    """A certificate's JSON is malformed (missing field, wrong type, unreadable expression)."""


def certificate_from_json(data: dict) -> Certificate:
    """Rebuild a certificate from `to_json` output; raise CertificateFormatError on malformed data."""
    try:
        if data.get("rule") != "identity":
            raise CertificateFormatError(f"unknown certificate rule {data.get('rule')!r}")
        return Identity(tuple(read_expression(m) for m in data["multiplier"]),
                        tuple(_piece_from_json(p) for p in data["pieces"]))
    except CertificateFormatError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise CertificateFormatError(f"malformed certificate: {type(error).__name__}: {error}") from None


def relation_from_json(data: dict) -> Relation:
    return Relation(read_expression(data["lhs"]), data["op"], read_expression(data["rhs"]))


def _piece_from_json(data: dict) -> Piece:
    kind = data["kind"]
    if kind == "square":
        return Square(read_rational(data["coeff"]), tuple(map(read_expression, data["atoms"])),
                      read_expression(data["poly"]))
    if kind == "gram":
        return Gram(tuple(map(read_expression, data["atoms"])), tuple(map(read_expression, data["basis"])),
                    tuple(tuple(map(read_rational, row)) for row in data["matrix"]))
    if kind == "amgm":
        return AMGM(read_rational(data["coeff"]), tuple(map(read_rational, data["weights"])),
                    tuple(map(read_expression, data["terms"])))
    if kind == "equality":
        return EqualityMultiple(read_expression(data["constraint"]), read_expression(data["multiplier"]))
    if kind == "lemma":
        return Lemma(read_rational(data["coeff"]), relation_from_json(data["claim"]),
                     certificate_from_json(data["certificate"]))
    raise CertificateFormatError(f"unknown piece kind {kind!r}")
