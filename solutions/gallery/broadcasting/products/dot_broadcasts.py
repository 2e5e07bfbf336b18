"""dot without a shape check: (a * b).sum() broadcasts, so a (1,) against a (3,) gives
a[0] * b.sum() and a (2, 3) against a (3,) sums a whole matrix, where torch.dot refuses both.
Fix: check that both are 1-D and of the same length before multiplying; raise ValueError."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return (a * b).sum()
