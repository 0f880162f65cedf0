"""The generalize tactic: treat exp(E) and log(E) as new variables ("let u = log(a + 1) > 0").

Composed olympiad problems put a known inequality in terms of log(a + 1) or exp(a) - 1 instead of a
plain variable: `(u + v + w)^3 / (8uvw) >= ...` with u = log(a + 1), v = log(b + 1), w = log(c + 1).
The closing tactics read only rational functions, so the tactic replaces every exp/log term whose
argument holds no other exp/log by a fresh variable u, with the range the kernel's `Generalize` rule
gives it (u > 0 for exp(E), u > 0 for log(E) where E > 1), one `Generalize` step per term, all in one
attempt. Where E > 0, exp(E) > 1 is written 1 + w with w > 0 (a shift by `ChangeVariables`).

The step is lossy: it forgets how the term depends on its argument, so a goal that needs that
(Jensen for exp, a variable both inside and outside a log) becomes false; the search's refuter then
prunes the subgoal.
"""

from __future__ import annotations

from typing import Iterator

import sympy

from ineq.kernel import (
    ChangeVariables,
    Generalize,
    Weaken,
    changed_problem,
    generalization,
    generalized_problem,
    weakened_problem,
)
from ineq.problem import Problem, Relation, var
from ineq.tactics.base import Attempt, Deadline, fresh_names

TACTIC_NAME = "generalize"


def generalize(goal: Problem, deadline: Deadline) -> Iterator[Attempt]:
    """Yield one attempt, whose one subgoal has every innermost exp/log term replaced, when the goal
    or an assumption has one. A term exp(E) > 1 (E > 0) becomes 1 + w with w > 0 (a `ChangeVariables`
    shift after `Generalize`), so that exp(E) - 1, common in composed problems, is the variable w."""
    terms = innermost_terms(goal)
    if not terms or deadline.expired():
        return
    names = fresh_names(goal, len(terms), "uvwpqrst", "g")
    current, lines, steps = goal, [], []
    for term, name in zip(terms, names):
        added = generalization(current, term, name)
        current = generalized_problem(current, term, name)
        if added == [Relation(name, ">", 1)]:
            taken = {v.name for v in current.variables} | {n.name for n in names}
            shifted = var(next(n for n in list("pqrst") + [f"h{i}" for i in range(len(taken) + 1)] if n not in taken))
            # u > 1 is the last assumption; u = 1 + w with w = u - 1 > 0 replaces it.
            change = ChangeVariables(((name, 1 + shifted),), ((shifted, name - 1),),
                                     (len(current.assumptions) - 1,), None)
            current = changed_problem(current, change)
            steps.append((term, name, change))
            lines.append(f"Let {shifted} = {sympy.sstr(term)} - 1, so {shifted} > 0; it suffices to prove the goal "
                         f"for every such {shifted}.")
            continue
        steps.append((term, name, None))
        stated = f", so {', '.join(str(a) for a in added)}" if added else ""
        lines.append(f"Let {name} = {sympy.sstr(term)}{stated}; it suffices to prove the goal for every such "
                     f"{name}.")

    # A variable left only in its own sign assumption (d after log(d + 1) became u) is dropped.
    unused = _unused_variable_assumptions(current)
    for assumption in unused:
        current = weakened_problem(current, assumption)

    def build(subs):
        certificate = subs[0]
        for assumption in reversed(unused):
            certificate = Weaken(assumption, certificate)
        for term, name, change in reversed(steps):
            if change is not None:
                certificate = ChangeVariables(change.forward, change.inverse, change.dropped, certificate)
            certificate = Generalize(term, name, certificate)
        return certificate

    yield Attempt(TACTIC_NAME, goal, (current,), build, tuple(lines))


def _unused_variable_assumptions(problem: Problem) -> list[Relation]:
    """The assumptions in one variable that occurs in no other assumption and not in the goal."""
    unused = []
    for index, assumption in enumerate(problem.assumptions):
        symbols = assumption.free_symbols()
        if len(symbols) != 1:
            continue
        others = problem.goal.free_symbols().union(
            *(a.free_symbols() for i, a in enumerate(problem.assumptions) if i != index))
        if not symbols & others:
            unused.append(assumption)
    return unused


def innermost_terms(goal: Problem) -> list[sympy.Expr]:
    """The exp/log terms of the goal and assumptions whose argument has no exp/log, in a fixed order."""
    sides = [goal.goal.lhs, goal.goal.rhs] + [side for a in goal.assumptions for side in (a.lhs, a.rhs)]
    found = set()
    for side in sides:
        found |= {term for term in side.atoms(sympy.exp, sympy.log) if not term.args[0].has(sympy.exp, sympy.log)}
    return sorted(found, key=sympy.default_sort_key)
