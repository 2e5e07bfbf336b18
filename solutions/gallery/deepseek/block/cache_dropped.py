"""forward hands start_pos to self_attn but not the cache: every call attends among its own
tokens only, so a decode step sees one token (itself) instead of the whole cached prefix, and
the cache stays empty.

Fix: self_attn(input_layernorm(x), cache=cache, start_pos=start_pos).
"""

from solutions.deepseek import block as _sol
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_sol.DecoderLayer):
    def forward(self, x, cache=None, start_pos=0):
        h = x + self.self_attn(self.input_layernorm(x), start_pos=start_pos)  # wrong: cache dropped
        return h + self.mlp(self.post_attention_layernorm(h))
