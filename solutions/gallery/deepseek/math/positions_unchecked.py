"""Positions never checked: a position at or past max_position_embeddings indexes past the end of
the RoPE tables (an IndexError on a CPU, a device-side assert on a GPU), a negative one silently
wraps around to the end of the tables.

Fix: raise ValueError naming the position and max_position_embeddings before any work.
"""

import torch

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def forward(self, input_ids, position_ids=None, cache=None):
        B, T = input_ids.shape
        start = cache[0].length if cache is not None else 0
        limit = self.config.max_position_embeddings
        if position_ids is None:  # wrong: no range checks at all
            position_ids = torch.arange(start, start + T, device=input_ids.device)[None]
        elif tuple(position_ids.shape) not in ((B, T), (1, T)):
            raise ValueError(f"position_ids has shape {tuple(position_ids.shape)}")
        position_ids = position_ids.expand(B, T)
        cos, sin = self.rope_cos[position_ids], self.rope_sin[position_ids]
        h = self.embed_tokens(input_ids)
        for i, layer in enumerate(self.layers):
            h = layer(h, cos, sin, None if cache is None else cache[i])
        return self.norm(h)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
