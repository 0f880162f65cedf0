"""Parity warm-up: can an LSTM fed one bit per step output the parity after the last bit?

Settings (same model, optimiser and number of updates; only the training lengths differ):
  fixed50      100k random strings of length 50, loss on the final answer only.
  var1to50     100k random strings with lengths uniform in 1..50, loss at each string's own end.
  curriculum50 the fixed50 strings, but early updates train on their prefixes: lengths uniform in
               1..L with L growing from `curriculum_start` by `curriculum_step` whenever the mean
               training accuracy over the last `curriculum_patience` updates at that level reaches
               `curriculum_threshold`; once L = 50 passes the same test, training is on the full
               length-50 strings (and stays there).
Every `eval_every` updates the model is tested on fresh strings: accuracy at length 50
(`test50_acc`, through the same `forward` as training) and accuracy at every length 1..100
(`acc_by_len`, one pass over length-100 strings reading the answer after each bit).
"""

from __future__ import annotations

import collections
import json
import multiprocessing
import pathlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from rl_suite.core.checkpoint import save_checkpoint
from rl_suite.core.config import RunConfig, config_to_dict
from rl_suite.core.device import select_device
from rl_suite.core.errors import CoreError
from rl_suite.core.logging import RunLogger, make_run_dir, read_jsonl
from rl_suite.core.seeding import seed_everything
from rl_suite.core.train import fit, make_lr_schedule
from rl_suite.parity.data import parity_labels, prefix_parities, random_strings, truncate
from rl_suite.parity.model import ParityLSTM

SETTINGS = ("fixed50", "var1to50", "curriculum50")
TEST_SEED = 1_000_003  # test strings are drawn from their own generator, shared by all runs


@dataclass
class ParityConfig(RunConfig):
    """Configuration of the parity experiment (defaults: the full run of docs/parity.md)."""

    experiment: str = "parity"
    """Experiment name; runs go to `<runs_root>/parity/<name>-<setting>-s<seed>/`."""
    name: str = "full"
    """Prefix of the run directories of this invocation."""
    settings: tuple[str, ...] = SETTINGS
    """Which settings to train (fixed50, var1to50, curriculum50)."""
    seeds: int = 3
    """Number of seeds per setting (seeds seed, seed+1, ...)."""
    num_train: int = 100_000
    """Training strings per run (drawn once per run from its seed)."""
    train_len: int = 50
    """Length of the fixed-length strings / maximum length of the variable-length ones."""
    test_max_len: int = 100
    """Accuracy is measured at every length 1..test_max_len."""
    test_strings: int = 1000
    """Fresh test strings per evaluation set (length 50, and length test_max_len for prefixes)."""
    hidden_size: int = 64
    """LSTM hidden units."""
    forget_bias: float = 0.0
    """Initial forget-gate bias (0 = PyTorch default initialisation)."""
    batch_size: int = 128
    """Strings per update."""
    updates: int = 6000
    """Optimiser updates per run (the budget; identical for every setting)."""
    lr: float = 3e-3
    """Adam learning rate (cosine decay to 10% after warm-up)."""
    warmup: int = 100
    """Linear warm-up updates."""
    grad_clip: float = 1.0
    """Gradient-norm clipping threshold."""
    eval_every: int = 25
    """Evaluate on fresh test strings every this many updates."""
    curriculum_start: int = 2
    """curriculum50: initial maximum prefix length."""
    curriculum_step: int = 2
    """curriculum50: increase of the maximum prefix length per promotion."""
    curriculum_threshold: float = 0.95
    """curriculum50: mean training accuracy over the last `curriculum_patience` updates needed to promote."""
    curriculum_patience: int = 20
    """curriculum50: window of updates (at the current level) that the promotion rule averages."""
    workers: int = 1
    """Runs trained in parallel (separate processes, one torch thread each)."""
    threads: int = 1
    """torch intra-op threads per run."""
    figures_dir: pathlib.Path | None = None
    """Where to write the PNG figures (default: the summary run directory)."""
    checkpoints: bool = True
    """Save each run's final model (`checkpoint.pt`, loadable with `load_checkpoint`)."""
    plot_only: bool = False
    """Do not train: rebuild the summary and figures from the existing run directories."""
    quick: bool = False
    """Small smoke-test setting: 1 seed, 20k strings, 1000 updates (about a minute on 2 cores)."""
    json: bool = False
    """Print the final summary as one JSON object on stdout (and nothing else there)."""


