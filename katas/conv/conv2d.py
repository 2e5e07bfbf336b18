"""Day 12 — conv/conv2d: 2-D convolution by unfold + matmul, and a Conv2d module.

Write:
    conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1) -> (N, C_out, H_out, W_out)
        like F.conv2d (cross-correlation, zero padding), computed with F.unfold and a matmul
        (every window at once: no Python loop over output positions).
        x: (N, C_in, H, W); w: (C_out, C_in // groups, kH, kW); b: (C_out,) or None.
        stride, padding, dilation: an int (same for both dims) or a pair (for H, for W).
        groups: C_in and C_out are both divisible by it; input channels are split into
        `groups` equal blocks and output channel block j only sees input block j.
        Output size, per dim (H shown; W alike):
            H_out = (H + 2·padding − dilation·(kH − 1) − 1) // stride + 1
        Output dtype = x's dtype (float64 is computed in float64, not through float32) and
        output device = x's device; any batch size N, 0 included; gradients flow to x, w and b
        through autograd.
        The inputs must be left unchanged.

    Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
           bias=True)
        an nn.Module that loads nn.Conv2d's state_dict (keys "weight" (C_out, C_in // groups,
        kH, kW) and "bias" (C_out,), no "bias" key when bias=False) and then computes the same
        forward (kernel_size, stride, padding, dilation: int or pair), also after .double() or
        .to(...) and a new load_state_dict (keep no view of the parameters from an earlier
        call). Initialise like
        nn.Conv2d: weight and bias ~ U(−1/√fan_in, 1/√fan_in) with
        fan_in = (in_channels // groups)·kH·kW, in the default dtype (torch.get_default_dtype()),
        as nn.Conv2d's parameters are.

Off limits: F.conv2d / torch.conv2d, torch.convolution, nn.Conv2d's forward, and every aten
convolution op (convolution, _convolution, conv2d, ...); F.unfold (im2col) is allowed and is
the intended tool.
Run: pytest katas/conv/conv2d.py
"""

import torch
from torch import nn


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
           dilation: int | tuple[int, int] = 1, groups: int = 1) -> torch.Tensor:
    """(N, C_in, H, W) * (C_out, C_in/groups, kH, kW) -> (N, C_out, H_out, W_out)."""
    raise NotImplementedError


class Conv2d(nn.Module):
    """A 2-D convolution layer, state_dict-compatible with nn.Conv2d."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True) -> None:
        """Register weight (and bias) as nn.Parameters and initialise them like nn.Conv2d."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
        raise NotImplementedError
