"""Tiles the kv heads instead of grouping them: k.repeat(1, G, 1, 1) lays the kv heads out as
0, 1, ..., Hkv-1, 0, 1, ... so query head h reads kv head h % Hkv. The two layouts agree only
when Hkv = 1 or G = 1, so an MQA or MHA test never notices. (This version also copies K and V
per query head, which the budget rejects too.)

Fix: GQA groups CONSECUTIVE query heads: heads j*G .. j*G+G-1 share kv head j, i.e. head h
reads kv head h // G (what repeat_interleave(G, dim=1) would give, and what
q.reshape(B, Hkv, G * L, D) gives without any copy)."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S = k.shape[1], k.shape[2]
    if Hq % Hkv != 0:
        raise ValueError("Hq must be a multiple of Hkv")
    G = Hq // Hkv
    k, v = k.repeat(1, G, 1, 1), v.repeat(1, G, 1, 1)  # wrong order: 0, 1, .., 0, 1, ..
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    if is_causal:
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
