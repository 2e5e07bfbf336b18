"""LayerNorms built with eps=config.layer_norm_epsilon or 1e-5: an explicit layer_norm_epsilon
of 0.0 is falsy and silently becomes 1e-5, which changes every normalisation of small
activations (a variance near 1e-6 is then divided by sqrt(1.1e-5) instead of sqrt(1e-6)).

Fix: nn.LayerNorm(n_embd, eps=config.layer_norm_epsilon), the value as given."""

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def __init__(self, config):
        super().__init__(config)
        for module in self.modules():
            if isinstance(module, nn.LayerNorm):
                module.eps = config.layer_norm_epsilon or 1e-5  # wrong: an explicit 0.0 becomes 1e-5
