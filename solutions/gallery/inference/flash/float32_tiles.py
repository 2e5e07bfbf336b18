"""Copies the CUDA idiom "accumulate in float32": every tile is cast to float32 (q, k and v
tiles .float()), and the result is cast back to q's dtype at the end. For float32 inputs
nothing changes, but float64 inputs get float32 accuracy (~1e-7 instead of ~1e-16) while the
output claims float64: a float64 reference check fails for no visible reason.

Fix: compute in q's dtype; FlashAttention's float32 accumulators are for half-precision
inputs, and this kata takes float32 or float64."""

import math

import torch

from solutions.inference.flash import *  # noqa: F401,F403 (the rest is correct)


def flash_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                    block_size: int = 64) -> torch.Tensor:
    L, D = q.shape[-2], q.shape[-1]
    S = k.shape[-2]
    scale = 1 / math.sqrt(D)
    out = q.new_empty(*q.shape[:-1], v.shape[-1])
    for i0 in range(0, L, block_size):
        i1 = min(i0 + block_size, L)
        qb = q[..., i0:i1, :] * scale
        m = torch.full((*q.shape[:-2], i1 - i0), -math.inf, device=q.device)  # running max of each row's scores
        l = torch.zeros((*q.shape[:-2], i1 - i0), device=q.device)             # running sum of exp(score - m)
        acc = torch.zeros((*q.shape[:-2], i1 - i0, v.shape[-1]), device=q.device)  # running sum of exp(...) v
        # causal (top-left): query i sees keys j <= i, so this block needs keys < i1 only;
        # the blocks after that are entirely above the diagonal and are skipped
        k_end = min(S, i1) if causal else S
        for j0 in range(0, k_end, block_size):
            j1 = min(j0 + block_size, k_end)
            s = qb.float() @ k[..., j0:j1, :].float().transpose(-2, -1)  # accumulate in float32
            if causal and j1 - 1 > i0:                         # the tile crosses the diagonal
                rows = torch.arange(i0, i1, device=q.device)[:, None]
                cols = torch.arange(j0, j1, device=q.device)[None, :]
                s = s.masked_fill(cols > rows, -math.inf)
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)                       # rescales what was summed so far
            l = alpha * l + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v[..., j0:j1, :].float()
            m = m_new
        out[..., i0:i1, :] = (acc / l[..., None]).to(q.dtype)
    return out
