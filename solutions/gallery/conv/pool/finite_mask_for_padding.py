"""One window helper for both pools, padded with −inf, and the average keeps only the finite
entries: count = isfinite(window).sum(), sum over window.where(isfinite, 0). The −inf padding
is dropped as intended, but so is every real ±inf pixel (a masked feature map, an overflow):
the window's mean comes out finite where F.avg_pool2d gives ±inf. The padding is told apart
by value, not position.

Fix: pad the average with 0 and divide by the count of real pixels per window, computed from
positions (pool a tensor of ones with the same padding)."""

import torch

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair, _windows


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    windows = _windows(x, kernel, stride, _pair(padding), float("-inf"))
    real = torch.isfinite(windows)
    return windows.where(real, 0).sum(dim=-1) / real.sum(dim=-1).to(x.dtype)
