"""Builds rotate_half's sign vector with torch.ones(half) without dtype=: it follows
torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64) a float32 x is
promoted and the output comes back float64, although the contract returns x's dtype.

Fix: torch.ones(half, dtype=x.dtype, device=x.device) (or torch.cat([-b, a], dim=-1), no sign vector).
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)
from solutions.positional import rope as _ref


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    if interleaved:
        return _ref.apply_rope(x, cos, sin, offset=offset, interleaved=True)
    T, half = x.shape[-2], x.shape[-1] // 2
    c = cos[offset:offset + T].to(x.dtype)
    s = sin[offset:offset + T].to(x.dtype)
    sign = torch.cat([-torch.ones(half, device=x.device), torch.ones(half, device=x.device)])  # wrong
    rotated = torch.cat([x[..., half:], x[..., :half]], dim=-1) * sign
    return x * torch.cat([c, c], dim=-1) + rotated * torch.cat([s, s], dim=-1)
