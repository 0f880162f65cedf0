"""The problem language of `ineq`: olympiad inequalities written the way people write them.

Public API
----------
- `parse_problem(text) -> Problem`: a statement `ASSUMPTIONS => GOAL` (assumptions optional).
- `parse_problem_with_notes(text) -> (Problem, notes)`: the same, plus notes such as
  "sum_cyc runs over the variables in cyclic order: a, b, c" for explanations.
- `parse_expression(text, variables=None) -> sympy.Expr`: one expression.
- `parse_dataset(text, filename="<dataset>") -> list[DatasetEntry]`, and `parse_dataset_file(...)
  -> DatasetFile` which also keeps the file header separately.
- `cyclic_order(variables) -> tuple[str, ...]`: the variable order the olympiad sums use.
- `ParseError(ValueError)` with `line`, `column` (1-based), `expected` (list of str); `str()` shows
  the line, a caret under the column, and what was expected. `UnsupportedError(ParseError)` for
  well-formed but unsupported input. These are the only exceptions the parse functions raise.

Statements
----------
    a, b, c > 0, a + b + c = 3 => a/(b+c) + b/(c+a) + c/(a+b) >= 3/2
    x in [0, 1], 0 < a <= b |- x^2 a <= b

- `ASSUMPTIONS => GOAL` (also `|-`, `⇒`, `⟹`, `⊢`); assumptions are comma-separated; without an
  arrow the whole statement is the goal. The goal must be ONE relation (a chain such as
  `a <= b <= c` as a goal is an UnsupportedError).
- Relations: `>= > <= < =` (also `==`, `≥ ≤ ⩾ ⩽`). `u != v` (`≠`) is accepted and stored as the
  equivalent real relation `(u - v)^2 > 0`, since `Relation` has no `!=`.
- Shorthands: `a, b, c > 0` (one relation per variable), chains `0 < a <= b <= c` (split into the
  pairwise relations 0 < a, a <= b, b <= c), intervals `x in [0, 1]`, `(0, 1)`, `[0, 1)`, `(0, 1]`,
  `a, b in (0, oo)` (`∈`, and `oo`/`inf`/`∞` for an infinite, always open, end). `x in [lo, hi]`
  becomes `lo <= x, x <= hi`.

Expressions
-----------
- Numbers are exact: `0.25` is Rational(1, 4); `1/3` is Rational(1, 3). No scientific notation.
- A variable is ONE letter (ASCII or Greek except π) with an optional digit suffix, with or
  without underscore: `x`, `x1`, `x_2`, `a_10`. Hence `ab` is a*b and `abc` is a*b*c.
- Implicit multiplication: `2ab`, `3(a+b)`, `(a+b)(b+c)`, `a(b+c)`, `2 sqrt(x)`, `2|x|`. A bare
  number may not follow a factor (`2 3`, `x 2` are errors). Implicit multiplication binds like `*`
  but tighter than unary minus; `a/2b` is REFUSED as ambiguous (write `a/(2b)` or `(a/2)*b`).
- Operators: `+ - * / ^ **`, unary `-`/`+`, unicode `· × ÷ − √ ²³⁴...`. `a^2^3` = a^(2^3);
  `-a^2` = -(a^2); `a^2b` = (a^2)*b; `√` binds to the next factor only: `√x` , `√(x+1)`,
  `√x² = (√x)²`, `2√3x = 2*sqrt(3)*x`.
- Functions (names win over letter products; longest name first): `sqrt`, `cbrt` (real cube
  root: negative for negative x), `root(n, x)` (n a whole number 2..1000; odd n: real n-th root,
  even n: principal root, so only meaningful for x >= 0), `abs(x)` and `|x|`, `min`/`max` (any
  number of arguments), `exp`, `ln`/`log` (natural logarithm), constant `pi`/`π`.
  `sin cos tan floor ...` are UnsupportedError.
- Olympiad sums: `sum_cyc(f)`, `sum_sym(f)`, `prod_cyc(f)`, `prod_sym(f)` run over ALL the
  statement's variables in `cyclic_order` (sorted by `ineq.problem.variable_sort_key`):
  with variables a, b, c, `sum_cyc(a^2 b)` = a^2 b + b^2 c + c^2 a (shifts a->b->c->a),
  `sum_sym(f)` sums f over all permutations (at most 6 variables), `prod_cyc` multiplies the
  cyclic shifts. `sum_cyc[x, y, z](f)` runs over the listed variables in the listed order instead.
  Messages about sums say "variables in cyclic order: a, b, c".
- Non-real constants are errors: `1/0`, `sqrt(-1)`, `(-8)^(1/3)`, `log(0)`.

Dataset files
-------------
See `ineq.parse.dataset` for the format (a `key: value` header, then entries that each start
with an `id:` line); `DatasetEntry.metadata` holds the header fields merged with the entry's own.
"""

from .dataset import DatasetEntry, DatasetFile, parse_dataset, parse_dataset_file
from .errors import ParseError, UnsupportedError
from .language import (
    OLYMPIAD_SUMS,
    SUPPORTED_FUNCTIONS,
    cyclic_order,
    describe_order,
    parse_expression,
    parse_problem,
    parse_problem_with_notes,
)

__all__ = [
    "DatasetEntry",
    "DatasetFile",
    "OLYMPIAD_SUMS",
    "ParseError",
    "SUPPORTED_FUNCTIONS",
    "UnsupportedError",
    "cyclic_order",
    "describe_order",
    "parse_dataset",
    "parse_dataset_file",
    "parse_expression",
    "parse_problem",
    "parse_problem_with_notes",
]
