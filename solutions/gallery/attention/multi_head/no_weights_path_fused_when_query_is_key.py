"""A separate need_weights=False path (the one a transformer layer takes) with a fused
"self-attention" projection taken when `query is key`: q, k, v = chunks of query's in_proj.
DETR passes query = key = x + pos but value = x, so this path projects the wrong value (the
weights path projects the three separately and is right).

Fix: fuse only when `query is key is value`, or always project the three with their own
row blocks of in_proj_weight.
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
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        if query is key:  # wrong: value may be another tensor (DETR: x + pos, x + pos, x)
            q, k, v = F.linear(query, self.in_proj_weight, self.in_proj_bias).chunk(3, dim=-1)
        else:
            q, k, v = F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)
        q = q.reshape(B, L, H, D).transpose(1, 2)
        k, v = (t.reshape(B, S, H, D).transpose(1, 2) for t in (k, v))
        bias = None
        if attn_mask is not None:
            bias = _additive(attn_mask, q.dtype)
            bias = bias if bias.dim() == 2 else bias.view(B, H, L, S)
        if key_padding_mask is not None:
            kpm = _additive(key_padding_mask, q.dtype).view(B, 1, 1, S)
            bias = kpm if bias is None else bias + kpm
        out = _attend(q, k, v, attn_mask=bias)
        return self.out_proj(out.transpose(1, 2).reshape(B, L, E)), None
