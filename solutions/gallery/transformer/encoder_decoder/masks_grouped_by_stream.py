"""forward's masks reordered by stream: forward(src, tgt, src_mask, src_key_padding_mask,
tgt_mask, tgt_key_padding_mask, memory_mask, memory_key_padding_mask) reads naturally, but the
contract (nn.Transformer's signature) is src_mask, tgt_mask, memory_mask, then the three key
padding masks; a caller passing them positionally, as code written for nn.Transformer does,
gets every mask in the wrong place. Keyword calls hide it.

Fix: keep the documented order: forward(src, tgt, src_mask=None, tgt_mask=None,
memory_mask=None, src_key_padding_mask=None, tgt_key_padding_mask=None,
memory_key_padding_mask=None)."""

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import Transformer as _Correct


class Transformer(_Correct):
    def forward(self, src, tgt, src_mask=None, src_key_padding_mask=None, tgt_mask=None,  # wrong
                tgt_key_padding_mask=None, memory_mask=None, memory_key_padding_mask=None):
        return super().forward(src, tgt, src_mask=src_mask, tgt_mask=tgt_mask, memory_mask=memory_mask,
                               src_key_padding_mask=src_key_padding_mask,
                               tgt_key_padding_mask=tgt_key_padding_mask,
                               memory_key_padding_mask=memory_key_padding_mask)
