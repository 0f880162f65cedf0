"""Run `ineq.search.search` (no refuter) on a fixed sample of train+dev problems, optionally side by side
with a snapshot of the package, and print proved counts, times and per-tactic statistics.

The sample never touches the test split (LIPS and every `test` entry are excluded). It is deterministic:
entries of the chosen collections and kinds are grouped by (collection, kind), each group is ordered by
sha256 of the id, and the groups are visited round-robin until `--size` problems are taken.

    nice -n 10 python scripts/dev_sample_bench.py --size 60 --timeout 10
    nice -n 10 python scripts/dev_sample_bench.py --compare /tmp/ineq_baseline   # before/after, one run

`--compare ROOT` runs the same sample a second time with the `ineq` package found under ROOT (a copy of
the package directory made before a change), so both columns come from the same machine load. Every
worker drops the loaded `ineq` modules and imports the search afresh (from ROOT or from this
repository), so both columns pay the same import time.

Each problem runs in its own worker (`ineq.bench.run_bench`) with a hard kill at the limit plus 2 s.
Per-tactic statistics (expansions, seconds spent inside the tactic, outcomes) come from the search's
trace and are passed back through a temporary directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ineq.bench import run_bench
from ineq.datasets import load_all_datasets

COLLECTIONS = ("ineq_comp", "ineqmath", "triples_vasile", "classics", "minif2f")
KINDS = ("polynomial", "rational", "radical")


def dev_sample(size: int) -> list:
    """The deterministic train+dev sample (see the module docstring)."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for entry in load_all_datasets():
        if entry.split == "test" or entry.collection not in COLLECTIONS:
            continue
        kind = entry.tags.kind
        if kind in KINDS:
            groups[(entry.collection, kind)].append(entry)
    ordered = [sorted(groups[key], key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())
               for key in sorted(groups)]
    chosen = []
    index = 0
    while len(chosen) < size and any(index < len(g) for g in ordered):
        for group in ordered:
            if index < len(group) and len(chosen) < size:
                chosen.append(group[index])
        index += 1
    return chosen


def _stats_path(directory: str, problem) -> Path:
    return Path(directory) / (hashlib.sha256(str(problem).encode()).hexdigest()[:20] + ".json")


def make_solver(stats_directory: str, root: str | None):
    """A `run_bench` solve function running the search from the live package, or from the package
    under `root`; either is imported afresh inside the forked worker (its import time is counted)."""

    def solve(problem, timeout: float) -> dict:
        started = time.monotonic()
        # Both columns import `ineq` afresh inside the worker, so that their times are comparable.
        for name in [n for n in sys.modules if n == "ineq" or n.startswith("ineq.")]:
            del sys.modules[name]
        sys.path.insert(0, root if root is not None else str(REPO))
        from ineq.problem import Problem, Relation
        from ineq.search import SearchStats, search
        from ineq.tactics.base import Deadline

        # Rebuild the statement with this package's classes (the parent made it with the live ones).
        problem = Problem(problem.variables,
                          tuple(Relation(a.lhs, a.op, a.rhs) for a in problem.assumptions),
                          Relation(problem.goal.lhs, problem.goal.op, problem.goal.rhs))
        stats = SearchStats()
        deadline = Deadline(started + timeout)
        per_tactic: dict[str, dict] = defaultdict(lambda: {"calls": 0, "seconds": 0.0, "outcomes": Counter()})

        try:
            proof = search(problem, deadline, stats=stats, prune_false_subgoals=False, record_trace=True)
        finally:
            for entry in stats.trace:
                row = per_tactic[entry["tactic"]]
                row["calls"] += 1
                row["seconds"] += entry["seconds"]
                row["outcomes"][entry["outcome"]] += 1
            _stats_path(stats_directory, problem).write_text(json.dumps(per_tactic))
        seconds = time.monotonic() - started
        if proof is None:
            return {"status": "timeout" if seconds >= timeout else "unknown", "seconds": seconds,
                    "nodes": stats.nodes}
        return {"status": "proved", "seconds": seconds, "nodes": stats.nodes, "tactics": proof.tactics}

    solve.__name__ = "baseline" if root is not None else "current"
    return solve


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def run(entries, timeout: float, jobs: int, root: str | None) -> tuple[dict, dict]:
    """Records by id and per-tactic totals for one solver."""
    with tempfile.TemporaryDirectory() as directory:
        solver = make_solver(directory, root)
        records = run_bench(entries, solver=solver, timeout=timeout, jobs=jobs, progress=False)
        totals: dict[str, dict] = defaultdict(lambda: {"calls": 0, "seconds": 0.0, "outcomes": Counter()})
        for entry in entries:
            path = _stats_path(directory, entry.problem)
            if not path.exists():
                continue  # killed at the hard limit before writing
            for tactic, row in json.loads(path.read_text()).items():
                totals[tactic]["calls"] += row["calls"]
                totals[tactic]["seconds"] += row["seconds"]
                totals[tactic]["outcomes"].update(row["outcomes"])
    return {r["id"]: r for r in records}, totals


