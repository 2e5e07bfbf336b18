"""patchify with Tensor.unfold (sliding windows as views), the other reshapes as in the reference."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    windows = img.unfold(2, p, p).unfold(3, p, p)  # (B, C, H/p, W/p, p, p)
    windows = windows.permute(0, 2, 3, 1, 4, 5)  # (B, i, j, C, dy, dx)
    return windows.reshape(B, (H // p) * (W // p), C * p * p)
