"""Builds the causal mask only when NO mask at all is given: `if is_causal and src_mask is None
and src_key_padding_mask is None`. A key padding mask says which keys are padding, not which
keys lie in the future, so a padded causal batch (the usual case when training a decoder on
sequences of different lengths) attends to future tokens: every position reads the answer.

Fix: the flag depends on the attention mask only: with is_causal=True and src_mask None (tgt_mask
/ memory_mask None), build the causal mask, and pass the key padding mask along with it."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        is_causal = is_causal and src_key_padding_mask is None  # wrong: padding is not a causal mask
        return super().forward(src, src_mask, src_key_padding_mask, is_causal=is_causal)


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        tgt_is_causal = tgt_is_causal and tgt_key_padding_mask is None  # wrong, as above
        memory_is_causal = memory_is_causal and memory_key_padding_mask is None
        return super().forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                               memory_key_padding_mask, tgt_is_causal, memory_is_causal)
