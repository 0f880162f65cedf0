#!/usr/bin/env python3
"""Convert the shared JSONL corpus into the project's dataset files (`datasets/*.ineq`).

    python scripts/convert_datasets.py [--shared ../shared/data] [--out datasets]

Reads `olympiad_inequalities.jsonl` and `false_statements.jsonl` (see shared/README.md) and writes one
dataset file per collection, `false_statements.ineq`, the suite file `lips_suite.ineq` (an `include:` of
the three LIPS files, so no entry is stored twice), and `unsupported.jsonl` for the entries our grammar
refuses (trigonometric functions), each with the parser's reason. The output is deterministic: entries keep
the order of the input file, and re-running the script on the same input rewrites identical files.

Every written entry is parsed back with `ineq.parse.parse_dataset_file` before the script finishes, so a
conversion that produced an unreadable file fails loudly instead of shipping it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ineq.parse import ParseError, UnsupportedError, parse_dataset_file, parse_problem  # noqa: E402

DEFAULT_SHARED = REPO.parent / "shared" / "data"


@dataclass(frozen=True)
class Collection:
    """One output file: which input ids it takes, and its header."""

    name: str
    id_prefixes: tuple[str, ...]
    title: str
    license: str
    url: str
    description: str


COLLECTIONS = (
    Collection("lips_mo_int_20", ("mo-int-20/",), "MO-INT-20 (AIPS test set)", "MIT",
               "https://github.com/Lizn-zn/NeqLIPS",
               "20 competition-level inequalities (the AIPS test set), from the Lean files of the LIPS repository."),
    Collection("lips_chenneq", ("chenneq/",), "ChenNEQ (Evan Chen's inequality notes)", "MIT",
               "https://github.com/Lizn-zn/NeqLIPS",
               "Problems of Evan Chen's olympiad inequality notes, from the Lean files of the LIPS repository."),
    Collection("lips_567neq", ("567neq/",), "567NEQ (567 Nice and Hard Inequalities)", "MIT",
               "https://github.com/Lizn-zn/NeqLIPS",
               "Problems of '567 Nice and Hard Inequalities' (Nguyen Duy Tung), from the Lean files of the LIPS repository."),
    Collection("ineq_comp", ("ineq-comp/",), "Ineq-Comp", "Apache-2.0",
               "https://github.com/haoyuzhao123/LeanIneqComp",
               "Seed inequalities (AM-GM, Cauchy, Jensen, ...) and their compositional variants, from the Ineq-Comp Lean 4 benchmark."),
    Collection("ineqmath", ("ineqmath/",), "IneqMath", "CC-BY-SA-4.0",
               "https://github.com/lupantech/ineqmath",
               "IneqMath bound and relation tasks turned into inequalities by substituting the answer key."),
    Collection("minif2f", ("minif2f/",), "miniF2F (inequality-goal subset)", "MIT",
               "https://github.com/yangky11/miniF2F-lean4",
               "The miniF2F problems (test and valid) whose goal is an inequality."),
    Collection("compfiles", ("compfiles/",), "compfiles (tag Inequality)", "Apache-2.0",
               "https://github.com/dwrensha/compfiles",
               "Lean 4 competition statements tagged Inequality."),
    Collection("triples_vasile", ("triples-vasile",), "Vasile Cirtoaje, Mathematical Inequalities Vol. 1-3 (Triples problem sets)",
               "GPL-3.0", "https://github.com/ForeverHaibara/Triple-SOS",
               "Problems of Vasile Cirtoaje's books as encoded in the Triples benchmark (constraints non-strict as encoded there)."),
)

LIPS_FILES = ("lips_mo_int_20", "lips_chenneq", "lips_567neq")

COMPETITIONS = {
    "imo": "IMO", "usa": "USAMO", "iran": "Iran", "aime": "AIME", "amc12a": "AMC 12A", "amc12b": "AMC 12B",
    "amc12": "AMC 12",
}


class ConversionError(RuntimeError):
    """The input does not look like the corpus this script knows how to convert."""


def statement_of(row: dict) -> str:
    """The one-line statement `assumptions => goal` of a corpus row, in our language."""
    text = ", ".join(row["assumptions"]) + " => " + row["goal"] if row["assumptions"] else row["goal"]
    if "\n" in text:
        raise ConversionError(f"{row['id']}: statement spans several lines")
    return text


def precise_source(row: dict) -> str:
    """A human-readable original source (competition, year, problem or book item) for a corpus row."""
    entry_id = row["id"]
    prefix, _, rest = entry_id.partition("/")
    lips_books = {"mo-int-20": "MO-INT-20", "chenneq": "Evan Chen, inequality notes (ChenNEQ)",
                  "567neq": "Nguyen Duy Tung, 567 Nice and Hard Inequalities,"}
    if prefix in lips_books:
        # Items such as 'p044_' or 'p067b' are the LIPS repository's variants of a problem.
        number, variant = re.fullmatch(r"p(\d+)(.*)", rest).groups()
        suffix = f" (variant '{variant}' of the LIPS repository)" if variant else ""
        return f"{lips_books[prefix]} problem {int(number)}{suffix}"
    if prefix.startswith("triples-vasile"):
        volume = prefix.removeprefix("triples-vasile")
        return f"Vasile Cirtoaje, Mathematical Inequalities Vol. {volume}, item {rest} of the Triples benchmark"
    if prefix == "ineq-comp":
        subset, _, item = rest.partition("/")
        return f"Ineq-Comp benchmark, {subset} {item}"
    if prefix == "ineqmath":
        split, _, number = rest.partition("/")
        task = "bound" if "bound task" in row["source"] else "relation"
        return f"IneqMath {split} problem {number} ({task} task, answer key substituted)"
    if prefix in ("compfiles", "minif2f"):
        name = rest.rpartition("/")[2]
        return _competition_name(name) or f"{row['source']}: {name}"
    raise ConversionError(f"no collection for id {entry_id!r}")


def _competition_name(name: str) -> str | None:
    """'imo1995_p2' / 'imo_1995_p2' / 'amc12a_2021_p7' -> 'IMO 1995 Problem 2' etc.; None for other names."""
    match = re.fullmatch(r"([a-z]+[0-9]*[ab]?)_?(\d{4})_p(\d+)([a-z]?)", name)
    if not match or match.group(1) not in COMPETITIONS:
        return None
    competition, year, number, variant = match.groups()
    text = f"{COMPETITIONS[competition]} {year} Problem {number}"
    return text + (f" (part {variant})" if variant else "")


def collection_of(entry_id: str) -> Collection:
    for collection in COLLECTIONS:
        if entry_id.startswith(collection.id_prefixes):
            return collection
    raise ConversionError(f"no collection for id {entry_id!r}")


def _header(lines: list[str], fields: dict[str, str]) -> None:
    for key, value in fields.items():
        lines.append(f"{key}: {value}")
    lines.append("")


def _entry(lines: list[str], entry_id: str, fields: dict[str, str], statement: str) -> None:
    lines.append(f"id: {entry_id}")
    for key, value in fields.items():
        if value:
            lines.append(f"{key}: {' '.join(str(value).split())}")
    lines.append(statement)
    lines.append("")


def unsupported_reason(statement: str) -> str | None:
    """None when the statement parses; the parser's first message line when it is unsupported."""
    try:
        parse_problem(statement)
    except UnsupportedError as error:
        return str(error).splitlines()[0]
    except ParseError as error:  # a real syntax error in the corpus is a bug of the corpus: stop
        raise ConversionError(f"statement does not parse: {statement}\n{error}") from None
    return None


