"""Explicit position_ids are range-checked only when a cache is passed (the checks sit in the
cache branch, as if only decoding could run past the tables). Without a cache, position 48 of a
model with max_position_embeddings 48 raises an IndexError from the RoPE tables, and -1 silently
rotates by the LAST row of the tables (position 47): wrong logits, no error.

Fix: check the given position_ids (min and max against 0 .. max_position_embeddings - 1) on
every call, with or without a cache.
"""

import torch

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def forward(self, input_ids, position_ids=None, cache=None):
        B, T = input_ids.shape
        start = cache[0].length if cache is not None else 0
        limit = self.config.max_position_embeddings
        if position_ids is None:
            if start + T > limit:
                raise ValueError(f"position {start + T - 1} is outside 0 .. {limit - 1} "
                                 f"(max_position_embeddings {limit})")
            position_ids = torch.arange(start, start + T, device=input_ids.device)[None]
        else:
            if tuple(position_ids.shape) not in ((B, T), (1, T)):
                raise ValueError(f"position_ids has shape {tuple(position_ids.shape)}")
            if cache is not None:  # wrong: only with a cache
                for p in (int(position_ids.min()), int(position_ids.max())):
                    if not 0 <= p < limit:
                        raise ValueError(f"position {p} is outside 0 .. {limit - 1} "
                                         f"(max_position_embeddings {limit})")
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
