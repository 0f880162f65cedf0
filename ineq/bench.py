"""`ineq bench`: run a solver over dataset problems, one worker process per problem slot, and tabulate.

Public API
----------
- `run_bench(entries, solver="ours", timeout=10, jobs=2, out=None, grace=None, progress=True)
  -> list[dict]`: solve every entry (skipping those already in `out` for this solver), appending one JSON
  line per problem to `out` as soon as it is known; returns the new records.
- `SOLVERS`: name -> solve function `(problem, timeout) -> dict` for "ours", "z3" and "triples". A solve
  function may also be passed directly (it runs in the forked worker), which is how tests inject crashes.
- `read_results(path) -> list[dict]`, `done_ids(path, solver) -> set[str]`.
- `summary_rows(records, key)`, `render_summary(records) -> str`: the tables by collection and by tag.
- `BenchError(ValueError)`: bad arguments (unknown solver, nonpositive timeout or jobs).

Records
-------
Each line of the output is one JSON object with `id`, `collection`, `split`, `solver`, `status`,
`seconds`, `limit`, `nodes` (search expansions; null when the search did not report them), `tactics`, `tags`,
`message`, and for refutations the `counterexample` values. Statuses:

- `proved`: ours (kernel-checked certificate) or triples (an SOS certificate whose identity was checked in
  the triples interpreter, symbolically or numerically: `verified`);
- `holds`: z3 decided the statement true (unsat negation) without any certificate;
- `refuted`: a counterexample (ours: confirmed exactly; z3: its model, `confirmed` says whether our exact
  evaluator confirmed it when the model is rational);
- `unknown`: the solver gave up before the limit; `timeout`: the limit was reached (its own limit, or the
  hard kill at limit + grace, then `killed` is true);
- `error`: the worker raised or died (the record keeps the reason); `unsupported`: a baseline cannot
  encode the statement (z3: exp/log/pi or variable exponents).

Process model
-------------
Each problem runs in its own forked, NON-daemonic process (`prove` forks its own prover and refuter
children, which daemonic processes may not do), placed in its own process group. At limit + grace the
parent kills the whole group, so no grandchild survives a timeout; a worker that crashes or is killed
yields a record for that problem only, never losing the others.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import multiprocessing.connection
import os
import signal
import statistics
import subprocess
import sys
import time
import traceback
from collections import Counter, deque
from pathlib import Path
from typing import Callable

from ineq.problem import Problem

KILL_GRACE = 2.0  # seconds past the limit before the worker's process group is killed
SOLVED = ("proved", "holds", "refuted")
STATUSES = ("proved", "holds", "refuted", "unknown", "timeout", "error", "unsupported")
REPO = Path(__file__).resolve().parent.parent
TRIPLES_PYTHON = REPO / ".venv-triples" / "bin" / "python"
TRIPLES_RUNNER = REPO / "scripts" / "triples_runner.py"
# Seconds granted to the triples interpreter to import sympy and triples before its own limit starts.
TRIPLES_STARTUP = 15.0
MESSAGE_LIMIT = 300


class BenchError(ValueError):
    """Bad arguments to the benchmark (the message says which)."""


# ---- solvers (each runs inside the forked worker) -----------------------------------------------


def solve_ours(problem: Problem, timeout: float, scorer: str = "heuristic", max_nodes: int = 1200) -> dict:
    """Our prover: `ineq.prover.prove` with its own hard limit, guided by the named scorer."""
    from ineq.prover import prove

    result = prove(problem, timeout=timeout, scorer=scorer, max_nodes=max_nodes)
    record = {"status": result.status, "seconds": result.seconds, "message": result.message}
    if result.status == "unknown" and result.seconds >= timeout:
        record["status"] = "timeout"
    record["nodes"] = result.extra.get("nodes")
    if result.proof is not None:
        record["tactics"] = list(result.proof.get("tactics", []))
        record["nodes"] = result.proof.get("nodes")
    if result.counterexample is not None:
        record["counterexample"] = result.counterexample.get("values")
    return record


# Imported once in the bench process, so that forked workers start warm: a cold prover spends about
# 1-2 s importing cvxpy, scipy and torch inside its own time limit. Triples' seconds likewise exclude
# its interpreter's imports (TRIPLES_STARTUP), so both solvers are timed on solving alone.
_PROVER_MODULES = ("ineq.prover", "ineq.search", "ineq.tactics", "ineq.refute", "ineq.render", "ineq.policy",
                   "ineq.z3_oracle", "cvxpy", "z3")


def _is_ours(solve: Callable) -> bool:
    """Whether `solve` is our prover, bare or with its scorer bound by `functools.partial` (as the CLI does)."""
    return getattr(solve, "func", solve) is solve_ours


def _preload_prover() -> None:
    for module in _PROVER_MODULES:
        importlib.import_module(module)


def solve_z3(problem: Problem, timeout: float) -> dict:
    """z3 alone as a decision procedure (see `ineq.z3_oracle.decide`): unsat -> `holds` (no
    certificate), sat -> `refuted` with z3's model (`confirmed` when the model is rational and our
    exact evaluator agrees), unknown -> `unknown`/`timeout`; exp, log, pi and variable exponents are
    `unsupported`."""
    from ineq.z3_oracle import Unsupported, decide

    start = time.monotonic()
    try:
        verdict = decide(problem, timeout)
    except Unsupported as error:
        return {"status": "unsupported", "seconds": time.monotonic() - start, "message": f"z3 baseline: {error}"}
    seconds = time.monotonic() - start
    if verdict.answer == "unsat":
        return {"status": "holds", "seconds": seconds, "message": "holds (z3, no certificate)"}
    if verdict.answer == "sat":
        return {"status": "refuted", "seconds": seconds, "message": "refuted by z3 (model of the negated goal)",
                "counterexample": verdict.values, "confirmed": verdict.confirmed}
    status = "timeout" if ("timeout" in verdict.reason or "canceled" in verdict.reason or seconds >= timeout) \
        else "unknown"
    return {"status": status, "seconds": seconds, "message": f"z3: {verdict.reason}"}


def solve_triples(problem: Problem, timeout: float) -> dict:
    """The GPL-3.0 `triples` package, run as a separate program in its own virtual environment
    (`scripts/setup_triples.sh`); our package never imports it."""
    import sympy

    if not TRIPLES_PYTHON.exists():
        return {"status": "error", "message": f"{TRIPLES_PYTHON} is missing: run scripts/setup_triples.sh"}
    request = {
        "variables": [sympy.srepr(v) for v in problem.variables],
        "assumptions": [{"lhs": sympy.srepr(a.lhs), "op": a.op, "rhs": sympy.srepr(a.rhs)} for a in problem.assumptions],
        "goal": {"lhs": sympy.srepr(problem.goal.lhs), "op": problem.goal.op, "rhs": sympy.srepr(problem.goal.rhs)},
        "timeout": timeout,
    }
    try:
        completed = subprocess.run([str(TRIPLES_PYTHON), str(TRIPLES_RUNNER)], input=json.dumps(request),
                                   capture_output=True, text=True, timeout=timeout + TRIPLES_STARTUP)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "seconds": timeout, "message": "triples did not return within its limit"}
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        return {"status": "error", "message": f"triples runner exit {completed.returncode}: {completed.stderr[-MESSAGE_LIMIT:]}"}
    return json.loads(lines[-1])


SOLVERS: dict[str, Callable[[Problem, float], dict]] = {"ours": solve_ours, "z3": solve_z3, "triples": solve_triples}


# ---- result files ------------------------------------------------------------------------------


def read_results(path: str | Path) -> list[dict]:
    """Every complete JSON record of a results file (a line cut short by a kill is ignored)."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "id" in record:
            records.append(record)
    return records


