"""Init drawn from a private generator, torch.Generator().manual_seed(0), "for reproducible
weights": every Conv2d of the same shape starts with the same weight and bias, and
torch.manual_seed no longer controls them. nn.Conv2d draws from torch's global RNG, so
successive layers differ and torch.manual_seed reproduces a run.

Fix: weight.uniform_(-bound, bound) with no generator= (torch's global RNG)."""

import math

import torch
from torch import nn

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import Conv2d as _Conv2d, _pair


class Conv2d(_Conv2d):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)
        kh, kw = _pair(kernel_size)
        bound = 1 / math.sqrt(in_channels // groups * kh * kw)
        gen = torch.Generator().manual_seed(0)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels // groups, kh, kw)
                                   .uniform_(-bound, bound, generator=gen))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels).uniform_(-bound, bound, generator=gen))
