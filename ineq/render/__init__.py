"""Proofs for people: text, Markdown or LaTeX from a problem, its certificate and the tactics' lines.

Rendering is untrusted presentation: it reads a certificate, it decides nothing.
"""

from __future__ import annotations

import sympy

from ineq.kernel import (
    AMGM,
    CaseSplit,
    ChangeVariables,
    Certificate,
    Cut,
    EqualityMultiple,
    Exponentiate,
    Generalize,
    Gram,
    Identity,
    IntroduceRoot,
    Lemma,
    MonomialRoots,
    Reciprocal,
    RootOrder,
    Square,
    Substitute,
    SymmetryOrder,
    Weaken,
    case_problems,
    rename_radical,
    exponentiated_goal,
    log_combination,
    split_monomial_roots,
)
from ineq.problem import Problem, Relation, make_problem

FORMATS = ("text", "markdown", "latex")


class _Style:
    """How one output format writes expressions, products, emphasis and lists."""

    def __init__(self, fmt: str):
        self.fmt = fmt

    def expr(self, e) -> str:
        e = _with_cube_roots(e)
        if self.fmt == "latex":
            return sympy.latex(e)
        text = sympy.sstr(e).replace("**", "^")
        return f"`{text}`" if self.fmt == "markdown" else text

    def relation(self, relation: Relation) -> str:
        ops = {">=": r"\ge", "<=": r"\le", ">": ">", "<": "<", "=": "="}
        lhs, rhs = _with_cube_roots(relation.lhs), _with_cube_roots(relation.rhs)
        if self.fmt == "latex":
            return f"{sympy.latex(lhs)} {ops[relation.op]} {sympy.latex(rhs)}"
        text = str(Relation(lhs, relation.op, rhs)).replace("**", "^")
        return f"`{text}`" if self.fmt == "markdown" else text

    def product(self, factors) -> str:
        if not factors:
            return ""
        if self.fmt == "latex":
            return r" \cdot ".join(f"\\left({sympy.latex(f)}\\right)" for f in factors)
        joined = " * ".join(f"({sympy.sstr(f).replace('**', '^')})" for f in factors)
        return f"`{joined}`" if self.fmt == "markdown" else joined

    def math(self, text: str) -> str:
        return f"${text}$" if self.fmt == "latex" else text


_CBRT = sympy.Function("cbrt")


def _with_cube_roots(e: sympy.Expr) -> sympy.Expr:
    """`e` with each real cube root `Abs(E)**(1/3) * sign(E)` (how the parser reads `cbrt(E)`) shown as
    `cbrt(E)`."""
    def is_real_cube_root(node) -> bool:
        return node.is_Mul and any(
            f.is_Pow and isinstance(f.base, sympy.Abs) and f.exp == sympy.Rational(1, 3)
            and sympy.sign(f.base.args[0]) in node.args for f in node.args)

    def shown(node):
        factors = list(node.args)
        root = next(f for f in factors if f.is_Pow and isinstance(f.base, sympy.Abs) and f.exp == sympy.Rational(1, 3)
                    and sympy.sign(f.base.args[0]) in factors)
        radicand = root.base.args[0]
        factors.remove(root)
        factors.remove(sympy.sign(radicand))
        return sympy.Mul(_CBRT(radicand), *factors, evaluate=False) if factors else _CBRT(radicand)

    return e.replace(is_real_cube_root, shown) if isinstance(e, sympy.Basic) else e


