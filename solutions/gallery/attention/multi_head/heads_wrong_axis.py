"""Heads split along the wrong axis: q.view(B, H, L, D) straight from (B, L, E) reinterprets
the memory without moving it, so "head 0" gets the first L*D numbers of the sequence: whole
positions, not a block of channels of every position. The shapes look right and nothing
crashes, but each head now mixes different positions. Fix: view(B, L, H, D) first (channels
h*D..(h+1)*D-1 belong to head h), then transpose(1, 2) to (B, H, L, D); undo it the same way
when merging."""

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
        q, k, v = q.view(B, H, L, D), k.view(B, H, S, D), v.view(B, H, S, D)  # wrong: no transpose
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(D)
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            scores = scores + (bias if bias.dim() == 2 else bias.view(B, H, L, S))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(B, 1, 1, S)
        weights = scores.softmax(dim=-1)
        out = self.out_proj((weights @ v).reshape(B, L, E))
        if not need_weights:
            return out, None
        return out, weights.mean(dim=1) if average_attn_weights else weights
