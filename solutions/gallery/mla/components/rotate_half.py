"""Rotate-half instead of interleaved pairs: Llama in Hugging Face pairs channel i with
channel i + d/2 (rotate_half); DeepSeek's code pairs neighbouring channels (2i, 2i + 1), the
real and imaginary parts of one complex number (view_as_complex). The two conventions rotate
different pairs, so weights trained with one give wrong attention with the other. (HF's
DeepSeek-V3 gets DeepSeek's result with rope_interleave=True by permuting the channels to
[0, 2, 4, ..., 1, 3, 5, ...] before its rotate_half.) Fix: a, b = x[..., 0::2], x[..., 1::2]
and write the rotated pairs back interleaved."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


def rope_interleaved(x: torch.Tensor, positions: torch.Tensor, theta: float = 10000.0) -> torch.Tensor:
    d = x.shape[-1]
    inv_freq = theta ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)
    angles = positions.to(x.dtype)[..., None] * inv_freq
    cos, sin = angles.cos(), angles.sin()
    a, b = x[..., : d // 2], x[..., d // 2:]  # wrong: the halves, not neighbouring channels
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)
