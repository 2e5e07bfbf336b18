"""Per-batch loops with index_select into a preallocated result; gather in last_token."""

import torch


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    B, _, C = x.shape
    out = x.new_empty(B, idx.shape[1], C)
    for b in range(B):
        out[b] = x[b].index_select(0, idx[b])
    return out


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    B, _, C = x.shape
    where = (lengths - 1).view(B, 1, 1).expand(B, 1, C)
    return x.gather(1, where).squeeze(1)  # gather is off limits only in gather_rows


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    half = x.dtype in (torch.float16, torch.bfloat16)
    wide = x.float() if half else x  # a half sum may overflow where the mean does not
    total = (wide * mask).sum(dim)  # a bool mask does not promote the dtype
    count = mask.sum(dim)
    mean = torch.where(count > 0, total, torch.zeros_like(total)) / count.clamp_min(1).to(wide.dtype)
    return mean.to(x.dtype)
