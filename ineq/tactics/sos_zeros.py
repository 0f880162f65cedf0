"""Exact equality cases of a sum-of-squares ansatz, and the Gram bases they force.

Let x0 be a rational point where the ansatz's target vanishes, every equality constraint vanishes and
every block multiplier is >= 0. The identity at x0 reads 0 = sum_S m_S(x0) * z_S(x0)^T Q_S z_S(x0)
with every term >= 0, so Q_S z_S(x0) = 0 whenever m_S(x0) > 0: each such block's basis may be
restricted, exactly and before any numerics, to the combinations that vanish at x0. Numerical facial
reduction finds the same kernels only approximately (an inequality with an equality case gives Gram
matrices with tiny eigenvalues that are hard to tell from zero); doing it exactly up front leaves the
solver a strictly feasible problem whose solution rounds cleanly.

The same holds at a point with coordinates in Q(sqrt(D)), such as (sqrt 2, sqrt 2, 0) for
ab + bc + ca - abc <= 2 under a^2 + b^2 + c^2 + abc = 4 (USAMO 2001/3): a rational Gram basis vanishes
there exactly when it vanishes at the conjugate point, so such a point gives two rational conditions
(its rational and its sqrt(D) parts) and keeps the ansatz rational. A form (homogeneous, no
constraints) has no irrational zeros on rational rays, so for forms the points are searched on lines
e_j + t v and (1, ..., 1) + t v instead: (golden ratio, 1, 0) for a cyclic quartic, and
(1 - 3/sqrt 2, 1, 1 + 3/sqrt 2) for IMO 2006/3 squared.

Nothing here is trusted: a wrong point only makes the ansatz smaller, and the kernel checks the
certificate whatever the basis.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import gcd

import flint
import numpy as np

from ineq.tactics.sos_rounding import PolyDict, is_homogeneous, null_space_of_echelon

Point = tuple[Fraction, ...]

# Direction entries tried: equality cases of olympiad inequalities are mostly a = b = c, a = b with
# c = 0, or a = 2b = 2c; with more variables only 0/1 patterns keep the count small.
_SMALL_ENTRIES = (0, 1, 2)
_LARGE_ENTRIES = (0, 1)
_SMALL_DIMENSION = 4
# Irrational equality cases also include a named root's own coordinate: a = b = c = t/3 with t = sqrt 3.
_QUADRATIC_ENTRIES = (0, 1, 2, 3)
_CENTRED_ENTRIES = (-1, 0, 1)
_SIGNED_ENTRIES = (-3, -2, -1, 0, 1, 2, 3)


def evaluate(poly: PolyDict, point: Point) -> Fraction:
    total = Fraction(0)
    for monomial, coefficient in poly.items():
        term = coefficient
        for value, exponent in zip(point, monomial):
            if exponent:
                term *= value**exponent
        total += term
    return total


def equality_cases(target: PolyDict, constraints: list[PolyDict], nvars: int) -> list[Point]:
    """Rational points t*v (v a small direction, t rational) where `target` and every constraint
    vanish. For a homogeneous target without constraints only the directions themselves are listed
    (the zero set is a cone). The caller still checks the multipliers' signs at each point."""
    points: list[Point] = []
    directions = list(_directions(_SMALL_ENTRIES, nvars))
    if is_homogeneous(target) and not constraints and nvars <= _SMALL_DIMENSION:
        # A cone's directions need one evaluation each, so signed ones are affordable (screened in
        # floating point, all at once): forms in real variables vanish at points like (2, -3, -3, 2)
        # (vasile p12105 after d = -(a+b+c+e)).
        directions += _near_zero_directions(target, [d for d in _directions(_SIGNED_ENTRIES, nvars)
                                                     if min(d) < 0 and next(e for e in d if e) > 0])
    for direction in directions:
        for scale in _scales(target, constraints, direction):
            point = tuple(Fraction(scale) * e for e in direction)
            if evaluate(target, point) == 0 and all(evaluate(c, point) == 0 for c in constraints):
                points.append(point)
    origin = (Fraction(0),) * nvars
    if evaluate(target, origin) == 0 and all(evaluate(c, origin) == 0 for c in constraints):
        points.append(origin)
    return points


