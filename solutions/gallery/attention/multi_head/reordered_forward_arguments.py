"""forward(query, key, value, attn_mask=None, key_padding_mask=None, ...): the masks in the
order many hand-written attentions use, not nn.MultiheadAttention's. Keyword calls work,
but a caller written for torch's module that passes key_padding_mask positionally (the
fourth argument) now hands it over as attn_mask: it broadcasts over the wrong dims or
raises.

Fix: keep torch's order exactly: forward(query, key, value, key_padding_mask=None,
need_weights=True, attn_mask=None, average_attn_weights=True).
"""

from solutions.attention.multi_head import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.multi_head import MultiHeadAttention as _Ref


class MultiHeadAttention(_Ref):
    def forward(self, query, key, value, attn_mask=None, key_padding_mask=None, need_weights=True,
                average_attn_weights=True):  # wrong: attn_mask moved before key_padding_mask
        return super().forward(query, key, value, key_padding_mask=key_padding_mask,
                               need_weights=need_weights, attn_mask=attn_mask,
                               average_attn_weights=average_attn_weights)
