"""Finite stand-in for −inf: max_pool2d pads with -1e9 ("small enough") instead of −inf.
A window over real pixels that are all below −1e9 then returns −1e9, a value that is not in
the input: the padding wins, which the contract forbids for any finite input.

Fix: F.pad(x, ..., value=float("-inf"))."""

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair, _windows


def max_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _windows(x, kernel, stride, _pair(padding), -1e9).amax(dim=-1)
