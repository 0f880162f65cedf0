"""`python -m rl_suite.snake {train,evaluate,play} [--help]` (see rl_suite.snake.cli)."""

import sys

from rl_suite.snake.cli import main

if __name__ == "__main__":
    sys.exit(main())
