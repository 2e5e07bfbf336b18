"""Correct variant: F.unfold on the padded input for both pools, max(dim).values, and a count computed from index ranges."""

import torch
import torch.nn.functional as F


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _cols(x, k, s, p, fill):
    n, c, h, w = x.shape
    h_out, w_out = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
    xp = F.pad(x, (p[1], p[1], p[0], p[0]), value=fill)
    cols = F.unfold(xp, k, stride=s)  # (N, C·kH·kW, L)
    return cols.reshape(n, c, k[0] * k[1], h_out, w_out), h_out, w_out


def max_pool2d(x, kernel_size, stride=None, padding=0):
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    cols, _, _ = _cols(x, k, s, _pair(padding), float("-inf"))
    return cols.max(dim=2).values


def _real(size, k, s, p, out):
    # per output position: how many of its k window positions fall inside [0, size)
    start = torch.arange(out) * s - p
    return ((start + k).clamp(max=size) - start.clamp(min=0))


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    p = _pair(padding)
    cols, h_out, w_out = _cols(x, k, s, p, 0.0)
    total = cols.sum(dim=2)
    count = _real(x.shape[2], k[0], s[0], p[0], h_out)[:, None] * _real(x.shape[3], k[1], s[1], p[1], w_out)
    return total / count.to(dtype=x.dtype, device=x.device)
