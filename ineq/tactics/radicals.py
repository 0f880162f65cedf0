"""The radicals tactic: name a radical `E**(1/n)` by a new variable and reduce the goal to a
polynomial-style goal the closing tactics (sos, amgm) understand.

Two kinds of attempt, both wrapped in the kernel's `IntroduceRoot` rule:

- Square both sides (square roots only, when the goal has exactly one radical group): after naming
  t = sqrt(E) and clearing denominators the goal reads `N >= 0` with N = P + Q*t modulo t^2 = E
  (P, Q free of t). Then, for a multiplier the kernel accepts as positive,

      2P * N           = (P + Q t)^2 + (P^2 - Q^2 E) + (multiple of t^2 - E)
      (Q t - P) * N    = (Q^2 E - P^2)              + (multiple of t^2 - E)
      (P - Q t) * N    = (P^2 - Q^2 E)              + (multiple of t^2 - E)

  so the goal reduces to ONE radical-free subgoal (`P^2 >= Q^2 E` or `Q^2 E >= P^2`) in the
  original variables, proved as a `Lemma`. When the kernel cannot see the multiplier's sign
  (1 - ab - bc - ca + 2t under a + b + c = 1), the sign of P (or Q) is proved first as a second
  radical-free subgoal and cut in (see `_sign_cut_routes`). A radical of a fraction E = A/B with B > 0
  squares the same way, with B as an extra multiplier factor.
- Generic: name the innermost radical and hand the whole extended problem (with t >= 0 and
  t^n = E among the assumptions) to the search; several radicals are named one per attempt.

Fresh names: a goal with k radical groups names its radical with the k-th entry of `_NAMES`. Every
subgoal has fewer radical groups, so a name chosen below never equals one chosen above, even when
the subgoal no longer contains the variable (the square-both-sides subgoal drops t).

Abs, min and max come first: while sign_cases can split the goal, no attempt is made, so that the
radical is named inside each case, where the goal can be squared (IMO 2006/3).
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import (
    CaseSplit,
    Cut,
    Domain,
    EqualityMultiple,
    Identity,
    IntroduceRoot,
    Lemma,
    Square,
    case_problems,
    is_nonnegative_by_coefficients,
    is_positive_factor,
    root_extended_problem,
)
from ineq.problem import Problem, Relation, var
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import clear_denominators
from ineq.tactics.sign_cases import split_candidates

TACTIC_NAME = "radicals"
# Names for the k-th radical (k = number of radical groups left); later ones are t5, t6, ...
_NAMES = ("t", "u", "s", "w")


def radicals(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield square-both-sides attempts (one radical-free subgoal each), then one generic
    introduction of the innermost radical. Nothing for radical-free goals."""
    groups = radical_groups(goal)
    if not groups or deadline.expired():
        return
    if split_candidates(goal):
        return  # sign_cases resolves abs/min/max first: then the goal can be squared (IMO 2006/3)
    name = fresh_name(goal, len(groups))
    if name is None:
        return
    nameable = [g for g in groups if _nameable(g)]
    if not nameable:
        return
    if len(groups) == 1 and nameable[0][1] == 2:
        yield from _square_both_sides(goal, nameable[0], name)
    if len(groups) == 1 and nameable[0][1] == 3:
        yield from _cube_both_sides(goal, nameable[0], name)
    if deadline.expired():
        return
    yield _generic(goal, nameable[0], name)


# --- radicals in a problem -----------------------------------------------------------------------


def radical_groups(problem: Problem) -> list[tuple[sympy.Expr, int]]:
    """The distinct `(E, n)` such that some `E**(k/n)` (k/n in lowest terms, n >= 2) occurs in the
    goal or an assumption, innermost (fewest nested radicals in E) first, then by size."""
    found: set[tuple[sympy.Expr, int]] = set()
    sides = [problem.goal.lhs, problem.goal.rhs]
    for assumption in problem.assumptions:
        sides += [assumption.lhs, assumption.rhs]
    for side in sides:
        for power in side.atoms(sympy.Pow):
            if power.exp.is_Rational and not power.exp.is_Integer:
                found.add((power.base, int(power.exp.q)))
    return sorted(found, key=lambda g: (_nesting(g[0]), sympy.count_ops(g[0]), sympy.sstr(g[0]), g[1]))


