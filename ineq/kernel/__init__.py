"""The trusted kernel: certificate data and the exact checker. Nothing outside this package decides
that a goal is proved. It imports only the standard library, sympy and `ineq.problem`."""

from ineq.kernel.certificates import (
    AMGM,
    CaseSplit,
    Certificate,
    ChangeVariables,
    CertificateFormatError,
    Cut,
    EqualityMultiple,
    Generalize,
    Gram,
    Identity,
    IntroduceRoot,
    Lemma,
    MonomialRoots,
    Piece,
    Pin,
    Reciprocal,
    RootOrder,
    Square,
    Substitute,
    SymmetryOrder,
    Weaken,
    certificate_from_json,
)
from ineq.kernel.check import (
    Domain,
    Verdict,
    case_problems,
    changed_problem,
    check,
    cut_problem,
    generalized_problem,
    generalization,
    is_nonnegative_by_coefficients,
    is_positive_factor,
    is_positive_where_defined,
    monomial_roots_problem,
    split_monomial_roots,
    reciprocal_problem,
    root_order_problem,
    weakened_problem,
    rename_radical,
    root_extended_problem,
    substituted_problem,
)
from ineq.kernel.proof_file import FORMAT, load_proof, problem_from_json, proof_document

__all__ = [
    "AMGM", "CaseSplit", "ChangeVariables", "changed_problem", "Cut", "cut_problem", "Generalize", "generalized_problem", "generalization", "Pin", "Weaken", "weakened_problem", "is_positive_where_defined", "Reciprocal",
    "reciprocal_problem", "case_problems", "is_nonnegative_by_coefficients", "rename_radical", "root_extended_problem", "substituted_problem", "Certificate", "IntroduceRoot", "MonomialRoots", "RootOrder", "root_order_problem", "monomial_roots_problem", "split_monomial_roots", "Substitute", "SymmetryOrder", "Domain", "is_positive_factor", "CertificateFormatError", "EqualityMultiple", "FORMAT", "Gram", "Identity", "Lemma",
    "Piece", "Square", "Verdict", "certificate_from_json", "check", "load_proof", "problem_from_json",
    "proof_document",
]
