"""The policy/value network: a small transformer over goal tokens plus an MLP over structural features.

nanoGPT style: small modules, shapes in comments, `forward(batch) -> (out, loss)` where the loss is
computed only when the batch carries targets. Registered with `rl_suite.core.checkpoint`, so
`load_checkpoint` rebuilds it from the kwargs stored in the checkpoint, without the training script.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from rl_suite.core.checkpoint import register_model


@dataclass
class PolicyBatch:
    """A batch of encoded goals, with optional training targets.

    tokens (B, T) long, PAD_ID-padded; features (B, F) float. Targets: policy_target (B, A) a
    distribution over tactics (rows of zeros where no tactic is known to work, masked by has_policy
    (B,) bool); tried (B, A) bool, the tactics the search pulled at that goal (success = policy_target > 0);
    value_target (B,) float in {0, 1}.
    """

    tokens: torch.Tensor
    features: torch.Tensor
    policy_target: torch.Tensor | None = None
    has_policy: torch.Tensor | None = None
    tried: torch.Tensor | None = None
    value_target: torch.Tensor | None = None

    def to(self, device: torch.device | str) -> PolicyBatch:
        moved = {name: (value.to(device) if value is not None else None) for name, value in vars(self).items()}
        return PolicyBatch(**moved)


@dataclass
class PolicyOutput:
    """policy_logits (B, A) over the tactics; value_logit (B,) for P(goal closes within the budget)."""

    policy_logits: torch.Tensor
    value_logit: torch.Tensor


class SelfAttention(nn.Module):
    def __init__(self, width: int, heads: int, dropout: float):
        super().__init__()
        assert width % heads == 0, "width must be divisible by heads"
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.dropout = dropout

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)  # each (B, T, C)
        q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2) for t in (q, k, v))  # (B, H, T, C/H)
        keep = ~pad[:, None, None, :]  # (B, 1, 1, T): attend to real tokens only (bidirectional)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, dropout_p=self.dropout if self.training else 0.0)
        return self.proj(y.transpose(1, 2).contiguous().view(B, T, C))  # (B, T, C)


class Block(nn.Module):
    def __init__(self, width: int, heads: int, dropout: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(width)
        self.attention = SelfAttention(width, heads, dropout)
        self.norm2 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x), pad)
        return x + self.mlp(self.norm2(x))  # (B, T, C)


@register_model
class PolicyValueNet(nn.Module):
    """Goal -> (prior over `num_tactics` tactics, probability that the goal closes).

    The token encoder (embedding + learned positions + `layers` pre-norm transformer blocks, mean-pooled
    over real tokens) and the feature MLP are concatenated into a trunk that feeds both heads.
    """

    def __init__(self, vocab_size: int, num_features: int, num_tactics: int, max_tokens: int,
                 width: int = 64, layers: int = 2, heads: int = 4, dropout: float = 0.1, pad_id: int = 0):
        super().__init__()
        self.pad_id, self.max_tokens = pad_id, max_tokens
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.position_embedding = nn.Embedding(max_tokens, width)
        self.blocks = nn.ModuleList(Block(width, heads, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.feature_mlp = nn.Sequential(nn.Linear(num_features, width), nn.GELU())
        self.trunk = nn.Sequential(nn.Linear(2 * width, width), nn.GELU(), nn.Dropout(dropout))
        self.policy_head = nn.Linear(width, num_tactics)
        self.value_head = nn.Linear(width, 1)

    def forward(self, batch: PolicyBatch) -> tuple[PolicyOutput, torch.Tensor | None]:
        tokens = batch.tokens[:, : self.max_tokens]  # (B, T)
        T = tokens.shape[1]
        pad = tokens == self.pad_id  # (B, T)
        positions = torch.arange(T, device=tokens.device)
        x = self.token_embedding(tokens) + self.position_embedding(positions)  # (B, T, C)
        for block in self.blocks:
            x = block(x, pad)
        x = self.norm(x)
        real = (~pad).unsqueeze(-1).float()  # (B, T, 1)
        pooled = (x * real).sum(1) / real.sum(1).clamp(min=1.0)  # (B, C)
        h = self.trunk(torch.cat([pooled, self.feature_mlp(batch.features)], dim=-1))  # (B, C)
        out = PolicyOutput(self.policy_head(h), self.value_head(h).squeeze(-1))  # (B, A), (B,)
        if batch.value_target is None:
            return out, None
        return out, policy_value_loss(out, batch)


def policy_value_loss(out: PolicyOutput, batch: PolicyBatch) -> torch.Tensor:
    """Three terms on the same logits: the cross-entropy of softmax(policy_logits) against the target
    distribution (goals where some tactic worked: imitation of what succeeded); the binary cross-entropy
    of sigmoid(policy_logits) as "this tactic works here" on every tactic the search tried (failures
    teach too, and most goals have no success at all); and the binary cross-entropy of the value."""
    loss = F.binary_cross_entropy_with_logits(out.value_logit, batch.value_target)
    if batch.tried is not None and bool(batch.tried.any()):
        success = (batch.policy_target > 0).float()  # (B, A)
        per_tactic = F.binary_cross_entropy_with_logits(out.policy_logits, success, reduction="none")  # (B, A)
        loss = loss + per_tactic[batch.tried].mean()
    if batch.has_policy is not None and bool(batch.has_policy.any()):
        log_prior = F.log_softmax(out.policy_logits[batch.has_policy], dim=-1)  # (P, A)
        loss = loss - (batch.policy_target[batch.has_policy] * log_prior).sum(-1).mean()
    return loss
