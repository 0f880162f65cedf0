"""The radical_holder tactic: a sum of square roots bounded below by Hölder's inequality with weights.

For a goal `T >= R` with T = sum_i c_i a_i, a_i = m_i sqrt(f_i) (c_i > 0 rational, m_i a monomial in
nonnegative variables, f_i a polynomial) and R a polynomial or k sqrt(h), Hölder's inequality

    (sum_i c_i a_i)^2 (sum_i c_i a_i b_i^3) >= (sum_i c_i a_i b_i)^3         (all a_i, b_i >= 0)

with b_i = a_i G_i (G_i polynomials with nonnegative coefficients) has no square roots left in its
last two sums: a_i b_i = F_i G_i and a_i b_i^3 = F_i^2 G_i^3, where F_i = a_i^2 = m_i^2 f_i. So
T >= R follows from the polynomial inequality (the subgoal left to the search)

    Q = (sum_i c_i F_i G_i)^3 - R^2 (sum_i c_i F_i^2 G_i^3) >= 0.

Dividing by sum_i c_i F_i^2 G_i^3 needs it > 0, which fails where every F_i G_i vanishes (the origin
of a homogeneous goal). So the sum is augmented by the right side itself: with a_0 = R, weight
c_0 = eps and G_0 = g R^j L^m (g > 0 rational; L^m only with a normalising assumption L = c; j and
m chosen so that G_0 has the degree of the other G_i and every sum stays a polynomial), the goal reads
T + eps R >= (1 + eps) R, the subgoal is Q = B^3 - (1 + eps)^2 R^2 C with B and C the two sums over
i >= 0, and C >= eps g^3 c^(3m) R^(4 + 3j) on the domain is > 0 wherever R > 0. The G_i and g come from
a small cone program on sample points (Hölder's constraint is a 3-norm cone in their coefficients),
with the equality cases' ratios imposed exactly when they are rational (Hölder is tight only where
every b_i is the same).

The certificate (after naming every root and cutting in Q >= 0 and each G_i >= 0):

    R <= 0:                        T - R = T + (-R), a sum of atoms;
    R > 0, N = T + (1 + 2 eps) R <= 0:   T - R = -N + 2 T + 2 eps R;
    R > 0, N > 0, C <= 0:          R^(3 + 3j) (T - R) = T R^(3 + 3j) + (-C + C_rest)/(eps g^3 c^(3m));
    R > 0, N > 0, C > 0:           N C (T - R) = A^2 C - B^3 + Q  (A = T + eps R),

each modulo the equalities name^2 = radicand (and L = c), where A^2 C - B^3 is Hölder's residual
written as squares times atoms:

    A^2 C - B^3 = B sum_{i<k} c_i c_k a_i a_k (b_i - b_k)^2 + A sum_{i<k} c_i c_k a_i a_k (b_i - b_k)^2 (b_i + b_k).

Triples (a GPL program we only run as a baseline) proves such sums by the same Hölder step; this
module's derivation is the standard generalised Cauchy-Schwarz.
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction
from typing import Iterator

import numpy as np
import sympy

from ineq.kernel import CaseSplit, Cut, Domain, EqualityMultiple, Identity, IntroduceRoot, Square
from ineq.problem import Problem, Relation, make_problem
from ineq.tactics.base import Attempt, Deadline, fresh_names

TACTIC_NAME = "radical_holder"
_EPS = sympy.Rational(1, 4)
_MAX_TERMS = 6
_MAX_VARIABLES = 4
_ROUNDING_DENOMINATORS = (1, 2, 3, 4, 6, 8, 12, 24, 48, 96)
_SAMPLE_DENSITY = {1: 1, 2: 24, 3: 12, 4: 8}  # where the cone program asks for Hölder's constraint
_CHECK_DENSITY = {1: 1, 2: 96, 3: 36, 4: 12}  # where the subgoal is checked in floating point
_REFINEMENTS = 3
_ADDED_POINTS = 20


def radical_holder(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt reducing `sum c_i m_i sqrt(f_i) >= R` to a polynomial subgoal, or nothing."""
    shape = _shape(goal)
    if shape is None or deadline.expired():
        return
    for degree in (0, 1, 2):
        if deadline.expired():
            return
        plan = _plan(goal, shape, degree, deadline)
        if plan is None:
            continue
        yield _attempt(goal, shape, plan)
        return


# --- the goal's shape ------------------------------------------------------------------------------


