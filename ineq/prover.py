"""`prove(statement, timeout)`: parse, then race the refuter against the proof search, under a hard
wall-clock limit.

Both run in forked child processes so that the limit holds even while a solver is inside C code:
the parent waits on their pipes and kills whatever is still running at the deadline. A `proved`
result is re-checked here by the kernel from the JSON it will be saved as, so what a user saves is
exactly what was checked.
"""

from __future__ import annotations

import functools
import multiprocessing
import multiprocessing.connection
import os
import time
import traceback
from dataclasses import dataclass, field

from ineq.kernel import certificate_from_json, check, proof_document
from ineq.parse import ParseError, parse_problem
from ineq.problem import Problem

STATUSES = ("proved", "refuted", "unknown", "error")
EXIT_CODES = {"proved": 0, "refuted": 1, "unknown": 2, "error": 3}
# Seconds given to a child to exit after it is killed.
_KILL_GRACE = 0.5
REFUTER_SHARE = 0.25
REFUTER_MIN_SECONDS = 1.0
_REFUTER_NICENESS = 10  # added to the refuter process's nice value (lower priority than the search)


@dataclass
class Result:
    """What `ineq prove` reports; `to_json()` is exactly the CLI's `--json` object."""

    status: str
    seconds: float
    problem: str
    message: str
    proof: dict | None = None
    counterexample: dict | None = None
    extra: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_json(self) -> dict:
        data = {"status": self.status, "seconds": round(self.seconds, 3), "problem": self.problem,
                "message": self.message}
        if self.proof is not None:
            data["proof"] = self.proof
        if self.counterexample is not None:
            data["counterexample"] = self.counterexample
        data.update(self.extra)
        return data


def prove(statement: str | Problem, timeout: float = 10.0, scorer: str = "heuristic", max_nodes: int = 1200) -> Result:
    """Prove, refute or give up on `statement` within `timeout` seconds of wall time.

    `scorer` names the search guidance (`ineq.policy.SCORER_NAMES`); `max_nodes` caps its expansions.
    """
    start = time.monotonic()
    try:
        problem = parse_problem(statement) if isinstance(statement, str) else statement
    except ParseError as error:
        return Result("error", time.monotonic() - start, str(statement), str(error))
    deadline = start + timeout
    context = multiprocessing.get_context("fork")
    workers = {name: _start(context, target, problem, deadline)
               for name, target in (("prover", functools.partial(_prove_worker, scorer=scorer, max_nodes=max_nodes)),
                                    ("refuter", _refute_worker))}
    outcome: dict | None = None
    failures = []
    search_nodes = None  # expansions of a search that ended without a proof
    try:
        while workers and outcome is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready = multiprocessing.connection.wait([conn for _, conn in workers.values()], timeout=remaining)
            for name, (process, conn) in list(workers.items()):
                if conn not in ready:
                    continue
                try:
                    message = conn.recv()
                except EOFError:
                    message = {"kind": "crash", "message": f"{name} process died (exit code {process.exitcode})"}
                del workers[name]
                if message["kind"] in ("proved", "refuted"):
                    outcome = message
                    break
                if message["kind"] == "crash":
                    failures.append(message["message"])
                if name == "prover" and "nodes" in message:
                    search_nodes = message["nodes"]
    finally:
        for process, _ in workers.values():
            process.kill()
        for process, _ in workers.values():
            process.join(_KILL_GRACE)
    seconds = time.monotonic() - start
    if outcome is not None and outcome["kind"] == "proved":
        return _proved_result(problem, outcome, seconds)
    if outcome is not None:
        return Result("refuted", seconds, str(problem), "counterexample confirmed exactly: " + outcome["method"],
                      counterexample=outcome["counterexample"])
    if seconds >= timeout:
        message = f"gave up: time limit of {timeout:g} s reached"
    else:
        message = "gave up: no tactic found a proof and no counterexample was found"
    if failures:
        message += "; internal failures: " + " | ".join(failures)
    extra = {} if search_nodes is None else {"nodes": search_nodes}
    return Result("unknown", seconds, str(problem), message, extra=extra)


def _proved_result(problem: Problem, outcome: dict, seconds: float) -> Result:
    certificate = certificate_from_json(outcome["certificate"])
    verdict = check(problem, certificate)
    if not verdict.ok:  # never report `proved` without the kernel's word on the exact saved form
        return Result("unknown", seconds, str(problem), f"the kernel rejected the proof found: {verdict.reason}")
    proof = {"tactics": outcome["tactics"], "explanation": outcome["explanation"], "steps": outcome["steps"],
             "certificate": outcome["certificate"], "nodes": outcome["nodes"]}
    return Result("proved", seconds, str(problem), "kernel-checked certificate", proof=proof)


def proof_file_document(result: Result, problem: Problem) -> dict:
    """The JSON of a proof file for a proved result (what `--save` writes and `ineq check` reads)."""
    certificate = certificate_from_json(result.proof["certificate"])
    return proof_document(problem, certificate, tactics=result.proof["tactics"], steps=result.proof["steps"])


def _start(context, target, problem: Problem, deadline: float):
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_guarded, args=(target, problem, deadline, sender), daemon=True)
    process.start()
    sender.close()
    return process, receiver


def _guarded(target, problem: Problem, deadline: float, conn) -> None:
    """Run a worker and always send one message, turning any exception into a 'crash' report."""
    try:
        message = target(problem, deadline)
    except Exception as error:  # a bug in untrusted code must not lose the other worker's answer
        message = {"kind": "crash", "message": f"{type(error).__name__}: {error}",
                   "traceback": traceback.format_exc()}
    conn.send(message)
    conn.close()


def _prove_worker(problem: Problem, deadline: float, scorer: str = "heuristic", max_nodes: int = 1200) -> dict:
    from ineq.policy import get_scorer
    from ineq.render import render
    from ineq.search import SearchStats, search
    from ineq.tactics.base import Deadline

    stats = SearchStats()
    proof = search(problem, Deadline(deadline), scorer=get_scorer(scorer), max_nodes=max_nodes, stats=stats)
    if proof is None:
        return {"kind": "unknown", "nodes": stats.nodes}
    return {"kind": "proved", "certificate": proof.certificate.to_json(), "tactics": proof.tactics,
            "steps": render(problem, proof.certificate, proof.explanation, "text").splitlines(),
            "explanation": proof.explanation, "nodes": stats.nodes}


def _refute_worker(problem: Problem, deadline: float) -> dict:
    from ineq.refute import refute

    # The refuter shares the CPU with the search; false olympiad statements almost always fall within a
    # second (all 26 of shared/data/false_statements.jsonl in under 0.2 s), so it gets a quarter of
    # the time (at least 1 s) and then leaves the cores to the search. It also runs at a lower
    # priority: on a free core nothing changes, but where the cores are busy (a benchmark with one run
    # per core) the search keeps its speed instead of sharing its core with the refuter.
    os.nice(_REFUTER_NICENESS)
    remaining = max(0.0, deadline - time.monotonic())
    counterexample = refute(problem, timeout=min(remaining, max(REFUTER_MIN_SECONDS, REFUTER_SHARE * remaining)))
    if counterexample is None:
        return {"kind": "unknown"}
    return {"kind": "refuted", "counterexample": counterexample.to_json(), "method": counterexample.method}
