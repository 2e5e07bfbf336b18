"""squeeze() instead of squeeze(dim): removing the promoted dim with a bare .squeeze()
also removes every other size-1 dim, so (1, 4, 3) @ (3,) comes out as (4,) instead of (1, 4)
and (3,) @ (1, 3, 1) as () instead of (1, 1). A batch of one, or n = 1, is a real shape that
later code indexes.

Fix: squeeze exactly the dim you added: out.squeeze(-2) for a 1-D left argument,
out.squeeze(-1) for a 1-D right one."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]}")
    out = (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(dim=-2)
    if a.dim() == 1 or b.dim() == 1:
        out = out.squeeze()  # every size-1 dim, not just the added one
    return out
