"""Returns early for a size-0 batch or sequence with self.out_proj(torch.zeros(B, L, E,
dtype=query.dtype)): dtype and graph are right, but the zeros land on the default device (the
CPU), so a module on a GPU fails (or returns CPU weights) for an empty batch only.

Fix: no early return (spell the sizes out in .view(B, L, H, D): the general path handles
B = 0 and L = 0), or query.new_zeros(...), which keeps the dtype and the device.
"""

import torch

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S, H = key.shape[1], self.num_heads
        if B == 0 or L == 0:  # wrong: torch.zeros without device=
            out = self.out_proj(torch.zeros(B, L, E, dtype=query.dtype))
            if not need_weights:
                return out, None
            return out, torch.zeros((B, L, S) if average_attn_weights else (B, H, L, S), dtype=query.dtype)
        return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask,
                               average_attn_weights)
