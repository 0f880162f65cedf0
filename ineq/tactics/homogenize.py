"""The homogenize tactic: use a normalising constraint (a + b + c = 3, abc = 1, x^2 + y^2 = 2) to
turn a non-homogeneous goal into a homogeneous one that no longer needs the constraint.

For an equality assumption `L = c` with L a homogeneous polynomial of degree d and c a nonzero
rational, write t = L / c (so t = 1 on the domain). After clearing denominators the goal reads
`N op 0` with N a polynomial; multiplying each term of degree k by t^((D - k) / d), D the smallest
degree >= deg N that every term reaches this way, gives a homogeneous N' with `N - N' = q * (L - c)`
for a polynomial q computed exactly. The parent's certificate is

    Identity(multiplier, (Lemma(1, N' op 0, sub), EqualityMultiple(L - c, q)))

and the subgoal `N' op 0` is stated WITHOUT the used equality (a certificate that does not use an
assumption stays valid with it), so that amgm and homogeneous sums of squares apply.

A bound `L <= c` or `L >= c` homogenises the same way when it moves every lower-degree part the
right way (t <= 1 and nonnegative lower parts, or t >= 1 and nonpositive ones, all variables >= 0):
then N - N' is written out exactly as squares times the bound, and only `N' op 0` is left.

An equality between two forms of different degrees, H = D with D > 0 (ab + bc + ca = abc(a + b + c)),
gives t = H/D = 1 of degree deg H - deg D: the powers of t are cleared by multiplying by D^M.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import Domain, EqualityMultiple, Identity, Lemma, Square, is_positive_factor
from ineq.problem import Problem, Relation, make_problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import clear_denominators

TACTIC_NAME = "homogenize"


def homogenize(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt per assumption of the `L = c` (or `L <= c`, `L >= c`) shape that
    homogenises the goal."""
    variables = goal.variables
    if not variables:
        return
    cleared = None
    for index, assumption in enumerate(goal.assumptions):
        if deadline.expired():
            return
        h, op = assumption.normalized()
        shape = normalising_constraint(sympy.expand(h), variables)
        if shape is None:
            if (forms := ratio_of_forms(sympy.expand(h), variables, goal)) is not None:
                cleared = cleared or clear_denominators(goal)
                if cleared is None or cleared.op == "=":
                    return
                attempt = _by_ratio_of_forms(goal, index, cleared, forms, op == "=")
                if attempt is not None:
                    yield attempt
            continue
        if cleared is None:
            cleared = clear_denominators(goal)
            if cleared is None or cleared.op == "=":
                return
        homogenised = homogenise(cleared.polynomial, shape, variables)
        if homogenised is None:
            continue
        if op == "=":
            yield _by_equality(goal, index, cleared, shape, homogenised)
        else:
            loss = _loss_squares(cleared.polynomial, shape, variables, Domain(goal))
            if loss is not None:
                yield _by_inequality(goal, index, cleared, shape, homogenised, loss)


def _by_equality(goal: Problem, index: int, cleared, shape, homogenised) -> Attempt:
    variables = goal.variables
    claim_poly, quotient = homogenised
    constraint = shape[0]
    claim = _as_relation(claim_poly, cleared.op, variables)
    rest = [a for i, a in enumerate(goal.assumptions) if i != index]
    subgoal = make_problem(rest, claim, extra_variables=variables)
    pieces_tail = (EqualityMultiple(constraint, quotient),) if quotient != 0 else ()

    def build(subs, claim=claim, pieces_tail=pieces_tail, multiplier=tuple(cleared.multiplier)):
        return Identity(multiplier, (Lemma(sympy.Integer(1), claim, subs[0]),) + pieces_tail)

    lines = _lines(goal.assumptions[index], cleared, shape, claim_poly, variables)
    lines.append(f"It suffices to prove the homogeneous inequality {claim}.")
    return Attempt(TACTIC_NAME, goal, (subgoal,), build, tuple(lines))


