"""The corpus in datasets/: every file parses, sources and licences, unique ids, splits, computed tags."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from ineq.datasets import (
    DATASETS_DIR,
    DatasetError,
    TEST_ONLY_COLLECTIONS,
    compute_tags,
    dataset_files,
    load_all_datasets,
    load_dataset,
    load_datasets,
    parse_filter,
    sample,
    select,
    split_of,
)
from ineq.parse import parse_problem

KNOWN_LICENSES = {"MIT", "Apache-2.0", "CC-BY-SA-4.0", "GPL-3.0"}
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus():
    return load_all_datasets()


def test_every_dataset_file_parses_and_the_corpus_has_at_least_1500_problems(corpus):
    assert len(dataset_files()) >= 10
    assert len(corpus) >= 1500


def test_every_entry_has_a_source_and_a_known_licence(corpus):
    for entry in corpus:
        assert entry.source.strip(), entry.id
        assert entry.license in KNOWN_LICENSES, (entry.id, entry.license)


def test_ids_are_unique_across_all_files(corpus):
    duplicates = [i for i, n in Counter(e.id for e in corpus).items() if n > 1]
    assert duplicates == []


def test_each_collection_has_its_expected_licence(corpus):
    licences = {(e.collection, e.license) for e in corpus if e.collection != "false_statements"}
    expected = {"lips_mo_int_20": "MIT", "lips_chenneq": "MIT", "lips_567neq": "MIT", "ineq_comp": "Apache-2.0",
                "ineqmath": "CC-BY-SA-4.0", "minif2f": "MIT", "compfiles": "Apache-2.0",
                "triples_vasile": "GPL-3.0", "classics": "MIT"}
    assert licences == set(expected.items())


def test_false_statements_carry_their_counterexample_point(corpus):
    false = [e for e in corpus if e.collection == "false_statements"]
    assert len(false) == 26
    for entry in false:
        names = {part.split("=")[0].strip() for part in entry.metadata["counterexample"].split(",")}
        assert names == {v.name for v in entry.problem.variables}, entry.id


def test_classics_are_at_least_100_with_precise_sources(corpus):
    classics = [e for e in corpus if e.collection == "classics"]
    assert len(classics) >= 100
    # a competition and year, a named inequality, a shortlist, or an explicit "folklore" statement
    pattern = re.compile(r"\d{4}|inequalit|Shortlist|folklore", re.IGNORECASE)
    assert [e.id for e in classics if not pattern.search(e.source)] == []


def test_the_lips_suite_is_the_union_of_the_three_lips_files_and_all_test():
    suite = load_dataset(DATASETS_DIR / "lips_suite.ineq")
    assert Counter(e.collection for e in suite) == {"lips_mo_int_20": 20, "lips_chenneq": 42, "lips_567neq": 91}
    assert {e.split for e in suite} == {"test"}
    assert [e.id for e in load_datasets(["lips_suite", "lips_chenneq"])] == [e.id for e in suite]


def test_unsupported_entries_are_listed_with_a_reason_and_in_the_readme():
    rows = [json.loads(line) for line in (DATASETS_DIR / "unsupported.jsonl").read_text().splitlines()]
    assert len(rows) == 16
    readme = (DATASETS_DIR / "README.md").read_text()
    for row in rows:
        assert "'sin'" in row["reason"] or "'cos'" in row["reason"]
        assert row["id"] in readme


def test_splits_are_deterministic_by_id_and_lips_is_always_test(corpus):
    assert split_of("classic-nesbitt", "classics") == split_of("classic-nesbitt", "classics")
    # the hash split ignores the collection name, except for the LIPS collections
    assert split_of("ineqmath/dev/0", "ineqmath") == split_of("ineqmath/dev/0", "other")
    assert all(split_of(e.id, e.collection) == "test" for e in corpus if e.collection in TEST_ONLY_COLLECTIONS)
    hashed = Counter(e.split for e in corpus if e.collection not in TEST_ONLY_COLLECTIONS)
    total = sum(hashed.values())
    assert 0.75 < hashed["train"] / total < 0.85
    assert 0.06 < hashed["dev"] / total < 0.14


def tags(text: str):
    return compute_tags(parse_problem(text))


def test_tags_of_nesbitt():
    t = tags("a, b, c > 0 => a/(b+c) + b/(c+a) + c/(a+b) >= 3/2")
    assert (t.variables, t.kind, t.degree, t.homogeneous, t.symmetry, t.constraints, t.strict) == \
        (3, "rational", 3, True, "symmetric", ("positivity",), False)


def test_tags_of_a_cyclic_polynomial_with_an_equality():
    t = tags("x, y, z >= 0, x + y + z = 1 => x^2 y + y^2 z + z^2 x <= 4/27")
    assert (t.kind, t.degree, t.homogeneous, t.symmetry, t.constraints) == \
        ("polynomial", 3, False, "cyclic", ("positivity", "equality"))


def test_tags_of_cauchy_schwarz_radicals_abs_bounds_and_orderings():
    assert tags("(a^2+b^2)(x^2+y^2) >= (ax+by)^2").symmetry == "nonsymmetric"
    assert tags("(a^2+b^2)(x^2+y^2) >= (ax+by)^2").constraints == ()
    assert tags("a, b >= 0 => (a+b)/2 >= sqrt(ab)").kind == "radical"
    assert tags("a > 0 => cbrt(a) <= a + 1").kind == "radical"
    assert tags("|a+b| <= |a| + |b|").kind == "other"
    assert tags("x in [0, 1] => x(1-x) <= 1/4").constraints == ("positivity", "bounds")
    strict = tags("a >= b, b > c => a > c")
    assert strict.constraints == ("ordering",) and strict.strict
    assert "vars=3" in strict.labels() and "strict" in strict.labels()


def test_filters_select_by_collection_glob_tag_and_id(corpus):
    lips = select(corpus, [parse_filter("collection=lips_*")])
    assert len(lips) == 153
    chen_poly = select(lips, [parse_filter("collection=lips_chenneq"), parse_filter("tag=polynomial")])
    assert chen_poly and all(e.collection == "lips_chenneq" and e.tags.kind == "polynomial" for e in chen_poly)
    assert [e.id for e in select(corpus, [parse_filter("id=classic-nesbitt")])] == ["classic-nesbitt"]
    with pytest.raises(DatasetError):
        parse_filter("colour=red")


def test_sample_is_deterministic_and_independent_of_order(corpus):
    first = sample(corpus, 7)
    assert len(first) == 7
    assert {e.id for e in sample(list(reversed(corpus)), 7)} == {e.id for e in first}


def test_missing_dataset_is_a_clear_error():
    with pytest.raises(DatasetError, match="no dataset file"):
        load_datasets(["no_such_collection"])


def test_converter_reproduces_the_shipped_entries(tmp_path, monkeypatch, corpus):
    """Convert every 25th corpus row, every false statement and every unsupported row (a full
    conversion takes long on shared cores) and compare with the shipped files entry by entry."""
    shared = REPO.parent / "shared" / "data"  # CI and every checkout have ../shared beside them
    import importlib.util

    spec = importlib.util.spec_from_file_location("convert_datasets", REPO / "scripts" / "convert_datasets.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "convert_datasets", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    unsupported = {json.loads(line)["id"] for line in (DATASETS_DIR / "unsupported.jsonl").read_text().splitlines()}
    rows = (shared / "olympiad_inequalities.jsonl").read_text().splitlines()
    chosen = [row for i, row in enumerate(rows) if i % 25 == 0 or json.loads(row)["id"] in unsupported]
    source = tmp_path / "shared"
    source.mkdir()
    (source / "olympiad_inequalities.jsonl").write_text("\n".join(chosen) + "\n")
    (source / "false_statements.jsonl").write_text((shared / "false_statements.jsonl").read_text())
    counts = module.convert(source, tmp_path / "out")
    assert counts["unsupported (not in any .ineq file)"] == 16
    shipped = {e.id: e for e in corpus}
    converted = load_all_datasets(tmp_path / "out")
    assert len(converted) == len(chosen) - 16 + 26
    for entry in converted:
        assert entry.problem == shipped[entry.id].problem, entry.id
        assert entry.metadata == shipped[entry.id].metadata, entry.id
    assert (tmp_path / "out" / "lips_suite.ineq").read_text() == (DATASETS_DIR / "lips_suite.ineq").read_text()
