"""Correct variant: Python loops over output positions with slicing, stacked; avg accumulated in float64 and cast back."""

import torch


def _pair(v):
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _pool(x, kernel_size, stride, padding, reduce):
    kh, kw = _pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else _pair(stride)
    ph, pw = _pair(padding)
    n, c, h, w = x.shape
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    rows = []
    for i in range(h_out):
        top, bottom = max(i * sh - ph, 0), min(i * sh - ph + kh, h)
        row = []
        for j in range(w_out):
            left, right = max(j * sw - pw, 0), min(j * sw - pw + kw, w)
            row.append(reduce(x[:, :, top:bottom, left:right]))
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


def max_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding, lambda win: win.amax(dim=(-2, -1)))


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    return _pool(x, kernel_size, stride, padding,
                 lambda win: win.to(torch.float64).mean(dim=(-2, -1)).to(x.dtype))
