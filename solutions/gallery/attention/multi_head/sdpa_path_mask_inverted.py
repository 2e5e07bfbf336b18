"""A second code path for need_weights=False that hands the masks to your own
scaled_dot_product_attention unchanged. That sdpa reads a bool mask as True = ATTEND, while
nn.MultiheadAttention's masks say True = HIDDEN, so this path attends to exactly the padding
and future positions (the need_weights=True path, written separately, is right, which makes
the bug easy to miss: a transformer layer always calls need_weights=False). Fix: convert the
masks once, e.g. to an additive float mask (-inf where True), and use it on both paths; or
pass ~mask to the sdpa."""

import torch
import torch.nn.functional as F

from katas.attention.sdpa import scaled_dot_product_attention
from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Correct


class MultiHeadAttention(_Correct):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True):
        if need_weights:
            return super().forward(query, key, value, key_padding_mask, True, attn_mask,
                                   average_attn_weights)
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q = F.linear(query, w_q, b_q).view(B, L, H, D).transpose(1, 2)
        k = F.linear(key, w_k, b_k).view(B, S, H, D).transpose(1, 2)
        v = F.linear(value, w_v, b_v).view(B, S, H, D).transpose(1, 2)
        mask = None  # wrong: bool masks passed on as they are (True = attend to sdpa)
        if attn_mask is not None:
            mask = attn_mask if attn_mask.dim() == 2 else attn_mask.view(B, H, L, S)
        if key_padding_mask is not None:
            kpm = key_padding_mask.view(B, 1, 1, S)
            mask = kpm if mask is None else (mask | kpm if mask.dtype == torch.bool else mask + kpm)
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.out_proj(out.transpose(1, 2).reshape(B, L, E)), None
