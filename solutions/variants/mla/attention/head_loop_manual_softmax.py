"""Loops over heads, additive -inf mask, a hand-written max-shifted softmax; cache kept in a dict-free pair of attributes with slice assignment."""

import math

import torch
from torch import nn

from katas.mla.components import MLAConfig, MLAProjections  # noqa: F401


class MLACache:
    def __init__(self, config, batch_size, max_len, dtype=torch.float32, device=None):
        self.c_kv = torch.zeros(batch_size, max_len, config.kv_lora_rank, dtype=dtype, device=device)
        self.k_rope = torch.zeros(batch_size, max_len, config.qk_rope_head_dim, dtype=dtype, device=device)

    def update(self, c_kv, k_rope, start_pos):
        b, t = c_kv.shape[:2]
        cap_b, cap_t = self.c_kv.shape[:2]
        if b > cap_b or start_pos + t > cap_t:
            raise ValueError(f"batch {b} / end {start_pos + t} exceed the cache ({cap_b}, {cap_t})")
        self.c_kv[:b, start_pos:start_pos + t] = c_kv
        self.k_rope[:b, start_pos:start_pos + t] = k_rope
        return self.c_kv[:b, :start_pos + t], self.k_rope[:b, :start_pos + t]


def _softmax(s):
    m = s.amax(-1, keepdim=True)
    e = torch.exp(s - m)
    return e / e.sum(-1, keepdim=True)


class MultiHeadLatentAttention(MLAProjections):
    def __init__(self, config):
        super().__init__(config)
        self.o_proj = nn.Linear(config.num_attention_heads * config.v_head_dim, config.hidden_size, bias=False)

    def forward(self, x, cache=None, start_pos=0, absorb=False):
        c = self.config
        H, n, vd, r = c.num_attention_heads, c.qk_nope_head_dim, c.v_head_dim, c.kv_lora_rank
        B, T, _ = x.shape
        qpos = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, qpos)
        c_kv, k_rope = self.latent(x, qpos)
        if cache is None:
            kpos = qpos
        else:
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
            kpos = torch.arange(c_kv.shape[1], device=x.device)
        bias = torch.zeros(T, kpos.shape[0], dtype=x.dtype, device=x.device)
        bias = bias.masked_fill(kpos[None] > qpos[:, None], float("-inf"))
        scale = 1 / math.sqrt(n + c.qk_rope_head_dim)
        W = self.kv_b_proj.weight.reshape(H, n + vd, r)
        if not absorb:
            k_nope, v = self.expand_kv(c_kv)
        heads = []
        for h in range(H):
            rope_s = q_rope[:, h] @ k_rope.transpose(1, 2)
            if absorb:
                s = (q_nope[:, h] @ W[h, :n]) @ c_kv.transpose(1, 2) + rope_s
                p = _softmax(s * scale + bias)
                heads.append((p @ c_kv) @ W[h, n:].T)
            else:
                s = q_nope[:, h] @ k_nope[:, h].transpose(1, 2) + rope_s
                heads.append(_softmax(s * scale + bias) @ v[:, h])
        return self.o_proj(torch.cat(heads, dim=-1))
