"""An empty batch answered by a shortcut: `if N == 0: return torch.empty(0, C, H_out, W_out)`
(written after a reshape with -1 failed on N = 0). The shape is right, but the result is
float32 whatever x's dtype and is cut from the graph, so a float64 or half model gets a
float32 output for an empty batch, and backward through it fails.

Fix: pool the empty batch like any other (spell out the sizes instead of -1)."""

import torch

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair
from solutions.conv.pool import avg_pool2d as _avg_pool2d
from solutions.conv.pool import max_pool2d as _max_pool2d


def _empty(x, kernel_size, stride, padding):
    (kh, kw) = _pair(kernel_size)
    (sh, sw) = (kh, kw) if stride is None else _pair(stride)
    (ph, pw) = _pair(padding)
    h_out, w_out = (x.shape[2] + 2 * ph - kh) // sh + 1, (x.shape[3] + 2 * pw - kw) // sw + 1
    return torch.empty(0, x.shape[1], h_out, w_out, device=x.device)  # wrong: float32, no graph


def max_pool2d(x, kernel_size, stride=None, padding=0):
    if x.shape[0] == 0:
        return _empty(x, kernel_size, stride, padding)
    return _max_pool2d(x, kernel_size, stride, padding)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    if x.shape[0] == 0:
        return _empty(x, kernel_size, stride, padding)
    return _avg_pool2d(x, kernel_size, stride, padding)