def done_ids(path: str | Path, solver: str) -> set[str]:
    """Ids that already have a record for `solver` in the results file (what a resumed run skips)."""
    return {r["id"] for r in read_results(path) if r.get("solver", "ours") == solver}


class ResultsAppender:
    """Appends one JSON line per record and flushes it at once, so a killed run keeps what it knew."""

    def __init__(self, path: Path | None):
        self.file = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            needs_newline = path.exists() and path.stat().st_size > 0 and not path.read_bytes().endswith(b"\n")
            self.file = path.open("a", encoding="utf-8")
            if needs_newline:  # a previous run was killed mid-line: start on a fresh line
                self.file.write("\n")

    def write(self, record: dict) -> None:
        if self.file is not None:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()
            os.fsync(self.file.fileno())

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


# ---- the worker pool ---------------------------------------------------------------------------


def _worker(solve: Callable[[Problem, float], dict], problem: Problem, timeout: float, conn) -> None:
    """Body of one worker process: its own process group, one message back, whatever happens."""
    os.setpgid(0, 0)
    start = time.monotonic()
    try:
        message = dict(solve(problem, timeout))
        message.setdefault("seconds", time.monotonic() - start)
    except BaseException as error:  # noqa: BLE001 - any failure of one problem becomes its record
        message = {"status": "error", "seconds": time.monotonic() - start,
                   "message": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-2000:]}
    conn.send(message)
    conn.close()


