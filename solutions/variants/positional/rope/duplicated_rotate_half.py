"""Hugging Face style: cos/sin duplicated to head_dim and x * cos + rotate_half(x) * sin; interleaved via repeat_interleave and a pair swap."""

import math

import torch


def rope_cache(head_dim, max_len, base=10000.0):
    inv_freq = torch.tensor([base ** (-2.0 * i / head_dim) for i in range(head_dim // 2)], dtype=torch.float64)
    t = torch.arange(max_len, dtype=torch.float64).unsqueeze(-1)
    return torch.cos(t * inv_freq).float(), torch.sin(t * inv_freq).float()


def _rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def _rotate_pairs(x):
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((-odd, even), dim=-1).flatten(-2)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T = x.shape[-2]
    c = cos[offset:offset + T].to(dtype=x.dtype, device=x.device)
    s = sin[offset:offset + T].to(dtype=x.dtype, device=x.device)
    if interleaved:
        c, s = c.repeat_interleave(2, dim=-1), s.repeat_interleave(2, dim=-1)
        return x * c + _rotate_pairs(x) * s
    c, s = torch.cat((c, c), dim=-1), torch.cat((s, s), dim=-1)
    return x * c + _rotate_half(x) * s
