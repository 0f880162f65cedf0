"""Counterexample finder: search for a point of the domain where the goal fails, and confirm it exactly.

`refute(problem)` samples points adapted to the domain, improves the most promising ones by local
optimisation of the goal's slack, and returns a `Counterexample` only after the point has been checked
without floating point:

* The search works in floats (numpy functions made by `sympy.lambdify`), but floats never decide.
* A candidate is rounded to a rational point (small denominators first, so that the printed point is
  readable). Variables eliminated through equality assumptions are recomputed exactly from it (rational
  when the equality is linear in the eliminated variable, with square roots when it is quadratic).
* Every assumption and the negated goal are then decided by `evaluate_relation_exactly`: exact rational
  arithmetic when both sides are rational numbers; otherwise a 60-digit interval enclosure of both sides
  (mpmath `iv`) that must separate them by more than 1e-30 relative. Equalities are only accepted when the
  difference of the two sides is exactly zero symbolically (rational arithmetic, or `expand`/`radsimp` of
  an expression with radicals); intervals never decide an equality.
* A point where some side is undefined (division by zero, even root of a negative number, log of a
  non-positive number) satisfies nothing and refutes nothing.

The search is deterministic for a given seed: it runs in rounds, round r draws from a generator seeded
with (seed, r), and the first confirmed point in round order is returned; the time budget only decides how
many rounds are run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Mapping

import numpy as np
import sympy
from mpmath import iv
from scipy.optimize import minimize

from ineq.problem import Problem, Relation, var

__all__ = ["Counterexample", "RefuteError", "evaluate_relation_exactly", "refute"]

# Working precision of interval evaluation (decimal digits) and the relative separation that an
# interval comparison must show before it decides a strict sign.
INTERVAL_DIGITS = 60
RELATIVE_MARGIN = sympy.Rational(1, 10**30)

METHOD_EXACT = "exact rational arithmetic"
METHOD_INTERVAL = (
    f"{INTERVAL_DIGITS}-digit interval arithmetic with margin 1e-30 relative "
    "(rational values decided exactly; equalities verified symbolically)"
)

# Float search tolerances. A float point counts as feasible when every assumption's relative slack is at
# least -FEASIBILITY_TOLERANCE (rounding and the exact check settle the rest), and as a candidate when
# the goal's relative slack is below -VIOLATION_THRESHOLD (or near zero for a strict goal, which fails at
# exact equality).
FEASIBILITY_TOLERANCE = 1e-12
VIOLATION_THRESHOLD = 1e-13
STRICT_EQUALITY_WINDOW = 1e-9

SAMPLES_PER_ROUND = 3000
MAX_BRANCHES = 8
DENOMINATOR_LIMITS = tuple(10**k for k in range(0, 13))


class RefuteError(ValueError):
    """Raised for input that `refute` or `evaluate_relation_exactly` cannot work with."""


@dataclass(frozen=True)
class Counterexample:
    """A point of the domain where the goal fails, confirmed without floating point.

    `values` maps every problem variable name to an exact sympy number (rational, or with radicals when
    an equality assumption was solved by a square root). `lhs_value` / `rhs_value` are the exact values of
    the goal's two sides there. `method` says how the relations were decided.
    """

    values: dict[str, sympy.Expr]
    lhs_value: sympy.Expr
    rhs_value: sympy.Expr
    method: str

    def to_json(self) -> dict:
        return {
            "values": {name: sympy.sstr(value) for name, value in self.values.items()},
            "lhs": sympy.sstr(self.lhs_value),
            "rhs": sympy.sstr(self.rhs_value),
            "lhs_approx": _approximate(self.lhs_value),
            "rhs_approx": _approximate(self.rhs_value),
            "method": self.method,
        }


# ----------------------------------------------------------------------------------------------------
# Exact / interval decision of a relation at a point


def _approximate(value: sympy.Expr) -> float:
    try:
        return float(sympy.N(value, 20))
    except (TypeError, ValueError):
        return math.nan


def _is_undefined(value: sympy.Expr) -> bool:
    """True when the value is not a finite real number (division by zero, complex root, ...)."""
    return bool(value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I))


def _interval(expr: sympy.Expr):
    """A mpmath interval enclosing the real number `expr`, or None when that cannot be guaranteed
    (undefined operation, or an unsupported function). Works at the current `iv.prec`."""
    if expr.is_Integer:
        return iv.mpf(int(expr))
    if expr.is_Rational:
        return iv.mpf(int(expr.p)) / iv.mpf(int(expr.q))
    if expr is sympy.pi:
        return iv.pi
    if expr is sympy.E:
        return iv.e
    if expr.is_Add or expr.is_Mul:
        parts = [_interval(arg) for arg in expr.args]
        if any(part is None for part in parts):
            return None
        total = parts[0]
        for part in parts[1:]:
            total = total + part if expr.is_Add else total * part
        return total
    if expr.is_Pow:
        base = _interval(expr.base)
        if base is None:
            return None
        exponent = expr.exp
        if exponent.is_Integer:
            n = int(exponent)
            if n >= 0:
                return base**n
            if base.a <= 0 <= base.b:  # cannot exclude division by zero
                return None
            return 1 / base ** (-n)
        if not base.a > 0:  # fractional powers are only taken of positive numbers
            return None
        if exponent == sympy.Rational(1, 2):
            return iv.sqrt(base)
        power = _interval(exponent)
        return None if power is None else iv.exp(iv.log(base) * power)
    if isinstance(expr, sympy.Abs):
        inner = _interval(expr.args[0])
        return None if inner is None else abs(inner)
    if isinstance(expr, sympy.exp):
        inner = _interval(expr.args[0])
        return None if inner is None else iv.exp(inner)
    if isinstance(expr, sympy.log) and len(expr.args) == 1:
        inner = _interval(expr.args[0])
        return None if inner is None or not inner.a > 0 else iv.log(inner)
    if isinstance(expr, (sympy.Min, sympy.Max)):
        parts = [_interval(arg) for arg in expr.args]
        if any(part is None for part in parts):
            return None
        pick = min if isinstance(expr, sympy.Min) else max
        return iv.mpf([pick(p.a for p in parts), pick(p.b for p in parts)])
    return None


def _sign_by_intervals(lhs: sympy.Expr, rhs: sympy.Expr) -> int | None:
    """The sign of lhs - rhs (+1 or -1) when 60-digit intervals separate the sides by more than the
    relative margin; None otherwise (including exact equality, which intervals cannot show)."""
    saved_precision = iv.prec
    iv.dps = INTERVAL_DIGITS
    try:
        left, right = _interval(lhs), _interval(rhs)
        if left is None or right is None:
            return None
        difference = left - right
        scale = max(abs(left).b, abs(right).b)
        margin = scale * iv.mpf(RELATIVE_MARGIN.p) / RELATIVE_MARGIN.q
        if difference.a > margin.b:
            return 1
        if difference.b < -margin.b:
            return -1
        return None
    finally:
        iv.prec = saved_precision


def _is_exactly_zero(value: sympy.Expr) -> bool:
    """True only when `value` is shown to be 0 symbolically (never by numerics)."""
    if value == 0:
        return True
    if value.is_Rational:
        return False
    expanded = sympy.expand(value)
    return expanded == 0 or sympy.radsimp(expanded) == 0


def _decide(lhs: sympy.Expr, op: str, rhs: sympy.Expr) -> tuple[bool | None, bool]:
    """Decide `lhs op rhs` for exact numbers. Returns (verdict, decided_exactly_in_rationals)."""
    if _is_undefined(lhs) or _is_undefined(rhs):
        return None, True
    if lhs.is_Rational and rhs.is_Rational:
        difference = lhs - rhs
        verdict = {
            ">=": difference >= 0, ">": difference > 0, "<=": difference <= 0,
            "<": difference < 0, "=": difference == 0,
        }[op]
        return bool(verdict), True
    sign = _sign_by_intervals(lhs, rhs)
    if sign is not None:
        verdict = {">=": sign > 0, ">": sign > 0, "<=": sign < 0, "<": sign < 0, "=": False}[op]
        return verdict, False
    if _is_exactly_zero(lhs - rhs):
        return op in (">=", "<=", "="), False
    return None, False


def _relation_at(relation: Relation, values: Mapping[sympy.Symbol, sympy.Expr]) -> tuple[sympy.Expr, sympy.Expr]:
    lhs = sympy.sympify(relation.lhs).xreplace(dict(values))
    rhs = sympy.sympify(relation.rhs).xreplace(dict(values))
    leftover = lhs.free_symbols | rhs.free_symbols
    if leftover:
        raise RefuteError(f"no value given for {sorted(map(str, leftover))} in {relation}")
    return lhs, rhs


def _as_symbol_values(values: Mapping) -> dict[sympy.Symbol, sympy.Expr]:
    result = {}
    for key, value in values.items():
        symbol = var(key) if isinstance(key, str) else key
        if not isinstance(symbol, sympy.Symbol):
            raise RefuteError(f"value keys must be variable names or symbols, got {key!r}")
        number = sympy.sympify(value)
        if number.has(sympy.Float):
            raise RefuteError(f"value of {symbol} must be exact, got the float {value!r}")
        result[symbol] = number
    return result


def evaluate_relation_exactly(relation: Relation, values: Mapping) -> bool | None:
    """Whether `relation` holds at the exact point `values` (names or symbols -> exact sympy numbers).

    True / False only when decided without floating point: exact rational arithmetic, or 60-digit
    interval arithmetic with a 1e-30 relative margin, or a symbolic zero test for equal sides.
    None when it cannot be decided, and when a side is undefined there (so an undefined goal is never
    reported as failing, and an undefined assumption never as holding).
    """
    lhs, rhs = _relation_at(relation, _as_symbol_values(values))
    return _decide(lhs, relation.op, rhs)[0]


# ----------------------------------------------------------------------------------------------------
# Domain analysis: eliminating equalities, bounds of the free variables


@dataclass(frozen=True)
class _Bound:
    """Simple bounds of one free variable, from assumptions `k*v + c op 0` with constant k, c."""

    lower: float = -math.inf
    upper: float = math.inf
    lower_strict: bool = False
    upper_strict: bool = False


def _simple_bound(relation: Relation, variables: tuple[sympy.Symbol, ...]):
    """(variable, kind, value, strict) when the relation bounds one variable by a constant, else None."""
    g, op = relation.normalized()
    if op == "=":
        return None
    symbols = g.free_symbols
    if len(symbols) != 1:
        return None
    (symbol,) = symbols
    if symbol not in variables:
        return None
    g = sympy.expand(g)
    slope = g.diff(symbol)
    if slope.free_symbols:
        return None
    intercept = sympy.expand(g - slope * symbol)
    if intercept.free_symbols:
        return None
    try:
        slope_value, intercept_value = float(slope), float(intercept)
    except (TypeError, ValueError):
        return None
    if slope_value == 0 or not math.isfinite(intercept_value):
        return None
    # slope*v + intercept op 0 with op in {>=, >}.
    kind = "lower" if slope_value > 0 else "upper"
    return symbol, kind, -intercept_value / slope_value, op == ">"


def _solve_for(equation: sympy.Expr, symbol: sympy.Symbol) -> list[sympy.Expr] | None:
    """Exact solutions of `equation = 0` for `symbol` when its numerator is of degree 1 or 2 in it, or
    a binomial A symbol^n + C."""
    numerator = sympy.numer(sympy.together(equation))
    try:
        polynomial = sympy.Poly(sympy.expand(numerator), symbol)
    except sympy.PolynomialError:
        return None
    coefficients = polynomial.all_coeffs()
    if polynomial.degree() == 1:
        return [sympy.cancel(-coefficients[1] / coefficients[0])]
    if polynomial.degree() == 2:
        a, b, c = coefficients
        if b == 0:
            root = sympy.sqrt(sympy.cancel(-c / a))
            return [root, -root]
        discriminant = sympy.factor(b**2 - 4 * a * c)
        return [(-b + sympy.sqrt(discriminant)) / (2 * a), (-b - sympy.sqrt(discriminant)) / (2 * a)]
    if _is_binomial(polynomial):
        # A x^n + C = 0 (bcd = 1 as d^3 = 1/(bc)^3): the real n-th roots of -C/A.
        value = sympy.cancel(-coefficients[-1] / coefficients[0])
        if polynomial.degree() % 2:
            return [sympy.real_root(value, polynomial.degree())]
        root = value ** sympy.Rational(1, polynomial.degree())
        return [root, -root]
    return None


def _is_binomial(polynomial: sympy.Poly) -> bool:
    """Whether the polynomial (in one symbol, other symbols in its coefficients) is A x^n + C."""
    coefficients = polynomial.all_coeffs()
    return polynomial.degree() > 2 and coefficients[-1] != 0 and all(c == 0 for c in coefficients[1:-1])


def _elimination_degree(equation: sympy.Expr, symbol: sympy.Symbol) -> int | None:
    numerator = sympy.numer(sympy.together(equation))
    try:
        polynomial = sympy.Poly(sympy.expand(numerator), symbol)
    except sympy.PolynomialError:
        return None
    degree = polynomial.degree()
    return degree if degree in (1, 2) or _is_binomial(polynomial) else None


@dataclass
class _Domain:
    """The problem seen by the float search.

    `free` are the sampled variables; every branch maps each eliminated variable to an exact expression
    in the free ones (one branch per choice of square-root sign). `unresolved` are equality assumptions
    that could not be eliminated: the search only treats them numerically, so a point is confirmed only
    if it satisfies them exactly by chance.
    """

    free: tuple[sympy.Symbol, ...]
    branches: list[dict[sympy.Symbol, sympy.Expr]]
    bounds: dict[sympy.Symbol, _Bound]
    unresolved: list[Relation]


def _analyse(problem: Problem) -> _Domain:
    variables = problem.variables
    bound_of: dict[sympy.Symbol, dict] = {v: {} for v in variables}
    for assumption in problem.assumptions:
        found = _simple_bound(assumption, variables)
        if found is None:
            continue
        symbol, kind, value, strict = found
        current = bound_of[symbol].get(kind)
        tighter = current is None or (value > current[0] if kind == "lower" else value < current[0])
        if tighter or (current is not None and value == current[0] and strict):
            bound_of[symbol][kind] = (value, strict)

    branches: list[dict[sympy.Symbol, sympy.Expr]] = [{}]
    eliminated: set[sympy.Symbol] = set()
    unresolved: list[Relation] = []
    for assumption in problem.assumptions:
        if assumption.op != "=":
            continue
        # Choose the variable on the first branch: prefer degree 1 (rational elimination), then
        # variables without simple bounds (their sign is free), then fewer occurrences.
        equation = sympy.sympify(assumption.lhs - assumption.rhs).xreplace(branches[0])
        choices = []
        for symbol in sorted(equation.free_symbols - eliminated, key=lambda s: s.name):
            degree = _elimination_degree(equation, symbol)
            if degree is not None:
                choices.append((degree, bool(bound_of[symbol]), equation.count(symbol), symbol.name, symbol))
        if not choices:
            unresolved.append(assumption)
            continue
        symbol = min(choices)[-1]
        new_branches = []
        for branch in branches:
            solutions = _solve_for(sympy.sympify(assumption.lhs - assumption.rhs).xreplace(branch), symbol)
            for solution in solutions or []:
                updated = {k: v.xreplace({symbol: solution}) for k, v in branch.items()}
                updated[symbol] = solution
                new_branches.append(updated)
        if not new_branches:
            unresolved.append(assumption)
            continue
        branches = new_branches[:MAX_BRANCHES]
        eliminated.add(symbol)

    free = tuple(v for v in variables if v not in eliminated)
    bounds = {}
    for symbol in free:
        lower = bound_of[symbol].get("lower", (-math.inf, False))
        upper = bound_of[symbol].get("upper", (math.inf, False))
        bounds[symbol] = _Bound(lower[0], upper[0], lower[1], upper[1])
    return _Domain(free, branches, bounds, unresolved)


# ----------------------------------------------------------------------------------------------------
# Float evaluation


def _lambdify(symbols, expr) -> Callable:
    return sympy.lambdify(symbols, expr, modules="numpy")


def _relative_slack(lhs: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """(lhs - rhs) scaled into [-1, 1]; nan where a side is not a finite real."""
    lhs = np.asarray(lhs, dtype=complex) if np.iscomplexobj(lhs) else np.asarray(lhs, dtype=float)
    rhs = np.asarray(rhs, dtype=complex) if np.iscomplexobj(rhs) else np.asarray(rhs, dtype=float)
    if np.iscomplexobj(lhs) or np.iscomplexobj(rhs):
        real = (np.imag(lhs) == 0) & (np.imag(rhs) == 0)
        lhs, rhs = np.where(real, np.real(lhs), np.nan), np.where(real, np.real(rhs), np.nan)
    scale = np.abs(lhs) + np.abs(rhs)
    slack = np.where(scale > 0, (lhs - rhs) / np.where(scale > 0, scale, 1.0), 0.0)
    return np.where(np.isfinite(lhs) & np.isfinite(rhs), slack, np.nan)


class _Evaluator:
    """Vectorised float evaluation of the problem at free-variable points, for one branch."""

    def __init__(self, problem: Problem, domain: _Domain, branch: dict[sympy.Symbol, sympy.Expr]):
        self.free = domain.free
        self.variables = problem.variables
        self.eliminated = [(symbol, _lambdify(self.free, expr)) for symbol, expr in branch.items()]
        checked = [a for a in problem.assumptions if a.op != "=" or a in domain.unresolved]
        self.assumptions = [
            (a.op, _lambdify(self.variables, a.lhs), _lambdify(self.variables, a.rhs)) for a in checked
        ]
        self.goal_op = problem.goal.op
        self.goal_lhs = _lambdify(self.variables, problem.goal.lhs)
        self.goal_rhs = _lambdify(self.variables, problem.goal.rhs)

    def _full(self, points: np.ndarray) -> list[np.ndarray]:
        columns = {symbol: points[:, i] for i, symbol in enumerate(self.free)}
        arguments = [points[:, i] for i in range(points.shape[1])]
        for symbol, function in self.eliminated:
            columns[symbol] = _broadcast(function(*arguments), len(points))
        return [columns[symbol] for symbol in self.variables]

    def evaluate(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(infeasibility >= 0, goal violation score) per point; lower score = more violated.

        infeasibility is 0 for numerically feasible points, positive otherwise (inf when undefined).
        The score is the goal's relative slack (for '=' goals minus its absolute value), nan when the
        goal is undefined.
        """
        with np.errstate(all="ignore"):
            values = self._full(points)
            infeasibility = np.zeros(len(points))
            for op, lhs_function, rhs_function in self.assumptions:
                slack = _relative_slack(
                    _broadcast(lhs_function(*values), len(points)), _broadcast(rhs_function(*values), len(points))
                )
                if op in ("<=", "<"):
                    slack = -slack
                if op == "=":
                    excess = np.maximum(np.abs(slack) - STRICT_EQUALITY_WINDOW, 0.0)
                else:
                    excess = np.maximum(-slack - FEASIBILITY_TOLERANCE, 0.0)
                infeasibility = infeasibility + np.where(np.isnan(slack), np.inf, excess)
            goal = _relative_slack(
                _broadcast(self.goal_lhs(*values), len(points)), _broadcast(self.goal_rhs(*values), len(points))
            )
            if self.goal_op in ("<=", "<"):
                goal = -goal
            elif self.goal_op == "=":
                goal = -np.abs(goal)
        return infeasibility, goal

    def is_candidate(self, score: np.ndarray) -> np.ndarray:
        if self.goal_op in (">", "<"):
            return score <= STRICT_EQUALITY_WINDOW
        return score < -VIOLATION_THRESHOLD


