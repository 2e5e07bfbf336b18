"""Flattens the leading dims with x.reshape(-1, T, D) and restores them at the end: fine for
any non-empty x, but a tensor with 0 elements cannot infer -1, so T = 0 (an empty prompt, an
empty chunk of a stream) raises.

Fix: keep the leading dims as they are: the (T, D/2) table rows broadcast over them.
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)
from solutions.positional import rope as _ref


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T, D = x.shape[-2], x.shape[-1]
    flat = x.reshape(-1, T, D)  # wrong: -1 cannot be inferred when T = 0
    out = _ref.apply_rope(flat, cos, sin, offset=offset, interleaved=interleaved)
    return out.reshape(x.shape)
