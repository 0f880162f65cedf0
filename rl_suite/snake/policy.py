"""The PPO actor-critic for Snake: an egocentric view of the board fed to an MLP.

`SnakePolicy(height, width)` takes batches of the env's board-aligned observations
`(B, 3, H, W)` and returns `(logits (B, 3), value (B,))`. Its first layer is a fixed (parameter-
free) change of view: the board is re-centred on the head and rotated so that the head points
"up", into a `(3, S, S)` grid with `S = 2 * max(H, W) - 1`:

- channel 0: body age (the env's channel 1), channel 1: fruit, channel 2: wall (1 off the board).

In that view the three relative actions are always the cells left of, in front of and right of
the centre, so one set of weights serves all four headings and all head positions (the
symmetry the relative action space was chosen for). The heading is read off the observation:
the neck is the body cell with the largest age value.
"""

from __future__ import annotations

import torch
from torch import nn

from rl_suite.core.checkpoint import register_model
from rl_suite.envs.snake import BODY_CHANNEL, DIRECTIONS, FRUIT_CHANNEL, HEAD_CHANNEL, SnakeError

EGO_CHANNELS = 3


def egocentric_offsets(span: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Board offsets `(4, S, S)` rows and cols seen at each cell of the egocentric view.

    For heading h, view cell (i, j) shows the board cell head + R^h (i - c, j - c) with c the
    centre and R the clockwise quarter turn (dy, dx) -> (dx, -dy): "up" in the view is the
    heading, "left" in the view is the snake's left.
    """
    centre = span // 2
    dy, dx = torch.meshgrid(torch.arange(span) - centre, torch.arange(span) - centre, indexing="ij")
    rows, cols = [], []
    for _ in range(4):
        rows.append(dy.clone())
        cols.append(dx.clone())
        dy, dx = dx, -dy
    return torch.stack(rows), torch.stack(cols)


@register_model
class SnakePolicy(nn.Module):
    """Actor-critic MLP over the egocentric view; `forward(obs) -> (logits, value)`."""

    def __init__(self, height: int, width: int, hidden: int = 256, layers: int = 2) -> None:
        super().__init__()
        if min(height, width) < 2 or hidden < 1 or layers < 1:
            raise SnakeError(f"need height, width >= 2 and hidden, layers >= 1; got "
                             f"{height}, {width}, {hidden}, {layers}")
        self.height, self.width = height, width
        self.span = 2 * max(height, width) - 1
        rows, cols = egocentric_offsets(self.span)
        self.register_buffer("offset_rows", rows, persistent=False)
        self.register_buffer("offset_cols", cols, persistent=False)
        # Heading from (head - neck): index (d_row + 1) * 3 + (d_col + 1) -> compass heading.
        lookup = torch.zeros(9, dtype=torch.long)
        for heading, (d_row, d_col) in enumerate(DIRECTIONS.tolist()):
            lookup[(d_row + 1) * 3 + (d_col + 1)] = heading
        self.register_buffer("heading_lookup", lookup, persistent=False)
        sizes = [EGO_CHANNELS * self.span * self.span] + [hidden] * layers
        trunk: list[nn.Module] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            trunk += [_orthogonal(nn.Linear(fan_in, fan_out), 2 ** 0.5), nn.Tanh()]
        self.trunk = nn.Sequential(*trunk)
        # CleanRL's initialisation: small policy head (near-uniform start), unit value head.
        self.policy_head = _orthogonal(nn.Linear(hidden, 3), 0.01)
        self.value_head = _orthogonal(nn.Linear(hidden, 1), 1.0)

    def egocentric(self, obs: torch.Tensor) -> torch.Tensor:
        """Board observations `(B, 3, H, W)` -> egocentric views `(B, 3, S, S)`."""
        batch = obs.shape[0]
        flat = obs.reshape(batch, obs.shape[1], self.height * self.width)
        head = flat[:, HEAD_CHANNEL].argmax(dim=1)
        neck = flat[:, BODY_CHANNEL].argmax(dim=1)  # the neck has the largest age value
        head_row, head_col = head // self.width, head % self.width
        d_row = head_row - neck // self.width
        d_col = head_col - neck % self.width
        heading = self.heading_lookup[((d_row + 1) * 3 + (d_col + 1)).clamp(0, 8)]
        rows = head_row[:, None, None] + self.offset_rows[heading]
        cols = head_col[:, None, None] + self.offset_cols[heading]
        inside = (rows >= 0) & (rows < self.height) & (cols >= 0) & (cols < self.width)
        index = (rows.clamp(0, self.height - 1) * self.width + cols.clamp(0, self.width - 1))
        index = index.reshape(batch, 1, -1).expand(batch, 2, -1)
        seen = torch.gather(flat[:, [BODY_CHANNEL, FRUIT_CHANNEL]], 2, index)
        seen = seen * inside.reshape(batch, 1, -1)
        wall = (~inside).reshape(batch, 1, -1).to(obs.dtype)
        return torch.cat([seen, wall], dim=1).reshape(batch, EGO_CHANNELS, self.span, self.span)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.trunk(self.egocentric(obs).flatten(1))
        return self.policy_head(features), self.value_head(features).squeeze(-1)


def _orthogonal(layer: nn.Linear, gain: float) -> nn.Linear:
    nn.init.orthogonal_(layer.weight, gain)
    nn.init.zeros_(layer.bias)
    return layer
