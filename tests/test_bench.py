"""`ineq bench`: statuses, hard kills, crashes, resume, the tables, the z3 baseline and `ineq datasets`."""

from __future__ import annotations

import json
import os
import pathlib
import time

import pytest
from typer.testing import CliRunner

from ineq.bench import BenchError, done_ids, read_results, render_summary, run_bench, solve_ours, solve_z3
from ineq.cli import app
from ineq.datasets import load_dataset
from ineq.parse import parse_problem

TINY = """collection: tiny
license: MIT
source: tests/test_bench.py

id: easy
a^2 + b^2 >= 2ab

id: false
a, b, c > 0 => a/(b+c) + b/(c+a) + c/(a+b) >= 2

id: hangs
s^2 >= 0

id: raises
k^2 >= 0

id: dies
q^2 >= 0
"""


def scripted_solver(problem, timeout):
    """Our prover, except on the variables that ask for a misbehaving worker: `s` never answers (so the
    hard limit must kill it), `k` raises, `q` exits abruptly without sending anything."""
    names = {v.name for v in problem.variables}
    if "s" in names:
        time.sleep(600)
    if "k" in names:
        raise RuntimeError("injected crash")
    if "q" in names:
        os._exit(9)
    return solve_ours(problem, timeout)


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.ineq"
    path.write_text(TINY)
    return path


def test_statuses_hard_kill_crashes_and_resume(tiny, tmp_path):
    out = tmp_path / "results.jsonl"
    entries = load_dataset(tiny)
    misbehaving = [e for e in entries if e.id in ("hangs", "raises", "dies")]
    start = time.monotonic()
    first = run_bench(misbehaving, solver=scripted_solver, timeout=2.0, jobs=2, out=out, grace=0.5,
                      progress=False, solver_name="ours")
    assert time.monotonic() - start < 20
    assert {r["id"]: r["status"] for r in first} == {"hangs": "timeout", "raises": "error", "dies": "error"}
    # the real problems get a generous limit: the test machine's cores are shared and may be slow;
    # the three ids above are already in the file, so this run resumes and solves only the other two
    second = run_bench(entries, solver=scripted_solver, timeout=60.0, jobs=2, out=out, progress=False,
                       solver_name="ours")
    assert {r["id"]: r["status"] for r in second} == {"easy": "proved", "false": "refuted"}
    by_id = {r["id"]: r for r in read_results(out)}
    assert len(read_results(out)) == 5  # one line per problem, each flushed to the file
    assert by_id["hangs"]["killed"] is True and by_id["hangs"]["seconds"] < 10
    assert "injected crash" in by_id["raises"]["message"]
    assert "exit code 9" in by_id["dies"]["message"]
    assert by_id["easy"]["tactics"] and by_id["easy"]["nodes"] >= 1 and by_id["easy"]["solver"] == "ours"
    assert by_id["false"]["counterexample"]
    # a line cut short by a killed run is tolerated, and a third run has nothing left to do
    with out.open("a") as handle:
        handle.write('{"id": "partial", "sta')
    assert done_ids(out, "ours") == set(by_id)
    assert run_bench(entries, solver=scripted_solver, timeout=2.0, jobs=2, out=out, progress=False,
                     solver_name="ours") == []
    assert len(read_results(out)) == 5
    table = render_summary(read_results(out))
    assert "results by collection" in table and "results by tag" in table
    assert "tiny" in table and "polynomial" in table


def test_resume_runs_only_missing_ids(tiny, tmp_path):
    out = tmp_path / "results.jsonl"
    done = {"id": "easy", "collection": "tiny", "solver": "ours", "status": "proved", "seconds": 0.1}
    out.write_text(json.dumps(done) + "\n")
    entries = [e for e in load_dataset(tiny) if e.id in ("easy", "false")]
    records = run_bench(entries, solver="ours", timeout=60.0, jobs=1, out=out, progress=False)
    assert [r["id"] for r in records] == ["false"]


def test_bad_arguments_are_bench_errors(tiny):
    entries = load_dataset(tiny)
    with pytest.raises(BenchError):
        run_bench(entries, solver="nope", progress=False)
    with pytest.raises(BenchError):
        run_bench(entries, timeout=0, progress=False)


