"""Exact GELU where GPT-2 uses the tanh approximation: nn.GELU() computes x * Phi(x) with erf,
GPT-2 was trained with 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) (Hugging Face's
"gelu_new"). The two differ by up to ~1e-3 per activation, enough to move the logits of a
pretrained checkpoint. Use nn.GELU(approximate="tanh")."""

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.mlp.gelu = nn.GELU()  # wrong: erf form
