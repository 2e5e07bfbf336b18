"""A separate need_weights=False path (the one a transformer layer takes) that always splits
in_proj_bias into three: with bias=False it is None and this path fails, while the weights
path checks for None and is right.

Fix: b_q, b_k, b_v = in_proj_bias.chunk(3) if in_proj_bias is not None else (None,) * 3, in
every code path.
"""

import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref
from solutions.attention.multi_head import _additive
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
        b_q, b_k, b_v = self.in_proj_bias.chunk(3)  # wrong: None with bias=False
        q = F.linear(query, w_q, b_q).reshape(B, L, H, D).transpose(1, 2)
        k = F.linear(key, w_k, b_k).reshape(B, S, H, D).transpose(1, 2)
        v = F.linear(value, w_v, b_v).reshape(B, S, H, D).transpose(1, 2)
        bias = None
        if attn_mask is not None:
            bias = _additive(attn_mask, q.dtype)
            bias = bias if bias.dim() == 2 else bias.view(B, H, L, S)
        if key_padding_mask is not None:
            kpm = _additive(key_padding_mask, q.dtype).view(B, 1, 1, S)
            bias = kpm if bias is None else bias + kpm
        out = _attend(q, k, v, attn_mask=bias)
        return self.out_proj(out.transpose(1, 2).reshape(B, L, E)), None
