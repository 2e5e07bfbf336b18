"""Day 17 — attention/masks: reference solution."""

import math

import torch


def causal_mask(L: int, S: int) -> torch.Tensor:
    """(L, S) bool, True where key j <= query i (top-left aligned)."""
    return torch.ones(L, S, dtype=torch.bool).tril()


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    """(B,) int64 lengths -> (B, S) bool, True on the first lengths[b] positions."""
    return torch.arange(S, device=lengths.device) < lengths[:, None]


def _window_allowed(i: torch.Tensor, j: torch.Tensor, window: int, causal: bool) -> torch.Tensor:
    """Which (query i, key j) pairs the sliding window allows, by broadcasting i against j."""
    if causal:
        return (j <= i) & (j > i - window)
    return (i - j).abs() <= window


def sliding_window_mask(L: int, window: int, causal: bool = True) -> torch.Tensor:
    """(L, L) bool: i - window < j <= i (causal) or |i - j| <= window (bidirectional)."""
    pos = torch.arange(L)
    return _window_allowed(pos[:, None], pos[None, :], window, causal)


def sliding_window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                             causal: bool = True) -> torch.Tensor:
    """Attention under sliding_window_mask(T, window, causal) in O(T * window) memory."""
    T = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    pos = torch.arange(T, device=q.device)
    block = max(window, 32)  # queries per block; each block's scores are block x (block + 2 window)
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)  # keys [lo, hi) cover the block's windows
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        weights = scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1)  # the diagonal is always allowed
        outs.append(weights @ v[..., lo:hi, :])
    if not outs:  # T = 0: nothing to attend
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    return torch.cat(outs, dim=-2)
