"""The causal mask built as a float bias with torch.full((T, S), -inf).triu(1) and no dtype=:
it follows torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64) a
float32 layer's scores are promoted to float64 and the attention fails (or drifts to float64)
as soon as a causal flag is set.

Fix: torch.ones(T, S, dtype=torch.bool, device=x.device).triu(1), or dtype=x.dtype."""

import torch

import solutions.transformer.block as _block
from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


def _float_causal(mask, is_causal, T, S, device):
    if mask is None and is_causal:
        return torch.full((T, S), float("-inf"), device=device).triu(1)  # wrong: no dtype=
    return mask


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        return super().forward(src, _float_causal(src_mask, is_causal, T, T, src.device),
                               src_key_padding_mask)


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        T, S = tgt.shape[1], memory.shape[1]
        return super().forward(tgt, memory, _float_causal(tgt_mask, tgt_is_causal, T, T, tgt.device),
                               _float_causal(memory_mask, memory_is_causal, T, S, tgt.device),
                               tgt_key_padding_mask, memory_key_padding_mask)


del _block
