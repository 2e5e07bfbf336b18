"""RoPE angles in float32: `torch.arange(0, d, 2) / d` without dtype= is float32, so for
float64 inputs the frequencies (and the angles position * freq) carry float32 rounding, ~1e-6
off at position 1000. The contract says compute in x's dtype (float64 in, float64 out).

Fix: torch.arange(0, d, 2, dtype=x.dtype, device=x.device) and positions.to(x.dtype).
"""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    inv_freq = 1.0 / theta ** (torch.arange(0, d, 2, device=x.device).float() / d)  # wrong: float32
    angles = (positions.float()[..., None] * inv_freq).to(x.dtype)
    cos, sin = angles.cos(), angles.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)
