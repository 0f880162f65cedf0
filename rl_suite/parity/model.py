"""The parity model: an LSTM fed one bit per step, read out after a string's last bit."""

from __future__ import annotations

import torch
from torch import nn

from rl_suite.core.checkpoint import register_model
from rl_suite.core.errors import CoreError


@register_model
class ParityLSTM(nn.Module):
    """One-layer LSTM over bits (input 2*bit-1, so 0 and 1 are symmetric) and a linear readout.

    `logits_at_every_step(bits)` applies the readout after every bit. The LSTM is causal, so the
    readout after bit t equals the model's answer on the length-t prefix: padding after a
    string's end cannot reach it. `forward(bits, lengths)` therefore reads each string's answer
    at its own last bit by masking (a gather at index length-1), which gives the same result as
    `pack_padded_sequence` (tests check this) at half the cost on CPU.
    """

    def __init__(self, hidden_size: int = 64, forget_bias: float = 0.0) -> None:
        super().__init__()
        self.hidden_size = hidden_size
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden_size, batch_first=True)
        if forget_bias:
            # PyTorch gate order is (input, forget, cell, output); both bias vectors add up.
            with torch.no_grad():
                for bias in (self.lstm.bias_ih_l0, self.lstm.bias_hh_l0):
                    bias[hidden_size:2 * hidden_size].fill_(forget_bias / 2)
        self.readout = nn.Linear(hidden_size, 1)

    def forward(self, bits: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits `(batch,)` for the parity of each string's first `lengths[i]` bits."""
        if lengths.shape != bits.shape[:1] or lengths.min() < 1 or lengths.max() > bits.shape[1]:
            raise CoreError(f"lengths must have shape ({bits.shape[0]},) and lie in 1..{bits.shape[1]}")
        # Only run as far as the longest string in the batch; the rest is padding.
        steps = int(lengths.max())
        every_step = self.logits_at_every_step(bits[:, :steps])
        return every_step.gather(1, (lengths - 1)[:, None]).squeeze(1)

    def logits_at_every_step(self, bits: torch.Tensor) -> torch.Tensor:
        """Logits `(batch, T)`: entry t answers for the prefix of length t+1."""
        outputs, _ = self.lstm((2.0 * bits - 1.0).unsqueeze(-1))
        return self.readout(outputs).squeeze(-1)
