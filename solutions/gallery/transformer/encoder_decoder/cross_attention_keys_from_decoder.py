"""Cross-attention keys from the decoder: layer(x, x, ...) hands each decoder layer its own
stream as "memory", so cross-attention becomes a second self-attention and the output no
longer depends on the source at all (a translation model that ignores the sentence it
translates). Every decoder layer must attend to the SAME encoder output:
x = layer(x, memory, ...), with memory = encode(src)."""

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import Transformer as _Correct


class Transformer(_Correct):
    def decode(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
               memory_key_padding_mask=None):
        x = tgt
        for layer in self.decoder.layers:  # wrong: keys/values from the decoder stream, not memory
            x = layer(x, x, tgt_mask=tgt_mask, tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=tgt_key_padding_mask)
        return self.decoder.norm(x)
