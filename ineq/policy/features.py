"""The goal encoder: a goal (`Problem`) as a token sequence plus a vector of cheap structural features.

Tokens are the goal's normalised expression `g op 0` followed by each assumption's, each written in
prefix order. Variables are renamed `v0, v1, ...` by order of first appearance in that walk, so two goals
that differ only by the names of their variables encode identically; numbers are put into a few buckets
(small integers and simple fractions keep their own token). The vocabulary is fixed (no fitting), so an
encoding never depends on the data it was trained on.

Everything here is pure sympy + python (no torch): the search workers encode goals while they run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sympy

from ineq.problem import Problem, Relation
from ineq.search import goal_features

# Longest token sequence kept (the goal comes first, so truncation drops assumptions and deep tails).
MAX_TOKENS = 128
MAX_VARIABLES = 8
MAX_ARITY = 6

PAD, UNKNOWN, GOAL, ASSUME, TRUNCATED = "<pad>", "<unk>", "<goal>", "<assume>", "<trunc>"
_RELATIONS = ("rel>=", "rel>", "rel=")
_HEADS = ("Add", "Mul", "Pow", "Abs", "Min", "Max", "exp", "log", "sign", "func")
_SMALL_INTEGERS = range(-4, 11)
_SIMPLE_FRACTIONS = ("1/2", "-1/2", "1/3", "-1/3", "2/3", "1/4", "3/2")
_NUMBER_BUCKETS = ("int>10", "int<-4", "frac(0,1)", "frac(1,10)", "frac>10", "frac(-1,0)", "frac<-1",
                   "pi", "E", "irrational")

VOCABULARY: tuple[str, ...] = (
    (PAD, UNKNOWN, GOAL, ASSUME, TRUNCATED) + _RELATIONS
    + tuple(f"{head}/{arity}" for head in _HEADS for arity in range(1, MAX_ARITY + 1))
    + tuple(f"v{i}" for i in range(MAX_VARIABLES)) + ("v*",)
    + tuple(f"int{i}" for i in _SMALL_INTEGERS) + _SIMPLE_FRACTIONS + _NUMBER_BUCKETS
)
TOKEN_ID = {token: index for index, token in enumerate(VOCABULARY)}
PAD_ID = TOKEN_ID[PAD]

# Names of the structural features, in vector order (all scaled to roughly [0, 1]).
FEATURE_NAMES: tuple[str, ...] = (
    "variables", "assumptions", "equalities", "radicals", "functions", "fraction", "strict", "polynomial",
    "ordering_assumptions", "positivity_assumptions", "bound_assumptions", "other_assumptions",
    "log_size", "depth", "degree", "degree_unknown", "swap_symmetric", "cyclic_symmetric", "has_goal_constant",
)


class EncodingError(ValueError):
    """A goal that cannot be encoded (not a `Problem`)."""


@dataclass(frozen=True)
class EncodedGoal:
    """One goal, encoded: `token_ids` (at most MAX_TOKENS ids into VOCABULARY) and `features`
    (len(FEATURE_NAMES) floats). Plain python, so it pickles cheaply between processes."""

    token_ids: tuple[int, ...]
    features: tuple[float, ...]


def encode_goal(goal: Problem) -> EncodedGoal:
    """The deterministic encoding of `goal` (see the module docstring)."""
    if not isinstance(goal, Problem):
        raise EncodingError(f"encode_goal expects an ineq Problem, got {type(goal).__name__}")
    tokens = goal_tokens(goal)
    ids = tuple(TOKEN_ID.get(token, TOKEN_ID[UNKNOWN]) for token in tokens)
    return EncodedGoal(ids, structural_features(goal))


def goal_tokens(goal: Problem) -> list[str]:
    """The prefix-order token strings of a goal (truncated to MAX_TOKENS, last token TRUNCATED then)."""
    names: dict[sympy.Symbol, str] = {}
    tokens: list[str] = []
    relations = [(GOAL, goal.goal)] + [(ASSUME, assumption) for assumption in goal.assumptions]
    for marker, relation in relations:
        expression, op = relation.normalized()
        tokens.append(marker)
        tokens.append("rel" + op)
        _prefix(expression, names, tokens)
        if len(tokens) > MAX_TOKENS:
            break
    if len(tokens) > MAX_TOKENS:
        tokens = tokens[:MAX_TOKENS - 1] + [TRUNCATED]
    return tokens


def _prefix(expression: sympy.Basic, names: dict, tokens: list[str]) -> None:
    # An explicit stack rather than recursion: deep towers must not hit Python's recursion limit, and
    # the walk stops as soon as the sequence is full.
    stack = [expression]
    while stack and len(tokens) <= MAX_TOKENS:
        node = stack.pop()
        if node.is_Symbol:
            if node not in names:
                names[node] = f"v{len(names)}" if len(names) < MAX_VARIABLES else "v*"
            tokens.append(names[node])
        elif node.is_Number or node.is_NumberSymbol:
            tokens.append(number_token(node))
        else:
            arity = min(len(node.args), MAX_ARITY)
            tokens.append(f"{_head(node)}/{max(arity, 1)}")
            stack.extend(reversed(node.args))


def _head(node: sympy.Basic) -> str:
    name = type(node).__name__
    if node.is_Add:
        return "Add"
    if node.is_Mul:
        return "Mul"
    if node.is_Pow:
        return "Pow"
    return name if name in _HEADS else "func"


def number_token(number: sympy.Basic) -> str:
    """The bucket token of a sympy number: small integers and simple fractions are exact, the rest are
    bucketed by sign and size."""
    if number is sympy.pi:
        return "pi"
    if number is sympy.E:
        return "E"
    if not number.is_Rational:
        return "irrational"
    if number.is_Integer:
        value = int(number)
        if value in _SMALL_INTEGERS:
            return f"int{value}"
        return "int>10" if value > 0 else "int<-4"
    text = f"{number.p}/{number.q}"
    if text in _SIMPLE_FRACTIONS:
        return text
    value = float(number)
    if value > 0:
        return "frac(0,1)" if value < 1 else ("frac(1,10)" if value <= 10 else "frac>10")
    return "frac(-1,0)" if value > -1 else "frac<-1"


def structural_features(goal: Problem) -> tuple[float, ...]:
    """Cheap facts (FEATURE_NAMES order): `ineq.search.goal_features`, assumption kinds, size, depth,
    polynomial degree and two symmetry checks that compare expressions structurally (no expansion)."""
    base = goal_features(goal)
    g, _ = goal.goal.normalized()
    variables = goal.variables
    positivity = bounds = other = 0
    for assumption in goal.assumptions:
        kind = _assumption_kind(assumption)
        positivity += kind == "positivity"
        bounds += kind == "bounds"
        other += kind == "other"
    size = sympy.count_ops(g, visual=False) + 1
    degree, degree_unknown = 0.0, 1.0
    if base["polynomial"] and variables:
        degree = float(sympy.Poly(g, *variables).total_degree()) if size < 400 else 0.0
        degree_unknown = 0.0 if size < 400 else 1.0
    swap = cyclic = 0.0
    if len(variables) >= 2:
        swap_map = {variables[0]: variables[1], variables[1]: variables[0]}
        cyclic_map = {v: variables[(i + 1) % len(variables)] for i, v in enumerate(variables)}
        swap = float(g.xreplace(swap_map) == g)
        cyclic = float(g.xreplace(cyclic_map) == g)
    has_constant = float(any(not term.free_symbols for term in sympy.Add.make_args(g)))
    values = (
        base["variables"] / 4, base["assumptions"] / 4, base["equalities"], min(base["radicals"], 4) / 4,
        min(base["functions"], 4) / 4, float(bool(base["fraction"])), float(bool(base["strict"])),
        float(bool(base["polynomial"])),  # is_polynomial may answer None (undecided): counted as no
        base["ordering_assumptions"] / 2, positivity / 4, bounds / 4, other / 2,
        math.log1p(size) / 6, min(_depth(g), 20) / 10, min(degree, 20) / 10, degree_unknown, swap, cyclic,
        has_constant,
    )
    return tuple(float(v) for v in values)


def _assumption_kind(assumption: Relation) -> str:
    g, op = assumption.normalized()
    symbols = g.free_symbols
    if op == "=":
        return "equality"
    if len(symbols) == 1 and g.is_polynomial(*symbols) and sympy.degree(g, next(iter(symbols))) == 1:
        return "positivity" if g.subs(next(iter(symbols)), 0) == 0 else "bounds"
    if len(symbols) == 2 and g.is_Add and len(g.args) == 2:
        return "ordering"
    return "other"


def _depth(expression: sympy.Basic) -> int:
    depth, level = 0, [expression]
    while level:
        depth += 1
        level = [arg for node in level for arg in node.args]
        if depth >= 20:
            break
    return depth
