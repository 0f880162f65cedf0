"""`python -m rl_suite.parity [--quick] [--json] [...]`: see `--help`."""

from rl_suite.core.config import parse_config
from rl_suite.parity.experiment import ParityConfig, main

if __name__ == "__main__":
    main(parse_config(ParityConfig, description="LSTM parity warm-up (rl_suite.parity)"))
