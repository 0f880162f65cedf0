"""The sum-of-squares tactic: a Positivstellensatz certificate found numerically, then made exact.

After clearing denominators the goal reads `P >= 0` (or `> 0`) for a polynomial P. We look for

    extra * P  =  sum_S m_S * z_S^T Q_S z_S  +  sum_k eps_k * s_k  +  sum_j q_j * h_j

where m_S runs over 1 and square-free products of the assumption sides (atoms), Q_S are PSD Gram
matrices over small polynomial bases z_S, s_k are strictly positive products (only for strict
goals), h_j = 0 are the equality assumptions with free polynomial multipliers q_j, and `extra` is 1,
a power of the sum of the positive variables (which turns Schur-like inequalities into
certificates), 1 + the sum of the squared variables (Motzkin-like forms), a strict assumption of
even degree, or a multiplier fitted by the SDP itself (a fixed positive factor times 1 + a
nonnegative combination of monomials, whose coefficients are 1x1 blocks). Under one equality L = c
(L a form of degree k, the goal's degrees congruent modulo k) the goal is first homogenised with
L/c = 1, the difference being a known multiple of the equality. Before the solver runs, basis
monomials whose diagonal Gram entry is forced to 0 are dropped exactly (diagonal consistency), and
each Gram basis is restricted exactly to the combinations vanishing at the target's equality cases,
rational or in some Q(sqrt D) (`ineq.tactics.sos_zeros`), with the unrestricted basis as a fallback.

The numerics (cvxpy with Clarabel, SCS as a fallback) are untrusted. The float solution is rounded
to rationals with growing denominators and projected exactly onto the affine space of the identity
(Peyrl & Parrilo's recipe); PSD-ness is then checked by exact LDL^T. When the Gram matrices are
forced to be singular (the inequality has equality cases) rounding cannot succeed, so the numerical
kernels are rounded to rational subspaces and the bases restricted to their complements (facial
reduction), then the problem is solved again. Every certificate is checked by the kernel before an
attempt is yielded.
"""

from __future__ import annotations

import functools
import itertools
import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator

import numpy as np
import scipy.linalg
import scipy.sparse
import sympy

from ineq.kernel import Domain, EqualityMultiple, Gram, Identity, Square, check
from ineq.problem import Problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import ClearedGoal, clear_denominators
from ineq.tactics.sos_rounding import (
    AffineProjector,
    PolyDict,
    ProjectionError,
    is_homogeneous,
    ldl,
    poly_degree,
    poly_mul,
    primitive,
    rational_kernel_complement,
)
from ineq.tactics.sos_zeros import (equality_cases, evaluate, evaluate_quadratic, quadratic_equality_cases,
                                   quadratic_sign, vanishing_combinations)

TACTIC_NAME = "sos"
# Denominators tried when rounding the float solution; coarse ones give nicer certificates.
_COARSE_DENOMINATORS = (1, 2, 4, 6, 12, 24, 60, 120, 2**10)
_FINE_DENOMINATORS = (2**14, 2**18, 2**22, 2**26, 2**30, 2**36)
_MAX_UNKNOWNS = 2500  # larger SDPs are too slow for an interactive prover
_MAX_PRODUCTS = 40  # atom products per configuration
# Candidates for the strictly positive piece (1x1 blocks, one unknown each): a strict goal whose only
# equality case is on the boundary needs a product that vanishes there, often of four or more atoms
# ((1 - x^2)(1 - z^2) y^2 for sqrt(abc) + sqrt((1-a)(1-b)(1-c)) < 1 after a = x^2).
_MAX_STRICT_PRODUCTS = 120
_FACIAL_ROUNDS = 3
# A reduced basis with larger coefficients makes the exact projection take minutes (10^24 seen) and
# the certificate unreadable: such a reduction is given up.
_MAX_BASIS_COEFFICIENT = 10**6
_INFEASIBLE_MARGIN = 1e-6  # a best smallest eigenvalue below -this (target scaled to 1) means infeasible
_INDEFINITE_TOLERANCE = 1e-9  # float eigenvalue below -this * max entry: certainly not PSD
_MIN_SOLVER_SECONDS = 0.05  # below this, no SDP is started
_SCS_MAX_ITERATIONS = 20000  # the fallback solver's iteration cap (its default, 1e5, takes minutes)
_SQUARES_TEXT_LIMIT = 4000  # above this, emit Gram pieces rather than explicit squares


@dataclass
class _Block:
    """`prod(atoms) * z^T Q z` with z = `basis` (polynomials); `strict` blocks are 1x1 with basis [1]
    and a strictly positive atom product, emitted as a strictly positive Square."""

    atoms: tuple[sympy.Expr, ...]
    multiplier: PolyDict
    basis: list[PolyDict]
    strict: bool = False
    # Set on the 1x1 blocks of a learned goal multiplier: the block's entry c is the coefficient of
    # this monomial m in M = 1 + sum c m, and its `multiplier` is -target * m, so that the identity
    # target = blocks + equality terms reads target * M = the other blocks + equality terms.
    learned_monomial: tuple[int, ...] | None = None

    @property
    def unknowns(self) -> int:
        n = len(self.basis)
        return n * (n + 1) // 2


@dataclass
class _EqualityTerm:
    """`q * constraint` with q a free polynomial supported on `support` monomials. For a rational
    equality assumption h = N / D = 0, `constraint` is the numerator N and the certificate's piece is
    `EqualityMultiple(h, D * q)` (a polynomial multiplier of the assumption itself, whatever the
    sign of D)."""

    constraint_expr: sympy.Expr
    constraint: PolyDict
    support: list[tuple[int, ...]]
    denominator: sympy.Expr = sympy.S.One


