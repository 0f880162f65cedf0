"""z3 as an oracle: decides a statement over the reals without a certificate (untrusted).

`decide(problem, timeout)` asks z3's nlsat (QF_NRA) whether the assumptions, the definedness
conditions and the negated goal can hold together: `unsat` means the statement holds (z3 says so; no
certificate, so never `proved`), `sat` gives a model, kept as an exact point when it is rational and
our exact evaluator confirms it violates the goal inside the domain. The search and the tactics use
`falsified` (z3, then the refuter) to drop false subgoals; `ineq bench --baseline z3` reports `decide`
as it is.

Encoding: radicals u^(p/q) become a fresh t with t^q = u (t >= 0 for even q); abs, sign, min and max
become if-then-else; every denominator must be nonzero. exp, log, pi and variable exponents raise
`Unsupported`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import sympy

from ineq.problem import Problem


class Unsupported(Exception):
    """The statement uses something z3's real arithmetic cannot express."""


@dataclass
class Verdict:
    """`answer` is "sat", "unsat" or "unknown"; for sat, `values` maps names to z3's model values
    (exact fractions as text when rational) and `point` is the exact point when it was `confirmed`."""

    answer: str
    reason: str = ""
    values: dict = field(default_factory=dict)
    point: dict | None = None
    confirmed: bool | None = None


def decide(problem: Problem, timeout: float) -> Verdict:
    """z3 on assumptions + definedness + NOT goal, within `timeout` seconds (z3's own limit)."""
    import z3

    encoder = _Encoder(z3)
    assumptions = [encoder.relation(a) for a in problem.assumptions]
    negated_goal = z3.Not(encoder.relation(problem.goal))
    solver = z3.SolverFor("QF_NRA")
    solver.set("timeout", max(1, int(timeout * 1000)))
    solver.add(*encoder.side_conditions, *assumptions, negated_goal)
    answer = solver.check()
    if answer == z3.unsat:
        return Verdict("unsat")
    if answer == z3.sat:
        return _model_verdict(z3, solver.model(), problem, encoder)
    return Verdict("unknown", solver.reason_unknown())


def falsified(problem: Problem, z3_seconds: float, refute_seconds: float) -> str | None:
    """Who found an exactly confirmed point where `problem` fails: "z3", "refuter" or None. z3 goes
    first: it is deterministic, and its unsat (the statement holds) ends the check at once; the
    refuter's sampling runs only when z3 gave no confirmed point."""
    from ineq.refute import refute

    if z3_seconds > 0.05:
        try:
            verdict = decide(problem, timeout=z3_seconds)
        except Unsupported:
            verdict = None
        if verdict is not None and verdict.answer == "unsat":
            return None
        if verdict is not None and verdict.confirmed:
            return "z3"
    if refute_seconds > 0.05 and refute(problem, timeout=refute_seconds) is not None:
        return "refuter"
    return None


def _model_verdict(z3, model, problem: Problem, encoder: "_Encoder") -> Verdict:
    from ineq.refute import evaluate_relation_exactly

    values, exact = {}, {}
    for symbol in problem.variables:
        value = model.eval(encoder.symbols.get(symbol, z3.Real(symbol.name)), model_completion=True)
        if z3.is_rational_value(value):
            fraction = Fraction(value.as_fraction())
            values[symbol.name] = str(fraction)
            exact[symbol] = sympy.Rational(fraction.numerator, fraction.denominator)
        else:
            values[symbol.name] = value.as_decimal(20) if z3.is_algebraic_value(value) else str(value)
    if len(exact) != len(problem.variables):
        return Verdict("sat", values=values, confirmed=None)
    confirmed = all(evaluate_relation_exactly(a, exact) is True for a in problem.assumptions) and \
        evaluate_relation_exactly(problem.goal, exact) is False
    return Verdict("sat", values=values, point=exact if confirmed else None, confirmed=confirmed)


class _Encoder:
    """sympy -> z3 real arithmetic, collecting the side conditions that define radicals and keep
    denominators nonzero."""

    def __init__(self, z3):
        self.z3 = z3
        self.symbols: dict = {}
        self.roots: dict = {}
        self.side_conditions: list = []

    def relation(self, relation):
        lhs, rhs = self.expr(relation.lhs), self.expr(relation.rhs)
        return {">=": lhs >= rhs, ">": lhs > rhs, "<=": lhs <= rhs, "<": lhs < rhs, "=": lhs == rhs}[relation.op]

    def expr(self, e):
        z3 = self.z3
        if e.is_Symbol:
            if e not in self.symbols:
                self.symbols[e] = z3.Real(e.name)
            return self.symbols[e]
        if e.is_Rational:
            return z3.RealVal(f"{e.p}/{e.q}")
        if e.is_Add:
            return z3.Sum([self.expr(a) for a in e.args])
        if e.is_Mul:
            return z3.Product([self.expr(a) for a in e.args])
        if e.is_Pow:
            base, exponent = e.args
            if not exponent.is_Rational:
                raise Unsupported(f"exponent {exponent} is not a rational number")
            root = self.expr(base) if exponent.q == 1 else self._root(base, exponent.q)
            value = self._power(root, abs(exponent.p))
            if exponent.p < 0:
                self.side_conditions.append(value != 0)
                return 1 / value
            return value
        if isinstance(e, sympy.Abs):
            inner = self.expr(e.args[0])
            return z3.If(inner >= 0, inner, -inner)
        if isinstance(e, sympy.sign):
            inner = self.expr(e.args[0])
            return z3.If(inner > 0, z3.RealVal(1), z3.If(inner < 0, z3.RealVal(-1), z3.RealVal(0)))
        if isinstance(e, (sympy.Min, sympy.Max)):
            values = [self.expr(a) for a in e.args]
            result = values[0]
            for value in values[1:]:
                result = z3.If(value < result, value, result) if isinstance(e, sympy.Min) else z3.If(value > result, value, result)
            return result
        raise Unsupported(f"{type(e).__name__} ({e}) cannot be encoded in real arithmetic")

    def _root(self, base, q: int):
        """A fresh t with t^q = base (t >= 0 when q is even: the principal root)."""
        key = (base, q)
        if key not in self.roots:
            t = self.z3.FreshReal("root")
            self.side_conditions.append(self._power(t, q) == self.expr(base))
            if q % 2 == 0:
                self.side_conditions.append(t >= 0)
            self.roots[key] = t
        return self.roots[key]

    def _power(self, value, n: int):
        result = self.z3.RealVal(1)
        for _ in range(n):
            result = result * value
        return result if n else self.z3.RealVal(1)
