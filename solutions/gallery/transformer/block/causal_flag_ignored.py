"""is_causal ignored: with src_mask=None and is_causal=True the layer attends to every position,
future ones included. In torch the flag is only a hint about the mask you pass; this kata asks
the layer to build the causal mask itself when no mask is given (keys j > i hidden:
torch.ones(T, T, dtype=torch.bool).triu(1)), and to use the mask as it is otherwise."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        return super().forward(src, src_mask, src_key_padding_mask, is_causal=False)  # wrong


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        return super().forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                               memory_key_padding_mask)  # wrong: both flags dropped
