"""A groups == 1 fast path (one plain matmul of the transposed columns) reshapes its result
with a -1, out.view(n, -1, C_out). With N = 0 there are no elements, so -1 can be anything
and torch raises, although an empty batch is valid; the grouped path spells its sizes out.

Fix: spell out every size from x.shape and w.shape, in every code path: (n, L, C_out)."""

import torch
import torch.nn.functional as F

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, c_in_g, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    if groups == 1:
        out = cols.transpose(1, 2).reshape(-1, c_in_g * kh * kw) @ w.reshape(c_out, -1).t()
        out = out.view(n, -1, c_out).transpose(1, 2).reshape(n, c_out, h_out, w_out)
    else:
        cols = cols.view(n, groups, c_in_g * kh * kw, h_out * w_out)
        out = (w.reshape(groups, c_out // groups, c_in_g * kh * kw) @ cols).reshape(n, c_out, h_out, w_out)
    return out if b is None else out + b.reshape(1, c_out, 1, 1)
