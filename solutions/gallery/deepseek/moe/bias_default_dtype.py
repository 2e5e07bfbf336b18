"""Gate registers e_score_correction_bias as a bare torch.zeros(E): no dtype=, so a model built
under torch.set_default_dtype(torch.float64) gets a float64 bias, not the float32 zeros the
contract (and DeepSeek's own code) promises.

Fix: self.register_buffer("e_score_correction_bias", torch.zeros(E, dtype=torch.float32)).
"""

import torch
from torch import nn

from solutions.deepseek import moe as _sol
from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


class Gate(_sol.Gate):
    def __init__(self, config):
        nn.Module.__init__(self)
        self.config = config
        self.weight = nn.Parameter(torch.empty(config.n_routed_experts, config.hidden_size))
        nn.init.normal_(self.weight, std=config.initializer_range)
        if config.topk_method == "noaux_tc":
            self.register_buffer("e_score_correction_bias", torch.zeros(config.n_routed_experts))  # wrong: default dtype


class MoE(_sol.MoE):
    def __init__(self, config):
        super().__init__(config)
        self.gate = Gate(config)