def _nesting(expr: sympy.Expr) -> int:
    return sum(1 for p in expr.atoms(sympy.Pow) if p.exp.is_Rational and not p.exp.is_Integer)


def _nameable(group: tuple[sympy.Expr, int]) -> bool:
    """Whether `E**(1/n)` stays a Pow with base E (sympy may rewrite it) and E is free of abs/sign
    (the parser's cube root `Abs(x)**(1/3)*sign(x)` cannot become a polynomial). A constant E must
    be a positive rational (sqrt(3) is named like any radical)."""
    base, degree = group
    if base.has(sympy.Abs, sympy.sign) or (not base.free_symbols and not (base.is_Rational and base > 0)):
        return False
    radical = base ** sympy.Rational(1, degree)
    return bool(radical.is_Pow and radical.base == base)


def fresh_name(problem: Problem, radical_count: int) -> sympy.Symbol | None:
    """The name for a goal with `radical_count` radical groups (see the module docstring)."""
    taken = {v.name for v in problem.variables}
    for name in ([_NAMES[radical_count - 1]] if radical_count <= len(_NAMES) else []) + [f"t{radical_count}"]:
        if name not in taken:
            return var(name)
    return None


def _introduction_line(radical: sympy.Expr, name: sympy.Symbol) -> str:
    degree = int(radical.exp.q)
    return (f"Let {name} = {sympy.sstr(radical)}; then {name} >= 0 and {name}^{degree} = "
            f"{sympy.sstr(radical.base)}.")


# --- attempts --------------------------------------------------------------------------------------


def _generic(goal: Problem, group: tuple[sympy.Expr, int], name: sympy.Symbol) -> Attempt:
    radical = group[0] ** sympy.Rational(1, group[1])
    extended = root_extended_problem(goal, radical, name)
    return Attempt(TACTIC_NAME, goal, (extended,),
                   lambda subs: IntroduceRoot(radical, name, subs[0]),
                   (_introduction_line(radical, name),
                    f"It remains to prove {extended.goal} for {name} >= 0 with "
                    f"{name}^{group[1]} = {sympy.sstr(group[0])}."))


