"""Bias by absolute instead of relative position: -m * j penalises keys for being late in the
sequence, whatever the query. ALiBi penalises the DISTANCE between query and key,
-m * (i - j). (Softmax cannot tell -m * (i - j) from +m * j, which differ by a per-query
constant, so BLOOM-style code uses m * j inside attention; but -m * j is the mirror image,
and alibi_bias is asked to return the relative form itself.)"""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import alibi_slopes


def alibi_bias(n_heads: int, L: int, S: int) -> torch.Tensor:
    j = torch.arange(S).float().expand(L, S)  # wrong: the key's absolute position
    return -alibi_slopes(n_heads)[:, None, None] * j
