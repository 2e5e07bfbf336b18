"""Patchifies with a convolution whose kernel is the identity (the ViT "patch embedding" trick
with an eye(C*p*p) weight, stride p): on ordinary pixels every output is 1 * its pixel plus
0 * the others, so it looks right, but it is arithmetic, not a rearrangement. One inf pixel
gives 0 * inf = NaN in every feature of its patch, a NaN pixel spreads the same way, and it
costs (C*p*p)^2 multiply-adds per patch to move C*p*p values.

Fix: move the values: img.reshape(B, C, H/p, p, W/p, p).permute(0, 2, 4, 1, 3, 5) then
reshape to (B, N, C*p*p) (or Tensor.unfold twice)."""

import torch
import torch.nn.functional as F

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    eye = torch.eye(C * p * p, dtype=img.dtype, device=img.device).reshape(C * p * p, C, p, p)
    return F.conv2d(img, eye, stride=p).flatten(2).transpose(1, 2)
