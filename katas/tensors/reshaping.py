"""Day 1 — tensors/reshaping: attention heads, image patches, a careful squeeze.

Write:
    split_heads(x, n_heads) -> (B, H, T, D), same dtype as x. x is (B, T, C) with C divisible
        by H = n_heads, D = C // H. Head h owns the D consecutive channels h*D .. h*D + D - 1:
        out[b, h, t, d] = x[b, t, h*D + d] (what multi-head attention does to q, k and v).
    merge_heads(x) -> (B, T, H*D), same dtype as x: the inverse of split_heads,
        out[b, t, h*D + d] = x[b, h, t, d], so merge_heads(split_heads(x, H)) equals x. The
        input may be non-contiguous (e.g. the output of a transpose); that must work too.
    patchify(img, p) -> (B, N, C*p*p), same dtype as img. img is (B, C, H, W) with H and W
        divisible by p; the image is cut into non-overlapping p×p patches, N = (H/p)*(W/p),
        numbered row by row over the patch grid: patch n = i*(W/p) + j covers rows
        i*p .. i*p+p-1 and columns j*p .. j*p+p-1. Its features are ordered (channel, row in
        the patch, column in the patch): feature c*p*p + dy*p + dx = img[b, c, i*p+dy, j*p+dx].
        This equals F.unfold(img, p, stride=p).transpose(1, 2).
    squeeze_dim(x, dim) -> x without dimension `dim` when x.shape[dim] == 1; when that size is
        not 1 (0 included: a size-0 dim is not a size-1 dim), x's shape and values unchanged.
        Any other size-1 dims stay. dim may be negative.

Every output keeps its input's dtype (float, half, integer or bool alike) and device, and
every value exactly as it is, inf and NaN included: these functions move values, they never
compute them.
Empty tensors work: B and T may be 0 in split_heads and merge_heads (an empty batch or
sequence: the output has the shape the rules above give, e.g. (2, 3, 0, 4) from (2, 0, 12)
with 3 heads), B may be 0 in patchify, and squeeze_dim takes any shape with at least one dim.

Off limits: torch.nn.functional.unfold and nn.Unfold in patchify (you are writing it;
reshape/permute, or Tensor.unfold, are fine).
Inputs must not be modified. Non-contiguous inputs must work.
Run: pytest katas/tensors/reshaping.py
"""

import torch


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """(B, T, C) -> (B, H, T, C // H); head h holds channels h*D .. h*D + D - 1."""
    raise NotImplementedError


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, H, T, D) -> (B, T, H*D), the inverse of split_heads; any strides."""
    raise NotImplementedError


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    """(B, C, H, W) -> (B, (H/p)*(W/p), C*p*p), like F.unfold(img, p, stride=p).transpose(1, 2)."""
    raise NotImplementedError


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    """Drop dimension dim only if its size is 1; otherwise return x as it is."""
    raise NotImplementedError
