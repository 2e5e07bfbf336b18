"""theta turned into a tensor with torch.tensor(theta): that is a float32 scalar, so theta ** (a
float64 exponent) is float64 but from a rounded base (12345.6 becomes 12345.5996), and the
angles of a float64 input are ~1e-6 off at position 1000. The contract asks for float64 all
the way for float64 inputs.

Fix: keep theta a Python float (theta ** tensor), or torch.tensor(theta, dtype=x.dtype)."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    base = torch.tensor(theta, device=x.device)  # wrong: float32
    inv_freq = base ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)
    angles = positions.to(x.dtype)[..., None] * inv_freq
    cos, sin = angles.cos(), angles.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)
