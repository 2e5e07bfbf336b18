"""memory_is_causal ignored unless tgt_is_causal is set too: the decoder builds its (T, S)
memory mask only in the branch that builds the self-attention mask, so memory_is_causal=True
alone lets every query read every memory position.

Fix: each flag builds its own mask: tgt_is_causal the (T, T) self-attention mask,
memory_is_causal the (T, S) cross-attention mask, independently."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _Correct


class DecoderLayer(_Correct):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        return super().forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                               memory_key_padding_mask, tgt_is_causal,
                               memory_is_causal and tgt_is_causal)  # wrong
