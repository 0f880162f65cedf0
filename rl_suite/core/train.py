"""A supervised training loop: train/eval steps, gradient clipping, lr schedule, early stop.

The contract is a `loss_fn(model, batch) -> (loss_tensor, metrics_dict)`; `fit` pulls batches
from any iterable, steps the optimizer, evaluates every `eval_every` updates with
`eval_fn(model) -> metrics_dict`, logs both, and stops early on a monitored eval metric.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch

from rl_suite.core.errors import CoreError
from rl_suite.core.logging import RunLogger, progress

LossFn = Callable[[torch.nn.Module, Any], tuple[torch.Tensor, dict[str, float]]]
EvalFn = Callable[[torch.nn.Module], dict[str, Any]]
_SCHEDULES = ("constant", "linear", "cosine")


def make_lr_schedule(optimizer: torch.optim.Optimizer, *, total_steps: int, warmup_steps: int = 0,
                     kind: str = "constant", final_fraction: float = 0.0
                     ) -> torch.optim.lr_scheduler.LambdaLR:
    """Linear warmup over `warmup_steps`, then "constant", "linear" or "cosine" decay.

    The decays go from the base lr to `final_fraction * base lr` at `total_steps`.
    Call `scheduler.step()` once per update (`train_step` does).
    """
    if kind not in _SCHEDULES:
        raise CoreError(f"schedule kind must be one of {_SCHEDULES}, got {kind!r}")
    if total_steps <= 0 or not 0 <= warmup_steps <= total_steps:
        raise CoreError(f"need 0 <= warmup_steps ({warmup_steps}) <= total_steps ({total_steps}), total > 0")

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        if kind == "constant":
            return 1.0
        progress_fraction = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
        if kind == "linear":
            shape = 1.0 - progress_fraction
        else:
            shape = 0.5 * (1.0 + math.cos(math.pi * progress_fraction))
        return final_fraction + (1.0 - final_fraction) * shape

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batch: Any,
               loss_fn: LossFn, *, grad_clip: float | None = None,
               scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
               after_backward: Callable[[torch.nn.Module], None] | None = None
               ) -> dict[str, float]:
    """One update; return {"loss", "grad_norm" (before clipping), "lr", **metrics from loss_fn}.

    `after_backward(model)` runs between backward and clipping (e.g. distributed gradient
    averaging). A non-finite loss raises `CoreError` rather than corrupting the weights.
    """
    model.train()
    optimizer.zero_grad(set_to_none=True)
    loss, metrics = loss_fn(model, batch)
    if not torch.isfinite(loss):
        raise CoreError(f"non-finite training loss {loss.item()}")
    loss.backward()
    if after_backward is not None:
        after_backward(model)
    parameters = [p for p in model.parameters() if p.grad is not None]
    max_norm = grad_clip if grad_clip is not None else math.inf
    grad_norm = torch.nn.utils.clip_grad_norm_(parameters, max_norm) if parameters else torch.tensor(0.0)
    lr = optimizer.param_groups[0]["lr"]  # the lr this update used
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    return {"loss": float(loss.detach()), "grad_norm": float(grad_norm), "lr": float(lr), **metrics}


@torch.no_grad()
def evaluate(model: torch.nn.Module, batches: Iterable[Any], loss_fn: LossFn) -> dict[str, float]:
    """Average "loss" and the metrics of `loss_fn` over `batches`, in eval mode, without grads.

    Each batch counts equally; pass equal-sized batches for a per-example average.
    """
    was_training = model.training
    model.eval()
    totals: dict[str, float] = {}
    count = 0
    for batch in batches:
        loss, metrics = loss_fn(model, batch)
        for key, value in {"loss": float(loss), **metrics}.items():
            totals[key] = totals.get(key, 0.0) + float(value)
        count += 1
    model.train(was_training)
    if count == 0:
        raise CoreError("evaluate got no batches")
    return {key: value / count for key, value in totals.items()}


class EarlyStopping:
    """Stop when a monitored value has not improved by `min_delta` for `patience` evaluations."""

    def __init__(self, patience: int, *, mode: str = "min", min_delta: float = 0.0) -> None:
        if patience < 1:
            raise CoreError(f"patience must be >= 1, got {patience}")
        if mode not in ("min", "max"):
            raise CoreError(f"mode must be 'min' or 'max', got {mode!r}")
        self.patience = patience
        self.mode = mode
        self.min_delta = min_delta
        self.best: float | None = None
        self.best_step: int | None = None
        self.evals_without_improvement = 0

    def update(self, value: float, step: int) -> bool:
        """Record an evaluation; return True when training should stop."""
        improved = self.best is None or (
            value < self.best - self.min_delta if self.mode == "min" else value > self.best + self.min_delta)
        if improved:
            self.best, self.best_step, self.evals_without_improvement = value, step, 0
        else:
            self.evals_without_improvement += 1
        return self.evals_without_improvement >= self.patience


@dataclass
class FitResult:
    """What `fit` did: updates taken, whether it stopped early, and every eval record."""

    steps: int
    stopped_early: bool
    best_value: float | None
    best_step: int | None
    evals: list[dict[str, Any]] = field(default_factory=list)


def fit(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batches: Iterable[Any],
        loss_fn: LossFn, *, max_steps: int, grad_clip: float | None = None,
        scheduler: torch.optim.lr_scheduler.LRScheduler | None = None,
        eval_fn: EvalFn | None = None, eval_every: int = 100, monitor: str = "loss",
        early_stopping: EarlyStopping | None = None, logger: RunLogger | None = None,
        log_every: int = 50, on_step: Callable[[int, dict[str, float]], None] | None = None,
        after_backward: Callable[[torch.nn.Module], None] | None = None,
        show_progress: bool = True, desc: str | None = None) -> FitResult:
    """Train for up to `max_steps` updates drawn from `batches`.

    Every `eval_every` updates and after the last one, `eval_fn(model)` is logged with prefix
    "eval/" (plus "step" and "wall_time"); `early_stopping.update(eval[monitor])` may end the run.
    Training metrics averaged over the last `log_every` updates are logged with prefix "train/".
    `on_step(step, train_metrics)` is called after each update (step counts from 1), e.g. to
    drive a curriculum. If `batches` runs out first, training ends there.
    """
    if max_steps < 1 or eval_every < 1 or log_every < 1:
        raise CoreError("max_steps, eval_every and log_every must be >= 1")
    if early_stopping is not None and eval_fn is None:
        raise CoreError("early stopping needs an eval_fn")
    result = FitResult(steps=0, stopped_early=False, best_value=None, best_step=None)
    window: dict[str, float] = {}
    window_count = 0

    def run_eval(step: int) -> bool:
        metrics = eval_fn(model)
        record = {"step": step, **metrics}
        if logger is not None:
            record = logger.log(step, **{f"eval/{k}": v for k, v in metrics.items()})
        result.evals.append(record)
        if early_stopping is None:
            return False
        if monitor not in metrics:
            raise CoreError(f"monitored metric {monitor!r} missing from eval metrics {sorted(metrics)}")
        stop = early_stopping.update(float(metrics[monitor]), step)
        result.best_value, result.best_step = early_stopping.best, early_stopping.best_step
        return stop

    iterator = iter(batches)
    last_eval_step = 0
    for step in progress(range(1, max_steps + 1), total=max_steps, desc=desc, enabled=show_progress):
        try:
            batch = next(iterator)
        except StopIteration:
            break
        metrics = train_step(model, optimizer, batch, loss_fn, grad_clip=grad_clip,
                             scheduler=scheduler, after_backward=after_backward)
        result.steps = step
        if on_step is not None:
            on_step(step, metrics)
        for key, value in metrics.items():
            window[key] = window.get(key, 0.0) + float(value)
        window_count += 1
        if logger is not None and step % log_every == 0:
            logger.log(step, **{f"train/{k}": v / window_count for k, v in window.items()})
            window, window_count = {}, 0
        if eval_fn is not None and step % eval_every == 0:
            last_eval_step = step
            if run_eval(step):
                result.stopped_early = True
                return result
    if eval_fn is not None and result.steps > last_eval_step:
        run_eval(result.steps)  # the final eval; stopping is moot after the last update
    return result
