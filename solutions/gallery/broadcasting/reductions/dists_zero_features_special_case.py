"""pairwise_sq_dists that reads "D = 0 gives zeros" as a special case and returns
torch.zeros(N, M): the values are right, but the result is float32 whatever a's dtype
(float64 inputs get a float32 result) and not attached to a and b's graph.

Fix: no special case: with D = 0 the sum over the feature dim is an empty sum, already
zeros of a's dtype with a graph."""

import torch

from solutions.broadcasting import reductions as _reference
from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def pairwise_sq_dists(a, b):
    if a.shape[1] == 0:  # no features: every distance is 0
        return torch.zeros(a.shape[0], b.shape[0])
    return _reference.pairwise_sq_dists(a, b)
