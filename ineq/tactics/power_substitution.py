"""The power_substitution tactic: write a variable under a fractional power as a power of a new one.

`cbrt(abc) >= 3/(1/a + 1/b + 1/c)` with a, b, c > 0 becomes, with a = x^3, b = y^3, c = z^3,
`xyz >= 3/(1/x^3 + 1/y^3 + 1/z^3)`: a rational goal the closing tactics read (AM-GM closes it). Naming
the one radical `(abc)^(1/3) = t` instead would leave `t^3 = abc` as a constraint, which sos handles badly.

The certificate is a chain of kernel rules, all exact:
1. `MonomialRoots` splits every root of a monomial in nonnegative variables, `(abc)^(1/3)` into
   `a^(1/3) b^(1/3) c^(1/3)` (and `cbrt(m)`, written `|m|^(1/3) sign(m)`, into `m^(1/3)`);
2. for each variable v >= 0 left under fractional powers v^(p/q), with n the least common multiple of
   those q: `IntroduceRoot` names u = v^(1/n) (u >= 0, u^n = v), `Substitute` eliminates v = u^n, and
   `Weaken` drops the assumption `u^n >= 0` (or `> 0`) that v's sign became, since `IntroduceRoot`
   already gave u's sign.

A variable whose sign the assumptions do not state directly (b under a >= b >= c >= 0) is left alone.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator

import sympy

from ineq.kernel import (
    Certificate,
    Cut,
    Domain,
    Identity,
    IntroduceRoot,
    MonomialRoots,
    RootOrder,
    Square,
    Substitute,
    Weaken,
    cut_problem,
    monomial_roots_problem,
    root_extended_problem,
    root_order_problem,
    substituted_problem,
    weakened_problem,
)
from ineq.problem import Problem, Relation
from ineq.tactics.base import Attempt, Deadline, fresh_names, is_monomial

TACTIC_NAME = "power_substitution"


def power_substitution(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt when some root of a monomial splits or some nonnegative variable is under
    a fractional power; its one subgoal is the problem in the new variables."""
    steps: list[Callable[[Certificate], Certificate]] = []
    lines = []
    current = goal
    for claim, pieces, path in _chain_signs(goal):
        steps.append(lambda certificate, claim=claim, pieces=pieces: Cut(claim, Identity((), pieces), certificate))
        lines.append(f"{' >= '.join(v.name for v in path)} >= 0, so {claim}.")
        current = cut_problem(current, claim)
    split = monomial_roots_problem(current)
    roots_split = split != current
    if roots_split:
        steps.append(MonomialRoots)
        lines.append(f"Each root of a product of nonnegative variables is the product of their roots: "
                     f"the goal reads {split.goal}.")
        current = split
    degrees = _root_degrees(current)
    names = fresh_names(current, len(degrees), "xyzwuvpq", "s")
    written = []
    for (variable, degree), name in zip(degrees.items(), names):
        if deadline.expired():
            return
        current, step = _write_as_power(current, variable, degree, name)
        steps.append(step)
        written.append(f"{variable} = {name}^{degree}")
    if not written and not roots_split:
        return
    if written:
        lines.append(f"The variables are nonnegative, so write {', '.join(written)} "
                     f"with {', '.join(str(n) for n in names)} >= 0.")
    for larger, smaller, degree, assumption in _power_orders(current, set(names)):
        current = weakened_problem(root_order_problem(current, larger, smaller, degree), assumption)
        steps.append(lambda certificate, order=(larger, smaller, degree), assumption=assumption:
                     RootOrder(*order, Weaken(assumption, certificate)))
        lines.append(f"As {larger}, {smaller} >= 0, {assumption} means {larger} >= {smaller}.")
    lines.append(f"It remains to prove {current}.")

    def build(subs, steps=tuple(steps)):
        certificate = subs[0]
        for step in reversed(steps):
            certificate = step(certificate)
        return certificate

    yield Attempt(TACTIC_NAME, goal, (current,), build, tuple(lines))


