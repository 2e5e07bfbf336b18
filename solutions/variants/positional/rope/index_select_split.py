"""Correct variant: frequencies from a Python list, table rows picked with index_select on positions built on x.device, halves from split."""

import torch


def rope_cache(head_dim, max_len, base=10000.0):
    inv_freq = torch.tensor([base ** (-2 * i / head_dim) for i in range(head_dim // 2)], dtype=torch.float64)
    angles = torch.outer(torch.arange(max_len, dtype=torch.float64), inv_freq)
    return torch.cos(angles).to(torch.float32), torch.sin(angles).to(torch.float32)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T, D = x.shape[-2], x.shape[-1]
    rows = torch.arange(offset, offset + T, device=x.device)
    c, s = cos.index_select(0, rows).to(x.dtype), sin.index_select(0, rows).to(x.dtype)
    a, b = (x[..., ::2], x[..., 1::2]) if interleaved else x.split(D // 2, dim=-1)
    ra, rb = a * c - b * s, a * s + b * c
    if interleaved:
        return torch.stack((ra, rb), dim=-1).reshape(x.shape)
    return torch.cat((ra, rb), dim=-1)
