"""Causal window off by one: i - window <= j <= i lets each query see window + 1 keys (itself
and `window` before it). The catalogue's rule is i - window < j <= i: exactly `window` keys,
itself included, the convention of Mistral-style sliding windows. Write the rule with both
ends explicit and count the keys of a row far from the start: it must be `window`."""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def sliding_window_mask(L: int, window: int, causal: bool = True) -> torch.Tensor:
    i = torch.arange(L)[:, None]
    j = torch.arange(L)[None, :]
    if causal:
        return (j <= i) & (j >= i - window)  # wrong: one key too many
    return (i - j).abs() <= window
