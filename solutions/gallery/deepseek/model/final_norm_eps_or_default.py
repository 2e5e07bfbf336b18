"""The final norm built with eps=config.rms_norm_eps or 1e-6: an explicit rms_norm_eps of 0.0 is
falsy and silently becomes 1e-6, so hidden states of small size (mean(x^2) ~ 1e-8 at size 1e-4)
are normalised by the eps instead of by their own scale, and every logit changes.

Fix: self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps), as given.
"""

from solutions.deepseek.model import DeepSeekForCausalLM as _CorrectLM
from solutions.deepseek.model import DeepSeekModel as _Correct
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from katas.mla.components import RMSNorm


class DeepSeekModel(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps or 1e-6)  # wrong: 0.0 is a value


class DeepSeekForCausalLM(_CorrectLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekModel(config)
