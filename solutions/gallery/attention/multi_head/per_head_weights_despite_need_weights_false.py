"""need_weights=False honoured only on the averaged path: with average_attn_weights=False the
per-head weights (B, H, L, S) come back anyway. nn.MultiheadAttention returns (output, None)
whenever need_weights=False, whatever average_attn_weights says (the flag only chooses the
form of weights that were asked for).

Fix: test need_weights first: `if not need_weights: return out, None`, then choose between
the mean over the heads and the per-head weights."""

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Correct


class MultiHeadAttention(_Correct):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True):
        if not average_attn_weights:  # wrong: need_weights=False is ignored here
            return super().forward(query, key, value, key_padding_mask, True, attn_mask, False)
        return super().forward(query, key, value, key_padding_mask, need_weights, attn_mask, True)
