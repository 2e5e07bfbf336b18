"""Naive path through F.scaled_dot_product_attention on concatenated [nope | rope] heads with a boolean mask; absorbed path with .mT matmuls; cache writes via narrow().copy_()."""

import torch
import torch.nn.functional as F
from torch import nn

from katas.mla.components import MLAConfig, MLAProjections  # noqa: F401


class MLACache:
    def __init__(self, config, batch_size, max_len, dtype=torch.float32, device=None):
        self.batch_size, self.max_len = batch_size, max_len
        self.c_kv = torch.zeros((batch_size, max_len, config.kv_lora_rank), dtype=dtype, device=device)
        self.k_rope = torch.zeros((batch_size, max_len, config.qk_rope_head_dim), dtype=dtype, device=device)

    def update(self, c_kv, k_rope, start_pos):
        B, T = c_kv.shape[0], c_kv.shape[1]
        if B > self.batch_size:
            raise ValueError(f"batch {B} > cache batch_size {self.batch_size}")
        if start_pos + T > self.max_len:
            raise ValueError(f"start_pos {start_pos} + T {T} > max_len {self.max_len}")
        self.c_kv[:B].narrow(1, start_pos, T).copy_(c_kv)
        self.k_rope[:B].narrow(1, start_pos, T).copy_(k_rope)
        return self.c_kv[:B].narrow(1, 0, start_pos + T), self.k_rope[:B].narrow(1, 0, start_pos + T)


class MultiHeadLatentAttention(MLAProjections):
    def __init__(self, config):
        super().__init__(config)
        c = config
        self.o_proj = nn.Linear(c.num_attention_heads * c.v_head_dim, c.hidden_size, bias=False)

    def forward(self, x, cache=None, start_pos=0, absorb=False):
        c = self.config
        H, n, rp, vd, r = (c.num_attention_heads, c.qk_nope_head_dim, c.qk_rope_head_dim,
                           c.v_head_dim, c.kv_lora_rank)
        B, T, _ = x.shape
        pos = start_pos + torch.arange(T, device=x.device)
        q_nope, q_rope = self.queries(x, pos)
        c_kv, k_rope = self.latent(x, pos)
        if cache is not None:
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
        S = c_kv.shape[1]
        kpos = pos[-1] - S + 1 + torch.arange(S, device=x.device)  # keys end at the last query
        mask = kpos[None, :] <= pos[:, None]
        scale = 1.0 / (n + rp) ** 0.5
        if not absorb:
            k_nope, v = self.expand_kv(c_kv)
            q = torch.cat([q_nope, q_rope], -1)
            k = torch.cat([k_nope, k_rope[:, None].expand(B, H, S, rp)], -1)
            o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=scale)
        else:
            W = self.kv_b_proj.weight.reshape(H, n + vd, r)
            w_uk, w_uv = W[:, :n], W[:, n:]
            q_lat = q_nope @ w_uk                                   # (B, H, T, r)
            s = q_lat @ c_kv[:, None].mT + q_rope @ k_rope[:, None].mT
            s = (s * scale).masked_fill(~mask, float("-inf"))
            o = (s.softmax(-1) @ c_kv[:, None]) @ w_uv.mT           # (B, H, T, v)
        return self.o_proj(o.permute(0, 2, 1, 3).reshape(B, T, H * vd))
