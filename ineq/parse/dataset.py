"""Dataset files: a whole collection of problems in one readable text file.

Format (parsed by the Lark grammar `dataset.lark`)::

    # Classic inequalities (lines starting with '#' are comments)
    collection: classics
    license: CC-BY-4.0
    url: https://example.org/classics

    id: nesbitt
    source: Nesbitt (1903)
    tags: cyclic, rational
    a, b, c > 0 => sum_cyc(a/(b+c)) >= 3/2

    id: am-gm-2
    source: folklore
    x, y >= 0 => x + y >= 2 sqrt(xy)

- The header is the `key: value` lines before the first `id:` line (any keys; typically
  collection, license, url). It may be empty.
- Each entry starts with an `id: ...` line, followed by `key: value` lines (`source` is required,
  here or in the header; others such as `ref`, `tags` are free) and exactly ONE statement line in
  the problem language (see `ineq.parse`). A statement line is any line that does not start with
  `word:`. Values run to the end of the line.
- Blank lines are cosmetic; a line whose first non-blank character is `#` is a comment (there are
  no end-of-line comments: `#` inside a value or statement is kept).
- Errors name the file, line and column (for statements, the column inside the file line).

`DatasetEntry.metadata` is the header merged with the entry's own `key: value` lines (the entry
wins), without `id`; when the statement uses `sum_cyc`/`sum_sym`/`prod_cyc`, the key
`cyclic_order` says the order used ("a, b, c"). `parse_dataset_file` also returns the header alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ineq.problem import Problem

from .errors import ParseError
from .language import cyclic_order, parse_problem_with_notes

_DATASET_PARSER = Lark(
    Path(__file__).with_name("dataset.lark").read_text(encoding="utf-8"),
    parser="lalr",
    lexer="contextual",
    maybe_placeholders=False,
)

_DESCRIPTIONS = {
    "ID_KEY": "an 'id: ...' line",
    "KEY": "a 'key: value' line",
    "STATEMENT": "a statement line",
    "COLON": "':'",
    "VALUE": "a value",
    "_NL": "end of line",
    "$END": "end of file",
}


@dataclass(frozen=True)
class DatasetEntry:
    """One problem of a dataset file. `line` is the line of its `id:` in the file."""

    id: str
    problem: Problem
    metadata: dict[str, str] = field(hash=False)
    line: int = 0


@dataclass(frozen=True)
class DatasetFile:
    """A parsed dataset file: its header fields and its entries in file order."""

    filename: str
    header: dict[str, str] = field(hash=False)
    entries: tuple[DatasetEntry, ...]


def parse_dataset(text: str, filename: str = "<dataset>") -> list[DatasetEntry]:
    """The entries of a dataset file (header fields merged into each entry's metadata).

    Raises ParseError (never anything else), located at the file line and column.
    """
    return list(parse_dataset_file(text, filename).entries)


def parse_dataset_file(text: str, filename: str = "<dataset>") -> DatasetFile:
    """Parse a dataset file into its header and entries. Raises only ParseError."""
    if not isinstance(text, str):
        raise ParseError(f"expected a string to parse, got {type(text).__name__}", filename=filename)
    source = text.replace("\r\n", "\n")
    try:
        tree = _DATASET_PARSER.parse(source if source.endswith("\n") else source + "\n")
    except UnexpectedInput as error:
        raise _from_lark_error(error, source, filename) from None
    except RecursionError:
        raise ParseError("the file is nested too deeply", source=source, filename=filename) from None
    header_tree, *entry_trees = tree.children
    header = _fields(header_tree.children, source, filename)
    entries: list[DatasetEntry] = []
    seen_ids: dict[str, int] = {}
    for entry_tree in entry_trees:
        entry = _entry(entry_tree, header, source, filename)
        if entry.id in seen_ids:
            raise ParseError(
                f"duplicate id '{entry.id}' (first used on line {seen_ids[entry.id]})",
                source=source, line=entry.line, column=1, filename=filename,
            )
        seen_ids[entry.id] = entry.line
        entries.append(entry)
    return DatasetFile(filename, header, tuple(entries))


def _field_parts(node: Tree) -> tuple[Token, str]:
    key = node.children[0]
    value = node.children[2] if len(node.children) > 2 else ""
    return key, str(value).strip()


def _fields(nodes, source: str, filename: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for node in nodes:
        key, value = _field_parts(node)
        if str(key) in fields:
            raise ParseError(f"duplicate key '{key}'", source=source, line=key.line, column=key.column, filename=filename)
        fields[str(key)] = value
    return fields


def _entry(node: Tree, header: dict[str, str], source: str, filename: str) -> DatasetEntry:
    id_token, entry_id = _field_parts(node.children[0])
    if not entry_id:
        raise ParseError("empty id", source=source, line=id_token.line, column=id_token.column, filename=filename)
    field_nodes = [child for child in node.children[1:] if child.data == "field"]
    statements = [child.children[0] for child in node.children[1:] if child.data == "statement"]
    own = _fields(field_nodes, source, filename)
    if "id" in own:
        raise ParseError("duplicate key 'id'", source=source, line=id_token.line, column=1, filename=filename)
    if not statements:
        raise ParseError(
            f"entry '{entry_id}' has no statement line", source=source, line=id_token.line,
            column=id_token.column, filename=filename,
        )
    if len(statements) > 1:
        extra = statements[1]
        raise ParseError(
            f"entry '{entry_id}' has a second statement line (a statement must fit on one line)",
            source=source, line=extra.line, column=extra.column, filename=filename,
        )
    metadata = {**header, **own}
    if not metadata.get("source"):
        raise ParseError(
            f"entry '{entry_id}' has no 'source:' line (nor a source in the header)",
            source=source, line=id_token.line, column=id_token.column, filename=filename,
        )
    statement = statements[0]
    text = str(statement).rstrip()
    try:
        problem, notes = parse_problem_with_notes(text)
    except ParseError as error:
        raise error.relocated(
            source=source, line=statement.line, column_offset=statement.column - 1, filename=filename
        ) from None
    if notes:
        metadata["cyclic_order"] = ", ".join(cyclic_order(problem.variables))
    return DatasetEntry(entry_id, problem, metadata, id_token.line)


def _from_lark_error(error: UnexpectedInput, source: str, filename: str) -> ParseError:
    if isinstance(error, UnexpectedCharacters):
        expected = error.allowed or ()
        message = f"unexpected character {source[error.pos_in_stream]!r}" if error.pos_in_stream < len(source) else "unexpected end of file"
        line, column = error.line, error.column
    elif isinstance(error, UnexpectedToken):
        expected = error.expected or ()
        token = error.token
        if token.type == "$END":
            message, line, column = "unexpected end of file", source.count("\n") + 1, 1
        else:
            message, line, column = f"unexpected {str(token).strip()[:40]!r}", token.line, token.column
    else:
        expected, message, line, column = (), "unexpected end of file", source.count("\n") + 1, 1
    if "STATEMENT" not in expected and {"KEY", "ID_KEY"} <= set(expected):
        message += " (before the first 'id:' line only 'key: value' header lines are allowed)"
    described = [_DESCRIPTIONS.get(name, name) for name in sorted(expected, key=lambda n: list(_DESCRIPTIONS).index(n) if n in _DESCRIPTIONS else 99)]
    return ParseError(message, source=source, line=line, column=column, expected=described, filename=filename)
