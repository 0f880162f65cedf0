"""Successive difference substitution (SDS): prove a polynomial `P >= 0` on the nonnegative orthant
by ordering the variables and expanding in their successive differences.

Under an order `a >= b >= c >= 0` put `c = z`, `b = z + y`, `a = z + y + x` with `x, y, z >= 0`.
If the expansion of `P` in `x, y, z` has only nonnegative coefficients, then `P` is a sum of
`coeff * (a-b)^i (b-c)^j c^k`, and each factor is an assumption side the kernel knows (`a - b >= 0`,
`b - c >= 0` from the order, `c >= 0` from the problem): one `Identity` with `Square` pieces whose
atoms are those factors repeated (`poly = 1`). When some coefficient is negative the substitution
is applied once more to the expansion (for three variables or fewer): order `x, y, z` as well.

Orders come from the problem when it has them (after the symmetry tactic), from `SymmetryOrder`
when the problem is symmetric (one order) or cyclic (largest first, two orders for three
variables), and otherwise from nested `CaseSplit`s that insert the variables one at a time into a
decreasing chain (comparing with its neighbours only, so consecutive differences are always
assumptions). `prove_by_orderings` builds that tree for any leaf prover (the schur tactic uses it).
Denominators are cleared first (`clear_denominators`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

import sympy

from ineq.kernel import CaseSplit, Certificate, Identity, Square, SymmetryOrder, check
from ineq.problem import Problem, Relation, make_problem
from ineq.tactics.base import Attempt, Deadline
from ineq.tactics.clear_denominators import ClearedGoal, clear_denominators
from ineq.tactics.symmetry import describe_order, detect_symmetry, ordered_problem

TACTIC_NAME = "sds"
# The second substitution needs a full tree of orders of the differences (n! cases per case).
MAX_SECOND_LEVEL_VARIABLES = 3
# Beyond this many variables without a symmetry the n! cases (each checked by the kernel, whose
# atom check is slow for many pieces) are too many to be worth it.
MAX_UNORDERED_VARIABLES = 3
# Letters for the differences, per substitution level; a pool is skipped if it clashes.
_NAME_POOLS = ("xyzw", "pqrs", "uvwt", "ijkl", "fgh")


class SDSInputError(ValueError):
    """The goal handed to the tactic is not a Problem."""


class _Expired(Exception):
    """The deadline passed while building the case tree."""


@dataclass(frozen=True)
class Item:
    """One quantity being ordered: `symbol` stands for `value` (an expression in the problem's
    variables) in the polynomial being expanded, and prints as `name` in explanations."""

    symbol: sympy.Symbol
    value: sympy.Expr
    name: str


@dataclass(frozen=True)
class Branch:
    """A node of the case tree: the problem with the case assumptions so far, and the nonnegative
    quantities it knows (assumption sides up to a positive factor -> strict or not)."""

    problem: Problem
    known: dict = field(hash=False, compare=False)
    cases: tuple[str, ...] = ()

    @classmethod
    def of(cls, problem: Problem) -> "Branch":
        known: dict = {}
        for assumption in problem.assumptions:
            expr, op = assumption.normalized()
            if op == "=":
                continue
            key = _direction(expr, problem.variables)
            if key is not None:
                known[key] = known.get(key, False) or op == ">"
        return cls(problem, known)

    def strictness(self, expr: sympy.Expr) -> bool | None:
        """True if `expr > 0` is known, False if only `expr >= 0`, None if neither."""
        key = _direction(expr, self.problem.variables)
        return None if key is None else self.known.get(key)

    def split(self, expr: sympy.Expr, shown: tuple[str, str]) -> tuple["Branch", "Branch"]:
        """The two cases of `CaseSplit(expr, ...)`: `expr >= 0` and `expr <= 0` (as the kernel adds them)."""
        result = []
        for relation, sign, text in ((Relation(expr, ">=", 0), 1, shown[0]), (Relation(expr, "<=", 0), -1, shown[1])):
            problem = make_problem(list(self.problem.assumptions) + [relation], self.problem.goal,
                                   text=self.problem.text, extra_variables=self.problem.variables)
            known = dict(self.known)
            key = _direction(sign * expr, problem.variables)
            known[key] = known.get(key, False)
            result.append(Branch(problem, known, self.cases + (text,)))
        return result[0], result[1]


# A leaf prover: (branch, chain of items, largest first) -> (certificate, explanation) or None.
Leaf = Callable[[Branch, tuple[Item, ...]], "tuple[Certificate, tuple[str, ...]] | None"]


def sds(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield at most one closing attempt: the SDS certificate (see the module docstring), after
    the kernel accepted it. Yields nothing for equality goals, non-polynomial goals (after
    clearing denominators), variables that are not known to be nonnegative, or when two rounds
    of substitution still leave a negative coefficient in some case."""
    if not isinstance(goal, Problem):
        raise SDSInputError(f"sds expects a Problem, got {type(goal).__name__}")
    cleared = clear_denominators(goal)
    if cleared is None or cleared.op == "=":
        return
    variables = tuple(v for v in goal.variables if v in cleared.polynomial.free_symbols)
    if not variables:
        return
    names = _fresh_names(goal, len(variables), taken=())
    polynomial = sympy.Poly(cleared.polynomial, *variables)
    if not all(coeff.is_Rational for coeff in polynomial.coeffs()):
        return  # irrational coefficients (sqrt(3), pi): certificates must be exact rationals
    level_names = (names, _fresh_names(goal, len(variables), taken=names))

    def leaf(branch: Branch, chain: tuple[Item, ...]):
        return _sds_leaf(branch, chain, polynomial, cleared, goal.goal.strict, level_names, 0, deadline)

    found = prove_with_symmetry(goal, variables, leaf, deadline, MAX_UNORDERED_VARIABLES)
    if found is None:
        return
    certificate, explanation = found
    if deadline.expired() or not check(goal, certificate):
        return
    lead = (cleared.explanation(),) if cleared.explanation() else ()
    yield Attempt(TACTIC_NAME, goal, (), lambda _subgoals, c=certificate: c, lead + explanation)


