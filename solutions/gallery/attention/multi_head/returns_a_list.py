"""forward returns the list [output, weights], not the tuple (output, weights) that
nn.MultiheadAttention returns (unpacking works, but code that tests isinstance(..., tuple),
hashes it or concatenates it with a tuple breaks)."""

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Correct


class MultiHeadAttention(_Correct):
    def forward(self, query, key, value, key_padding_mask=None, need_weights=True,
                attn_mask=None, average_attn_weights=True):
        out, weights = super().forward(query, key, value, key_padding_mask, need_weights,
                                       attn_mask, average_attn_weights)
        return [out, weights]  # wrong: a list
