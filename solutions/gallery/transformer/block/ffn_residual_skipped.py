"""Residual skipped around the feed-forward block: x = norm2(ff(x)) (or x = ff(norm2(x)) in
pre-LN) replaces the stream by the FFN's output instead of adding to it. Everything the
attention sublayer computed survives only through the FFN, and gradients lose their direct
path through the layer. Each sublayer needs its own residual: x = norm2(x + ff(x)) in post-LN,
x = x + ff(norm2(x)) in pre-LN."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import EncoderLayer as _Correct, _causal


class EncoderLayer(_Correct):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        mask = _causal(src_mask, is_causal, T, T, src.device)
        x = src
        if self.norm_first:
            x = x + self._sa(self.norm1(x), mask, src_key_padding_mask)
            x = self._ff(self.norm2(x))  # wrong: no "x +"
        else:
            x = self.norm1(x + self._sa(x, mask, src_key_padding_mask))
            x = self.norm2(self._ff(x))  # wrong: no "x +"
        return x
