"""Takes a shortcut when one patch covers the whole image (p == H == W): img.reshape(B, 1, -1).
That is the right answer for every non-empty batch, but with B = 0 there are no elements to
infer -1 from, and reshape raises instead of returning (0, 1, C*p*p).

Fix: drop the shortcut (the general path handles p == H == W), or spell the size out:
img.reshape(B, 1, C * p * p)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    if p == H and p == W:
        return img.reshape(B, 1, -1)
    gh, gw = H // p, W // p
    patches = img.reshape(B, C, gh, p, gw, p).permute(0, 2, 4, 1, 3, 5)
    return patches.reshape(B, gh * gw, C * p * p)
