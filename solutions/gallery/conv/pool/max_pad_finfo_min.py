"""Max padding with torch.finfo(x.dtype).min, the most negative FINITE value, as a "safe"
stand-in for −inf. It beats every finite pixel, but a real pixel can be −inf itself (a masked
feature map): a border window whose real pixels are all −inf then returns finfo.min
(−3.4e38) instead of −inf, so the padding wins after all.

Fix: pad with float("-inf"); nothing is below it, so it never wins and never ties a winner
that is not itself −inf."""

import torch

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair, _windows


def max_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _windows(x, kernel, stride, _pair(padding), torch.finfo(x.dtype).min).amax(dim=-1)
