"""The layer remembers the last MLACache it was given and falls back to it when a later call
at start_pos > 0 passes cache=None ("continue decoding"). The contract says cache=None attends
among x's own tokens; after one cached generation, an independent cache-free call at an offset
silently attends to the old sequence's cached latents (and writes into that cache).

Fix: use exactly the cache passed in; keep no cache on the layer between calls."""

from solutions.deepseek import block as _sol
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_sol.DecoderLayer):
    def forward(self, x, cache=None, start_pos=0):
        if cache is not None:
            self._cache = cache
        elif start_pos > 0:
            cache = getattr(self, "_cache", None)  # wrong: a cache from an earlier call
        h = x + self.self_attn(self.input_layernorm(x), cache=cache, start_pos=start_pos)
        return h + self.mlp(self.post_attention_layernorm(h))