def apply_quick(config: ParityConfig) -> ParityConfig:
    """The `--quick` setting: same code path, much smaller budget."""
    return replace(config, name=config.name if config.name != "full" else "quick", seeds=1,
                   num_train=20_000, updates=1000, eval_every=50, test_strings=500, workers=1)


class LengthCurriculum:
    """Maximum prefix length for curriculum50, promoted on training accuracy.

    Promotion happens when the mean training accuracy over the last `patience` updates at the
    current level reaches `threshold`. `max_len` is None once the curriculum has graduated (the
    level `final` was mastered): from then on training uses the full strings.
    """

    def __init__(self, start: int, step: int, final: int, threshold: float, patience: int) -> None:
        if start < 1 or step < 1 or patience < 1:
            raise CoreError("curriculum start, step and patience must be >= 1")
        self.max_len: int | None = min(start, final)
        self.step, self.final, self.threshold = step, final, threshold
        self._recent: collections.deque[float] = collections.deque(maxlen=patience)

    def update(self, batch_accuracy: float) -> None:
        """Record one update's training accuracy; promote when the level is mastered."""
        if self.max_len is None:
            return
        self._recent.append(batch_accuracy)
        full = len(self._recent) == self._recent.maxlen
        if full and sum(self._recent) / len(self._recent) >= self.threshold:
            self.max_len = None if self.max_len >= self.final else min(self.final, self.max_len + self.step)
            self._recent.clear()


def training_batches(bits: torch.Tensor, lengths: torch.Tensor, batch_size: int,
                     generator: torch.Generator, curriculum: LengthCurriculum | None
                     ) -> Iterator[dict[str, torch.Tensor]]:
    """Endless shuffled epochs over the training set; with a curriculum, random prefixes."""
    num = bits.shape[0]
    while True:
        order = torch.randperm(num, generator=generator)
        for start in range(0, num - batch_size + 1, batch_size):
            index = order[start:start + batch_size]
            batch_bits, batch_lengths = bits[index], lengths[index]
            level = batch_lengths.max().item()
            if curriculum is not None and curriculum.max_len is not None:
                level = curriculum.max_len
                batch_lengths = torch.randint(1, level + 1, (batch_size,), generator=generator)
                batch_bits = truncate(batch_bits, batch_lengths)
            yield {"bits": batch_bits, "lengths": batch_lengths,
                   "labels": parity_labels(batch_bits, batch_lengths), "level": level}


def loss_fn(model: ParityLSTM, batch: dict[str, Any]) -> tuple[torch.Tensor, dict[str, float]]:
    """Binary cross-entropy on the final answer of every string; also its accuracy."""
    logits = model(batch["bits"], batch["lengths"])
    loss = F.binary_cross_entropy_with_logits(logits, batch["labels"])
    accuracy = ((logits > 0).float() == batch["labels"]).float().mean()
    return loss, {"acc": float(accuracy), "train_max_len": float(batch["level"])}


def make_test_sets(config: ParityConfig) -> dict[str, torch.Tensor]:
    """Fresh strings from a fixed seed, independent of every training seed."""
    generator = torch.Generator().manual_seed(TEST_SEED)
    bits50, lengths50 = random_strings(config.test_strings, config.train_len, variable_length=False,
                                       generator=generator)
    bits_long, _ = random_strings(config.test_strings, config.test_max_len, variable_length=False,
                                  generator=generator)
    return {"bits50": bits50, "lengths50": lengths50, "labels50": parity_labels(bits50, lengths50),
            "bits_long": bits_long, "labels_long": prefix_parities(bits_long)}


@torch.no_grad()
def evaluate_parity(model: ParityLSTM, tests: dict[str, torch.Tensor], train_len: int) -> dict[str, Any]:
    """Test accuracy/loss at length 50 and accuracy at each length 1..test_max_len."""
    model.eval()
    logits50 = model(tests["bits50"], tests["lengths50"])
    logits_long = model.logits_at_every_step(tests["bits_long"])
    correct_long = ((logits_long > 0).float() == tests["labels_long"]).float()
    by_len = correct_long.mean(dim=0)
    return {
        "test50_acc": float(((logits50 > 0).float() == tests["labels50"]).float().mean()),
        "test50_loss": float(F.binary_cross_entropy_with_logits(logits50, tests["labels50"])),
        "acc_in_range": float(by_len[:train_len].mean()),  # lengths 1..train_len
        "acc_beyond": float(by_len[train_len:].mean()) if by_len.numel() > train_len else float("nan"),
        "acc_by_len": [round(float(a), 4) for a in by_len],
    }


