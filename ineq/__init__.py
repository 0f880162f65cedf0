"""ineq: an automated prover for olympiad inequalities whose proofs a small exact kernel checks.

    >>> import ineq
    >>> result = ineq.prove("a^2+b^2>=2ab")       # doctest: +SKIP
    >>> result.status, result.to_json()["proof"]["tactics"]  # doctest: +SKIP
"""

__version__ = "0.1.0"


def prove(statement, timeout: float = 10.0):
    """Prove, refute or give up on `statement` (text or Problem) within `timeout` seconds.

    Returns an `ineq.prover.Result`; `result.to_json()` is the object `ineq prove --json` prints.
    """
    from ineq.prover import prove as run_prover

    return run_prover(statement, timeout=timeout)
