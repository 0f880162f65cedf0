"""Clear the goal's denominators: find a multiplier M > 0 (by the kernel's positivity rule, or a
nonnegative factor of a written denominator, positive wherever the goal is defined) such that
M * (lhs - rhs) is a polynomial. Used by the closing tactics (sos, amgm) before they search."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy

from ineq.kernel import Domain, is_positive_factor, is_positive_where_defined
from ineq.problem import Problem


# Factoring a sparse polynomial of high degree (s^21 + t^21 + u^21 + w^21) can take minutes and
# cannot be interrupted; such factors are kept whole (their sign rarely needs their factors).
_MAX_FACTORED_DEGREE = 12


@dataclass(frozen=True)
class ClearedGoal:
    """`prod(multiplier) * g == polynomial` where `g op 0` is the normalised goal (op in '>=', '>', '=')."""

    multiplier: tuple[sympy.Expr, ...]
    polynomial: sympy.Expr
    op: str
    nonzero_denominators: tuple[sympy.Expr, ...] = ()  # factors >= 0 that are > 0 only where defined

    def explanation(self) -> str | None:
        """The sentence a student reads for this step, or None when nothing was multiplied."""
        if not self.multiplier:
            return None
        factors = " * ".join(f"({sympy.sstr(f)})" for f in self.multiplier)
        line = f"Multiply both sides by {factors} > 0 and expand."
        if self.nonzero_denominators:
            shown = ", ".join(sympy.sstr(f) for f in self.nonzero_denominators)
            line += (f" (Each of {shown} is >= 0 and a denominator of the statement, so nonzero, hence > 0"
                     " wherever the statement is defined.)")
        return line


@functools.lru_cache(maxsize=256)
def clear_denominators(problem: Problem) -> ClearedGoal | None:
    """The cleared goal, or None if the goal is not a rational function of the variables or a
    denominator factor has no sign the kernel can establish. Cached: sos, amgm, sds and schur each
    clear the same goal, and cancelling a large rational function takes a while."""
    g, op = problem.goal.normalized()
    written = sympy.together(g)  # its denominator is still a product of the written denominators
    g = sympy.cancel(written)
    numerator, denominator = sympy.fraction(g)
    variables = problem.variables
    if not (numerator.is_polynomial(*variables) and denominator.is_polynomial(*variables)):
        return None
    if denominator.is_Rational:
        return ClearedGoal((), sympy.expand(g), op)
    factors = denominator_factors(sympy.fraction(written)[1], variables)
    multiplier = _signed_factors(problem, factors)
    if multiplier is None and len(factors) > 1:
        # The whole denominator may be positive where no factor alone is (ab > 0 says nothing of a or b).
        multiplier = _signed_factors(problem, [(sympy.expand(denominator), 1)])
    if multiplier is None:
        return None
    polynomial = sympy.cancel(sympy.Mul(*multiplier) * g)
    if not polynomial.is_polynomial(*variables):
        return None
    domain = Domain(problem)
    nonzero = tuple(dict.fromkeys(f for f in multiplier if not is_positive_factor(domain, f)))
    return ClearedGoal(tuple(multiplier), sympy.expand(polynomial), op, nonzero)


def _signed_factors(problem: Problem, factors) -> list[sympy.Expr] | None:
    """Each factor repeated `power` times, negated where its negative is the positive one; None when
    some factor has neither sign by the kernel's rule."""
    multiplier: list[sympy.Expr] = []
    for factor, power in factors:
        if is_positive_where_defined(problem, factor):
            multiplier += [factor] * power
        elif is_positive_where_defined(problem, -factor):
            multiplier += [sympy.expand(-factor)] * power
        elif power % 2 == 0 and is_positive_where_defined(problem, factor**2):
            # A sign-unknown factor squared in the denominator, such as (x - 1)^2 with (x - 1)^2 > 0
            # assumed (IMO 2008/2), clears as its square.
            multiplier += [factor**2] * (power // 2)
        else:
            return None
    return multiplier


def denominator_factors(denominator: sympy.Expr, variables) -> list[tuple[sympy.Expr, int]]:
    """(factor, power) pairs whose product is `denominator` up to a constant: the written product's
    bases, each split into its variables' powers (its monomial content) and the rest, which is
    factored further only when its degree is small."""
    factors = []
    for factor, power in (f.as_base_exp() for f in sympy.Mul.make_args(denominator)):
        if factor.is_number:
            continue
        if not power.is_Integer or power < 1:
            return list(sympy.factor_list(denominator, *variables)[1])
        poly = sympy.Poly(factor, *variables)
        content, rest = poly.terms_gcd()
        for variable, exponent in zip(variables, content):
            if exponent:
                factors.append((variable, exponent * int(power)))
        if rest.is_ground:
            continue
        if rest.total_degree() <= _MAX_FACTORED_DEGREE:
            factors.extend((f, k * int(power)) for f, k in sympy.factor_list(rest.as_expr(), *variables)[1])
        else:
            factors.append((rest.as_expr(), int(power)))
    merged: dict[sympy.Expr, int] = {}
    for factor, power in factors:
        merged[factor] = merged.get(factor, 0) + power
    return list(merged.items())
