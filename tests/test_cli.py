"""End-to-end: the `ineq` command as a user runs it (subprocesses, exit codes, JSON, saved proofs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest

import ineq

INEQ = [str(Path(sys.executable).parent / "ineq")]  # the installed console script, as a user runs it


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([*INEQ, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "COLUMNS": "120"})


def test_proves_amgm_with_a_readable_proof():
    result = run("prove", "a^2+b^2>=2ab")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Proof" in result.stdout and "verified by the exact kernel" in result.stdout


def test_json_output_has_the_documented_fields():
    result = run("prove", "a^2+b^2>=2ab", "--json")
    data = json.loads(result.stdout)
    assert result.returncode == 0
    assert data["status"] == "proved"
    assert {"status", "seconds", "problem", "proof", "message"} <= set(data)
    assert data["proof"]["certificate"]["rule"] == "identity"
    assert data["proof"]["steps"]


def test_false_statement_prints_an_exact_counterexample():
    result = run("prove", "a,b,c>0 => a/(b+c)+b/(c+a)+c/(a+b) >= 2", "--json", "--timeout", "20")
    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "refuted"
    values = {k: Fraction(v) for k, v in data["counterexample"]["values"].items()}
    a, b, c = values["a"], values["b"], values["c"]
    assert a > 0 and b > 0 and c > 0
    assert a / (b + c) + b / (c + a) + c / (a + b) < 2


def test_constrained_cubic_is_proved_within_the_limit():
    result = run("prove", "x,y,z>=0, x+y+z=1 => x*y+y*z+z*x-2*x*y*z <= 7/27", "--json", "--timeout", "30")
    data = json.loads(result.stdout)
    assert data["status"] == "proved", data["message"]
    assert data["seconds"] < 31


def test_saved_proof_rechecks_and_tampering_is_caught(tmp_path):
    path = tmp_path / "proof.json"
    result = run("prove", "a,b,c>0 => a/(b+c)+b/(c+a)+c/(a+b) >= 3/2", "--save", str(path), "--timeout", "30")
    assert result.returncode == 0, result.stdout + result.stderr
    checked = run("check", str(path))
    assert checked.returncode == 0 and "verified" in checked.stdout
    document = json.loads(path.read_text())
    document["problem"]["goal"]["rhs"] = "8/5"  # claim more than was proved
    path.write_text(json.dumps(document))
    tampered = run("check", str(path))
    assert tampered.returncode == 1 and "REJECTED" in tampered.stdout


def test_cube_root_proof_reads_cbrt_and_its_saved_certificate_checks(tmp_path):
    # GM >= HM: the kernel splits cbrt(abc) (read as |abc|^(1/3) sign(abc)) into a^(1/3) b^(1/3) c^(1/3);
    # the statement is shown back as the user wrote it, and `ineq check` reads sign() in the saved file.
    path = tmp_path / "proof.json"
    result = run("prove", "a, b, c > 0 => cbrt(abc) >= 3/(1/a + 1/b + 1/c)", "--save", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "prove cbrt(a*b*c) >= " in result.stdout and "sign" not in result.stdout
    checked = run("check", str(path))
    assert checked.returncode == 0 and "verified" in checked.stdout


@pytest.mark.parametrize("fmt,marker", [("markdown", "**Proof.**"), ("latex", r"\begin{enumerate}")])
def test_other_formats(fmt, marker):
    result = run("prove", "a^2+b^2>=2ab", "--format", fmt)
    assert result.returncode == 0 and marker in result.stdout


def test_parse_error_shows_column_and_exit_3():
    result = run("prove", "a,b>0 => a+*b >= 0")
    assert result.returncode == 3
    output = result.stdout + result.stderr
    assert "column" in output and "^" in output
    assert "Traceback" not in output


def test_unsupported_function_is_named():
    result = run("prove", "sin(x) <= 1", "--json")
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert data["status"] == "error" and "sin" in data["message"]


def test_check_of_a_missing_file_is_bad_input(tmp_path):
    result = run("check", str(tmp_path / "nope.json"))
    assert result.returncode == 3 and "Traceback" not in result.stdout + result.stderr


def test_timeout_is_a_hard_wall_clock_limit():
    # A true 5-variable degree-8 statement: too big for the SDP in 2 s, and no counterexample exists.
    statement = "a,b,c,d,e>0 => (a^2+b^2+c^2+d^2+e^2)^4 >= 25*(a*b*c*d*e)^(8/5)"
    started = time.monotonic()
    result = run("prove", statement, "--json", "--timeout", "2")
    elapsed = time.monotonic() - started
    data = json.loads(result.stdout)
    assert data["status"] in ("unknown", "proved")
    assert data["seconds"] <= 3.0
    assert elapsed < 8.0  # includes interpreter start-up


def test_python_api_matches_cli_json():
    result = ineq.prove("a^2+b^2>=2ab")
    data = result.to_json()
    assert data["status"] == "proved"
    cli = json.loads(run("prove", "a^2+b^2>=2ab", "--json").stdout)
    assert set(data) == set(cli)
    assert data["proof"]["certificate"] == cli["proof"]["certificate"]


def test_unwritable_save_path_is_reported_and_the_proof_still_printed(tmp_path):
    result = run("prove", "a^2+b^2>=2ab", "--save", str(tmp_path / "missing" / "proof.json"))
    assert result.returncode == 0
    assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    assert "verified by the exact kernel" in result.stdout


def test_the_refuter_runs_below_the_search_in_priority(monkeypatch):
    # The refuter process lowers its own priority, so on busy cores the search keeps its speed; it
    # still finds the counterexample.
    from ineq import prover
    from ineq.parse import parse_problem

    niceness = []
    monkeypatch.setattr(prover.os, "nice", niceness.append)
    message = prover._refute_worker(parse_problem("x > 0 => x >= 2"), time.monotonic() + 5)
    assert niceness and niceness[0] > 0
    assert message["kind"] == "refuted"