def _near_zero_directions(target: PolyDict, directions: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """The directions where the target is zero up to rounding (the caller checks exactly)."""
    if not directions:
        return []
    points = np.array(directions, dtype=float)                                   # (N, n)
    exponents = np.array(list(target), dtype=float)                              # (M, n)
    coefficients = np.array([float(c) for c in target.values()])                 # (M,)
    monomials = np.prod(points[:, None, :] ** exponents[None, :, :], axis=2)     # (N, M)
    values = monomials @ coefficients
    scale = np.abs(monomials) @ np.abs(coefficients) + 1.0
    return [d for d, value, size in zip(directions, values, scale) if abs(value) <= 1e-9 * size]


@dataclass(frozen=True)
class QuadraticPoint:
    """The point `rational + sqrt(radicand) * irrational`, coordinatewise; `radicand` is a positive
    integer that is not a square."""

    radicand: int
    rational: Point
    irrational: Point


QuadraticValue = tuple[Fraction, Fraction]  # (a, b) stands for a + b sqrt(radicand)


def evaluate_quadratic(poly: PolyDict, point: QuadraticPoint) -> QuadraticValue:
    """`poly` at `point`, exactly, as (a, b) with value a + b sqrt(point.radicand)."""
    coordinates = list(zip(point.rational, point.irrational))
    total_a, total_b = Fraction(0), Fraction(0)
    for monomial, coefficient in poly.items():
        term_a, term_b = coefficient, Fraction(0)
        for (u, w), exponent in zip(coordinates, monomial):
            for _ in range(exponent):
                term_a, term_b = term_a * u + term_b * w * point.radicand, term_a * w + term_b * u
        total_a += term_a
        total_b += term_b
    return total_a, total_b


def quadratic_sign(value: QuadraticValue, radicand: int) -> int:
    """The sign (-1, 0, 1) of a + b sqrt(radicand), exactly."""
    a, b = value
    sign_a, sign_b = (a > 0) - (a < 0), (b > 0) - (b < 0)
    if sign_a == sign_b or not sign_b:
        return sign_a or sign_b
    if not sign_a:
        return sign_b
    # Opposite signs: the larger of a^2 and b^2 radicand wins.
    larger = a * a - b * b * radicand
    return sign_a if larger > 0 else (sign_b if larger < 0 else 0)


def quadratic_equality_cases(target: PolyDict, constraints: list[PolyDict], nvars: int) -> list[QuadraticPoint]:
    """Points on small lines where `target` and every constraint vanish, with coordinates in some
    Q(sqrt D): the roots of the quadratic factors of their common factor along the line. The lines
    are rays t*v (v a small direction); for a homogeneous problem, whose zero set is a cone with no
    irrational points on rational rays, they are e_j + t*v with v_j = 0 and (1, ..., 1) + t*v with v
    of mixed signs instead (the zero (golden ratio, 1, 0) of a cyclic quartic lies on e_b + t*e_a)."""
    homogeneous = is_homogeneous(target) and all(is_homogeneous(c) for c in constraints)
    points: list[QuadraticPoint] = []
    for base, direction in _lines(nvars, homogeneous):
        common = None
        for poly in (target, *constraints):
            along = _along_line(poly, base, direction)
            if not along.is_zero():
                common = along if common is None else common.gcd(along)
        if common is None or common.degree() < 2:
            continue
        for factor, _ in common.factor()[1]:
            if factor.degree() != 2:
                continue
            c0, c1, c2 = (Fraction(int(factor[k].p), int(factor[k].q)) for k in range(3))
            discriminant = c1 * c1 - 4 * c2 * c0
            if discriminant <= 0:
                continue  # complex roots (a rational double root would not be an irreducible factor)
            # sqrt(p/q) = sqrt(p q) / q; p q is not a square, or the factor would split over Q.
            radicand = discriminant.numerator * discriminant.denominator
            for sign in (1, -1):
                centre = -c1 / (2 * c2)
                spread = Fraction(sign, 2 * discriminant.denominator) / c2
                points.append(QuadraticPoint(radicand, tuple(b + centre * e for b, e in zip(base, direction)),
                                             tuple(spread * e for e in direction)))
    return points


def _lines(nvars: int, homogeneous: bool):
    """(base, direction) pairs of the lines base + t*direction searched for irrational zeros."""
    if not homogeneous:
        for direction in _directions(_QUADRATIC_ENTRIES, nvars):
            yield (0,) * nvars, direction
        return
    for j in range(nvars):
        base = tuple(int(i == j) for i in range(nvars))
        for direction in _directions(_QUADRATIC_ENTRIES, nvars):
            if direction[j] == 0:
                yield base, direction
    if nvars <= _SMALL_DIMENSION:
        # Zeros spread around a = b = c, such as (1 - 3/sqrt 2, 1, 1 + 3/sqrt 2) for IMO 2006/3.
        for direction in _directions(_CENTRED_ENTRIES, nvars):
            if direction[0] >= 0 and min(direction) < 0:
                yield (1,) * nvars, direction


def _along_line(poly: PolyDict, base: tuple[int, ...], direction: tuple[int, ...]) -> flint.fmpq_poly:
    """The univariate polynomial t -> poly(base + t * direction)."""
    coordinates = [flint.fmpq_poly([b, e]) for b, e in zip(base, direction)]
    total = flint.fmpq_poly([])
    for monomial, coefficient in poly.items():
        term = flint.fmpq_poly([flint.fmpq(coefficient.numerator, coefficient.denominator)])
        for coordinate, exponent in zip(coordinates, monomial):
            if exponent:
                term *= coordinate**exponent
        total += term
    return total


def _directions(small_entries: tuple[int, ...], nvars: int):
    """Nonzero primitive integer directions with entries from `small_entries` (only 0/1 above
    _SMALL_DIMENSION variables, to keep the count small)."""
    entries = small_entries if nvars <= _SMALL_DIMENSION else _LARGE_ENTRIES
    for direction in itertools.product(entries, repeat=nvars):
        if any(direction) and _common_factor(direction) == 1:
            yield direction


def _common_factor(direction: tuple[int, ...]) -> int:
    factor = 0
    for value in direction:
        factor = gcd(factor, value)
    return factor


def _scales(target: PolyDict, constraints: list[PolyDict], direction: tuple[int, ...]) -> list[Fraction]:
    """Nonzero rational t that are roots of target(t * direction) (of the first constraint that does
    not vanish identically along the direction, when the target does; t = 1 when everything does)."""
    if is_homogeneous(target) and not constraints:
        return [Fraction(1)]
    for poly in (target, *constraints):
        along = _along_line(poly, (0,) * len(direction), direction)
        if not along.is_zero():
            roots = along.roots()
            return [Fraction(int(r.p), int(r.q)) for r, _ in roots if r != 0]
    return [Fraction(1)]


def vanishing_combinations(values: list[list[Fraction]], size: int) -> list[list[Fraction]]:
    """A basis (rational, reduced echelon form) of the vectors w of length `size` with
    sum_i w_i * row_i = 0 for every row of `values` (one row per point: the basis evaluated there)."""
    if not values:
        return [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    matrix = flint.fmpq_mat(len(values), size, [flint.fmpq(v.numerator, v.denominator) for row in values for v in row])
    reduced, rank = matrix.rref()
    rows = [[Fraction(int(reduced[r, c].p), int(reduced[r, c].q)) for c in range(size)] for r in range(rank)]
    pivots = [next(c for c in range(size) if row[c] != 0) for row in rows]
    return null_space_of_echelon(rows, pivots, size)
