"""causal_mask as torch.tril(torch.ones(L, S)): the right pattern in float (1.0 / 0.0), but a
float mask means an additive bias to F.scaled_dot_product_attention, so adding 1.0 to the
allowed scores and 0.0 to the hidden ones hides nothing. The contract's masks are bool.

Fix: torch.ones(L, S, dtype=torch.bool).tril().
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def causal_mask(L, S):
    return torch.tril(torch.ones(L, S))  # wrong: float, not bool
