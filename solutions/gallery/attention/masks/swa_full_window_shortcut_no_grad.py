"""A shortcut for window >= T (plain attention, as the contract says) computed under
torch.no_grad() ("a shortcut needs no bookkeeping"): the values are right, but the output is
cut from the graph, so no gradient reaches q, k or v whenever the window covers the sequence,
while the blocked path (window < T) trains. The contract promises gradients in every case."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    if T == 0 or window < T:
        return _blocked(q, k, v, window, causal)
    with torch.no_grad():  # wrong: the result loses its graph
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])
        if causal:
            hidden = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1)
            scores = scores.masked_fill(hidden, float("-inf"))
        return scores.softmax(dim=-1) @ v
