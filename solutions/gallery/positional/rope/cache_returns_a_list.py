"""Returns the list [cos, sin] where the contract promises the tuple (cos, sin): unpacking
hides it, but code that checks the type, hashes it or concatenates it with another tuple
breaks.

Fix: return cos, sin.
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def rope_cache(head_dim, max_len, base=10000.0):
    theta = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = torch.arange(max_len, dtype=torch.float64)[:, None] * theta
    return [angles.cos().float(), angles.sin().float()]  # wrong: a list, not a tuple