def _broadcast(value, count: int) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim == 0:
        array = np.full(count, array)
    return array


# ----------------------------------------------------------------------------------------------------
# Sampling and reparametrisation of the free variables


def _sample(domain: _Domain, rng: np.random.Generator, count: int) -> np.ndarray:
    """Points for the free variables, mixing scales: each row has a scale s (log-uniform 1e-3..1e3) and
    a spread w; positive offsets are s * 10^U(-w, w) (w small: near-symmetric points, where many
    olympiad inequalities are tight; w large: extreme ratios), or uniform on (0, s). Variables with
    non-strict bounds sit exactly on the bound now and then, and bounded intervals are sampled uniformly
    and near their ends."""
    n = len(domain.free)
    scale = 10.0 ** rng.uniform(-3, 3, size=(count, 1))
    spread = rng.choice([0.02, 0.3, 1.0, 3.0], size=(count, 1))
    offsets = scale * 10.0 ** (spread * rng.uniform(-1, 1, size=(count, n)))
    uniform_rows = rng.random(count) < 0.25
    offsets[uniform_rows] = scale[uniform_rows] * rng.random((int(uniform_rows.sum()), n))
    on_bound = rng.random((count, n)) < 0.06
    points = np.empty((count, n))
    for i, symbol in enumerate(domain.free):
        bound = domain.bounds[symbol]
        offset = offsets[:, i]
        if math.isfinite(bound.lower) and math.isfinite(bound.upper):
            width = bound.upper - bound.lower
            fraction = rng.random(count)
            near_end = rng.random(count) < 0.4
            tiny = 10.0 ** rng.uniform(-6, 0, size=count)
            fraction = np.where(near_end, np.where(rng.random(count) < 0.5, tiny, 1 - tiny), fraction)
            column = bound.lower + width * fraction
            column = np.where(on_bound[:, i] & ~bound.lower_strict & (rng.random(count) < 0.5), bound.lower, column)
            column = np.where(on_bound[:, i] & ~bound.upper_strict & (rng.random(count) < 0.5), bound.upper, column)
        elif math.isfinite(bound.lower):
            column = bound.lower + np.where(on_bound[:, i] & (not bound.lower_strict), 0.0, offset)
        elif math.isfinite(bound.upper):
            column = bound.upper - np.where(on_bound[:, i] & (not bound.upper_strict), 0.0, offset)
        else:
            sign = np.where(rng.random(count) < 0.5, -1.0, 1.0)
            column = np.where(on_bound[:, i], 0.0, sign * offset)
        points[:, i] = column
    return points


