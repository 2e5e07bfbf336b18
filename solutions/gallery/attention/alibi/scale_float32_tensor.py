"""Scales the scores by torch.tensor(D ** -0.5), a float32 scalar: for float64 inputs with D = 3
1/sqrt(3) is rounded to float32 first (off by ~1e-8), so float64 attention loses its accuracy.
The contract computes in q's dtype.

Fix: scale by the Python float 1 / math.sqrt(D) (or build the scalar in q.dtype).
"""

import math

import torch


def _power_of_two_slopes(n: int) -> list[float]:
    return [2.0 ** (-8.0 * i / n) for i in range(1, n + 1)]


def _slope_list(n_heads: int) -> list[float]:
    p = 2 ** math.floor(math.log2(n_heads))
    slopes = _power_of_two_slopes(p)
    if p < n_heads:  # the paper's rule: interleave with the slopes of a 2p-head model
        slopes += _power_of_two_slopes(2 * p)[0::2][: n_heads - p]
    return slopes


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """(n_heads,) float32: the ALiBi slopes, head 0 first."""
    return torch.tensor(_slope_list(n_heads), dtype=torch.float32)


def _relative_positions(L: int, S: int, dtype=torch.float32, device=None) -> torch.Tensor:
    """(L, S): i - j for query i and key j."""
    return (torch.arange(L, device=device)[:, None] - torch.arange(S, device=device)[None, :]).to(dtype)


def _bias(n_heads: int, L: int, S: int, dtype, device) -> torch.Tensor:
    slopes = torch.tensor(_slope_list(n_heads), dtype=dtype, device=device)
    return -slopes[:, None, None] * _relative_positions(L, S, dtype, device)


def alibi_bias(n_heads: int, L: int, S: int) -> torch.Tensor:
    """(n_heads, L, S) float32: bias[h, i, j] = -slope[h] * (i - j)."""
    return _bias(n_heads, L, S, torch.float32, None)


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    scores = q @ k.transpose(-2, -1) * torch.tensor(q.shape[-1] ** -0.5) + bias
    return scores.softmax(dim=-1) @ v


def alibi_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True) -> torch.Tensor:
    """softmax(q k^T / sqrt(D) + ALiBi bias [+ causal mask]) v; heads at dim -3."""
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = _bias(H, L, S, q.dtype, q.device)  # in q's dtype: float64 slopes for float64 inputs
    if causal:
        hidden = ~torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
        bias = bias.masked_fill(hidden, float("-inf"))
    return _attend(q, k, v, bias)


def linear_bias_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, alpha: float) -> torch.Tensor:
    """softmax(q k^T / sqrt(d) + alpha * (i - j)) v, no mask."""
    return _attend(q, k, v, alpha * _relative_positions(q.shape[-2], k.shape[-2], q.dtype, q.device))
