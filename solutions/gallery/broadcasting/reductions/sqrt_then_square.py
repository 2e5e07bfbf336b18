"""Distances first, squared after: computing cdist's distances, (diff * diff).sum(-1).sqrt(),
and returning them ** 2 gives the right values, but the backward goes through sqrt, whose
derivative at 0 is infinite: wherever a[i] == b[j] (the diagonal of pairwise_sq_dists(a, a))
the gradient is 0 * inf = NaN, where the squared distance has gradient 0.

Fix: never take the root: (diff * diff).sum(-1) is already the squared distance."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    diff = a[:, None, :] - b[None, :, :]
    dists = (diff * diff).sum(dim=-1).sqrt()  # like torch.cdist
    return dists ** 2
