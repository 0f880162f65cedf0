"""`python -m ineq.kernel proof.json`: re-check saved proofs with the kernel alone.

Exit status 0 when every file checks, 1 when one is rejected, 3 when one cannot be read.
"""

from __future__ import annotations

import sys

from ineq.kernel import CertificateFormatError, check, load_proof


def check_files(paths: list[str]) -> int:
    status = 0
    for path in paths:
        try:
            problem, certificate = load_proof(path)
        except CertificateFormatError as error:
            print(f"{path}: error: {error}")
            status = max(status, 3)
            continue
        verdict = check(problem, certificate)
        word = "verified" if verdict.ok else "REJECTED"
        print(f"{path}: {word}: {problem}")
        if not verdict.ok:
            print(f"  reason: {verdict.reason}")
            status = max(status, 1)
    return status


def main(argv: list[str] | None = None) -> int:
    paths = sys.argv[1:] if argv is None else argv
    if not paths:
        print("usage: python -m ineq.kernel PROOF.json [...]")
        return 3
    return check_files(paths)


if __name__ == "__main__":
    sys.exit(main())