def _square_both_sides(goal: Problem, group: tuple[sympy.Expr, int], name: sympy.Symbol) -> Iterator[Attempt]:
    base, _ = group
    variables = goal.variables
    numerator, denominator = sympy.fraction(sympy.together(base))
    if not (numerator.is_polynomial(*variables) and denominator.is_polynomial(*variables)):
        return
    if denominator != 1 and not is_positive_factor(Domain(goal), sympy.expand(denominator)):
        return  # the denominator of E becomes a multiplier factor, so it must be positive
    radical = base ** sympy.Rational(1, 2)
    extended = root_extended_problem(goal, radical, name)
    cleared = clear_denominators(extended)
    if cleared is None or cleared.op == "=":
        return
    split = _split(cleared.polynomial, name, sympy.expand(numerator), sympy.expand(denominator), variables)
    if split is None:
        return
    p, q, w, scale = split
    if q == 0:
        return  # the radical cancelled out: nothing to square
    t = name
    constraint = sympy.expand(t**2 - base)
    domain = Domain(extended)
    op = cleared.op
    strict = op == ">"
    cleared_multiplier = tuple(cleared.multiplier) + scale
    # (multiplier, claim as (bigger, smaller), equality multiplier, square piece or None)
    routes = [
        (2 * p, (p**2, q**2 * base), sympy.expand(2 * p * w - q**2), sympy.expand(p + q * t), "2P"),
        (q * t - p, (q**2 * base, p**2), sympy.expand(q**2 + (q * t - p) * w), None, "Qt-P"),
        (p - q * t, (p**2, q**2 * base), sympy.expand((p - q * t) * w - q**2), None, "P-Qt"),
    ]
    tried = set()
    # Routes whose multiplier is only nonnegative come last: they split on multiplier > 0 or <= 0.
    ordered = sorted(routes, key=lambda r: not is_positive_factor(domain, sympy.expand(r[0])))
    for multiplier, (bigger, smaller), equality_multiplier, square, route in ordered:
        multiplier = sympy.expand(multiplier)
        positive = is_positive_factor(domain, multiplier)
        if multiplier in tried or not (positive or is_nonnegative_by_coefficients(domain, multiplier)):
            continue
        tried.add(multiplier)
        claim = Relation(sympy.factor(bigger), ">" if strict else ">=", sympy.factor(smaller))
        subgoal = goal.with_goal(claim)
        pieces_before = (Square(sympy.Integer(1), (), square),) if square is not None else ()
        equality = (EqualityMultiple(constraint, equality_multiplier),) if equality_multiplier != 0 else ()
        full_multiplier = cleared_multiplier + (multiplier,)

        def build(subs, claim=claim, pieces_before=pieces_before, equality=equality,
                  full_multiplier=full_multiplier, multiplier=multiplier, positive=positive):
            pieces = pieces_before + (Lemma(sympy.Integer(1), claim, subs[0]),) + equality
            if positive:
                return IntroduceRoot(radical, name, Identity(full_multiplier, pieces))
            # multiplier > 0 is the first case's assumption; where it is <= 0, subs[1] proves the goal.
            return IntroduceRoot(radical, name, CaseSplit(multiplier, Identity(full_multiplier, pieces), subs[1],
                                                          strict=True))

        if route == "2P":
            why = f"Since {sympy.sstr(p)} > 0, squaring is allowed: 2*({sympy.sstr(p)}) times the difference " \
                  f"equals ({sympy.sstr(p + q * t)})^2 plus"
        else:
            why = f"Multiplying the difference by {sympy.sstr(multiplier)} > 0 (squaring both sides) gives"
        lines = (_introduction_line(radical, name),
                 f"{why} {sympy.sstr(claim.lhs)} - ({sympy.sstr(claim.rhs)}), using "
                 f"{name}^2 = {sympy.sstr(base)}.",
                 f"So it suffices to prove {claim}.")
        if positive:
            yield Attempt(TACTIC_NAME, goal, (subgoal,), build, lines)
            continue
        degenerate = case_problems(extended, multiplier, strict=True)[1]
        yield Attempt(TACTIC_NAME, goal, (subgoal, degenerate), build,
                      lines[:1] + (f"Where {sympy.sstr(multiplier)} > 0:",) + lines[1:]
                      + (f"Where {sympy.sstr(multiplier)} <= 0 (it is >= 0, so it vanishes), prove the goal "
                         f"directly.",))
    yield from _sign_cut_routes(goal, extended, radical, name, cleared_multiplier, strict, (p, q, w), tried)


