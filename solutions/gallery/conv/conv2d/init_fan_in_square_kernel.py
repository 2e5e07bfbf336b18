"""Initialisation assumes a square kernel: fan_in is computed as (in_channels // groups)·k·k
with k = kernel_size[0] (or the first of the pair), so a (1, 5) kernel gets fan_in 8 instead
of 40 and a bound √5 times too wide. nn.Conv2d counts every tap of the kernel:
fan_in = (in_channels // groups)·kH·kW. Square kernels hide the bug.

Fix: unpack kH, kW = the kernel_size pair and use fan_in = (in_channels // groups)·kH·kW."""

import math

import torch
from torch import nn

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair, conv2d


class Conv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        bound = 1 / math.sqrt(in_channels // groups * kh * kh)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels // groups, kh, kw).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound)) if bias else None

    def forward(self, x):
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
