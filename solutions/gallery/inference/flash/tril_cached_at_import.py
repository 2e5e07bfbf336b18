"""The causal mask sliced from a 1024 x 1024 tril made at import: every call up to L = S = 1024
passes, but a diagonal tile past position 1024 gets a mask sliced short (L and S have no upper
limit).

Fix: build each diagonal tile's mask on every call from torch.arange(i0, i1, device=q.device)
and torch.arange(j0, j1, device=q.device).
"""

import math

import torch
_TRIL = torch.ones(1024, 1024, dtype=torch.bool).tril()


def flash_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                    block_size: int = 64) -> torch.Tensor:
    """softmax(q k^T / sqrt(D)) v, one (block_size x block_size) tile of scores at a time."""
    L, D = q.shape[-2], q.shape[-1]
    S = k.shape[-2]
    scale = 1 / math.sqrt(D)
    out = q.new_empty(*q.shape[:-1], v.shape[-1])
    for i0 in range(0, L, block_size):
        i1 = min(i0 + block_size, L)
        qb = q[..., i0:i1, :] * scale
        m = q.new_full((*q.shape[:-2], i1 - i0), -math.inf)  # running max of each row's scores
        l = q.new_zeros((*q.shape[:-2], i1 - i0))             # running sum of exp(score - m)
        acc = q.new_zeros((*q.shape[:-2], i1 - i0, v.shape[-1]))  # running sum of exp(...) v
        # causal (top-left): query i sees keys j <= i, so this block needs keys < i1 only;
        # the blocks after that are entirely above the diagonal and are skipped
        k_end = min(S, i1) if causal else S
        for j0 in range(0, k_end, block_size):
            j1 = min(j0 + block_size, k_end)
            s = qb @ k[..., j0:j1, :].transpose(-2, -1)       # (..., bq, bk) scores of this tile
            if causal and j1 - 1 > i0:                         # the tile crosses the diagonal
                s = s.masked_fill(~_TRIL[i0:i1, j0:j1].to(q.device), -math.inf)
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)                       # rescales what was summed so far
            l = alpha * l + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v[..., j0:j1, :]
            m = m_new
        out[..., i0:i1, :] = acc / l[..., None]
    return out
