"""A small exact reader for the expressions stored in proof files.

Proof files store expressions as sympy prints them (`sympy.sstr`): integers, names, `+ - * / **`,
parentheses and a few functions. The kernel reads them with this recursive-descent reader instead of
`sympy.sympify` (which calls `eval`) or the Lark grammar (untrusted, and larger): what the kernel
believes a proof file says must not depend on code outside the trust boundary.

Grammar (sympy's precedence: `**` binds tighter than unary minus, and is right associative):

    sum     := product (('+' | '-') product)*
    product := unary (('*' | '/') unary)*
    unary   := '-' unary | power
    power   := atom ('**' unary)?
    atom    := INTEGER | NAME | NAME '(' sum (',' sum)* ')' | '(' sum ')'

Decimal numbers are rejected: certificates are exact.
"""

from __future__ import annotations

import re

import sympy

from ineq.problem import var

FUNCTIONS = {
    "sqrt": sympy.sqrt,
    "Abs": sympy.Abs,
    "Min": sympy.Min,
    "Max": sympy.Max,
    "sign": sympy.sign,
    "exp": sympy.exp,
    "log": sympy.log,
}
CONSTANTS = {"pi": sympy.pi, "E": sympy.E}
_TOKEN = re.compile(r"\s*(?:(\d+)|([A-Za-z_][A-Za-z_0-9]*)|(\*\*|[-+*/(),]))")


class ReadError(ValueError):
    """A proof file holds an expression the kernel cannot read."""


def read_expression(text: str) -> sympy.Expr:
    """Read one expression printed by `sympy.sstr`; raise ReadError on anything else."""
    if not isinstance(text, str):
        raise ReadError(f"expected an expression string, got {type(text).__name__}")
    tokens = _tokenize(text)
    reader = _Reader(tokens, text)
    expr = reader.sum()
    if reader.position != len(tokens):
        raise ReadError(f"unexpected {tokens[reader.position][1]!r} in {text!r}")
    return expr


def read_rational(text: str) -> sympy.Rational:
    """Read an exact rational number such as '3', '-7/2'."""
    value = read_expression(text)
    if not value.is_Rational:
        raise ReadError(f"expected a rational number, got {text!r}")
    return value


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ReadError(f"cannot read {text[position:position + 10]!r} in {text!r}")
        integer, name, symbol = match.groups()
        if integer is not None:
            tokens.append(("int", integer))
        elif name is not None:
            tokens.append(("name", name))
        else:
            tokens.append(("op", symbol))
        position = match.end()
    return tokens


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]], text: str):
        self.tokens, self.text, self.position = tokens, text, 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            found = "the end" if token is None else repr(token[1])
            raise ReadError(f"expected {value or 'more'} but found {found} in {self.text!r}")
        self.position += 1
        return token

    def sum(self) -> sympy.Expr:
        terms = [self.product()]
        while self.peek() in (("op", "+"), ("op", "-")):
            sign = self.take()[1]
            term = self.product()
            terms.append(term if sign == "+" else -term)
        return sympy.Add(*terms)

    def product(self) -> sympy.Expr:
        factors = [self.unary()]
        while self.peek() in (("op", "*"), ("op", "/")):
            operator = self.take()[1]
            factor = self.unary()
            factors.append(factor if operator == "*" else sympy.Pow(factor, -1))
        return sympy.Mul(*factors)

    def unary(self) -> sympy.Expr:
        if self.peek() == ("op", "-"):
            self.take()
            return -self.unary()
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        if self.peek() == ("op", "**"):
            self.take()
            return sympy.Pow(base, self.unary())
        return base

    def atom(self) -> sympy.Expr:
        kind, value = self.take()
        if kind == "int":
            return sympy.Integer(int(value))
        if (kind, value) == ("op", "("):
            inner = self.sum()
            self.take(")")
            return inner
        if kind == "name":
            if self.peek() == ("op", "("):
                if value not in FUNCTIONS:
                    raise ReadError(f"unknown function {value!r} in {self.text!r}")
                self.take("(")
                arguments = [self.sum()]
                while self.peek() == ("op", ","):
                    self.take(",")
                    arguments.append(self.sum())
                self.take(")")
                return FUNCTIONS[value](*arguments)
            if value in CONSTANTS:
                return CONSTANTS[value]
            return var(value)
        raise ReadError(f"unexpected {value!r} in {self.text!r}")
