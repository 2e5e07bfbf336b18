"""Reads need_weights=False as "no gradients needed" and runs that path under torch.no_grad():
the output is right, but it is cut from the graph, so a transformer layer (which calls its
attention with need_weights=False) trains nothing through attention: no gradient reaches the
inputs or the projection weights.

Fix: need_weights only decides whether the weights are returned; compute the output with the
same differentiable ops in both paths.
"""

import math

import torch
import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref, _additive


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        if not need_weights:
            with torch.no_grad():  # wrong: the output loses its graph
                return self._attend(query, key, value, key_padding_mask, attn_mask)[0], None
        out, weights = self._attend(query, key, value, key_padding_mask, attn_mask)
        return out, weights.mean(1) if average_attn_weights else weights

    def _attend(self, query, key, value, key_padding_mask, attn_mask):
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
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
        return self.out_proj((weights @ v).transpose(1, 2).reshape(B, L, E)), weights
