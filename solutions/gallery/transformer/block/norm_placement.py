"""Norm in the wrong place for pre-LN: x = x + norm1(sa(x)) normalises the sublayer's OUTPUT
and feeds the sublayer the raw stream. Pre-LN (norm_first=True) is the other way round: each
sublayer sees a normalised copy of x, and its output is added to the un-normalised residual
stream, x = x + sa(norm1(x)); x = x + ff(norm2(x)). (Post-LN, norm_first=False, normalises the
SUM: x = norm1(x + sa(x)).) The placement decides what the residual stream carries, so the
numbers differ from torch's everywhere."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import EncoderLayer as _Correct, _causal


class EncoderLayer(_Correct):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        mask = _causal(src_mask, is_causal, T, T, src.device)
        x = src
        if self.norm_first:  # wrong: the norm is applied to the sublayer's output
            x = x + self.norm1(self._sa(x, mask, src_key_padding_mask))
            x = x + self.norm2(self._ff(x))
        else:
            x = self.norm1(x + self._sa(x, mask, src_key_padding_mask))
            x = self.norm2(x + self._ff(x))
        return x
