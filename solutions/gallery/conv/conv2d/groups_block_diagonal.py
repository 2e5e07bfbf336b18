"""groups by a block-diagonal dense weight: build a (C_out, C_in, kH, kW) weight that is zero
outside each group's block and run an ordinary (groups=1) convolution. The values are right,
but every output channel multiplies all C_in input channels, mostly by zeros: groups× the
work (a depthwise conv with 512 channels would cost 512×). Multiply each group's block of
columns by that group's filters only: a batched matmul over the group dim."""

import torch

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import conv2d as _correct_conv2d


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride=1, padding=0, dilation=1, groups: int = 1) -> torch.Tensor:
    c_out, c_in_g, kh, kw = w.shape
    dense = w.new_zeros(c_out, c_in_g * groups, kh, kw)
    per = c_out // groups
    for g in range(groups):
        dense[g * per:(g + 1) * per, g * c_in_g:(g + 1) * c_in_g] = w[g * per:(g + 1) * per]
    return _correct_conv2d(x, dense, b, stride, padding, dilation, 1)