def _to_parameters(domain: _Domain, points: np.ndarray) -> np.ndarray:
    """Unconstrained coordinates t of points (inverse of `_from_parameters`)."""
    t = np.empty_like(points)
    with np.errstate(all="ignore"):
        for i, symbol in enumerate(domain.free):
            b, v = domain.bounds[symbol], points[:, i]
            if math.isfinite(b.lower) and math.isfinite(b.upper):
                w = np.clip((v - b.lower) / (b.upper - b.lower), 1e-15, 1 - 1e-15)
                t[:, i] = np.log(w / (1 - w))
            elif math.isfinite(b.lower):
                t[:, i] = np.log(np.maximum(v - b.lower, 1e-300))
            elif math.isfinite(b.upper):
                t[:, i] = np.log(np.maximum(b.upper - v, 1e-300))
            else:
                t[:, i] = np.arcsinh(v)
    return t


def _from_parameters(domain: _Domain, t: np.ndarray) -> np.ndarray:
    """Points of the free variables from unconstrained t: bounds via exp / logistic, free via sinh
    (linear near 0, exponential far out, so that the optimiser moves across scales)."""
    points = np.empty_like(t)
    with np.errstate(all="ignore"):
        for i, symbol in enumerate(domain.free):
            b, s = domain.bounds[symbol], np.clip(t[:, i], -690, 690)
            if math.isfinite(b.lower) and math.isfinite(b.upper):
                points[:, i] = b.lower + (b.upper - b.lower) / (1 + np.exp(-s))
            elif math.isfinite(b.lower):
                points[:, i] = b.lower + np.exp(s)
            elif math.isfinite(b.upper):
                points[:, i] = b.upper - np.exp(s)
            else:
                points[:, i] = np.sinh(s)
    return points


