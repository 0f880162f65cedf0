"""The SOS-Schur tactic: prove `P(a, b, c) >= 0` on the nonnegative orthant by writing

    P = S_a (b-c)^2 + S_b (c-a)^2 + S_c (a-b)^2  (+ R)

and applying the SOS-Schur criteria under an order `x >= y >= z` of the variables:

- S_y >= 0, S_x + S_y >= 0, S_z + S_y >= 0 suffice, since (x-z)^2 = (x-y)^2 + (y-z)^2 + 2(x-y)(y-z):
  P = (S_x + S_y)(y-z)^2 + (S_z + S_y)(x-y)^2 + 2 S_y (x-y)(y-z);
- S_x >= 0, S_z >= 0, S_x + 2 S_y >= 0, S_z + 2 S_y >= 0 with S_y <= 0 suffice, since
  (x-z)^2 <= 2(x-y)^2 + 2(y-z)^2: P = (S_x + 2S_y)(y-z)^2 + (S_z + 2S_y)(x-y)^2 - S_y (x-2y+z)^2.

Both (and their combinations) are one search: with p = x-y, q = y-z and z (all >= 0 under the
order), find polynomials A, B, C, D, R with nonnegative coefficients in p, q, z such that

    P = A q^2 + B p^2 + 2C pq + D (p-q)^2 + R      (R: the monomials of degree <= 1 in p, q),

a linear program (HiGHS) whose vertex is recomputed exactly in rationals. Then S_y = C - D,
S_x = A - C + 2D, S_z = B - C + 2D. Every term is a `Square` piece whose atoms are p, q, z (the
order's assumption sides and `z >= 0`). Orders come from `SymmetryOrder` (symmetric: one case;
cyclic: two) or case splits, exactly as in the sds tactic.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

import numpy as np
import sympy
from scipy.optimize import linprog

from ineq.kernel import Identity, check
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import ClearedGoal, clear_denominators
from ineq.tactics.exact_linear import solve_exactly
from ineq.tactics.sds import (Branch, Item, compose, differences, monomial_square, prove_with_symmetry,
                              substitute)

TACTIC_NAME = "schur"
_FACTOR_TERMS = 40
# LP values below this are zero (coefficients of the goal are of order 1 after scaling).
_SUPPORT_TOLERANCE = 1e-9
_ROUNDING_DENOMINATOR = 10**6

# The quadratic forms in (p, q) multiplied by the unknown polynomials A, B, C, D; exponents (p, q).
_BLOCKS = {
    "A": {(0, 2): 1},
    "B": {(2, 0): 1},
    "C": {(1, 1): 2},
    "D": {(2, 0): 1, (1, 1): -2, (0, 2): 1},
}


class SchurInputError(ValueError):
    """The goal handed to the tactic is not a Problem."""


def schur(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield at most one closing attempt, after the kernel accepted its certificate, for a goal
    `P >= 0` (after clearing denominators) with P a polynomial in exactly three variables that
    are nonnegative on the domain. Yields nothing for strict or equality goals, other shapes, or
    when some order of the variables has no SOS-Schur decomposition meeting the criteria."""
    if not isinstance(goal, Problem):
        raise SchurInputError(f"schur expects a Problem, got {type(goal).__name__}")
    cleared = clear_denominators(goal)
    if cleared is None or cleared.op != ">=":
        return
    variables = tuple(v for v in goal.variables if v in cleared.polynomial.free_symbols)
    if len(variables) != 3:
        return
    polynomial = sympy.Poly(cleared.polynomial, *variables)
    if not all(coeff.is_Rational for coeff in polynomial.coeffs()):
        return  # irrational coefficients (sqrt(3), pi): certificates must be exact rationals

    def leaf(branch: Branch, chain: tuple[Item, ...]):
        if deadline.expired():
            return None
        return _schur_leaf(branch, chain, polynomial, cleared, variables)

    found = prove_with_symmetry(goal, variables, leaf, deadline, max_unordered=3)
    if found is None:
        return
    certificate, explanation = found
    if deadline.expired() or not check(goal, certificate):
        return
    lead = (cleared.explanation(),) if cleared.explanation() else ()
    yield Attempt(TACTIC_NAME, goal, (), lambda _subgoals, c=certificate: c, lead + explanation)


