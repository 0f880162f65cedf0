"""`ineq bench --ray`: the same benchmark, one Ray task per problem, on a local or multi-node Ray cluster.

Public API
----------
- `run_bench_ray(entries, solver="ours", timeout=10, address="auto", out=None, grace=None, progress=True,
  cpus_per_problem=1, solver_name=None) -> list[dict]`: like `ineq.bench.run_bench`, but each problem is a
  Ray task instead of a local worker slot; `address` is "auto" (the cluster this machine belongs to),
  "host:port" (the head node's GCS port) or "local" (a throwaway Ray instance on this machine, stopped at
  the end). Raises `ineq.bench.BenchError` when ray is not installed, the address is malformed or
  unreachable, or the arguments are bad.

Contract
--------
- Records: exactly those of `run_bench`, because every task runs `run_bench([entry], jobs=1)` on its node:
  the same forked worker in its own process group, the same hard kill at limit + grace, the same error
  records for a worker that raises or dies.
- Resume: ids that already have a record for this solver in `out` are skipped before anything is
  submitted (when nothing is left, Ray is not even contacted); each record is appended to `out` by the
  driver, with `run_bench`'s writer, as soon as its task finishes (`ray.wait`), in completion order.
- A task that fails as a whole (its Ray worker crashed, its node died, the code could not be imported on
  the node) becomes an `error` record for that problem; the other problems go on. Tasks are never retried
  (`max_retries=0`): a re-run with the same `out` does not retry them either, since they have a record.
- Concurrency is Ray's: each task asks for `cpus_per_problem` CPUs, so a cluster with N CPUs runs about
  N / cpus_per_problem problems at once (`--jobs` does not apply).
- Code on the workers: the worker imports `ineq` from its own Python environment; the driver adds this
  repository to the workers' PYTHONPATH, so a cluster whose nodes share the repository path and the
  virtual environment (a shared filesystem, or the same checkout at the same path on every node) needs
  nothing else. Otherwise use Ray's own shipping (`ray job submit --working-dir .`, or call
  `ray.init(runtime_env={"working_dir": ...})` yourself before `run_bench_ray`, whose connection is then
  reused as it is). See docs/bench.md, "More than one machine: Ray".
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Callable

from ineq.bench import REPO, SOLVERS, BenchError, ProgressBar, ResultsAppender, done_ids, make_record, run_bench

# Seconds to wait for a TCP answer from "host:port" before giving up: ray.init itself retries an
# unreachable address for minutes.
CONNECT_TIMEOUT = 5.0
# Seconds given to cancelled tasks, at the end of an interrupted run, to kill their worker's process group.
CANCEL_WAIT = 5.0
INSTALL_HINT = 'the Ray runner needs the optional dependency ray: pip install -e ".[cluster]"'


def run_bench_ray(entries, solver: str | Callable = "ours", timeout: float = 10.0, address: str = "auto",
                  out: str | Path | None = None, grace: float | None = None, progress: bool = True,
                  cpus_per_problem: float = 1, solver_name: str | None = None) -> list[dict]:
    """Solve `entries` (CorpusEntry-like: id, collection, split, problem, tags) as Ray tasks.

    `solver`, `timeout`, `out`, `grace`, `progress` and `solver_name` mean what they mean for `run_bench`;
    a callable solver is pickled to the workers (by reference when its module is importable there).
    Returns the records of this run in completion order; each is also appended to `out` when it is known.
    If this process is already connected to Ray (`ray.is_initialized()`), that connection is used as it
    is and `address` only has to be well formed; otherwise the driver connects (or starts a local
    instance) and disconnects (or stops it) at the end.
    """
    if timeout <= 0:
        raise BenchError("--timeout must be positive")
    if cpus_per_problem <= 0:
        raise BenchError("cpus_per_problem must be positive")
    if callable(solver):
        name = solver_name or getattr(solver, "__name__", "custom")
    elif solver in SOLVERS:
        name = solver_name or solver
    else:
        raise BenchError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    _check_address_form(address)
    out_path = Path(out) if out is not None else None
    skip = done_ids(out_path, name) if out_path is not None else set()
    pending = [e for e in entries if e.id not in skip]
    if not pending:
        return []
    try:
        import ray
    except ImportError as error:
        raise BenchError(f"{INSTALL_HINT} ({error})") from None
    records: list[dict] = []
    counts: Counter = Counter()
    running: dict = {}  # ObjectRef -> (entry, submission time)
    with ExitStack() as cleanup:  # run in reverse order, each even when an earlier one fails
        if not ray.is_initialized():
            _connect(ray, address)
            cleanup.callback(ray.shutdown)
        appender = ResultsAppender(out_path)
        cleanup.callback(appender.close)
        bar = ProgressBar(len(pending), name, enabled=progress)
        cleanup.callback(bar.close)
        cleanup.callback(_cancel, ray, running)
        task = ray.remote(_solve_one).options(num_cpus=cpus_per_problem, max_retries=0)
        for entry in pending:
            running[task.remote(entry, solver, name, timeout, grace)] = (entry, time.monotonic())
        while running:
            ready, _ = ray.wait(list(running), num_returns=1, timeout=0.5)
            for ref in ready:
                entry, submitted = running.pop(ref)
                try:
                    record = ray.get(ref)
                except ray.exceptions.RayError as error:
                    record = make_record(entry, name, timeout, _task_failure(ray, error, time.monotonic() - submitted))
                appender.write(record)
                records.append(record)
                counts[record["status"]] += 1
                bar.advance(counts)
            bar.refresh()
    return records


def _cancel(ray, running: dict) -> None:
    """Cancel the tasks of an interrupted run. A running task gets a KeyboardInterrupt, on which its
    run_bench kills its worker's process group; a queued one is dropped."""
    if running:
        for ref in running:
            ray.cancel(ref)
        ray.wait(list(running), num_returns=len(running), timeout=CANCEL_WAIT)


