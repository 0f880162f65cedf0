"""The `ineq` command line.

Start-up matters (a one-line proof should take well under 2 s), so heavy modules are imported inside
the commands that need them, and `ineq check` loads the kernel only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

EXAMPLES = """
Examples:

  ineq prove "a^2+b^2>=2ab"

  ineq prove "a,b,c>0 => a/(b+c)+b/(c+a)+c/(a+b) >= 3/2" --format markdown

  ineq prove "x,y,z>=0, x+y+z=1 => x*y+y*z+z*x-2*x*y*z <= 7/27" --json --timeout 30

  ineq prove "a,b>0 => (a+b)/2 >= sqrt(ab)" --save proof.json ; ineq check proof.json

Exit status: 0 proved, 1 refuted, 2 unknown (gave up or timed out), 3 bad input.
"""

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="An automated prover for olympiad inequalities with a small trusted kernel.",
                  epilog=EXAMPLES)


@app.command(epilog=EXAMPLES)
def prove(
    problem: str = typer.Argument(..., help='The statement, e.g. "a,b,c>0 => a/(b+c)+b/(c+a)+c/(a+b) >= 3/2".'),
    timeout: float = typer.Option(10.0, "--timeout", "-t", help="Hard wall-clock limit in seconds."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of text."),
    fmt: str = typer.Option("text", "--format", "-f", help="Proof format: text, markdown or latex."),
    save: Optional[Path] = typer.Option(None, "--save", help="Write a proof file that `ineq check` re-verifies."),
    scorer: str = typer.Option("heuristic", "--scorer",
                               help="Search guidance: heuristic, policy (learned, checkpoints/policy.pt) or uniform."),
    max_nodes: int = typer.Option(1200, "--max-nodes", help="Most search expansions."),
) -> None:
    """Prove PROBLEM, or find a counterexample, or say honestly that it is unknown."""
    from ineq.parse import parse_problem
    from ineq.policy import SCORER_NAMES
    from ineq.prover import proof_file_document, prove as run_prover
    from ineq.render import FORMATS, render

    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}", as_json)
    if timeout <= 0:
        _fail("--timeout must be positive", as_json)
    if scorer not in SCORER_NAMES:
        _fail(f"unknown --scorer {scorer!r}; choose one of {', '.join(SCORER_NAMES)}", as_json)
    if max_nodes < 1:
        _fail("--max-nodes must be at least 1", as_json)
    result = run_prover(problem, timeout=timeout, scorer=scorer, max_nodes=max_nodes)
    parsed = parse_problem(problem) if result.status == "proved" else None  # parsed fine inside the prover
    if parsed is not None and save is not None:
        try:
            save.write_text(json.dumps(proof_file_document(result, parsed), indent=1) + "\n")
        except OSError as error:  # the proof is still printed below; only the file is lost
            print(f"error: cannot write {save}: {error.strerror}", file=sys.stderr)
            save = None
    if as_json:
        print(json.dumps(result.to_json(), indent=1))
        raise typer.Exit(result.exit_code)
    if result.status == "proved":
        from ineq.kernel import certificate_from_json

        certificate = certificate_from_json(result.proof["certificate"])
        print(render(parsed, certificate, result.proof["explanation"], fmt))
        print(f"\nproved in {result.seconds:.2f} s (tactics: {', '.join(result.proof['tactics'])})")
        if save is not None:
            print(f"proof saved to {save}; re-check it with: ineq check {save}")
    elif result.status == "refuted":
        values = ", ".join(f"{k} = {v}" for k, v in result.counterexample["values"].items())
        print(f"refuted: the statement is false at {values}")
        print(f"  left side  = {result.counterexample['lhs']}  (~{result.counterexample['lhs_approx']:.6g})")
        print(f"  right side = {result.counterexample['rhs']}  (~{result.counterexample['rhs_approx']:.6g})")
        print(f"  ({result.message}; {result.seconds:.2f} s)")
    elif result.status == "unknown":
        print(f"unknown: {result.message} ({result.seconds:.2f} s)")
    else:
        print(f"error: {result.message}", file=sys.stderr)
    raise typer.Exit(result.exit_code)


@app.command()
def check(paths: List[Path] = typer.Argument(..., help="Proof files written by `ineq prove --save`.")) -> None:
    """Re-verify saved proofs with the trusted kernel alone (no search code is loaded)."""
    from ineq.kernel.__main__ import check_files

    raise typer.Exit(check_files([str(p) for p in paths]))


def _fail(message: str, as_json: bool) -> None:
    if as_json:
        print(json.dumps({"status": "error", "seconds": 0.0, "problem": "", "message": message}))
    else:
        print(f"error: {message}", file=sys.stderr)
    raise typer.Exit(3)


def main() -> None:
    app()


@app.command()
def bench(
    datasets: List[str] = typer.Argument(..., help="Dataset files or names (e.g. datasets/lips_suite.ineq, lips_chenneq)."),
    timeout: float = typer.Option(10.0, "--timeout", "-t", help="Wall-clock limit per problem in seconds."),
    jobs: int = typer.Option(2, "--jobs", "-j", help="Problems solved at once (one worker process each); "
                             "ignored with --ray."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="JSONL results file; re-running resumes it."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="Run a baseline instead of ours: z3 or triples."),
    filters: List[str] = typer.Option([], "--filter", help="KEY=V1,V2 with KEY collection, id, tag, split, kind, "
                                      "symmetry, vars or degree; repeat to combine (all must match)."),
    sample_size: Optional[int] = typer.Option(None, "--sample", help="Run a deterministic sample of N problems."),
    no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar (for logs)."),
    scorer: str = typer.Option("heuristic", "--scorer", help="Search guidance for ours: heuristic, policy or uniform."),
    max_nodes: int = typer.Option(1200, "--max-nodes", help="Most search expansions per problem (ours)."),
    ray_address: Optional[str] = typer.Option(
        None, "--ray", metavar="ADDRESS",
        help="Run each problem as a Ray task: auto (the running cluster), HOST:PORT (its head node) or local (a "
             "throwaway instance on this machine). Ray decides concurrency from the cluster's CPUs, so --jobs "
             'is ignored. Needs pip install -e ".[cluster]"; see docs/bench.md.'),
) -> None:
    """Run the prover (or a baseline) over dataset problems and print tables by collection and by tag."""
    import functools

    from ineq.bench import BenchError, read_results, render_summary, run_bench, solve_ours
    from ineq.datasets import DatasetError, load_datasets, parse_filter, sample, select
    from ineq.parse import ParseError

    try:
        entries = select(load_datasets(datasets), [parse_filter(f) for f in filters])
        if sample_size is not None:
            entries = sample(entries, sample_size)
        from ineq.policy import SCORER_NAMES

        if scorer not in SCORER_NAMES:
            raise BenchError(f"unknown --scorer {scorer!r}; choose one of {', '.join(SCORER_NAMES)}")
        if baseline is None:
            solver = "ours" if scorer == "heuristic" else f"ours-{scorer}"
            solve = functools.partial(solve_ours, scorer=scorer, max_nodes=max_nodes)
        else:
            solver = solve = baseline
        if ray_address is None:
            records = run_bench(entries, solver=solve, solver_name=solver, timeout=timeout, jobs=jobs, out=out,
                                progress=not no_progress)
        else:
            from ineq.bench_ray import run_bench_ray

            records = run_bench_ray(entries, solver=solve, solver_name=solver, timeout=timeout, address=ray_address,
                                    out=out, progress=not no_progress)
    except (BenchError, DatasetError, ParseError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise typer.Exit(3)
    if out is not None:  # the table covers the whole file for this solver, resumed records included
        ids = {e.id for e in entries}
        records = [r for r in read_results(out) if r.get("solver") == solver and r["id"] in ids]
    print(render_summary(records), end="")
    print(f"{len(records)} problems; results in {out}" if out is not None else f"{len(records)} problems")


@app.command()
def datasets(
    directory: Optional[Path] = typer.Option(None, "--dir", help="Folder of dataset files (default: datasets/)."),
) -> None:
    """List every dataset file with its problem count, then the total (suite files are not counted twice)."""
    from ineq.datasets import DATASETS_DIR, DatasetError, dataset_summary
    from ineq.parse import ParseError

    try:
        rows = dataset_summary(directory or DATASETS_DIR)
    except (DatasetError, ParseError) as error:
        print(f"error: {error}", file=sys.stderr)
        raise typer.Exit(3)
    for row in rows:
        kind = "suite of " + str(row.count) if row.suite else str(row.count)
        print(f"{row.path.name:28s} {kind:>14s}  {row.collection}  ({row.license})")
    print(f"total {sum(row.count for row in rows if not row.suite)}")
