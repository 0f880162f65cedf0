"""Statements and expressions of the problem language: Lark grammar (`ineq.lark`) -> sympy.

The language itself is described in the package docstring (`ineq/parse/__init__.py`). This module
holds the parser object, the conversion of Lark's errors into `ParseError`, and the transformer that
builds exact sympy expressions and `Relation`s.

Reading is done in two passes so that olympiad sums (`sum_cyc`, ...) can run over every variable of
the statement: pass one collects the variable names from the parse tree, pass two builds sympy.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import sympy
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from ineq.problem import Problem, Relation, make_problem, var, variable_sort_key

from .errors import ParseError, UnsupportedError

SUPPORTED_FUNCTIONS = ("sqrt", "cbrt", "root", "abs", "min", "max", "exp", "ln", "log")
OLYMPIAD_SUMS = ("sum_cyc", "sum_sym", "prod_cyc", "prod_sym")

# (fewest, most) arguments; None = any number.
_ARITY: dict[str, tuple[int, int | None]] = {
    "sqrt": (1, 1),
    "cbrt": (1, 1),
    "root": (2, 2),
    "abs": (1, 1),
    "min": (1, None),
    "max": (1, None),
    "exp": (1, 1),
    "ln": (1, 1),
    "log": (1, 1),
}
_RELATION_SPELLINGS = {
    ">=": ">=", "≥": ">=", "⩾": ">=", ">": ">",
    "<=": "<=", "≤": "<=", "⩽": "<=", "<": "<",
    "=": "=", "==": "=", "!=": "!=", "≠": "!=",
}
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")

# Guards against inputs that would make sympy compute astronomically large numbers or expressions
# (e.g. `9^9^9^9`, `(2x)^(10^9)`, nested `sum_sym`): the parser must answer quickly for any string.
MAX_NUMBER_DIGITS = 1000
MAX_RESULT_BITS = 2_000_000
MAX_ROOT_INDEX = 1000
MAX_SUM_SYM_VARIABLES = 6
MAX_EXPANDED_SUM_NODES = 500_000

# How the expected terminals are described in error messages, in the order they are listed.
_TERMINAL_DESCRIPTIONS = {
    "NUMBER": "a number",
    "VAR": "a variable",
    "CONST": "pi",
    "FUNC": "a function such as sqrt(...)",
    "SUMFUNC": "sum_cyc(...)",
    "LPAR": "'('",
    "BAR": "'|'",
    "SQRT_SIGN": "'√'",
    "INFINITY": "'oo'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "TIMES": "'*'",
    "DIVIDE": "'/'",
    "POW": "'^'",
    "SUPERSCRIPT": "a superscript power such as ²",
    "RPAR": "')'",
    "LBRACK": "'['",
    "RBRACK": "']'",
    "COMMA": "','",
    "RELOP": "a relation (>=, >, <=, <, =)",
    "IN": "'in'",
    "IMPLIES": "'=>'",
    "$END": "end of input",
}
# Terminals that can start an operand; when all of them are acceptable the message says so in one
# phrase instead of listing ten terminals.
_OPERAND_STARTS = {"NUMBER", "VAR", "CONST", "FUNC", "SUMFUNC", "LPAR", "BAR", "SQRT_SIGN", "PLUS", "MINUS"}

_GRAMMAR_PATH = Path(__file__).with_name("ineq.lark")


class _UnsupportedName(Exception):
    """Raised by the lexer callback for a known-but-unsupported function name (carries the token)."""

    def __init__(self, token: Token) -> None:
        super().__init__(str(token))
        self.token = token


def _reject_unsupported_name(token: Token) -> Token:
    raise _UnsupportedName(token)


_PARSER = Lark(
    _GRAMMAR_PATH.read_text(encoding="utf-8"),
    parser="lalr",
    lexer="contextual",
    start=["statement", "expression"],
    propagate_positions=True,
    maybe_placeholders=False,
    lexer_callbacks={"UNSUPPORTED_FUNC": _reject_unsupported_name},
)


def cyclic_order(variables: Iterable[str | sympy.Symbol]) -> tuple[str, ...]:
    """The order in which `sum_cyc`/`sum_sym`/`prod_cyc` run over a problem's variables: all of
    them, sorted by `ineq.problem.variable_sort_key` (so a, b, c and x2 before x10). `sum_cyc(f)`
    is the sum of f over the cyclic shifts a->b->c->a of this order."""
    names = {v.name if isinstance(v, sympy.Symbol) else str(v) for v in variables}
    return tuple(sorted(names, key=variable_sort_key))


def describe_order(order: Sequence[str]) -> str:
    """'variables in cyclic order: a, b, c' (used in every message about olympiad sums)."""
    return "variables in cyclic order: " + (", ".join(order) if order else "(none)")


# ---- public entry points (re-exported by the package) ------------------------------------------


def parse_problem(text: str) -> Problem:
    """Read a statement `ASSUMPTIONS => GOAL` (or just `GOAL`) into a `Problem`.

    Raises ParseError (UnsupportedError for well-formed but unsupported input) and nothing else.
    """
    return _guarded(text, lambda: _read_statement(text)[0])


def parse_problem_with_notes(text: str) -> tuple[Problem, tuple[str, ...]]:
    """Like `parse_problem`, also returning notes for explanations, e.g.
    'sum_cyc runs over the variables in cyclic order: a, b, c' when the statement uses a sum."""
    return _guarded(text, lambda: _read_statement(text))


def parse_expression(text: str, variables: tuple[str, ...] | None = None) -> sympy.Expr:
    """Read one expression.

    `variables`: when given, the expression may only use these names (others are a ParseError)
    and olympiad sums run over them in the given order; when None, sums run over the expression's
    own variables in `cyclic_order`.
    """
    if variables is not None:
        variables = tuple(str(v) for v in variables)
    return _guarded(text, lambda: _read_expression(text, variables))


# ---- driver ------------------------------------------------------------------------------------


def _guarded(text, action):
    """Run `action`, turning every failure into a ParseError located in `text`."""
    if not isinstance(text, str):
        raise ParseError(f"expected a string to parse, got {type(text).__name__}")
    try:
        return action()
    except ParseError:
        raise
    except _UnsupportedName as error:
        raise _unsupported_function_error(error.token, text) from None
    except UnexpectedInput as error:
        raise _from_lark_error(error, text) from None
    except VisitError as error:
        raise _from_visit_error(error, text) from None
    except RecursionError:
        raise ParseError("the expression is nested too deeply", source=text) from None
    except Exception as error:  # noqa: BLE001 - contract: only ParseError may escape
        raise ParseError(
            f"could not read the input ({type(error).__name__}: {_short(str(error))})", source=text
        ) from None


def _from_visit_error(error: VisitError, text: str) -> ParseError:
    original = error.orig_exc
    if isinstance(original, ParseError):
        return original
    if isinstance(original, RecursionError):
        return ParseError("the expression is nested too deeply", source=text)
    return ParseError(f"could not read the input ({type(original).__name__}: {_short(str(original))})", source=text)


def _short(message: str, limit: int = 200) -> str:
    return message if len(message) <= limit else message[:limit] + "..."


def _parse_tree(text: str, start: str) -> Tree:
    return _PARSER.parse(text, start=start)


def _read_statement(text: str) -> tuple[Problem, tuple[str, ...]]:
    tree = _parse_tree(text, "statement")
    _reject_ambiguous_division(tree, text)
    order = cyclic_order(_variable_names(tree))
    builder = _Builder(text, sum_order=order, allowed_variables=None)
    assumptions, goal = builder.transform(tree)
    problem = make_problem(assumptions, goal, text=text)
    return problem, tuple(builder.notes)


def _read_expression(text: str, variables: tuple[str, ...] | None) -> sympy.Expr:
    tree = _parse_tree(text, "expression")
    _reject_ambiguous_division(tree, text)
    order = variables if variables is not None else cyclic_order(_variable_names(tree))
    builder = _Builder(text, sum_order=tuple(order), allowed_variables=variables)
    expression = builder.transform(tree)
    reason = _nonreal_reason(expression)
    if reason:
        raise ParseError(f"the expression {reason}", source=text, line=1, column=1)
    return expression


def _variable_names(tree: Tree) -> set[str]:
    return {str(token) for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "VAR")}


def _reject_ambiguous_division(tree: Tree, text: str) -> None:
    """`a/2b` is read as a/(2b) by some people and (a/2)b by others: refuse to guess."""
    for node in tree.iter_subtrees():
        if node.data != "div":
            continue
        divisor = node.children[2]
        while isinstance(divisor, Tree) and divisor.data in ("neg", "pos"):
            divisor = divisor.children[1]
        if isinstance(divisor, Tree) and divisor.data == "implicit_mul":
            slash = node.children[1]
            start, end = divisor.meta.start_pos, divisor.meta.end_pos
            written = text[start:end]
            raise ParseError(
                f"ambiguous division by the implicit product '{written}': "
                f"write '/({written})' to divide by all of it, or use '*' after the divisor",
                source=text,
                line=slash.line,
                column=slash.column,
            )


# ---- errors from Lark --------------------------------------------------------------------------


def _describe_expected(terminals: Iterable[str]) -> list[str]:
    names = set(terminals) - {"UNSUPPORTED_FUNC"}
    described: list[str] = []
    if {"NUMBER", "VAR", "LPAR"} <= names:
        described.append("an expression")
        names -= _OPERAND_STARTS
    elif {"VAR", "LPAR"} <= names:
        # After a complete factor: another factor would be an implicit multiplication.
        described.append("another factor")
        names -= _OPERAND_STARTS
    for terminal in _TERMINAL_DESCRIPTIONS:
        if terminal in names:
            described.append(_TERMINAL_DESCRIPTIONS[terminal])
    described.extend(sorted(n for n in names if n not in _TERMINAL_DESCRIPTIONS))
    return described


def _end_position(text: str) -> tuple[int, int]:
    """Line and column just after the last non-blank character (where 'end of input' is)."""
    end = len(text.rstrip())
    line = text.count("\n", 0, end) + 1
    column = end - (text.rfind("\n", 0, end) + 1) + 1
    return line, column


def _from_lark_error(error: UnexpectedInput, text: str) -> ParseError:
    if isinstance(error, UnexpectedCharacters):
        char = text[error.pos_in_stream] if 0 <= error.pos_in_stream < len(text) else ""
        return ParseError(
            f"unexpected character {char!r}",
            source=text,
            line=error.line,
            column=error.column,
            expected=_describe_expected(error.allowed or ()),
        )
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        return ParseError(
            f"unexpected {_describe_token(token)}",
            source=text,
            line=token.line,
            column=token.column,
            expected=_describe_expected(_acceptable(error)),
        )
    expected = _acceptable(error) if isinstance(error, UnexpectedToken) else getattr(error, "expected", ())
    line, column = _end_position(text)
    if not text.strip():
        return ParseError("empty input", source=text, line=1, column=1, expected=_describe_expected(expected or ()))
    return ParseError(
        "unexpected end of input", source=text, line=line, column=column,
        expected=_describe_expected(expected or ()),
    )


def _acceptable(error: UnexpectedToken) -> set[str]:
    """The terminals truly acceptable at the error (LALR's table also lists merged lookaheads that
    would fail one step later, like ')' outside any parenthesis)."""
    try:
        return set(error.accepts or error.expected or ())
    except Exception:  # noqa: BLE001 - the precise set is a nicety; fall back to the table's
        return set(error.expected or ())


def _describe_token(token: Token) -> str:
    kind = {"NUMBER": "number ", "VAR": "variable ", "RELOP": "relation "}.get(token.type, "")
    return f"{kind}{str(token)!r}"


def _unsupported_function_error(token: Token, text: str) -> UnsupportedError:
    return UnsupportedError(
        f"function '{token}' is not supported; supported functions: {', '.join(SUPPORTED_FUNCTIONS)}",
        source=text,
        line=token.line,
        column=token.column,
    )


# ---- semantic checks -----------------------------------------------------------------------------


def _nonreal_reason(expression: sympy.Expr) -> str | None:
    """Why `expression` is not a finite real number / real-valued expression, or None."""
    if expression.has(sympy.zoo):
        return "divides by zero"
    if expression.has(sympy.nan):
        return "is undefined (like 0/0)"
    if expression.has(sympy.oo) or expression.has(-sympy.oo):
        return "is infinite"
    if expression.has(sympy.I):
        return "is not a real number"
    for power in expression.atoms(sympy.Pow):
        base, exponent = power.args
        if base.is_number and base.is_negative and not exponent.is_integer:
            return "takes a fractional power of a negative number (use cbrt or root for real odd roots)"
    return None


def _rational_bits(number: sympy.Rational) -> int:
    return max(abs(int(number.p)).bit_length() - 1, int(number.q).bit_length() - 1, 0)


def _tree_size(expression: sympy.Expr, cap: int) -> int:
    """Number of nodes of `expression`, counting no further than `cap`."""
    size, stack = 0, [expression]
    while stack and size <= cap:
        node = stack.pop()
        size += 1
        stack.extend(node.args)
    return size


@dataclass
class _Item:
    """One comma-separated part of a statement with where it was written."""

    relations: list[Relation]
    line: int
    column: int
    source: str


@dataclass
class _Interval:
    lower: sympy.Expr | None  # None = -oo
    lower_closed: bool
    upper: sympy.Expr | None  # None = +oo
    upper_closed: bool


class _Builder(Transformer):
    """Parse tree -> sympy. `sum_order` is the variable order olympiad sums run over."""

    def __init__(self, text: str, sum_order: tuple[str, ...], allowed_variables: tuple[str, ...] | None):
        super().__init__(visit_tokens=False)
        self.text = text
        self.sum_order = sum_order
        self.allowed_variables = allowed_variables
        self.notes: list[str] = []

    def _error(self, message: str, where, cls=ParseError, expected=()) -> ParseError:
        line = getattr(where, "line", 1) or 1
        column = getattr(where, "column", 1) or 1
        return cls(message, source=self.text, line=line, column=column, expected=expected)

    # -- statements --

    def statement(self, children):
        assumptions_items, _implies, goal_items = children
        assumptions = [relation for item in assumptions_items for relation in item.relations]
        return assumptions, self._single_goal(goal_items)

    def bare_items(self, children):
        (items,) = children
        if len(items) > 1:
            raise self._error(
                "several comma-separated parts but no '=>': write ASSUMPTIONS => GOAL", items[1]
            )
        return [], self._single_goal(items)

    def _single_goal(self, items: list[_Item]) -> Relation:
        if len(items) > 1:
            raise self._error("the goal must be a single relation; put assumptions before '=>'", items[1])
        (item,) = items
        if len(item.relations) != 1:
            raise self._error(
                f"the goal '{item.source}' states {len(item.relations)} relations; "
                "a goal must be a single relation (prove the parts separately)",
                item,
                cls=UnsupportedError,
            )
        return item.relations[0]

    def items(self, children):
        return [child for child in children if isinstance(child, _Item)]

    def expression(self, children):
        return children[0]

    def _make_item(self, meta, relations: list[Relation]) -> _Item:
        item = _Item(relations, meta.line, meta.column, self.text[meta.start_pos : meta.end_pos])
        for relation in relations:
            for side in (relation.lhs, relation.rhs):
                reason = _nonreal_reason(side)
                if reason:
                    raise self._error(f"'{item.source}' {reason}", item)
        return item

    @staticmethod
    def _relation(lhs: sympy.Expr, spelling: Token, rhs: sympy.Expr) -> Relation:
        op = _RELATION_SPELLINGS[str(spelling)]
        if op == "!=":
            # Over the reals, u != v is exactly (u - v)^2 > 0; Relation has no '!='.
            return Relation((lhs - rhs) ** 2, ">", sympy.Integer(0))
        return Relation(lhs, op, rhs)

    def _pairwise(self, sides: list, ops: list[Token]) -> list[Relation]:
        return [self._relation(sides[i], ops[i], sides[i + 1]) for i in range(len(ops))]

    @v_args(meta=True)
    def chain(self, meta, children):
        sides, ops = children[0::2], children[1::2]
        return self._make_item(meta, self._pairwise(sides, ops))

    @v_args(meta=True)
    def names_chain(self, meta, children):
        names, rest = children[0], children[1:]
        ops, sides = rest[0::2], rest[1::2]
        relations = [self._relation(name, ops[0], sides[0]) for name in names]
        relations += self._pairwise(sides, ops[1:])
        return self._make_item(meta, relations)

    def names(self, children):
        return [self.variable([token]) for token in children if token.type == "VAR"]

    @v_args(meta=True)
    def membership(self, meta, children):
        subject, _in, interval = children
        names = subject if isinstance(subject, list) else [self.variable([subject])]
        relations = []
        for name in names:
            if interval.lower is not None:
                relations.append(Relation(interval.lower, "<=" if interval.lower_closed else "<", name))
            if interval.upper is not None:
                relations.append(Relation(name, "<=" if interval.upper_closed else "<", interval.upper))
        return self._make_item(meta, relations)

    def interval(self, children):
        opening, lower, _comma, upper, closing = children
        if isinstance(lower, Token) and lower.type == "POS_INFINITY":
            raise self._error("the lower end of an interval cannot be +oo", lower)
        if isinstance(upper, Token) and upper.type == "NEG_INFINITY":
            raise self._error("the upper end of an interval cannot be -oo", upper)
        lower_value = None if isinstance(lower, Token) else lower
        upper_value = None if isinstance(upper, Token) else upper
        # An infinite end is open whichever bracket was written: x in [0, oo] means x >= 0.
        return _Interval(lower_value, opening.type == "LBRACK", upper_value, closing.type == "RBRACK")

    def pos_infinity(self, children):
        token = children[-1]
        return Token("POS_INFINITY", str(token), token.start_pos, token.line, token.column)

    def neg_infinity(self, children):
        token = children[0]
        return Token("NEG_INFINITY", "-" + str(children[-1]), token.start_pos, token.line, token.column)

    # -- arithmetic --

    def add(self, children):
        return children[0] + children[2]

    def sub(self, children):
        return children[0] - children[2]

    def mul(self, children):
        return children[0] * children[2]

    def implicit_mul(self, children):
        return children[0] * children[1]

    def div(self, children):
        numerator, slash, denominator = children
        if denominator == 0:
            raise self._error("division by zero", slash)
        return numerator / denominator

    def neg(self, children):
        return -children[1]

    def pos(self, children):
        return children[1]

    def paren(self, children):
        return children[1]

    def pow(self, children):
        base, caret, exponent = children
        return self._power(base, exponent, caret)

    def superscript_pow(self, children):
        base, token = children
        digits = str(token).translate(_SUPERSCRIPT_DIGITS)
        return self._power(base, sympy.Integer(int(digits)), token)

    def _power(self, base, exponent, where):
        if exponent.is_Rational:
            bits = max((_rational_bits(r) for r in base.atoms(sympy.Rational)), default=0)
            if bits * abs(int(exponent.p)) > MAX_RESULT_BITS:
                raise self._error("this power is too large to compute exactly", where, cls=UnsupportedError)
            if base == 0 and exponent.is_negative:
                raise self._error("division by zero (0 to a negative power)", where)
        return sympy.Pow(base, exponent)

    def sqrt_sign(self, children):
        return self._power(children[1], sympy.Rational(1, 2), children[0])

    def number(self, children):
        (token,) = children
        digits = str(token)
        if len(digits) > MAX_NUMBER_DIGITS:
            raise self._error(f"number with more than {MAX_NUMBER_DIGITS} digits", token, cls=UnsupportedError)
        # Exact: 0.25 is 1/4, never a float.
        whole, _, fraction = digits.partition(".")
        numerator = int((whole or "0") + fraction)
        return sympy.Rational(numerator, 10 ** len(fraction))

    def variable(self, children):
        (token,) = children
        name = str(token)
        if self.allowed_variables is not None and name not in self.allowed_variables:
            raise self._error(
                f"unknown variable '{name}'; the variables are {', '.join(self.allowed_variables) or '(none)'}",
                token,
            )
        return var(name)

    def constant(self, children):
        return sympy.pi

    def abs_bars(self, children):
        return sympy.Abs(children[1])

    # -- functions --

    def function(self, children):
        name_token = children[0]
        name = str(name_token)
        arguments = [child for child in children[2:] if not isinstance(child, Token)]
        fewest, most = _ARITY[name]
        if len(arguments) < fewest or (most is not None and len(arguments) > most):
            wanted = f"{fewest}" if fewest == most else f"at least {fewest}"
            raise self._error(
                f"{name} takes {wanted} argument{'s' if most != 1 else ''}, got {len(arguments)}"
                + (" (log is the natural logarithm)" if name in ("log", "ln") else ""),
                name_token,
            )
        if name == "sqrt":
            return self._power(arguments[0], sympy.Rational(1, 2), name_token)
        if name == "cbrt":
            return sympy.real_root(arguments[0], 3)
        if name == "root":
            return self._root(arguments[0], arguments[1], name_token)
        if name == "abs":
            return sympy.Abs(arguments[0])
        if name == "min":
            return sympy.Min(*arguments)
        if name == "max":
            return sympy.Max(*arguments)
        if name == "exp":
            return sympy.exp(arguments[0])
        return sympy.log(arguments[0])  # ln and log: natural logarithm

    def _root(self, index, radicand, where):
        if not (index.is_Integer and 2 <= index <= MAX_ROOT_INDEX):
            raise self._error(
                f"root(n, x) needs a whole number n between 2 and {MAX_ROOT_INDEX} as its first argument",
                where,
            )
        # Odd n: the real n-th root (negative for negative x); even n: the principal root, defined
        # only for x >= 0 (a negative number under it is rejected as not real).
        return sympy.real_root(radicand, int(index))

    # -- olympiad sums --

    def olympiad_sum(self, children):
        kind, _lpar, body, _rpar = children
        return self._expand_sum(kind, body, self.sum_order)

    def olympiad_sum_over(self, children):
        kind = children[0]
        tokens = [child for child in children[2:] if isinstance(child, Token) and child.type == "VAR"]
        order = tuple(str(token) for token in tokens)
        if len(set(order)) != len(order):
            raise self._error(f"{kind}[...] lists a variable twice ({describe_order(order)})", kind)
        for token in tokens:
            self.variable([token])
        return self._expand_sum(kind, children[-2], order)

    def _expand_sum(self, kind: Token, body: sympy.Expr, order: tuple[str, ...]):
        name = str(kind)
        if not order:
            raise self._error(f"{name} needs variables to run over, and there are none ({describe_order(order)})", kind)
        symbols = [var(n) for n in order]
        if name.endswith("_cyc"):
            images = [symbols[k:] + symbols[:k] for k in range(len(symbols))]
        else:
            if len(symbols) > MAX_SUM_SYM_VARIABLES:
                raise self._error(
                    f"{name} over {len(symbols)} variables would have {math.factorial(len(symbols))} terms; "
                    f"at most {MAX_SUM_SYM_VARIABLES} variables are supported ({describe_order(order)})",
                    kind,
                    cls=UnsupportedError,
                )
            images = [list(p) for p in itertools.permutations(symbols)]
        if len(images) * _tree_size(body, MAX_EXPANDED_SUM_NODES) > MAX_EXPANDED_SUM_NODES:
            raise self._error(
                f"{name} would expand to an expression that is too large ({describe_order(order)})",
                kind,
                cls=UnsupportedError,
            )
        terms = [body.xreplace(dict(zip(symbols, image))) for image in images]
        self.notes.append(f"{name} runs over the {describe_order(order)}")
        return sympy.Add(*terms) if name.startswith("sum") else sympy.Mul(*terms)
