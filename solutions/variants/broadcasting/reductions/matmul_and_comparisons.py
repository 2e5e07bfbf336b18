"""mean as a product with a ones vector; max from an all-pairs >= comparison (the first position that is >= every other) and gather; pairwise_sq_dists with einsum over the difference; normalize with Tensor.norm clamped at eps."""

import torch


def mean(x, dim=-1, keepdim=False):
    moved = x.movedim(dim, -1)
    n = moved.shape[-1]
    out = (moved @ torch.ones(n, dtype=x.dtype, device=x.device)) / n
    return out.unsqueeze(dim) if keepdim else out


def max(x, dim=-1, keepdim=False):
    moved = x.movedim(dim, -1)  # (..., n)
    at_least_all = (moved.unsqueeze(-1) >= moved.unsqueeze(-2)).all(-1)  # (..., n)
    first = (at_least_all.long().cumsum(-1) == 0).sum(-1)  # positions before the first max
    values = moved.gather(-1, first.unsqueeze(-1)).squeeze(-1)
    if keepdim:
        return values.unsqueeze(dim), first.unsqueeze(dim)
    return values, first


def pairwise_sq_dists(a, b):
    diff = a.unsqueeze(1) - b.unsqueeze(0)  # (N, M, D)
    return torch.einsum("nmd,nmd->nm", diff, diff)


def normalize(x, dim=-1, eps=1e-12):
    return x / x.norm(p=2, dim=dim, keepdim=True).clamp_min(eps)