class _Shape:
    """The goal `sum c_i m_i sqrt(f_i) >= R` read off: terms (c_i, m_i, f_i, radical_i) and right,
    ("poly", P) or ("expr", R) with roots in R but R^2 a polynomial (5 sqrt(ab + bc + ca),
    sqrt(2) (a + b + c)), as written. The forms the rest works with are
    homogeneous of one degree: squares F_i = m_i^2 f_i, right_square = R^2 and (for a polynomial R)
    right_poly = R, each multiplied through by powers of L/c where a normalising assumption L = c
    makes the goal homogeneous on the domain (a + b + c = 3: 27 reads 3(a + b + c)^2); `constraint`
    is then L - c (the certificate uses it), else None."""

    def __init__(self, terms, right, variables, squares, right_square, right_poly, normalising=None, index=None):
        self.terms, self.right, self.variables = terms, right, variables
        self.squares, self.right_square, self.right_poly = squares, right_square, right_poly
        self.unit = normalising  # (L, c, deg L) or None
        self.unit_index = index  # the position of L = c among the assumptions
        self.constraint = sympy.expand(normalising[0] - normalising[1]) if normalising is not None else None


def _shape(goal: Problem) -> _Shape | None:
    g, op = goal.goal.normalized()
    if op != ">=":
        return None
    variables = goal.variables
    if not variables or len(variables) > _MAX_VARIABLES:
        return None
    domain = Domain(goal)
    if any(v not in domain.nonnegative for v in variables):
        return None
    expanded = sympy.expand(g, deep=False)  # radicands stay as written: the kernel names them so
    positive, rest = [], sympy.Integer(0)
    for term in sympy.Add.make_args(expanded):
        read = _radical_term(term, variables)
        if read is not None and read[0] > 0:
            positive.append(read)
        else:
            rest += term
    right_expr = sympy.expand(-rest)
    if right_expr == 0 or right_expr.is_Rational and right_expr <= 0:
        return None
    right_square = sympy.expand(right_expr**2)
    if not right_square.is_polynomial(*variables) or _roots_in(right_square):
        return None  # R^2 must be a polynomial: R a polynomial, k sqrt(h), sqrt(2) (a + b + c), ...
    right = ("poly", right_expr) if not _roots_in(right_expr) else ("expr", right_expr)
    if not 2 <= len(positive) <= _MAX_TERMS:
        return None
    squares = [sympy.expand(m**2 * f) for _, m, f, _ in positive]
    right_poly = right[1] if right[0] == "poly" else None
    if _common_degree(squares + [right_square], variables) is not None:
        return _Shape(positive, right, variables, squares, right_square, right_poly)
    for index, assumption in enumerate(goal.assumptions):
        h, op = assumption.normalized()
        normalising = _normalising(sympy.expand(h), variables) if op == "=" else None
        if normalising is None:
            continue
        form, value, degree = normalising
        target = max(sympy.Poly(x, *variables).total_degree() for x in squares + [right_square])
        homogeneous = [_homogenised(x, form / value, degree, target, variables) for x in squares + [right_square]]
        if any(x is None for x in homogeneous):
            continue
        # R itself as a form when it can be one; else (18 under ab + bc + ca = 3, degree 3/2) only R^2 is
        # used, and R is split on as written, like a root.
        right_form = _homogenised(right_poly, form / value, degree, sympy.Rational(target, 2), variables) \
            if right_poly is not None else None
        return _Shape(positive, right, variables, homogeneous[:-1], homogeneous[-1], right_form, normalising, index)
    return None


def _radical_term(term: sympy.Expr, variables) -> tuple | None:
    """(c, m, f, sqrt(f)) when `term` reads c m sqrt(f): c rational, f a polynomial, m a polynomial
    with nonnegative coefficients (a monomial, or a + b); None otherwise."""
    roots = _roots_in(term)
    if len(roots) != 1 or roots[0].exp != sympy.Rational(1, 2) or not roots[0].base.is_polynomial(*variables):
        return None
    radical = roots[0]
    coefficient, cofactor = sympy.cancel(term / radical).as_coeff_Mul()
    if not coefficient.is_Rational or not cofactor.free_symbols <= set(variables):
        return None
    if cofactor != 1 and not (cofactor.is_polynomial(*variables)
                              and all(c > 0 for c in sympy.Poly(cofactor, *variables).coeffs())):
        return None
    return coefficient, sympy.expand(cofactor), sympy.expand(radical.base), radical


def _roots_in(expr: sympy.Expr) -> list:
    return [p for p in expr.atoms(sympy.Pow) if p.exp.is_Rational and not p.exp.is_Integer]


def _common_degree(polynomials, variables) -> int | None:
    """The degree when every polynomial is a nonzero form of that one degree, else None."""
    degrees = set()
    for polynomial in polynomials:
        poly = sympy.Poly(polynomial, *variables)
        if poly.is_zero or not poly.is_homogeneous:
            return None
        degrees.add(poly.total_degree())
    return degrees.pop() if len(degrees) == 1 else None