def render(problem: Problem, certificate: Certificate, explanation: list[str], fmt: str = "text") -> str:
    """The proof as a document in `fmt` (one of FORMATS)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    style = _Style(fmt)
    lines = _heading(problem, style)
    # The tactics' own lines read best; the certificate's lines explain it when they say nothing.
    certificate_lines = _certificate_lines(problem.goal, certificate, style)
    steps = list(explanation) if explanation else certificate_lines
    summary = "Certificate: " + certificate_lines[0] if explanation else None
    if fmt == "latex":
        lines.append(r"\begin{enumerate}")
        lines += [rf"  \item {line}" for line in steps]
        lines.append(r"\end{enumerate}")
        if summary:
            lines.append(summary)
        lines.append(r"Every step above was verified by the exact kernel. $\blacksquare$")
    else:
        lines += _numbered(steps)
        if summary:
            lines.append(summary)
        lines.append("The certificate was verified by the exact kernel (rational arithmetic). QED")
    return "\n".join(lines)


def _numbered(steps: list[str]) -> list[str]:
    """Number the top-level steps; indented lines (the steps of a part) keep their indentation."""
    lines, number = [], 0
    for line in steps:
        if line.startswith(" "):
            lines.append("   " + line)
        else:
            number += 1
            lines.append(f"{number}. {line}")
    return lines


def _heading(problem: Problem, style: _Style) -> list[str]:
    assumptions = ", ".join(style.relation(a) for a in problem.assumptions)
    given = f"Given {style.math(assumptions) if style.fmt == 'latex' else assumptions}, prove " \
        if assumptions else "Prove "
    goal = style.math(style.relation(problem.goal)) if style.fmt == "latex" else style.relation(problem.goal)
    title = {"text": "", "markdown": "**Claim.** ", "latex": r"\textbf{Claim.} "}[style.fmt]
    proof = {"text": "Proof:", "markdown": "**Proof.**", "latex": r"\textbf{Proof.}"}[style.fmt]
    return [f"{title}{given}{goal}.", proof]


def _certificate_lines(goal: Relation, certificate: Certificate, style: _Style) -> list[str]:
    if isinstance(certificate, CaseSplit):
        # The kernel rewrites the abs/max/min each case decides; show the goal it then proves.
        cases = case_problems(make_problem([], goal), certificate.expr, certificate.strict)
        expr = style.expr(certificate.expr)
        lines = []
        for case, head in zip(cases, (f"Case {expr} {'>' if certificate.strict else '>='} 0", f"Case {expr} <= 0")):
            case_goal = case.goal
            if case_goal != goal:
                head += f", where the goal reads {style.relation(case_goal)}"
            certificate_of_case = certificate.nonnegative_case if case is cases[0] else certificate.nonpositive_case
            lines += [head + ":"] + ["  " + line for line in _certificate_lines(case_goal, certificate_of_case, style)]
        return lines
    if isinstance(certificate, SymmetryOrder):
        names = [v.name for v in certificate.variables]
        if certificate.kind == "symmetric":
            order = " >= ".join(names)
            head = f"The problem is symmetric in {', '.join(names)}, so we may assume {order}."
        else:
            head = (f"The problem is cyclic in {', '.join(names)}, so we may assume {names[0]} is the largest.")
        return [head] + _certificate_lines(goal, certificate.certificate, style)
    if isinstance(certificate, Substitute):
        move = {certificate.variable: certificate.expression}
        derived = Relation(goal.lhs.xreplace(move), goal.op, goal.rhs.xreplace(move))
        head = (f"Substitute {certificate.variable} = {style.expr(certificate.expression)} (an assumption); "
                f"the goal becomes {style.relation(derived)}.")
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, IntroduceRoot):
        radical, name = certificate.radical, certificate.name
        base, degree = radical.base, radical.exp.q

        def rename(expr):
            return rename_radical(expr, radical, name)

        derived = Relation(rename(goal.lhs), goal.op, rename(goal.rhs))
        head = (f"Let {name} = {style.expr(certificate.radical)}, so {name} >= 0 and {name}^{degree} = "
                f"{style.expr(base)}; the goal becomes {style.relation(derived)}.")
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, MonomialRoots):
        # The kernel splits only roots of monomials in variables assumed >= 0; a root of a monomial is
        # defined only where the monomial is >= 0, so reading every variable as >= 0 shows the same split.
        nonnegative = goal.lhs.free_symbols | goal.rhs.free_symbols
        derived = Relation(split_monomial_roots(goal.lhs, nonnegative), goal.op,
                           split_monomial_roots(goal.rhs, nonnegative))
        head = (f"The variables are nonnegative, so each root of a product of them is the product of their "
                f"roots; the goal becomes {style.relation(derived)}.")
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, RootOrder):
        larger, smaller, degree = certificate.larger, certificate.smaller, certificate.degree
        return ([f"As {larger}, {smaller} >= 0 and {larger}^{degree} >= {smaller}^{degree}, {larger} >= {smaller}."]
                + _certificate_lines(goal, certificate.certificate, style))
    if isinstance(certificate, Exponentiate):
        form = log_combination(goal)
        derived = exponentiated_goal(*form) if form is not None else goal
        head = f"Since log is increasing, the goal is {style.relation(derived)}."
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, Generalize):
        move = {certificate.term: certificate.name}
        derived = Relation(goal.lhs.xreplace(move), goal.op, goal.rhs.xreplace(move))
        head = (f"Let {certificate.name} = {style.expr(certificate.term)}; it suffices to prove "
                f"{style.relation(derived)} for every {certificate.name} in the range of that term.")
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, Reciprocal):
        move = {certificate.variable: 1 / certificate.name}
        derived = Relation(goal.lhs.xreplace(move), goal.op, goal.rhs.xreplace(move))
        head = (f"Let {certificate.variable} = 1/{certificate.name} with {certificate.name} > 0; "
                f"the goal becomes {style.relation(derived)}.")
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, ChangeVariables):
        move = dict(certificate.forward)
        derived = Relation(goal.lhs.xreplace(move), goal.op, goal.rhs.xreplace(move))
        forward = ", ".join(f"{v} = {style.expr(e)}" for v, e in certificate.forward)
        new = ", ".join(w.name for w, _ in certificate.inverse)
        inverse = ", ".join(f"{w} = {style.expr(e)}" for w, e in certificate.inverse)
        head = (f"Write {forward} with {new} > 0 (possible: take {inverse}); "
                f"the goal becomes {style.relation(derived)}.")
        return [head] + _certificate_lines(derived, certificate.certificate, style)
    if isinstance(certificate, Weaken):
        return ([f"The assumption {style.relation(certificate.dropped)} is no longer needed."]
                + _certificate_lines(goal, certificate.certificate, style))
    if isinstance(certificate, Cut):
        claim_lines = _certificate_lines(certificate.claim, certificate.claim_certificate, style)
        return ([f"First, {style.relation(certificate.claim)}:"] + ["  " + line for line in claim_lines]
                + [f"With {style.relation(certificate.claim)}:"]
                + _certificate_lines(goal, certificate.certificate, style))
    return _identity_lines(goal, certificate, style)


def _identity_lines(goal: Relation, certificate: Identity, style: _Style) -> list[str]:
    _, op = goal.normalized()
    side = "lhs - rhs" if goal.op in (">=", ">", "=") else "rhs - lhs"
    multiplier = style.product(certificate.multiplier)
    target = f"{multiplier} * ({side})" if multiplier else side
    terms, notes = [], []
    for piece in certificate.pieces:
        term, note = _piece(piece, style)
        terms.append(term)
        if note:
            notes.append(note)
    joiner = " + "
    identity = joiner.join(terms) if terms else "0"
    if style.fmt == "latex":
        identity = style.math(identity)
    conclusion = {">=": "is nonnegative", ">": "is positive", "=": "is zero"}[op]
    lines = [f"The difference {target} equals {identity}."]
    lines += notes
    lines.append(f"Hence {side} {conclusion}" + (", since every multiplied factor is positive." if multiplier
                                                  else "."))
    return lines


def _piece(piece, style: _Style) -> tuple[str, str | None]:
    latex = style.fmt == "latex"
    if isinstance(piece, Square):
        constant = piece.coeff * (piece.poly ** 2 if piece.poly.is_Rational else 1)
        factors = list(piece.atoms) + ([] if piece.poly.is_Rational else [piece.poly ** 2])
        expr = constant * sympy.Mul(*[sympy.UnevaluatedExpr(f) for f in factors])
        return (sympy.latex(expr) if latex else style.expr(expr)), None
    if isinstance(piece, Gram):
        basis = ", ".join(style.expr(b) for b in piece.basis)
        atoms = style.product(piece.atoms)
        prefix = f"{atoms} * " if atoms else ""
        return f"{prefix}z^T Q z", (f"Here z = ({basis}) and Q is a {len(piece.basis)}x{len(piece.basis)} "
                                    "positive semidefinite rational matrix (stored in the certificate).")
    if isinstance(piece, AMGM):
        mean = _geometric_mean(piece)
        arithmetic = sympy.Add(*[w * sympy.UnevaluatedExpr(t) for t, w in zip(piece.terms, piece.weights)])
        term = f"{style.expr(piece.coeff)} * ({style.expr(arithmetic)} - {style.expr(mean)})"
        note = (f"By weighted AM-GM, {style.expr(arithmetic)} >= {style.expr(mean)}, so "
                f"that term is nonnegative.")
        if piece.pin is not None:
            note += (f" The mean is evaluated with the assumption {style.expr(piece.pin.constraint)} = 0 "
                     f"(its monomial to the power {style.expr(piece.pin.power)}).")
        return term, note
    if isinstance(piece, EqualityMultiple):
        return (f"({style.expr(piece.multiplier)}) * ({style.expr(piece.constraint)})",
                f"The term with {style.expr(piece.constraint)} vanishes by the assumption "
                f"{style.expr(piece.constraint)} = 0.")
    if isinstance(piece, Lemma):
        inner = _certificate_lines(piece.claim, piece.certificate, style)
        note = f"Lemma: {style.relation(piece.claim)}. " + " ".join(inner)
        g, _ = piece.claim.normalized()
        return f"{style.expr(piece.coeff)} * ({style.expr(g)})", note
    raise TypeError(f"cannot render {type(piece).__name__}")


def _geometric_mean(piece: AMGM) -> sympy.Expr:
    """The monomial the kernel subtracts: prod(terms ** weights), exponents combined exactly."""
    constant, exponents = sympy.Integer(1), {}
    for weight, term in zip(piece.weights, piece.terms):
        for factor in sympy.Mul.make_args(term):
            if factor.is_Rational:
                constant *= factor ** weight
                continue
            base, exponent = factor.as_base_exp()
            exponents[base] = exponents.get(base, 0) + weight * exponent
    return constant * sympy.Mul(*(base ** exponent for base, exponent in exponents.items()))
