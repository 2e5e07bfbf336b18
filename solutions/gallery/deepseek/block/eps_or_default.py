"""The norms built with `eps=config.rms_norm_eps or 1e-6`: an explicit rms_norm_eps of 0.0 is
falsy and silently becomes 1e-6, which changes every output whose activations are small.

Fix: RMSNorm(hidden_size, eps=config.rms_norm_eps), as given.
"""

from katas.mla.components import RMSNorm
from solutions.deepseek import block as _sol
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config, layer_idx):
        super().__init__(config, layer_idx)
        eps = config.rms_norm_eps or 1e-6  # wrong: 0.0 is a value
        self.input_layernorm = RMSNorm(config.hidden_size, eps=eps)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps=eps)
