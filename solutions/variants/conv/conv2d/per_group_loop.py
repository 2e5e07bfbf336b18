"""Correct variant: a Python loop over groups, one F.unfold + matmul per group, joined with torch.cat."""

import math

import torch
import torch.nn.functional as F
from torch import nn


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, c_in, h, wd = x.shape
    c_out, c_in_g, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    og = c_out // groups
    blocks = []
    for g in range(groups):
        cols = F.unfold(x[:, g * c_in_g:(g + 1) * c_in_g], (kh, kw), dilation=dilation,
                        padding=padding, stride=stride)  # (N, c_in_g·kh·kw, L)
        wg = w[g * og:(g + 1) * og].reshape(og, c_in_g * kh * kw)
        blocks.append(torch.matmul(wg, cols))  # (N, og, L)
    out = torch.cat(blocks, dim=1).reshape(n, c_out, h_out, w_out)
    if b is not None:
        out = out + b[None, :, None, None]
    return out


class Conv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True):
        super().__init__()
        self.kernel_size = _pair(kernel_size)
        self.conf = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels // groups, *self.kernel_size))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_channels))
        else:
            self.register_parameter("bias", None)
        bound = 1 / math.sqrt(self.weight[0].numel())
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    def forward(self, x):
        return conv2d(x, self.weight, self.bias, **self.conf)
