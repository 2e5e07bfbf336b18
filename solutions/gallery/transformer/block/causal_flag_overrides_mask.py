"""is_causal=True replaces a given mask by the causal one: the contract (unlike torch's hint)
says the flag only tells the layer what to build when NO mask is given; a mask passed along
with the flag is used as it is. Building the causal mask regardless silently discards the
caller's mask (a sliding-window or padding-aware attn_mask, say).

Fix: mask = causal(T, S) only if mask is None and the flag is set; otherwise the given mask."""

import torch

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


def _causal(mask, is_causal, T, S, device):
    if is_causal:  # wrong: ignores a given mask
        return torch.ones(T, S, dtype=torch.bool, device=device).triu(1)
    return mask


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        return super().forward(src, _causal(src_mask, is_causal, T, T, src.device),
                               src_key_padding_mask)


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        T, S = tgt.shape[1], memory.shape[1]
        return super().forward(tgt, memory, _causal(tgt_mask, tgt_is_causal, T, T, tgt.device),
                               _causal(memory_mask, memory_is_causal, T, S, tgt.device),
                               tgt_key_padding_mask, memory_key_padding_mask)


