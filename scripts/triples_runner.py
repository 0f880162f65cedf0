#!/usr/bin/env python3
"""Run the GPL-3.0 `triples` prover on one problem: a separate program for `ineq bench --baseline triples`.

Executed ONLY with the interpreter of `.venv-triples` (made by scripts/setup_triples.sh); it imports
triples and sympy there and nothing from `ineq`. Reads one JSON request on stdin:

    {"variables": [srepr, ...], "assumptions": [{"lhs": srepr, "op": ">=", "rhs": srepr}, ...],
     "goal": {"lhs": srepr, "op": ">=", "rhs": srepr}, "timeout": seconds}

and prints one JSON line: {"status", "seconds", "message", "tactics"}. The goal lhs - rhs (flipped for
<=) is passed to `triples.sum_of_squares` with the inequality assumptions as `ineq_constraints` (strict
ones as non-strict: a proof under weaker assumptions still holds) and the equalities as
`eq_constraints`. A solution whose identity holds counts as `proved` (`verified` says how: "symbolic",
triples' own `is_equal`, or "numeric", 25 digits at 5 random positive points when `is_equal` is
inconclusive, as it is for radicals); for a strict goal it only proves the non-strict version, which is
reported as `unknown`.
"""

import json
import signal
import sys
import time


class _OutOfTime(Exception):
    pass


def _alarm(signum, frame):
    raise _OutOfTime()


def main() -> None:
    request = json.loads(sys.stdin.read())
    import sympy
    from triples import sum_of_squares

    def relation(item):
        lhs, rhs = sympy.sympify(item["lhs"]), sympy.sympify(item["rhs"])
        op = item["op"]
        return (lhs - rhs, op) if op in (">=", ">", "=") else (rhs - lhs, {"<=": ">=", "<": ">"}[op])

    goal, goal_op = relation(request["goal"])
    normalized = [relation(a) for a in request["assumptions"]]
    inequalities = [g for g, op in normalized if op != "="]
    equalities = [g for g, op in normalized if op == "="]
    timeout = float(request["timeout"])
    signal.signal(signal.SIGALRM, _alarm)  # stops Python code; the caller kills us if C code hangs
    signal.setitimer(signal.ITIMER_REAL, timeout)
    start = time.monotonic()
    try:
        solution = sum_of_squares(goal, inequalities, equalities, time_limit=timeout)
    except _OutOfTime:
        print(json.dumps({"status": "timeout", "seconds": time.monotonic() - start, "message": "triples: time limit"}))
        return
    except Exception as error:  # triples' own failure on this input
        print(json.dumps({"status": "error", "seconds": time.monotonic() - start,
                          "message": f"triples raised {type(error).__name__}: {str(error)[:200]}"}))
        return
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds = time.monotonic() - start
    if solution is None:
        status = "timeout" if seconds >= timeout else "unknown"
        print(json.dumps({"status": status, "seconds": seconds, "message": "triples found no SOS certificate"}))
        return
    verified = "symbolic" if getattr(solution, "is_equal", False) else _numerically_equal(sympy, solution)
    if not verified:
        status, message = "unknown", "triples returned a solution that failed the identity check"
    elif goal_op == ">":
        status, message = "unknown", "triples proved only the non-strict version of a strict goal"
    else:
        status = "proved"
        message = f"SOS certificate (identity checked {verified}ally by this runner's triples/sympy, not by our kernel)"
    print(json.dumps({"status": status, "seconds": seconds, "message": message, "tactics": ["triples-sos"],
                      "verified": verified}))


def _numerically_equal(sympy, solution):
    """'numeric' when the solution's identity holds to 25 digits at 5 random positive points: triples'
    own symbolic check (`is_equal`) fails on correct radical identities such as (sqrt(x)-sqrt(y))^2 with
    real symbols, and its documentation suggests sampling instead. None when it does not hold."""
    import random

    equation = solution.as_eq()
    difference = (equation.lhs - equation.rhs).doit()
    symbols = sorted(difference.free_symbols, key=lambda s: s.name)
    rng = random.Random(0)
    for _ in range(5):
        point = {s: sympy.Rational(rng.randint(1, 1000), rng.randint(1, 1000)) for s in symbols}
        value = sympy.N(difference.subs(point), 30)
        if not value.is_number or abs(complex(value)) > 1e-25:
            return None
    return "numeric"


if __name__ == "__main__":
    main()