def _normalising(h: sympy.Expr, variables) -> tuple[sympy.Expr, sympy.Rational, int] | None:
    """(L, c, deg L) when `h = 0` reads L = c with L a form and c a positive rational."""
    poly = sympy.Poly(h, *variables)
    constant = poly.coeff_monomial(1)
    form = sympy.expand(h - constant)
    if constant == 0 or form == 0 or _common_degree([form], variables) is None or -constant <= 0:
        return None
    return form, -constant, _common_degree([form], variables)


def _homogenised(polynomial, unit, degree: int, target, variables) -> sympy.Expr | None:
    """Each part of degree k times unit^((target - k)/degree) (unit = L/c = 1 on the domain); None
    when an exponent is not a nonnegative integer."""
    parts: dict[int, sympy.Expr] = {}
    for monomial, coefficient in sympy.Poly(polynomial, *variables).terms():
        k = sum(monomial)
        parts[k] = parts.get(k, sympy.Integer(0)) + coefficient * sympy.Mul(*(v**e for v, e in zip(variables, monomial)))
    result = sympy.Integer(0)
    for k, part in parts.items():
        exponent = (target - k) / sympy.Integer(degree)
        if not (exponent.is_Integer and exponent >= 0):
            return None
        result += part * unit ** int(exponent)
    return sympy.expand(result)


# --- the weights G_i ---------------------------------------------------------------------------------


class _Plan:
    """G_i (one polynomial per term), G_0 = scale * R^power * L^level (L from a normalising L = c),
    and the polynomial subgoal Q >= 0, with C = sum_{i >= 0} c_i F_i^2 G_i^3 (computed in a sparse
    polynomial ring: degree-18 products)."""

    def __init__(self, shape: _Shape, weights: list, scale: sympy.Rational, power: int, level: int):
        self.weights = weights
        self.scale = scale
        self.power, self.level = power, level
        ring, *_ = sympy.polys.rings.ring(shape.variables, sympy.QQ)
        squares = [ring.from_expr(F) for F in shape.squares]
        G = [ring.from_expr(W) for W in weights]
        right_square = ring.from_expr(shape.right_square)
        augmented = ring.from_expr(scale * _augmented_base(shape, power, level))  # G_0
        coefficients = [c for c, _, _, _ in shape.terms]
        first = sum((c * F * W for c, F, W in zip(coefficients, squares, G)), ring.zero) + _EPS * right_square * augmented
        second = sum((c * F**2 * W**3 for c, F, W in zip(coefficients, squares, G)), ring.zero) \
            + _EPS * right_square**2 * augmented**3
        self._second = second
        self._subgoal = first**3 - (1 + _EPS) ** 2 * right_square * second
        self.subgoal_terms = list(self._subgoal.terms())  # for evaluating it at many points

    @functools.cached_property
    def second(self) -> sympy.Expr:
        return self._second.as_expr()

    @functools.cached_property
    def subgoal(self) -> sympy.Expr:
        return self._subgoal.as_expr()


