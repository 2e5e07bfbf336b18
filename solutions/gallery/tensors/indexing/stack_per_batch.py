"""Builds the result with a Python loop and torch.stack, one batch element at a time.

Each x[b, idx[b]] is right, but torch.stack of an empty list raises when B = 0, which the
contract allows (an empty batch is an empty (0, K, C) result). The loop is also B separate
indexing calls where one advanced index does the whole batch.

Fix: x[torch.arange(B)[:, None], idx] handles every B, 0 included."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return torch.stack([x[b, idx[b]] for b in range(x.shape[0])])
