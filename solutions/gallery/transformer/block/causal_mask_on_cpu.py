"""The causal mask built on the default device: torch.ones(T, S, dtype=torch.bool).triu(1)
without device= lives on the CPU, so a layer on a GPU (the specs use the meta device) fails
(or copies the mask over at every call) as soon as is_causal=True.

Fix: torch.ones(T, S, dtype=torch.bool, device=x.device).triu(1)."""

import torch

import solutions.transformer.block as _block
from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


def _cpu_causal(mask, is_causal, T, S, device):
    if mask is None and is_causal:
        return torch.ones(T, S, dtype=torch.bool).triu(1)  # wrong: no device=
    return mask


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        return super().forward(src, _cpu_causal(src_mask, is_causal, T, T, None), src_key_padding_mask)


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        T, S = tgt.shape[1], memory.shape[1]
        return super().forward(tgt, memory, _cpu_causal(tgt_mask, tgt_is_causal, T, T, None),
                               _cpu_causal(memory_mask, memory_is_causal, T, S, None),
                               tgt_key_padding_mask, memory_key_padding_mask)


del _block
