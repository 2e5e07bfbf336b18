"""Weights not averaged over the heads: returning weights.sum(dim=1) (or the per-head tensor,
or one head's weights) as need_weights' result. nn.MultiheadAttention returns the MEAN over
the heads, (B, L, S), so each query's row is still a distribution summing to 1; a sum gives
rows summing to H. Fix: weights.mean(dim=1) when average_attn_weights=True, the per-head
(B, H, L, S) tensor only when average_attn_weights=False."""

import math

import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Correct, _additive


class MultiHeadAttention(_Correct):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True):
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q, k, v = F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)
        q = q.view(B, L, H, D).transpose(1, 2)
        k = k.view(B, S, H, D).transpose(1, 2)
        v = v.view(B, S, H, D).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(D)
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            scores = scores + (bias if bias.dim() == 2 else bias.view(B, H, L, S))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(B, 1, 1, S)
        weights = scores.softmax(dim=-1)
        out = self.out_proj((weights @ v).transpose(1, 2).reshape(B, L, E))
        if not need_weights:
            return out, None
        return out, weights.sum(dim=1) if average_attn_weights else weights  # wrong: sum, not mean
