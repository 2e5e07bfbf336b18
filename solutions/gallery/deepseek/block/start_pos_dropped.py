"""start_pos not passed on: self_attn(norm(x), cache) leaves start_pos at its default 0, so
tokens that sit at positions start_pos.. are rotated as if at 0.. and, with a cache, written
over the cached prefix at slot 0. Decoding one token at a time then attends to a cache that
holds only the newest token at position 0. Hand both cache and start_pos to the attention."""

import torch

from solutions.deepseek.block import DecoderLayer as _Correct
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_Correct):
    def forward(self, x: torch.Tensor, cache=None, start_pos: int = 0) -> torch.Tensor:
        h = x + self.self_attn(self.input_layernorm(x), cache=cache)
        return h + self.mlp(self.post_attention_layernorm(h))
