"""Max by mask: each window's max is taken as (window * (window == window.amax())).sum(),
a "select the winner" trick that works while the max is unique. With ties (integer images,
ReLU outputs full of zeros, saturated pixels) every tied pixel is summed, so the output is
k·max instead of max, and the gradient goes to each tied pixel in full.

Fix: return the max itself (amax, or max(dim).values)."""

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair, _windows


def max_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    win = _windows(x, kernel, stride, _pair(padding), float("-inf"))
    hit = win == win.amax(dim=-1, keepdim=True)
    return win.where(hit, win.new_zeros(())).sum(dim=-1)