def _schur_leaf(branch: Branch, chain: tuple[Item, ...], polynomial: sympy.Poly, cleared: ClearedGoal,
                variables: tuple[sympy.Symbol, ...]):
    new = differences(branch, chain, ("p", "q", "z"))
    if new is None:
        return None
    expansion = substitute(polynomial, chain, new)
    target = {monomial: Fraction(int(c.p), int(c.q)) for monomial, c in expansion.terms() if c != 0}
    if any(value < 0 and monomial[0] + monomial[1] <= 1 for monomial, value in target.items()):
        return None  # only R reaches these monomials, and R has nonnegative coefficients
    columns = _columns(target)
    solution = _solve(columns, target)
    if solution is None:
        return None
    p, q, z = (item.value for item in new)
    pieces = []
    parts: dict[str, sympy.Expr] = {name: sympy.Integer(0) for name in ("A", "B", "C", "D", "R")}
    display = [item.symbol for item in new]
    for (block, monomial), value in sorted(solution.items(), key=lambda entry: (entry[0][0], entry[0][1])):
        coeff = sympy.Rational(value.numerator, value.denominator)
        parts[block] += coeff * sympy.Mul(*(s**e for s, e in zip(display, monomial)))
        if block == "A":
            pieces.append(monomial_square(coeff, monomial, new, factor=q))
        elif block == "B":
            pieces.append(monomial_square(coeff, monomial, new, factor=p))
        elif block == "C":
            pieces.append(monomial_square(2 * coeff, monomial, new, extra_atoms=(p, q)))
        elif block == "D":
            pieces.append(monomial_square(coeff, monomial, new, factor=sympy.expand(p - q)))
        else:
            pieces.append(monomial_square(coeff, monomial, new))
    back = {item.symbol: item.value for item in new}
    in_variables = {name: _tidy(compose(sympy.Poly(expr, *display), back, variables).as_expr())
                    for name, expr in parts.items()}
    return Identity(cleared.multiplier, tuple(pieces)), _explain(branch, chain, variables, in_variables)


def _columns(target: dict) -> dict:
    """Unknown -> its polynomial (exponents (p, q, z) -> coefficient): one per block and multiplier
    monomial (A..D), and one per monomial of degree <= 1 in p, q for the remainder R."""
    degrees = [sum(monomial) for monomial in target]
    low, high = min(degrees), max(degrees)
    columns = {}
    for degree in range(max(0, low - 2), high - 1):
        for i in range(degree + 1):
            for j in range(degree + 1 - i):
                monomial = (i, j, degree - i - j)
                for block, form in _BLOCKS.items():
                    columns[(block, monomial)] = {(i + a, j + b, degree - i - j): coeff
                                                  for (a, b), coeff in form.items()}
    for monomial in target:
        if monomial[0] + monomial[1] <= 1:
            columns[("R", monomial)] = {monomial: 1}
    return columns