# ----------------------------------------------------------------------------------------------------
# Confirmation


class _Confirmer:
    """Rounds float points to rational ones and checks them exactly."""

    def __init__(self, problem: Problem, domain: _Domain):
        self.problem = problem
        self.domain = domain
        self.tried: set[tuple] = set()

    def confirm(self, point: np.ndarray, branch_index: int, evaluator: _Evaluator, deadline: float):
        branch = self.domain.branches[branch_index]
        previous = None
        for limit in DENOMINATOR_LIMITS + (None,):
            if time.monotonic() > deadline:
                return None
            fractions = tuple(
                Fraction(float(x)) if limit is None else Fraction(float(x)).limit_denominator(limit) for x in point
            )
            if fractions == previous:
                continue
            previous = fractions
            key = (branch_index, fractions)
            if key in self.tried:
                continue
            self.tried.add(key)
            rounded = np.array([[float(f) for f in fractions]]) if fractions else np.zeros((1, 0))
            infeasibility, score = evaluator.evaluate(rounded)
            # The float filter is loose: the exact check below is what decides.
            if not (infeasibility[0] < 1e-6 and score[0] <= STRICT_EQUALITY_WINDOW):
                continue
            found = self._check_exactly(fractions, branch)
            if found is not None:
                return self._simplified(fractions, branch, found, deadline)
        return None

    def _simplified(self, fractions: tuple[Fraction, ...], branch: dict, found: Counterexample,
                    deadline: float) -> Counterexample:
        """A more readable counterexample when one is near: the point scaled so that a coordinate is 1
        (homogeneous statements stay false), then each coordinate replaced by a smaller number. Every
        candidate goes through the same exact check; the first point is kept otherwise."""
        def size(point):
            return sum(abs(f.numerator) + f.denominator for f in point)

        best, best_found = fractions, found
        scalings = [tuple(f / pivot for f in fractions) for pivot in fractions if pivot > 0]
        for candidate in sorted(scalings, key=size):
            if time.monotonic() > deadline or size(candidate) >= size(best):
                break
            checked = self._check_exactly(candidate, branch)
            if checked is not None:
                best, best_found = candidate, checked
                break
        for index in range(len(best)):
            for simple in (Fraction(1), Fraction(0), Fraction(2), Fraction(1, 2), Fraction(3), Fraction(-1)):
                if time.monotonic() > deadline or size((simple,)) >= size((best[index],)):
                    continue
                candidate = best[:index] + (simple,) + best[index + 1:]
                checked = self._check_exactly(candidate, branch)
                if checked is not None:
                    best, best_found = candidate, checked
                    break
        return best_found

    def _check_exactly(self, fractions: tuple[Fraction, ...], branch: dict) -> Counterexample | None:
        values = {s: sympy.Rational(f.numerator, f.denominator) for s, f in zip(self.domain.free, fractions)}
        for symbol, expression in branch.items():
            values[symbol] = expression.xreplace(values)
        if any(_is_undefined(v) or v.free_symbols for v in values.values()):
            return None
        all_rational = True
        for assumption in self.problem.assumptions:
            lhs, rhs = _relation_at(assumption, values)
            verdict, rational = _decide(lhs, assumption.op, rhs)
            all_rational &= rational
            if verdict is not True:
                return None
        lhs, rhs = _relation_at(self.problem.goal, values)
        verdict, rational = _decide(lhs, self.problem.goal.op, rhs)
        if verdict is not False:
            return None
        all_rational &= rational
        ordered = {symbol.name: values[symbol] for symbol in self.problem.variables}
        return Counterexample(ordered, lhs, rhs, METHOD_EXACT if all_rational else METHOD_INTERVAL)


