"""causal_mask under functools.lru_cache: every call with the same (L, S) returns the SAME
tensor, so a caller that changes its mask in place (mask &= keep, mask[:, :p] = False) changes
the mask every later call gets.

Fix: build a new mask at each call (it is cheap), or return a clone of a cached one.
"""

import functools

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


@functools.lru_cache(maxsize=None)
def causal_mask(L, S):
    return torch.ones(L, S, dtype=torch.bool).tril()  # wrong: one shared tensor per (L, S)
