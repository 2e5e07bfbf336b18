"""Slices one precomputed mask, as a model's registered `bias` buffer does: every result is a
view of the same storage, so a caller that combines masks in place (mask &= keep) silently
changes the mask every later call returns, and no n beyond the cached block size (1024 here)
can be served.

Fix: build the mask on every call, torch.ones(n, n, dtype=torch.bool).tril()."""

import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)

_MASK = torch.ones(1024, 1024, dtype=torch.bool).tril()


def causal_mask(n: int) -> torch.Tensor:
    return _MASK[:n, :n]