def _sign_cut_routes(goal: Problem, extended: Problem, radical: sympy.Expr, name: sympy.Symbol,
                     cleared_multiplier: tuple, strict: bool, split: tuple, tried: set) -> Iterator[Attempt]:
    """Square both sides after proving the sign of the side that must dominate, for the multipliers
    M the kernel cannot see to be nonnegative (P - Qt with P = 1 - ab - bc - ca under a + b + c = 1).

    With N = P + Qt + W (t^2 - E) the cleared goal (times `cleared_multiplier`):
      P >= 0 and P^2 >= Q^2 E give N >= 0: M = P - Qt; where M > 0, M N = P^2 - Q^2 E (mod t^2 - E);
          where M <= 0, N = 2P - M (mod t^2 - E), a sum of assumptions.
      Q >= 0 and Q^2 E >= P^2 give N >= 0: M = Qt - P; where M > 0, M N = Q^2 E - P^2;
          where M <= 0, N = 2Qt - M.
    The sign claim is a `Cut` proved as the first subgoal (radical-free, under the goal's
    assumptions); the squared claim is the second. `extended` is the goal with the root named."""
    p, q, w = split
    t = name
    base = radical.base
    constraint = sympy.expand(t**2 - base)
    t_strict = Domain(extended).atom_strictness(t) is True
    routes = [
        (p, sympy.expand(p - q * t), (p**2, q**2 * base), sympy.expand((p - q * t) * w - q**2), (p,)),
        (q, sympy.expand(q * t - p), (q**2 * base, p**2), sympy.expand(q**2 + (q * t - p) * w), (q, t)),
    ]
    for sign_side, multiplier, (bigger, smaller), equality_multiplier, dominant_atoms in routes:
        if multiplier in tried or (sign_side.is_number and sign_side < 0):
            continue
        if strict and t in dominant_atoms and not t_strict:
            continue  # where M = 0 the goal would need Qt > 0, which t >= 0 does not give
        tried.add(multiplier)
        sign_claim = Relation(sign_side, ">" if strict else ">=", 0)
        claim = Relation(sympy.factor(bigger), ">" if strict else ">=", sympy.factor(smaller))
        equality = (EqualityMultiple(constraint, equality_multiplier),) if equality_multiplier != 0 else ()
        degenerate_equality = (EqualityMultiple(constraint, w),) if w != 0 else ()
        # Where M <= 0: N = 2 * (dominant side) + (-M), each >= 0 by an assumption of the case.
        degenerate_pieces = (Square(sympy.Integer(2), dominant_atoms, sympy.Integer(1)),
                             Square(sympy.Integer(1), (sympy.expand(-multiplier),), sympy.Integer(1)))

        def build(subs, sign_claim=sign_claim, claim=claim, equality=equality, multiplier=multiplier,
                  degenerate=degenerate_pieces + degenerate_equality):
            positive_case = Identity(cleared_multiplier + (multiplier,),
                                     (Lemma(sympy.Integer(1), claim, subs[1]),) + equality)
            degenerate_case = Identity(cleared_multiplier, degenerate)
            return Cut(sign_claim, subs[0],
                       IntroduceRoot(radical, name, CaseSplit(multiplier, positive_case, degenerate_case, strict=True)))

        shown_p, shown_q = sympy.sstr(sympy.factor(p)), sympy.sstr(sympy.factor(q))
        dominant = "P" if sign_side is p else "Q"
        lines = (f"First, {sign_claim} (proved below).", _introduction_line(radical, name),
                 f"The difference (cleared of denominators) is P + Q*{name} with P = {shown_p}, Q = {shown_q}. "
                 f"Since {dominant} >= 0 and {sympy.sstr(claim.lhs)} >= {sympy.sstr(claim.rhs)}, squaring shows "
                 f"P + Q*{name} >= 0 (where P - Q*{name} or Q*{name} - P is > 0, multiply by it; where it is <= 0, "
                 f"the difference is at least twice the nonnegative side).",
                 f"So it suffices to prove {claim}.")
        yield Attempt(TACTIC_NAME, goal, (goal.with_goal(sign_claim), goal.with_goal(claim)), build, lines)


