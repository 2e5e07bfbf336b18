"""Dropout applied after the residual add in pre-LN: x = dropout(x + sa(norm1(x))) drops (and
rescales) the residual stream itself, so whole features of the input vanish at random in every
layer; the residual path is supposed to carry x through untouched.

Fix: dropout acts on the sublayer's output only, before the add: x = x + dropout(sa(norm1(x)))."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import EncoderLayer as _Correct, _causal


class EncoderLayer(_Correct):
    def _sa(self, x, mask, key_padding_mask):
        return self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask,
                              need_weights=False)[0]

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        mask = _causal(src_mask, is_causal, T, T, src.device)
        x = src
        if self.norm_first:
            x = self.dropout1(x + self._sa(self.norm1(x), mask, src_key_padding_mask))  # wrong
            x = x + self._ff(self.norm2(x))
        else:
            x = self.norm1(x + self.dropout1(self._sa(x, mask, src_key_padding_mask)))
            x = self.norm2(x + self._ff(x))
        return x