# ----------------------------------------------------------------------------------------------------
# Search


def refute(problem: Problem, timeout: float = 10.0, seed: int = 0) -> Counterexample | None:
    """Search for a point where every assumption holds and the goal fails; return it once confirmed
    exactly (see the module docstring), or None when none was confirmed within `timeout` seconds of
    wall-clock time. None is no proof of the statement."""
    if not isinstance(problem, Problem):
        raise RefuteError(f"refute expects a Problem, got {type(problem).__name__}")
    if not timeout > 0:
        raise RefuteError(f"timeout must be positive, got {timeout!r}")
    deadline = time.monotonic() + timeout
    domain = _analyse(problem)
    evaluators = [_Evaluator(problem, domain, branch) for branch in domain.branches]
    confirmer = _Confirmer(problem, domain)

    round_index = 0
    while time.monotonic() < deadline:
        rng = np.random.default_rng([seed, round_index])
        for branch_index, evaluator in enumerate(evaluators):
            found = _search_round(domain, evaluator, branch_index, confirmer, rng, deadline)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                return None
        round_index += 1
        if not domain.free:  # a single point: nothing more to sample
            return None
    return None


def feasible_points(problem: Problem, count: int = 256, seed: int = 0) -> list[dict[sympy.Symbol, float]]:
    """Float points (variable -> value) where every assumption holds numerically, drawn the way the
    refuter samples (equality assumptions solved for a variable where possible). For untrusted
    heuristics such as ranking candidate subgoals; no exactness is claimed."""
    domain = _analyse(problem)
    if not domain.free:
        return []
    rng = np.random.default_rng([seed, 7])
    points = _sample(domain, rng, count)
    found = []
    for branch in domain.branches:
        evaluator = _Evaluator(problem, domain, branch)
        infeasibility, scores = evaluator.evaluate(points)
        with np.errstate(all="ignore"):
            columns = evaluator._full(points)
        for index in np.flatnonzero((infeasibility == 0) & ~np.isnan(scores)):
            values = {symbol: float(np.real(column[index])) for symbol, column in zip(problem.variables, columns)}
            if all(math.isfinite(value) for value in values.values()):
                found.append(values)
    return found


