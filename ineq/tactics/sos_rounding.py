"""Exact helpers for the sum-of-squares tactic: sparse polynomials over Q, exact projection onto an
affine space, exact LDL^T, and rational bases of numerically found kernels.

Polynomials are dicts `{exponent tuple: Fraction}` over a fixed variable order. Nothing here is
trusted: the tactic hands its result to the kernel, which re-checks everything.
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd, lcm

import flint
import numpy as np
import scipy.linalg

PolyDict = dict[tuple[int, ...], Fraction]

_KERNEL_DENOMINATOR_LIMITS = (12, 100, 1000)
_KERNEL_TOLERANCE = 1e-3


def poly_mul(left: PolyDict, right: PolyDict) -> PolyDict:
    """The product of two sparse polynomials."""
    product: PolyDict = {}
    for exp_l, coeff_l in left.items():
        for exp_r, coeff_r in right.items():
            exponent = tuple(a + b for a, b in zip(exp_l, exp_r))
            value = product.get(exponent, Fraction(0)) + coeff_l * coeff_r
            if value:
                product[exponent] = value
            else:
                product.pop(exponent, None)
    return product


def poly_degree(poly: PolyDict) -> int:
    return max((sum(e) for e in poly), default=0)


def is_homogeneous(poly: PolyDict) -> bool:
    return len({sum(e) for e in poly}) <= 1


class ProjectionError(ArithmeticError):
    """The affine system has no solution (the exact identity cannot hold)."""


class AffineProjector:
    """Orthogonal projection onto `{x : A x = b}` over Q (A given as sparse columns).

    Dependent rows are dropped once (rref of A^T); a row system that is inconsistent raises
    ProjectionError at construction.
    """

    def __init__(self, columns: list[PolyDict], target: PolyDict):
        monomials = sorted(set(target).union(*columns))
        index = {m: i for i, m in enumerate(monomials)}
        rows, cols = len(monomials), len(columns)
        matrix = flint.fmpq_mat(rows, cols)
        for j, column in enumerate(columns):
            for monomial, value in column.items():
                matrix[index[monomial], j] = flint.fmpq(value.numerator, value.denominator)
        rhs = flint.fmpq_mat(rows, 1)
        for monomial, value in target.items():
            rhs[index[monomial], 0] = flint.fmpq(value.numerator, value.denominator)
        independent = _independent_rows(matrix)
        self.matrix = _select_rows(matrix, independent)
        self.rhs = _select_rows(rhs, independent)
        self.transpose = self.matrix.transpose()
        self.gram = self.matrix * self.transpose
        # The dropped rows must hold for every x with the kept rows: check consistency once on a
        # particular solution (the minimum-norm one).
        if independent:
            particular = self.transpose * self.gram.solve(self.rhs)
        else:
            particular = flint.fmpq_mat(cols, 1)
        if matrix * particular != rhs:
            raise ProjectionError("the linear system of the identity is inconsistent")
        # Echelon form for `complete`: the pivot unknowns as functions of the free ones.
        augmented = flint.fmpq_mat(self.matrix.nrows(), cols + 1)
        for r in range(self.matrix.nrows()):
            for c in range(cols):
                augmented[r, c] = self.matrix[r, c]
            augmented[r, cols] = self.rhs[r, 0]
        echelon, rank = augmented.rref()
        self._pivots = [next(c for c in range(cols) if echelon[r, c] != 0) for r in range(rank)]
        self._free = [c for c in range(cols) if c not in set(self._pivots)]
        self._echelon_free = flint.fmpq_mat(rank, len(self._free))
        self._echelon_rhs = flint.fmpq_mat(rank, 1)
        for r in range(rank):
            for k, c in enumerate(self._free):
                self._echelon_free[r, k] = echelon[r, c]
            self._echelon_rhs[r, 0] = echelon[r, cols]

    def complete(self, point: list[Fraction]) -> list[Fraction]:
        """Keep the free unknowns of `point` and solve the equations for the pivot unknowns: a
        cruder correction than `project`, but it keeps the rounded entries (and their small
        denominators) wherever it can."""
        free = flint.fmpq_mat(len(self._free), 1,
                              [flint.fmpq(point[c].numerator, point[c].denominator) for c in self._free])
        pivots = self._echelon_rhs - self._echelon_free * free if self._free else self._echelon_rhs
        result = list(point)
        for r, c in enumerate(self._pivots):
            value = pivots[r, 0]
            result[c] = Fraction(int(value.p), int(value.q))
        return result

    def project(self, point: list[Fraction]) -> list[Fraction]:
        """The exact orthogonal projection of `point` onto the affine space."""
        x = flint.fmpq_mat(len(point), 1, [flint.fmpq(v.numerator, v.denominator) for v in point])
        if self.matrix.nrows() == 0:
            return list(point)
        residual = self.matrix * x - self.rhs
        corrected = x - self.transpose * self.gram.solve(residual)
        return [Fraction(int(v.p), int(v.q)) for v in corrected.entries()]


def _independent_rows(matrix: flint.fmpq_mat) -> list[int]:
    """Indices of a maximal set of linearly independent rows (pivot columns of the rref of A^T)."""
    reduced, rank = matrix.transpose().rref()
    pivots = []
    for r in range(rank):
        for c in range(reduced.ncols()):
            if reduced[r, c] != 0:
                pivots.append(c)
                break
    return pivots


def _select_rows(matrix: flint.fmpq_mat, rows: list[int]) -> flint.fmpq_mat:
    selected = flint.fmpq_mat(len(rows), matrix.ncols())
    for new, old in enumerate(rows):
        for c in range(matrix.ncols()):
            selected[new, c] = matrix[old, c]
    return selected


def ldl(matrix: list[list[Fraction]]) -> tuple[list[list[Fraction]], list[Fraction]] | None:
    """Exact `Q = L D L^T` (L unit lower triangular, D >= 0) or None if Q is not PSD.

    Zero pivots are allowed only with an all-zero remaining column (then that column of L is e_k).
    """
    size = len(matrix)
    a = [row[:] for row in matrix]
    lower = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    diagonal = []
    for k in range(size):
        pivot = a[k][k]
        if pivot < 0:
            return None
        if pivot == 0:
            if any(a[i][k] != 0 for i in range(k + 1, size)):
                return None
            diagonal.append(Fraction(0))
            continue
        diagonal.append(pivot)
        for i in range(k + 1, size):
            lower[i][k] = a[i][k] / pivot
        for i in range(k + 1, size):
            if a[i][k] == 0:
                continue
            factor = lower[i][k]
            for j in range(k + 1, size):
                a[i][j] -= factor * a[k][j]
    return lower, diagonal


def primitive(vector: list[Fraction]) -> tuple[Fraction, list[int]]:
    """`vector = scale * integers` with the integers coprime (scale > 0)."""
    denominator = lcm(*(v.denominator for v in vector)) if vector else 1
    integers = [int(v * denominator) for v in vector]
    common = gcd(*integers) or 1
    return Fraction(common, denominator), [i // common for i in integers]


def rational_kernel_complement(matrix: np.ndarray, threshold: float) -> list[list[Fraction]] | None:
    """Rational vectors spanning the orthogonal complement of the numerical kernel of a PSD matrix.

    The kernel is spanned by eigenvectors with eigenvalue below `threshold`; its basis is put in
    reduced row-echelon form and rounded to small denominators. Returns the complement's basis
    (integer-friendly null space of the rounded echelon form), the full identity when the kernel is
    empty, or None when the kernel has no nearby rational basis.
    """
    size = matrix.shape[0]
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    kernel = vectors[:, values < threshold]
    dimension = kernel.shape[1]
    identity = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    if dimension == 0:
        return identity
    if dimension == size:
        return []
    rows = kernel.T
    _, _, permutation = scipy.linalg.qr(rows, pivoting=True)
    pivots = sorted(permutation[:dimension])
    echelon = np.linalg.solve(rows[:, pivots], rows)
    # Eigenvectors of a nearly singular IPM solution are accurate to ~1e-4 only, so accept a loose
    # fit, preferring small denominators; a wrong guess only makes the later exact rounding fail.
    for limit in _KERNEL_DENOMINATOR_LIMITS:
        rounded = [[Fraction(float(v)).limit_denominator(limit) for v in row] for row in echelon]
        error = max(abs(float(r) - v) for row_r, row_v in zip(rounded, echelon) for r, v in zip(row_r, row_v))
        if error <= _KERNEL_TOLERANCE * max(1.0, float(np.max(np.abs(echelon)))):
            break
    else:
        return None
    for r, pivot in enumerate(pivots):  # exact identity on the pivot columns
        for rr in range(dimension):
            rounded[rr][pivot] = Fraction(int(rr == r))
    complement = []
    for vector in null_space_of_echelon(rounded, pivots, size):
        _, integers = primitive(vector)
        complement.append([Fraction(v) for v in integers])
    return complement


def null_space_of_echelon(rows: list[list[Fraction]], pivots: list[int], size: int) -> list[list[Fraction]]:
    """A basis of {w : row . w = 0 for every row}, for rows in reduced echelon form (row r has 1 at
    column pivots[r] and 0 at the other pivots): one vector per free column."""
    vectors = []
    for column in (c for c in range(size) if c not in pivots):
        vector = [Fraction(0)] * size
        vector[column] = Fraction(1)
        for row, pivot in zip(rows, pivots):
            vector[pivot] = -row[column]
        vectors.append(vector)
    return vectors