@dataclass
class _Configuration:
    """One Positivstellensatz ansatz: `extra * P` must equal the blocks plus the equality terms."""

    description: str
    extra: tuple[sympy.Expr, ...]
    target: PolyDict
    blocks: list[_Block]
    equalities: list[_EqualityTerm] = field(default_factory=list)
    # (h, q0): the exact `extra * P - target = q0 * h` left over from homogenising by an equality
    offset: tuple[sympy.Expr, PolyDict] | None = None

    @property
    def unknowns(self) -> int:
        return sum(b.unknowns for b in self.blocks) + sum(len(e.support) for e in self.equalities)


@dataclass(frozen=True)
class _Solution:
    """Exact Gram matrices per block and exact equality multipliers."""

    configuration: _Configuration
    matrices: list[list[list[Fraction]]]
    multipliers: list[PolyDict]


# ----------------------------------------------------------------------------------------------
# Public entry points


def sos(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield at most one closing attempt whose certificate the kernel has already accepted."""
    found = _search(goal, deadline)
    if found is None:
        return
    certificate, explanation = found
    yield Attempt(tactic=TACTIC_NAME, goal=goal, subgoals=(), build=lambda _subs: certificate,
                  explanation=explanation)


def find_sos_certificate(goal: Problem, deadline: Deadline) -> Identity | None:
    """A kernel-checked `Identity` certificate for `goal`, or None (none found before `deadline`)."""
    found = _search(goal, deadline)
    return None if found is None else found[0]


# ----------------------------------------------------------------------------------------------
# Search


# Configurations (by description) whose SDP and rounding finished without a certificate, per goal: a
# later call on the same goal (a restart with a longer time slice) goes straight to the untried ones.
# Emptied when it grows past _FAILED_CACHE_GOALS goals, so a long-lived process does not accumulate.
_FAILED_CONFIGURATIONS: dict[Problem, set[str]] = {}
_FAILED_CACHE_GOALS = 2000


def _search(goal: Problem, deadline: Deadline) -> tuple[Identity, tuple[str, ...]] | None:
    if len(_FAILED_CONFIGURATIONS) > _FAILED_CACHE_GOALS:
        _FAILED_CONFIGURATIONS.clear()
    cleared = clear_denominators(goal)
    if cleared is None or cleared.op == "=":
        return None  # equality goals are not sums of squares
    variables = goal.variables
    if not variables:
        return None
    domain = Domain(goal)
    target = _to_dict(cleared.polynomial, variables)
    if target is None:
        return None
    failed = _FAILED_CONFIGURATIONS.setdefault(goal, set())
    for configuration in _configurations(goal, domain, cleared, target):
        if deadline.expired():
            return None
        configuration = _prune_diagonal(configuration)
        if configuration.unknowns > _MAX_UNKNOWNS or not configuration.blocks:
            continue
        if configuration.description in failed:
            continue  # settled by an earlier call (the search restarts a run that ran out of time)
        solution = _solve_configuration(configuration, cleared.op == ">", deadline)
        if solution is None:
            if not deadline.expired():
                failed.add(configuration.description)
            continue
        certificate, explanation = _certificate(goal, cleared, solution)
        if check(goal, certificate):
            return certificate, explanation
    return None


def _configurations(goal: Problem, domain: Domain, cleared: ClearedGoal,
                    target: PolyDict) -> Iterator[_Configuration]:
    """Cheap ansatzes first: plain SOS, then atom multipliers, then times the sum of the positive
    variables (or, under one linear equality L = c, times powers of L/c = 1), then a higher degree."""
    variables = goal.variables
    strict_goal = cleared.op == ">"
    atoms = []  # (expr, poly, strict) for polynomial, non-constant assumption sides
    for expr, strict in domain.atoms:
        poly = _to_dict(expr, variables)
        if poly is not None and poly_degree(poly) > 0:
            atoms.append((expr, poly, strict))
    equalities = []  # (assumption expression h, numerator polynomial N, denominator D) with h = N / D
    for expr in domain.equalities:
        numerator, denominator = _numerator_denominator(expr, variables)
        poly = _to_dict(numerator, variables) if numerator is not None else None
        if poly is not None and poly_degree(poly) > 0:
            equalities.append((expr, poly, denominator))
    atoms_homogeneous = all(is_homogeneous(poly) for _, poly, _ in atoms)
    homogeneous = not equalities and is_homogeneous(target) and atoms_homogeneous
    positive = sorted(domain.positive, key=lambda v: variables.index(v))
    positive_sum = sympy.Add(*positive) if positive else None
    nonnegative = sorted(domain.nonnegative, key=lambda v: variables.index(v))

    def build(description, extra, degree, use_atoms, hom, scaled=None, offset=None, learned=()):
        if scaled is None:
            scaled = target
            for factor in extra:
                scaled = poly_mul(scaled, _to_dict(factor, variables))
        return _configuration(description, extra, scaled, degree, hom, variables,
                              atoms if use_atoms else [], [] if hom else equalities, strict_goal, offset,
                              learned)

    base = poly_degree(target)
    if homogeneous:
        if base % 2 == 0:
            yield build("plain sum of squares", (), base, False, True)
        if atoms:
            yield build("sum of squares with assumption multipliers", (), base, True, True)
        if positive_sum is not None:
            for power in (1, 2):
                yield build(f"times the sum of the positive variables to the power {power}",
                            (positive_sum,) * power, base + power, True, True)
        for expr, poly, strict in atoms:
            if strict and poly_degree(poly) % 2 == 0:
                # A strict assumption of even degree (x^2 + y^2 + z^2 > 0 from definite_split) is a
                # positive multiplier, as Motzkin-like forms need.
                yield build(f"times {sympy.sstr(expr)}", (expr,), base + poly_degree(poly), False, True)
            elif strict and positive_sum is None and all(v > 0 for v in poly.values()):
                # a + b + c > 0 over nonnegative variables (from definite_split): the multiplier that
                # the sum of the positive variables is when they are assumed > 0.
                for power in (1, 2):
                    yield build(f"times ({sympy.sstr(expr)})^{power}", (expr,) * power,
                                base + power * poly_degree(poly), True, True)
        return
    if len(equalities) == 1 and atoms_homogeneous and equalities[0][2] == 1:
        for power in (0, 1, 2):
            homogenised = _homogenise(target, equalities[0], power, variables)
            if homogenised is not None:
                scaled, offset = homogenised
                yield build(f"homogenised by the equality, degree {poly_degree(scaled)}", (),
                            poly_degree(scaled), bool(atoms), True, scaled, offset)
    # An equality multiplier needs room: below the constraint's degree it would be absent.
    even = max([base] + [poly_degree(poly) + 1 for _, poly, _ in equalities])
    even += even % 2
    yield build("plain sum of squares", (), even, False, False)
    if atoms:
        yield build("sum of squares with assumption multipliers", (), even, True, False)
    if positive_sum is not None:
        yield build("times the sum of the positive variables", (positive_sum,), (base + 1) + (base + 1) % 2,
                    True, False)
    if nonnegative:
        # The dehomogenised form of multiplying by the sum of the variables (the homogenising one
        # included): it proves odd-degree goals with an interior equality case, such as
        # 2(a^3+b^3+c^3) + 9(ab+bc+ca) + 39 >= 24(a+b+c), that no plain ansatz of their degree proves.
        # Two degrees higher it proves USAMO 2001/3 (ab + bc + ca - abc <= 2 under
        # a^2 + b^2 + c^2 + abc = 4, equality also at (sqrt 2, sqrt 2, 0)).
        for higher in (0, 2):
            yield build(f"times 1 + the sum of the nonnegative variables{', two degrees higher' if higher else ''}",
                        (1 + sympy.Add(*nonnegative),), (base + 1) + (base + 1) % 2 + higher, True, False)
    # Constrained goals often need a multiplier fitted to them (triples' certificates for
    # a^2 + b^2 + c^2 + abc = 4 problems have one): F * M with F fixed (1, or over positive variables
    # their elementary symmetric sum of degree 1 or 2) and M = 1 + a nonnegative combination of the
    # monomials that are nonnegative on the domain, found by the same SDP (its coefficients are 1x1
    # blocks), of the degree that the smallest even total degree above deg P + deg F leaves (two
    # above when F = 1). F = ab + bc + ca proves 567NEQ p56 (a + b + c = 1/a + 1/b + 1/c).
    for fixed_degree in range(3 if len(positive) > 1 else 1):
        fixed = () if fixed_degree == 0 else (
            sympy.Add(*(sympy.Mul(*group) for group in itertools.combinations(positive, fixed_degree))),)
        fitted = base + fixed_degree + 1 + (fixed_degree == 0)
        fitted += fitted % 2
        learned = tuple(m for m in _monomials(len(variables), fitted - base - fixed_degree, exact=False)
                        if any(m) and all(e % 2 == 0 or v in domain.nonnegative for v, e in zip(variables, m)))
        if learned:
            shown = f"({sympy.sstr(fixed[0])}) * " if fixed else ""
            yield build(f"times a fitted multiplier {shown}(1 + nonnegative monomials of degree <= "
                        f"{fitted - base - fixed_degree})", fixed, fitted, bool(atoms), False, learned=learned)
    if not atoms and not equalities:
        # Motzkin-like forms are SOS only after multiplying by a positive definite factor.
        yield build("times 1 + the sum of the squared variables", (1 + sum(v**2 for v in variables),),
                    even + 2, False, False)
    for higher in ((even + 2, even + 4) if equalities else (even + 2,)):
        yield build(f"higher degree ({higher})", (), higher, bool(atoms), False)


def _homogenise(target: PolyDict, equality, power: int, variables):
    """For one equality `L - c = 0` (L a form of degree k, c != 0) and a target whose monomial
    degrees are all congruent modulo k: the form `t^power * P_hom` with t = L/c and P_hom the
    homogenisation of P by t, and the exact polynomial q0 with P = t^power * P_hom + q0 * (L - c).
    None if the equality or the target is not of that shape."""
    constraint_expr, constraint, _ = equality
    constant = constraint.get((0,) * len(variables), Fraction(0))
    form = {m: v / -constant for m, v in constraint.items() if sum(m)} if constant else {}  # t = L / c
    if not form or not is_homogeneous(form):
        return None
    step = poly_degree(form)
    degree = poly_degree(target)
    if any((degree - sum(monomial)) % step for monomial in target):
        return None
    powers = [{(0,) * len(variables): Fraction(1)}]
    for _ in range(degree // step + power):
        powers.append(poly_mul(powers[-1], form))
    homogenised: PolyDict = {}
    for monomial, value in target.items():
        for m, v in powers[(degree - sum(monomial)) // step + power].items():
            key = tuple(a + b for a, b in zip(monomial, m))
            homogenised[key] = homogenised.get(key, Fraction(0)) + value * v
    homogenised = {m: v for m, v in homogenised.items() if v}
    quotient, remainder = sympy.div(_to_expr(target, variables) - _to_expr(homogenised, variables),
                                    constraint_expr, *variables)
    if remainder != 0 or not homogenised:
        return None
    return homogenised, (constraint_expr, _to_dict(quotient, variables))


def _configuration(description: str, extra: tuple[sympy.Expr, ...], target: PolyDict, degree: int,
                   homogeneous: bool, variables, atoms, equalities, strict_goal: bool,
                   offset, learned_monomials: tuple[tuple[int, ...], ...] = ()) -> _Configuration:
    """Blocks for every atom product that fits `degree` (exactly, in the homogeneous case), and one
    1x1 block per monomial of a learned goal multiplier (see `_Block.learned_monomial`)."""
    homogeneous = homogeneous and is_homogeneous(target) and poly_degree(target) == degree
    nvars = len(variables)
    if _basis_size(nvars, degree // 2, homogeneous) ** 2 > 2 * _MAX_UNKNOWNS:
        # Too large to solve: say so without enumerating the monomials (millions at degree 30).
        return _Configuration(description, extra, target, [])
    products = _atom_products(atoms, degree, nvars)
    blocks: list[_Block] = []
    for product_atoms, product_poly, product_degree, product_strict in products:
        rest = degree - product_degree
        if homogeneous:
            if rest % 2:
                continue
            basis = _monomials(nvars, rest // 2, exact=True)
        else:
            basis = _monomials(nvars, rest // 2, exact=False)
        if not product_atoms and not atoms and not equalities:
            basis = _prune_by_support(basis, target)
        if basis:
            blocks.append(_Block(product_atoms, product_poly, [{m: Fraction(1)} for m in basis]))
    if strict_goal:
        for product_atoms, product_poly in _strict_products(atoms, degree, homogeneous, nvars):
            blocks.append(_Block(product_atoms, product_poly, [{(0,) * nvars: Fraction(1)}], strict=True))
    for monomial in learned_monomials:
        blocks.append(_Block((), poly_mul(target, {monomial: Fraction(-1)}), [{(0,) * nvars: Fraction(1)}],
                             learned_monomial=monomial))
    equality_terms = []
    for expr, poly, denominator in equalities:
        rest = degree - poly_degree(poly)
        if rest >= 0:
            equality_terms.append(_EqualityTerm(expr, poly, _monomials(nvars, rest, exact=False), denominator))
    return _Configuration(description, extra, target, blocks, equality_terms, offset)


def _strict_products(atoms, degree: int, homogeneous: bool, nvars: int):
    """Products of strict atoms (repeats allowed, the empty product included) of degree `degree`
    (homogeneous case) or at most `degree`: the candidates for the one strictly positive piece."""
    strict_atoms = [(expr, poly) for expr, poly, strict in atoms if strict]
    products = []
    for size in range(degree + 1):
        for combination in itertools.combinations_with_replacement(strict_atoms, size):
            total = sum(poly_degree(poly) for _, poly in combination)
            if total > degree or (homogeneous and total != degree):
                continue
            poly = {(0,) * nvars: Fraction(1)}
            for _, factor in combination:
                poly = poly_mul(poly, factor)
            products.append((tuple(expr for expr, _ in combination), poly))
            if len(products) >= _MAX_STRICT_PRODUCTS:
                return products
    return products


def _atom_products(atoms, degree: int, nvars: int):
    """Square-free products of atoms of total degree <= `degree`, the empty product first:
    (atoms, polynomial, degree, strict). Repeated atoms are left out: a^2 * sigma is already a square
    times the rest."""
    products = [((), {(0,) * nvars: Fraction(1)}, 0, True)]
    for size in range(1, len(atoms) + 1):
        for combination in itertools.combinations(atoms, size):
            total = sum(poly_degree(poly) for _, poly, _ in combination)
            if total > degree:
                continue
            poly = combination[0][1]
            for _, other, _ in combination[1:]:
                poly = poly_mul(poly, other)
            products.append((tuple(expr for expr, _, _ in combination), poly, total,
                             all(strict for _, _, strict in combination)))
            if len(products) >= _MAX_PRODUCTS:
                return products
    return products


def _basis_size(nvars: int, degree: int, exact: bool) -> int:
    """How many monomials `_monomials(nvars, degree, exact)` lists."""
    return math.comb(nvars + degree - 1, degree) if exact else math.comb(nvars + degree, degree)


def _monomials(nvars: int, degree: int, exact: bool) -> list[tuple[int, ...]]:
    degrees = [degree] if exact else range(degree + 1)
    result = []
    for d in degrees:
        for combination in itertools.combinations_with_replacement(range(nvars), d):
            exponent = [0] * nvars
            for i in combination:
                exponent[i] += 1
            result.append(tuple(exponent))
    return result


def _prune_by_support(basis: list[tuple[int, ...]], target: PolyDict) -> list[tuple[int, ...]]:
    """Drop monomials m with 2m outside supp(P) and not a sum of two other basis monomials: their
    diagonal Gram entry must be 0, hence their whole row (a cheap Newton-polytope reduction)."""
    basis = list(basis)
    changed = True
    while changed:
        changed = False
        sums = {}
        for i, m in enumerate(basis):
            for j in range(i + 1, len(basis)):
                key = tuple(a + b for a, b in zip(m, basis[j]))
                sums[key] = sums.get(key, 0) + 1
        for m in list(basis):
            double = tuple(2 * e for e in m)
            if double not in target and double not in sums:
                basis.remove(m)
                changed = True
                break
    return basis


# ----------------------------------------------------------------------------------------------
# Numerics and rounding


def _solve_configuration(configuration: _Configuration, strict_goal: bool,
                         deadline: Deadline) -> _Solution | None:
    """Solve a configuration (already pruned by `_prune_diagonal`) with the bases restricted at the
    exact equality cases, then (when that changed the bases and found nothing) without: the same
    feasible set in another basis can round differently, and each way succeeds on problems where the
    other fails."""
    restricted = _restrict_to_equality_cases(configuration)
    solution = _solve_faces(restricted, strict_goal, deadline)
    if solution is None and restricted != configuration and not deadline.expired():
        solution = _solve_faces(configuration, strict_goal, deadline)
    return solution


def _solve_faces(configuration: _Configuration, strict_goal: bool, deadline: Deadline) -> _Solution | None:
    """Solve, round with coarse denominators, and on failure reduce the faces and solve again;
    fine denominators (uglier certificates) only when the coarse ones failed on every face."""
    solved = []
    for _ in range(_FACIAL_ROUNDS + 1):
        if deadline.expired() or not configuration.blocks:
            break
        columns = _columns(configuration)
        numeric = _solve_sdp(configuration, columns, deadline)
        if numeric is None or deadline.expired():
            break
        try:  # exact linear algebra, costly on large ansatzes: only once the SDP has a solution
            projector = AffineProjector(columns, configuration.target)
        except ProjectionError:
            break
        solved.append((configuration, projector, numeric))
        solution = _round(configuration, projector, numeric, strict_goal, _COARSE_DENOMINATORS, deadline)
        if solution is not None:
            return solution
        configuration = _facial_reduction(configuration, numeric[0])
        if configuration is None:
            break
    for configuration, projector, numeric in reversed(solved):
        solution = _round(configuration, projector, numeric, strict_goal, _FINE_DENOMINATORS, deadline)
        if solution is not None:
            return solution
    return None


def _prune_diagonal(configuration: _Configuration) -> _Configuration:
    """Drop basis monomials whose Gram diagonal entry is forced to 0, exactly (partial facial
    reduction by diagonal consistency): a monomial of the identity that the target lacks, that no
    equality term can produce, and that only diagonal entries produce, each with a positive
    coefficient, makes all those entries 0, so their basis monomials go; repeated until stable.
    The bases must be single monomials, as `_configuration` builds them (before any restriction).
    Such forced zeros (the top-degree squares that nothing can cancel) otherwise leave kernels
    that the numerical facial reduction cannot tell from accidental ones."""
    free = set(configuration.target)
    for term in configuration.equalities:
        for monomial in term.support:
            free.update(tuple(a + b for a, b in zip(monomial, m)) for m in term.constraint)
    blocks = list(configuration.blocks)
    while True:
        # monomial -> the (block, basis index) diagonal entries producing it, or None once anything
        # else (an off-diagonal entry, a negative coefficient) produces it too
        producers: dict[tuple[int, ...], list | None] = {}
        for k, block in enumerate(blocks):
            monomials = [next(iter(element)) for element in block.basis]
            for i, first in enumerate(monomials):
                for j in range(i, len(monomials)):
                    for m, v in block.multiplier.items():
                        key = tuple(a + b + c for a, b, c in zip(m, first, monomials[j]))
                        if i == j and v > 0 and producers.get(key, []) is not None:
                            producers.setdefault(key, []).append((k, i))
                        else:
                            producers[key] = None
        forced = {entry for key, entries in producers.items() if entries and key not in free for entry in entries}
        if not forced:
            break
        blocks = [_Block(block.atoms, block.multiplier,
                         [element for i, element in enumerate(block.basis) if (k, i) not in forced],
                         block.strict, block.learned_monomial) for k, block in enumerate(blocks)]
        blocks = [block for block in blocks if block.basis]
    if len(blocks) == len(configuration.blocks) and all(
            len(a.basis) == len(b.basis) for a, b in zip(blocks, configuration.blocks)):
        return configuration
    return _Configuration(configuration.description, configuration.extra, configuration.target, blocks,
                          configuration.equalities, configuration.offset)


def _restrict_to_equality_cases(configuration: _Configuration) -> _Configuration:
    """Restrict each block's basis to the combinations vanishing at the target's exact equality
    cases (rational, or with coordinates in some Q(sqrt D)) where the block's multiplier is positive
    (see `ineq.tactics.sos_zeros`); drop the blocks left empty. Points where a multiplier is negative
    lie outside the domain and are skipped."""
    rational_cases, quadratic_cases = _equality_cases_of(
        tuple(sorted(configuration.target.items())),
        tuple(tuple(sorted(term.constraint.items())) for term in configuration.equalities))
    points = [point for point in rational_cases
              if all(evaluate(block.multiplier, point) >= 0 for block in configuration.blocks)]
    irrational = [point for point in quadratic_cases
                  if all(quadratic_sign(evaluate_quadratic(block.multiplier, point), point.radicand) >= 0
                         for block in configuration.blocks)]
    if not points and not irrational:
        return configuration
    blocks = []
    for block in configuration.blocks:
        values = [[evaluate(element, point) for element in block.basis] for point in points
                  if evaluate(block.multiplier, point) > 0]
        for point in irrational:
            if quadratic_sign(evaluate_quadratic(block.multiplier, point), point.radicand) > 0:
                pairs = [evaluate_quadratic(element, point) for element in block.basis]
                values += [[a for a, _ in pairs], [b for _, b in pairs]]
        if not values:
            blocks.append(block)
            continue
        combinations = vanishing_combinations(values, len(block.basis))
        basis = [_combination(weights, block.basis) for weights in combinations]
        if basis:
            blocks.append(_Block(block.atoms, block.multiplier, basis, block.strict))
    return _Configuration(configuration.description, configuration.extra, configuration.target, blocks,
                          configuration.equalities, configuration.offset)


@functools.lru_cache(maxsize=256)
def _equality_cases_of(target: tuple, constraints: tuple) -> tuple[list, list]:
    """The rational and the quadratic-irrational equality cases of a target under constraints (both
    as sorted item tuples), computed once: most configurations of a goal share them."""
    polynomial = dict(target)
    if not polynomial:
        return [], []  # a zero target vanishes everywhere: no restriction to make
    nvars = len(next(iter(polynomial)))
    constraint_polynomials = [dict(constraint) for constraint in constraints]
    return (equality_cases(polynomial, constraint_polynomials, nvars),
            quadratic_equality_cases(polynomial, constraint_polynomials, nvars))


def _combination(weights: list[Fraction], basis: list[PolyDict]) -> PolyDict:
    """sum_i weights[i] * basis[i], zero coefficients dropped."""
    poly: PolyDict = {}
    for weight, element in zip(weights, basis):
        for m, v in element.items():
            poly[m] = poly.get(m, Fraction(0)) + weight * v
    return {m: v for m, v in poly.items() if v}


def _columns(configuration: _Configuration) -> list[PolyDict]:
    """The polynomial each exact unknown multiplies: upper-triangle Gram entries block by block
    (off-diagonal entries count twice), then the equality multipliers' coefficients."""
    columns = []
    for block in configuration.blocks:
        n = len(block.basis)
        for i in range(n):
            for j in range(i, n):
                product = poly_mul(block.multiplier, poly_mul(block.basis[i], block.basis[j]))
                if i != j:
                    product = {m: 2 * v for m, v in product.items()}
                columns.append(product)
    for term in configuration.equalities:
        for monomial in term.support:
            columns.append(poly_mul(term.constraint, {monomial: Fraction(1)}))
    return columns


def _solve_sdp(configuration: _Configuration, columns: list[PolyDict], deadline: Deadline):
    """Float Gram matrices and multiplier coefficients maximising the smallest eigenvalue (capped),
    or None when the solver finds no solution. Rows are normalised so the target's largest
    coefficient is 1. Both solvers get the time left before `deadline` as their own time limit (an
    SDP is otherwise uninterruptible: SCS alone could take half a minute on a large ansatz)."""
    import cvxpy as cp  # imported lazily: cvxpy takes a while to import

    target = configuration.target
    monomials = sorted(set(target).union(*columns))
    row_of = {m: i for i, m in enumerate(monomials)}
    scale = float(max(abs(v) for v in target.values())) if target else 1.0
    rhs = np.zeros(len(monomials))
    for m, v in target.items():
        rhs[row_of[m]] = float(v) / scale

    margin = cp.Variable()
    constraints = [margin <= 1]
    expression = 0
    variables = []
    column = 0
    for block in configuration.blocks:
        n = len(block.basis)
        gram = cp.Variable((n, n), symmetric=True)
        entries, rows_idx, cols_idx = [], [], []
        for i in range(n):
            for j in range(i, n):
                for m, v in columns[column].items():
                    weight = float(v) if i == j else float(v) / 2
                    for (a, b) in ({(i, j), (j, i)}):
                        rows_idx.append(row_of[m])
                        cols_idx.append(a + b * n)  # column-major vec
                        entries.append(weight)
                column += 1
        mapping = scipy.sparse.csr_matrix((entries, (rows_idx, cols_idx)), shape=(len(monomials), n * n))
        expression = expression + mapping @ cp.vec(gram, order="F")
        constraints.append(gram - margin * np.eye(n) >> 0)
        variables.append(gram)
    multiplier_vars = []
    for term in configuration.equalities:
        coefficients = cp.Variable(len(term.support))
        entries, rows_idx, cols_idx = [], [], []
        for k in range(len(term.support)):
            for m, v in columns[column].items():
                rows_idx.append(row_of[m])
                cols_idx.append(k)
                entries.append(float(v))
            column += 1
        mapping = scipy.sparse.csr_matrix((entries, (rows_idx, cols_idx)),
                                          shape=(len(monomials), len(term.support)))
        expression = expression + mapping @ coefficients
        multiplier_vars.append(coefficients)
    independent = _independent_rows(columns, row_of, rhs * scale)
    if independent is None:
        return None  # no Gram matrices at all, PSD or not, give the target
    # Redundant rows (the identity's equations are dependent once bases are restricted) stall
    # Clarabel ("insufficient progress") and send every such problem to the slow SCS.
    constraints.append(expression[independent] == rhs[independent])
    problem = cp.Problem(cp.Maximize(margin), constraints)
    for solver in ("CLARABEL", "SCS"):
        remaining = deadline.remaining()
        if remaining < _MIN_SOLVER_SECONDS:
            return None
        options = ({"time_limit": remaining} if solver == "CLARABEL"
                   else {"time_limit_secs": remaining, "max_iters": _SCS_MAX_ITERATIONS})
        try:
            with warnings.catch_warnings():
                # An inaccurate solution is fine: the rounding and the kernel decide, not the solver.
                warnings.simplefilter("ignore", UserWarning)
                problem.solve(solver=solver, **options)
        except (cp.error.SolverError, ArithmeticError, ValueError):
            continue
        if problem.status in ("optimal", "optimal_inaccurate") and margin.value is not None:
            break
        if problem.status in ("infeasible", "infeasible_inaccurate"):
            return None
    else:
        return None
    if margin.value < -_INFEASIBLE_MARGIN:
        return None  # no PSD Gram matrices satisfy the identity
    matrices = [scale * (g.value + g.value.T) / 2 for g in variables]
    multipliers = [scale * q.value for q in multiplier_vars]
    return matrices, multipliers


def _independent_rows(columns: list[PolyDict], row_of: dict, rhs: np.ndarray) -> np.ndarray | None:
    """Indices of a maximal set of independent equations of `sum_j x_j columns_j = rhs` (one equation
    per monomial), or None when the equations are inconsistent."""
    matrix = np.zeros((len(row_of), len(columns)))
    for j, column in enumerate(columns):
        for m, v in column.items():
            matrix[row_of[m], j] = float(v)
    # Pivoted QR of the transpose: the first `rank` pivots are independent rows; every other row is
    # the combination R11^-1 R12 of them, and so must its right-hand side be.
    _, triangular, permutation = scipy.linalg.qr(matrix.T, mode="economic", pivoting=True)
    diagonal = np.abs(np.diag(triangular))
    rank = int(np.sum(diagonal > 1e-9 * max(1.0, float(diagonal.max(initial=0.0)))))
    keep, dependent = permutation[:rank], permutation[rank:]
    if len(dependent):
        combination = scipy.linalg.solve_triangular(triangular[:rank, :rank], triangular[:rank, rank:])
        if np.max(np.abs(combination.T @ rhs[keep] - rhs[dependent])) > 1e-6 * max(1.0, float(np.max(np.abs(rhs)))):
            return None
    return np.sort(keep)


def _round(configuration: _Configuration, projector: AffineProjector, numeric, strict_goal: bool,
           denominators: tuple[int, ...], deadline: Deadline) -> _Solution | None:
    """Round to each denominator in turn, project exactly, accept the first exactly PSD result."""
    matrices, multipliers = numeric
    floats = []
    for matrix in matrices:
        n = matrix.shape[0]
        floats.extend(matrix[i, j] for i in range(n) for j in range(i, n))
    for coefficients in multipliers:
        floats.extend(coefficients)
    # Completing the rounded point keeps its small denominators; projecting moves less but
    # brings in the (large) denominators of the normal equations.
    for correct in (projector.complete, projector.project):
        for denominator in denominators:
            if deadline.expired():
                return None
            point = [Fraction(round(v * denominator), denominator) for v in floats]
            solution = _unpack(configuration, correct(point))
            if _acceptable(solution, strict_goal):
                return solution
    return None


def _unpack(configuration: _Configuration, values: list[Fraction]) -> _Solution:
    position = 0
    matrices = []
    for block in configuration.blocks:
        n = len(block.basis)
        matrix = [[Fraction(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                matrix[i][j] = matrix[j][i] = values[position]
                position += 1
        matrices.append(matrix)
    multipliers = []
    for term in configuration.equalities:
        poly = {}
        for monomial in term.support:
            if values[position]:
                poly[monomial] = values[position]
            position += 1
        multipliers.append(poly)
    return _Solution(configuration, matrices, multipliers)


def _acceptable(solution: _Solution, strict_goal: bool) -> bool:
    """Every Gram matrix exactly PSD (and a strictly positive piece for a strict goal). A float
    eigenvalue test first rejects the clearly indefinite candidates: exact LDL^T in fractions is
    by far the most expensive step of rounding, and most rounded points fail."""
    if any(_clearly_indefinite(matrix) for matrix in solution.matrices):
        return False
    strict_found = False
    for block, matrix in zip(solution.configuration.blocks, solution.matrices):
        if ldl(matrix) is None:
            return False
        strict_found = strict_found or (block.strict and matrix[0][0] > 0)
    return strict_found or not strict_goal


def _clearly_indefinite(matrix: list[list[Fraction]]) -> bool:
    """True when the float smallest eigenvalue is negative beyond rounding error (relative to the
    largest entry); False means only "maybe PSD", for the exact test to decide."""
    if len(matrix) <= 1:
        return bool(matrix) and matrix[0][0] < 0
    values = np.array([[float(v) for v in row] for row in matrix])
    scale = float(np.max(np.abs(values))) or 1.0
    return float(np.min(np.linalg.eigvalsh(values))) < -_INDEFINITE_TOLERANCE * scale


def _facial_reduction(configuration: _Configuration, matrices) -> _Configuration | None:
    """Restrict every block's basis to the complement of its (rationalised) numerical kernel; a block
    whose kernel has no nearby rational basis stays whole. None when nothing changes."""
    largest = max((float(np.max(np.linalg.eigvalsh(m))) for m in matrices if m.size), default=0.0)
    if largest <= 0:
        return None
    threshold = 1e-6 * largest
    blocks = []
    changed = False
    for block, matrix in zip(configuration.blocks, matrices):
        complement = rational_kernel_complement(matrix, threshold)
        if complement is None or len(complement) == len(block.basis):
            # No nearby rational kernel for this block: leave it whole, and still reduce the others.
            blocks.append(block)
            continue
        changed = True
        if not complement:
            continue
        basis = []
        for vector in complement:
            poly = _combination(vector, block.basis)
            if any(abs(v.numerator) > _MAX_BASIS_COEFFICIENT or v.denominator > _MAX_BASIS_COEFFICIENT
                   for v in poly.values()):
                return None
            basis.append(poly)
        blocks.append(_Block(block.atoms, block.multiplier, basis, block.strict))
    if not changed:
        return None
    return _Configuration(configuration.description, configuration.extra, configuration.target, blocks,
                          configuration.equalities, configuration.offset)


# ----------------------------------------------------------------------------------------------
# Certificate and explanation


def _certificate(goal: Problem, cleared: ClearedGoal, solution: _Solution) -> tuple[Identity, tuple[str, ...]]:
    """The Identity certificate (explicit squares when short, Gram pieces otherwise) and the
    student's explanation lines."""
    variables = goal.variables
    configuration = solution.configuration
    strict_pieces, square_pieces, gram_pieces = [], [], []
    learned = {}
    for block, matrix in zip(configuration.blocks, solution.matrices):
        if block.learned_monomial is not None:
            if matrix[0][0]:
                learned[block.learned_monomial] = matrix[0][0]
            continue
        if block.strict:
            if matrix[0][0] > 0:
                strict_pieces.append(Square(_rational(matrix[0][0]), block.atoms, sympy.Integer(1)))
            continue
        gram_pieces.append(Gram(block.atoms, tuple(_to_expr(p, variables) for p in block.basis),
                                tuple(tuple(_rational(v) for v in row) for row in matrix)))
        square_pieces.extend(_squares(block, matrix, variables))
    equality_multipliers = [(term.constraint_expr, term.denominator * _to_expr(q, variables))
                            for term, q in zip(configuration.equalities, solution.multipliers) if q]
    if configuration.offset is not None and configuration.offset[1]:
        equality_multipliers.append((configuration.offset[0], _to_expr(configuration.offset[1], variables)))
    equality_pieces = _merge_equalities([EqualityMultiple(h, q) for h, q in equality_multipliers])
    square_pieces = _merge_squares(square_pieces + strict_pieces)
    squares_text = " + ".join(_show_square(s) for s in square_pieces)
    if len(squares_text) <= _SQUARES_TEXT_LIMIT:
        pieces = tuple(square_pieces) + tuple(equality_pieces)
        shown = squares_text or "0"
    else:
        pieces = tuple(strict_pieces) + tuple(gram_pieces) + tuple(equality_pieces)
        shown = " + ".join([_show_square(s) for s in strict_pieces]
                           + [f"{_show_atoms(g.atoms)}z^T Q z (z = [{', '.join(map(sympy.sstr, g.basis))}], "
                              f"Q positive semidefinite)" for g in gram_pieces])
    multiplier = tuple(cleared.multiplier) + tuple(configuration.extra)
    if learned:
        multiplier += (_to_expr({(0,) * len(variables): Fraction(1), **learned}, variables),)
    lines = []
    multiply = ClearedGoal(multiplier, cleared.polynomial, cleared.op).explanation()
    if multiply:
        lines.append(multiply)
    nature = "a sum of squares times nonnegative terms"
    if cleared.op == ">":
        nature += ", one of them strictly positive"
    if equality_pieces:
        zero_terms = " + ".join(f"({sympy.sstr(p.multiplier)})*({sympy.sstr(p.constraint)})" for p in equality_pieces)
        lines.append(f"The difference equals  {shown}  +  {zero_terms}  ({nature}, plus terms that vanish "
                     f"because {', '.join(sympy.sstr(p.constraint) + ' = 0' for p in equality_pieces)}).")
    else:
        lines.append(f"The difference equals  {shown}  ({nature}).")
    return Identity(multiplier, pieces), tuple(lines)


def _merge_equalities(pieces: list[EqualityMultiple]) -> list[EqualityMultiple]:
    """One equality multiple per constraint (the multipliers added up), zero ones dropped."""
    merged: dict[sympy.Expr, sympy.Expr] = {}
    for piece in pieces:
        merged[piece.constraint] = merged.get(piece.constraint, sympy.Integer(0)) + piece.multiplier
    return [EqualityMultiple(h, sympy.expand(q)) for h, q in merged.items() if sympy.expand(q) != 0]


def _merge_squares(squares: list[Square]) -> list[Square]:
    """Add up the coefficients of squares with the same atoms and the same squared polynomial."""
    merged: dict[tuple, sympy.Rational] = {}
    for square in squares:
        key = (square.atoms, square.poly)
        merged[key] = merged.get(key, sympy.Integer(0)) + square.coeff
    return [Square(coeff, atoms, poly) for (atoms, poly), coeff in merged.items()]


def _squares(block: _Block, matrix, variables) -> list[Square]:
    """LDL^T of the exact Gram matrix as weighted squares `d_k * (integer combination)^2`."""
    lower, diagonal = ldl(matrix)
    squares = []
    n = len(block.basis)
    for k in range(n):
        if diagonal[k] == 0:
            continue
        poly: PolyDict = {}
        for j in range(k, n):
            if lower[j][k]:
                for m, v in block.basis[j].items():
                    poly[m] = poly.get(m, Fraction(0)) + lower[j][k] * v
        poly = {m: v for m, v in poly.items() if v}
        if not poly:
            continue
        monomials = sorted(poly, reverse=True)
        scale, integers = primitive([poly[m] for m in monomials])
        expr = _to_expr({m: Fraction(i) for m, i in zip(monomials, integers)}, variables)
        if sympy.Poly(expr, *variables).LC() < 0:  # (b - a)^2 reads better as (a - b)^2
            expr = sympy.expand(-expr)
        squares.append(Square(_rational(diagonal[k] * scale * scale), block.atoms, expr))
    return squares


def _show_atoms(atoms) -> str:
    return "".join(f"({sympy.sstr(a)})*" for a in atoms)


def _show_square(square: Square) -> str:
    coefficient = "" if square.coeff == 1 else f"{sympy.sstr(square.coeff)}*"
    if square.poly == 1:
        atoms = "*".join(f"({sympy.sstr(a)})" for a in square.atoms)
        return f"{sympy.sstr(square.coeff)}" + (f"*{atoms}" if atoms else "")
    return f"{coefficient}{_show_atoms(square.atoms)}({sympy.sstr(square.poly)})^2"


def _numerator_denominator(expr: sympy.Expr, variables) -> tuple[sympy.Expr | None, sympy.Expr]:
    """`(N, D)` polynomials with expr == N / D, D = 1 for a polynomial; (None, 1) otherwise."""
    if expr.is_polynomial(*variables):
        return expr, sympy.Integer(1)
    numerator, denominator = sympy.fraction(sympy.cancel(sympy.together(expr)))
    if not (numerator.is_polynomial(*variables) and denominator.is_polynomial(*variables)):
        return None, sympy.Integer(1)
    return sympy.expand(numerator), sympy.expand(denominator)


def _rational(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _to_dict(expr: sympy.Expr, variables) -> PolyDict | None:
    """The polynomial as a sparse dict over `variables`, or None if it is not a polynomial over Q."""
    if not expr.is_polynomial(*variables):
        return None
    try:
        poly = sympy.Poly(sympy.expand(expr), *variables, domain="QQ")
    except (sympy.PolynomialError, sympy.CoercionFailed):
        return None
    return {tuple(m): Fraction(int(c.numerator), int(c.denominator)) for m, c in poly.terms() if c != 0}


def _to_expr(poly: PolyDict, variables) -> sympy.Expr:
    return sympy.Add(*(sympy.Rational(v.numerator, v.denominator)
                       * sympy.Mul(*(x ** e for x, e in zip(variables, m))) for m, v in poly.items()))
