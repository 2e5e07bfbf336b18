"""Splits and merges heads with an inferred size: .view(B, -1, H, D) and .reshape(B, -1, E)
are right for every non-empty input, but a tensor with 0 elements cannot infer -1 (any size
fits), so an empty batch (B = 0) or an empty query sequence (L = 0) raises.

Fix: spell out every size: .view(B, L, H, D), .reshape(B, L, E).
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
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q = F.linear(query, w_q, b_q).view(B, -1, H, D).transpose(1, 2)  # wrong: -1 with 0 elements
        k = F.linear(key, w_k, b_k).view(B, -1, H, D).transpose(1, 2)
        v = F.linear(value, w_v, b_v).view(B, -1, H, D).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(D)
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            scores = scores + (bias if bias.dim() == 2 else bias.view(B, H, L, S))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(B, 1, 1, S)
        weights = scores.softmax(-1)
        out = self.out_proj((weights @ v).transpose(1, 2).reshape(B, -1, E))
        if not need_weights:
            return out, None
        return out, weights.mean(1) if average_attn_weights else weights
