"""Bool masks turned into an additive bias with torch.zeros(mask.shape, dtype=...) and no
device=: the bias lives on the CPU while the scores live with the inputs, so on a GPU the
addition raises "Expected all tensors to be on the same device". A CPU-only run hides it;
the spec runs on the meta device.

Fix: torch.zeros(mask.shape, dtype=scores.dtype, device=mask.device).masked_fill(mask, -inf),
or scores.masked_fill(mask, float("-inf")) directly.
"""

import math

import torch
import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref


def _additive(mask, dtype):
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype).masked_fill(mask, float("-inf"))  # wrong: on the CPU
    return mask


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q = F.linear(query, w_q, b_q).view(B, L, H, D).transpose(1, 2)
        k = F.linear(key, w_k, b_k).view(B, S, H, D).transpose(1, 2)
        v = F.linear(value, w_v, b_v).view(B, S, H, D).transpose(1, 2)
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
