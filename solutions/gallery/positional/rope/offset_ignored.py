"""Offset ignored: rows cos[:T] are used whatever the offset, so during decoding every new
token (T = 1) is rotated as if it stood at position 0 and the model loses track of where it
is: its query no longer "knows" how far back each cached key is. x[..., t, :] stands at
position offset + t: use cos[offset : offset + T] and sin[offset : offset + T]."""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T = x.shape[-2]
    c, s = cos[:T].to(x.dtype), sin[:T].to(x.dtype)  # wrong: offset dropped
    if interleaved:
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * c - b * s, b * c + a * s], dim=-1).flatten(-2)
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)
