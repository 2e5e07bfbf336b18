"""Day 17 — attention/masks: causal, padding and sliding-window masks, and banded attention.

Every mask is bool with True = "this query may attend this key", the convention of
F.scaled_dot_product_attention's attn_mask (and of your attention/sdpa kata). Any sizes (no cap
such as a precomputed 1024 x 1024 tril), and a new tensor at each call: a caller may change a
mask in place (mask &= keep), and that must not reach the next call's mask.

Write:
    causal_mask(L, S) -> (L, S) bool: True where key j <= query i, aligned top-left like
        sdpa's is_causal (= torch.ones(L, S, dtype=torch.bool).tril()), for L != S too.
        L or S may be 0: an empty (L, S) mask.
    padding_mask(lengths, S) -> (B, S) bool: lengths is a (B,) int64 tensor of sequence
        lengths in [0, S]; row b is True on the first lengths[b] positions (the real tokens)
        and False on the padding after them. Same device as lengths (build every helper,
        e.g. an arange, on lengths.device). B = 0 gives a (0, S) mask, S = 0 a (B, 0) one. To hide padded keys
        from (B, H, L, S) scores, use padding_mask(lengths, S)[:, None, None, :].
    sliding_window_mask(L, window, causal=True) -> (L, L) bool, window >= 1:
        causal=True:  query i attends key j when i - window < j <= i (itself and the
                      window - 1 keys before it: `window` keys in all, fewer at the start);
        causal=False: query i attends key j when |i - j| <= window (window keys on each
                      side and itself: 2 * window + 1 in all), as in LeetGPU's
                      sliding-window self-attention challenge.
        L = 0 gives an empty (0, 0) mask.
    sliding_window_attention(q, k, v, window, causal=True) -> (..., T, Dv):
        self-attention over one sequence: q, k (..., T, D), v (..., T, Dv), float32/float64,
        any leading batch dims; window >= 1. Equal to softmax attention with scale
        1 / sqrt(D) under sliding_window_mask(T, window, causal), i.e. to
        F.scaled_dot_product_attention(q, k, v, attn_mask=sliding_window_mask(T, window, causal)).
        With window >= T it is plain attention (causal, or full when causal=False).
        T = 0 returns an empty (..., 0, Dv) tensor. float64 inputs are computed in float64;
        the output has q's dtype whatever torch.get_default_dtype() is. Any device: helper
        tensors you build (positions, masks, accumulators) go on q.device.
        Scores may be large (+-100) or all very negative (~ -150): a hand-written softmax
        must subtract the row max, and an online (running) max must start at -inf, not 0.
        Budget: its peak memory must grow with T * window, not T^2. Never build a (T, T)
        tensor (scores, weights or mask). Process the queries in blocks (a block of queries
        needs only the keys within `window` of it), or gather each query's own window of
        keys. The spec measures peak bytes of tensor storage at T = 256 and T = 512 with
        window = 16: doubling T must no more than about double the peak (a ratio below 2.5;
        full T x T scores quadruple it, and so do blocks whose size grows with T, e.g. T / 8).
        Its work too: a block of queries multiplies only the keys its windows reach, never
        all T keys followed by a mask; doubling T must no more than about double the matmul
        FLOPs (a ratio below 2.5).
        Differentiable: gradients flow to q, k and v.

You may import your own attention (from katas.attention.sdpa import
scaled_dot_product_attention) and use torch.softmax.

Off limits: torch.nn.functional.scaled_dot_product_attention in sliding_window_attention
(its fused kernels hide their scratch memory from the budget).
Inputs must not be modified.
Run: pytest katas/attention/masks.py
"""

import torch


def causal_mask(L: int, S: int) -> torch.Tensor:
    """(L, S) bool, True where key j <= query i (top-left aligned)."""
    raise NotImplementedError


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    """(B,) int64 lengths -> (B, S) bool, True on the first lengths[b] positions."""
    raise NotImplementedError


def sliding_window_mask(L: int, window: int, causal: bool = True) -> torch.Tensor:
    """(L, L) bool: i - window < j <= i (causal) or |i - j| <= window (bidirectional)."""
    raise NotImplementedError


def sliding_window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                             causal: bool = True) -> torch.Tensor:
    """Attention under sliding_window_mask(T, window, causal) in O(T * window) memory."""
    raise NotImplementedError
