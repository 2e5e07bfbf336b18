"""Per-head Python loop, recursive slope rule, bias built in float64 then cast to q's dtype, own stable softmax."""

import math

import torch


def _slope_list(n):
    def pow2(m):
        start = 2 ** (-8.0 / m)
        return [start ** (i + 1) for i in range(m)]
    if n & (n - 1) == 0:
        return pow2(n)
    p = 2 ** int(math.floor(math.log2(n)))
    return pow2(p) + _slope_list(2 * p)[0::2][: n - p]


def alibi_slopes(n_heads):
    return torch.tensor(_slope_list(n_heads), dtype=torch.float64).float()


def alibi_bias(n_heads, L, S):
    rel = torch.arange(L, dtype=torch.float64)[:, None] - torch.arange(S, dtype=torch.float64)
    return torch.stack([-m * rel for m in _slope_list(n_heads)]).float()


def _softmax(x):
    m = x.amax(-1, keepdim=True)
    e = torch.exp(x - m)
    return e / e.sum(-1, keepdim=True)


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    rel = (torch.arange(L, dtype=torch.float64, device=q.device)[:, None]
           - torch.arange(S, dtype=torch.float64, device=q.device)[None, :])
    outs = []
    for h, m in enumerate(_slope_list(H)):
        bias = (-m * rel).to(q.dtype)
        if causal:
            bias = bias.masked_fill(rel < 0, -math.inf)
        s = q[..., h, :, :] @ k[..., h, :, :].transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias
        outs.append(_softmax(s) @ v[..., h, :, :])
    return torch.stack(outs, dim=-3)


def linear_bias_attention(q, k, v, alpha):
    M, N = q.shape[-2], k.shape[-2]
    rel = (torch.arange(M, dtype=torch.float64, device=q.device)[:, None]
           - torch.arange(N, dtype=torch.float64, device=q.device)[None, :])
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + (alpha * rel).to(q.dtype)
    return _softmax(s) @ v
