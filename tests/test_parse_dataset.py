"""Tests of dataset files (ineq.parse.dataset) and of the parser on the real olympiad data set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

from ineq.parse import ParseError, UnsupportedError, parse_dataset, parse_dataset_file, parse_problem
from ineq.problem import var

GOOD_FILE = """\
# Classic inequalities
collection: classics
license: CC-BY-4.0
url: https://example.org/classics#top

id: nesbitt
source: Nesbitt (1903)
tags: cyclic, rational
a, b, c > 0 => sum_cyc(a/(b+c)) >= 3/2

# a comment between entries does not matter
id: am-gm-2
source: folklore
license: public domain
  x, y >= 0 => x + y >= 2 sqrt(xy)
"""


def test_good_file_header_entries_and_metadata():
    dataset = parse_dataset_file(GOOD_FILE, "classics.txt")
    assert dataset.filename == "classics.txt"
    assert dataset.header == {
        "collection": "classics",
        "license": "CC-BY-4.0",
        "url": "https://example.org/classics#top",
    }
    first, second = dataset.entries
    assert (first.id, first.line) == ("nesbitt", 6)
    assert first.metadata["source"] == "Nesbitt (1903)"
    assert first.metadata["tags"] == "cyclic, rational"
    assert first.metadata["collection"] == "classics"
    assert first.metadata["cyclic_order"] == "a, b, c"
    a, b, c = var("a"), var("b"), var("c")
    nesbitt = a / (b + c) + b / (c + a) + c / (a + b)
    assert sympy.simplify(first.problem.goal.lhs - nesbitt) == 0
    assert len(first.problem.assumptions) == 3
    assert second.metadata["license"] == "public domain"  # the entry overrides the header
    assert "cyclic_order" not in second.metadata
    assert second.problem == parse_problem("x, y >= 0 => x + y >= 2 sqrt(xy)")
    assert parse_dataset(GOOD_FILE) == list(dataset.entries)
    assert len({first, second}) == 2  # entries are hashable


def test_windows_line_endings_and_no_final_newline():
    entries = parse_dataset("id: p\r\nsource: s\r\nx > 0 => x^2 > 0")
    assert [entry.id for entry in entries] == ["p"]
    assert str(entries[0].problem.goal) == "x**2 > 0"


def test_empty_and_header_only_files_have_no_entries():
    assert parse_dataset("") == []
    assert parse_dataset_file("# nothing\ncollection: empty\n").header == {"collection": "empty"}


# (id, file text, line, column, message substring)
BAD_FILES = [
    ("bad-statement", GOOD_FILE.replace("2 sqrt(xy)", "2 sqrt(xy"), 15, 34, "unexpected end of input"),
    ("unsupported-statement", "id: t\nsource: s\nx > 0 => sin(x) <= 1\n", 3, 10, "function 'sin' is not supported"),
    ("statement-in-header", "collection: c\na > 0 => a > 0\n", 2, 1, "only 'key: value' header lines"),
    ("no-statement", "id: x\nsource: s\n", 1, 1, "no statement line"),
    ("two-statements", "id: x\nsource: s\na > 0\nb > 0\n", 4, 1, "second statement line"),
    ("no-source", "id: x\na > 0\n", 1, 1, "no 'source:' line"),
    ("duplicate-id", "id: x\nsource: s\na > 0\n\nid: x\nsource: t\nb > 0\n", 5, 1, "duplicate id 'x' (first used on line 1)"),
    ("duplicate-key", "id: x\nsource: s\nsource: t\na > 0\n", 3, 1, "duplicate key 'source'"),
    ("id-without-colon", "collection: c\nid x\n", 2, 1, "unexpected"),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), [b[1:] for b in BAD_FILES], ids=[b[0] for b in BAD_FILES])
def test_bad_file_reports_file_line_and_column(text, line, column, message):
    with pytest.raises(ParseError) as caught:
        parse_dataset(text, "bad.txt")
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert message in error.message, str(error)
    rendered = str(error)
    assert rendered.startswith(f"bad.txt: line {line}, column {column}:")
    assert "    " + text.replace("\r\n", "\n").split("\n")[line - 1] in rendered


def test_unsupported_statement_keeps_its_error_class():
    with pytest.raises(UnsupportedError):
        parse_dataset("id: t\nsource: s\ncos(x) <= 1\n")


def test_non_string_dataset_is_parse_error():
    with pytest.raises(ParseError):
        parse_dataset(b"id: x")  # type: ignore[arg-type]


# ---- the real data set --------------------------------------------------------------------------

OLYMPIAD_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "olympiad_inequalities.jsonl"  # ../shared beside the checkout
# The only statements the language refuses on purpose: trigonometric ones (Jensen problems).
EXPECTED_UNSUPPORTED = {"sin": 11, "cos": 5}


def test_every_olympiad_statement_parses_except_trigonometry():
    rows = [json.loads(line) for line in OLYMPIAD_DATA.read_text().splitlines() if line.strip()]
    unsupported: dict[str, int] = {}
    parsed = 0
    for row in rows:
        text = " => ".join(filter(None, [", ".join(row["assumptions"]), row["goal"]]))
        try:
            problem = parse_problem(text)
        except UnsupportedError as error:
            name = error.message.split("'")[1]
            unsupported[name] = unsupported.get(name, 0) + 1
            continue
        parsed += 1
        assert len(problem.assumptions) == len(row["assumptions"]), row["id"]
        assert {v.name for v in problem.variables} <= set(row["vars"]), row["id"]
    assert unsupported == EXPECTED_UNSUPPORTED
    assert parsed == len(rows) - sum(EXPECTED_UNSUPPORTED.values())


def _reference_relation(text: str, names: list[str]):
    """sympy's own reading of a plain-ASCII relation from the data set (the oracle)."""
    local = {n: var(n) for n in names}
    local.update(abs=sympy.Abs, min=sympy.Min, max=sympy.Max, pi=sympy.pi)
    for op in (">=", "<=", "!=", ">", "<", "="):
        if op in text:
            left, right = (sympy.sympify(side.replace("^", "**"), locals=local) for side in text.split(op, 1))
            return ((left - right) ** 2, ">", 0) if op == "!=" else (left, op, right)
    raise AssertionError(f"no relation in {text!r}")


def test_olympiad_statements_mean_what_sympy_reads():
    # Every 7th row keeps this fast while covering all sources of the file.
    rows = [json.loads(line) for line in OLYMPIAD_DATA.read_text().splitlines() if line.strip()][::7]
    compared = 0
    for row in rows:
        text = " => ".join(filter(None, [", ".join(row["assumptions"]), row["goal"]]))
        try:
            problem = parse_problem(text)
        except UnsupportedError:
            continue
        for relation, source in zip((*problem.assumptions, problem.goal), (*row["assumptions"], row["goal"])):
            lhs, op, rhs = _reference_relation(source, row["vars"])
            assert relation.op == op, (row["id"], source)
            assert relation.lhs == lhs and relation.rhs == rhs, (row["id"], source, relation)
            compared += 1
    assert compared > 800
