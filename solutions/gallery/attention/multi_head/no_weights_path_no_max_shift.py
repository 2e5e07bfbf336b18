"""A separate need_weights=False path with a hand-written softmax exp(s) / sum(exp(s)) and
no max subtraction: the weights path (torch.softmax) survives large scores, but in this
path a per-head score of +100 overflows exp in float32 (inf / inf = NaN), so only the calls
that ask for no weights (a transformer layer's) return NaN.

Fix: subtract each row's max before exp, or call torch.softmax, in every code path.
"""

import math

import torch.nn.functional as F

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref, _additive


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
        q = F.linear(query, w_q, b_q).view(B, L, H, D).transpose(1, 2)
        k = F.linear(key, w_k, b_k).view(B, S, H, D).transpose(1, 2)
        v = F.linear(value, w_v, b_v).view(B, S, H, D).transpose(1, 2)
        scores = q @ k.transpose(-2, -1) / math.sqrt(D)
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            scores = scores + (bias if bias.dim() == 2 else bias.view(B, H, L, S))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(B, 1, 1, S)
        e = scores.exp()  # wrong: no max subtracted, exp(100) overflows float32
        weights = e / e.sum(-1, keepdim=True)
        return self.out_proj((weights @ v).transpose(1, 2).reshape(B, L, E)), None
