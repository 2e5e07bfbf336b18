"""LayerNorm eps hard-coded: nn.LayerNorm(n_embd) uses 1e-5 whatever config.layer_norm_epsilon
says. GPT-2's own value is 1e-5, so its checkpoint looks right, but any other config (or a
checkpoint trained with another eps) gets the wrong normalisation.

Fix: nn.LayerNorm(n_embd, eps=config.layer_norm_epsilon) for ln_1, ln_2 and ln_f."""

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def __init__(self, config):
        super().__init__(config)
        for module in self.modules():
            if isinstance(module, nn.LayerNorm):
                module.eps = 1e-5  # wrong: ignores config.layer_norm_epsilon
