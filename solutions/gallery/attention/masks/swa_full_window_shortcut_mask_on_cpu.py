"""A shortcut for window >= T (plain attention, as the contract says) that hands
sliding_window_mask(T, window, causal) to the sdpa kata: that mask is built on the CPU
(the function has no device to follow), so a q on a GPU (the specs use the meta device)
fails, and the blocked path is right, so only a long window shows it. Build the mask on
q.device (or pass is_causal=True for causal=True, and no mask for causal=False)."""

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked
from solutions.attention.masks import sliding_window_mask
from solutions.attention.sdpa import scaled_dot_product_attention as _attend


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    if T == 0 or window < T:
        return _blocked(q, k, v, window, causal)
    return _attend(q, k, v, attn_mask=sliding_window_mask(T, window, causal))  # wrong: a CPU mask
