"""Copy-free but grouped the wrong way: q.reshape(B, G, Hkv, L, D) puts query heads
h = g * Hkv + j in group j, so head h reads kv head h % Hkv (the tiled layout). The groups
are CONSECUTIVE heads.

Fix: q.reshape(B, Hkv, G, L, D), head h = j * G + g reading kv head j = h // G: reshape the
head axis as (Hkv, G), kv head outermost."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError("Hq must be a multiple of Hkv")
    G = Hq // Hkv
    qg = q.reshape(B, G, Hkv, L, D).transpose(1, 2).reshape(B, Hkv, G * L, D)  # wrong grouping
    scores = qg @ k.transpose(-2, -1) / math.sqrt(D)
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.view(B, Hkv, G, L, S).masked_fill(~allowed, float("-inf")).view(B, Hkv, G * L, S)
    out = torch.softmax(scores, dim=-1) @ v  # (B, Hkv, G*L, Dv)
    return out.view(B, Hkv, G, L, Dv).transpose(1, 2).reshape(B, Hq, L, Dv)
