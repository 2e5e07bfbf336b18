"""Shifting the input in place: x.sub_(x.amax(dim, keepdim=True)) saves one allocation, but it
rewrites the caller's tensor. Whoever passed x (a model's logits, a batch reused for the loss)
now holds shifted values, and autograd raises if x was needed for another gradient. The
result itself is right, which is why this bug survives until something else breaks.

Fix: work on a new tensor: shifted = x - x.amax(dim=dim, keepdim=True)."""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    with torch.no_grad():
        x.sub_(x.amax(dim=dim, keepdim=True))
    e = x.exp()
    return e / e.sum(dim=dim, keepdim=True)
