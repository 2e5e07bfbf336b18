"""BLOOM-style bias inside attention: +slope * j (the key position alone), which differs from
-slope * (i - j) by -slope * i, a per-query constant that softmax ignores; slopes from BLOOM's
closed form (a base raised to 1..p, then odd powers of the 2p-head base)."""

import math

import torch


def _slopes(n, dtype, device):
    p = 2 ** math.floor(math.log2(n))
    base = 2.0 ** (-(2.0 ** -(math.log2(p) - 3)))
    slopes = torch.pow(torch.tensor(base, dtype=torch.float64), torch.arange(1, p + 1, dtype=torch.float64))
    if p < n:
        extra = 2.0 ** (-(2.0 ** -(math.log2(2 * p) - 3)))
        odd = torch.arange(1, 1 + 2 * (n - p), 2, dtype=torch.float64)
        slopes = torch.cat([slopes, torch.pow(torch.tensor(extra, dtype=torch.float64), odd)])
    return slopes.to(dtype=dtype, device=device)


def alibi_slopes(n_heads):
    return _slopes(n_heads, torch.float32, None)


def alibi_bias(n_heads, L, S):
    m = _slopes(n_heads, torch.float64, None)
    rel = torch.arange(L, dtype=torch.float64)[:, None] - torch.arange(S, dtype=torch.float64)
    return (-m[:, None, None] * rel).float()


def _softmax_attend(q, k, v, bias):
    s = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1])) + bias
    s = s - s.amax(-1, keepdim=True).detach() if s.shape[-1] else s
    e = s.exp()
    return torch.matmul(e / e.sum(-1, keepdim=True), v)


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    m = _slopes(H, q.dtype, q.device)
    bias = m[:, None, None] * torch.arange(S, dtype=q.dtype, device=q.device)  # (H, 1, S)
    bias = bias.expand(H, L, S)
    if causal:
        bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool, device=q.device).triu(1), float("-inf"))
    return _softmax_attend(q, k, v, bias)


def linear_bias_attention(q, k, v, alpha):
    M, N = q.shape[-2], k.shape[-2]
    i = torch.arange(M, dtype=q.dtype, device=q.device)[:, None]
    j = torch.arange(N, dtype=q.dtype, device=q.device)
    return _softmax_attend(q, k, v, alpha * i - alpha * j)
