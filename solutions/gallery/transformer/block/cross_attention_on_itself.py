"""Cross-attention that attends to the decoder stream: multihead_attn(x, x, x) is a second
self-attention, so the decoder never reads the encoder's memory at all (the output does not
depend on the source sentence). Cross-attention takes its queries from the decoder and its
keys AND values from memory: multihead_attn(x, memory, memory, attn_mask=memory_mask,
key_padding_mask=memory_key_padding_mask)."""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _Correct


class DecoderLayer(_Correct):
    def _ca(self, x, memory, mask, key_padding_mask):
        # wrong: keys and values from x (memory's masks no longer fit its shape, so they go too)
        return self.dropout2(self.multihead_attn(x, x, x, need_weights=False)[0])
