"""The default positions are checked only when a cache is given (the learner thought only a long
cache can run past the table): a plain forward of more than max_position_embeddings tokens,
model(ids (1, 49)) with max_position_embeddings 48, indexes past the end of the RoPE tables (an
IndexError on a CPU, a device-side assert on a GPU) instead of a ValueError naming the position.

Fix: with position_ids None, raise ValueError when start + T > max_position_embeddings, start
being 0 without a cache.
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
            if cache is not None and start + T > limit:  # wrong: only checked after a cache
                raise ValueError(f"position {start + T - 1} is outside 0 .. {limit - 1} "
                                 f"(max_position_embeddings {limit})")
            position_ids = torch.arange(start, start + T, device=input_ids.device)[None]
        else:
            if tuple(position_ids.shape) not in ((B, T), (1, T)):
                raise ValueError(f"position_ids has shape {tuple(position_ids.shape)}")
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
