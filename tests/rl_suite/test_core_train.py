"""Supervised loop: early stopping, lr schedule, clipping, and that fit actually trains."""

import math

import pytest
import torch

from rl_suite.core.errors import CoreError
from rl_suite.core.logging import RunLogger, read_jsonl
from rl_suite.core.train import EarlyStopping, evaluate, fit, make_lr_schedule, train_step


def mse_loss(model, batch):
    x, y = batch
    loss = torch.nn.functional.mse_loss(model(x), y)
    return loss, {"mse": float(loss.detach())}


def regression_batches(generator):
    true_weight = torch.tensor([[2.0, -3.0]])
    while True:
        x = torch.randn(32, 2, generator=generator)
        yield x, x @ true_weight.T


def test_early_stopping_counts_evaluations_without_improvement():
    stopper = EarlyStopping(patience=2, mode="min", min_delta=0.1)
    assert stopper.update(1.0, step=1) is False
    assert stopper.update(0.95, step=2) is False  # within min_delta: not an improvement
    assert stopper.update(0.5, step=3) is False  # improvement resets the count
    assert stopper.update(0.5, step=4) is False
    assert stopper.update(0.6, step=5) is True
    assert (stopper.best, stopper.best_step) == (0.5, 3)
    maximiser = EarlyStopping(patience=1, mode="max")
    maximiser.update(0.2, step=1)
    assert maximiser.update(0.1, step=2) is True
    with pytest.raises(CoreError):
        EarlyStopping(patience=0)


def test_fit_stops_early_when_the_monitored_metric_plateaus():
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: eval metric never improves
    result = fit(model, optimizer, regression_batches(torch.Generator().manual_seed(0)), mse_loss,
                 max_steps=1000, eval_fn=lambda m: {"loss": 1.0}, eval_every=10,
                 early_stopping=EarlyStopping(patience=3), show_progress=False)
    assert result.stopped_early
    assert result.steps == 40  # first eval sets the best, three more without improvement
    assert result.best_step == 10 and len(result.evals) == 4


def test_fit_learns_a_linear_map_and_logs_train_and_eval(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1, bias=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    eval_data = [next(regression_batches(torch.Generator().manual_seed(1)))]
    with RunLogger(tmp_path, tensorboard=False) as logger:
        result = fit(model, optimizer, regression_batches(torch.Generator().manual_seed(0)), mse_loss,
                     max_steps=200, grad_clip=10.0, eval_fn=lambda m: evaluate(m, eval_data, mse_loss),
                     eval_every=50, logger=logger, log_every=20, show_progress=False)
    assert result.steps == 200 and not result.stopped_early
    assert torch.allclose(model.weight, torch.tensor([[2.0, -3.0]]), atol=1e-2)
    records = read_jsonl(tmp_path)
    assert [r["step"] for r in records if "eval/loss" in r] == [50, 100, 150, 200]
    assert records[-1]["eval/loss"] < 1e-4 < records[0]["train/loss"]


def test_train_step_clips_gradients_and_reports_the_unclipped_norm():
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    batch = (torch.tensor([[1.0]]), torch.tensor([[100.0]]))  # gradient of mse = -200
    metrics = train_step(model, optimizer, batch, mse_loss, grad_clip=1.0)
    assert metrics["grad_norm"] == pytest.approx(200.0)
    assert model.weight.item() == pytest.approx(1.0)  # one step of the clipped gradient


def test_lr_schedule_warms_up_then_decays_to_the_final_fraction():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = make_lr_schedule(optimizer, total_steps=10, warmup_steps=2, kind="cosine", final_fraction=0.1)
    lrs = []
    for _ in range(10):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs[:3] == pytest.approx([0.5, 1.0, 1.0])
    assert lrs[6] == pytest.approx(0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * 4 / 8)))
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1)
    with pytest.raises(CoreError):
        make_lr_schedule(optimizer, total_steps=10, kind="exponential")


def test_non_finite_loss_is_refused_before_the_weights_change():
    model = torch.nn.Linear(1, 1)
    before = model.weight.detach().clone()
    with pytest.raises(CoreError, match="non-finite"):
        train_step(model, torch.optim.SGD(model.parameters(), lr=1.0), None,
                   lambda m, b: (m.weight.sum() * float("nan"), {}))
    assert torch.equal(model.weight, before)
