"""Calls the built-in it was asked to write: torch.gather (the same goes for Tensor.gather and
torch.take_along_dim). The values are right, but the kata is about building the gather from
advanced indexing: x[torch.arange(B)[:, None], idx]."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return torch.gather(x, 1, idx[..., None].expand(*idx.shape, x.shape[2]))
