"""Post-norm wiring: normalising AFTER the residual sum (h = norm(x + attn(x)), the original
Transformer's layout) instead of DeepSeek's pre-norm (h = x + attn(norm(x))). The sub-blocks
then read the raw stream, and the residual stream itself is squashed at every layer, so the
outputs differ from the checkpoint's model everywhere. Pre-norm: normalise what goes INTO each
sub-block and add its output to the un-normalised stream."""

from typing import Optional

import torch

from solutions.deepseek.block import DecoderLayer as _Correct
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_Correct):
    def forward(self, x: torch.Tensor, cache=None, start_pos: int = 0) -> torch.Tensor:
        h = self.input_layernorm(x + self.self_attn(x, cache=cache, start_pos=start_pos))
        return self.post_attention_layernorm(h + self.mlp(h))
