"""rope_interleaved returns torch.empty(x.shape) early for an empty x: float32 (and on the default
device) for a float64 x."""

from dataclasses import dataclass
from typing import Optional

import torch
from torch import nn


@dataclass
class MLAConfig:
    """The attention fields of a DeepSeek config (defaults: DeepSeek-V3)."""
    hidden_size: int = 7168
    num_attention_heads: int = 128
    q_lora_rank: Optional[int] = 1536
    kv_lora_rank: int = 512
    qk_nope_head_dim: int = 128
    qk_rope_head_dim: int = 64
    v_head_dim: int = 128
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    max_position_embeddings: int = 4096


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2, -1) + eps) * weight (as in katas/norms/rms_norm.py)."""

    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_interleaved(x: torch.Tensor, positions: torch.Tensor, theta: float = 10000.0) -> torch.Tensor:
    """Rotate channel pairs (2i, 2i+1) of x (..., d) by positions * theta^(-2i/d)."""
    d = x.shape[-1]
    if x.numel() == 0:
        return torch.empty(x.shape)
    inv_freq = theta ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)  # (d/2,)
    angles = positions.to(x.dtype)[..., None] * inv_freq                               # (..., d/2)
    cos, sin = angles.cos(), angles.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)


class MLAProjections(nn.Module):
    """MLA's projections, norms and decoupled RoPE, with DeepSeek's (Hugging Face's) names."""

    def __init__(self, config: MLAConfig):
        super().__init__()
        self.config = config
        H, hidden = config.num_attention_heads, config.hidden_size
        self.num_heads = H
        self.nope, self.rope, self.v_dim = config.qk_nope_head_dim, config.qk_rope_head_dim, config.v_head_dim
        self.kv_lora_rank = config.kv_lora_rank
        qk_head_dim = self.nope + self.rope
        if config.q_lora_rank:  # query compression: down, RMSNorm, up
            self.q_a_proj = nn.Linear(hidden, config.q_lora_rank, bias=False)
            self.q_a_layernorm = RMSNorm(config.q_lora_rank, eps=config.rms_norm_eps)
            self.q_b_proj = nn.Linear(config.q_lora_rank, H * qk_head_dim, bias=False)
        else:                   # q_lora_rank 0 or None: one plain projection
            self.q_proj = nn.Linear(hidden, H * qk_head_dim, bias=False)
        # joint KV down-projection; its last qk_rope_head_dim outputs are the shared rope key
        self.kv_a_proj_with_mqa = nn.Linear(hidden, self.kv_lora_rank + self.rope, bias=False)
        self.kv_a_layernorm = RMSNorm(self.kv_lora_rank, eps=config.rms_norm_eps)
        self.kv_b_proj = nn.Linear(self.kv_lora_rank, H * (self.nope + self.v_dim), bias=False)

    def queries(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, hidden) -> q_nope (B, H, T, nope), q_rope (B, H, T, rope) rotated."""
        B, T, _ = x.shape
        if self.config.q_lora_rank:
            q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x)))
        else:
            q = self.q_proj(x)
        q = q.view(B, T, self.num_heads, self.nope + self.rope).transpose(1, 2)
        q_nope, q_rope = q.split([self.nope, self.rope], dim=-1)
        return q_nope, rope_interleaved(q_rope, positions, self.config.rope_theta)

    def latent(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, T, hidden) -> c_kv (B, T, kv_lora_rank) normalised, k_rope (B, T, rope) rotated."""
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.rope], dim=-1)
        return self.kv_a_layernorm(c_kv), rope_interleaved(k_rope, positions, self.config.rope_theta)

    def expand_kv(self, c_kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """c_kv (B, S, kv_lora_rank) -> k_nope (B, H, S, nope), v (B, H, S, v_head_dim)."""
        B, S, _ = c_kv.shape
        kv = self.kv_b_proj(c_kv).view(B, S, self.num_heads, self.nope + self.v_dim).transpose(1, 2)
        k_nope, v = kv.split([self.nope, self.v_dim], dim=-1)
        return k_nope, v