def report(name: str, entries, records: dict, totals: dict) -> None:
    proved = [records[e.id] for e in entries if records.get(e.id, {}).get("status") == "proved"]
    print(f"\n== {name}: proved {len(proved)}/{len(entries)}; median seconds of proved "
          f"{_median([r['seconds'] for r in proved])}")
    by_group = Counter()
    of_group = Counter()
    for entry in entries:
        key = f"{entry.collection}/{entry.tags.kind}"
        of_group[key] += 1
        by_group[key] += records.get(entry.id, {}).get("status") == "proved"
    for key in sorted(of_group):
        print(f"  {key:32s} {by_group[key]:3d}/{of_group[key]}")
    closers = Counter(r["tactics"][0] for r in proved if r.get("tactics"))
    print("  proofs by outermost tactic:", dict(closers.most_common()))
    print(f"  {'tactic':16s} {'calls':>6s} {'seconds':>8s}  outcomes")
    for tactic, row in sorted(totals.items(), key=lambda item: -item[1]["seconds"]):
        print(f"  {tactic:16s} {row['calls']:6d} {row['seconds']:8.1f}  {dict(row['outcomes'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--compare", default=None, help="directory holding a snapshot `ineq` package")
    parser.add_argument("--only", default=None, help="comma-separated ids to run instead of the sample")
    parser.add_argument("--out", default=None, help="write all records as JSON lines here")
    arguments = parser.parse_args()
    # Heavy libraries are imported once here, before the workers fork, so that neither column pays for
    # them per problem (the baseline worker re-imports only `ineq` itself).
    import cvxpy  # noqa: F401
    import scipy.optimize  # noqa: F401

    import ineq.search  # noqa: F401
    entries = dev_sample(arguments.size)
    if arguments.only:
        wanted = set(arguments.only.split(","))
        entries = [e for e in load_all_datasets() if e.id in wanted and e.split != "test"]
    solvers = [("current", None)]
    if arguments.compare:
        solvers.insert(0, ("baseline", os.path.abspath(arguments.compare)))
    results = {}
    for name, root in solvers:
        results[name] = run(entries, arguments.timeout, arguments.jobs, root)
        report(name, entries, *results[name])
    if len(results) == 2:
        before, after = results["baseline"][0], results["current"][0]
        gained = [e.id for e in entries if after.get(e.id, {}).get("status") == "proved"
                  and before.get(e.id, {}).get("status") != "proved"]
        lost = [e.id for e in entries if before.get(e.id, {}).get("status") == "proved"
                and after.get(e.id, {}).get("status") != "proved"]
        print(f"\ngained {len(gained)}: {gained}\nlost {len(lost)}: {lost}")
    print("\nper problem:")
    for entry in entries:
        cells = []
        for name in results:
            record = results[name][0].get(entry.id, {})
            cells.append(f"{name}={record.get('status', '?')}:{record.get('seconds', 0):.1f}s"
                         f"{'/' + '+'.join(record.get('tactics') or []) if record.get('tactics') else ''}")
        print(f"  {entry.id:40s} {entry.tags.kind:10s} " + "  ".join(cells))
    if arguments.out:
        with open(arguments.out, "w") as handle:
            for name in results:
                for record in results[name][0].values():
                    handle.write(json.dumps(dict(record, solver=name)) + "\n")


if __name__ == "__main__":
    main()
