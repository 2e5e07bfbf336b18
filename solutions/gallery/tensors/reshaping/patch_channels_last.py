"""Orders each patch's features (row, column, channel) instead of (channel, row, column).

That is the layout of a channels-last ViT patch embedding ("b c (h p1) (w p2) -> b (h w)
(p1 p2 c)"), but the kata's contract is F.unfold's: the channel varies slowest, so feature
c*p*p + dy*p + dx holds img[b, c, i*p+dy, j*p+dx]. Permute to (B, H/p, W/p, C, p, p)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    patches = img.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 3, 5, 1)
    return patches.reshape(B, (H // p) * (W // p), C * p * p)
