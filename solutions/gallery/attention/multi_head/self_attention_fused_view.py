"""A fused self-attention path (taken when query is key is value) that flattens the input with
x.view(B * L, E) before one F.linear with in_proj_weight: a transposed or sliced x
(non-contiguous) cannot be viewed, and the path for three different tensors uses F.linear
on (B, L, E) and is right, so only self-attention on such an x fails.

Fix: F.linear(x, in_proj_weight, in_proj_bias) on the (B, L, E) input, or .reshape.
"""

import math

import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref, _additive


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
        if query is key and key is value:  # self-attention: one fused projection
            flat = query.view(B * L, E)  # wrong: .view on a non-contiguous x
            q, k, v = F.linear(flat, self.in_proj_weight, self.in_proj_bias).view(B, L, 3 * E).chunk(3, dim=-1)
        else:
            w_q, w_k, w_v = self.in_proj_weight.chunk(3)
            b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
            q, k, v = F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)
        q = q.reshape(B, L, H, D).transpose(1, 2)
        k = k.reshape(B, S, H, D).transpose(1, 2)
        v = v.reshape(B, S, H, D).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(D)
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            scores = scores + (bias if bias.dim() == 2 else bias.view(B, H, L, S))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(B, 1, 1, S)
        weights = scores.softmax(-1)
        out = self.out_proj((weights @ v).transpose(1, 2).reshape(B, L, E))
        if not need_weights:
            return out, None
        return out, weights.mean(1) if average_attn_weights else weights