def convert(shared: Path, out: Path, verify: bool = True) -> dict[str, int]:
    """Write every dataset file under `out`; return the number of entries written per file. With
    `verify`, every written file is parsed back (a test that compares the output with the shipped,
    separately parsed files passes False to save the time)."""
    rows = [json.loads(line) for line in (shared / "olympiad_inequalities.jsonl").read_text().splitlines() if line]
    false_rows = [json.loads(line) for line in (shared / "false_statements.jsonl").read_text().splitlines() if line]
    out.mkdir(parents=True, exist_ok=True)
    by_collection: dict[str, list[str]] = {c.name: [] for c in COLLECTIONS}
    counts = {c.name: 0 for c in COLLECTIONS}
    unsupported = []
    for collection in COLLECTIONS:
        lines = by_collection[collection.name]
        lines.append(f"# {collection.title}: generated by scripts/convert_datasets.py from "
                     "shared/data/olympiad_inequalities.jsonl; do not edit by hand.")
        _header(lines, {"collection": collection.name, "title": collection.title, "license": collection.license,
                        "url": collection.url, "description": collection.description})
    for row in rows:
        collection = collection_of(row["id"])
        statement = statement_of(row)
        reason = unsupported_reason(statement)
        if reason is not None:
            unsupported.append({"id": row["id"], "collection": collection.name, "license": collection.license,
                                "reason": reason, "statement": statement, "source": precise_source(row),
                                "ref": row["ref"]})
            continue
        _entry(by_collection[collection.name], row["id"],
               {"source": precise_source(row), "ref": row["ref"], "numcheck": row.get("numcheck", ""),
                "notes": row.get("notes", "")}, statement)
        counts[collection.name] += 1
    for name, lines in by_collection.items():
        (out / f"{name}.ineq").write_text("\n".join(lines))
    counts["false_statements"] = _write_false(false_rows, out / "false_statements.ineq")
    (out / "lips_suite.ineq").write_text(
        "# The LIPS suite: MO-INT-20, ChenNEQ and 567NEQ. A suite file holds no entries of its own: `include:`\n"
        "# names the dataset files (beside this one) whose entries it stands for. Generated by\n"
        "# scripts/convert_datasets.py.\n"
        "suite: lips_suite\n"
        "license: MIT\n"
        f"include: {', '.join(name + '.ineq' for name in LIPS_FILES)}\n")
    (out / "unsupported.jsonl").write_text("".join(json.dumps(row) + "\n" for row in unsupported))
    counts["unsupported (not in any .ineq file)"] = len(unsupported)
    for path in sorted(out.glob("*.ineq")) if verify else ():  # the files must parse as shipped
        parse_dataset_file(path.read_text(), str(path))
    return counts


def _write_false(rows: list[dict], path: Path) -> int:
    lines = ["# Statements from the collections that are FALSE as written, each with a numerically confirmed",
             "# counterexample point. Generated by scripts/convert_datasets.py from",
             "# shared/data/false_statements.jsonl; do not edit by hand. The licence is that of each entry's",
             "# collection.", ""]
    _header(lines, {"collection": "false_statements", "title": "False statements with known counterexamples",
                    "license": "per entry (the entry's own license: line)", "expected": "refuted"})
    for row in rows:
        collection = collection_of(row["id"])
        point = ", ".join(f"{name} = {value}" for name, value in row["counterexample"]["point"].items())
        _entry(lines, row["id"], {
            "source": precise_source(row), "ref": row["ref"], "license": collection.license,
            "origin_collection": collection.name, "counterexample": point,
            "lhs_minus_rhs": row["counterexample"]["lhs_minus_rhs"]}, statement_of(row))
    path.write_text("\n".join(lines))
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder with the two JSONL files")
    parser.add_argument("--out", type=Path, default=REPO / "datasets", help="output folder")
    args = parser.parse_args()
    counts = convert(args.shared, args.out)
    for name, count in counts.items():
        print(f"{count:5d}  {name}")


if __name__ == "__main__":
    main()
