"""Meta's Llama code: torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2)) for the interleaved
pairs. reshape returns a view when it can, and view_as_complex needs the last dim to have
stride 1, so any x whose channels are not adjacent in memory (a strided or permuted view)
raises instead of being rotated.

Fix: torch.view_as_complex(x.contiguous().reshape(..., -1, 2)), or slice x[..., 0::2] / x[..., 1::2].
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)
from solutions.positional import rope as _ref


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    if not interleaved:
        return _ref.apply_rope(x, cos, sin, offset=offset, interleaved=False)
    T = x.shape[-2]
    rot = torch.complex(cos[offset:offset + T].to(x.dtype), sin[offset:offset + T].to(x.dtype))
    z = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2))  # wrong: needs stride-1 channels
    return torch.view_as_real(z * rot).flatten(-2)
