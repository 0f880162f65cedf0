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
    pin: "Pin | None" = None

    def to_json(self) -> dict:
        data = {"kind": "amgm", "coeff": _show(self.coeff), "weights": [_show(w) for w in self.weights],
                "terms": [_show(t) for t in self.terms]}
        if self.pin is not None:
            data["pin"] = {"constraint": _show(self.pin.constraint), "power": _show(self.pin.power)}
        return data


@dataclass(frozen=True)
class Pin:
    """Evaluate an AM-GM geometric mean with fractional exponents through an equality assumption
    `constraint = 0` that reads `x^f = K` (K > 0, every variable of x^f nonnegative): the kernel
    writes the mean `c * x^G` as `c * x^(G - power * f) * K^power`, which must be a rational times a
    monomial with integer exponents (abc = 1 turns (abc)^(1/3) into 1)."""

    constraint: sympy.Expr
    power: sympy.Rational


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


@dataclass(frozen=True)
class CaseSplit:
    """Prove the goal twice: once assuming `expr >= 0` (`expr > 0` when `strict`), once assuming
    `expr <= 0`; together they cover every point. In each case, `Abs(expr)` (or `Abs(-expr)`) is
    rewritten to `expr` or `-expr`, and `Max(A, B)` / `Min(A, B)` with `A - B = +-expr` to the
    argument the case selects (in a Max/Min of more arguments, the argument that loses against
    another by +-expr is dropped), in the goal and the assumptions. Nested splits give ordering cases
    and sign cases for abs/min/max; a strict first case makes `expr` a positive multiplier there."""

    expr: sympy.Expr
    nonnegative_case: "Certificate"
    nonpositive_case: "Certificate"
    strict: bool = False

    def to_json(self) -> dict:
        data = {"rule": "case_split", "expr": _show(self.expr),
                "cases": [self.nonnegative_case.to_json(), self.nonpositive_case.to_json()]}
        if self.strict:
            data["strict"] = True
        return data


