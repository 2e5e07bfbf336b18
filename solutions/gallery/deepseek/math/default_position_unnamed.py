"""The ValueError for default positions past the limit names max_position_embeddings but not
the position: "a position is outside 0 .. 47 (max_position_embeddings 48)". Right after a cache
of exactly 48 tokens the bad position is 48 and the limit's number hides the gap; after a cache
filled past the limit with explicit positions (50 tokens) the caller cannot tell which position
(50) failed.

Fix: put start + T - 1 (the last default position) in the message beside the limit.
"""

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def forward(self, input_ids, position_ids=None, cache=None):
        B, T = input_ids.shape
        start = cache[0].length if cache is not None else 0
        limit = self.config.max_position_embeddings
        if position_ids is None and start + T > limit:
            raise ValueError(f"a position is outside 0 .. {limit - 1} (max_position_embeddings {limit})")
        return super().forward(input_ids, position_ids, cache)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
