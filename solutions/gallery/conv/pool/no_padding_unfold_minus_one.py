"""A no-padding fast path: without padding, F.unfold's zero fill never enters a window, so
max_pool2d takes F.unfold(x, kernel, stride=stride).view(n, c, -1, L).amax(2) there (and the
−inf-padded windows only when padding > 0). With N = 0 there are no elements, so the -1 can
be anything and torch raises, although an empty batch is valid (the padded path works).

Fix: spell out every size from x.shape, in every code path: (n, c, kH·kW, L)."""

import torch
import torch.nn.functional as F

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair
from solutions.conv.pool import max_pool2d as _max_pool2d


def max_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    if _pair(padding) == (0, 0):
        n, c, h, w = x.shape
        h_out, w_out = (h - kernel[0]) // stride[0] + 1, (w - kernel[1]) // stride[1] + 1
        cols = F.unfold(x, kernel, stride=stride).view(n, c, -1, h_out * w_out)  # wrong at N = 0
        return cols.amax(dim=2).view(n, c, h_out, w_out)
    return _max_pool2d(x, kernel_size, stride, padding)
