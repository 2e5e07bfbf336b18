"""A shortcut for causal window = 1 (each query sees only itself, so its weight is exactly 1
and the output is v) that returns v.detach().clone(): the values are right, but no gradient
reaches v, while the blocked path trains. The contract promises gradients in every case.

Fix: return v.clone() (or v * 1), which keeps the graph."""

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked


def sliding_window_attention(q, k, v, window, causal=True):
    if causal and window == 1 and q.shape[-2] > 0:
        return v.detach().clone()  # wrong: cut from the graph
    return _blocked(q, k, v, window, causal)
