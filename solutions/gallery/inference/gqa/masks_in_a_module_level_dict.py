"""Caches causal masks in a module-level dict keyed by (L, S) only (not by device): the first
call makes the mask on q's device, and every later call of those sizes reuses it, on whatever
device the inputs are on now; on a GPU after a CPU call it fails with "Tensor on device cpu is
not on the expected device" (here: the meta device).

Fix: build the mask at every call on q's device (it is tiny), or key a cache by (L, S, device)."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)

_MASKS = {}


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError(f"the number of query heads ({Hq}) must be a multiple of the kv heads ({Hkv})")
    G = Hq // Hkv
    scores = q.reshape(B, Hkv, G * L, D) @ k.transpose(-2, -1) / math.sqrt(D)
    if is_causal:
        if (L, S) not in _MASKS:
            _MASKS[(L, S)] = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()  # keyed by shape only
        scores = scores.view(B, Hkv, G, L, S).masked_fill(~_MASKS[(L, S)], float("-inf")).view(B, Hkv, G * L, S)
    return (torch.softmax(scores, dim=-1) @ v).reshape(B, Hq, L, Dv)
