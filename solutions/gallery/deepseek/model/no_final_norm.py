"""No final norm: the last layer's output goes straight to lm_head. DeepSeek (like every pre-norm
model) normalises the residual stream once more after the last layer (model.norm), because
nothing inside the layers normalises the stream itself; without it the logits' scale follows
the stream's, which grows layer after layer."""

import torch

from solutions.deepseek.model import DeepSeekForCausalLM as _CorrectLM
from solutions.deepseek.model import DeepSeekModel as _Correct
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekModel(_Correct):
    def forward(self, input_ids: torch.Tensor, cache=None, start_pos: int = 0) -> torch.Tensor:
        h = self.embed_tokens(input_ids)
        for i, layer in enumerate(self.layers):
            h = layer(h, cache=None if cache is None else cache[i], start_pos=start_pos)
        return h


class DeepSeekForCausalLM(_CorrectLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekModel(config)
