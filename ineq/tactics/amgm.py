"""The AM-GM tactic: prove `P >= 0` by covering every negative term of `P` with weighted AM-GM
instances over its positive terms.

Write the goal as `P = sum_k c_k m_k` (a polynomial after clearing denominators, or a Laurent
polynomial when every denominator is a monomial in positive variables). Positive terms whose
monomial is nonnegative on the domain are *sources*; negative terms are *sinks*. A sink `-d * m`
is covered when `d * m <= sum_i y_i * m_i` by weighted AM-GM, i.e. `sum_i y_i = d` and
`sum_i y_i * e_i = d * e` (exponent balance). A linear program (HiGHS) finds amounts `y_ij` with
`sum_j y_ij <= c_i`; its vertex is then recomputed exactly in rationals, so the certificate is exact.
Unspent source coefficients are nonnegative monomials, written as `Square` pieces.

Muirhead-type inequalities (symmetric or cyclic sums) are covered by the same program: a majorised
term is a convex combination of permutations of the majorising term.

An equality assumption `monomial = k` (e.g. `abc = 1`) is used when a sink can be covered after
multiplying it by a power of the monomial: an integer power through an `EqualityMultiple`, a
fractional one (a + b + c >= 3 (abc)^(1/3) = 3) through the kernel's `Pin` of the AM-GM mean, when
k to that power is rational. Any other equality assumption makes the tactic yield nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

import numpy as np
import sympy
from scipy.optimize import linprog

from ineq.kernel import AMGM, Domain, EqualityMultiple, Identity, Pin, Square, check
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import clear_denominators
from ineq.tactics.exact_linear import solve_exactly

TACTIC_NAME = "amgm"

Exponents = tuple[int, ...]
Terms = dict[Exponents, Fraction]

# Amounts below this are zero in the floating-point solution (coefficients are of order 1).
_SUPPORT_TOLERANCE = 1e-9
# Denominator bound when a free parameter of a degenerate vertex has to be rounded.
_ROUNDING_DENOMINATOR = 10**6
# Largest denominator of a fractional shift (a cube root is 1/3; olympiad constraints stay small).
_SHIFT_DENOMINATOR = 12


class AMGMInputError(ValueError):
    """The goal handed to the tactic is not a Problem."""


@dataclass(frozen=True)
class _Form:
    """`prod(multiplier) * g == sum(c * monomial)` with `terms` mapping exponent vectors to c."""

    multiplier: tuple[sympy.Expr, ...]
    terms: Terms
    lead: str | None  # the student's line for the multiplication, if any


@dataclass(frozen=True)
class _MonomialConstraint:
    """An equality assumption `x^f = k` with `k` a positive rational."""

    exponents: Exponents
    value: Fraction


@dataclass(frozen=True)
class _Instance:
    """`coeff * (sum_i weights_i * x^sources_i - x^(sink + shift * constraint))`; it covers the
    sink term `-coeff * k^shift * x^sink` (k the constraint's value; shift 0 without one)."""

    coeff: Fraction
    weights: tuple[tuple[Exponents, Fraction], ...]
    sink: Exponents
    shift: Fraction  # an integer unless the kernel pins the mean


@dataclass(frozen=True)
class _Cover:
    instances: tuple[_Instance, ...]
    leftover: Terms  # unspent source coefficients (all > 0)


def amgm(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield closing attempts (no subgoals) whose certificate, an `Identity` made of `AMGM` pieces,
    `Square` pieces for leftover nonnegative monomials and at most one `EqualityMultiple`, the
    kernel has accepted. Yields nothing for equality goals, for goals whose terms are not monomials
    after clearing denominators, or when no AM-GM cover exists."""
    if not isinstance(goal, Problem):
        raise AMGMInputError(f"amgm expects a Problem, got {type(goal).__name__}")
    _, op = goal.goal.normalized()
    if op == "=":
        return
    domain = Domain(goal)
    constraint = _monomial_constraint(goal, domain)
    if domain.equalities and constraint is None:
        return
    signs = tuple(_sign(domain, v) for v in goal.variables)
    tried: list[Terms] = []
    for form in _forms(goal):
        if deadline.expired():
            return
        if form.terms in tried:
            continue
        tried.append(form.terms)
        cover = _find_cover(form.terms, signs, constraint, strict=op == ">")
        if cover is None:
            continue
        certificate = _certificate(goal, form, cover, constraint, strict=op == ">")
        if certificate is None or not check(goal, certificate):
            continue
        explanation = _explain(goal.variables, form, cover, constraint, op)
        yield Attempt(TACTIC_NAME, goal, (), lambda _subgoals, c=certificate: c, explanation)


# --- the goal as a sum of monomials ---------------------------------------------------------------


def _forms(goal: Problem) -> Iterator[_Form]:
    """The goal as a Laurent polynomial as written (no multiplier; roots of products of positive
    variables split into powers, as the kernel reads them), then with denominators cleared."""
    g, _ = goal.goal.normalized()
    laurent = _monomial_terms(_split_positive_roots(goal, g), goal.variables)
    if laurent is not None:
        yield _Form((), laurent, None)
    cleared = clear_denominators(goal)
    if cleared is not None:
        terms = _monomial_terms(cleared.polynomial, goal.variables)
        if terms is not None:
            yield _Form(cleared.multiplier, terms, cleared.explanation())


def _split_positive_roots(goal: Problem, expr: sympy.Expr) -> sympy.Expr:
    """`expr` expanded with (x y z)^(1/3) written x^(1/3) y^(1/3) z^(1/3) for variables assumed > 0
    (the kernel tests identities the same way)."""
    positive = {v: sympy.Symbol(v.name, positive=True) for v in Domain(goal).positive}
    back = {p: v for v, p in positive.items()}
    return sympy.expand(sympy.expand(expr.xreplace(positive)).xreplace(back))


def _monomial_terms(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> Terms | None:
    """`expr` (expanded) as {exponents: coefficient}, or None if a term is not a rational times a
    product of rational powers of the variables (fractional ones are checked against the signs later)."""
    index = {v: k for k, v in enumerate(variables)}
    terms: Terms = {}
    for term in sympy.Add.make_args(expr):
        coeff, rest = term.as_coeff_Mul()
        if not coeff.is_Rational:
            return None
        exponents = [0] * len(variables)
        for factor in sympy.Mul.make_args(rest):
            if factor == 1:
                continue
            base, power = factor.as_base_exp()
            if base not in index or not power.is_Rational:
                return None
            exponents[index[base]] += int(power) if power.is_Integer else Fraction(int(power.p), int(power.q))
        key = tuple(exponents)
        terms[key] = terms.get(key, Fraction(0)) + Fraction(int(coeff.p), int(coeff.q))
    return {e: c for e, c in terms.items() if c != 0}


def _monomial_constraint(goal: Problem, domain: Domain) -> _MonomialConstraint | None:
    """The single equality assumption when it reads `x^f = k` with k > 0 (f >= 0, not all zero)."""
    if len(domain.equalities) != 1:
        return None
    terms = _monomial_terms(domain.equalities[0], goal.variables)
    if terms is None or len(terms) != 2:
        return None
    zero = (0,) * len(goal.variables)
    if zero not in terms:
        return None
    (exponents, coeff), = [(e, c) for e, c in terms.items() if e != zero]
    value = -terms[zero] / coeff
    if value <= 0 or any(x < 0 for x in exponents):
        return None
    return _MonomialConstraint(exponents, value)


def _sign(domain: Domain, variable: sympy.Symbol) -> str:
    if variable in domain.positive:
        return "positive"
    if variable in domain.nonnegative:
        return "nonnegative"
    return "free"


def _is_nonnegative_monomial(exponents: Exponents, signs: tuple[str, ...]) -> bool:
    """Whether the kernel accepts x^exponents as an AM-GM term: negative exponents only on positive
    variables, odd exponents only on variables with a sign."""
    for e, sign in zip(exponents, signs):
        if sign != "positive" and Fraction(e).denominator != 1:
            return False  # x^(1/2) is a positive real only for x > 0 (the kernel's rule too)
        if sign == "nonnegative" and e < 0:
            return False
        if sign == "free" and (e < 0 or e % 2):
            return False
    return True


# --- the linear program and its exact vertex --------------------------------------------------------


def _find_cover(terms: Terms, signs: tuple[str, ...], constraint: _MonomialConstraint | None,
                strict: bool) -> _Cover | None:
    sources = {e: c for e, c in terms.items() if c > 0}
    if any(not _is_nonnegative_monomial(e, signs) for e in sources):
        return None  # a positive term of unknown sign cannot be bounded by AM-GM pieces
    sinks = {e: -c for e, c in terms.items() if c < 0}
    if any(not _is_nonnegative_monomial(e, signs) for e in sinks if any(Fraction(x).denominator != 1 for x in e)):
        return None  # a fractional power of a variable of unknown sign
    unshifted = {e: 0 for e in sinks}
    candidates = [unshifted]
    if sinks and constraint is not None:
        guessed = _guess_shifts(sources, sinks, constraint)
        if guessed is not None and guessed != unshifted:
            candidates.insert(0, guessed)
    for shifts in candidates:
        cover = _cover_with_shifts(sources, sinks, shifts, signs, constraint, strict)
        if cover is not None:
            return cover
    return None


def _cover_with_shifts(sources: Terms, sinks: Terms, shifts: dict, signs: tuple[str, ...],
                       constraint: _MonomialConstraint | None, strict: bool) -> _Cover | None:
    # Sink j, shifted, asks for amount d_j / k^s_j at exponent e_j + s_j * f.
    targets = []
    for e, d in sinks.items():
        s = shifts[e]
        amount = d / _exact_power(constraint.value, s) if s else d
        exponent = tuple(x + s * y for x, y in zip(e, constraint.exponents)) if s else e
        targets.append((e, s, amount, exponent))
    source_list = list(sources)
    # A source with a negative or fractional exponent cannot be left over: no Square piece writes it.
    must_spend = [any(x < 0 or Fraction(x).denominator != 1 for x in e) for e in source_list]
    allocation = _solve_allocation(source_list, [sources[e] for e in source_list], must_spend,
                                   [(t[2], t[3]) for t in targets])
    if allocation is None:
        return None
    instances = []
    spent = {e: Fraction(0) for e in source_list}
    for j, (sink, shift, amount, _) in enumerate(targets):
        weights = tuple((source_list[i], y / amount) for (i, jj), y in sorted(allocation.items())
                        if jj == j and y != 0)
        for source, weight in weights:
            spent[source] += weight * amount
        instances.append(_Instance(amount, weights, sink, shift))
    leftover = {e: sources[e] - spent[e] for e in source_list if sources[e] != spent[e]}
    if strict and not any(_is_strictly_positive(e, signs) for e in leftover):
        return None
    return _Cover(tuple(instances), leftover)


def _is_strictly_positive(exponents: Exponents, signs: tuple[str, ...]) -> bool:
    return all(e == 0 or (e > 0 and sign == "positive") for e, sign in zip(exponents, signs))


def _solve_allocation(sources: list[Exponents], capacity: list[Fraction], must_spend: list[bool],
                      targets: list[tuple[Fraction, Exponents]]) -> dict[tuple[int, int], Fraction] | None:
    """Exact amounts y[(i, j)] >= 0 with, for each target j = (amount, exponent),
    sum_i y_ij = amount and sum_i y_ij * e_i = amount * exponent, and sum_j y_ij <= capacity_i
    (equality where must_spend). None if the LP is infeasible or its vertex cannot be made exact."""
    n_sources, n_targets = len(sources), len(targets)
    if n_targets == 0:
        return {} if not any(must_spend) else None
    if n_sources == 0:
        return None
    dims = len(sources[0])
    pairs = [(i, j) for j in range(n_targets) for i in range(n_sources)]
    column = {pair: k for k, pair in enumerate(pairs)}
    rows_eq, rhs_eq, exact_eq = [], [], []
    for j, (amount, exponent) in enumerate(targets):
        for axis in range(dims + 1):  # axis == dims: the amounts themselves
            row = np.zeros(len(pairs))
            coefficients = {}
            for i in range(n_sources):
                value = 1 if axis == dims else sources[i][axis]
                if value:
                    row[column[(i, j)]] = value
                    coefficients[(i, j)] = Fraction(value)
            target = amount * (1 if axis == dims else exponent[axis])
            if not coefficients and target == 0:
                continue
            rows_eq.append(row)
            rhs_eq.append(float(target))
            exact_eq.append((coefficients, target))
    capacity_rows = []
    for i in range(n_sources):
        row = np.zeros(len(pairs))
        for j in range(n_targets):
            row[column[(i, j)]] = 1
        capacity_rows.append(({(i, j): Fraction(1) for j in range(n_targets)}, capacity[i]))
        if must_spend[i]:
            rows_eq.append(row)
            rhs_eq.append(float(capacity[i]))
    a_ub = np.array([[1.0 if i == p[0] else 0.0 for p in pairs] for i in range(n_sources)])
    b_ub = np.array([float(c) for c in capacity])
    # Prefer nearby sources (squared exponent distance): the natural instances, e.g. a^2 b from
    # a^3 and b^3 rather than from far-away terms.
    cost = np.array([1.0 + sum((x - y) ** 2 for x, y in zip(sources[i], targets[j][1])) for i, j in pairs])
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, A_eq=np.array(rows_eq), b_eq=np.array(rhs_eq),
                     bounds=(0, None), method="highs-ds")
    if result.status != 0:
        return None
    y = result.x
    support = [pair for pair in pairs if y[column[pair]] > _SUPPORT_TOLERANCE]
    slack = b_ub - a_ub @ y
    tight = [capacity_rows[i] for i in range(n_sources) if must_spend[i] or slack[i] < _SUPPORT_TOLERANCE]
    for equations in (exact_eq + tight, exact_eq):
        exact = _exact_solution(support, equations, {p: y[column[p]] for p in support})
        if exact is not None and _feasible(exact, capacity_rows, must_spend):
            return exact
    return None


def _feasible(y: dict, capacity_rows: list, must_spend: list[bool]) -> bool:
    if any(value < 0 for value in y.values()):
        return False
    for (coefficients, limit), spend_all in zip(capacity_rows, must_spend):
        used = sum(y.get(pair, 0) for pair in coefficients)
        if used > limit or (spend_all and used != limit):
            return False
    return True


def _exact_solution(support: list, equations: list, approximate: dict) -> dict | None:
    """Solve the equations (each `({pair: coeff}, rhs)`) exactly over the support pairs (others are 0)
    by Gauss-Jordan elimination in Fractions; free unknowns take their rounded LP values."""
    position = {pair: k for k, pair in enumerate(support)}
    rows = []
    for coefficients, rhs in equations:
        row = [Fraction(0)] * len(support) + [Fraction(rhs)]
        for pair, value in coefficients.items():
            if pair in position:
                row[position[pair]] = value
        rows.append(row)
    values = solve_exactly(rows, len(support), lambda col: Fraction(approximate[support[col]]).limit_denominator(
        _ROUNDING_DENOMINATOR))
    if values is None:
        return None  # inconsistent: the float support or the tight set was wrong
    return {pair: value for pair, value in zip(support, values)}


def _guess_shifts(sources: Terms, sinks: Terms, constraint: _MonomialConstraint) -> dict | None:
    """An integer power s_j of the constraint monomial to multiply each sink by: the one nearest the
    middle of the range where x^(e_j + s f) lies in the convex hull of the sources (for a
    homogeneous goal the range is one point); None if some sink has no such integer."""
    source_list = list(sources)
    dims = len(constraint.exponents)
    shifts = {}
    for sink in sinks:
        # Unknowns: a weight per source, then the shift z; sum w = 1, sum w e_i - z f = e_j.
        rows = [[1.0] * len(source_list) + [0.0]]
        rhs = [1.0]
        for axis in range(dims):
            rows.append([float(e[axis]) for e in source_list] + [-float(constraint.exponents[axis])])
            rhs.append(float(sink[axis]))
        bounds = [(0, None)] * len(source_list) + [(None, None)]
        ends = []
        for direction in (1.0, -1.0):
            cost = [0.0] * len(source_list) + [direction]
            result = linprog(cost, A_eq=np.array(rows), b_eq=np.array(rhs), bounds=bounds, method="highs-ds")
            if result.status != 0:
                return None
            ends.append(result.x[-1])
        low, high = math.ceil(ends[0] - _SUPPORT_TOLERANCE), math.floor(ends[1] + _SUPPORT_TOLERANCE)
        middle = (ends[0] + ends[1]) / 2
        if low <= high:
            shifts[sink] = Fraction(min(range(low, high + 1), key=lambda s: (abs(s - middle), abs(s))))
            continue
        # No integer power fits (a homogeneous sink needs exactly one power): try a small fraction.
        fraction = Fraction(middle).limit_denominator(_SHIFT_DENOMINATOR)
        if not ends[0] - _SUPPORT_TOLERANCE <= fraction <= ends[1] + _SUPPORT_TOLERANCE:
            return None
        if _exact_power(constraint.value, fraction) is None:
            return None
        shifts[sink] = fraction
    return shifts


def _exact_power(value: Fraction, power: Fraction) -> Fraction | None:
    """value ** power when it is rational (8 ** (1/3) = 2), else None."""
    result = sympy.Rational(value.numerator, value.denominator) ** sympy.Rational(power.numerator, power.denominator)
    return Fraction(int(result.p), int(result.q)) if result.is_Rational else None


# --- certificate and explanation ---------------------------------------------------------------------


def _monomial(variables: tuple[sympy.Symbol, ...], exponents: Exponents) -> sympy.Expr:
    return sympy.Mul(*(v ** e for v, e in zip(variables, exponents)))


def _rational(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _square(variables, exponents: Exponents, coeff: Fraction, strict: bool) -> Square:
    """`coeff * x^exponents` as a Square piece. `strict` writes every (positive) variable as atoms
    so that the kernel sees a strictly positive piece; otherwise odd powers become one atom each
    and the even part is the squared polynomial."""
    if strict:
        atoms = tuple(v for v, e in zip(variables, exponents) for _ in range(e))
        return Square(_rational(coeff), atoms, sympy.Integer(1))
    atoms = tuple(v for v, e in zip(variables, exponents) if e % 2)
    root = _monomial(variables, tuple(e // 2 for e in exponents))
    return Square(_rational(coeff), atoms, root)


def _certificate(goal: Problem, form: _Form, cover: _Cover, constraint: _MonomialConstraint | None,
                 strict: bool) -> Identity | None:
    variables = goal.variables
    signs = tuple(_sign(Domain(goal), v) for v in variables)
    pieces = []
    equality_multiplier = sympy.Integer(0)
    for instance in cover.instances:
        weights = tuple(_rational(w) for _, w in instance.weights)
        terms = tuple(_monomial(variables, e) for e, _ in instance.weights)
        if instance.shift.denominator != 1:
            # The kernel evaluates the mean x^(sink + s f) as k^s x^sink through the constraint.
            m0 = _monomial(variables, constraint.exponents)
            pin = Pin(m0 - _rational(constraint.value), _rational(instance.shift))
            pieces.append(AMGM(_rational(instance.coeff), weights, terms, pin))
            continue
        pieces.append(AMGM(_rational(instance.coeff), weights, terms))
        if instance.shift:
            multiplier = _equality_multiplier(variables, instance, constraint)
            if multiplier is None:
                return None
            equality_multiplier += multiplier
    strict_done = not strict
    for exponents, coeff in sorted(cover.leftover.items()):
        if any(e < 0 or Fraction(e).denominator != 1 for e in exponents):
            return None
        make_strict = not strict_done and _is_strictly_positive(exponents, signs)
        strict_done = strict_done or make_strict
        pieces.append(_square(variables, exponents, coeff, make_strict))
    if equality_multiplier != 0:
        m0 = _monomial(variables, constraint.exponents)
        pieces.append(EqualityMultiple(m0 - _rational(constraint.value), sympy.expand(equality_multiplier)))
    return Identity(form.multiplier, tuple(pieces))


def _equality_multiplier(variables, instance: _Instance, constraint: _MonomialConstraint) -> sympy.Expr | None:
    """q with q * (x^f - k) = c * (G - k^s * x^sink), G = x^(sink + s f), which turns the AM-GM
    piece's `-c * G` into the sink's `-c * k^s * x^sink`; None if q is not a polynomial."""
    m0 = _monomial(variables, constraint.exponents)
    k = _rational(constraint.value)
    c = _rational(instance.coeff)
    s = int(instance.shift)
    sink = _monomial(variables, instance.sink)
    if s > 0:
        q = c * sink * sympy.Add(*(m0 ** t * k ** (s - 1 - t) for t in range(s)))
    else:
        r = -s
        geometric = sink * m0 ** s
        q = -c * k ** s * geometric * sympy.Add(*(m0 ** t * k ** (r - 1 - t) for t in range(r)))
    q = sympy.expand(q)
    return q if q.is_polynomial(*variables) else None


def _show_monomial(variables, exponents: Exponents) -> str:
    numerator = [_power(v, e) for v, e in zip(variables, exponents) if e > 0]
    denominator = [_power(v, -e) for v, e in zip(variables, exponents) if e < 0]
    text = "·".join(numerator) or "1"
    if denominator:
        text += "/" + (denominator[0] if len(denominator) == 1 else "(" + "·".join(denominator) + ")")
    return text


def _power(variable: sympy.Symbol, exponent: Fraction) -> str:
    if exponent == 1:
        return variable.name
    return f"{variable.name}^{exponent}" if Fraction(exponent).denominator == 1 else f"{variable.name}^({exponent})"


def _show_term(variables, exponents: Exponents, coeff: Fraction) -> str:
    """`coeff·monomial` for coeff > 0, with the coefficient 1 omitted and fractions parenthesised."""
    monomial = _show_monomial(variables, exponents)
    if coeff == 1:
        return monomial
    shown = f"({coeff})" if coeff.denominator != 1 else str(coeff)
    if monomial == "1":
        return shown
    if monomial.startswith("1/"):
        monomial = f"({monomial})"  # "(1/2)·(1/a)", not "(1/2)·1/a"
    return f"{shown}·{monomial}"


def _show_sum(variables, terms) -> str:
    return " + ".join(_show_term(variables, e, c) for e, c in terms) or "0"


def _explain(variables, form: _Form, cover: _Cover, constraint: _MonomialConstraint | None,
             op: str) -> tuple[str, ...]:
    lines = [form.lead] if form.lead else []
    positive = sorted(((e, c) for e, c in form.terms.items() if c > 0), reverse=True)
    negative = sorted(((e, -c) for e, c in form.terms.items() if c < 0), reverse=True)
    lines.append(f"It suffices to show {_show_sum(variables, positive)} {op} {_show_sum(variables, negative)}.")
    for instance in sorted(cover.instances, key=lambda i: i.sink, reverse=True):
        geometric = tuple(x + instance.shift * y for x, y in zip(instance.sink, constraint.exponents)) \
            if instance.shift else instance.sink
        weights = sorted(instance.weights, reverse=True)
        line = f"By AM-GM, {_show_sum(variables, weights)} >= {_show_monomial(variables, geometric)}"
        if instance.coeff != 1:
            scaled = [(e, w * instance.coeff) for e, w in weights]
            line += (f"; times {instance.coeff}: {_show_sum(variables, scaled)} >= "
                     f"{_show_term(variables, geometric, instance.coeff)}")
        if instance.shift:
            m0 = _show_monomial(variables, constraint.exponents)
            covered = _show_term(variables, instance.sink,
                                 instance.coeff * _exact_power(constraint.value, instance.shift))
            line += f", which is {covered} since {m0} = {constraint.value}"
        lines.append(line + ".")
    if not cover.instances:
        lines.append("Every term is nonnegative.")
        return tuple(lines)
    if len(cover.instances) == 1 and not cover.leftover:
        return tuple(lines)  # the one instance is already the goal
    spent: Terms = {}
    for instance in cover.instances:
        for e, w in instance.weights:
            spent[e] = spent.get(e, Fraction(0)) + w * instance.coeff
    used = _show_sum(variables, sorted(spent.items(), reverse=True))
    summary = f"Summing: {used} >= {_show_sum(variables, negative)}"
    if cover.leftover:
        kind = "positive" if op == ">" else "nonnegative"
        remaining = _show_sum(variables, sorted(cover.leftover.items(), reverse=True))
        summary += f", and the remaining terms {remaining} are {kind}"
    lines.append(summary + ".")
    return tuple(lines)
