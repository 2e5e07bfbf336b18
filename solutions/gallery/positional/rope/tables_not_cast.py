"""Multiplies x by the table rows as they come: float32 x times float64 tables promotes the
result to float64, so the output no longer has x's dtype (and a float32 model suddenly runs
its attention in float64).

Fix: c = cos[offset:offset + T].to(x.dtype) (and the same for sin).
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T = x.shape[-2]
    c, s = cos[offset:offset + T], sin[offset:offset + T]  # wrong: no cast to x.dtype
    if interleaved:
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * c - b * s, b * c + a * s], dim=-1).flatten(-2)
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)
