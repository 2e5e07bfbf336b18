"""Every expert computed on every token, then masked: the weights of the experts a token
was not sent to are set to 0 and all E outputs are summed. The values are right, but the
work is n_routed_experts / k times too much (32x for DeepSeek-V3's 256 experts and k = 8):
the whole point of a mixture of experts is that a token only activates its k experts.
Fix: gather each expert's tokens (torch.where(topk_idx == e), or an argsort of
topk_idx.flatten()), run the expert on those rows only, index_add_ the weighted result."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import MoE as _MoE


class MoE(_MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])
        topk_idx, topk_weight = self.gate(tokens)
        dense_weights = torch.zeros(len(tokens), len(self.experts)).scatter(1, topk_idx, topk_weight)
        out = sum(dense_weights[:, e:e + 1] * expert(tokens).float()
                  for e, expert in enumerate(self.experts))
        out = out.to(x.dtype)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(shape)
