"""pairwise_sq_dists that upcasts float16/bfloat16 inputs to float32 "for accuracy" and never
casts back: the values are fine, but the distances of half-precision inputs come back
float32, and the contract says the result has the inputs' dtype.

Fix: compute in float32 if you like, then return .to(a.dtype)."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def pairwise_sq_dists(a, b):
    if a.dtype in (torch.float16, torch.bfloat16):
        a, b = a.float(), b.float()
    diff = a[:, None, :] - b[None, :, :]
    return (diff * diff).sum(dim=-1)
