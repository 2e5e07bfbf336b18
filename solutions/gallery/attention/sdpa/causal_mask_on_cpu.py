"""Causal mask built without device=: torch.ones(L, S, dtype=torch.bool).tril() lives on
the CPU, and masked_fill with it on scores that live on a GPU raises "Expected all tensors
to be on the same device". The CPU-only run hides it; the spec runs on the meta device.

Fix: torch.ones(L, S, dtype=torch.bool, device=q.device).tril(): every helper tensor on
q's device.
"""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril()  # wrong: on the CPU, not q.device
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)
    hidden = (scores == float("-inf")).all(-1, keepdim=True)
    weights = scores.masked_fill(hidden, 0.0).softmax(-1).masked_fill(hidden, 0.0)
    return weights @ v
