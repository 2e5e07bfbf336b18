"""nanoGPT's buffer as a function: one 1024 x 1024 tril built at import and sliced per call.
Past 1024 queries the slice is too small (causal_mask(1500, 3) has 1024 rows), and every
result is a view of the shared mask, so a caller's in-place change (mask &= keep) corrupts
every later call.

Fix: return torch.ones(L, S, dtype=torch.bool).tril() at each call.
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)

_TRIL = torch.ones(1024, 1024, dtype=torch.bool).tril()


def causal_mask(L, S):
    return _TRIL[:L, :S]  # wrong: capped at 1024, and a view of the shared mask
