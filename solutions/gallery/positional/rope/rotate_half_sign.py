"""rotate_half without its minus sign: x * cos + cat([x2, x1]) * sin (instead of
cat([-x2, x1])) is not a rotation at all: the pair (a, b) becomes (a*cos + b*sin,
b*cos + a*sin), which stretches vectors and breaks the relative-position property.
rotate_half(x) = cat([-x[..., d/2:], x[..., :d/2]], dim=-1)."""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T = x.shape[-2]
    c, s = cos[offset:offset + T].to(x.dtype), sin[offset:offset + T].to(x.dtype)
    if interleaved:
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * c - b * s, b * c + a * s], dim=-1).flatten(-2)
    half = x.shape[-1] // 2
    c2, s2 = torch.cat([c, c], dim=-1), torch.cat([s, s], dim=-1)
    swapped = torch.cat([x[..., half:], x[..., :half]], dim=-1)  # wrong: no minus on the first half
    return x * c2 + swapped * s2
