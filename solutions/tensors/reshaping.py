"""Day 1 — tensors/reshaping: reference solution."""

import torch


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """(B, T, C) -> (B, H, T, C // H); head h holds channels h*D .. h*D + D - 1."""
    B, T, C = x.shape
    # C is laid out as H blocks of D: split it there (splitting one dim is always a view),
    # then bring H in front of T.
    return x.view(B, T, n_heads, C // n_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, H, T, D) -> (B, T, H*D), the inverse of split_heads; any strides."""
    B, H, T, D = x.shape
    # After the transpose the tensor is not contiguous, so view would fail: reshape copies.
    return x.transpose(1, 2).reshape(B, T, H * D)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, (H/p)*(W/p), C*p*p), like F.unfold(img, p, stride=p).transpose(1, 2)."""
    B, C, H, W = img.shape
    gh, gw = H // p, W // p
    patches = img.reshape(B, C, gh, p, gw, p)  # (B, C, i, dy, j, dx)
    patches = patches.permute(0, 2, 4, 1, 3, 5)  # (B, i, j, C, dy, dx)
    return patches.reshape(B, gh * gw, C * p * p)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Drop dimension dim only if its size is 1; otherwise return x as it is."""
    if x.shape[dim] != 1:
        return x
    shape = list(x.shape)
    del shape[dim]
    return x.reshape(shape)