def _cube_both_sides(goal: Problem, group: tuple[sympy.Expr, int], name: sympy.Symbol) -> Iterator[Attempt]:
    """Cube both sides of a goal with one cube root group of a polynomial E: after naming t = E^(1/3)
    and clearing denominators the goal reads N = P + Q t >= 0 modulo t^3 = E (no t^2 term), and

        (P^2 - P Q t + Q^2 t^2) * N = P^3 + Q^3 E + (multiple of t^3 - E),

    so where the multiplier is positive by the kernel's rule (L^2 + L t + t^2 for L <= t with L of
    positive coefficients) the goal reduces to the radical-free Q^3 E >= (-P)^3. Only lower bounds of
    the root (P of negative leading sign) are cubed."""
    base, _ = group
    variables = goal.variables
    if not base.is_polynomial(*variables):
        return
    radical = base ** sympy.Rational(1, 3)
    extended = root_extended_problem(goal, radical, name)
    cleared = clear_denominators(extended)
    if cleared is None or cleared.op == "=":
        return
    t = name
    try:
        as_poly = sympy.Poly(cleared.polynomial, t)
    except sympy.PolynomialError:
        return
    if any(coefficient.has(t) for coefficient in as_poly.coeffs()):
        return
    expanded_base = sympy.expand(base)
    parts = [sympy.Integer(0)] * 3  # t^k = E^(k//3) t^(k%3) modulo t^3 - E
    for (k,), coefficient in as_poly.terms():
        parts[k % 3] += coefficient * expanded_base ** (k // 3)
    p, q, r = (sympy.expand(part) for part in parts)
    if q == 0 or r != 0:
        return  # the radical cancelled out, or a t^2 term that one cube cannot clear
    if not p.could_extract_minus_sign():
        return  # an upper bound of the root (t <= L): AM-GM on t * k * k <= (t^3 + 2k^3)/3 is shorter
    constraint = sympy.expand(t**3 - base)
    multiplier = sympy.expand(p**2 - p * q * t + q**2 * t**2)
    if not is_positive_factor(Domain(extended), multiplier):
        return  # where it may vanish (P = Qt = 0), no polynomial certificate derives N >= 0 from it
    # multiplier * N - (P^3 + Q^3 E) is a multiple of t^3 - E; the division finds the multiple.
    rest = sympy.expand(multiplier * cleared.polynomial - p**3 - q**3 * expanded_base)
    equality_multiplier, remainder = sympy.div(rest, constraint, t)
    if sympy.expand(remainder) != 0:
        return
    strict = cleared.op == ">"
    # Shown as a comparison of cubes: E >= L^3 for the goal L <= E^(1/3).
    claim = Relation(sympy.factor(q**3 * expanded_base), ">" if strict else ">=", sympy.factor((-p)**3))
    equality = (EqualityMultiple(constraint, sympy.expand(equality_multiplier)),) \
        if equality_multiplier != 0 else ()
    full_multiplier = tuple(cleared.multiplier) + (multiplier,)

    def build(subs):
        pieces = (Lemma(sympy.Integer(1), claim, subs[0]),) + equality
        return IntroduceRoot(radical, name, Identity(full_multiplier, pieces))

    lines = (_introduction_line(radical, name),
             f"Multiplying the difference by {sympy.sstr(multiplier)} > 0 (cubing both sides) gives "
             f"{sympy.sstr(claim.lhs)} - ({sympy.sstr(claim.rhs)}), using {name}^3 = {sympy.sstr(base)}.",
             f"So it suffices to prove {claim}.")
    yield Attempt(TACTIC_NAME, goal, (goal.with_goal(claim),), build, lines)


def _split(polynomial: sympy.Expr, t: sympy.Symbol, numerator: sympy.Expr, denominator: sympy.Expr,
           variables) -> tuple | None:
    """`(P, Q, W, scale)` with `prod(scale) * polynomial == P + Q*t + W*(t^2 - E)` exactly for
    E = numerator / denominator, where P, Q (free of t) and W are polynomials and `scale` is the
    tuple of denominator factors (empty for a polynomial E) that clears the powers of E."""
    try:
        as_poly = sympy.Poly(polynomial, t)
    except sympy.PolynomialError:
        return None
    if any(coefficient.has(t) for coefficient in as_poly.coeffs()):
        return None
    top = max(k // 2 for (k,), _ in as_poly.terms())
    scale = (denominator,) * top if denominator != 1 else ()
    p, q = sympy.Integer(0), sympy.Integer(0)
    for (k,), coefficient in as_poly.terms():
        # t^k = E^(k//2) t^(k%2) modulo t^2 - E; times denominator^top it is a polynomial.
        reduced = coefficient * numerator ** (k // 2) * denominator ** (top - k // 2 if scale else 0)
        if k % 2 == 0:
            p += reduced
        else:
            q += reduced
    p, q = sympy.expand(p), sympy.expand(q)
    rest = sympy.expand(sympy.Mul(*scale) * polynomial - p - q * t)
    # rest = V * (denominator t^2 - numerator) = (denominator V) * (t^2 - E)
    v, remainder = sympy.div(rest, sympy.expand(denominator * t**2 - numerator), t)
    w = sympy.expand(denominator * v)
    if sympy.expand(remainder) != 0 or not w.is_polynomial(*variables, t):
        return None
    return p, q, w, scale
