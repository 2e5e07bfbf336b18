"""Complex numbers throughout: torch.polar for the cache, view_as_complex (on a contiguous copy) for both pairings."""

import torch


def rope_cache(head_dim, max_len, base=10000.0):
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    angle = torch.outer(torch.arange(max_len, dtype=torch.float64), inv)
    z = torch.polar(torch.ones_like(angle), angle)
    return z.real.to(torch.float32), z.imag.to(torch.float32)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T, D = x.shape[-2], x.shape[-1]
    rot = torch.complex(cos[offset:offset + T].to(x.dtype), sin[offset:offset + T].to(x.dtype))
    if interleaved:
        z = torch.view_as_complex(x.contiguous().reshape(*x.shape[:-1], D // 2, 2))
        return torch.view_as_real(z * rot).reshape(x.shape)
    z = torch.complex(x[..., : D // 2], x[..., D // 2:])
    w = z * rot
    return torch.cat([w.real, w.imag], dim=-1)