def train_one(config: ParityConfig, setting: str, seed: int) -> dict[str, Any]:
    """Train one (setting, seed) run; log to its run directory; return its final metrics."""
    if setting not in SETTINGS:
        raise CoreError(f"unknown setting {setting!r}; choose from {SETTINGS}")
    torch.set_num_threads(config.threads)
    seed_everything(seed)
    device = select_device(config.device)
    if device.type != "cpu":
        raise CoreError("the parity experiment is written for CPU tensors; use --device cpu")
    run_dir = make_run_dir(config.runs_root, config.experiment, f"{config.name}-{setting}-s{seed}")
    generator = torch.Generator().manual_seed(seed)
    bits, lengths = random_strings(config.num_train, config.train_len,
                                   variable_length=(setting == "var1to50"), generator=generator)
    curriculum = (LengthCurriculum(config.curriculum_start, config.curriculum_step, config.train_len,
                                   config.curriculum_threshold, config.curriculum_patience)
                  if setting == "curriculum50" else None)
    model_kwargs = {"hidden_size": config.hidden_size, "forget_bias": config.forget_bias}
    model = ParityLSTM(**model_kwargs)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    scheduler = make_lr_schedule(optimizer, total_steps=config.updates, warmup_steps=config.warmup,
                                 kind="cosine", final_fraction=0.1)
    tests = make_test_sets(config)
    run_config = {**config_to_dict(config), "setting": setting, "seed": seed}
    with RunLogger(run_dir, tensorboard=config.tensorboard, config=run_config) as logger:
        result = fit(model, optimizer,
                     training_batches(bits, lengths, config.batch_size, generator, curriculum),
                     loss_fn, max_steps=config.updates, grad_clip=config.grad_clip,
                     scheduler=scheduler,
                     eval_fn=lambda m: evaluate_parity(m, tests, config.train_len),
                     eval_every=config.eval_every, logger=logger, log_every=max(1, config.eval_every // 2),
                     on_step=(lambda _, metrics: curriculum.update(metrics["acc"])) if curriculum else None,
                     show_progress=config.progress and config.workers == 1,
                     desc=f"{setting} seed {seed}")
    if config.checkpoints:
        save_checkpoint(run_dir / "checkpoint.pt", model, model_kwargs=model_kwargs,
                        optimizer=optimizer, step=result.steps, config=run_config)
    return load_run(run_dir)


def load_run(run_dir: str | pathlib.Path) -> dict[str, Any]:
    """Setting, seed, updates, wall time and final eval metrics of a finished run, from its log."""
    run_dir = pathlib.Path(run_dir)
    config_path = run_dir / "config.json"
    if not config_path.exists():
        raise CoreError(f"{run_dir} is not a parity run directory (no config.json)")
    run_config = json.loads(config_path.read_text())
    evals = [r for r in read_jsonl(run_dir) if "eval/test50_acc" in r]
    if not evals:
        raise CoreError(f"{run_dir} has no evaluation records; did the run finish?")
    final = evals[-1]
    return {"setting": run_config["setting"], "seed": run_config["seed"], "run_dir": str(run_dir),
            "updates": final["step"], "wall_time": final["wall_time"],
            **{key.removeprefix("eval/"): value for key, value in final.items()
               if key.startswith("eval/")}}


def _train_one_star(job: tuple[ParityConfig, str, int]) -> dict[str, Any]:
    return train_one(*job)


def run_all(config: ParityConfig) -> dict[str, Any]:
    """Train every (setting, seed), write figures, return the summary (also saved as JSON)."""
    unknown = set(config.settings) - set(SETTINGS)
    if unknown:
        raise CoreError(f"unknown settings {sorted(unknown)}; choose from {SETTINGS}")
    if config.seeds < 1 or config.workers < 1:
        raise CoreError("seeds and workers must be >= 1")
    if config.test_max_len <= config.train_len:
        raise CoreError(f"test_max_len ({config.test_max_len}) must exceed train_len ({config.train_len})")
    jobs = [(config, setting, config.seed + offset)
            for offset in range(config.seeds) for setting in config.settings]
    summary_dir = make_run_dir(config.runs_root, config.experiment, f"{config.name}-summary")
    started = time.perf_counter()
    if config.plot_only:
        runs = [load_run(make_run_dir(config.runs_root, config.experiment, f"{config.name}-{setting}-s{seed}"))
                for _, setting, seed in jobs]
        previous = summary_dir / "summary.json"
        total_wall = json.loads(previous.read_text())["total_wall_time_s"] if previous.exists() else None
    elif config.workers == 1:
        runs = [_train_one_star(job) for job in jobs]
        total_wall = time.perf_counter() - started
    else:
        # spawn, not fork: forking a process that already used torch's thread pool can hang.
        with multiprocessing.get_context("spawn").Pool(config.workers) as pool:
            runs = pool.map(_train_one_star, jobs, chunksize=1)
        total_wall = time.perf_counter() - started
    summary = summarize(config, runs, total_wall)
    (summary_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    from rl_suite.parity.figures import write_figures  # matplotlib only when figures are made

    summary["figures"] = [str(p) for p in write_figures(config, runs, config.figures_dir or summary_dir)]
    (summary_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def first_update_staying_at_least(records: list[dict[str, Any]], threshold: float, length: int) -> int | None:
    """First evaluated update from which accuracy at `length` stays >= `threshold` at every later
    evaluation (None: not learned by the end of the run)."""
    evals = [(r["step"], r["eval/acc_by_len"][length - 1]) for r in records if "eval/acc_by_len" in r]
    first = None
    for step, accuracy in evals:
        if accuracy < threshold:
            first = None
        elif first is None:
            first = step
    return first


def summarize(config: ParityConfig, runs: list[dict[str, Any]], total_wall: float | None) -> dict[str, Any]:
    """Mean ± std over seeds of the final metrics, per setting."""
    per_setting: dict[str, Any] = {}
    for setting in config.settings:
        mine = [run for run in runs if run["setting"] == setting]
        by_len = np.array([run["acc_by_len"] for run in mine])

        def stats(key: str) -> dict[str, float]:
            values = np.array([run[key] for run in mine], dtype=float)
            return {"mean": float(values.mean()), "std": float(values.std())}

        learned_at = []  # per seed: update from which each length 1..train_len stays >= 90%
        for run in mine:
            records = read_jsonl(run["run_dir"])
            learned_at.append([first_update_staying_at_least(records, 0.9, n)
                               for n in range(1, config.train_len + 1)])
        per_setting[setting] = {
            "seeds": [run["seed"] for run in mine],
            "test50_acc": stats("test50_acc"), "test50_loss": stats("test50_loss"),
            "acc_in_range": stats("acc_in_range"), "acc_beyond": stats("acc_beyond"),
            "wall_time_s": stats("wall_time"),
            "test50_acc_per_seed": [run["test50_acc"] for run in mine],
            "acc_by_len_mean": [round(float(a), 4) for a in by_len.mean(axis=0)],
            "acc_by_len_min_over_seeds": [round(float(a), 4) for a in by_len.min(axis=0)],
            "longest_len_all_seeds_ge_0.99": _longest_prefix(by_len.min(axis=0), 0.99),
            "learned_at_by_len": learned_at,
        }
    return {"config": config_to_dict(config), "total_wall_time_s": total_wall,
            "torch": torch.__version__, "settings": per_setting}


def _longest_prefix(accuracy_by_len: np.ndarray, threshold: float) -> int:
    """Largest n such that accuracy at every length 1..n is >= threshold (0 if length 1 fails)."""
    below = np.nonzero(accuracy_by_len < threshold)[0]
    return int(below[0]) if below.size else int(accuracy_by_len.size)


def main(config: ParityConfig) -> dict[str, Any]:
    """Entry point behind `python -m rl_suite.parity`."""
    if config.quick:
        config = apply_quick(config)
    summary = run_all(config)
    if config.json:
        json.dump(summary, sys.stdout)
        sys.stdout.write("\n")
    else:
        for setting, stats in summary["settings"].items():
            print(f"{setting:13s} test acc @50 = {stats['test50_acc']['mean']:.3f} ± "
                  f"{stats['test50_acc']['std']:.3f}   acc 1..{config.train_len} = "
                  f"{stats['acc_in_range']['mean']:.3f}   acc {config.train_len + 1}.."
                  f"{config.test_max_len} = {stats['acc_beyond']['mean']:.3f}")
        total = summary["total_wall_time_s"]
        print(f"total wall time {'unknown' if total is None else f'{total:.0f} s'}; figures: {summary['figures']}")
    return summary
