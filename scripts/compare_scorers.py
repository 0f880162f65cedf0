"""Compare search scorers (policy / heuristic / uniform) at fixed node and wall-clock budgets.

Every (problem, scorer) pair is one call of `ineq.search.search` in its own forked process with a hard
kill (`ineq.policy.train.run_searches`), jobs interleaved in blocks of problems so that every scorer sees
the same machine load. One run per pair, with `--seconds` of wall time and `--max-nodes` expansions:
the search is best-first and deterministic in its order of expansions, so the first N expansions of
that run are exactly a run with budget N, and "proved within N expansions" is read off the number of
expansions the proof needed (all within the same wall-clock limit).

    nice -n 10 python scripts/compare_scorers.py --split test --sample 90 --seconds 6 \
        --out docs/figures/policy_compare_test.json --figure docs/figures/policy_budgets.png

A scorer is `heuristic`, `uniform`, `policy` or `policy:PRIOR_SCALE:VALUE_SCALE[:sigmoid|softmax]` (the
policy with other score settings; used on dev to choose them). `--latency` also times one scorer call per goal in-process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def make_scorer(spec: str, checkpoint: str | None):
    from ineq.policy import get_scorer
    from ineq.policy.scorer import PolicyScorer

    if not spec.startswith("policy:"):
        return get_scorer(spec, checkpoint) if spec == "policy" else get_scorer(spec)
    _, prior, value, *kind = spec.split(":")
    base = get_scorer("policy", checkpoint)
    return PolicyScorer(base.model, base.tactic_names, float(prior), float(value), *(kind or [base.prior_kind]))


def summarize(results: list, budgets: list[int], seconds_budgets: list[float], seconds: float) -> dict:
    proved = [r for r in results if r.proved]
    row = {"problems": len(results), "proved": len(proved), "killed": sum(r.killed for r in results),
           "errors": sum(r.error is not None for r in results)}
    for budget in budgets:
        row[f"proved@{budget}nodes"] = sum(r.proved and r.nodes <= budget for r in results)
    for limit in seconds_budgets:
        row[f"proved@{limit:g}s"] = sum(r.proved and r.seconds <= limit for r in results)
    row["median_nodes_per_proved"] = statistics.median(r.nodes for r in proved) if proved else None
    row["mean_nodes_per_proved"] = round(statistics.mean(r.nodes for r in proved), 2) if proved else None
    row["median_seconds_per_proved"] = round(statistics.median(r.seconds for r in proved), 3) if proved else None
    row["mean_seconds_per_proved"] = round(statistics.mean(r.seconds for r in proved), 3) if proved else None
    return row


def paired(results: dict, first: str, second: str) -> dict:
    """On the problems both scorers proved: median expansions of each and the median ratio."""
    both = [(a, b) for a, b in zip(results[first], results[second]) if a.proved and b.proved]
    if not both:
        return {"common": 0}
    return {"common": len(both), f"median_nodes_{first}": statistics.median(a.nodes for a, _ in both),
            f"median_nodes_{second}": statistics.median(b.nodes for _, b in both),
            "median_ratio": round(statistics.median(b.nodes / a.nodes for a, b in both), 3),
            f"median_seconds_{first}": round(statistics.median(a.seconds for a, _ in both), 3),
            f"median_seconds_{second}": round(statistics.median(b.seconds for _, b in both), 3)}


def latency(scorers: dict, problems: list) -> dict:
    """Per-call wall time (ms) of each scorer on each problem's root goal, in this process."""
    from ineq.tactics import TACTICS

    names = list(TACTICS)
    timings = {}
    for spec, scorer in scorers.items():
        scorer(problems[0], names)  # warm-up (first torch call)
        samples = []
        for problem in problems:
            start = time.perf_counter()
            scorer(problem, names)
            samples.append(1000 * (time.perf_counter() - start))
        samples.sort()
        timings[spec] = {"median_ms": round(statistics.median(samples), 3),
                         "p90_ms": round(samples[int(0.9 * (len(samples) - 1))], 3), "calls": len(samples)}
    return timings


