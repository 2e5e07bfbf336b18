"""Embedding that cuts the pad gradient with a mask built by `.float()`: out * keep +
out.detach() * (1 - keep). The float32 mask promotes a half-precision (.half() / .bfloat16())
table's output to float32, so a model cast to half suddenly carries float32 activations.

Fix: build the mask in the weight's dtype (`.to(self.weight.dtype)`) or use torch.where with
a bool mask.
"""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        out = self.weight[idx]
        if self.padding_idx is not None:
            keep = (idx != self.padding_idx).unsqueeze(-1).float()
            out = out * keep + out.detach() * (1 - keep)
        return out
