"""Returns a fresh torch.zeros(x.shape) for an empty x ("nothing to normalise"): the values and
dtype are right, but the result is not on x's graph, so a loss built from a batch that happens
to be empty fails in backward ("does not require grad"). All four functions stay
differentiable, empty inputs included.

Fix: no special case: x / vector_norm(x, dim=dim, keepdim=True).clamp_min(eps) already gives
the empty result, attached to the graph.
"""

import torch

from solutions.broadcasting.reductions import normalize as _normalize
from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    if x.numel() == 0:
        return torch.zeros(x.shape, dtype=x.dtype, device=x.device)
    return _normalize(x, dim, eps)