def prove_with_symmetry(goal: Problem, variables: tuple[sympy.Symbol, ...], leaf: Leaf, deadline: Deadline,
                        max_unordered: int) -> tuple[Certificate, tuple[str, ...]] | None:
    """Prove `goal` case by case over the orders of `variables`: inside `SymmetryOrder` when the
    problem is symmetric or cyclic in them, else by case splits (only for at most `max_unordered`
    variables unless the problem's assumptions already order them). None if a case fails."""
    kind = detect_symmetry(goal, variables) if len(variables) >= 2 else None
    items = tuple(Item(v, v, sympy.sstr(v)) for v in variables)
    try:
        if kind is not None:
            inner = prove_by_orderings(Branch.of(ordered_problem(goal, kind, variables)), items, leaf, deadline)
            if inner is None:
                return None
            return SymmetryOrder(kind, variables, inner[0]), (describe_order(kind, variables),) + inner[1]
        branch = Branch.of(goal)
        if len(variables) > max_unordered and _unknown_comparisons(branch, items):
            return None
        return prove_by_orderings(branch, items, leaf, deadline)
    except _Expired:
        return None


def prove_by_orderings(branch: Branch, items: tuple[Item, ...], leaf: Leaf,
                       deadline: Deadline) -> tuple[Certificate, tuple[str, ...]] | None:
    """A certificate for `branch.problem` from `leaf` on every order of `items`: insert the items one
    at a time into a decreasing chain, comparing the new item with the chain from its bottom up,
    by a `CaseSplit` unless the branch already knows the comparison. Raises _Expired past the
    deadline; None if some leaf fails."""
    return _insert_all(branch, (), items, leaf, deadline)


def _insert_all(branch: Branch, chain: tuple[Item, ...], rest: tuple[Item, ...], leaf: Leaf, deadline: Deadline):
    if deadline.expired():
        raise _Expired
    if not rest:
        return leaf(branch, chain)
    return _insert(branch, chain, rest[0], len(chain), rest[1:], leaf, deadline)