def _solve_one(entry, solver, solver_name: str, timeout: float, grace: float | None) -> dict:
    """Body of one Ray task: `run_bench` on a single entry, so the process model, the hard kill and the
    records are those of a local run."""
    (record,) = run_bench([entry], solver=solver, timeout=timeout, jobs=1, out=None, grace=grace,
                          progress=False, solver_name=solver_name)
    return record


def _task_failure(ray, error: Exception, seconds: float) -> dict:
    """The outcome of a task that returned no record: the worker or node died, or the task raised
    outside run_bench (e.g. `ineq` could not be imported on the node). When it started is unknown to the
    driver, so `seconds` counts from the submission, time spent queued included."""
    cause = getattr(error, "cause", None) if isinstance(error, ray.exceptions.RayTaskError) else None
    reason = f"{type(cause).__name__}: {cause}" if cause is not None else f"{type(error).__name__}: {error}"
    return {"status": "error", "seconds": seconds, "message": f"Ray task failed: {reason}",
            "traceback": str(error)[-2000:]}


def _check_address_form(address: str) -> None:
    if address in ("auto", "local"):
        return
    host, _, port = str(address).rpartition(":")
    if not host or not port.isdigit():
        raise BenchError(f"--ray takes auto, local or HOST:PORT (the head node's port), not {address!r}")


def _connect(ray, address: str) -> None:
    """ray.init for the three address forms, with Ray's log lines kept off stdout and the driver."""
    options = {"log_to_driver": False, "logging_level": logging.WARNING}
    if os.environ.get("RAY_JOB_CONFIG_JSON_ENV_VAR") is None:
        # Workers import `ineq` from this checkout when the nodes share it; a submitted Ray job
        # (`ray job submit --working-dir`) ships its own code instead, and its runtime env wins.
        options["runtime_env"] = {"env_vars": {"PYTHONPATH": f"{REPO}{os.pathsep}${{PYTHONPATH}}"}}
    if address == "local":
        options["include_dashboard"] = False
        hint = ""
    elif address == "auto":
        hint = " (start a cluster with `ray start --head`, or use --ray local)"
    else:
        host, _, port = address.rpartition(":")
        try:
            socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT).close()
        except OSError as error:
            raise BenchError(f"cannot reach a Ray cluster at {address}: {error} "
                             f"(start one with `ray start --head --port {port}`)") from None
        # Ray enables token authentication from ~/.ray/auth_token for "auto" only, never for an explicit
        # address, and a token cluster then just times out: say what to set.
        hint = (" (if the cluster uses token authentication, set RAY_AUTH_MODE=token here, with the token in "
                "~/.ray/auth_token or RAY_AUTH_TOKEN; on a node of the cluster --ray auto does this itself)")
    try:
        ray.init(address=address, **options)
    except Exception as error:  # noqa: BLE001 - ray raises ConnectionError, RuntimeError or ValueError here
        raise BenchError(f"cannot connect to Ray at {address!r}: {type(error).__name__}: {error}{hint}") from None
