"""The final norm built as RMSNorm(hidden_size) with RMSNorm's default eps instead of the config's
rms_norm_eps. DeepSeek's configs happen to use 1e-6, the default, so it looks harmless; a config
with another eps normalises every layer's norms with it but the last one with 1e-6, and the
logits drift.

Fix: self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps).
"""

from solutions.deepseek.model import DeepSeekForCausalLM as _CorrectLM
from solutions.deepseek.model import DeepSeekModel as _Correct
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from katas.mla.components import RMSNorm


class DeepSeekModel(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.norm = RMSNorm(config.hidden_size)  # default eps, not config.rms_norm_eps


class DeepSeekForCausalLM(_CorrectLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekModel(config)
