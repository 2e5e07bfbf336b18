"""Maps query head h to kv head h * Hkv // Hq and never checks that Hq is a multiple of Hkv.
For valid head counts that IS h // G, so every value test passes; but Hq = 5 with Hkv = 2 (or
Hq = 2 with Hkv = 4) runs without complaint and returns an attention GQA does not define,
instead of the ValueError the contract promises: a mis-typed config trains silently.

Fix: if Hq % Hkv != 0: raise ValueError(...) before any work."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S = k.shape[1], k.shape[2]
    outs = []
    for h in range(Hq):
        j = h * Hkv // Hq
        scores = q[:, h] @ k[:, j].transpose(-2, -1) / math.sqrt(D)
        if is_causal:
            allowed = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
            scores = scores.masked_fill(~allowed, float("-inf"))
        outs.append(torch.softmax(scores, dim=-1) @ v[:, j])
    return torch.stack(outs, dim=1)
