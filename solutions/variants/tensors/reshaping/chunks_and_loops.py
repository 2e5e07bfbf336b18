"""Another style: heads as chunks of the channel dim stacked and concatenated back, patches
cut out with a loop over the patch grid, squeeze_dim through Tensor.squeeze(dim)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    B, T, C = x.shape
    D = C // n_heads
    return torch.stack([x[:, :, h * D:(h + 1) * D] for h in range(n_heads)], dim=1)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    return torch.cat(x.unbind(1), dim=-1)


def patchify(img: torch.Tensor, p: int) -> torch.Tensor:
    B, C, H, W = img.shape
    rows = [img[:, :, i:i + p, j:j + p].reshape(B, C * p * p)
            for i in range(0, H, p) for j in range(0, W, p)]
    return torch.stack(rows, dim=1)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x.squeeze(dim)
