"""Preallocates the output with torch.empty(x.shape, dtype=x.dtype) and writes the rotated
halves into it: right on the CPU, but the buffer has no device=, so with x on a GPU it
lives on the CPU and the slice assignment raises (or, worse, a later op does). The spec
runs on the meta device.

Fix: torch.empty_like(x) (same dtype and device), or no buffer at all: torch.cat the two
halves (rotate-half) or torch.stack(...).flatten(-2) the pairs (interleaved).
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T, D = x.shape[-2], x.shape[-1]
    half = D // 2
    c = cos[offset:offset + T].to(x.dtype)
    s = sin[offset:offset + T].to(x.dtype)
    out = torch.empty(x.shape, dtype=x.dtype)  # wrong: on the CPU, not x.device
    if interleaved:
        a, b = x[..., 0::2], x[..., 1::2]
        out[..., 0::2] = a * c - b * s
        out[..., 1::2] = b * c + a * s
    else:
        a, b = x[..., :half], x[..., half:]
        out[..., :half] = a * c - b * s
        out[..., half:] = b * c + a * s
    return out
