"""Builds the causal mask with torch.ones(L, S, dtype=torch.bool).tril() on the default device.
Every CPU test passes, but with q on a GPU masked_fill meets a CPU mask and fails with a device
mismatch (or, with an additive float mask, silently moves work to the host).

Fix: torch.ones(L, S, dtype=torch.bool, device=q.device): every helper tensor on the inputs'
device."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError(f"Hq={Hq} is not a multiple of Hkv={Hkv}")
    G = Hq // Hkv
    scores = q.reshape(B, Hkv, G * L, D) @ k.transpose(-2, -1) / math.sqrt(D)
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool).tril()
        scores = scores.view(B, Hkv, G, L, S).masked_fill(~allowed, float("-inf")).view(B, Hkv, G * L, S)
    return (torch.softmax(scores, dim=-1) @ v).reshape(B, Hq, L, Dv)
