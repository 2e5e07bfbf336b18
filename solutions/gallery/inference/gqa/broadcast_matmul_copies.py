"""Right values, a hidden copy: q.view(B, Hkv, G, L, D) @ k[:, :, None].transpose(-2, -1)
looks copy-free, but torch.matmul broadcasts the size-1 group dim of k by expanding it and
reshaping it to (B * Hkv * G, D, S) for one bmm: that reshape of an expanded tensor copies K
G times (and V likewise for the second product).

Fix: fold the group into the query axis so no operand needs broadcasting:
q.reshape(B, Hkv, G * L, D) @ k.transpose(-2, -1) is a plain batched matmul over (B, Hkv).
(torch.einsum("bhgld,bhsd->bhgls", ...) also avoids the copy.)"""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError("Hq must be a multiple of Hkv")
    G = Hq // Hkv
    q5 = q.reshape(B, Hkv, G, L, D)
    scores = q5 @ k[:, :, None].transpose(-2, -1) / math.sqrt(D)  # matmul copies k G times
    if is_causal:
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    out = torch.softmax(scores, dim=-1) @ v[:, :, None]  # and v
    return out.reshape(B, Hq, L, Dv)
