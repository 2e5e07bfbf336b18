"""Bidirectional window off by one: |i - j| < window keeps only window - 1 keys on each side.
The rule (LeetGPU's sliding-window attention) is |i - j| <= window: window keys on each side
plus the query's own position, 2 * window + 1 in all."""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def sliding_window_mask(L: int, window: int, causal: bool = True) -> torch.Tensor:
    i = torch.arange(L)[:, None]
    j = torch.arange(L)[None, :]
    if causal:
        return (j <= i) & (j > i - window)
    return (i - j).abs() < window  # wrong: < instead of <=
