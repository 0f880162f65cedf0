"""Experiment configuration: dataclasses (one docstring per field) parsed with tyro.

An experiment declares `@dataclass class MyConfig(RunConfig): ...`, documenting each field with a
docstring line right under it (tyro shows these in `--help`), and calls `parse_config(MyConfig)`.
"""

from __future__ import annotations

import dataclasses
import enum
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import tyro

from rl_suite.core.errors import CoreError

ConfigT = TypeVar("ConfigT")


@dataclass
class RunConfig:
    """Fields every experiment shares; subclass it and add your own."""

    experiment: str = "experiment"
    """Experiment name; runs are written under `<runs_root>/<experiment>/<name>/`."""
    name: str = "default"
    """Run name inside the experiment directory."""
    seed: int = 0
    """Base random seed (the distributed rank is added to it)."""
    device: str = "auto"
    """"auto" (cuda when present), "cpu" or "cuda"."""
    runs_root: pathlib.Path = pathlib.Path("runs")
    """Directory holding all run directories."""
    tensorboard: bool = True
    """Also write TensorBoard event files next to the JSONL metrics."""
    progress: bool = True
    """Show a tqdm progress bar on long loops."""


def parse_config(config_class: type[ConfigT], args: Sequence[str] | None = None,
                 description: str | None = None) -> ConfigT:
    """Parse command-line `args` (default: sys.argv[1:]) into an instance of `config_class`.

    `config_class` must be a dataclass; its field docstrings become the `--help` text.
    """
    if not (isinstance(config_class, type) and dataclasses.is_dataclass(config_class)):
        raise CoreError(f"parse_config needs a dataclass type, got {config_class!r}")
    return tyro.cli(config_class, args=args, description=description)


def config_to_dict(config: Any) -> dict[str, Any]:
    """Return a JSON-friendly dict of a dataclass config (paths and enums become strings)."""
    if not dataclasses.is_dataclass(config) or isinstance(config, type):
        raise CoreError(f"config_to_dict needs a dataclass instance, got {type(config).__name__}")
    return _jsonable(dataclasses.asdict(config))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)
