"""Another style: unflatten/flatten instead of view/reshape with explicit sizes (they infer a
-1 from the one dim they split, so empty tensors work), squeeze_dim by select."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    return x.unflatten(-1, (n_heads, -1)).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    return x.transpose(1, 2).flatten(2)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    grid = img.unflatten(2, (H // p, p)).unflatten(4, (W // p, p))  # (B, C, i, dy, j, dx)
    return grid.permute(0, 2, 4, 1, 3, 5).flatten(1, 2).flatten(2)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x.select(dim, 0) if x.shape[dim] == 1 else x
