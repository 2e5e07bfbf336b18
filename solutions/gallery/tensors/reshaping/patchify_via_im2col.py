"""F.unfold's kernel under its own name: torch._C._nn.im2col is exactly what F.unfold calls,
so patchify returns the right values without writing the reshape and permute the kata is
about.

Fix: reshape (B, C, H, W) to (B, C, H/p, p, W/p, p), permute the patch grid first and
(C, p, p) last, then flatten."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    cols = torch._C._nn.im2col(img, (p, p), (1, 1), (0, 0), (p, p))
    return cols.transpose(1, 2)
