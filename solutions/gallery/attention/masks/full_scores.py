"""T x T scores materialised: building the full (T, T) mask and scores and masking them gives
the right numbers, but memory grows with T^2 whatever the window, so the window saves nothing.
With window w each query needs only w keys (2w + 1 bidirectional): process the queries in
blocks and score each block against the keys within w of it, so the largest temporary is
block x (block + 2w) and the peak grows with T * w."""

import math

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_mask


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # wrong: (T, T)
    scores = scores.masked_fill(~sliding_window_mask(T, window, causal), float("-inf"))
    return scores.softmax(dim=-1) @ v