def _solve(columns: dict, target: dict) -> dict | None:
    """Nonnegative values for the columns whose combination is `target` exactly (Fractions), preferring
    little use of D (the second criterion); None if the LP is infeasible or not recovered exactly."""
    keys = list(columns)
    rows = sorted(set(target).union(*(column.keys() for column in columns.values())))
    index = {monomial: r for r, monomial in enumerate(rows)}
    matrix = np.zeros((len(rows), len(keys)))
    for k, key in enumerate(keys):
        for monomial, coeff in columns[key].items():
            matrix[index[monomial], k] = coeff
    rhs = np.array([float(target.get(monomial, 0)) for monomial in rows])
    cost = np.array([1.0 if key[0] == "D" else 0.0 for key in keys])
    result = linprog(cost, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs-ds")
    if result.status != 0:
        return None
    support = [key for key, value in zip(keys, result.x) if value > _SUPPORT_TOLERANCE]
    approximate = {key: value for key, value in zip(keys, result.x)}
    values = _exact(support, columns, rows, target, approximate)
    if values is None or any(value < 0 for value in values.values()):
        return None
    for monomial in rows:  # the exact identity, before the kernel sees it
        if sum(columns[key].get(monomial, 0) * value for key, value in values.items()) != target.get(monomial, 0):
            return None
    return {key: value for key, value in values.items() if value != 0}


def _exact(support: list, columns: dict, rows: list, target: dict, approximate: dict) -> dict | None:
    """Solve `sum_key columns[key] * value = target` over the support exactly (Gauss-Jordan in
    Fractions); free unknowns keep their LP values, rounded. None if inconsistent."""
    table = [[Fraction(columns[key].get(monomial, 0)) for key in support] + [target.get(monomial, Fraction(0))]
             for monomial in rows]
    values = solve_exactly(table, len(support), lambda col: Fraction(approximate[support[col]]).limit_denominator(
        _ROUNDING_DENOMINATOR))
    if values is None:
        return None
    return {support[col]: value for col, value in enumerate(values)}


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """Factored for the reader when that is cheap (few terms); factoring the long parts of a
    degree-18 goal costs seconds, so those are only expanded."""
    expanded = sympy.expand(expr)
    return sympy.factor(expanded) if len(sympy.Add.make_args(expanded)) <= _FACTOR_TERMS else expanded


def _explain(branch: Branch, chain: tuple[Item, ...], variables, parts: dict) -> tuple[str, ...]:
    """The SOS-Schur form in the problem's variable order, then the criterion used for this order."""
    x, y, z = (item.value for item in chain)
    s = {y: parts["C"] - parts["D"], x: parts["A"] - parts["C"] + 2 * parts["D"],
         z: parts["B"] - parts["C"] + 2 * parts["D"]}
    s = {v: _tidy(expr) for v, expr in s.items()}
    a, b, c = variables
    name = {v: f"S_{sympy.sstr(v)}" for v in variables}
    show = sympy.sstr
    remainder = parts["R"] != 0
    form = (f"SOS-Schur: P = {name[a]}({show(b)}-{show(c)})^2 + {name[b]}({show(c)}-{show(a)})^2 + "
            f"{name[c]}({show(a)}-{show(b)})^2{' + R' if remainder else ''} with "
            + ", ".join(f"{name[v]} = {show(s[v])}" for v in variables)
            + (f", R = {show(parts['R'])}" if remainder else "") + ".")
    order = " >= ".join(show(v) for v in (x, y, z))
    case = f"Case {order}: " if branch.cases else f"With {order}: "
    differences_text = f"{show(x)}-{show(y)}, {show(y)}-{show(z)}, {show(z)}"
    if parts["D"] == 0:
        criterion = (f"{case}{name[y]} = {show(s[y])}, {name[x]} + {name[y]} = {show(_tidy(s[x] + s[y]))}, "
                     f"{name[z]} + {name[y]} = {show(_tidy(s[z] + s[y]))} have nonnegative coefficients "
                     f"in {differences_text}; since ({show(x)}-{show(z)})^2 = ({show(x)}-{show(y)})^2 + "
                     f"({show(y)}-{show(z)})^2 + 2({show(x)}-{show(y)})({show(y)}-{show(z)}), P >= 0.")
    else:
        criterion = (f"{case}P = A({show(y)}-{show(z)})^2 + B({show(x)}-{show(y)})^2 + "
                     f"2C({show(x)}-{show(y)})({show(y)}-{show(z)}) + D({show(x)}-2{show(y)}+{show(z)})^2"
                     f"{' + R' if remainder else ''} with "
                     + ", ".join(f"{k} = {show(parts[k])}" for k in ("A", "B", "C", "D"))
                     + f", all with nonnegative coefficients in {differences_text}; the D term handles a "
                     f"negative {name[y]} through ({show(x)}-{show(z)})^2 = 2({show(x)}-{show(y)})^2 + "
                     f"2({show(y)}-{show(z)})^2 - ({show(x)}-2{show(y)}+{show(z)})^2 (criterion "
                     f"{name[x]} + 2{name[y]} >= 0, {name[z]} + 2{name[y]} >= 0), so P >= 0.")
    return (form, criterion)
