"""`python -m rl_suite.slitherin {train,evaluate,tournament} [options] [--json]`.

- `train [--scheme latest|uniform|mixed|pfsp] [--seed N] [--quick] ...`: one self-play run
  (`rl_suite.slitherin.selfplay.SlitherinTrainConfig`; `train --help` lists every option).
- `evaluate --checkpoint PATH [--opponent random|greedy|PATH] [--games N] [--num-snakes K]`:
  win rate and behaviour metrics over many games (`rl_suite.slitherin.behaviour`).
- `tournament [--runs-root runs] [--games-per-pair N] [--exploit-steps N] [--quick]`: round-robin
  of the finished runs' policies with OpenSkill ratings, cycling and exploitability
  (`rl_suite.slitherin.tournament`).

`--json` (any position) prints the result as one JSON object; otherwise a short text summary.
Exit code 1 with "error: ..." on bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import torch

from rl_suite.core.config import parse_config
from rl_suite.core.errors import CoreError
from rl_suite.envs.slitherin import SlitherinError
from rl_suite.slitherin.opponents import OpponentError

COMMANDS = ("train", "evaluate", "tournament")


def run_command(command: str, args: list[str]) -> dict[str, Any]:
    """Parse `args` for `command` and run it; return its JSON-friendly result."""
    if command == "train":
        from rl_suite.slitherin.selfplay import SlitherinTrainConfig, train

        return train(parse_config(SlitherinTrainConfig, args, description="Self-play PPO on Slitherin'"))
    if command == "evaluate":
        from rl_suite.slitherin.behaviour import EvaluateConfig, evaluate_command

        return evaluate_command(parse_config(EvaluateConfig, args, description=EvaluateConfig.__doc__))
    from rl_suite.slitherin.tournament import TournamentConfig, tournament_command

    return tournament_command(parse_config(TournamentConfig, args, description=TournamentConfig.__doc__))


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch `argv` (default sys.argv[1:]) to a subcommand; return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    as_json = "--json" in argv
    command, rest = argv[0], [arg for arg in argv[1:] if arg != "--json"]
    torch.set_num_threads(1)  # small networks: one thread is fastest on the shared CPU
    try:
        result = run_command(command, rest)
    except (SlitherinError, OpponentError, CoreError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if not isinstance(value, (list, dict)):
                print(f"{key:>24}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
