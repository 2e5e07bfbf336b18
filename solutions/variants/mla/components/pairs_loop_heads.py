"""RoPE with an explicit (..., d/2, 2) pair layout and unbind; per-head outputs built by a loop over heads and stacked."""

import torch
from torch import nn

from solutions.mla.components import MLAConfig  # noqa: F401


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.variance_epsilon = eps

    def forward(self, x):
        ms = (x * x).sum(-1, keepdim=True) / x.shape[-1]
        return self.weight * (x / torch.sqrt(ms + self.variance_epsilon))


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    i = torch.arange(d // 2, dtype=x.dtype, device=x.device)
    ang = positions.to(x.dtype).unsqueeze(-1) * torch.exp(-(2 * i / d) * torch.log(
        torch.tensor(float(theta), dtype=x.dtype, device=x.device)))
    pairs = x.reshape(*x.shape[:-1], d // 2, 2)
    re, im = pairs.unbind(-1)
    c, s = torch.cos(ang), torch.sin(ang)
    out = torch.stack((re * c - im * s, im * c + re * s), -1)
    return out.reshape(*out.shape[:-2], d)


class MLAProjections(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c = config
        H = config.num_attention_heads
        self.qk = config.qk_nope_head_dim + config.qk_rope_head_dim
        if config.q_lora_rank:
            self.q_a_proj = nn.Linear(config.hidden_size, config.q_lora_rank, bias=False)
            self.q_a_layernorm = RMSNorm(config.q_lora_rank, config.rms_norm_eps)
            self.q_b_proj = nn.Linear(config.q_lora_rank, H * self.qk, bias=False)
        else:
            self.q_proj = nn.Linear(config.hidden_size, H * self.qk, bias=False)
        self.kv_a_proj_with_mqa = nn.Linear(config.hidden_size,
                                            config.kv_lora_rank + config.qk_rope_head_dim, bias=False)
        self.kv_a_layernorm = RMSNorm(config.kv_lora_rank, config.rms_norm_eps)
        self.kv_b_proj = nn.Linear(config.kv_lora_rank,
                                   H * (config.qk_nope_head_dim + config.v_head_dim), bias=False)

    def _heads(self, t, width):
        return torch.stack([t[..., h * width:(h + 1) * width] for h in range(self.c.num_attention_heads)], 1)

    def queries(self, x, positions):
        q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x))) if self.c.q_lora_rank else self.q_proj(x)
        q = self._heads(q, self.qk)
        n = self.c.qk_nope_head_dim
        return q[..., :n], rope_interleaved(q[..., n:], positions, self.c.rope_theta)

    def latent(self, x, positions):
        r = self.c.kv_lora_rank
        kv = self.kv_a_proj_with_mqa(x)
        return self.kv_a_layernorm(kv[..., :r]), rope_interleaved(kv[..., r:], positions, self.c.rope_theta)

    def expand_kv(self, c_kv):
        n = self.c.qk_nope_head_dim
        kv = self._heads(self.kv_b_proj(c_kv), n + self.c.v_head_dim)
        return kv[..., :n], kv[..., n:]
