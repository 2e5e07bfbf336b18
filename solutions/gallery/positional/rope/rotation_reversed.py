"""Rotation the wrong way: out[a] = x[a]*cos + x[b]*sin, out[b] = x[b]*cos - x[a]*sin turns
every pair by -angle. The relative-position property still holds (both q and k turn the same
wrong way), so attention-only checks miss it, but values differ from every trained model. A
common cause: rotate_half written as cat([x2, -x1]) instead of cat([-x2, x1]). Counter-clockwise:
out[a] = x[a]*cos - x[b]*sin, out[b] = x[b]*cos + x[a]*sin."""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T = x.shape[-2]
    c, s = cos[offset:offset + T].to(x.dtype), sin[offset:offset + T].to(x.dtype)
    if interleaved:
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * c + b * s, b * c - a * s], dim=-1).flatten(-2)  # wrong: -angle
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c + b * s, b * c - a * s], dim=-1)  # wrong: -angle
