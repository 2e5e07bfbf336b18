"""Numbers the patches column by column (j*(H/p) + i) instead of row by row (i*(W/p) + j).

Each patch's features are right, but the sequence of patches is transposed over the grid, so
position embeddings and anything that follows see the image in the wrong order. Put the
patch-row index before the patch-column index when permuting: (B, H/p, W/p, C, p, p)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    patches = img.reshape(B, C, H // p, p, W // p, p).permute(0, 4, 2, 1, 3, 5)
    return patches.reshape(B, (H // p) * (W // p), C * p * p)
