"""Conv2d registers weight and bias with register_buffer instead of as nn.Parameter: the
state_dict keys match nn.Conv2d's, so loading and the forward are right, but
module.parameters() is empty, so an optimizer never trains the layer (and autograd never
fills a .grad for it).

Fix: self.weight = nn.Parameter(...), self.bias = nn.Parameter(...) (or None when bias=False).
"""

import math

import torch
from torch import nn

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


class Conv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__()
        kh, kw = _pair(kernel_size)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        bound = 1 / math.sqrt(in_channels // groups * kh * kw)
        self.register_buffer("weight", torch.empty(out_channels, in_channels // groups, kh, kw).uniform_(-bound, bound))
        if bias:
            self.register_buffer("bias", torch.empty(out_channels).uniform_(-bound, bound))
        else:
            self.bias = None

    def forward(self, x):
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
