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
) -> None:
    """Prove PROBLEM, or find a counterexample, or say honestly that it is unknown."""
    from ineq.parse import parse_problem
    from ineq.prover import proof_file_document, prove as run_prover
    from ineq.render import FORMATS, render

    if fmt not in FORMATS:
        _fail(f"unknown --format {fmt!r}; choose one of {', '.join(FORMATS)}", as_json)
    if timeout <= 0:
        _fail("--timeout must be positive", as_json)
    result = run_prover(problem, timeout=timeout)
    if result.status == "proved" and save is not None:
        document = proof_file_document(result, parse_problem(problem))
        save.write_text(json.dumps(document, indent=1) + "\n")
    if as_json:
        print(json.dumps(result.to_json(), indent=1))
        raise typer.Exit(result.exit_code)
    if result.status == "proved":
        from ineq.kernel import certificate_from_json

        certificate = certificate_from_json(result.proof["certificate"])
        print(render(parse_problem(problem), certificate, result.proof["explanation"], fmt))
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
