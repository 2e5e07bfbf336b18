"""A separate need_weights=False path (the one a transformer layer takes) that sums the
masks into a bias made with torch.zeros(B, H, L, S) and no dtype=: the weights path is
right, but under torch.set_default_dtype(torch.float64) this bias is float64 and promotes
a float32 module's scores, so its outputs come back float64 only when no weights are asked.

Fix: build the bias with dtype=q.dtype, device=q.device (or masked_fill the scores
directly), in every code path.
"""

import torch
import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref
from solutions.attention.sdpa import scaled_dot_product_attention as _attend


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        if need_weights:
            return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask,
                                   average_attn_weights)
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q = F.linear(query, w_q, b_q).view(B, L, H, D).transpose(1, 2)
        k = F.linear(key, w_k, b_k).view(B, S, H, D).transpose(1, 2)
        v = F.linear(value, w_v, b_v).view(B, S, H, D).transpose(1, 2)
        bias = torch.zeros(B, H, L, S, device=query.device)  # wrong: follows the default dtype
        if attn_mask is not None:
            m = attn_mask.view(B, H, L, S) if attn_mask.dim() == 3 else attn_mask
            bias = bias + (torch.zeros(m.shape, device=m.device).masked_fill(m, float("-inf"))
                           if m.dtype == torch.bool else m)
        if key_padding_mask is not None:
            m = key_padding_mask.view(B, 1, 1, S)
            bias = bias + (torch.zeros(m.shape, device=m.device).masked_fill(m, float("-inf"))
                           if m.dtype == torch.bool else m)
        out = _attend(q, k, v, attn_mask=bias)
        return self.out_proj(out.transpose(1, 2).reshape(B, L, E)), None
