"""Flattens the patch grid with reshape(B, -1, C*p*p): an empty batch (B = 0) raises.

With no elements the number of patches cannot be inferred from -1, so reshape refuses
instead of returning (0, N, C*p*p). The contract says B may be 0.

Fix: compute N = (H // p) * (W // p) and pass it: reshape(B, N, C * p * p)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    patches = img.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)
    return patches.reshape(B, -1, C * p * p)