def _insert(branch: Branch, chain: tuple[Item, ...], item: Item, position: int, rest: tuple[Item, ...],
            leaf: Leaf, deadline: Deadline):
    """Place `item` at `position` or above, knowing that it is >= every chain element below `position`."""
    if position == 0:
        return _insert_all(branch, (item,) + chain, rest, leaf, deadline)
    above = chain[position - 1]
    difference = sympy.expand(above.value - item.value)
    placed = chain[:position] + (item,) + chain[position:]
    if branch.strictness(difference) is not None:
        return _insert_all(branch, placed, rest, leaf, deadline)
    if branch.strictness(-difference) is not None:
        return _insert(branch, chain, item, position - 1, rest, leaf, deadline)
    upper, lower = branch.split(difference, (f"{above.name} >= {item.name}", f"{item.name} >= {above.name}"))
    first = _insert_all(upper, placed, rest, leaf, deadline)
    if first is None:
        return None
    second = _insert(lower, chain, item, position - 1, rest, leaf, deadline)
    if second is None:
        return None
    return CaseSplit(difference, first[0], second[0]), first[1] + second[1]


def differences(branch: Branch, chain: tuple[Item, ...], names: tuple[str, ...]) -> tuple[Item, ...] | None:
    """The successive differences of a decreasing chain as new items (top difference first, the
    bottom element last), or None if the branch does not know one of them is nonnegative."""
    symbols = [sympy.Dummy(name, real=True) for name in names[:len(chain)]]
    values = [sympy.expand(chain[k].value - chain[k + 1].value) for k in range(len(chain) - 1)] + [chain[-1].value]
    if any(branch.strictness(value) is None for value in values):
        return None
    return tuple(Item(symbols[k], values[k], names[k]) for k in range(len(chain)))


def substitute(polynomial: sympy.Poly, chain: tuple[Item, ...], new: tuple[Item, ...]) -> sympy.Poly:
    """`polynomial` (in the chain's symbols) with chain[k] = new[k] + new[k+1] + ... + new[-1]."""
    images = {item.symbol: sympy.Add(*(n.symbol for n in new[k:])) for k, item in enumerate(chain)}
    return compose(polynomial, images, tuple(n.symbol for n in new))


def compose(polynomial: sympy.Poly, images: dict, gens: tuple) -> sympy.Poly:
    """`polynomial` with each of its generators replaced by its polynomial image in `gens`, computed
    in a sparse polynomial ring: far faster than expanding sympy expressions (degree-18 goals)."""
    ring, *_ = sympy.polys.rings.ring(gens, sympy.QQ)
    image_elements = [ring.from_expr(images[g]) for g in polynomial.gens]
    powers = [[ring.one] for _ in polynomial.gens]
    result = ring.zero
    for monomial, coefficient in polynomial.terms():
        term = ring(coefficient)
        for k, exponent in enumerate(monomial):
            while len(powers[k]) <= exponent:
                powers[k].append(powers[k][-1] * image_elements[k])
            term *= powers[k][exponent]
        result += term
    return sympy.Poly(result.as_expr(), *gens)


def monomial_atoms(monomial: tuple[int, ...], items: tuple[Item, ...]) -> tuple[sympy.Expr, ...]:
    """Each item's value repeated by its exponent: the `Square` atoms of that monomial."""
    return tuple(item.value for item, power in zip(items, monomial) for _ in range(power))


