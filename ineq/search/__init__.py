"""Best-first search over an AND-OR tree of goals; only the kernel decides what is proved.

OR nodes are goals (deduplicated: the same goal reached twice is one node). Expanding an OR node
with a tactic pulls that tactic's next attempt: a closing attempt is built and kernel-checked at
once; a reducing attempt becomes an AND node whose subgoals are new OR nodes. When every subgoal of an
AND node is proved, its attempt builds the parent's certificate and the kernel checks it; a goal is
proved when one of its AND nodes is. The frontier holds (goal, tactic) pairs ordered by
`depth penalty - scorer score`, so the scorer (a parameter: heuristic, uniform, learned policy)
decides what is tried first. Budgets: a wall-clock deadline and a number of expansions.

Time slicing: one slow tactic call (an SDP) must not eat the whole budget. Every tactic run gets its
own clock, reset before each pull to `min(deadline, now + slice)` with `slice = max(MIN_SLICE,
SLICE_SHARE * remaining)`. A run that stops because its slice ran out (its clock expired, the global
deadline did not) is queued again from scratch with a doubled slice and a cost penalty, at most
MAX_RESTARTS times; a run yields at most MAX_ATTEMPTS_PER_RUN attempts (lossy reductions such as
tangent lines or AM-GM splits can otherwise propose many fruitless variants).

Lossy steps (AM-GM, Cauchy-Schwarz, tangent lines) can produce false subgoals; with
`prune_false_subgoals` z3 (the oracle in `ineq.z3_oracle`) is given a short budget on each new subgoal
(an unsat answer ends the check: the subgoal is true), then the refuter when z3 gave no confirmed point;
a subgoal with an exactly confirmed counterexample is dropped (never a guess: every point is checked in
exact arithmetic).
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import sympy

from ineq.kernel import Certificate, check
from ineq.problem import Problem
from ineq.tactics import TACTICS
from ineq.tactics.base import Attempt, Deadline, is_monomial

# scorer(goal, tactic_names) -> one score per name; higher is tried first. Batched so that a learned
# scorer evaluates all tactics of a node in one forward pass.
Scorer = Callable[[Problem, Sequence[str]], Sequence[float]]

# Cost of going one level deeper, and of asking a tactic for its next (usually worse) attempt.
DEPTH_COST = 1.0
RETRY_COST = 0.5
PRUNE_SECONDS = 0.3
Z3_PRUNE_SECONDS = 0.2  # nlsat settles small false polynomial subgoals fast, or gives up
# Per-run time slices (see the module docstring).
MIN_SLICE = 1.0
SLICE_SHARE = 0.3
MAX_RESTARTS = 2
# Three radicals named and then substituted away take six steps before the closing one, and a fudging
# split (IMO 2001/2) adds two more above them; the depth cost in the frontier keeps deep branches behind
# shallow ones anyway.
MAX_DEPTH = 10
RESTART_COST = 2.0
MAX_ATTEMPTS_PER_RUN = 8


def goal_features(goal: Problem) -> dict:
    """Cheap structural facts about a goal, shared by the heuristic scorer, traces and the policy."""
    g, _ = goal.goal.normalized()
    functions = g.atoms(sympy.Abs, sympy.Min, sympy.Max, sympy.exp, sympy.log)
    transcendental = [t for side in [g] + [a.lhs - a.rhs for a in goal.assumptions]
                      for t in side.atoms(sympy.exp, sympy.log)]
    radicals = [p for p in g.atoms(sympy.Pow) if p.exp.is_Rational and not p.exp.is_Integer]
    assumption_radicals = [p for a in goal.assumptions for p in (a.lhs - a.rhs).atoms(sympy.Pow)
                           if p.exp.is_Rational and not p.exp.is_Integer]
    numerator_denominator = g.as_numer_denom()
    equalities = [a for a in goal.assumptions if a.op == "="]
    return {
        "assumption_radicals": len(assumption_radicals),
        "definitions": sum(1 for a in equalities if a.lhs.is_Symbol or a.rhs.is_Symbol),
        **_constraint_shapes(goal),
        "variables": len(goal.variables),
        "assumptions": len(goal.assumptions),
        "equalities": len(equalities),
        "radicals": len(radicals),
        "radicals_of_monomials": sum(1 for p in radicals + assumption_radicals if is_monomial(p.base)),
        "radicands_with_values": _radicands_with_values(radicals, equalities),
        "functions": len(functions),
        "transcendental": len(transcendental),
        "fraction": not numerator_denominator[1].is_number,
        "strict": goal.goal.strict,
        "polynomial": g.is_polynomial(*goal.variables),
        "ordering_assumptions": sum(1 for a in goal.assumptions
                                    if a.lhs.is_Symbol and a.rhs.is_Symbol and a.op in (">=", "<=")),
    }


def heuristic_scorer(goal: Problem, tactic_names: Sequence[str]) -> list[float]:
    """Hand-written priorities: remove radicals and constraints first, then cheap structured proofs
    (AM-GM, SDS) before the SDP, and lossy reductions last."""
    features = goal_features(goal)
    base = {"amgm": 3.0, "schur": 2.6, "sds": 2.5, "sos": 2.0, "symmetry": 1.0, "substitute": 1.5,
            "homogenize": 1.2, "radicals": 0.5, "tangent_line": 0.8, "cauchy_schwarz": 0.6,
            "denominator_signs": 1.4, "assumption_denominators": 1.6, "reciprocal": 0.4,
            "sign_cases": 0.3, "radical_amgm": 0.3, "radical_pairs": 0.35, "radical_holder": 0.3, "radical_tangent": 0.25,
            "power_substitution": 0.3, "product_split": 3.2, "fudging": 0.2,
            "definite_split": 0.1, "ratio_substitution": 1.0, "factor_bound": 0.5, "ravi": 1.0,
            "generalize": 0.2, "exponentiate": 0.3, "sum_split": 2.3, "jensen": 1.1}
    scores = []
    for name in tactic_names:
        score = base.get(name, 0.0)
        if features["functions"] and name == "sign_cases":
            score += 5.0  # abs/max/min block every polynomial tactic until the cases resolve them
        if features["transcendental"] and name == "generalize":
            score += 6.0  # no other tactic reads exp or log: first, and lossy only where the goal needs them
        if features["transcendental"] and name == "exponentiate":
            score += 6.0  # exact, so before generalize, which would forget what log is
        if features["radicals"] and name == "amgm":
            score += 3.5  # roots of products of positive variables are AM-GM terms: try that first, it is cheap
        if features["radicals"] and name == "radical_amgm":
            score += 5.8  # cheap when it applies; tried before naming the radicals
        if (features["radicals"] or features["assumption_radicals"]) and name == "radicals":
            score += 5.0  # nothing polynomial applies until radicals are named
        if features["radicals_of_monomials"] and name == "power_substitution":
            # Exact, and first when it removes every radical; when other roots remain (whose radicands
            # it raises to higher degree) after the tactics made for those roots, just before naming them.
            # After naming them where an assumption gives a radicand a value (sqrt(xyz) with
            # xyz = x + y + z + 2): the named root keeps the goal's degree low where raising every
            # variable to a power would multiply it.
            every = features["radicals"] + features["assumption_radicals"]
            if features["radicands_with_values"]:
                score += 4.9
            else:
                score += 6.5 if features["radicals_of_monomials"] == every else 5.3
        if features["radicals"] and name == "radical_pairs":
            score += 6.0  # exact and cheap when it applies (often closes the goal outright): first
        if features["radicals"] and name == "radical_holder":
            score += 5.7  # one small cone program, then an exact step to a polynomial goal: before the lossy tangents
        if features["radicals"] and name == "radical_tangent":
            score += 5.6  # like radical_amgm: one cheap lossy step that leaves radical-free goals
        if features["radicals"] and name == "fudging":
            score += 5.5  # a cyclic sum of radicals is rarely proved whole; its terms often are
        if name == "assumption_denominators" and _rational_assumptions(goal):
            score += 4.0  # the closing tactics read only polynomial assumptions
        if features["equalities"] and name in ("substitute", "homogenize", "tangent_line", "ratio_substitution"):
            score += 1.5
        if features["definitions"] and name == "substitute":
            score += 0.5  # x = s^2 (from naming sqrt(x)): eliminating x first shrinks every later SDP
        if features["equalities"] and name == "homogenize":
            score += 0.4  # cheap, and its homogeneous subgoal often falls to amgm: before the SDP
        if features["equalities"] and name == "sos":
            # Level with amgm (cheap, tried first) and substitute (tried next): sos uses the
            # equalities itself (homogenising, multipliers), often the shortest way.
            score += 1.0
        if features["triangles"] and name == "ravi":
            score += 2.5  # sides of a triangle: the orthant after Ravi suits every closing tactic
        if features["product_constraints"] and name == "ratio_substitution":
            score += 1.2  # abc = 1 by ratios is instant and often all that is needed: before the SDP
        if features["form_ratios"] and name == "homogenize":
            score += 0.6  # ab + bc + ca = abc(a + b + c) homogenises as a ratio of forms: before the SDP
        if features["normalising_bounds"] and name == "homogenize":
            score += 2.0  # a bound such as a^2+b^2+c^2 <= 3 homogenises without an SDP: try it before sos
        if features["ordering_assumptions"] and name == "symmetry":
            score -= 3.0  # already ordered
        scores.append(score)
    return scores


def _constraint_shapes(goal: Problem) -> dict[str, int]:
    """How many assumptions have the shapes the reducing tactics use, detected by those tactics' own
    tests: products of variables (abc = 1), equalities between two forms (ab + bc + ca = abc(a + b + c)),
    bounds of a form in two or more variables (a^2 + b^2 + c^2 <= 3) and triangle inequalities
    (b + c >= a; "triangles" counts three of them as one)."""
    from ineq.kernel import Domain
    from ineq.tactics.homogenize import normalising_constraint, ratio_of_forms
    from ineq.tactics.ratio_substitution import product_constraint
    from ineq.tactics.ravi import triangle_inequality

    counts = {"product_constraints": 0, "form_ratios": 0, "normalising_bounds": 0, "triangles": 0}
    domain = None
    for assumption in goal.assumptions:
        h, op = assumption.normalized()
        h = sympy.expand(h)
        if not h.is_polynomial(*goal.variables) or not h.free_symbols <= set(goal.variables):
            continue
        if op == "=":
            domain = domain or Domain(goal)
            counts["product_constraints"] += product_constraint(h, goal.variables, domain) is not None
            counts["form_ratios"] += ratio_of_forms(h, goal.variables, goal) is not None
        else:
            shape = normalising_constraint(h, goal.variables)
            counts["normalising_bounds"] += shape is not None and len(shape[1].free_symbols) >= 2
            counts["triangles"] += triangle_inequality(h, goal.variables) is not None
    counts["triangles"] //= 3
    return counts


def _radicands_with_values(radicals: list, equalities: list) -> int:
    """How many radicands (after removing the root, e.g. xyz in sqrt(xyz)) an equality assumption
    equates with an expression that is not a monomial (xyz = x + y + z + 2): naming such a root gives a
    low-degree goal, which raising every variable to a power would not."""
    if not radicals:
        return 0  # the scorer runs at every node: no expansion of the equalities when nothing is rooted
    values = set()
    for equality in equalities:
        for side, other in ((equality.lhs, equality.rhs), (equality.rhs, equality.lhs)):
            if not is_monomial(other):
                values.add(sympy.expand(side))
    return sum(1 for p in radicals if sympy.expand(p.base) in values)


def _rational_assumptions(goal: Problem) -> bool:
    return any(not (a.lhs - a.rhs).as_numer_denom()[1].is_number for a in goal.assumptions)


def uniform_scorer(goal: Problem, tactic_names: Sequence[str]) -> list[float]:
    """Every tactic equally good: the registry order breaks ties (a baseline for the policy)."""
    return [0.0] * len(tactic_names)


@dataclass
class Proof:
    """A kernel-checked certificate for `goal` and the attempts (outermost first) that built it."""

    goal: Problem
    certificate: Certificate
    attempts: list[Attempt] = field(default_factory=list)
    parts: list["Proof"] = field(default_factory=list)  # the proofs of the first attempt's subgoals

    @property
    def tactics(self) -> list[str]:
        return [attempt.tactic for attempt in self.attempts]

    @property
    def explanation(self) -> list[str]:
        """The first attempt's lines, then its subgoals' explanations: inline for one subgoal,
        as indented parts (headed by what each part assumes and proves) for several."""
        if not self.attempts:
            return []
        lines = list(self.attempts[0].explanation)
        if len(self.parts) == 1:
            return lines + self.parts[0].explanation
        known = set(self.goal.assumptions)
        for part in self.parts:
            added = [str(a) for a in part.goal.assumptions if a not in known]
            head = f"Assuming {', '.join(added)}: prove {part.goal.goal}." if added else f"Prove {part.goal.goal}."
            lines += [head] + ["    " + line for line in part.explanation]
        return lines


@dataclass
class SearchStats:
    nodes: int = 0  # expansions: attempts pulled from tactics
    goals: int = 0  # distinct goals created
    rejected_by_kernel: int = 0
    pruned_false: int = 0
    pruned_by_z3: int = 0  # of pruned_false: those where z3's model was the confirmed point
    tactic_errors: list[str] = field(default_factory=list)  # exceptions raised by tactics (then skipped)
    trace: list[dict] = field(default_factory=list)


class _SliceClock:
    """The deadline one tactic run sees: like `Deadline`, but moved by the search before each pull."""

    def __init__(self, at: float):
        self.at = at

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.at


@dataclass
class _Run:
    """One tactic's generator on one goal, its clock, how often it was restarted and how many attempts
    it has yielded."""

    attempts: object
    clock: _SliceClock
    restarts: int = 0
    pulled: int = 0


def _slice(deadline: Deadline, restarts: int) -> float:
    remaining = deadline.remaining()
    return min(remaining, max(MIN_SLICE, SLICE_SHARE * remaining) * 2 ** restarts)


class _OrNode:
    def __init__(self, goal: Problem, depth: int):
        self.goal, self.depth = goal, depth
        self.proof: Proof | None = None
        self.false = False
        self.parents: list[_AndNode] = []


class _AndNode:
    def __init__(self, attempt: Attempt, parent: _OrNode, children: list[_OrNode]):
        self.attempt, self.parent, self.children = attempt, parent, children


def search(goal: Problem, deadline: Deadline, scorer: Scorer = heuristic_scorer, max_nodes: int = 1200,
           max_depth: int = MAX_DEPTH, stats: SearchStats | None = None, prune_false_subgoals: bool = True,
           record_trace: bool = False, tactics: dict | None = None) -> Proof | None:
    """A kernel-checked proof of `goal`, or None when the budget (deadline, `max_nodes` expansions,
    `max_depth`) runs out. `tactics` defaults to the registry."""
    stats = stats if stats is not None else SearchStats()
    tactics = TACTICS if tactics is None else tactics
    nodes: dict[Problem, _OrNode] = {}
    frontier: list = []
    tiebreak = itertools.count()

    def open_goal(subgoal: Problem, depth: int, cost: float) -> _OrNode:
        if subgoal in nodes:
            return nodes[subgoal]
        node = nodes[subgoal] = _OrNode(subgoal, depth)
        stats.goals += 1
        names = list(tactics)
        for name, score in zip(names, scorer(subgoal, names)):
            heapq.heappush(frontier, (cost - score, next(tiebreak), node, name, None))
        return node

    root = open_goal(goal, 0, 0.0)
    while frontier and root.proof is None and stats.nodes < max_nodes and not deadline.expired():
        cost, _, node, name, run = heapq.heappop(frontier)
        if node.proof is not None or node.false:
            continue
        started = time.monotonic()
        if isinstance(run, int):  # a restart after a run ran out of its slice
            run = _Run(None, _SliceClock(started), restarts=run)
        elif run is None:
            run = _Run(None, _SliceClock(started))
        run.clock.at = started + _slice(deadline, run.restarts)
        if run.attempts is None:
            run.attempts = iter(tactics[name](node.goal, run.clock))
        try:
            attempt = next(run.attempts, None)
        except Exception as error:  # noqa: BLE001 - tactics are untrusted; one bug must not end the search
            stats.tactic_errors.append(f"{name}: {type(error).__name__}: {error}"[:300])
            attempt, run.restarts = None, MAX_RESTARTS
            failed = True
        else:
            failed = False
        stats.nodes += 1
        outcome = "error" if failed else _expand(node, attempt, name, cost, open_goal, max_depth, deadline, stats,
                                                 prune_false_subgoals)
        if attempt is not None:
            run.pulled += 1
            if run.pulled < MAX_ATTEMPTS_PER_RUN:
                heapq.heappush(frontier, (cost + RETRY_COST, next(tiebreak), node, name, run))
        elif run.clock.expired() and not deadline.expired() and run.restarts < MAX_RESTARTS:
            outcome = "out_of_slice"
            heapq.heappush(frontier, (cost + RESTART_COST, next(tiebreak), node, name, run.restarts + 1))
        if record_trace:
            stats.trace.append({"goal": str(node.goal), "features": goal_features(node.goal), "depth": node.depth,
                                "tactic": name, "outcome": outcome,
                                "seconds": round(time.monotonic() - started, 4)})
    if record_trace and root.proof is not None:
        used = {(str(a.goal), a.tactic) for a in root.proof.attempts}
        for entry in stats.trace:
            entry["in_proof"] = (entry["goal"], entry["tactic"]) in used and entry["outcome"] in ("closed", "reduced")
    return root.proof


def _expand(node: _OrNode, attempt: Attempt | None, name: str, cost: float, open_goal, max_depth: int,
            deadline: Deadline, stats: SearchStats, prune: bool) -> str:
    """Apply one attempt to `node`; returns the trace outcome word."""
    if attempt is None:
        return "exhausted"
    if not attempt.subgoals:
        return "closed" if _solve_and(_AndNode(attempt, node, []), stats) else "rejected"
    if node.depth + 1 > max_depth:
        return "too_deep"
    children = []
    for subgoal in attempt.subgoals:
        child = open_goal(subgoal, node.depth + 1, cost + DEPTH_COST)
        if prune and child.proof is None and not child.false and child.depth > 0:
            child.false = _confirmed_false(subgoal, deadline, stats)
        if child.false:
            return "false_subgoal"
        children.append(child)
    and_node = _AndNode(attempt, node, children)
    for child in children:
        child.parents.append(and_node)
    if all(child.proof is not None for child in children):
        _solve_and(and_node, stats)
    return "reduced"


def _confirmed_false(goal: Problem, deadline: Deadline, stats: SearchStats) -> bool:
    from ineq.z3_oracle import falsified

    found = falsified(goal, min(Z3_PRUNE_SECONDS, deadline.remaining()), min(PRUNE_SECONDS, deadline.remaining()))
    if found is None:
        return False
    stats.pruned_false += 1
    stats.pruned_by_z3 += found == "z3"
    return True


def _solve_and(and_node: _AndNode, stats: SearchStats) -> bool:
    """Build and kernel-check the AND node's certificate; on success mark its goal proved and propagate."""
    parent = and_node.parent
    if parent.proof is not None:
        return True
    sub_certificates = tuple(child.proof.certificate for child in and_node.children)
    certificate = and_node.attempt.build(sub_certificates)
    if not check(parent.goal, certificate).ok:
        stats.rejected_by_kernel += 1  # a tactic proposed something wrong; the kernel decides
        return False
    attempts = [and_node.attempt] + [a for child in and_node.children for a in child.proof.attempts]
    parent.proof = Proof(parent.goal, certificate, attempts, [child.proof for child in and_node.children])
    for grand in parent.parents:
        if all(child.proof is not None for child in grand.children):
            _solve_and(grand, stats)
    return True

