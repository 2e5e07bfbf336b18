"""Returns early for a size-0 batch or sequence with head-averaged zeros (B, L, S) whatever
average_attn_weights says: with average_attn_weights=False torch returns per-head weights
(B, H, L, S), empty or not, so the shape changes only for empty inputs.

Fix: no early return (spell the sizes out in .view(B, L, H, D): the general path handles
B = 0 and L = 0), or give the early weights the shape the flag asks for.
"""

import torch

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S = key.shape[1]
        if B == 0 or L == 0:  # wrong: (B, L, S) even when average_attn_weights=False
            return self.out_proj(query), (query.new_zeros(B, L, S) if need_weights else None)
        return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask,
                               average_attn_weights)
