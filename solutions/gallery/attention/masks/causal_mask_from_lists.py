"""Builds the masks from nested Python lists, torch.tensor([[j <= i for j in range(S)] for i
in range(L)]): right for every L >= 1, but with L = 0 the list of rows is empty and
torch.tensor([]) has shape (0,), not (0, S) (the same for sliding_window_mask(0, window)).
An empty prompt or an empty batch of queries then breaks the broadcasting downstream.

Fix: compare index grids, torch.arange(L)[:, None] >= torch.arange(S)[None, :], or
torch.ones(L, S, dtype=torch.bool).tril(): their shapes are right for every size.
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def causal_mask(L, S):
    return torch.tensor([[j <= i for j in range(S)] for i in range(L)], dtype=torch.bool)  # wrong for L = 0


def sliding_window_mask(L, window, causal=True):
    rows = [[(i - window < j <= i) if causal else abs(i - j) <= window for j in range(L)] for i in range(L)]
    return torch.tensor(rows, dtype=torch.bool)  # wrong for L = 0: shape (0,)
