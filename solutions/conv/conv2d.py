"""Day 12 — conv/conv2d: reference solution."""

import math

import torch
import torch.nn.functional as F
from torch import nn


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
           dilation: int | tuple[int, int] = 1, groups: int = 1) -> torch.Tensor:
    """(N, C_in, H, W) * (C_out, C_in/groups, kH, kW) -> (N, C_out, H_out, W_out)."""
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, c_in_g, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    # Every receptive field as a column: (N, C_in·kH·kW, L), channel-major like w's layout.
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    cols = cols.view(n, groups, c_in_g * kh * kw, h_out * w_out)
    weight = w.reshape(groups, c_out // groups, c_in_g * kh * kw)
    out = weight @ cols  # (G, C_out/G, K) @ (N, G, K, L) -> (N, G, C_out/G, L)
    out = out.reshape(n, c_out, h_out, w_out)
    if b is not None:
        out = out + b.view(1, c_out, 1, 1)
    return out


class Conv2d(nn.Module):
    """A 2-D convolution layer, state_dict-compatible with nn.Conv2d."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0,
                 dilation: int | tuple[int, int] = 1, groups: int = 1, bias: bool = True) -> None:
        """Register weight (and bias) as nn.Parameters and initialise them like nn.Conv2d."""
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        fan_in = in_channels // groups * kh * kw
        bound = 1 / math.sqrt(fan_in)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels // groups, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C_in, H, W) -> (N, C_out, H_out, W_out)."""
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
