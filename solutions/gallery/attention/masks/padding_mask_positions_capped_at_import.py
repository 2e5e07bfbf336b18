"""Positions table made once at import: padding_mask compares a slice of
_POSITIONS = torch.arange(1024) (a "max sequence length") with the lengths. Every S up to
1024 is right; a longer S gets a mask only 1024 wide, though the contract sets no size cap.

Fix: torch.arange(S, device=lengths.device) in each call."""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)

_POSITIONS = torch.arange(1024)


def padding_mask(lengths, S):
    return _POSITIONS[:S].to(lengths.device) < lengths[:, None]
