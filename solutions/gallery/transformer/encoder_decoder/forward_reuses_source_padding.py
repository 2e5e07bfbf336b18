"""forward falls back to src_key_padding_mask when memory_key_padding_mask is None (the source
padding reused as the memory padding mask). It is usually the same tensor, but the contract is
nn.Transformer.forward, which applies only the masks it is given: code written for
nn.Transformer that pads the source only for the encoder gets different outputs from this
model, and a caller cannot turn the cross-attention mask off.

Fix: pass each mask through exactly as given: src_key_padding_mask to encode,
memory_key_padding_mask (None stays None) to decode."""

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import Transformer as _Transformer


class Transformer(_Transformer):
    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        if memory_key_padding_mask is None:
            memory_key_padding_mask = src_key_padding_mask  # wrong: not what nn.Transformer does
        memory = self.encode(src, src_mask, src_key_padding_mask)
        return self.decode(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                           memory_key_padding_mask)
