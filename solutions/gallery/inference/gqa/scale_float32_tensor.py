"""Scales the scores by a float32 tensor: / torch.sqrt(torch.tensor(D, dtype=torch.float32)).
A 0-dim tensor does not change the scores' dtype, so float64 stays float64, but the scale is
rounded to float32 (1/sqrt(3) to ~1e-8 relative): float64 results are off by as much, and a
float64 check of a model disagrees. D = 4 or 16 hides it (their roots are exact).

Fix: scale by the Python float math.sqrt(D) (or D ** -0.5), which takes the scores' dtype."""

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError(f"the number of query heads ({Hq}) must be a multiple of the kv heads ({Hkv})")
    G = Hq // Hkv
    qg = q.reshape(B, Hkv, G * L, D)
    scores = qg @ k.transpose(-2, -1) / torch.sqrt(torch.tensor(D, dtype=torch.float32))  # the mistake
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
        scores = scores.view(B, Hkv, G, L, S).masked_fill(~allowed, float("-inf")).view(B, Hkv, G * L, S)
    return (torch.softmax(scores, dim=-1) @ v).reshape(B, Hq, L, Dv)
