"""A fused key/value path (taken when key is value, as in cross-attention on an encoder's
memory) that flattens memory with key.view(B * S, E) before one matmul with the k and v rows
of in_proj_weight: a transposed or sliced memory (non-contiguous) cannot be viewed, and the
path for three different tensors uses F.linear on (B, S, E) and is right, so only
cross-attention on such a memory fails.

Fix: F.linear(key, in_proj_weight[E:], in_proj_bias[E:]) on the (B, S, E) input, or .reshape.
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
        q = F.linear(query, w_q, b_q)
        if key is value:  # cross-attention on one memory: one fused k/v projection
            flat = key.view(B * S, E)  # wrong: .view on a non-contiguous memory
            b_kv = self.in_proj_bias[E:] if self.in_proj_bias is not None else None
            k, v = F.linear(flat, self.in_proj_weight[E:], b_kv).view(B, S, 2 * E).chunk(2, dim=-1)
        else:
            k, v = F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)
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
