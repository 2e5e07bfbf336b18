"""A fast path for 1×1 kernels as a per-pixel matmul (einsum over channels) that skips unfold
and with it stride, padding and dilation: right only at stride 1 without padding. With
stride=2 it returns every pixel instead of every other one, with padding=1 it loses the zero
border (whose outputs are just the bias).

Fix: let 1×1 kernels take the general unfold path (or apply x[..., ::sH, ::sW] and F.pad first).
"""

import torch

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import conv2d as _conv2d


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride=1, padding=0, dilation=1, groups: int = 1) -> torch.Tensor:
    if w.shape[2:] == (1, 1) and groups == 1:
        out = torch.einsum("nchw,oc->nohw", x, w[:, :, 0, 0])
        return out if b is None else out + b.view(1, -1, 1, 1)
    return _conv2d(x, w, b, stride, padding, dilation, groups)