def _augmented_base(shape: _Shape, power: int, level: int) -> sympy.Expr:
    """R^power * L^level as a polynomial (power is even when R is a root)."""
    unit = shape.unit[0] ** level if level else sympy.Integer(1)
    if shape.right_poly is not None:
        return sympy.expand(shape.right_poly ** power * unit)
    return sympy.expand(shape.right_square ** (power // 2) * unit)


def _degree_of_right(shape: _Shape) -> int:
    """deg R (half the degree of R^2)."""
    return sympy.Poly(shape.right_square, *shape.variables).total_degree() // 2


def _plan(goal: Problem, shape: _Shape, degree: int, deadline: Deadline) -> _Plan | None:
    """Weights G_i of total degree `degree` found by a cone program, rounded to rationals, with Q >= 0
    at every sample point; None if there are none."""
    variables = shape.variables
    augment = _augment(shape, degree)
    if augment is None:
        return None
    basis = [sympy.Mul(*(v**e for v, e in zip(variables, exps)))
             for exps in _exponents(len(variables), degree)]
    points = _sample_points(goal, len(variables), _SAMPLE_DENSITY)
    if len(points) < 3:
        return None
    dense = _sample_points(goal, len(variables), _CHECK_DENSITY)
    dense_values = _numeric(shape, basis, dense)
    for _ in range(_REFINEMENTS):
        if deadline.expired():
            return None
        solution = _solve_weights(shape, basis, points, augment)
        if solution is None:
            return None
        plan = _round_weights(shape, basis, points, dense, augment, solution, deadline)
        if plan is not None:
            return plan
        # The cone constraint holds at the sample points only: add the check points where the
        # subgoal goes most negative (typically beside a boundary equality case) and solve again.
        values = _subgoal_values(shape, dense_values, *solution, augment)
        negative = [dense[i] for i in np.argsort(values)[:_ADDED_POINTS] if values[i] < -1e-6]
        if not negative:
            return None
        points = points + negative
    return None


def _augment(shape: _Shape, degree: int) -> tuple[int, int] | None:
    """(power, level) with G_0 = g R^power L^level of degree `degree` like the other G_i (so that
    every sum stays a form), power even when R is a root (so that R^power is a polynomial); the
    smallest level first. None if there is no such pair."""
    right_degree = _degree_of_right(shape)
    unit_degree = shape.unit[2] if shape.unit is not None else None
    for level in range(degree + 1):
        if level and unit_degree is None:
            break
        rest = degree - level * (unit_degree or 0)
        if rest < 0:
            break
        if rest == 0:
            return 0, level
        if right_degree and rest % right_degree == 0:
            power = rest // right_degree
            if shape.right_poly is not None or power % 2 == 0:
                return power, level
    return None


def _exponents(count: int, degree: int) -> list[tuple[int, ...]]:
    return [e for e in itertools.product(range(degree + 1), repeat=count) if sum(e) == degree]


def _sample_points(goal: Problem, count: int, densities: dict) -> list[tuple[int, ...]]:
    """Integer points of the simplex sum x = D (D = densities[number of variables]) that satisfy
    every homogeneous inequality assumption (a >= b, a > 0 read as a >= 0): the forms only need
    their rays. Equalities
    and other inequalities only fix or bound the scale, so they are not read (more points only make
    the subgoal's check stricter)."""
    density = densities[count]
    functions = []
    for assumption in goal.assumptions:
        expr, op = assumption.normalized()
        expr = sympy.expand(expr)
        if op != "=" and expr.is_polynomial(*goal.variables) and _common_degree([expr], goal.variables) is not None:
            functions.append((sympy.lambdify(goal.variables, expr, "math"), op))
    points = []
    for exps in _exponents(count, density):
        # Closed conditions even for a strict assumption: a form >= 0 on the open set is >= 0 on its
        # closure, and boundary points are where a rounded subgoal goes negative first.
        if all(f(*exps) >= 0 for f, _ in functions):
            points.append(exps)
    return points


def _symmetries(shape: _Shape) -> list[tuple[dict, list[int]]]:
    """Variable permutations that map the terms onto each other and fix R: (substitution, term map)."""
    variables = shape.variables
    found = []
    for image in itertools.permutations(variables):
        substitution = dict(zip(variables, image))
        if all(a == b for a, b in substitution.items()):
            continue
        if sympy.expand(shape.right_square.xreplace(substitution)) != shape.right_square:
            continue
        if shape.right_poly is not None and sympy.expand(shape.right_poly.xreplace(substitution)) != shape.right_poly:
            continue
        moved = [sympy.expand(F.xreplace(substitution)) for F in shape.squares]
        term_map = []
        for i, F in enumerate(moved):
            matches = [k for k, G in enumerate(shape.squares) if G == F and shape.terms[k][0] == shape.terms[i][0]]
            if not matches:
                break
            term_map.append(matches[0])
        else:
            found.append((substitution, term_map))
    return found


def _equality_ratios(shape: _Shape, points, augment) -> list[tuple[int, sympy.Rational, dict]]:
    """Hölder is tight only where every b_i = a_i G_i with a_i > 0 takes one value, that of
    b_0 = R G_0 = g R^(1 + power) L^level. At each sample point where the goal is tight, each ratio
    r_i = a_i / (R^(1 + power) L^level) that is rational gives a linear equation in the unknowns (the
    coefficients of G_i and the scale g): r_i G_i(p) - g = 0. Returns (i, r_i, point)."""
    power, level = augment
    variables = shape.variables
    rows = []
    for point in points:
        values = dict(zip(variables, [sympy.Integer(x) for x in point]))
        roots = [sympy.sqrt(F.xreplace(values)) for F in shape.squares]
        right = shape.right_poly.xreplace(values) if shape.right_poly is not None else \
            sympy.sqrt(shape.right_square.xreplace(values))
        if not right.is_positive:
            continue
        gap = sum(c * r for (c, _, _, _), r in zip(shape.terms, roots)) - right
        if abs(gap.evalf(30)) > 1e-20 * abs(right.evalf(30)):
            continue
        for i, root in enumerate(roots):
            unit = shape.unit[0].xreplace(values) ** level if level else 1
            ratio = sympy.radsimp(root / (right ** (power + 1) * unit))
            if root.is_positive and ratio.is_Rational:
                rows.append((i, ratio, values))
    return rows


def _solve_weights(shape: _Shape, basis, points, augment):
    """Nonnegative coefficients of G_1..G_n and the scale g of G_0 (summing to 1) that satisfy
    Hölder's cone constraint B(p) >= (kappa R(p)^2)^(1/3) ||(c_i F_i(p)^2 G_i(p)^3)^(1/3)||_3 at every
    sample point with the largest margin, in floating point; None if the margin is negative."""
    import cvxpy as cp

    n, k = len(shape.terms), len(basis)
    numeric = _numeric(shape, basis, points)
    squares, right_square, right, basis_values = numeric[:4]
    if augment[0] % 2 and np.any(right < 0):
        return None
    base = _base_values(numeric, augment)
    coefficients = cp.Variable((n, k), nonneg=True)
    scale = cp.Variable(nonneg=True)
    margin = cp.Variable()
    weights = [basis_values @ coefficients[i] for i in range(n)]  # G_i at the points
    augmented = scale * base  # G_0 at the points
    eps = float(_EPS)
    first = sum(cp.multiply(float(c) * squares[i], weights[i]) for i, (c, _, _, _) in enumerate(shape.terms)) \
        + cp.multiply(eps * right_square, augmented)
    columns = [cp.multiply(float(c) ** (1 / 3) * np.abs(squares[i]) ** (2 / 3), weights[i])
               for i, (c, _, _, _) in enumerate(shape.terms)]
    columns.append(eps ** (1 / 3) * np.abs(right_square) ** (2 / 3) * base * scale)
    factor = ((1 + eps) ** 2 * right_square) ** (1 / 3)
    # Each point's margin in units of its own size (B's degree), so that no point dominates.
    size = np.max(np.abs(basis_values), axis=1) * (sum(np.abs(s) for s in squares) + np.abs(right_square))
    constraints = [cp.sum(coefficients) + scale == 1, scale >= 1e-3, margin <= 1]
    # ||v||_3 <= tau as power cones: |v_i| <= z_i^(1/3) tau^(2/3) with sum_i z_i <= tau.
    tight = factor > 1e-12
    constraints.append(first[~tight] >= margin * size[~tight])
    tau = cp.multiply(1 / factor[tight], first[tight] - margin * size[tight])
    cubes = [cp.Variable(int(tight.sum()), nonneg=True) for _ in columns]
    for column, cube in zip(columns, cubes):
        constraints.append(cp.PowCone3D(cube, tau, column[tight], 1 / 3))
    constraints.append(sum(cubes) <= tau)
    for substitution, term_map in _symmetries(shape):
        for i, j in enumerate(term_map):
            for a, monomial in enumerate(basis):
                b = basis.index(sympy.expand(monomial.xreplace(substitution)))
                constraints.append(coefficients[j, b] == coefficients[i, a])
    for i, ratio, values in _equality_ratios(shape, points, augment):
        row = np.array([float(ratio * b.xreplace(values)) for b in basis])
        constraints.append(row @ coefficients[i] == scale)
    problem = cp.Problem(cp.Maximize(margin), constraints)
    try:
        problem.solve(solver=cp.CLARABEL)
    except (cp.error.SolverError, ValueError, ZeroDivisionError):
        return None
    if problem.status not in ("optimal", "optimal_inaccurate") or margin.value is None or margin.value < -1e-2:
        return None
    return np.maximum(coefficients.value, 0.0), float(scale.value)


def _numeric(shape: _Shape, basis, points):
    """F_i, R^2, R, the basis monomials and L (1 without a normalising L = c) at the points, in
    floating point."""
    array = np.array(points, dtype=float)
    evaluate = lambda expr: np.broadcast_to(
        np.asarray(sympy.lambdify(shape.variables, expr, "numpy")(*array.T), dtype=float), (len(points),))
    squares = [evaluate(F) for F in shape.squares]
    right_square = evaluate(shape.right_square)
    right = evaluate(shape.right_poly) if shape.right_poly is not None else np.sqrt(right_square)
    basis_values = np.stack([evaluate(b) for b in basis], axis=1)  # (points, k)
    unit = evaluate(shape.unit[0]) if shape.unit is not None else np.ones(len(points))
    return squares, right_square, right, basis_values, unit


def _base_values(numeric, augment) -> np.ndarray:
    """R^power L^level at the points."""
    right, unit = numeric[2], numeric[4]
    power, level = augment
    return right**power * unit**level


def _subgoal_values(shape: _Shape, numeric, coefficients, scale: float, augment) -> np.ndarray:
    """The subgoal B^3 - (1 + eps)^2 R^2 C at the points, relative to the size of its two parts."""
    squares, right_square, right, basis_values = numeric[:4]
    eps = float(_EPS)
    weights = basis_values @ coefficients.T  # (points, n)
    augmented = scale * _base_values(numeric, augment)
    first = sum(float(c) * squares[i] * weights[:, i] for i, (c, _, _, _) in enumerate(shape.terms)) \
        + eps * right_square * augmented
    second = sum(float(c) * squares[i] ** 2 * weights[:, i] ** 3 for i, (c, _, _, _) in enumerate(shape.terms)) \
        + eps * right_square**2 * augmented**3
    other = (1 + eps) ** 2 * right_square * second
    return (first**3 - other) / np.maximum(np.abs(first**3) + np.abs(other), 1e-300)


def _round_weights(shape: _Shape, basis, points, dense, augment, solution, deadline: Deadline) -> _Plan | None:
    """Round the cone program's solution to small rationals, project it exactly onto the symmetry and
    equality-case equations (read at the sample points), and keep the first rounding whose subgoal
    is >= 0 at every sample and check point."""
    coefficients, scale = solution
    n, k = coefficients.shape
    equations = _exact_equations(shape, basis, points, augment, n, k)
    largest = max(float(np.max(coefficients)), scale)
    tried = set()
    for denominator in _ROUNDING_DENOMINATORS:
        if deadline.expired():
            return None
        rounded = [Fraction(round(scale / largest * denominator), denominator)]
        rounded += [Fraction(round(x / largest * denominator), denominator) for x in coefficients.ravel()]
        vector = _project(equations, rounded)
        if vector is None or any(x < 0 for x in vector) or vector[0] <= 0 or tuple(vector) in tried:
            continue
        tried.add(tuple(vector))
        weights = [sum((sympy.Rational(vector[1 + i * k + a]) * basis[a] for a in range(k)), sympy.Integer(0))
                   for i in range(n)]
        plan = _Plan(shape, weights, sympy.Rational(vector[0]), *augment)
        if _nonnegative_at(plan.subgoal_terms, points + dense):
            return plan
    return None


def _exact_equations(shape: _Shape, basis, points, augment, n: int, k: int) -> list[list[Fraction]]:
    """Rows r with r . u = 0 for u = (scale of G_0, coefficients of G_1..G_n): the scale first, so that
    the equations determine it (it is a pivot of the row echelon form)."""
    rows = []
    for substitution, term_map in _symmetries(shape):
        for i, j in enumerate(term_map):
            for a, monomial in enumerate(basis):
                b = basis.index(sympy.expand(monomial.xreplace(substitution)))
                if (j, b) != (i, a):
                    row = [Fraction(0)] * (n * k + 1)
                    row[1 + j * k + b] += 1
                    row[1 + i * k + a] -= 1
                    rows.append(row)
    for i, ratio, values in _equality_ratios(shape, points, augment):
        row = [Fraction(0)] * (n * k + 1)
        for a, monomial in enumerate(basis):
            row[1 + i * k + a] = Fraction(str(ratio * monomial.xreplace(values)))
        row[0] = Fraction(-1)
        rows.append(row)
    return rows


def _project(equations: list[list[Fraction]], vector: list[Fraction]) -> list[Fraction] | None:
    """The solution of {u : r . u = 0 for every row r} that agrees with `vector` on the free
    coordinates of the equations' reduced row echelon form (so rounded values stay as they are
    wherever the equations allow)."""
    if not equations:
        return vector
    echelon, pivots = sympy.Matrix(equations).rref()
    u = [sympy.Rational(x.numerator, x.denominator) for x in vector]
    for row, pivot in enumerate(pivots):
        u[pivot] = -sum((echelon[row, c] * u[c] for c in range(len(u)) if c != pivot and c not in pivots),
                        sympy.Integer(0))
    return [Fraction(int(x.p), int(x.q)) for x in u]


def _nonnegative_at(terms: list, points) -> bool:
    """Whether the polynomial with these (exponents, coefficient) terms is >= 0 at every point, up
    to rounding error relative to its largest value there."""
    exponents = np.array([monomial for monomial, _ in terms], dtype=float)  # (terms, variables)
    coefficients = np.array([float(c) for _, c in terms])
    array = np.array(points, dtype=float)
    values = np.prod(array[:, None, :] ** exponents[None, :, :], axis=2) @ coefficients
    size = max(1.0, float(np.max(np.abs(values))))
    return bool(np.all(values >= -1e-9 * size))


# --- the attempt and its certificate ---------------------------------------------------------------


def _attempt(goal: Problem, shape: _Shape, plan: _Plan) -> Attempt:
    claim = Relation(plan.subgoal, ">=", 0)
    if shape.unit is None:
        subgoal = goal.with_goal(claim)
    else:  # Q is a form: it needs no normalising L = c (its certificate stays valid with it)
        rest = [a for i, a in enumerate(goal.assumptions) if i != shape.unit_index]
        subgoal = make_problem(rest, claim, extra_variables=goal.variables)

    def build(subs):
        return _certificate(goal, shape, plan, subs[0])

    shown = ", ".join(f"G{i + 1} = {sympy.sstr(G)}" for i, G in enumerate(plan.weights))
    terms = " + ".join(sympy.sstr(c * m * radical) for c, m, _, radical in shape.terms)
    right = sympy.sstr(shape.right[1])
    degree = sympy.Poly(plan.subgoal, *goal.variables).total_degree()
    lines = (
        f"Write the left side as sum c_i a_i with a_i >= 0 ({terms}) and the right side as R = {right}; "
        f"add {_EPS} R to both sides (so that the divisor below is positive wherever R > 0) and apply "
        f"Hölder's inequality (sum c_i a_i)^2 (sum c_i a_i b_i^3) >= (sum c_i a_i b_i)^3 with b_i = a_i G_i: "
        f"{shown}, and G0 = {sympy.sstr(plan.scale * _augmented_base(shape, plan.power, plan.level))} for the "
        f"added term.",
        f"The products a_i b_i and a_i b_i^3 are polynomials, so it remains to prove the polynomial inequality "
        f"(sum c_i a_i b_i)^3 >= {sympy.sstr((1 + _EPS) ** 2)} R^2 (sum c_i a_i b_i^3), of degree {degree}.")
    return Attempt(TACTIC_NAME, goal, (subgoal,), build, lines)


def _certificate(goal: Problem, shape: _Shape, plan: _Plan, subgoal_certificate):
    """Cut in Q >= 0 and every G_i >= 0, name the roots, then split cases as in the module docstring."""
    radicals = []
    for _, _, _, radical in shape.terms:
        if radical not in radicals:
            radicals.append(radical)
    for radical in sorted(_roots_in(shape.right[1]), key=sympy.default_sort_key):
        if radical not in radicals:
            radicals.append(radical)
    names = dict(zip(radicals, fresh_names(goal, len(radicals), ("t", "u", "s", "w", "p", "q"), "r")))
    lifted = _Lifted(shape, plan, names)
    inner = lifted.case_tree()
    for radical in reversed(radicals):
        inner = IntroduceRoot(radical, names[radical], inner)
    # Every weight G_i and every cofactor m_i that is not a monomial becomes an atom by a cut.
    cofactors = [m for _, m, _, _ in shape.terms if len(sympy.Add.make_args(m)) > 1]
    for polynomial in reversed(list(dict.fromkeys(cofactors + [w for w in plan.weights if not w.is_number]))):
        inner = Cut(Relation(polynomial, ">=", 0), _nonnegative_by_coefficients(polynomial), inner)
    return Cut(Relation(plan.subgoal, ">=", 0), subgoal_certificate, inner)


def _nonnegative_by_coefficients(polynomial: sympy.Expr) -> Identity:
    """A polynomial with nonnegative coefficients in nonnegative variables: one square per monomial."""
    pieces = []
    for term in sympy.Add.make_args(sympy.expand(polynomial)):
        coefficient, monomial = term.as_coeff_Mul()
        atoms, square = [], sympy.Integer(1)
        for base, exponent in monomial.as_powers_dict().items():
            square *= base ** (int(exponent) // 2)
            atoms += [base] * (int(exponent) % 2)
        pieces.append(Square(coefficient, tuple(atoms), square))
    return Identity((), tuple(pieces))


class _Lifted:
    """The goal after naming the roots: a_i = m_i t_i, and R (the polynomial, as homogenised, or R with
    its roots named) split on as one expression."""

    def __init__(self, shape: _Shape, plan: _Plan, names: dict):
        self.shape, self.plan = shape, plan
        # The equalities the identities hold modulo: name^2 - radicand, then L - c.
        self.equalities = [sympy.expand(names[r] ** 2 - r.base) for r in names]
        self.equalities += [shape.constraint] if shape.constraint is not None else []
        self.names = [names[r] for r in names]
        # Each nonnegative factor as (scalar, atoms): its value is scalar * prod(atoms).
        self.weights_c = [c for c, _, _, _ in shape.terms]
        self.a = [(sympy.Integer(1), _cofactor_atoms(m) + (names[radical],)) for _, m, _, radical in shape.terms]
        self.G = [(G, ()) if G.is_number else (sympy.Integer(1), (G,)) for G in plan.weights]
        if shape.right_poly is not None:  # R as homogenised (equal to R as written on the domain)
            self.R = shape.right_poly
            written = shape.right[1]
        else:  # R with its roots named: one expression, split on as a whole
            self.R = sympy.expand(shape.right[1].xreplace(names))
            written = self.R
        self.T = sum((c * _value(a) for c, a in zip(self.weights_c, self.a)), sympy.Integer(0))
        self.goal = self.T - written  # the goal the kernel sees once the roots are named

    def case_tree(self):
        """R <= 0 / N <= 0 / C <= 0 / the main identity, each an exact Identity."""
        eps, R = _EPS, self.R
        N = sympy.expand(self.T + (1 + 2 * eps) * self.R)
        C = self.plan.second
        sum_of_terms = [Square(c, a[1], a[0]) for c, a in zip(self.weights_c, self.a)]
        one = sympy.Integer(1)
        nonpositive_right = self._closed(one, sum_of_terms + [Square(one, (sympy.expand(-R),), one)], ())
        nonpositive_n = self._closed(one, [Square(one, (sympy.expand(-N),), one)]
                                     + [Square(2 * p.coeff, p.atoms, p.poly) for p in sum_of_terms]
                                     + [Square(2 * eps, (R,), one)], ())
        main = self._main(N, C)
        degenerate = self._degenerate(C)
        return CaseSplit(R, CaseSplit(N, CaseSplit(C, main, degenerate, strict=True), nonpositive_n, strict=True),
                         nonpositive_right, strict=True)

    def _degenerate(self, C) -> Identity:
        """C <= 0 while R > 0: R^(3+3j) (T - R) = T R^(3+3j) + (C_rest - C)/(eps g^3 c^(3m))."""
        power = 3 + 3 * self.plan.power
        multiplier = (self.R,) * power
        # G_0 = g k^j w^j L^m, and L = c on the domain (the difference is an equality multiple)
        unit = self.shape.unit[1] ** self.plan.level if self.plan.level else 1
        scale = 1 / (_EPS * self.plan.scale**3 * unit**3)
        pieces = [Square(c * a[0], a[1] + (self.R,) * power, sympy.Integer(1))
                  for c, a in zip(self.weights_c, self.a)]
        pieces.append(Square(scale, (sympy.expand(-C),), sympy.Integer(1)))
        for c, F, (g_scalar, g_atoms) in zip(self.weights_c, self.shape.squares, self.G):
            pieces.append(Square(scale * c * g_scalar**3, g_atoms * 3, F))
        return self._closed(sympy.Mul(*multiplier), pieces, multiplier)

    def _main(self, N, C) -> Identity:
        """N C (T - R) = Hölder's residual + Q, both as pieces."""
        eps = _EPS
        weights = [eps] + self.weights_c
        a = [(sympy.Integer(1), (self.R,))] + self.a
        unit = self.shape.unit[1] ** self.plan.level if self.plan.level else 1
        G0 = self.plan.scale * unit  # L^level read as c^level
        G = [(G0, (self.R,) * self.plan.power)] + self.G
        b = [_value(ai) * _value(Gi) for ai, Gi in zip(a, G)]
        pieces = []
        for i, l in itertools.combinations(range(len(a)), 2):
            difference = sympy.expand(b[i] - b[l])
            pair = weights[i] * weights[l] * a[i][0] * a[l][0]
            pair_atoms = a[i][1] + a[l][1]
            for k in range(len(a)):
                # B a_i a_l (b_i - b_l)^2 with B = sum c_k a_k^2 G_k
                pieces.append(Square(pair * weights[k] * G[k][0], pair_atoms + G[k][1], _value(a[k]) * difference))
                # A a_i a_l (b_i - b_l)^2 (b_i + b_l) with A = sum c_k a_k and b_m = a_m G_m
                for m in (i, l):
                    pieces.append(Square(pair * weights[k] * a[k][0] * a[m][0] * G[m][0],
                                         pair_atoms + a[k][1] + a[m][1] + G[m][1], difference))
        pieces.append(Square(sympy.Integer(1), (self.plan.subgoal,), sympy.Integer(1)))
        return self._closed(N * C, pieces, (N, C))

    def _closed(self, multiplier: sympy.Expr, pieces: list, factors: tuple) -> Identity:
        """The Identity with equality multiples for whatever the pieces miss modulo the equalities
        (computed in a polynomial ring, names first in lex order: the name^2 - radicand and L - c
        have pairwise coprime leading terms, so they are a Groebner basis and one division gives
        the multiples)."""
        ring, *_ = sympy.polys.rings.ring(self.names + list(self.shape.variables), sympy.QQ,
                                          sympy.polys.orderings.lex)
        convert = functools.lru_cache(maxsize=None)(lambda expr: ring.from_expr(expr))
        total = ring.zero
        for p in pieces:
            term = ring(p.coeff) * convert(p.poly) ** 2
            for atom in p.atoms:
                term *= convert(atom)
            total += term
        remainder = convert(sympy.expand(multiplier)) * convert(self.goal) - total
        quotients, remainder = remainder.div([convert(e) for e in self.equalities])
        for equality, quotient in zip(self.equalities, quotients):
            if quotient:
                pieces.append(EqualityMultiple(equality, quotient.as_expr()))
        return Identity(tuple(factors), tuple(pieces))


def _value(factor) -> sympy.Expr:
    scalar, atoms = factor
    return scalar * sympy.Mul(*atoms)


def _cofactor_atoms(cofactor: sympy.Expr) -> tuple:
    """The atoms whose product is the cofactor m_i: its variables for a monomial, else m_i itself
    (cut in as m_i >= 0)."""
    if len(sympy.Add.make_args(cofactor)) > 1:
        return (cofactor,)
    atoms = []
    for base, exponent in cofactor.as_powers_dict().items():
        if base != 1:
            atoms += [base] * int(exponent)
    return tuple(atoms)
