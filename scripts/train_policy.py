"""Train the search policy by expert iteration and write checkpoints/policy.pt.

    nice -n 10 python scripts/train_policy.py --name v1            # the shipped checkpoint (docs/policy.md)
    python scripts/train_policy.py --help                          # every option (PolicyTrainConfig)
"""

import json

from ineq.policy.train import PolicyTrainConfig, expert_iteration
from rl_suite.core.config import parse_config


def main() -> None:
    config = parse_config(PolicyTrainConfig, description=__doc__)
    summary = expert_iteration(config)
    print(json.dumps(summary, indent=1))
    print(f"wrote {config.output}")


if __name__ == "__main__":
    main()