def test_z3_baseline_decides_radicals_and_refuses_exp():
    holds = solve_z3(parse_problem("a, b >= 0 => (a+b)/2 >= sqrt(ab)"), 10.0)
    assert holds["status"] == "holds"
    refuted = solve_z3(parse_problem("a, b > 0 => a + b >= 3"), 10.0)
    assert refuted["status"] == "refuted" and refuted["confirmed"] is True
    assert solve_z3(parse_problem("x > 0 => exp(x) >= 1 + x"), 10.0)["status"] == "unsupported"


def test_cli_bench_with_the_z3_baseline_on_two_easy_problems(tmp_path):
    data = tmp_path / "two.ineq"
    data.write_text("collection: two\nlicense: MIT\nsource: test\n\nid: amgm\na^2 + b^2 >= 2ab\n\n"
                    "id: wrong\nx >= 0 => x^2 >= x\n")
    out = tmp_path / "z3.jsonl"
    result = CliRunner().invoke(app, ["bench", str(data), "--baseline", "z3", "--timeout", "30", "--jobs", "2",
                                      "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in read_results(out)}
    assert {k: (r["status"], r["solver"]) for k, r in records.items()} == \
        {"amgm": ("holds", "z3"), "wrong": ("refuted", "z3")}
    assert "results by collection" in result.output


def test_cli_datasets_lists_files_and_ends_with_the_total(tiny, tmp_path):
    (tmp_path / "two.ineq").write_text("collection: two\nlicense: MIT\nsource: test\n\nid: one\nx^2 >= 0\n\n"
                                       "id: other\ny^4 >= 0\n")
    (tmp_path / "both.ineq").write_text("suite: both\ninclude: tiny.ineq, two.ineq\n")
    result = CliRunner().invoke(app, ["datasets", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("both.ineq") and "suite of 7" in lines[0]
    assert lines[1].startswith("tiny.ineq") and " 5 " in lines[1]
    assert lines[-1] == "total 7"  # the suite is not counted twice


def test_cli_bench_rejects_a_bad_filter(tiny):
    result = CliRunner().invoke(app, ["bench", str(tiny), "--filter", "colour=red"])
    assert result.exit_code == 3


def test_bench_report_writes_the_section_and_the_headline_ratio(tmp_path):
    import subprocess
    import sys

    def line(solver, ident, status, collection="c1"):
        return json.dumps({"id": ident, "collection": collection, "split": "test", "solver": solver,
                           "status": status, "seconds": 1.0, "limit": 10.0, "nodes": 1, "tactics": [],
                           "message": "", "tags": ["polynomial"]}) + "\n"

    ours = tmp_path / "ours.jsonl"
    ours.write_text(line("ours", "p1", "proved") + line("ours", "p2", "refuted") + line("ours", "p3", "unknown"))
    theirs = tmp_path / "triples.jsonl"
    theirs.write_text(line("triples", "p1", "proved") + line("triples", "p2", "unknown") + line("triples", "p3", "proved"))
    out, readme = tmp_path / "bench.md", tmp_path / "README.md"
    readme.write_text("# Title\n\n<!-- corpus:headline:begin -->\nold\n<!-- corpus:headline:end -->\n\n## After\n")
    script = pathlib.Path(__file__).resolve().parent.parent / "scripts" / "bench_report.py"
    result = subprocess.run([sys.executable, str(script), str(ours), str(theirs), "--out", str(out), "--figures",
                             str(tmp_path), "--section", "corpus", "--readme", str(readme)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    text = readme.read_text()
    assert "old" not in text and text.endswith("## After\n")
    assert "ours proved + refuted 2, triples proved 2, ratio 1.00" in text
    assert "| ours | 1 + 1 refuted / 3 |" in text
    assert (tmp_path / "bench_corpus_solved_vs_time.png").exists() and "<!-- corpus:begin -->" in out.read_text()


def test_cli_bench_preloads_the_prover_before_forking_workers(tmp_path, monkeypatch):
    # The CLI binds the scorer with functools.partial; the workers must still start warm, or every
    # problem pays the prover's imports (about half a second) inside its time limit.
    import ineq.bench

    preloads = []
    monkeypatch.setattr(ineq.bench, "_preload_prover", lambda: preloads.append(True))
    data = tmp_path / "one.ineq"
    data.write_text("collection: one\nlicense: MIT\nsource: test\n\nid: amgm\na^2 + b^2 >= 2ab\n")
    result = CliRunner().invoke(app, ["bench", str(data), "--timeout", "30", "--jobs", "1",
                                      "--out", str(tmp_path / "ours.jsonl"), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert preloads == [True]
    assert [r["status"] for r in read_results(tmp_path / "ours.jsonl")] == ["proved"]
