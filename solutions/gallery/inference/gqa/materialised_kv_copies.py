"""Right values, wrong memory: expands K and V to one head per query head,
k[:, :, None].expand(B, Hkv, G, S, D).reshape(B, Hq, S, D) (what Hugging Face's repeat_kv and
repeat_interleave do). The reshape of an expanded tensor cannot be a view, so it copies K and
V G times: a decode step reads Hq heads of K/V again and the saving of GQA is gone.

Fix: keep K and V as they are and put the G query heads of a group side by side instead:
q.reshape(B, Hkv, G * L, D) @ k.transpose(-2, -1)."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError("Hq must be a multiple of Hkv")
    G = Hq // Hkv
    k = k[:, :, None].expand(B, Hkv, G, S, D).reshape(B, Hq, S, D)  # a copy per query head
    v = v[:, :, None].expand(B, Hkv, G, S, Dv).reshape(B, Hq, S, Dv)
    scores = q @ k.transpose(-2, -1) / math.sqrt(D)
    if is_causal:
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
