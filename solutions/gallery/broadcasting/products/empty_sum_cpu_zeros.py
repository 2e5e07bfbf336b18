"""matmul that special-cases k = 0 with torch.zeros(out_shape, dtype=a.dtype) and, to keep the
result on the graph, adds 0 * (a.sum() + b.sum()): the value, dtype and graph are right on
the CPU, but torch.zeros without device= is a CPU tensor, so on a GPU the empty contraction
either fails (a CPU tensor meets CUDA ones) or returns its zeros on the wrong device.

Fix: drop the special case: (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(-2) over a size-0 k
already gives zeros of the right shape, dtype and device, on the graph; if you do need a
helper tensor, make it from an input (a.new_zeros(shape)) or pass device=a.device.
"""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.products import matmul as _matmul


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError(f"matmul needs at least 1-D arguments, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    k_b = b.shape[0] if b.dim() == 1 else b.shape[-2]
    if a.shape[-1] == 0 and k_b == 0:  # an empty sum: zeros
        batch = torch.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        shape = (*batch, *a.shape[-2:-1] * (a.dim() > 1), *b.shape[-1:] * (b.dim() > 1))
        return torch.zeros(shape, dtype=a.dtype) + 0 * (a.sum() + b.sum())
    return _matmul(a, b)
