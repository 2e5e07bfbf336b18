"""mean accumulated in float64 and cast back; max folded with torch.maximum over the slices along dim (indices: the first slice equal to the max); pairwise_sq_dists by the |a|^2 + |b|^2 - 2 a.b expansion; normalize by a square root of the squared sum (in float32 for half inputs) clamped at eps**2."""

import functools

import torch


def mean(x, dim=-1, keepdim=False):
    total = torch.sum(x, dim=dim, keepdim=keepdim, dtype=torch.float64)
    return (total / x.shape[dim]).to(x.dtype)


def max(x, dim=-1, keepdim=False):
    slices = x.unbind(dim)
    values = functools.reduce(torch.maximum, slices)
    indices = torch.full(values.shape, len(slices), dtype=torch.int64, device=x.device)
    for i in reversed(range(len(slices))):  # the last write is the first position
        indices = torch.where(slices[i] == values, i, indices)
    if keepdim:
        values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
    return values, indices


def pairwise_sq_dists(a, b):
    aa = (a * a).sum(1, keepdim=True)  # (N, 1)
    bb = (b * b).sum(1, keepdim=True).transpose(0, 1)  # (1, M)
    ab = (a[:, None, :] * b[None, :, :]).sum(-1)  # (N, M)
    return (aa + bb - 2 * ab).clamp_min(0)  # rounding may dip below 0


def normalize(x, dim=-1, eps=1e-12):
    xf = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # float16 squares overflow past 256
    return x / (xf * xf).sum(dim, keepdim=True).clamp_min(eps * eps).sqrt().to(x.dtype)
