"""The positions converted with positions.float() before the angles, then the angles cast to x's
dtype: the frequencies are float64, but float32 holds integers exactly only up to 2**24, so
position 2**24 + 1 becomes 2**24 and the vector turns by the wrong angle (about 1 rad off in
the fastest pair). The contract allows any positions and asks for float64 throughout.

Fix: positions.to(x.dtype) (exact for int64 positions up to 2**53 in float64)."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)
    angles = positions.float().to(x.dtype)[..., None] * inv_freq  # wrong: rounded through float32
    cos, sin = angles.cos(), angles.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)