def figure(results: dict, max_nodes: int, seconds: float, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    node_grid = list(range(1, max_nodes + 1))
    time_grid = [seconds * i / 100 for i in range(1, 101)]
    for spec, rows in results.items():
        left.step(node_grid, [sum(r.proved and r.nodes <= n for r in rows) for n in node_grid], where="post", label=spec)
        right.plot(time_grid, [sum(r.proved and r.seconds <= t for r in rows) for t in time_grid], label=spec)
    left.set_xscale("log")
    left.set(xlabel="node budget (expansions)", ylabel="problems proved", title=title)
    right.set(xlabel="wall-clock budget (s)", ylabel="problems proved", title=title)
    for axis in (left, right):
        axis.grid(alpha=0.3)
        axis.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="test", choices=("train", "dev", "test"))
    parser.add_argument("--sample", type=int, default=0, help="deterministic sample size (0: the whole split)")
    parser.add_argument("--scorers", default="policy,heuristic,uniform")
    parser.add_argument("--checkpoint", default=None, help="policy checkpoint (default checkpoints/policy.pt)")
    parser.add_argument("--seconds", type=float, default=6.0, help="wall-clock budget per search")
    parser.add_argument("--max-nodes", type=int, default=400, help="expansion budget per search")
    parser.add_argument("--budgets", default="5,20,80", help="node budgets to report")
    parser.add_argument("--seconds-budgets", default="1,2", help="smaller wall-clock budgets to report")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency", action="store_true", help="also time one scorer call per problem")
    parser.add_argument("--out", type=Path, default=None, help="write every result and the summary as JSON")
    parser.add_argument("--figure", type=Path, default=None, help="proved-vs-budget figure (png)")
    args = parser.parse_args(argv)

    import torch

    from ineq.datasets import load_all_datasets, sample
    from ineq.policy.train import run_searches

    torch.set_num_threads(1)  # searches are forked from here
    entries = [e for e in load_all_datasets() if e.split == args.split and e.collection != "false_statements"]
    if args.sample:
        entries = sample(entries, args.sample)
    specs = [s.strip() for s in args.scorers.split(",") if s.strip()]
    scorers = {spec: make_scorer(spec, args.checkpoint) for spec in specs}
    budgets = [int(b) for b in args.budgets.split(",")]
    seconds_budgets = [float(s) for s in args.seconds_budgets.split(",") if s] + [args.seconds]
    results: dict[str, list] = {spec: [] for spec in specs}
    started = time.monotonic()
    total = len(entries) * len(specs)
    done = [0]

    def report(result) -> None:
        done[0] += 1
        if done[0] % 20 == 0:
            print(f"  {done[0]}/{total} searches, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)

    jobs = [(entry.id, entry.problem) for entry in entries]
    # Interleaved in blocks of problems, every scorer in turn, so that they all see the same machine load.
    block = max(1, args.workers * 4)
    for start in range(0, len(entries), block):
        for spec in specs:
            results[spec] += run_searches(jobs[start:start + block], scorers[spec], args.seconds,
                                          args.max_nodes, workers=args.workers, on_result=report)
    elapsed = time.monotonic() - started
    summary = {"split": args.split, "sample": len(entries), "seconds": args.seconds, "max_nodes": args.max_nodes,
               "workers": args.workers, "elapsed_seconds": round(elapsed, 1),
               "collections": sorted({e.collection for e in entries}),
               "scorers": {spec: summarize(rows, budgets, seconds_budgets, args.seconds) for spec, rows in results.items()}}
    if "policy" in specs:
        summary["paired_vs_policy"] = {spec: paired(results, "policy", spec) for spec in specs if spec != "policy"}
    if args.latency:
        summary["latency"] = latency(scorers, [entry.problem for entry in entries])
    print(json.dumps(summary, indent=1))
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        per_problem = {spec: [{"id": r.id, "proved": r.proved, "nodes": r.nodes, "seconds": round(r.seconds, 3),
                               "killed": r.killed, "tactics": r.tactics} for r in rows] for spec, rows in results.items()}
        args.out.write_text(json.dumps({"summary": summary, "results": per_problem}, indent=1) + "\n")
    if args.figure is not None:
        figure(results, args.max_nodes, args.seconds, args.figure, f"{args.split} ({len(entries)} problems)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
