"""Checkpoint round trip: the model is rebuilt from its registered class path and kwargs."""

import pytest
import torch

from rl_suite.core.checkpoint import load_checkpoint, register_model, save_checkpoint
from rl_suite.core.errors import CoreError


@register_model
class TinyNet(torch.nn.Module):
    """A model whose parameter shapes depend on its constructor kwargs."""

    def __init__(self, width: int, depth: int = 1) -> None:
        super().__init__()
        self.layers = torch.nn.Sequential(*[torch.nn.Linear(width, width) for _ in range(depth)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


class UnregisteredNet(torch.nn.Linear):
    pass


def test_round_trip_restores_weights_optimizer_step_and_config(tmp_path):
    torch.manual_seed(0)
    model = TinyNet(width=3, depth=2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(4, 3)).sum().backward()
    optimizer.step()
    path = save_checkpoint(tmp_path / "ckpt" / "model.pt", model, model_kwargs={"width": 3, "depth": 2},
                           optimizer=optimizer, step=17, config={"lr": 0.01, "name": "run"}, extra={"note": "x"})

    loaded, payload = load_checkpoint(path)
    assert isinstance(loaded, TinyNet) and not loaded.training
    x = torch.randn(5, 3)
    assert torch.equal(loaded(x), model(x))
    assert payload["step"] == 17 and payload["config"] == {"lr": 0.01, "name": "run"}
    assert payload["model_kwargs"] == {"width": 3, "depth": 2} and payload["extra"] == {"note": "x"}

    fresh_optimizer = torch.optim.Adam(loaded.parameters(), lr=0.5)
    load_checkpoint(path, optimizer=fresh_optimizer)
    assert fresh_optimizer.param_groups[0]["lr"] == 0.01
    assert fresh_optimizer.state_dict()["state"][0]["step"] == optimizer.state_dict()["state"][0]["step"]


def test_save_refuses_unregistered_class(tmp_path):
    with pytest.raises(CoreError, match="not registered"):
        save_checkpoint(tmp_path / "m.pt", UnregisteredNet(2, 2), model_kwargs={"in_features": 2, "out_features": 2})


def test_load_refuses_foreign_files_and_unregistered_class_paths(tmp_path):
    with pytest.raises(CoreError):
        load_checkpoint(tmp_path / "missing.pt")
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(CoreError):
        load_checkpoint(garbage)
    path = save_checkpoint(tmp_path / "m.pt", TinyNet(2), model_kwargs={"width": 2})
    payload = torch.load(path, weights_only=True)
    payload["model_class"] = "os:system"  # importable, but never registered
    torch.save(payload, path)
    with pytest.raises(CoreError, match="not registered"):
        load_checkpoint(path)


def test_load_reports_kwargs_that_do_not_fit_the_class(tmp_path):
    path = save_checkpoint(tmp_path / "m.pt", TinyNet(2), model_kwargs={"width": 2, "colour": "red"})
    with pytest.raises(CoreError, match="cannot build"):
        load_checkpoint(path)
