"""`ineq bench --ray`: the Ray runner against a real local cluster (a separate `ray start --head` process)
gives the records of the plain runner, resumes, turns a dead Ray worker into an error record, and fails
clearly without ray or without a cluster."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

ray = pytest.importorskip("ray")

from ineq.bench import BenchError, read_results, run_bench, solve_ours  # noqa: E402
from ineq.bench_ray import run_bench_ray  # noqa: E402
from ineq.cli import app  # noqa: E402
from ineq.datasets import CorpusEntry  # noqa: E402
from ineq.parse import parse_problem  # noqa: E402

CLUSTER_START_LIMIT = 90.0  # seconds; `ray start` takes about 3 s on an idle 2-core machine


def entry(entry_id: str, statement: str) -> CorpusEntry:
    return CorpusEntry(id=entry_id, collection="tiny", problem=parse_problem(statement), metadata={})


EASY = entry("easy", "a, b > 0 => a^2 + b^2 >= 2ab")
FALSE = entry("false", "a, b > 0 => a + b >= 3ab")
HANGS = entry("hangs", "s^2 >= 0")
DIES = entry("dies", "q^2 >= 0")
KILLS_RAY_WORKER = entry("kills-ray-worker", "w^2 >= 0")


def scripted_solver(problem, timeout):
    """Our prover, except on the variables that ask for a misbehaving problem: `s` never answers (the hard
    limit must kill it), `q` exits abruptly, and `w` kills its parent (the Ray worker running the task;
    never use it with the plain runner, whose parent is this test process)."""
    names = {v.name for v in problem.variables}
    if "s" in names:
        time.sleep(600)
    if "q" in names:
        os._exit(9)
    if "w" in names:
        os.kill(os.getppid(), signal.SIGKILL)
        os._exit(0)
    return solve_ours(problem, timeout)


# The workers cannot import this test module, so its solver travels by value.
ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module", autouse=True)
def ray_scratch():
    """A short scratch folder for Ray's session files (its socket paths must stay under 108 bytes), and
    an environment that keeps the tests hermetic: no token authentication (so nothing is written to
    ~/.ray and nothing depends on it), no usage reports, no drain wait when the head node stops."""
    scratch = Path(tempfile.mkdtemp(prefix="ineq-ray-"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_TMPDIR", str(scratch))  # where a "local" instance puts its session
        patch.setenv("RAY_AUTH_MODE", "disabled")
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        patch.setenv("RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S", "0")
        yield scratch
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster_address(ray_scratch):
    """A 2-CPU head node in its own process, stopped by signalling that process only (never `ray stop`,
    which would stop every Ray instance of the machine)."""
    ray_command = Path(sys.executable).with_name("ray")
    port = free_port()
    temp_dir = ray_scratch / "head"
    temp_dir.mkdir()
    log_path = ray_scratch / "ray_start.log"
    with log_path.open("w") as log:
        head = subprocess.Popen(
            [str(ray_command), "start", "--head", "--block", "--num-cpus", "2", "--port", str(port),
             "--disable-usage-stats", "--include-dashboard=false", "--temp-dir", str(temp_dir)],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + CLUSTER_START_LIMIT
        while "Ray runtime started" not in log_path.read_text():
            if head.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray start failed:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        head.send_signal(signal.SIGTERM)  # `ray start --block` then stops the processes it started
        try:
            head.wait(30)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait(10)


def statuses(records: list[dict]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in records}


def test_ray_runner_gives_the_plain_records_and_resumes(cluster_address, tmp_path):
    entries = [EASY, FALSE, HANGS, DIES]
    plain_out, ray_out = tmp_path / "plain.jsonl", tmp_path / "ray.jsonl"
    # first the misbehaving problems with a small limit, then everything with a generous one (the cores
    # are shared and may be slow): the second run resumes and solves only the two real problems
    misbehaving = [HANGS, DIES]
    options = dict(solver=scripted_solver, solver_name="ours", progress=False)
    plain = run_bench(misbehaving, timeout=2.0, jobs=2, out=plain_out, grace=0.5, **options)
    plain += run_bench(entries, timeout=60.0, jobs=2, out=plain_out, **options)
    start = time.monotonic()
    first = run_bench_ray(misbehaving, timeout=2.0, address=cluster_address, out=ray_out, grace=0.5, **options)
    assert time.monotonic() - start < 40  # the hard kill at 2.5 s happened on the cluster (slow cores)
    second = run_bench_ray(entries, timeout=60.0, address=cluster_address, out=ray_out, **options)
    assert statuses(second) == {"easy": "proved", "false": "refuted"}
    assert statuses(first + second) == statuses(plain) == \
        {"easy": "proved", "false": "refuted", "hangs": "timeout", "dies": "error"}
    by_id = {r["id"]: r for r in read_results(ray_out)}
    plain_by_id = {r["id"]: r for r in read_results(plain_out)}
    assert len(read_results(ray_out)) == 4  # one line per problem, written by the driver
    assert {k: set(r) for k, r in by_id.items()} == {k: set(r) for k, r in plain_by_id.items()}
    assert by_id["hangs"]["killed"] is True and by_id["hangs"]["seconds"] < 10
    assert "exit code 9" in by_id["dies"]["message"]
    assert by_id["easy"]["tactics"] and by_id["false"]["counterexample"]
    assert by_id["easy"]["tags"] == plain_by_id["easy"]["tags"]
    # a third run has nothing left: it submits nothing and leaves the file as it was
    lines = ray_out.read_text()
    assert run_bench_ray(entries, timeout=2.0, address=cluster_address, out=ray_out, **options) == []
    assert ray_out.read_text() == lines


def test_a_dead_ray_worker_is_an_error_record_and_the_others_go_on(cluster_address, tmp_path):
    out = tmp_path / "results.jsonl"
    records = run_bench_ray([KILLS_RAY_WORKER, EASY], solver=scripted_solver, solver_name="ours", timeout=60.0,
                            address=cluster_address, out=out, progress=False)
    by_id = {r["id"]: r for r in records}
    assert statuses(records) == {"kills-ray-worker": "error", "easy": "proved"}
    assert by_id["kills-ray-worker"]["message"].startswith("Ray task failed")
    assert by_id["kills-ray-worker"]["solver"] == "ours" and by_id["kills-ray-worker"]["limit"] == 60.0
    assert statuses(read_results(out)) == statuses(records)


def test_cli_bench_with_a_local_ray_instance_on_a_sample(tmp_path):
    data = tmp_path / "three.ineq"
    data.write_text("collection: three\nlicense: MIT\nsource: test\n\nid: amgm\na^2 + b^2 >= 2ab\n\n"
                    "id: wrong\nx >= 0 => x^2 >= x\n\nid: square\n(a - b)^2 >= 0\n")
    out = tmp_path / "ray.jsonl"
    result = CliRunner().invoke(app, ["bench", str(data), "--sample", "2", "--ray", "local", "--timeout", "60",
                                      "--out", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    records = read_results(out)
    assert len(records) == 2 and {r["solver"] for r in records} == {"ours"}
    expected = {"amgm": "proved", "wrong": "refuted", "square": "proved"}
    assert all(r["status"] == expected[r["id"]] for r in records)
    assert "results by collection" in result.output and "2 problems; results in" in result.output
    assert not ray.is_initialized()  # the throwaway instance was stopped


def test_missing_ray_bad_or_unreachable_addresses_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(BenchError, match="HOST:PORT"):
        run_bench_ray([EASY], address="nowhere", progress=False)
    with pytest.raises(BenchError, match="cannot reach a Ray cluster at 127.0.0.1"):
        run_bench_ray([EASY], address=f"127.0.0.1:{free_port()}", progress=False)
    result = CliRunner().invoke(app, ["bench", "classics", "--sample", "1", "--ray", f"127.0.0.1:{free_port()}"])
    assert result.exit_code == 3 and "cannot reach a Ray cluster" in result.output
    monkeypatch.setitem(sys.modules, "ray", None)  # what `import ray` sees when it is not installed
    with pytest.raises(BenchError, match=r'pip install -e "\.\[cluster\]"'):
        run_bench_ray([EASY], address="local", progress=False)