def _by_inequality(goal: Problem, index: int, cleared, shape, homogenised, loss: tuple) -> Attempt:
    """N = N' + (N - N'): N' >= 0 is left to prove without the constraint (it is homogeneous), and
    N - N' >= 0 is written out as squares times the constraint: each lower-degree part was multiplied
    by a power of t = L/c, which lies on the side of 1 that does not increase it (USAMO 2011/1:
    a^2+b^2+c^2+(a+b+c)^2 <= 4 turns the 1 in (ab+1)/(a+b)^2 into t)."""
    variables = goal.variables
    claim_poly, _ = homogenised
    claim = _as_relation(claim_poly, cleared.op, variables)
    rest = [a for i, a in enumerate(goal.assumptions) if i != index]
    subgoal = make_problem(rest, claim, extra_variables=variables)

    def build(subs, claim=claim, loss=loss, multiplier=tuple(cleared.multiplier)):
        return Identity(multiplier, (Lemma(sympy.Integer(1), claim, subs[0]),) + loss)

    lines = _lines(goal.assumptions[index], cleared, shape, claim_poly, variables)
    lines.append(f"By {goal.assumptions[index]}, this does not increase the lower-degree terms (their signs are "
                 f"fixed): it suffices to prove the homogeneous inequality {claim}.")
    return Attempt(TACTIC_NAME, goal, (subgoal,), build, tuple(lines))


