"""RoPE frequencies built on the default device: `torch.arange(0, d, 2, dtype=x.dtype)` without
device= lives on the CPU, so a model on a GPU (here: the meta device) fails with "tensor on
device cpu is not on the expected device".

Fix: build every helper tensor on x's device: torch.arange(..., device=x.device).
"""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, d, 2, dtype=x.dtype) / d)  # wrong: on the CPU
    angles = positions.to(x.dtype)[..., None] * inv_freq
    cos, sin = angles.cos(), angles.sin()
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)
