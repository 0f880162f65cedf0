"""The tactic registry: one tactic per module, one line per tactic in TACTICS.

A tactic is `tactic(goal, deadline) -> Iterator[Attempt]` (see `ineq.tactics.base`). The search
asks the scorer which to try first; the registry order only breaks ties.
"""

from ineq.tactics.amgm import amgm
from ineq.tactics.assumption_denominators import assumption_denominators
from ineq.tactics.cauchy_schwarz import cauchy_schwarz
from ineq.tactics.definite_split import definite_split
from ineq.tactics.denominator_signs import denominator_signs
from ineq.tactics.exponentiate import exponentiate
from ineq.tactics.factor_bound import factor_bound
from ineq.tactics.fudging import fudging
from ineq.tactics.generalize import generalize
from ineq.tactics.homogenize import homogenize
from ineq.tactics.jensen import jensen
from ineq.tactics.power_substitution import power_substitution
from ineq.tactics.product_split import product_split
from ineq.tactics.radical_amgm import radical_amgm
from ineq.tactics.radical_holder import radical_holder
from ineq.tactics.radical_pairs import radical_pairs
from ineq.tactics.radical_tangent import radical_tangent
from ineq.tactics.radicals import radicals
from ineq.tactics.ratio_substitution import ratio_substitution
from ineq.tactics.ravi import ravi
from ineq.tactics.reciprocal import reciprocal
from ineq.tactics.schur import schur
from ineq.tactics.sign_cases import sign_cases
from ineq.tactics.sds import sds
from ineq.tactics.sos import sos
from ineq.tactics.substitute import substitute
from ineq.tactics.sum_split import sum_split
from ineq.tactics.symmetry import symmetry
from ineq.tactics.tangent_line import tangent_line

TACTICS = {
    "amgm": amgm,
    "sds": sds,
    "schur": schur,
    "sos": sos,
    "radicals": radicals,
    "power_substitution": power_substitution,
    "product_split": product_split,
    "homogenize": homogenize,
    "substitute": substitute,
    "tangent_line": tangent_line,
    "cauchy_schwarz": cauchy_schwarz,
    "symmetry": symmetry,
    "denominator_signs": denominator_signs,
    "assumption_denominators": assumption_denominators,
    "reciprocal": reciprocal,
    "sign_cases": sign_cases,
    "radical_amgm": radical_amgm,
    "radical_pairs": radical_pairs,
    "radical_holder": radical_holder,
    "radical_tangent": radical_tangent,
    "fudging": fudging,
    "definite_split": definite_split,
    "ratio_substitution": ratio_substitution,
    "ravi": ravi,
    "factor_bound": factor_bound,
    "generalize": generalize,
    "exponentiate": exponentiate,
    "sum_split": sum_split,
    "jensen": jensen,
}
