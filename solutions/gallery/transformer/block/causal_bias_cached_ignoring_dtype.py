"""The causal mask kept as a float 0 / -inf bias in a module-level dict keyed by (T, S, device),
in the dtype of the first call: after float64 layers, a float32 layer of the same sizes adds
a float64 bias to its float32 scores, and the attention fails (or comes back float64).

Fix: build the causal mask at every call as bool (or with dtype=x.dtype), or put the dtype
in the key."""

import torch

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder

_BIAS = {}


def _kept_causal(mask, is_causal, T, S, x):
    if mask is None and is_causal:
        key = (T, S, x.device)  # wrong: no dtype in the key
        if key not in _BIAS:
            hidden = torch.ones(T, S, dtype=torch.bool, device=x.device).triu(1)
            _BIAS[key] = torch.zeros(T, S, dtype=x.dtype, device=x.device).masked_fill(hidden, float("-inf"))
        return _BIAS[key]
    return mask


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        return super().forward(src, _kept_causal(src_mask, is_causal, T, T, src), src_key_padding_mask)


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        T, S = tgt.shape[1], memory.shape[1]
        return super().forward(tgt, memory, _kept_causal(tgt_mask, tgt_is_causal, T, T, tgt),
                               _kept_causal(memory_mask, memory_is_causal, T, S, tgt),
                               tgt_key_padding_mask, memory_key_padding_mask)
