"""Correct variant: tiles scored with einsum and accumulated in float64 (cast back to q's dtype at the end), an additive -inf mask on the diagonal tile."""

import math

import torch


def flash_attention(q, k, v, causal=False, block_size=64):
    dt = q.dtype
    L, D, S = q.shape[-2], q.shape[-1], k.shape[-2]
    out = torch.empty((*q.shape[:-1], v.shape[-1]), dtype=dt, device=q.device)
    scale = D ** -0.5
    for i0 in range(0, L, block_size):
        i1 = min(L, i0 + block_size)
        qt = q[..., i0:i1, :].double() * scale
        run_max = None
        for j0 in range(0, min(S, i1) if causal else S, block_size):
            j1 = min(S, j0 + block_size)
            if causal:
                j1 = min(j1, i1)
            s = torch.einsum("...id,...jd->...ij", qt, k[..., j0:j1, :].double())
            if causal and j1 - 1 > i0:
                rows = torch.arange(i0, i1, device=q.device)
                cols = torch.arange(j0, j1, device=q.device)
                bias = torch.zeros(i1 - i0, j1 - j0, dtype=torch.float64, device=q.device)
                s = s + bias.masked_fill(cols[None, :] > rows[:, None], -math.inf)
            tile_max = s.amax(-1)
            if run_max is None:
                new_max = tile_max
                p = torch.exp(s - new_max[..., None])
                total, acc = p.sum(-1), torch.einsum("...ij,...jd->...id", p, v[..., j0:j1, :].double())
            else:
                new_max = torch.maximum(run_max, tile_max)
                p = torch.exp(s - new_max[..., None])
                c = torch.exp(run_max - new_max)
                total = c * total + p.sum(-1)
                acc = c[..., None] * acc + torch.einsum("...ij,...jd->...id", p, v[..., j0:j1, :].double())
            run_max = new_max
        out[..., i0:i1, :] = (acc / total[..., None]).to(dt)
    return out