class _Running:
    def __init__(self, entry, process, conn, started: float):
        self.entry, self.process, self.conn, self.started = entry, process, conn, started


def _kill_group(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def make_record(entry, solver_name: str, timeout: float, outcome: dict) -> dict:
    """One line of the results file: the entry's id, collection, split and tags with a solver's outcome."""
    status = outcome.get("status", "error")
    if status not in STATUSES:
        outcome["message"] = f"solver returned unknown status {status!r}; " + str(outcome.get("message", ""))
        status = "error"
    record = {
        "id": entry.id, "collection": entry.collection, "split": entry.split, "solver": solver_name,
        "status": status, "seconds": round(float(outcome.get("seconds", 0.0)), 3), "limit": timeout,
        "nodes": outcome.get("nodes"), "tactics": outcome.get("tactics", []),
        "message": str(outcome.get("message", ""))[:MESSAGE_LIMIT],
    }
    for key in ("counterexample", "confirmed", "killed", "traceback", "verified"):
        if key in outcome:
            record[key] = outcome[key]
    try:
        record["tags"] = sorted(entry.tags.labels())
    except Exception as error:  # a tag failure must not lose the result
        record["tags"] = []
        record["tags_error"] = f"{type(error).__name__}: {error}"
    return record


def run_bench(entries, solver: str | Callable = "ours", timeout: float = 10.0, jobs: int = 2,
              out: str | Path | None = None, grace: float | None = None, progress: bool = True,
              solver_name: str | None = None) -> list[dict]:
    """Solve `entries` (CorpusEntry-like: id, collection, split, problem, tags) with `jobs` workers.

    A worker is killed at `timeout + grace` seconds; `grace` defaults to KILL_GRACE, plus TRIPLES_STARTUP
    for the triples baseline, whose separate interpreter imports sympy and triples before its limit starts.

    Entries whose id already has a record for this solver in `out` are skipped (resume). Returns the
    records of this run, in completion order; each is also appended to `out` when it is known.
    """
    if timeout <= 0:
        raise BenchError("--timeout must be positive")
    if jobs < 1:
        raise BenchError("--jobs must be at least 1")
    if callable(solver):
        solve, name = solver, solver_name or getattr(solver, "__name__", "custom")
    elif solver in SOLVERS:
        solve, name = SOLVERS[solver], solver_name or solver
    else:
        raise BenchError(f"unknown solver {solver!r}; choose one of {', '.join(SOLVERS)}")
    if grace is None:
        grace = KILL_GRACE + (TRIPLES_STARTUP if solve is solve_triples else 0.0)
    if _is_ours(solve):
        _preload_prover()
    out_path = Path(out) if out is not None else None
    skip = done_ids(out_path, name) if out_path is not None else set()
    pending = deque(e for e in entries if e.id not in skip)
    context = multiprocessing.get_context("fork")
    appender = ResultsAppender(out_path)
    records: list[dict] = []
    running: dict[object, _Running] = {}
    counts: Counter = Counter()
    bar = ProgressBar(len(pending), name, enabled=progress)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                entry = pending.popleft()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(solve, entry.problem, timeout, sender), daemon=False)
                process.start()
                sender.close()
                running[receiver] = _Running(entry, process, receiver, time.monotonic())
            now = time.monotonic()
            next_deadline = min(r.started + timeout + grace for r in running.values())
            ready = multiprocessing.connection.wait(list(running), timeout=max(0.0, min(next_deadline - now, 0.5)))
            finished = []
            for conn in ready:
                job = running.pop(conn)
                try:
                    outcome = conn.recv()
                except (EOFError, OSError):
                    job.process.join(1.0)
                    outcome = {"status": "error", "seconds": time.monotonic() - job.started,
                               "message": f"worker died without a result (exit code {job.process.exitcode})"}
                finished.append((job, outcome))
            now = time.monotonic()
            for conn, job in list(running.items()):
                if now >= job.started + timeout + grace:
                    del running[conn]
                    _kill_group(job.process)
                    finished.append((job, {"status": "timeout", "seconds": now - job.started, "killed": True,
                                           "message": f"killed at the hard limit ({timeout:g} s + {grace:g} s grace)"}))
            for job, outcome in finished:
                job.process.join(2.0)
                if job.process.is_alive():  # a worker that answered but hangs on exit
                    _kill_group(job.process)
                    job.process.join(2.0)
                job.conn.close()
                record = make_record(job.entry, name, timeout, outcome)
                appender.write(record)
                records.append(record)
                counts[record["status"]] += 1
                bar.advance(counts)
            bar.refresh()
    finally:
        for job in running.values():
            _kill_group(job.process)
            job.process.join(2.0)
        appender.close()
        bar.close()
    return records


