"""Pairs recognised only as tuples: `v if isinstance(v, tuple) else (v, v)` treats a list such
as kernel_size=[2, 3] as a single number and pairs it with itself, so F.pad / unfold get lists
where they expect ints and raise TypeError. torch (and the stub) take a list as a pair too.

Fix: test isinstance(v, int) for the single-number case, and index anything else
(kh, kw = v[0], v[1])."""

import torch.nn.functional as F

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)


def _pair(v):
    return tuple(v) if isinstance(v, tuple) else (v, v)


def _windows(x, kernel, stride, padding, fill):
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    x = F.pad(x, (pw, pw, ph, ph), value=fill)
    return x.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _windows(x, kernel, stride, _pair(padding), float("-inf")).amax(dim=-1)


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    padding = _pair(padding)
    total = _windows(x, kernel, stride, padding, 0.0).sum(dim=-1)
    ones = x.new_ones(1, 1, *x.shape[2:])
    count = _windows(ones, kernel, stride, padding, 0.0).sum(dim=-1)
    return total / count
