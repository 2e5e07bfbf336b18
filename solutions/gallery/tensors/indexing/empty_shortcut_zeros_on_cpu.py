"""Returns torch.zeros(shape, dtype=x.dtype) for an empty x: right dtype, but on the CPU.

The shortcut for empty inputs (a size-0 dim anywhere) builds its zeros without
device=x.device, so a GPU x with an empty batch gets a CPU result; the non-empty path is
correct, so only an empty input on another device shows it.

Fix: drop the shortcut (the general path handles empty inputs), or use x.new_zeros(shape)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    if x.numel() == 0:
        shape = list(x.shape)
        del shape[dim]
        return torch.zeros(shape, dtype=x.dtype)
    acc = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    count = mask.sum(dim).clamp_min(1)
    return (total / count.to(acc)).to(x.dtype)
