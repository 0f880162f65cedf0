"""The tactic registry: one tactic per module, one line per tactic in TACTICS."""

from ineq.tactics.amgm import amgm
from ineq.tactics.sos import sos

TACTICS = {
    "amgm": amgm,
    "sos": sos,
}