@dataclass(frozen=True)
class SymmetryOrder:
    """Without loss of generality, order variables the problem is invariant under.

    kind "symmetric": the problem is unchanged by every permutation of `variables`; add
    v1 >= v2 >= ... >= vk. kind "cyclic": unchanged by the cyclic shift v1 -> v2 -> ... -> vk -> v1;
    add v1 >= vi for every i (the largest can be rotated to the front).
    """

    kind: str
    variables: tuple[sympy.Symbol, ...]
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "symmetry_order", "kind": self.kind, "variables": [v.name for v in self.variables],
                "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class Substitute:
    """Eliminate `variable` with an equality assumption `variable = expression`: prove the goal with
    `expression` in place of `variable` everywhere (the used equality is dropped)."""

    variable: sympy.Symbol
    expression: sympy.Expr
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "substitute", "variable": self.variable.name, "expression": _show(self.expression),
                "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class IntroduceRoot:
    """Name a radical `E**(1/n)` by a new variable `name`: every `E**(k/n)` becomes `name**k`, and
    the assumptions `name >= 0` (`name > 0` when E > 0 by the multiplier positivity rule) and
    `name**n = E` are added."""

    radical: sympy.Expr
    name: sympy.Symbol
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "introduce_root", "radical": _show(self.radical), "name": self.name.name,
                "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class MonomialRoots:
    """Split roots of monomials in nonnegative variables: every power `(k * x1^e1 * ... * xm^em)^r`
    (k > 0 and r non-integer rationals, each xi a variable the assumptions make >= 0, ei rational)
    becomes `k^r * x1^(e1 r) * ... * xm^(em r)`, and `Abs(m)` of such a monomial m becomes m. In a
    product, `sign(m)` becomes 1 when another factor is a positive power of such a monomial (or of
    its absolute value) that vanishes wherever m does: the real root `cbrt(m)` is written
    `|m|^(1/3) sign(m)`. The rewritten problem is proved by `certificate`."""

    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "monomial_roots", "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class RootOrder:
    """From an assumption `larger**degree >= smaller**degree` (or `>`) between two variables assumed
    >= 0, add the assumption `larger >= smaller` (or `>`): t -> t^n is increasing on t >= 0. The
    extended problem is proved by `certificate`."""

    larger: sympy.Symbol
    smaller: sympy.Symbol
    degree: int
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "root_order", "larger": self.larger.name, "smaller": self.smaller.name,
                "degree": self.degree, "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class Generalize:
    """Replace every occurrence of `term`, `exp(E)` or `log(E)`, by a new variable `name` that may
    take any value in the term's range, and prove the result for all of them: for `exp(E)` the
    assumption `name > 0` is added (`name > 1` when E > 0 by the multiplier positivity rule); for
    `log(E)`, `name > 0` when E - 1 > 0 by that rule, otherwise nothing. Instantiating `name` at the
    term's value gives back the original problem."""

    term: sympy.Expr
    name: sympy.Symbol
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "generalize", "term": _show(self.term), "name": self.name.name,
                "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class Exponentiate:
    """A goal `sum_k c_k log(P_k) >= 0` (or `> 0`; rational c_k, each P_k > 0 by the multiplier
    positivity rule) becomes `prod_{c_k > 0} P_k^c_k >= prod_{c_k < 0} P_k^(-c_k)` (or `>`): log is
    increasing, and the sum is the log of the quotient of the products. The new goal is proved by
    `certificate`."""

    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "exponentiate", "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class Cut:
    """Prove the polynomial `claim` under the problem's assumptions (by `claim_certificate`), then the
    goal with `claim` added as an assumption (by `certificate`). A proved polynomial claim holds at
    every point of the domain, so adding it does not shrink the domain."""

    claim: Relation
    claim_certificate: "Certificate"
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "cut", "claim": self.claim.to_json(), "claim_certificate": self.claim_certificate.to_json(),
                "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class Weaken:
    """Prove the goal without the assumption `dropped` (one of the problem's assumptions): fewer
    assumptions mean a larger domain, so the goal then holds on the original one too."""

    dropped: Relation
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "weaken", "dropped": self.dropped.to_json(), "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class Reciprocal:
    """Change a positive variable to the reciprocal of a new one: `variable = 1/name`, with
    `name > 0` added. v -> 1/v is a bijection of the positive reals, so the goal holds for every
    positive `variable` iff it holds for every positive `name`."""

    variable: sympy.Symbol
    name: sympy.Symbol
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "reciprocal", "variable": self.variable.name, "name": self.name.name,
                "certificate": self.certificate.to_json()}


@dataclass(frozen=True)
class ChangeVariables:
    """Replace old variables by rational functions of new ones (abc = 1 by a = x/y, b = y/z, c = z/x;
    triangle sides by Ravi's a = y + z, b = z + x, c = x + y). `forward` gives each replaced old
    variable in terms of the new variables (and the old ones kept); `inverse` gives each new variable
    in terms of the old ones: it must be positive on the domain (then the new variable is assumed
    > 0) or a positive multiple of a nonstrict assumption's side (then >= 0), and map back,
    forward(inverse(v)) = v there. The new problem assumes those signs and the old assumptions
    rewritten by `forward`, except those whose indices are in `dropped` (fewer assumptions only make
    it harder)."""

    forward: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    inverse: tuple[tuple[sympy.Symbol, sympy.Expr], ...]
    dropped: tuple[int, ...]
    certificate: "Certificate"

    def to_json(self) -> dict:
        return {"rule": "change_variables", "forward": [[v.name, _show(e)] for v, e in self.forward],
                "inverse": [[v.name, _show(e)] for v, e in self.inverse], "dropped": list(self.dropped),
                "certificate": self.certificate.to_json()}


Certificate = Union[Identity, CaseSplit, SymmetryOrder, Substitute, IntroduceRoot, MonomialRoots, RootOrder,
                    Generalize, Exponentiate, Cut, Weaken, Reciprocal, ChangeVariables]


class CertificateFormatError(ValueError):
    """A certificate's JSON is malformed (missing field, wrong type, unreadable expression)."""


