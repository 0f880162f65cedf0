"""The trusted checker: `check(problem, certificate) -> Verdict`, exact rational arithmetic only.

Soundness argument for the `Identity` rule. At any point of the domain (every assumption holds) where
the goal is defined: each multiplier factor is > 0 (positivity rule below), each piece is >= 0
(per-kind rule below), and the identity `M * g = sum(pieces)` holds exactly as rational functions,
so `g >= 0`. For a strict goal one piece must be > 0 everywhere on the domain; for an equality goal
every piece must be an equality multiple, so `M * g = 0`.

Per-kind nonnegativity:
- Square: coeff >= 0, atoms are assumption sides (>= 0), the squared thing is a polynomial.
- Gram: atoms as above; z^T Q z >= 0 because Q is symmetric PSD (exact LDL^T below).
- AMGM: weighted AM-GM, sum w_i t_i >= prod t_i^w_i for t_i >= 0, w_i >= 0, sum w_i = 1. Every
  t_i is a positive rational times a monomial that is nonnegative on the domain (fractional exponents
  only of variables assumed > 0); the geometric mean is computed here, and we use GM >= the monomial
  we subtract (GM = |that monomial| when a variable of unknown sign appears to even powers only).

The identity itself is tested with every variable assumed > 0 replaced by a positive symbol, so that
(xyz)^(1/3) = x^(1/3) y^(1/3) z^(1/3) and similar facts of positive reals are used; the identity is
only needed on the domain, where they hold.
- EqualityMultiple: zero on the domain; the multiplier must be a polynomial (defined everywhere).
- Lemma: the claim is checked recursively under the same assumptions.

This module imports only the standard library, sympy and the kernel's own modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy.polys.domains import QQ
from sympy.polys.polyerrors import CoercionFailed
from sympy.polys.rings import PolyRing

from ineq.kernel.certificates import (
    AMGM,
    CaseSplit,
    Certificate,
    ChangeVariables,
    Cut,
    EqualityMultiple,
    Gram,
    Identity,
    Exponentiate,
    Generalize,
    IntroduceRoot,
    Lemma,
    MonomialRoots,
    Reciprocal,
    RootOrder,
    Square,
    Substitute,
    SymmetryOrder,
    Weaken,
)
from ineq.problem import Problem, Relation, make_problem


@dataclass(frozen=True)
class Verdict:
    """`ok` is True only when every step was verified; `reason` says what failed (or what was checked)."""

    ok: bool
    reason: str

    def __bool__(self) -> bool:
        return self.ok


class Rejected(Exception):
    """Raised inside the checker with the reason a certificate fails."""


def check(problem: Problem, certificate: Certificate) -> Verdict:
    """Verify that `certificate` proves `problem.goal` under `problem.assumptions`."""
    try:
        _check(problem, certificate)
    except Rejected as rejection:
        return Verdict(False, str(rejection))
    except (TypeError, ValueError, AttributeError, ZeroDivisionError, sympy.PolynomialError) as error:
        # Malformed content that slipped past the format checks is a rejection, never a crash.
        return Verdict(False, f"malformed certificate: {type(error).__name__}: {error}")
    return Verdict(True, "kernel verified the certificate")


class Domain:
    """What the assumptions give the kernel: nonnegative/positive atoms, equalities, variable signs.

    `positive`: the variables assumed > 0, and those assumed >= 0 that divide a monomial equal to a
    nonzero constant (a, b, c >= 0 and abc = 1 make each of them nonzero, hence > 0).

    Tactics may use it too (to know which multipliers the kernel will accept); it only reads.
    """

    def __init__(self, problem: Problem):
        self.variables = problem.variables
        self.atoms: list[tuple[sympy.Expr, bool]] = []  # (g, strict) for g >= 0 / g > 0
        self.equalities: list[sympy.Expr] = []
        for assumption in problem.assumptions:
            expr, op = assumption.normalized()
            expr = sympy.expand(expr)
            if op == "=":
                self.equalities.append(expr)
            else:
                self.atoms.append((expr, op == ">"))
        self._strictness: dict[sympy.Expr, bool | None] = {}
        self.nonnegative = {v for v in self.variables if self.atom_strictness(v) is not None}
        # A variable >= 0 is > 0 when it divides a monomial equal to a nonzero constant (abc = 1):
        # it cannot be 0 there.
        self.positive = {v for v in self.variables if self.atom_strictness(v) is True} | {
            v for h in self.equalities for v in _monomial_equal_to_nonzero_constant(h, self.variables)
            if v in self.nonnegative}

    def atom_strictness(self, atom: sympy.Expr) -> bool | None:
        """True if `atom > 0` follows from one assumption by a positive scaling, False if only
        `atom >= 0` does, None if no assumption gives it."""
        if atom not in self._strictness:
            found, expanded = None, sympy.expand(atom)
            for expr, strict in self.atoms:
                ratio = _constant_ratio(expanded, expr)
                if ratio is not None and ratio > 0:
                    found = True if strict else (found or False)
                    if strict:
                        break
            self._strictness[atom] = found
        return self._strictness[atom]

    def is_equality(self, constraint: sympy.Expr) -> bool:
        expanded = sympy.expand(constraint)
        return any(_constant_ratio(expanded, expr) not in (None, 0) for expr in self.equalities)


def _monomial_equal_to_nonzero_constant(h: sympy.Expr, variables) -> set:
    """The variables of m when `h = 0` reads k * m = c with m a monomial, k and c nonzero rationals."""
    if not h.is_polynomial(*variables) or not h.free_symbols <= set(variables):
        return set()
    try:
        poly = sympy.Poly(h, *variables, domain="QQ")
    except CoercionFailed:  # an irrational coefficient (a + b + c = sqrt(5)): not of this form
        return set()
    terms = poly.terms()
    if len(terms) != 2 or not any(sum(monomial) == 0 for monomial, _ in terms):
        return set()
    monomial = next(m for m, _ in terms if sum(m) > 0)
    return {v for v, exponent in zip(variables, monomial) if exponent > 0}


def _constant_ratio(expr: sympy.Expr, other: sympy.Expr) -> sympy.Rational | None:
    """The rational r with expr = r * other identically, or None (also when other is 0)."""
    if other == 0 or expr.free_symbols != other.free_symbols:  # cheap filter before any algebra
        return None
    if expr == other:
        return sympy.Integer(1)
    if len(sympy.Add.make_args(expr)) != len(sympy.Add.make_args(other)):
        return None  # every caller passes expanded sums: r * other (r != 0) has as many terms as other
    ratio = sympy.cancel(sympy.together(expr / other))
    return ratio if ratio.is_Rational else None


def _check(problem: Problem, certificate: Certificate, where_defined: bool = True) -> None:
    """Dispatch on the rule; each rule checks its side conditions, then its sub-certificates.

    `where_defined`: the goal need only hold where it is defined (the statement being proved, and
    goals derived from it by rules that keep its value). A lemma's claim is used at every point
    where the parent's goal is defined, so it is checked with False: then a multiplier factor may
    not rely on the claim's own denominators being nonzero.
    """
    if isinstance(certificate, Identity):
        _check_identity(problem, certificate, where_defined)
    elif isinstance(certificate, CaseSplit):
        _check_case_split(problem, certificate, where_defined)
    elif isinstance(certificate, SymmetryOrder):
        _check_symmetry_order(problem, certificate, where_defined)
    elif isinstance(certificate, Substitute):
        _check_substitute(problem, certificate, where_defined)
    elif isinstance(certificate, IntroduceRoot):
        _check_introduce_root(problem, certificate, where_defined)
    elif isinstance(certificate, MonomialRoots):
        _check_monomial_roots(problem, certificate, where_defined)
    elif isinstance(certificate, RootOrder):
        _check_root_order(problem, certificate, where_defined)
    elif isinstance(certificate, Exponentiate):
        _check_exponentiate(problem, certificate, where_defined)
    elif isinstance(certificate, Generalize):
        _check_generalize(problem, certificate, where_defined)
    elif isinstance(certificate, Cut):
        _check_cut(problem, certificate, where_defined)
    elif isinstance(certificate, Weaken):
        _check_weaken(problem, certificate, where_defined)
    elif isinstance(certificate, Reciprocal):
        _check_reciprocal(problem, certificate, where_defined)
    elif isinstance(certificate, ChangeVariables):
        _check_change_variables(problem, certificate, where_defined)
    else:
        raise Rejected(f"unknown certificate type {type(certificate).__name__}")


def _check_part(context: str, problem: Problem, certificate: Certificate, where_defined: bool) -> None:
    """Check a rule's sub-certificate; a rejection names the rule's context first."""
    try:
        _check(problem, certificate, where_defined)
    except Rejected as rejection:
        raise Rejected(f"{context}: {rejection}") from None


def _transformed(problem: Problem, transform, assumptions=None, extra=(), variables=None) -> Problem:
    """The problem with `transform` applied to both sides of its goal and of `assumptions` (default:
    all of them), then `extra` assumptions added, over `variables` (default: the problem's)."""
    kept = problem.assumptions if assumptions is None else assumptions
    moved = [Relation(transform(a.lhs), a.op, transform(a.rhs)) for a in kept] + list(extra)
    goal = Relation(transform(problem.goal.lhs), problem.goal.op, transform(problem.goal.rhs))
    return make_problem(moved, goal, extra_variables=problem.variables if variables is None else variables)


def _with(problem: Problem, extra: list[Relation]) -> Problem:
    """The problem with `extra` assumptions (on its own variables) added."""
    return make_problem(list(problem.assumptions) + extra, problem.goal, extra_variables=problem.variables)


def _check_case_split(problem: Problem, split: CaseSplit, where_defined: bool) -> None:
    # A polynomial is defined everywhere, so the two cases really cover the domain.
    _require_polynomial(Domain(problem), split.expr, "case split expression")
    first, second = case_problems(problem, split.expr, split.strict)
    for name, case_problem, case in (("first case", first, split.nonnegative_case),
                                     ("second case", second, split.nonpositive_case)):
        # Rewriting abs/max/min keeps every value, so definedness (and `where_defined`) carries over.
        _check_part(f"{name} ({case_problem.assumptions[-1]})", case_problem, case, where_defined)


def case_problems(problem: Problem, expr: sympy.Expr, strict: bool = False) -> tuple[Problem, Problem]:
    """What `CaseSplit` leaves to prove: the problem with `expr >= 0` (`> 0` if strict), then with
    `expr <= 0`, each with the abs/max/min that the case decides rewritten (see CaseSplit)."""
    first, second = ((Relation(expr, ">" if strict else ">=", 0), 1), (Relation(expr, "<=", 0), -1))
    return tuple(_transformed(problem, lambda e, sign=sign: _resolve_signs(e, expr, sign), extra=[relation])
                 for relation, sign in (first, second))


def _resolve_signs(e: sympy.Expr, expr: sympy.Expr, sign: int) -> sympy.Expr:
    """`e` with Abs(+-expr) -> sign * expr and two-argument Max/Min whose argument difference is
    +-expr replaced by the argument that wins when sign * expr >= 0."""
    target = sympy.expand(expr)

    def orientation(difference: sympy.Expr) -> int:
        """+1 if difference == expr, -1 if difference == -expr, else 0."""
        difference = sympy.expand(difference)
        if difference == target:
            return 1
        if difference == -target:
            return -1
        return 0

    def replace(node):
        if isinstance(node, sympy.Abs) and orientation(node.args[0]):
            return sign * expr
        if isinstance(node, (sympy.Max, sympy.Min)) and len(node.args) == 2:
            first, second = node.args
            direction = orientation(first - second) * sign  # +1: first - second >= 0 in this case
            if direction:
                bigger, smaller = (first, second) if direction > 0 else (second, first)
                return bigger if isinstance(node, sympy.Max) else smaller
        if isinstance(node, (sympy.Max, sympy.Min)) and len(node.args) > 2:
            # An argument that another one bounds (from above in a Min, from below in a Max) in this
            # case does not change the value: drop it.
            for first in node.args:
                for second in node.args:
                    direction = 0 if first == second else orientation(first - second) * sign
                    if direction > 0:  # first >= second here
                        loser = second if isinstance(node, sympy.Max) else first
                        return node.func(*(arg for arg in node.args if arg != loser))
        return None

    def walk(node):
        if not node.args:
            return node
        node = node.func(*(walk(arg) for arg in node.args))
        replaced = replace(node)
        return node if replaced is None else replaced

    return walk(e)


def _check_cut(problem: Problem, cut: Cut, where_defined: bool) -> None:
    claim = cut.claim
    domain = Domain(problem)
    # Only a claim defined at every point of the domain (a polynomial, or a rational function whose
    # denominator's factors pass the positivity rule) makes "proved" mean "holds on the whole domain",
    # so that adding it as an assumption leaves the domain unchanged.
    for side in (claim.lhs, claim.rhs):
        _require_defined_on_domain(domain, side, "cut claim side")
    _check_part(f"cut claim {claim} not proved", problem.with_goal(claim), cut.claim_certificate, False)
    _check_part(f"after the cut {claim}", cut_problem(problem, claim), cut.certificate, where_defined)


def _check_weaken(problem: Problem, weaken: Weaken, where_defined: bool) -> None:
    reduced = weakened_problem(problem, weaken.dropped)
    if reduced is None:
        raise Rejected(f"weaken: {weaken.dropped} is not an assumption of the problem")
    _check_part(f"without {weaken.dropped}", reduced, weaken.certificate, where_defined)


def _check_reciprocal(problem: Problem, change: Reciprocal, where_defined: bool) -> None:
    variable, name = change.variable, change.name
    if variable not in problem.variables:
        raise Rejected(f"reciprocal of {variable}, which is not a variable of the problem")
    if name in problem.variables:
        raise Rejected(f"{name} is already a variable of the problem")
    if Domain(problem).atom_strictness(variable) is not True:
        raise Rejected(f"reciprocal of {variable} needs the assumption {variable} > 0")
    # At corresponding points (name = 1/variable != 0) the new goal has the old goal's value, so it is
    # defined wherever the old one is: `where_defined` carries over.
    _check_part(f"after {variable} = 1/{name}", reciprocal_problem(problem, variable, name), change.certificate,
                where_defined)


def reciprocal_problem(problem: Problem, variable: sympy.Symbol, name: sympy.Symbol) -> Problem:
    """What `Reciprocal` leaves to prove: 1/name for variable everywhere, plus name > 0."""
    move = {variable: 1 / name}
    return _transformed(problem, lambda e: e.xreplace(move), extra=[Relation(name, ">", 0)],
                        variables=tuple(name if v == variable else v for v in problem.variables))


def _check_change_variables(problem: Problem, change: ChangeVariables, where_defined: bool) -> None:
    """Soundness: take a point v of the domain where the goal is defined and put w = inverse(v). Each w_j
    is defined and > 0 there (its numerator and denominator pass the positivity rule), or it is a
    positive multiple of the side of a nonstrict assumption and so >= 0 (Ravi's x = (b + c - a)/2 under
    b + c >= a); the new problem assumes exactly that sign. Forward is defined at every such w (its
    denominators pass the positivity rule of the new variables), and forward(w) = v (checked below,
    exactly or up to a defined multiple of an equality assumption). So (w, the kept old variables)
    satisfies the new problem's assumptions, and its goal there is the old goal at v: proving the new
    problem (where defined) proves the old one."""
    old, new = [v for v, _ in change.forward], [w for w, _ in change.inverse]
    if len(set(old)) != len(old) or not set(old) <= set(problem.variables):
        raise Rejected("change of variables: the replaced variables must be distinct variables of the problem")
    if not new or len(set(new)) != len(new) or set(new) & set(problem.variables):
        raise Rejected("change of variables: the new variables must be distinct and not variables of the problem")
    kept = [v for v in problem.variables if v not in old]
    if not set(change.dropped) <= set(range(len(problem.assumptions))):
        raise Rejected("change of variables: a dropped index names no assumption")
    domain = Domain(problem)
    for name, expression in change.inverse:
        if not expression.free_symbols <= set(problem.variables):
            raise Rejected(f"change of variables: {name} = {sympy.sstr(expression)} uses unknown symbols")
    signs = new_variable_signs(problem, change)
    new_domain = Domain(make_problem([Relation(w, sign, 0) for w, sign in zip(new, signs)],
                                     Relation(sympy.Integer(0), ">=", 0), extra_variables=tuple(kept) + tuple(new)))
    for variable, expression in change.forward:
        if not expression.free_symbols <= set(kept) | set(new):
            raise Rejected(f"change of variables: {variable} = {sympy.sstr(expression)} uses unknown symbols")
        _require_positive_fraction_parts(new_domain, expression, f"{variable} = {sympy.sstr(expression)}", False)
    back = dict(change.inverse)
    for variable, expression in change.forward:
        difference = sympy.cancel(sympy.together(expression.xreplace(back) - variable))
        if difference != 0 and not any(_defined_multiple(domain, difference, h) for h in domain.equalities):
            raise Rejected(f"change of variables: {variable} = {sympy.sstr(expression)} does not give back "
                           f"{variable} at the new variables' values")
    _check_part("after the change of variables", changed_problem(problem, change), change.certificate, where_defined)


def new_variable_signs(problem: Problem, change: ChangeVariables) -> list[str]:
    """For each new variable, ">" when its inverse passes the positivity rule (numerator and
    denominator), ">=" when the inverse is a positive multiple of a nonstrict assumption's side;
    otherwise the change is rejected."""
    domain = Domain(problem)
    signs = []
    for name, expression in change.inverse:
        what = f"{name} = {sympy.sstr(expression)}"
        try:
            _require_positive_fraction_parts(domain, expression, what, True)
            signs.append(">")
        except Rejected as rejection:
            if not (expression.is_polynomial(*domain.variables) and domain.atom_strictness(expression) is False):
                raise rejection from None
            signs.append(">=")
    return signs


def _require_positive_fraction_parts(domain: Domain, expression: sympy.Expr, what: str, numerator_too: bool) -> None:
    """The expression's denominator (and, if asked, its numerator) passes the positivity rule."""
    numerator, denominator = sympy.together(expression).as_numer_denom()
    for part in ((numerator, denominator) if numerator_too else (denominator,)):
        try:
            _require_positive_factor(domain, part)
        except Rejected as rejection:
            raise Rejected(f"change of variables: {what}: {rejection}") from None


def _defined_multiple(domain: Domain, difference: sympy.Expr, equality: sympy.Expr) -> bool:
    """Whether difference = q * equality with q a rational function whose denominator is > 0 on the
    domain (so the difference vanishes wherever the equality holds)."""
    _, denominator = sympy.cancel(sympy.together(difference / equality)).as_numer_denom()
    try:
        _require_positive_factor(domain, denominator)
    except Rejected:
        return False
    return True


def changed_problem(problem: Problem, change: ChangeVariables) -> Problem:
    """What `ChangeVariables` leaves to prove: the new variables > 0 (>= 0 where `new_variable_signs`
    says so; the change must pass it), the old assumptions not dropped
    rewritten by `forward`, and the goal rewritten; over the old variables kept and the new ones."""
    move = dict(change.forward)
    assumptions = [a for i, a in enumerate(problem.assumptions) if i not in set(change.dropped)]
    new = tuple(w for w, _ in change.inverse)
    kept = tuple(v for v in problem.variables if v not in move)
    signs = new_variable_signs(problem, change)
    return _transformed(problem, lambda e: e.xreplace(move), assumptions=assumptions,
                        extra=[Relation(w, sign, 0) for w, sign in zip(new, signs)], variables=kept + new)


def weakened_problem(problem: Problem, dropped: Relation) -> Problem | None:
    """What `Weaken` leaves to prove: the problem without the first assumption equal to `dropped`
    (same sides, same relation), or None when there is none. A variable that then occurs nowhere is
    dropped too (a statement about all values of a variable it does not mention is the same
    statement without it)."""
    for index, assumption in enumerate(problem.assumptions):
        if assumption.op == dropped.op and assumption.lhs == dropped.lhs and assumption.rhs == dropped.rhs:
            rest = [a for i, a in enumerate(problem.assumptions) if i != index]
            used = problem.goal.free_symbols().union(*(a.free_symbols() for a in rest))
            return make_problem(rest, problem.goal, extra_variables=[v for v in problem.variables if v in used])
    return None


def _check_symmetry_order(problem: Problem, order: SymmetryOrder, where_defined: bool) -> None:
    variables = list(order.variables)
    if len(variables) < 2 or len(set(variables)) != len(variables) or not set(variables) <= set(problem.variables):
        raise Rejected("symmetry order needs at least two distinct problem variables")
    if order.kind == "symmetric":
        # Adjacent transpositions generate every permutation.
        moves = [{variables[i]: variables[i + 1], variables[i + 1]: variables[i]} for i in range(len(variables) - 1)]
        extra = [Relation(variables[i], ">=", variables[i + 1]) for i in range(len(variables) - 1)]
    elif order.kind == "cyclic":
        moves = [{variables[i]: variables[(i + 1) % len(variables)] for i in range(len(variables))}]
        extra = [Relation(variables[0], ">=", v) for v in variables[1:]]
    else:
        raise Rejected(f"unknown symmetry kind {order.kind!r}")
    for move in moves:
        if not _invariant(problem, move):
            shown = ", ".join(f"{k}->{v}" for k, v in move.items())
            raise Rejected(f"the problem is not invariant under {shown}")
    _check_part(f"after ordering {', '.join(map(str, variables))}", _with(problem, extra), order.certificate,
                where_defined)


def _invariant(problem: Problem, move: dict) -> bool:
    """Whether renaming variables by `move` maps the goal to itself and the assumptions onto themselves."""
    goal, op = problem.goal.normalized()
    moved_goal, moved_op = Relation(problem.goal.lhs.xreplace(move), problem.goal.op,
                                    problem.goal.rhs.xreplace(move)).normalized()
    if moved_op != op or not _is_zero(moved_goal - goal):
        return False
    normalized = [a.normalized() for a in problem.assumptions]
    for assumption in problem.assumptions:
        moved, moved_op = Relation(assumption.lhs.xreplace(move), assumption.op,
                                   assumption.rhs.xreplace(move)).normalized()
        if not any(op == moved_op and _positive_multiple(moved, expr, allow_negative=(op == "="))
                   for expr, op in normalized):
            return False
    return True


def _positive_multiple(expr: sympy.Expr, other: sympy.Expr, allow_negative: bool = False) -> bool:
    if other == 0:
        return _is_zero(expr)
    ratio = _constant_ratio(sympy.expand(expr), sympy.expand(other))
    return ratio is not None and (ratio > 0 or (allow_negative and ratio != 0))


def _check_substitute(problem: Problem, substitution: Substitute, where_defined: bool) -> None:
    variable, expression = substitution.variable, substitution.expression
    if variable not in problem.variables:
        raise Rejected(f"substitution of {variable}, which is not a variable of the problem")
    if variable in expression.free_symbols or not expression.free_symbols <= set(problem.variables):
        raise Rejected(f"substitution {variable} = {sympy.sstr(expression)} must use only the other variables")
    used = None
    for index, assumption in enumerate(problem.assumptions):
        expr, op = assumption.normalized()
        if op == "=" and _positive_multiple(variable - expression, expr, allow_negative=True):
            used = index
            break
    if used is None:
        raise Rejected(f"{variable} = {sympy.sstr(expression)} is not an equality assumption")
    reduced = substituted_problem(problem, used, variable, expression)
    _check_part(f"after substituting {variable} = {sympy.sstr(expression)}", reduced, substitution.certificate,
                where_defined)


def _check_introduce_root(problem: Problem, introduction: IntroduceRoot, where_defined: bool) -> None:
    radical, name = introduction.radical, introduction.name
    if name in problem.variables:
        raise Rejected(f"{name} is already a variable of the problem")
    if not (radical.is_Pow and radical.exp.is_Rational and radical.exp.p == 1 and radical.exp.q >= 2):
        raise Rejected(f"{sympy.sstr(radical)} is not a radical E**(1/n)")
    if not radical.base.free_symbols <= set(problem.variables):
        raise Rejected(f"{sympy.sstr(radical)} uses symbols that are not variables of the problem")
    extended = root_extended_problem(problem, radical, name)
    _check_part(f"after naming {sympy.sstr(radical)} = {name}", extended, introduction.certificate, where_defined)


def _check_monomial_roots(problem: Problem, rewrite: MonomialRoots, where_defined: bool) -> None:
    """Soundness: at a point of the domain every variable the rewrite touches is >= 0 (an assumption
    says so), so the monomial m = k * prod xi^ei is >= 0 wherever defined and, for principal real
    powers of nonnegative reals, (k * prod xi^ei)^r = k^r * prod xi^(ei r) and |m| = m; a factor
    sign(m) is 1 where m > 0, and where m = 0 the factor beside it that vanishes with m makes the
    product 0 with or without the sign (see _merge_real_roots). Wherever the original expression is defined
    the rewritten one is defined and equal (the rewritten one may be defined at more points: (1/x)^(-1/2)
    is not at x = 0, x^(1/2) is), so the rewritten problem has the same assumptions there and its goal
    has the same value."""
    rewritten = monomial_roots_problem(problem)
    if rewritten == problem:
        raise Rejected("monomial roots: the problem has no root of a monomial in nonnegative variables")
    _check_part("after splitting roots of monomials", rewritten, rewrite.certificate, where_defined)


def monomial_roots_problem(problem: Problem) -> Problem:
    """What `MonomialRoots` leaves to prove: every root of a monomial in variables assumed >= 0
    split into powers of the variables (see MonomialRoots), in the goal and in the assumptions."""
    nonnegative = Domain(problem).nonnegative
    return _transformed(problem, lambda e: split_monomial_roots(e, nonnegative))


def split_monomial_roots(e: sympy.Expr, nonnegative: set) -> sympy.Expr:
    """`e` rewritten as `MonomialRoots` says, for the variables in `nonnegative`."""
    def walk(node):
        if node.is_Mul:
            node = _merge_real_roots(node, nonnegative)
        if not node.args:
            return node
        node = node.func(*(walk(arg) for arg in node.args))
        if node.is_Pow and node.exp.is_Rational and not node.exp.is_Integer:
            split = _nonnegative_monomial(node.base, nonnegative)
            if split is not None:
                coefficient, powers = split
                return coefficient ** node.exp * sympy.Mul(*(x ** (exponent * node.exp) for x, exponent in powers))
        if isinstance(node, sympy.Abs) and _nonnegative_monomial(node.args[0], nonnegative) is not None:
            return node.args[0]
        return node

    return walk(e)


def _merge_real_roots(product: sympy.Expr, nonnegative: set) -> sympy.Expr:
    """`product` with each factor `sign(m)` (m a monomial in nonnegative variables) written as 1 when
    every variable with a positive exponent in m has one in some factor that is a positive power of
    a monomial in nonnegative variables, or of its absolute value: where m > 0 the sign is 1, and
    where m = 0 one of those variables is 0, so is that factor, and the product is 0 either way.
    This is how the real root `cbrt(m) = |m|^(1/3) sign(m)` reads m^(1/3)."""
    factors = list(product.args)
    kept = []
    for factor in factors:
        if isinstance(factor, sympy.sign):
            split = _nonnegative_monomial(factor.args[0], nonnegative)
            if split is not None:
                vanishing = {x for x, exponent in split[1] if exponent > 0}
                if vanishing <= set().union(*(_vanishing_variables(other, nonnegative) for other in factors)):
                    continue
        kept.append(factor)
    return product if len(kept) == len(factors) else sympy.Mul(*kept)


def _vanishing_variables(factor: sympy.Expr, nonnegative: set) -> set:
    """The variables whose being 0 makes `factor` 0, when it is `m**r` or `Abs(m)**r` with r > 0
    rational and m a monomial in nonnegative variables: those with a positive exponent in m."""
    base, exponent = factor.as_base_exp()
    if isinstance(base, sympy.Abs):
        base = base.args[0]
    if not (exponent.is_Rational and exponent > 0):
        return set()
    split = _nonnegative_monomial(base, nonnegative)
    return set() if split is None else {x for x, power in split[1] if power > 0}


def _nonnegative_monomial(expr: sympy.Expr, nonnegative: set) -> tuple | None:
    """`(k, ((x1, e1), ...))` when expr is k * prod xi^ei with k a positive rational, each xi a
    variable in `nonnegative` and each ei a nonzero rational; otherwise None."""
    coefficient, factors = expr.as_coeff_mul()
    if not (coefficient.is_Rational and coefficient > 0) or not factors:
        return None
    powers = []
    for factor in factors:
        base, exponent = factor.as_base_exp()
        if not (base.is_Symbol and base in nonnegative and exponent.is_Rational):
            return None
        powers.append((base, exponent))
    return coefficient, tuple(powers)


def _check_root_order(problem: Problem, order: RootOrder, where_defined: bool) -> None:
    """Soundness: for u, w >= 0 and n >= 1, u^n >= w^n implies u >= w (u < w would give u^n < w^n,
    as t -> t^n is strictly increasing on t >= 0), and u^n > w^n implies u > w; so the added
    assumption holds at every point of the domain, which stays the same."""
    extended = root_order_problem(problem, order.larger, order.smaller, order.degree)
    _check_part(f"after {order.larger} >= {order.smaller}", extended, order.certificate, where_defined)


def root_order_problem(problem: Problem, larger: sympy.Symbol, smaller: sympy.Symbol, degree: int) -> Problem:
    """What `RootOrder` leaves to prove: the problem with `larger >= smaller` (`>` when the power
    assumption is strict) added. Rejects when its conditions fail."""
    domain = Domain(problem)
    if not (isinstance(degree, int) and degree >= 1):
        raise Rejected(f"root order: degree {degree} is not a positive integer")
    for variable in (larger, smaller):
        if variable not in domain.nonnegative:
            raise Rejected(f"root order: {variable} is not a variable assumed >= 0")
    strictness = domain.atom_strictness(larger ** degree - smaller ** degree)
    if strictness is None:
        raise Rejected(f"root order: {larger}^{degree} >= {smaller}^{degree} is not an assumption")
    return _with(problem, [Relation(larger, ">" if strictness else ">=", smaller)])


def _check_generalize(problem: Problem, generalization: Generalize, where_defined: bool) -> None:
    # Soundness: at a point x of the domain where the goal is defined, take name = term(x). The
    # added assumption holds there (exp is positive, exp(E) > 1 where E > 0, log(E) > 0 where
    # E > 1), the rewritten assumptions and goal are the original ones at x (occurrences of the term
    # that xreplace does not reach still read x), so the generalized problem's goal gives the
    # original goal at x.
    term, name = generalization.term, generalization.name
    if name in problem.variables:
        raise Rejected(f"{name} is already a variable of the problem")
    if not isinstance(term, (sympy.exp, sympy.log)) or len(term.args) != 1:
        raise Rejected(f"{sympy.sstr(term)} is not exp(E) or log(E)")
    if not term.free_symbols <= set(problem.variables):
        raise Rejected(f"{sympy.sstr(term)} uses symbols that are not variables of the problem")
    generalized = generalized_problem(problem, term, name)
    _check_part(f"after generalizing {sympy.sstr(term)} to {name}", generalized, generalization.certificate,
                where_defined)


def generalization(problem: Problem, term: sympy.Expr, name: sympy.Symbol) -> list[Relation]:
    """The assumptions `Generalize` adds on `name` for `term`: exp(E) > 0, > 1 where E > 0 by the
    multiplier positivity rule; log(E) > 0 where E - 1 > 0 by that rule, otherwise nothing."""
    domain = Domain(problem)
    argument = term.args[0]
    if isinstance(term, sympy.exp):
        return [Relation(name, ">", 1 if is_positive_factor(domain, argument) else 0)]
    if is_positive_factor(domain, sympy.expand(argument - 1)):
        return [Relation(name, ">", 0)]
    return []


def generalized_problem(problem: Problem, term: sympy.Expr, name: sympy.Symbol) -> Problem:
    """What `Generalize` leaves to prove: every occurrence of `term` replaced by `name`, a new
    variable with the assumptions `generalization` gives."""
    move = {term: name}
    return _transformed(problem, lambda e: e.xreplace(move), extra=generalization(problem, term, name),
                        variables=tuple(problem.variables) + (name,))


def _check_exponentiate(problem: Problem, exponentiation: Exponentiate, where_defined: bool) -> None:
    # Soundness: on the domain every P_k > 0, so each log(P_k) is defined and the goal's difference
    # is log(A) - log(B) with A, B > 0 the two products; log is strictly increasing, so the
    # difference is >= 0 (> 0) exactly where A >= B (A > B).
    exponentiated = exponentiated_problem(problem)
    if exponentiated is None:
        raise Rejected("the goal is not a rational combination of logs of positive expressions")
    _check_part("after exponentiating", exponentiated, exponentiation.certificate, where_defined)


def exponentiated_problem(problem: Problem) -> Problem | None:
    """What `Exponentiate` leaves to prove, or None where the goal is not `sum_k c_k log(P_k)` op 0
    with rational c_k and every P_k > 0 by the multiplier positivity rule."""
    form = log_combination(problem.goal)
    if form is None:
        return None
    coefficients, op = form
    domain = Domain(problem)
    for argument in coefficients:
        if not argument.free_symbols <= set(problem.variables) or not is_positive_factor(domain, argument):
            return None
    return problem.with_goal(exponentiated_goal(coefficients, op))


def log_combination(goal: Relation) -> tuple[dict, str] | None:
    """`({P_k: c_k}, op)` when `goal` reads `sum_k c_k log(P_k)` op 0 (rational c_k, op `>=` or
    `>`), else None."""
    g, op = goal.normalized()
    if op == "=":
        return None
    coefficients: dict[sympy.Expr, sympy.Rational] = {}
    for term in sympy.Add.make_args(sympy.expand(g, log=False)):
        coefficient, rest = term.as_coeff_Mul()
        if not (coefficient.is_Rational and isinstance(rest, sympy.log)):
            return None
        coefficients[rest.args[0]] = coefficients.get(rest.args[0], 0) + coefficient
    return coefficients, op


def exponentiated_goal(coefficients: dict, op: str) -> Relation:
    """`prod_{c > 0} P^c op prod_{c < 0} P^(-c)` for `log_combination`'s output."""
    larger = sympy.Mul(*(p ** c for p, c in coefficients.items() if c > 0))
    smaller = sympy.Mul(*(p ** -c for p, c in coefficients.items() if c < 0))
    return Relation(larger, op, smaller)


def cut_problem(problem: Problem, claim: Relation) -> Problem:
    """What `Cut` leaves to prove once its claim is proved: the goal with the claim assumed too.
    Tactics call this, so the subgoal they search is the kernel's."""
    return _with(problem, [claim])


def substituted_problem(problem: Problem, used: int, variable: sympy.Symbol, expression: sympy.Expr) -> Problem:
    """What `Substitute` leaves to prove: `expression` for `variable` everywhere, assumption `used`
    (the equality) dropped. Tactics call this too, so the subgoal they search is the kernel's."""
    move = {variable: expression}
    return _transformed(problem, lambda e: e.xreplace(move),
                        assumptions=[a for i, a in enumerate(problem.assumptions) if i != used],
                        variables=tuple(v for v in problem.variables if v != variable))


def rename_radical(expr: sympy.Expr, radical: sympy.Expr, name: sympy.Symbol) -> sympy.Expr:
    """`expr` with every power E**(k/q) of the radical E**(1/n), q dividing n, written as
    name**(k n/q): both are the principal root, so they agree wherever E**(k/q) is defined."""
    base, degree = radical.base, int(radical.exp.q)
    return expr.replace(lambda e: e.is_Pow and e.base == base and e.exp.is_Rational and not e.exp.is_Integer
                        and degree % e.exp.q == 0,
                        lambda e: name ** int(e.exp * degree))


def root_extended_problem(problem: Problem, radical: sympy.Expr, name: sympy.Symbol) -> Problem:
    """What `IntroduceRoot` leaves to prove: the radical renamed, plus name >= 0 (> 0 when E > 0 by
    the multiplier positivity rule, since then E**(1/n) > 0) and name**n = E."""
    base, degree = radical.base, int(radical.exp.q)
    sign = ">" if is_positive_factor(Domain(problem), base) else ">="
    return _transformed(problem, lambda e: rename_radical(e, radical, name),
                        extra=[Relation(name, sign, 0), Relation(name ** degree, "=", base)],
                        variables=tuple(problem.variables) + (name,))


def _check_identity(problem: Problem, certificate: Identity, where_defined: bool) -> None:
    domain = Domain(problem)
    g, op = problem.goal.normalized()

    multiplier = sympy.Integer(1)
    for factor in certificate.multiplier:
        if not factor.free_symbols <= set(domain.variables):
            # The sign rules below read the factor as a polynomial in the problem's variables only.
            raise Rejected(f"multiplier factor {sympy.sstr(factor)} uses symbols that are not the problem's variables")
        if where_defined:
            _require_factor_positive_where_defined(domain, problem.goal, factor)
        else:
            _require_positive_factor(domain, factor)
        multiplier *= factor

    total = sympy.Integer(0)
    strict_piece = False
    for index, piece in enumerate(certificate.pieces):
        where = f"piece {index + 1} ({type(piece).__name__})"
        if op == "=" and not isinstance(piece, EqualityMultiple):
            raise Rejected(f"{where}: an equality goal may only use equality multiples")
        value, strict = _piece_value(problem, domain, piece, where)
        total += value
        strict_piece = strict_piece or strict

    positive = _positive_symbols(domain)
    if not _is_identity((multiplier * g).xreplace(positive), total.xreplace(positive)):
        raise Rejected("the identity multiplier * (lhs - rhs) = sum of pieces does not hold exactly")
    if op == ">" and not strict_piece:
        raise Rejected("strict goal, but no piece is strictly positive on the domain")


def _positive_symbols(domain: Domain) -> dict:
    """Each variable assumed > 0 replaced by a sympy symbol declared positive, so that the identity
    test may use what holds for positive reals only, e.g. (xyz)^(1/3) = x^(1/3) y^(1/3) z^(1/3).
    Sound because the identity is only needed on the domain, where those variables are positive."""
    return {v: sympy.Symbol(v.name, positive=True) for v in domain.positive}


def _piece_value(problem: Problem, domain: Domain, piece, where: str) -> tuple[sympy.Expr, bool]:
    """The piece's expression and whether it is strictly positive on the domain; rejects if not >= 0."""
    if isinstance(piece, Square):
        _require_nonnegative_rational(piece.coeff, f"{where}: coefficient")
        strict_atoms = _atoms_product_strictness(domain, piece.atoms, where)
        _require_polynomial(domain, piece.poly, f"{where}: squared expression")
        poly = sympy.expand(piece.poly)
        strict = piece.coeff > 0 and strict_atoms and poly.is_Rational and poly != 0
        return piece.coeff * sympy.Mul(*piece.atoms) * piece.poly ** 2, bool(strict)
    if isinstance(piece, Gram):
        _atoms_product_strictness(domain, piece.atoms, where)
        for element in piece.basis:
            _require_polynomial(domain, element, f"{where}: basis element")
        _require_psd(piece.matrix, len(piece.basis), where)
        quadratic = sympy.Add(*(
            piece.matrix[i][j] * piece.basis[i] * piece.basis[j]
            for i in range(len(piece.basis)) for j in range(len(piece.basis)) if piece.matrix[i][j] != 0))
        return sympy.Mul(*piece.atoms) * quadratic, False
    if isinstance(piece, AMGM):
        return _amgm_value(domain, piece, where), False
    if isinstance(piece, EqualityMultiple):
        if not domain.is_equality(piece.constraint):
            raise Rejected(f"{where}: {sympy.sstr(piece.constraint)} = 0 is not an equality assumption")
        _require_polynomial(domain, piece.multiplier, f"{where}: multiplier")
        return piece.multiplier * piece.constraint, False
    if isinstance(piece, Lemma):
        _require_nonnegative_rational(piece.coeff, f"{where}: coefficient")
        lemma_expr, lemma_op = piece.claim.normalized()
        if lemma_op == "=":
            raise Rejected(f"{where}: a lemma must be an inequality")
        if not piece.claim.free_symbols() <= set(problem.variables):
            raise Rejected(f"{where}: lemma {piece.claim} not proved: it uses symbols outside the problem")
        _check_part(f"{where}: lemma {piece.claim} not proved", problem.with_goal(piece.claim), piece.certificate,
                    False)
        return piece.coeff * lemma_expr, bool(lemma_op == ">" and piece.coeff > 0)
    raise Rejected(f"{where}: unknown piece type")


def _amgm_value(domain: Domain, piece: AMGM, where: str) -> sympy.Expr:
    _require_nonnegative_rational(piece.coeff, f"{where}: coefficient")
    if len(piece.weights) != len(piece.terms) or not piece.terms:
        raise Rejected(f"{where}: weights and terms must be non-empty lists of the same length")
    for weight in piece.weights:
        _require_nonnegative_rational(weight, f"{where}: weight")
    if sum(piece.weights) != 1:
        raise Rejected(f"{where}: weights sum to {sum(piece.weights)}, not 1")

    mean_constant = sympy.Integer(1)
    mean_exponents = {v: sympy.Integer(0) for v in domain.variables}
    arithmetic = sympy.Integer(0)
    for weight, term in zip(piece.weights, piece.terms):
        constant, exponents = _monomial(domain, term, where)
        for variable, exponent in exponents.items():
            sign_known = variable in domain.positive or (variable in domain.nonnegative and exponent >= 0)
            if not sign_known and (exponent < 0 or exponent % 2 != 0):
                raise Rejected(f"{where}: term {sympy.sstr(term)} is not nonnegative on the domain "
                               f"({variable} has no sign assumption)")
            mean_exponents[variable] += weight * exponent
        mean_constant *= constant ** weight
        arithmetic += weight * term
    if piece.pin is not None:
        mean_constant, mean_exponents = _pinned_mean(domain, piece.pin, mean_constant, mean_exponents, where)
    if not mean_constant.is_Rational:
        raise Rejected(f"{where}: the geometric mean's constant {sympy.sstr(mean_constant)} is not rational")
    if any(not e.is_Integer and v not in domain.positive for v, e in mean_exponents.items()):
        raise Rejected(f"{where}: the geometric mean is not a monomial with integer exponents "
                       f"(fractional ones only for variables assumed > 0)")
    geometric = mean_constant * sympy.Mul(*(v ** e for v, e in mean_exponents.items()))
    return piece.coeff * (arithmetic - geometric)


def _pinned_mean(domain: Domain, pin, constant: sympy.Expr, exponents: dict, where: str) -> tuple[sympy.Expr, dict]:
    """The mean `constant * x^exponents` rewritten as `constant * K^p * x^(exponents - p f)` with an
    equality assumption x^f = K. Sound because on the domain every variable of x^f is nonnegative
    and x^f = K > 0, so each is positive and x^(p f) = (x^f)^p = K^p for rational p."""
    if not domain.is_equality(pin.constraint):
        raise Rejected(f"{where}: pin {sympy.sstr(pin.constraint)} = 0 is not an equality assumption")
    if not (isinstance(pin.power, sympy.Basic) and pin.power.is_Rational):
        raise Rejected(f"{where}: pin power {pin.power} is not an exact rational")
    terms = sympy.Add.make_args(sympy.expand(pin.constraint))
    constants = [t for t in terms if t.is_Rational]
    monomials = [t for t in terms if not t.is_Rational]
    if len(constants) != 1 or len(monomials) != 1:
        raise Rejected(f"{where}: pin {sympy.sstr(pin.constraint)} = 0 does not read monomial = constant")
    coefficient, monomial = monomials[0].as_coeff_Mul()
    value = -constants[0] / coefficient
    if not value > 0:
        raise Rejected(f"{where}: pin monomial {sympy.sstr(monomial)} equals {value}, which is not positive")
    monomial_constant, monomial_exponents = _monomial(domain, monomial, where)
    if monomial_constant != 1 or any(e < 0 for e in monomial_exponents.values()):
        raise Rejected(f"{where}: pin {sympy.sstr(monomial)} is not a monomial with nonnegative exponents")
    for variable in monomial_exponents:
        if variable not in domain.nonnegative:
            raise Rejected(f"{where}: pin variable {variable} has no sign assumption")
    shifted = dict(exponents)
    for variable, exponent in monomial_exponents.items():
        shifted[variable] -= pin.power * exponent
    return constant * value ** pin.power, shifted


def _monomial(domain: Domain, term: sympy.Expr, where: str) -> tuple[sympy.Rational, dict]:
    """Split `k * x1^e1 * ...` into (k, {x: e}); k must be a positive rational, e integers (or
    rationals for variables assumed > 0, where x^(p/q) is a positive real)."""
    constant, exponents = sympy.Integer(1), {}
    for factor in sympy.Mul.make_args(term):
        if factor.is_Rational:
            constant *= factor
            continue
        base, exponent = factor.as_base_exp()
        if base not in domain.variables or not exponent.is_Rational or (
                not exponent.is_Integer and base not in domain.positive):
            raise Rejected(f"{where}: term {sympy.sstr(term)} is not a monomial in the variables")
        exponents[base] = exponents.get(base, 0) + exponent
    if not constant > 0:
        raise Rejected(f"{where}: term {sympy.sstr(term)} has a nonpositive coefficient")
    return constant, exponents


def _atoms_product_strictness(domain: Domain, atoms, where: str) -> bool:
    strict = True
    for atom in atoms:
        strictness = domain.atom_strictness(atom)
        if strictness is None:
            raise Rejected(f"{where}: {sympy.sstr(atom)} >= 0 is not an assumption")
        strict = strict and strictness
    return strict


def is_positive_factor(domain: Domain, factor: sympy.Expr) -> bool:
    """Whether the kernel accepts `factor` as a multiplier factor (strictly positive on the domain)."""
    try:
        _require_positive_factor(domain, factor)
    except Rejected:
        return False
    return True


def is_positive_where_defined(problem: Problem, factor: sympy.Expr) -> bool:
    """Whether the kernel accepts `factor` as a multiplier factor for `problem`'s own goal: the
    positivity rule, or a nonnegative factor of a denominator written in the goal. (Not inside a
    lemma's claim: there only the positivity rule counts.)"""
    try:
        _require_factor_positive_where_defined(Domain(problem), problem.goal, factor)
    except Rejected:
        return False
    return True


def _require_factor_positive_where_defined(domain: Domain, goal: Relation, factor: sympy.Expr) -> None:
    """The positivity rule, or: the factor is nonnegative (by its coefficients, as a positive
    multiple of a nonstrict assumption's side, or as an even power) and each of its irreducible factors divides the base
    of a negative power written in the goal, so it is nonzero, hence > 0, wherever the goal is defined
    (a/(b + c) with b, c >= 0 gives b + c > 0; 1/a + 1/b + 1/c with abc >= 0 gives abc > 0)."""
    try:
        _require_positive_factor(domain, factor)
        return
    except Rejected as rejection:
        if not factor.is_polynomial(*domain.variables) or not all(
                _divides_a_denominator(domain, goal, part) for part in _irreducible_factors(domain, factor)):
            raise rejection from None
    if domain.atom_strictness(factor) is False:
        return
    if factor.is_Pow and factor.exp.is_Integer and factor.exp > 0 and factor.exp % 2 == 0:
        return  # an even power is >= 0 everywhere, and here nonzero wherever the goal is defined
    _require_nonnegative_by_coefficients(domain, factor)


def _irreducible_factors(domain: Domain, factor: sympy.Expr) -> list[sympy.Expr]:
    """The non-constant irreducible factors of a polynomial over Q (abc gives a, b, c): the factor is
    zero only where one of them is."""
    _, factors = sympy.factor_list(factor, *domain.variables)
    return [part for part, _ in factors if not part.is_number]


def _divides_a_denominator(domain: Domain, goal: Relation, factor: sympy.Expr) -> bool:
    """Whether some `B**e` with e < 0 in the goal as written has B a polynomial multiple of `factor`
    (so factor = 0 makes B = 0 and the goal undefined)."""
    variables = domain.variables
    divisor = sympy.Poly(factor, *variables, domain="QQ")
    if divisor.is_zero or divisor.is_ground:
        return False
    for side in (goal.lhs, goal.rhs):
        for node in sympy.preorder_traversal(side):
            if not (node.is_Pow and node.exp.is_Rational and node.exp < 0):
                continue
            base = node.base
            if not base.is_polynomial(*variables) or not base.free_symbols <= set(variables):
                continue
            if sympy.Poly(base, *variables, domain="QQ").rem(divisor).is_zero:
                return True
    return False


def is_nonnegative_by_coefficients(domain: Domain, expr: sympy.Expr) -> bool:
    """The positivity rule without its strictly positive term: nonnegative coefficients, and odd
    powers only of variables assumed >= 0 (tactics use it to know what a case split can make > 0)."""
    try:
        _require_nonnegative_by_coefficients(domain, expr)
    except Rejected:
        return False
    return True


def _require_nonnegative_by_coefficients(domain: Domain, factor: sympy.Expr) -> sympy.Poly:
    """A nonzero polynomial with nonnegative coefficients whose monomials are nonnegative on the
    domain; returns it as a Poly."""
    shown = sympy.sstr(factor)
    if not factor.is_polynomial(*domain.variables):
        raise Rejected(f"multiplier factor {shown} is not a polynomial or a strict assumption")
    poly = sympy.Poly(factor, *domain.variables, domain="QQ")
    if poly.is_zero or any(c < 0 for c in poly.coeffs()):
        raise Rejected(f"multiplier factor {shown} is not positive by its coefficients")
    # Every monomial must be nonnegative on the domain: each variable in it assumed >= 0, or raised
    # to an even power. (Without this, 1 + x would pass for real x.)
    for monomial in poly.monoms():
        for variable, exponent in zip(domain.variables, monomial):
            if exponent % 2 == 1 and variable not in domain.nonnegative:
                raise Rejected(f"multiplier factor {shown} has an odd power of {variable}, "
                               f"which no assumption makes nonnegative")
    return poly


def _require_positive_factor(domain: Domain, factor: sympy.Expr) -> None:
    """Positivity rule for multiplier factors: a strict assumption, or a nonzero polynomial with
    nonnegative coefficients and nonnegative monomials, one of which is strictly positive."""
    if domain.atom_strictness(factor) is True:
        return
    shown = sympy.sstr(factor)
    poly = _require_nonnegative_by_coefficients(domain, factor)
    # Then one monomial that is strictly positive (a positive constant, or one whose variables are
    # all assumed > 0) makes the whole sum strictly positive.
    for monomial, coefficient in zip(poly.monoms(), poly.coeffs()):
        used = {v for v, exponent in zip(domain.variables, monomial) if exponent > 0}
        if coefficient > 0 and used <= domain.positive:
            return
    raise Rejected(f"multiplier factor {shown} needs a term that is strictly positive; none of its terms "
                   f"uses only variables assumed > 0")


def _require_nonnegative_rational(value, what: str) -> None:
    if not (isinstance(value, sympy.Basic) and value.is_Rational):
        raise Rejected(f"{what} {value} is not an exact rational")
    if value < 0:
        raise Rejected(f"{what} {value} is negative")


def _require_defined_on_domain(domain: Domain, expr: sympy.Expr, what: str) -> None:
    """A polynomial, or a rational function in the problem's variables whose denominator (as
    `together` writes it) is a product of powers of factors that each pass the positivity rule."""
    if expr.is_polynomial(*domain.variables) and expr.free_symbols <= set(domain.variables):
        return
    if not (expr.free_symbols <= set(domain.variables) and expr.is_rational_function(*domain.variables)):
        raise Rejected(f"{what} {sympy.sstr(expr)} is not a rational function in the problem's variables")
    _, denominator = sympy.together(expr).as_numer_denom()
    for factor in sympy.Mul.make_args(denominator):
        base, exponent = factor.as_base_exp()
        if factor.is_Rational and factor > 0:
            continue
        if not (exponent.is_Integer and exponent > 0):
            raise Rejected(f"{what} {sympy.sstr(expr)}: denominator factor {sympy.sstr(factor)} is not a power")
        try:
            _require_positive_factor(domain, base)
        except Rejected as rejection:
            raise Rejected(f"{what} {sympy.sstr(expr)} may be undefined on the domain: {rejection}") from None


def _require_polynomial(domain: Domain, expr: sympy.Expr, what: str) -> None:
    if not expr.is_polynomial(*domain.variables) or not expr.free_symbols <= set(domain.variables):
        raise Rejected(f"{what} {sympy.sstr(expr)} is not a polynomial in the problem's variables")


def _require_psd(matrix, size: int, where: str) -> None:
    """Exact LDL^T: a symmetric matrix is PSD iff elimination meets no negative pivot, and a zero
    pivot only with an all-zero remaining row."""
    if len(matrix) != size or any(len(row) != size for row in matrix):
        raise Rejected(f"{where}: Gram matrix is not {size}x{size}")
    for entry in (x for row in matrix for x in row):
        if not (isinstance(entry, sympy.Basic) and entry.is_Rational):
            raise Rejected(f"{where}: Gram matrix entry {entry} is not an exact rational")
    a = [[Fraction(int(x.p), int(x.q)) for x in row] for row in matrix]
    for i in range(size):
        for j in range(i):
            if a[i][j] != a[j][i]:
                raise Rejected(f"{where}: Gram matrix is not symmetric at ({i + 1}, {j + 1})")
    for k in range(size):
        pivot = a[k][k]
        if pivot < 0:
            raise Rejected(f"{where}: Gram matrix is not PSD (negative pivot at {k + 1})")
        if pivot == 0:
            if any(a[k][j] != 0 for j in range(k + 1, size)):
                raise Rejected(f"{where}: Gram matrix is not PSD (zero pivot with a nonzero row at {k + 1})")
            continue
        for i in range(k + 1, size):
            if a[i][k] == 0:
                continue
            factor = a[i][k] / pivot
            for j in range(k + 1, size):
                a[i][j] -= factor * a[k][j]


def _is_identity(left: sympy.Expr, right: sympy.Expr) -> bool:
    """Exact test of left == right as rational functions. When `left` cancels to a polynomial,
    `right` is one and their coefficients are rational, both are compared as sparse polynomials
    over Q (seconds faster than a common denominator over a sum of hundreds of squares); otherwise
    by `_is_zero` of the difference."""
    generators = sorted(left.free_symbols | right.free_symbols, key=lambda s: s.name)
    if generators:
        # A polynomial left side needs no cancelling (the common case: a goal without denominators).
        left_cancelled = left if left.is_polynomial(*generators) else sympy.cancel(left)
        if left_cancelled.is_polynomial(*generators) and right.is_polynomial(*generators):
            ring = PolyRing(generators, QQ)
            try:
                difference = _to_ring(left_cancelled, ring, {}) - _to_ring(right, ring, {})
            except CoercionFailed:  # an irrational coefficient: compare as expressions below
                pass
            else:
                return not difference
    return _is_zero(left - right)


def _to_ring(expr: sympy.Expr, ring: PolyRing, leaves: dict):
    """A polynomial expression as an element of `ring` (sparse, rational coefficients), built
    through sums, products and powers of its parts: far faster than expanding the expression tree
    first. `leaves` remembers each symbol and number met (a Gram matrix repeats them many times)."""
    if expr.is_Add or expr.is_Mul:
        parts = [_to_ring(arg, ring, leaves) for arg in expr.args]
        result = parts[0]
        for part in parts[1:]:
            result = result + part if expr.is_Add else result * part
        return result
    if expr.is_Pow and expr.exp.is_Integer and expr.exp >= 0:
        return _to_ring(expr.base, ring, leaves) ** int(expr.exp)
    if expr not in leaves:
        if not (expr.is_Symbol or expr.is_Rational):
            raise CoercionFailed(f"{expr} is not a rational polynomial leaf")
        leaves[expr] = ring.from_expr(expr)
    return leaves[expr]


def _is_zero(expr: sympy.Expr) -> bool:
    """Exact zero test of a rational function: its numerator over a common denominator expands to 0."""
    numerator, _ = sympy.fraction(sympy.together(expr))
    numerator = sympy.expand(numerator)
    return numerator == 0
