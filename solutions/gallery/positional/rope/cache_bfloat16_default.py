"""rope_cache from torch.arange(0, head_dim, 2) / head_dim and an arange of positions without a
dtype, cast only at the end: under a bfloat16 default dtype (LLM loaders build models under it)
theta and every angle are bfloat16, positions past 256 round, and the float32 tables are off
by up to 1. Llama writes torch.arange(0, dim, 2).float() / dim for exactly this reason.

Fix: give the helper tensors dtype=torch.float32 (or float64), not only the result.
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def rope_cache(head_dim, max_len, base=10000.0):
    theta = base ** (-torch.arange(0, head_dim, 2) / head_dim)  # wrong: default dtype
    angles = torch.arange(max_len)[:, None] * theta
    return angles.cos().float(), angles.sin().float()