def certificate_from_json(data: dict) -> Certificate:
    """Rebuild a certificate from `to_json` output; raise CertificateFormatError on malformed data."""
    try:
        rule = data.get("rule")
        if rule == "identity":
            return Identity(tuple(read_expression(m) for m in data["multiplier"]),
                            tuple(_piece_from_json(p) for p in data["pieces"]))
        if rule == "case_split":
            nonnegative, nonpositive = data["cases"]
            strict = data.get("strict", False)
            if not isinstance(strict, bool):
                raise CertificateFormatError(f"case_split strict must be true or false, got {strict!r}")
            return CaseSplit(read_expression(data["expr"]), certificate_from_json(nonnegative),
                             certificate_from_json(nonpositive), strict)
        if rule == "symmetry_order":
            return SymmetryOrder(str(data["kind"]), tuple(_read_variable(v) for v in data["variables"]),
                                 certificate_from_json(data["certificate"]))
        if rule == "substitute":
            return Substitute(_read_variable(data["variable"]), read_expression(data["expression"]),
                              certificate_from_json(data["certificate"]))
        if rule == "introduce_root":
            return IntroduceRoot(read_expression(data["radical"]), _read_variable(data["name"]),
                                 certificate_from_json(data["certificate"]))
        if rule == "monomial_roots":
            return MonomialRoots(certificate_from_json(data["certificate"]))
        if rule == "root_order":
            degree = data["degree"]
            if not isinstance(degree, int) or isinstance(degree, bool):
                raise CertificateFormatError(f"root_order degree must be an integer, got {degree!r}")
            return RootOrder(_read_variable(data["larger"]), _read_variable(data["smaller"]), degree,
                             certificate_from_json(data["certificate"]))
        if rule == "generalize":
            return Generalize(read_expression(data["term"]), _read_variable(data["name"]),
                              certificate_from_json(data["certificate"]))
        if rule == "exponentiate":
            return Exponentiate(certificate_from_json(data["certificate"]))
        if rule == "cut":
            return Cut(relation_from_json(data["claim"]), certificate_from_json(data["claim_certificate"]),
                       certificate_from_json(data["certificate"]))
        if rule == "reciprocal":
            return Reciprocal(_read_variable(data["variable"]), _read_variable(data["name"]),
                              certificate_from_json(data["certificate"]))
        if rule == "change_variables":
            dropped = data["dropped"]
            if not isinstance(dropped, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                                        for i in dropped):
                raise CertificateFormatError(f"change_variables dropped must be a list of integers, got {dropped!r}")
            return ChangeVariables(tuple((_read_variable(v), read_expression(e)) for v, e in data["forward"]),
                                   tuple((_read_variable(v), read_expression(e)) for v, e in data["inverse"]),
                                   tuple(dropped), certificate_from_json(data["certificate"]))
        if rule == "weaken":
            return Weaken(relation_from_json(data["dropped"]), certificate_from_json(data["certificate"]))
        raise CertificateFormatError(f"unknown certificate rule {rule!r}")
    except CertificateFormatError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise CertificateFormatError(f"malformed certificate: {type(error).__name__}: {error}") from None


def _read_variable(text: str) -> sympy.Symbol:
    symbol = read_expression(text)
    if not isinstance(symbol, sympy.Symbol):
        raise CertificateFormatError(f"expected a variable name, got {text!r}")
    return symbol


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
        pin = data.get("pin")
        return AMGM(read_rational(data["coeff"]), tuple(map(read_rational, data["weights"])),
                    tuple(map(read_expression, data["terms"])),
                    None if pin is None else Pin(read_expression(pin["constraint"]), read_rational(pin["power"])))
    if kind == "equality":
        return EqualityMultiple(read_expression(data["constraint"]), read_expression(data["multiplier"]))
    if kind == "lemma":
        return Lemma(read_rational(data["coeff"]), relation_from_json(data["claim"]),
                     certificate_from_json(data["certificate"]))
    raise CertificateFormatError(f"unknown piece kind {kind!r}")
