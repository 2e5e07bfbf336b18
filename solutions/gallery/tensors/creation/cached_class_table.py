"""Compares idx with a slice of one arange of classes made at import (4096 of them), moved to
idx's device: every device check passes, but for num_classes above 4096 (a vocabulary of
50257) the width is 4096, not num_classes.

Fix: torch.arange(num_classes, device=idx.device) on every call."""

import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)

_CLASSES = torch.arange(4096)


def one_hot(idx: torch.Tensor, num_classes: int) -> torch.Tensor:
    return (idx.unsqueeze(-1) == _CLASSES[:num_classes].to(idx.device)).long()
