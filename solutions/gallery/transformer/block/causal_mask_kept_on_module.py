"""The causal mask is built once, at the first call with is_causal=True, and kept on the layer
(self._causal) for every later call: a layer called at another length (the next batch of a
different T, or a longer prefix while decoding) gets a mask of the first call's size, and
the attention fails on mismatched sizes (or, if sliced, hides the wrong keys).

Fix: build torch.ones(T, S, dtype=torch.bool, device=x.device).triu(1) for each call's T and
S (or cache per (T, S, device))."""

import torch

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        if src_mask is None and is_causal:
            if getattr(self, "_causal", None) is None:  # wrong: sized by the first call only
                T = src.shape[1]
                self._causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
            src_mask = self._causal
        return super().forward(src, src_mask, src_key_padding_mask)
