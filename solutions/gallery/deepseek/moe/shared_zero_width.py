"""shared_experts always built: with n_shared_experts == 0 it is Expert(H, 0), a zero-width MLP
whose empty weights show up in the state_dict (shared_experts.*.weight of shape (0, H)) where
DeepSeek's checkpoints have none; the contract says None.

Fix: self.shared_experts = Expert(...) if config.n_shared_experts > 0 else None.
"""

from solutions.deepseek import moe as _sol
from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


class MoE(_sol.MoE):
    def __init__(self, config):
        super().__init__(config)
        self.shared_experts = _sol.Expert(config.hidden_size,
                                          config.n_shared_experts * config.moe_intermediate_size)  # wrong
