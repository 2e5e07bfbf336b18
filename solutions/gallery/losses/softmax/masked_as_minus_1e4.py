"""softmax that replaces -inf (masked) logits by a finite -1e4 before the max shift:
x.masked_fill(x == -inf, -1e4). Next to logits near -1e4, which the contract allows, a
masked entry is no longer negligible: in [-1e4, -inf, -1e4 + 1, -inf] each masked entry gets
the same probability as the -1e4 one instead of exactly 0.

Fix: keep -inf as it is; exp(-inf - max) is exactly 0 when the slice has a finite max.
"""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x, dim=-1):
    x = x.masked_fill(x == float("-inf"), -1e4)
    e = (x - x.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
