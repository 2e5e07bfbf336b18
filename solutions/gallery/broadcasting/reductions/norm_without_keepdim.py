"""Norm without keepdim: for x (B, D) and dim=-1 the norm has shape (B,), and x / norm then
broadcasts it along the LAST dim, dividing column j by the norm of row j (or failing when
B != D). Keep the reduced dim (keepdim=True) so the norm is (B, 1) and divides each row by
its own norm."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    norm = (x * x).sum(dim=dim).sqrt()  # reduced dim dropped
    return x / norm.clamp_min(eps)
