"""The shape of position_ids is checked only when a cache is passed. Without a cache a (T,)
position_ids is broadcast over the batch by .expand(B, T) (silently accepted: the contract says
ValueError, (T,) included), and a (3, T) one for a batch of 2 ends in expand's RuntimeError.

Fix: check that position_ids is (B, T) or (1, T) on every call, with or without a cache.
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
            if cache is not None and tuple(position_ids.shape) not in ((B, T), (1, T)):  # wrong: only with a cache
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
