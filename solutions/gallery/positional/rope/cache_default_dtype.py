"""rope_cache built from torch.arange(0, head_dim, 2) / head_dim without a dtype: the division
follows torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64) the tables
come back float64 although the contract promises float32.

Fix: return cos.float(), sin.float() (or give every tensor dtype=).
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def rope_cache(head_dim, max_len, base=10000.0):
    theta = base ** (-(torch.arange(0, head_dim, 2) / head_dim))  # default dtype
    angles = torch.outer(torch.arange(max_len).to(theta.dtype), theta)
    return angles.cos(), angles.sin()  # wrong: not cast to float32
