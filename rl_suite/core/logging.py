"""Run directories, metrics logging (JSONL + TensorBoard) and progress bars.

Layout of one run: `<runs_root>/<experiment>/<name>/` holding `config.json`, `metrics.jsonl`
(one JSON object per `log` call, always with "step" and "wall_time" seconds since the logger
started), `tensorboard/` (event files, scalars only) and whatever the experiment adds
(checkpoints, figures).
"""

from __future__ import annotations

import json
import math
import numbers
import pathlib
import re
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import tqdm

from rl_suite.core.errors import CoreError

METRICS_FILE = "metrics.jsonl"
CONFIG_FILE = "config.json"
TENSORBOARD_DIR = "tensorboard"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.=+-]+$")

T = TypeVar("T")


def make_run_dir(runs_root: str | pathlib.Path, experiment: str, name: str) -> pathlib.Path:
    """Create (if needed) and return `<runs_root>/<experiment>/<name>/`.

    Names are restricted to letters, digits and `_ . = + -` so they cannot escape the root.
    """
    for label, value in (("experiment", experiment), ("name", name)):
        if not _SAFE_NAME.match(value) or value in (".", ".."):
            raise CoreError(f"{label} {value!r} must match {_SAFE_NAME.pattern} and not be . or ..")
    run_dir = pathlib.Path(runs_root) / experiment / name
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir


class RunLogger:
    """Append metrics to `metrics.jsonl` and (optionally) TensorBoard in a run directory.

    Use as a context manager or call `close()`. Non-scalar values (lists, dicts) are kept in the
    JSONL record but not sent to TensorBoard, which only takes scalars.
    """

    def __init__(self, run_dir: str | pathlib.Path, *, tensorboard: bool = True,
                 config: Mapping[str, Any] | None = None, overwrite: bool = True) -> None:
        self.run_dir = pathlib.Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.metrics_path = self.run_dir / METRICS_FILE
        if config is not None:
            (self.run_dir / CONFIG_FILE).write_text(json.dumps(dict(config), indent=2) + "\n")
        self._file = open(self.metrics_path, "w" if overwrite else "a", encoding="utf-8")
        self._writer = None
        if tensorboard:
            # Imported lazily: tensorboard's import is slow and not every run wants it.
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(log_dir=str(self.run_dir / TENSORBOARD_DIR))
        self._start = time.perf_counter()

    def elapsed(self) -> float:
        """Seconds since this logger was created (the "wall_time" of the next record)."""
        return time.perf_counter() - self._start

    def log(self, step: int, /, **metrics: Any) -> dict[str, Any]:
        """Write one record `{"step", "wall_time", **metrics}` and return it.

        Values must be JSON-serialisable; numpy/torch scalars are converted with `float`/`int`.
        """
        if self._file.closed:
            raise CoreError("RunLogger.log called after close()")
        record: dict[str, Any] = {"step": int(step), "wall_time": self.elapsed()}
        for key, value in metrics.items():
            if key in record:
                raise CoreError(f"metric name {key!r} is reserved")
            record[key] = _plain(value, key)
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        if self._writer is not None:
            for key, value in record.items():
                if key != "step" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._writer.add_scalar(key, value, global_step=int(step))
        return record

    def close(self) -> None:
        """Flush and close the JSONL file and the TensorBoard writer (idempotent)."""
        if not self._file.closed:
            self._file.close()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> RunLogger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _plain(value: Any, key: str) -> Any:
    """Convert tensors / numpy values to plain python so json can write them."""
    if hasattr(value, "tolist") and callable(value.tolist):  # torch.Tensor, numpy array/scalar
        value = value.tolist()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else str(value)  # JSON has no NaN/inf
    if isinstance(value, (list, tuple)):
        return [_plain(item, key) for item in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v, key) for k, v in value.items()}
    raise CoreError(f"metric {key!r} has unloggable type {type(value).__name__}")


def read_jsonl(path: str | pathlib.Path) -> list[dict[str, Any]]:
    """Read every record of a JSONL metrics file (blank lines skipped)."""
    path = pathlib.Path(path)
    if path.is_dir():
        path = path / METRICS_FILE
    if not path.exists():
        raise CoreError(f"no metrics file at {path}")
    records = []
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise CoreError(f"{path}:{line_number}: not JSON ({error.msg})") from None
    return records


def progress(iterable: Iterable[T], *, total: int | None = None, desc: str | None = None,
             enabled: bool = True) -> Iterator[T]:
    """Wrap a long loop in a tqdm progress bar (a no-op wrapper when `enabled` is False)."""
    return iter(tqdm.tqdm(iterable, total=total, desc=desc, disable=not enabled,
                          dynamic_ncols=True, mininterval=1.0))
