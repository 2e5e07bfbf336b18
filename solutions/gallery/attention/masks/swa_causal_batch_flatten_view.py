"""A causal path that flattens many batch dims into one with q.view(prod(batch), T, D) (and
views the result back): a transposed or sliced q (non-contiguous) cannot be viewed, and the
bidirectional path works on the batch dims as they are, so only causal=True on such inputs
fails. Use .reshape, or slice and matmul on the batch dims as they are."""

import math

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked


def sliding_window_attention(q, k, v, window, causal=True):
    if causal and q.dim() > 3:  # flatten the batch dims into one
        batch, n = q.shape[:-2], math.prod(q.shape[:-2])
        out = _blocked(q.view(n, *q.shape[-2:]), k.view(n, *k.shape[-2:]),  # wrong: .view
                       v.view(n, *v.shape[-2:]), window, causal)
        return out.view(*batch, *out.shape[-2:])
    return _blocked(q, k, v, window, causal)
