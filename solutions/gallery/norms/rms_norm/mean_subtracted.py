"""Mean subtracted: (x - mean) / sqrt(var + eps) * weight is LayerNorm (without its bias),
not RMSNorm. RMSNorm skips the centring: it divides x itself by its root mean square,
sqrt(mean(x ** 2) + eps). The two agree only when every row already has mean 0; a row of
constants shows the difference at once (LayerNorm sends it to 0, RMSNorm to sign(c) * weight)."""

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _RMSNorm


class RMSNorm(_RMSNorm):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        centred = x - x.mean(dim=-1, keepdim=True)
        return centred * torch.rsqrt(centred.pow(2).mean(dim=-1, keepdim=True) + self.eps) * self.weight
