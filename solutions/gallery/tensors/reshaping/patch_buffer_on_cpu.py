"""Fills a preallocated torch.empty(B, N, C*p*p, dtype=img.dtype) patch by patch: no device given.

The buffer lands on the CPU whatever img's device, so a GPU image gives CPU patches (the spec
shows it with the meta device). The contract says every output keeps its input's device.

Fix: img.new_empty(B, N, C * p * p), or reshape/permute with no buffer at all."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    gw = W // p
    out = torch.empty(B, (H // p) * gw, C * p * p, dtype=img.dtype)
    for i in range(H // p):
        for j in range(gw):
            out[:, i * gw + j] = img[:, :, i * p:(i + 1) * p, j * p:(j + 1) * p].reshape(B, -1)
    return out