def monomial_square(coeff: sympy.Rational, monomial: tuple[int, ...], items: tuple[Item, ...],
                    extra_atoms: tuple[sympy.Expr, ...] = (), factor: sympy.Expr = sympy.Integer(1)) -> Square:
    """`coeff * extra_atoms * monomial(items) * factor^2` as one `Square`: even powers go into the
    squared polynomial (the kernel checks each atom against every assumption, so fewer atoms
    check faster), odd ones leave one atom each. Not for pieces that must be strictly positive:
    the kernel counts a Square as strict only when its squared part is a constant."""
    atoms = extra_atoms + tuple(item.value for item, power in zip(items, monomial) if power % 2)
    root = sympy.Mul(*(item.value ** (power // 2) for item, power in zip(items, monomial)))
    return Square(coeff, atoms, factor * root)


def describe_substitution(chain: tuple[Item, ...], new: tuple[Item, ...]) -> str:
    """'c = z, b = z + y, a = z + y + x' for the chain a >= b >= c."""
    parts = []
    for k in range(len(chain) - 1, -1, -1):
        parts.append(f"{chain[k].name} = {' + '.join(n.name for n in reversed(new[k:]))}")
    return ", ".join(parts)


def show(polynomial: sympy.Poly, items: tuple[Item, ...]) -> str:
    """The polynomial with its symbols printed as the items' names."""
    display = {item.symbol: sympy.Symbol(item.name) for item in items}
    return sympy.sstr(polynomial.as_expr().xreplace(display))


def _sds_leaf(branch: Branch, chain: tuple[Item, ...], polynomial: sympy.Poly, cleared: ClearedGoal,
              strict: bool, level_names: tuple[tuple[str, ...], ...], level: int, deadline: Deadline):
    new = differences(branch, chain, level_names[level])
    if new is None:
        return None
    expansion = substitute(polynomial, chain, new)
    case = f"Case {' >= '.join(item.name for item in chain)}: p" if len(branch.cases) > 0 else "P"
    put = (f"{case}ut {describe_substitution(chain, new)} with "
           f"{', '.join(n.name for n in new)} >= 0")
    terms = expansion.terms()
    if all(coeff >= 0 for _, coeff in terms):
        # A strict goal needs a piece the kernel sees as strictly positive: atoms, no square.
        pieces = tuple(Square(sympy.Rational(coeff), monomial_atoms(monomial, new), sympy.Integer(1)) if strict
                       else monomial_square(sympy.Rational(coeff), monomial, new)
                       for monomial, coeff in terms if coeff != 0)
        if strict and not any(coeff > 0 and all(branch.strictness(n.value) for n, p in zip(new, monomial) if p)
                              for monomial, coeff in terms):
            return None
        line = f"{put}; every coefficient of the expansion is nonnegative: {show(expansion, new)} >= 0."
        return Identity(cleared.multiplier, pieces), (line,)
    if level + 1 >= len(level_names) or len(chain) > MAX_SECOND_LEVEL_VARIABLES:
        return None
    line = (f"{put}; the expansion {show(expansion, new)} still has negative coefficients, "
            f"so substitute again in {', '.join(n.name for n in new)}:")

    def inner(inner_branch: Branch, inner_chain: tuple[Item, ...]):
        return _sds_leaf(inner_branch, inner_chain, expansion, cleared, strict, level_names, level + 1, deadline)

    found = prove_by_orderings(branch, new, inner, deadline)
    if found is None:
        return None
    return found[0], (line,) + tuple("  " + text for text in found[1])


def _unknown_comparisons(branch: Branch, items: tuple[Item, ...]) -> bool:
    """Whether some pair of items is not ordered by the branch (so a case split would be needed)."""
    for i, first in enumerate(items):
        for second in items[i + 1:]:
            difference = sympy.expand(first.value - second.value)
            if branch.strictness(difference) is None and branch.strictness(-difference) is None:
                return True
    return False


def _fresh_names(problem: Problem, count: int, taken: tuple[str, ...]) -> tuple[str, ...]:
    used = {v.name for v in problem.variables} | set(taken)
    for pool in _NAME_POOLS:
        if len(pool) >= count and not used & set(pool[:count]):
            return tuple(pool[:count])
    for prefix in "tsdeh":  # indexed names, with a letter no variable of the problem uses this way
        names = tuple(f"{prefix}{k + 1}" for k in range(count))
        if not used & set(names):
            return names
    raise SDSInputError(f"no free names for {count} differences")


def _direction(expr: sympy.Expr, variables: tuple[sympy.Symbol, ...]):
    """A key equal for two polynomials exactly when one is a positive multiple of the other (None
    for non-polynomials and zero)."""
    expr = sympy.expand(expr)
    if not expr.is_polynomial(*variables) or expr == 0:
        return None
    terms = sympy.Poly(expr, *variables).terms()  # sorted, so terms[0] is the same for multiples
    scale = abs(terms[0][1])
    return frozenset((monomial, coeff / scale) for monomial, coeff in terms)
