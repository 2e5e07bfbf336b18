"""Bias initialised to zeros: the weight follows U(−1/√fan_in, 1/√fan_in), but the bias is
torch.zeros(out_channels). nn.Conv2d draws its bias from the same uniform distribution, and
the contract says "weight and bias ~ U(−1/√fan_in, 1/√fan_in)"; a freshly built module then
behaves differently from nn.Conv2d's.

Fix: draw the bias from U(−bound, bound) with bound = 1/√((in_channels // groups)·kH·kW)."""

import torch
from torch import nn

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import Conv2d as _Conv2d


class Conv2d(_Conv2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)
        if bias:
            self.bias = nn.Parameter(torch.zeros(out_channels))
