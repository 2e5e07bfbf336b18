"""x.contiguous() before taking strides: computing the kept dims' strides from the shape
(as if x were contiguous) only works after x = x.contiguous(), and for a non-contiguous x
(a transpose, a column slice) that is a full copy. The result no longer shares x's memory:
writes to x are not seen, and the "free" broadcast costs a copy of x.

Fix: use x.stride() for the kept dims as they are; as_strided accepts any strides."""

import torch

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.rules import broadcast_to as _correct_broadcast_to


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return _correct_broadcast_to(x.contiguous(), shape)  # copies a non-contiguous x