def _loss_squares(polynomial: sympy.Expr, shape: tuple, variables, domain: Domain) -> tuple[Square, ...] | None:
    """N - N' as squares times the constraint h >= 0 (h = L - c) and variables, when the signs
    allow it, else None.

    A lower part N_j of degree top - m*d became N_j t^m with t = L/c, so N - N' = sum_j N_j (1 - t^m).
    With c < 0 (h >= 0 reads L' <= c', t <= 1): 1 - t^m = (h/c') (1 + t + ... + t^(m-1)), fine when
    L' and every N_j have nonnegative coefficients. With c > 0 (t >= 1): 1 - t^m = -(h/c)(1 + ... ),
    fine when L and every -N_j do. The variables must all be >= 0, so that monomials are products
    of atoms and squares."""
    constraint, form, value, _ = shape
    sign = 1 if value < 0 else -1  # the sign the lower parts must have
    unit = form / value  # t, with nonnegative coefficients over a positive constant
    by_degree = _parts_by_degree(_rational_poly(polynomial, variables), variables)
    top = max(by_degree)
    parts = {(top - k) // shape[3]: sign * part for k, part in by_degree.items() if k < top}
    if any(coefficient < 0 for coefficient in _rational_poly(sympy.expand(unit), variables).coeffs()):
        return None  # t could be negative, and then t^m need not lie on the same side of 1 as t
    # 1 - t^m = (sign-adjusted) h / |c| * (1 + t + ... + t^(m-1))
    products = [part * sum(unit**k for k in range(power)) / abs(value) for power, part in parts.items()]
    return _squares_times(constraint, products, variables, domain)


def _by_ratio_of_forms(goal: Problem, index: int, cleared, forms: tuple, equality: bool) -> Attempt | None:
    """Under H + L = 0 (forms of degrees e > f) with D = -sL > 0: t = U/D = 1 for U = sH. Each part N_k
    of degree k becomes N_k U^m D^(M-m) with m = (top - k)/(e - f), M the largest m; then
    D^M N = N' + q * (H + L) exactly, and N' is homogeneous. Under H + L >= 0 (t >= 1 if s = 1, t <= 1
    if s = -1) the rest D^M N - N' = sum_k N_k D^(M-m) (D - U)(D^(m-1) + ... + U^(m-1)) is written out
    as squares times the assumption when every N_k has the sign that makes it >= 0."""
    variables = goal.variables
    h, numerator, denominator, step, sign = forms
    poly = _rational_poly(cleared.polynomial, variables)
    if poly is None:
        return None
    parts = _parts_by_degree(poly, variables)
    top = max(parts)
    if len(parts) <= 1 or any((top - k) % step for k in parts):
        return None
    powers = {k: (top - k) // step for k in parts}
    most = max(powers.values())
    claim_poly = sympy.expand(sum(part * numerator ** powers[k] * denominator ** (most - powers[k])
                                  for k, part in parts.items()))
    if claim_poly == 0:
        return None
    if equality:
        quotient, remainder = sympy.div(sympy.expand(denominator**most * cleared.polynomial - claim_poly), h,
                                        *variables)
        if remainder != 0:
            return None
        pieces_tail = (EqualityMultiple(h, quotient),) if quotient != 0 else ()
    else:
        rest_parts = [(-sign * part * denominator ** (most - powers[k])
                       * sum(denominator ** (powers[k] - 1 - j) * numerator**j for j in range(powers[k])))
                      for k, part in parts.items() if powers[k]]
        pieces_tail = _squares_times(h, rest_parts, variables, Domain(goal))
        if pieces_tail is None:
            return None
    claim = _as_relation(claim_poly, cleared.op, variables)
    rest = [a for i, a in enumerate(goal.assumptions) if i != index]
    subgoal = make_problem(rest, claim, extra_variables=variables)
    multiplier = tuple(cleared.multiplier) + (denominator,) * most

    def build(subs, claim=claim, pieces_tail=pieces_tail, multiplier=multiplier):
        return Identity(multiplier, (Lemma(sympy.Integer(1), claim, subs[0]),) + pieces_tail)

    lines = [cleared.explanation()] if cleared.explanation() else []
    relation = "=" if equality else (">=" if sign == 1 else "<=")
    lines.append(f"Homogenise with {goal.assumptions[index]}, i.e. t = ({sympy.sstr(numerator)})/"
                 f"({sympy.sstr(denominator)}) {relation} 1: multiply each term by a power of t and clear the "
                 f"denominator {sympy.sstr(denominator)} > 0.")
    if not equality:
        lines.append(f"By {goal.assumptions[index]}, this does not increase the lower-degree terms (their signs "
                     f"are fixed).")
    lines.append(f"It suffices to prove the homogeneous inequality {claim}.")
    return Attempt(TACTIC_NAME, goal, (subgoal,), build, tuple(lines))


def _parts_by_degree(poly: sympy.Poly, variables) -> dict[int, sympy.Expr]:
    """The polynomial's homogeneous parts, by degree."""
    parts: dict[int, sympy.Expr] = {}
    for monomial, coefficient in poly.terms():
        term = coefficient * sympy.Mul(*(v**e for v, e in zip(variables, monomial)))
        parts[sum(monomial)] = parts.get(sum(monomial), 0) + term
    return parts


def _squares_times(atom: sympy.Expr, products: list[sympy.Expr], variables, domain: Domain) -> tuple | None:
    """`atom * sum(products)` as Square pieces (atom, the odd variables, a monomial squared), or None
    unless every product has nonnegative coefficients and every variable is >= 0."""
    if not set(variables) <= domain.nonnegative:
        return None
    squares = []
    for product in products:
        poly = _rational_poly(sympy.expand(product), variables)
        if poly is None or any(c < 0 for c in poly.coeffs()):
            return None
        for monomial, coefficient in poly.terms():
            odd = tuple(v for v, e in zip(variables, monomial) if e % 2)
            even = sympy.Mul(*(v ** (e // 2) for v, e in zip(variables, monomial)))
            squares.append(Square(sympy.Rational(coefficient), (atom,) + odd, even))
    return tuple(squares)


def ratio_of_forms(h: sympy.Expr, variables, goal: Problem) -> tuple | None:
    """`(h, U, D, e - f, s)` when h = H + L with H, L nonzero forms of degrees e > f >= 1 and D = -sL
    (s = +-1) strictly positive on the goal's domain by the kernel's rule, U = sH: then h = 0 means
    U/D = 1 (ab + bc + ca = abc(a + b + c) gives abc(a + b + c)/(ab + bc + ca) = 1)."""
    poly = _rational_poly(h, variables)
    if poly is None:
        return None
    parts = _parts_by_degree(poly, variables)
    if len(parts) != 2 or 0 in parts:
        return None
    low, high = sorted(parts)
    domain = Domain(goal)
    for sign in (1, -1):
        if is_positive_factor(domain, -sign * parts[low]):
            return h, sympy.expand(sign * parts[high]), sympy.expand(-sign * parts[low]), high - low, sign
    return None


def _lines(assumption, cleared, shape, claim_poly, variables) -> list[str]:
    _, form, value, _ = shape
    if value < 0:  # show t = L / c with c > 0
        form, value = -form, -value
    lines = [cleared.explanation()] if cleared.explanation() else []
    unit = sympy.sstr(form) if value == 1 else f"({sympy.sstr(form)})/{sympy.sstr(value)}"
    degree = sympy.Poly(claim_poly, *variables).total_degree()
    lines.append(f"Homogenise with {assumption}: multiply each term by a power of t = {unit} "
                 f"to reach degree {degree}.")
    return lines


def normalising_constraint(h: sympy.Expr, variables) -> tuple | None:
    """`(h, L, c, d)` when `h = L - c` with L homogeneous of degree d >= 1 and c a nonzero rational."""
    poly = _rational_poly(h, variables)
    if poly is None:
        return None
    constant = poly.coeff_monomial(1)
    if constant == 0:
        return None
    form = sympy.expand(h - constant)
    if form == 0:
        return None  # a constant assumption such as 1 > 0
    degrees = {sum(m) for m in sympy.Poly(form, *variables).monoms()}
    if len(degrees) != 1:
        return None
    return h, form, -constant, degrees.pop()


def homogenise(polynomial: sympy.Expr, shape: tuple, variables) -> tuple[sympy.Expr, sympy.Expr] | None:
    """`(N', q)` with N' homogeneous and `polynomial == N' + q * h` exactly; None if the polynomial
    is already homogeneous or its term degrees differ by non-multiples of the constraint's degree."""
    h, form, value, degree = shape
    poly = _rational_poly(polynomial, variables)
    if poly is None:
        return None
    term_degrees = {sum(m) for m in poly.monoms()}
    if len(term_degrees) <= 1:
        return None
    top = max(term_degrees)
    if any((top - k) % degree for k in term_degrees):
        return None
    ratio = form / value
    homogeneous = sympy.expand(sum(coefficient * sympy.Mul(*(v**e for v, e in zip(variables, monomial)))
                                   * ratio ** ((top - sum(monomial)) // degree)
                                   for monomial, coefficient in poly.terms()))
    quotient, remainder = sympy.div(sympy.expand(polynomial - homogeneous), h, *variables)
    if sympy.expand(remainder) != 0:
        return None
    return homogeneous, sympy.expand(quotient)


def _rational_poly(expr: sympy.Expr, variables) -> sympy.Poly | None:
    """`expr` as a polynomial with rational coefficients, or None (not a polynomial, or a coefficient
    such as sqrt(3) that is not rational)."""
    if not expr.is_polynomial(*variables):
        return None
    try:
        return sympy.Poly(expr, *variables, domain="QQ")
    except (sympy.PolynomialError, sympy.CoercionFailed):
        return None


def _as_relation(polynomial: sympy.Expr, op: str, variables) -> Relation:
    """`positive terms op negative terms` (reads better than `N op 0`); op is '>=' or '>'."""
    positive, negative = [], []
    for term in sympy.Add.make_args(polynomial):
        (positive if term.as_coeff_Mul()[0] > 0 else negative).append(term)
    return Relation(sympy.Add(*positive), op, -sympy.Add(*negative))
