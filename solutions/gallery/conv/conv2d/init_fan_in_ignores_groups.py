"""Initialisation with fan_in = in_channels·kH·kW, ignoring groups: each filter only sees
in_channels // groups input channels, so its fan_in is (in_channels // groups)·kH·kW and
nn.Conv2d draws weights from U(−1/√fan_in, 1/√fan_in) with that fan_in. Ignoring groups
shrinks the initial weights by √groups."""

import math

import torch
from torch import nn

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import Conv2d as _CorrectConv2d, _pair


class Conv2d(_CorrectConv2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)
        kh, kw = _pair(kernel_size)
        bound = 1 / math.sqrt(in_channels * kh * kw)
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)
