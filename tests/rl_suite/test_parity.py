"""Parity experiment: data, masking of variable lengths, curriculum, and a tiny end-to-end run."""

import json
import pathlib
import subprocess
import sys

import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence

from rl_suite.core.checkpoint import load_checkpoint
from rl_suite.core.errors import CoreError
from rl_suite.parity.data import parity_labels, prefix_parities, random_strings, truncate
from rl_suite.parity.experiment import LengthCurriculum, ParityConfig, main, run_all, training_batches
from rl_suite.parity.model import ParityLSTM


def tiny_config(tmp_path, **overrides):
    """A few-second configuration: lengths up to 4, tested up to 8."""
    fields = dict(runs_root=pathlib.Path(tmp_path), name="tiny", seeds=1, num_train=2000, train_len=4,
                  test_max_len=8, test_strings=200, hidden_size=16, batch_size=64, updates=300, lr=1e-2,
                  warmup=10, eval_every=100, progress=False, tensorboard=False)
    fields.update(overrides)
    return ParityConfig(**fields)


def test_labels_are_parities_of_each_strings_own_prefix():
    bits = torch.tensor([[1.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0]])
    assert prefix_parities(bits).tolist() == [[1, 0, 0, 1], [0, 1, 1, 1]]
    assert parity_labels(bits, torch.tensor([4, 1])).tolist() == [1.0, 0.0]
    assert parity_labels(bits, torch.tensor([2, 2])).tolist() == [0.0, 1.0]
    with pytest.raises(CoreError):
        parity_labels(bits, torch.tensor([5, 1]))


def test_variable_length_strings_are_zero_padded_with_lengths_in_range():
    bits, lengths = random_strings(500, 7, variable_length=True, generator=torch.Generator().manual_seed(0))
    assert lengths.min() == 1 and lengths.max() == 7
    assert torch.equal(bits, truncate(bits, lengths))  # nothing after each string's end
    fixed_bits, fixed_lengths = random_strings(10, 7, variable_length=False, generator=torch.Generator().manual_seed(0))
    assert fixed_bits.shape == (10, 7) and bool((fixed_lengths == 7).all())


def test_answer_is_read_at_each_strings_own_last_bit_exactly_as_with_packing():
    torch.manual_seed(0)
    model = ParityLSTM(hidden_size=8)
    bits, lengths = random_strings(16, 9, variable_length=True, generator=torch.Generator().manual_seed(1))
    noisy = bits + (torch.arange(9) >= lengths[:, None]).float()  # garbage after the end must not matter
    packed = pack_padded_sequence((2 * bits - 1).unsqueeze(-1), lengths, batch_first=True, enforce_sorted=False)
    _, (final_hidden, _) = model.lstm(packed)
    expected = model.readout(final_hidden[-1]).squeeze(-1)
    assert torch.allclose(model(noisy, lengths), expected, atol=1e-6)
    every_step = model.logits_at_every_step(bits)
    assert torch.allclose(every_step[torch.arange(16), lengths - 1], expected, atol=1e-6)
    with pytest.raises(CoreError):
        model(bits, lengths + 20)


def test_forget_bias_initialises_the_forget_gate_only():
    model = ParityLSTM(hidden_size=4, forget_bias=2.0)
    total_bias = model.lstm.bias_ih_l0 + model.lstm.bias_hh_l0
    assert torch.allclose(total_bias[4:8], torch.full((4,), 2.0))
    assert not torch.allclose(total_bias[:4], torch.full((4,), 2.0))


def test_curriculum_promotes_on_a_mastered_window_and_graduates_after_the_final_length():
    curriculum = LengthCurriculum(start=2, step=3, final=6, threshold=0.9, patience=2)
    curriculum.update(1.0)
    assert curriculum.max_len == 2  # window not full yet
    curriculum.update(1.0)
    assert curriculum.max_len == 5
    curriculum.update(0.5)
    curriculum.update(0.9)
    assert curriculum.max_len == 5  # window mean 0.7
    curriculum.update(1.0)
    assert curriculum.max_len == 6  # window (0.9, 1.0): the failure has left it; capped at final
    curriculum.update(1.0)
    curriculum.update(1.0)
    assert curriculum.max_len is None  # graduated: full-length strings from now on
    with pytest.raises(CoreError):
        LengthCurriculum(start=0, step=1, final=5, threshold=0.9, patience=1)


def test_curriculum_batches_are_labelled_prefixes_then_full_strings():
    generator = torch.Generator().manual_seed(0)
    bits, lengths = random_strings(256, 10, variable_length=False, generator=generator)
    curriculum = LengthCurriculum(start=3, step=1, final=10, threshold=0.9, patience=1)
    batches = training_batches(bits, lengths, 64, generator, curriculum)
    batch = next(batches)
    assert batch["level"] == 3 and int(batch["lengths"].max()) <= 3
    assert torch.equal(batch["labels"], parity_labels(batch["bits"], batch["lengths"]))
    curriculum.max_len = None
    batch = next(batches)
    assert bool((batch["lengths"] == 10).all()) and batch["level"] == 10


def test_tiny_variable_length_run_learns_and_leaves_loadable_checkpoint_and_figures(tmp_path, capsys):
    summary = main(tiny_config(tmp_path, settings=("var1to50",), json=True))
    printed = json.loads(capsys.readouterr().out)
    assert printed["settings"]["var1to50"]["test50_acc"] == summary["settings"]["var1to50"]["test50_acc"]
    stats = summary["settings"]["var1to50"]
    assert stats["test50_acc"]["mean"] >= 0.95  # "test50" is the train_len (here 4) test
    assert min(stats["acc_by_len_mean"][:4]) >= 0.95
    assert len(stats["acc_by_len_mean"]) == 8
    for figure in summary["figures"]:
        assert pathlib.Path(figure).read_bytes()[:4] == b"\x89PNG"
    model, payload = load_checkpoint(tmp_path / "parity" / "tiny-var1to50-s0" / "checkpoint.pt")
    assert isinstance(model, ParityLSTM) and payload["step"] == 300 and payload["config"]["setting"] == "var1to50"
    replotted = run_all(tiny_config(tmp_path, settings=("var1to50",), plot_only=True))
    assert replotted["settings"] == summary["settings"]


def test_unknown_settings_and_too_short_test_lengths_are_refused(tmp_path):
    with pytest.raises(CoreError, match="unknown settings"):
        run_all(tiny_config(tmp_path, settings=("fixed7",)))
    with pytest.raises(CoreError, match="test_max_len"):
        run_all(tiny_config(tmp_path, test_max_len=4))


def test_command_line_prints_one_json_object(tmp_path):
    command = [sys.executable, "-m", "rl_suite.parity", "--json", "--runs-root", str(tmp_path),
               "--settings", "fixed50", "curriculum50", "--seeds", "1", "--num-train", "500",
               "--train-len", "3", "--test-max-len", "5", "--test-strings", "50", "--hidden-size", "4",
               "--updates", "20", "--warmup", "2", "--eval-every", "10", "--no-progress", "--no-checkpoints"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    summary = json.loads(completed.stdout)
    assert set(summary["settings"]) == {"fixed50", "curriculum50"}
    assert summary["settings"]["fixed50"]["seeds"] == [0]
