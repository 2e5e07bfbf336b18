"""RMSNorm copied from Hugging Face's DeepseekV3RMSNorm: x.float(), normalise, cast back. Made for
bf16 models (where float32 is an upcast), it is a DOWNcast for a float64 model: every norm
rounds the stream to float32's 7 digits, and the float64 queries and latents lose the precision
the contract promises ("computed in x's dtype").

Fix: normalise in x's dtype: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight.
"""

import torch
from torch import nn

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.float()  # wrong for float64: rounds to float32
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)