def _chain_signs(problem: Problem) -> list[tuple[Relation, tuple[Square, ...], list[sympy.Symbol]]]:
    """For each variable under a root whose sign no assumption states but a chain of assumptions
    v >= v1 >= ... >= vk >= 0 gives: the claim v >= 0, its pieces (the chain's differences and vk),
    and the chain."""
    domain = Domain(problem)
    below: dict[sympy.Symbol, list[tuple[sympy.Symbol, sympy.Expr]]] = {}
    for expr, _ in domain.atoms:
        terms = expr.as_coefficients_dict()
        if len(terms) == 2 and sorted(terms.values()) == [-1, 1] and all(t.is_Symbol for t in terms):
            upper = next(t for t, c in terms.items() if c == 1)
            lower = next(t for t, c in terms.items() if c == -1)
            below.setdefault(upper, []).append((lower, expr))
    found = []
    for variable in sorted(_rooted_variables(problem) - domain.nonnegative, key=lambda v: v.name):
        path, differences, frontier = [variable], [], variable
        while frontier not in domain.nonnegative:
            step = next(((lower, expr) for lower, expr in below.get(frontier, []) if lower not in path), None)
            if step is None:
                break
            frontier = step[0]
            path.append(frontier)
            differences.append(step[1])
        if frontier in domain.nonnegative:
            pieces = tuple(Square(sympy.Integer(1), (atom,), sympy.Integer(1)) for atom in differences + [frontier])
            found.append((Relation(variable, ">=", 0), pieces, path))
    return found


def _rooted_variables(problem: Problem) -> set:
    """The variables of monomials that occur under a fractional power (or in cbrt's sign form)."""
    rooted = set()
    sides = [problem.goal.lhs, problem.goal.rhs] + [s for a in problem.assumptions for s in (a.lhs, a.rhs)]
    for side in sides:
        for node in sympy.preorder_traversal(side):
            base = node.base if node.is_Pow and node.exp.is_Rational and not node.exp.is_Integer else \
                node.args[0] if isinstance(node, sympy.sign) else None
            if base is None:
                continue
            if is_monomial(base):
                rooted |= base.free_symbols
    return rooted


def _power_orders(problem: Problem, names: set) -> list[tuple]:
    """Assumptions `u^n >= w^n` (n >= 2) between two new variables: (u, w, n, the assumption)."""
    orders = []
    for assumption in problem.assumptions:
        expr, op = assumption.normalized()
        if op not in (">=", ">"):
            continue
        terms = sympy.expand(expr).as_coefficients_dict()
        if len(terms) != 2 or sorted(terms.values()) != [-1, 1]:
            continue
        (upper, _), (lower, _) = sorted(terms.items(), key=lambda item: -item[1])
        upper_base, upper_degree = upper.as_base_exp()
        lower_base, lower_degree = lower.as_base_exp()
        if upper_base in names and lower_base in names and upper_degree == lower_degree and upper_degree.is_Integer \
                and upper_degree >= 2:
            orders.append((upper_base, lower_base, int(upper_degree), assumption))
    return orders


def _root_degrees(problem: Problem) -> dict[sympy.Symbol, int]:
    """For each variable assumed >= 0 that occurs under a fractional power v^(p/q): the least common
    multiple n of those q (v = u^n makes every such power an integer power of u)."""
    nonnegative = Domain(problem).nonnegative
    degrees: dict[sympy.Symbol, int] = {}
    sides = [problem.goal.lhs, problem.goal.rhs] + [s for a in problem.assumptions for s in (a.lhs, a.rhs)]
    for side in sides:
        for node in sympy.preorder_traversal(side):
            if node.is_Pow and node.base in nonnegative and node.exp.is_Rational and not node.exp.is_Integer:
                degrees[node.base] = math.lcm(degrees.get(node.base, 1), int(node.exp.q))
    return dict(sorted(degrees.items(), key=lambda item: item[0].name))


def _write_as_power(problem: Problem, variable: sympy.Symbol, degree: int,
                    name: sympy.Symbol) -> tuple[Problem, Callable[[Certificate], Certificate]]:
    """The problem with variable = name**degree (name >= 0), and the chain of kernel rules that
    turns a certificate of it into one of `problem`."""
    radical = variable ** sympy.Rational(1, degree)
    named = root_extended_problem(problem, radical, name)
    power = name ** degree
    used = next(i for i, a in enumerate(named.assumptions) if a.op == "=" and a.lhs == power and a.rhs == variable)
    substituted = substituted_problem(named, used, variable, power)
    dropped = [a for a in substituted.assumptions if _is_sign_of(a, power)]
    current = substituted
    for relation in dropped:
        current = weakened_problem(current, relation)

    def step(certificate: Certificate) -> Certificate:
        for relation in reversed(dropped):
            certificate = Weaken(relation, certificate)
        return IntroduceRoot(radical, name, Substitute(variable, power, certificate))

    return current, step


def _is_sign_of(relation: Relation, power: sympy.Expr) -> bool:
    """Whether the relation reads `power >= 0` or `power > 0` (in either orientation)."""
    expr, op = relation.normalized()
    return op in (">=", ">") and sympy.expand(expr - power) == 0