class ProgressBar:
    """A rich progress bar with running counts, refreshed by hand: no refresh thread, so that forking
    workers never copies a lock held by another thread."""

    def __init__(self, total: int, solver: str, enabled: bool):
        self.progress = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[counts]}"),
                                 console=Console(stderr=True), auto_refresh=False)
        self.task = self.progress.add_task(f"bench ({solver})", total=total, counts="")
        self.progress.start()

    def advance(self, counts: Counter) -> None:
        if self.progress is not None:
            text = " ".join(f"{status} {counts[status]}" for status in STATUSES if counts[status])
            self.progress.update(self.task, advance=1, counts=text)

    def refresh(self) -> None:
        if self.progress is not None:
            self.progress.refresh()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.refresh()
            self.progress.stop()


# ---- summary -----------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def summary_rows(records: list[dict], key: Callable[[dict], list[str]]) -> list[dict]:
    """Rows per (solver, group) where `key(record)` lists the groups of a record: counts by status,
    median and 90th-percentile seconds of the solved problems, and tactic counts of the proofs."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for record in records:
        for group in key(record):
            groups.setdefault((record.get("solver", "ours"), group), []).append(record)
    rows = []
    for (solver, group), members in sorted(groups.items()):
        solved_seconds = [r["seconds"] for r in members if r["status"] in SOLVED]
        tactics = Counter(t for r in members if r["status"] == "proved" for t in r.get("tactics") or [])
        row = {"solver": solver, "group": group, "n": len(members),
               "median_s": statistics.median(solved_seconds) if solved_seconds else None,
               "p90_s": _percentile(solved_seconds, 0.9),
               "tactics": ", ".join(f"{t} {c}" for t, c in tactics.most_common())}
        row.update({status: sum(r["status"] == status for r in members) for status in STATUSES})
        rows.append(row)
    return rows


def _by_collection(record: dict) -> list[str]:
    return [record.get("collection", "?"), "ALL"]


def _by_tag(record: dict) -> list[str]:
    # degree=N has too many values to be a readable row; filter on it with --filter degree=N instead
    return [t for t in record.get("tags", []) if not t.startswith("degree=")]


def render_summary(records: list[dict], width: int = 160) -> str:
    """The two tables (by collection, by tag) as plain text, for the terminal and for logs."""
    from rich.console import Console
    from rich.table import Table

    console = Console(width=width, record=True, file=open(os.devnull, "w"))
    statuses = [s for s in STATUSES if any(r["status"] == s for r in records)] or ["proved"]
    for title, key in (("by collection", _by_collection), ("by tag", _by_tag)):
        table = Table(title=f"results {title}")
        for column in ["solver", "group", "n", *statuses, "median s (solved)", "p90 s (solved)", "tactics of proofs"]:
            table.add_column(column, justify="left" if column in ("solver", "group", "tactics of proofs") else "right")
        for row in summary_rows(records, key):
            cells = [row["solver"], row["group"], str(row["n"]), *(str(row[s]) for s in statuses),
                     _seconds(row["median_s"]), _seconds(row["p90_s"]), row["tactics"]]
            table.add_row(*cells)
        console.print(table)
    return console.export_text()


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_summary(records: list[dict]) -> None:
    sys.stdout.write(render_summary(records))
