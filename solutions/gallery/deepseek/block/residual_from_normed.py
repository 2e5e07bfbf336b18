"""Residual taken from the normalised stream: x = norm(x); x = x + attn(x) adds the sub-block's
output to norm(x) instead of x, so every layer throws away the scale of the residual stream.
Keep the un-normalised x for the residual: h = x + attn(norm(x)), out = h + mlp(norm(h))."""

import torch

from solutions.deepseek.block import DecoderLayer as _Correct
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_Correct):
    def forward(self, x: torch.Tensor, cache=None, start_pos: int = 0) -> torch.Tensor:
        x = self.input_layernorm(x)
        h = x + self.self_attn(x, cache=cache, start_pos=start_pos)
        h = self.post_attention_layernorm(h)
        return h + self.mlp(h)
