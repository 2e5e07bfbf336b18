"""The total norm as (sum |g|^p)^(1/p) in the gradients' dtype: for float16 gradients the
p-th powers overflow (|g| > 256 squared passes float16's 65504) and the norm becomes inf, so
clip_coef is 0 and every gradient is zeroed. torch's vector_norm accumulates in float32."""

from typing import Iterable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters: torch.Tensor | Iterable[torch.Tensor], max_norm: float,
                    norm_type: float = 2.0) -> torch.Tensor:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    if norm_type == float("inf"):
        total = torch.stack([g.abs().max() for g in grads]).max()
    else:  # wrong: the powers are summed in float16 too
        total = sum(g.abs().pow(norm_type).sum() for g in grads) ** (1.0 / norm_type)
    clip_coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef.to(g.dtype))
    return total
