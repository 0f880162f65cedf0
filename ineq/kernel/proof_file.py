"""Proof files: the JSON that `ineq prove --save` writes and `ineq check` re-verifies.

The kernel reads only `format`, `problem` and `certificate`; everything else in the file (the rendered
steps, timings) is for people and is ignored when checking.
"""

from __future__ import annotations

import json
from pathlib import Path

from ineq.kernel.certificates import Certificate, CertificateFormatError, certificate_from_json, relation_from_json
from ineq.problem import Problem, var, variable_sort_key

FORMAT = "ineq-proof/1"


def problem_from_json(data: dict) -> Problem:
    """Rebuild a Problem from `Problem.to_json()` output with the kernel's own expression reader."""
    try:
        names = sorted(data["variables"], key=variable_sort_key)
        return Problem(tuple(var(n) for n in names),
                       tuple(relation_from_json(a) for a in data["assumptions"]),
                       relation_from_json(data["goal"]), text=str(data.get("text", "")))
    except (KeyError, TypeError, ValueError) as error:
        raise CertificateFormatError(f"malformed problem: {type(error).__name__}: {error}") from None


def load_proof(path: str | Path) -> tuple[Problem, Certificate]:
    """Read a proof file; raise CertificateFormatError (with the reason) if it is not one."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CertificateFormatError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CertificateFormatError(f"{path} is not an {FORMAT} proof file")
    if not isinstance(data.get("certificate"), dict):
        raise CertificateFormatError(f"{path} holds no certificate")
    return problem_from_json(data["problem"]), certificate_from_json(data["certificate"])


def proof_document(problem: Problem, certificate: Certificate, **extra) -> dict:
    """The JSON object of a proof file; `extra` (rendered steps, seconds, ...) is stored as is."""
    return {"format": FORMAT, "problem": problem.to_json(), "certificate": certificate.to_json(), **extra}
