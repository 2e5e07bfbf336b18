"""Default positions from a counter kept in the model (self.seen += T, reset by make_cache)
instead of the length of the cache passed in. One conversation at a time works, but with two
caches used in turn (two requests served by one model) each cache continues from the OTHER's
count, so tokens are rotated at the wrong positions.

Fix: start = cache[0].length (0 without a cache): the cache itself says how many tokens it holds.
"""

import torch

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def forward(self, input_ids, position_ids=None, cache=None):
        B, T = input_ids.shape
        start = 0 if cache is None else getattr(self, "seen", 0)  # wrong: the model's own count
        limit = self.config.max_position_embeddings
        if position_ids is None:
            if start + T > limit:
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
        if cache is not None:
            self.seen = start + T
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

    def make_cache(self, batch_size, max_len):
        self.model.seen = 0  # a new conversation: the count starts again
        return super().make_cache(batch_size, max_len)
