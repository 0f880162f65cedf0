"""The one error type that the training core raises for bad input."""


class CoreError(ValueError):
    """Bad argument, malformed file or unusable environment detected by `rl_suite.core`."""