def _try_candidates(points, scores, feasible, evaluator, branch_index, confirmer, deadline, limit):
    candidates = np.flatnonzero(feasible & evaluator.is_candidate(scores))
    for index in candidates[np.argsort(scores[candidates], kind="stable")][:limit]:
        found = confirmer.confirm(points[index], branch_index, evaluator, deadline)
        if found is not None:
            return found
    return None


def _search_round(domain, evaluator, branch_index, confirmer, rng, deadline) -> Counterexample | None:
    """One round: sample, confirm the best violations, else improve the best feasible points locally."""
    count = SAMPLES_PER_ROUND if domain.free else 1
    points = _sample(domain, rng, count) if domain.free else np.zeros((1, 0))
    infeasibility, scores = evaluator.evaluate(points)
    feasible = (infeasibility == 0) & ~np.isnan(scores)
    found = _try_candidates(points, scores, feasible, evaluator, branch_index, confirmer, deadline, 4)
    if found is not None or not domain.free or not feasible.any():
        return found

    # Vectorised hill climbing in the unconstrained coordinates from the best feasible samples.
    order = np.flatnonzero(feasible)[np.argsort(scores[feasible], kind="stable")][:48]
    t = _to_parameters(domain, points[order])
    best = scores[order].copy()
    step = np.full(len(t), 0.5)
    for _ in range(60):
        if time.monotonic() > deadline:
            return None
        proposal = t + step[:, None] * rng.standard_normal(t.shape)
        proposal_infeasibility, proposal_scores = evaluator.evaluate(_from_parameters(domain, proposal))
        better = (proposal_infeasibility == 0) & (proposal_scores < best)
        t[better], best[better] = proposal[better], proposal_scores[better]
        step = np.where(better, step * 1.5, np.maximum(step * 0.8, 1e-6))
    climbed = _from_parameters(domain, t)
    found = _try_candidates(
        climbed, best, np.ones(len(t), bool), evaluator, branch_index, confirmer, deadline, 4
    )
    if found is not None:
        return found

    # Nelder-Mead polish of the three best climbed points, on a penalised objective.
    def objective(x: np.ndarray) -> float:
        infeasible, score = evaluator.evaluate(_from_parameters(domain, x[None, :]))
        if np.isnan(score[0]) or not np.isfinite(infeasible[0]):
            return 10.0
        return float(score[0]) + (2.0 + float(infeasible[0]) if infeasible[0] > 0 else 0.0)

    for index in np.argsort(best, kind="stable")[:3]:
        if time.monotonic() > deadline:
            return None
        result = minimize(
            objective, t[index], method="Nelder-Mead",
            options={"maxfev": 300 * len(domain.free), "xatol": 1e-12, "fatol": 1e-15},
        )
        polished = _from_parameters(domain, result.x[None, :])
        infeasible, score = evaluator.evaluate(polished)
        found = _try_candidates(
            polished, score, infeasible == 0, evaluator, branch_index, confirmer, deadline, 1
        )
        if found is not None:
            return found
    return None
