"""Day 17 — attention/alibi: ALiBi (attention with linear biases) and LeetGPU's linear-bias form.

ALiBi (Press et al., "Train Short, Test Long") adds no position embedding: every head h adds
-m_h * (distance from the query to the key) to its attention scores, with a fixed slope m_h.

Write:
    alibi_slopes(n_heads) -> (n_heads,) float32, head 0 first:
        n_heads a power of two: m_i = 2 ** (-8 * i / n_heads) for i = 1 .. n_heads
            (8 heads: 1/2, 1/4, ..., 1/256).
        otherwise (the paper's rule): with p = 2 ** floor(log2(n_heads)), the p slopes of a
            p-head model, followed by every other slope of a 2p-head model (its 1st, 3rd,
            5th, ...), the first n_heads - p of them.
            12 heads: 2^-1, 2^-2, ..., 2^-8, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5.
    alibi_bias(n_heads, L, S) -> (n_heads, L, S) float32:
            bias[h, i, j] = -m_h * (i - j)
        for query position i in 0..L-1 and key position j in 0..S-1 (the relative position,
        both counted from 0, top-left aligned like sdpa's is_causal). No masking here: for
        j > i the value is positive; a causal model masks those keys separately.
    Both return a new tensor at every call: the caller may write into it (bias.masked_fill_)
        without changing what a later call returns (no cached table handed out).
    alibi_attention(q, k, v, causal=True) -> (..., H, L, Dv):
        q (..., H, L, D), k (..., H, S, D), v (..., H, S, Dv), float32/float64, heads at dim
        -3 (any leading batch dims before them), H = q.shape[-3]:
            softmax(q @ k^T / sqrt(D) + alibi_bias(H, L, S) [+ causal mask]) @ v
        causal=True hides the keys j > i (top-left aligned: query i sees keys 0..i);
        causal=False uses the bias alone. Output dtype = q's dtype, on q's device.
        Computed in q's dtype: for float64 inputs the bias is built in float64 too (slopes
        such as 2^-0.5 not rounded to float32 first), and every helper tensor (bias, mask, an
        output buffer) lives on q's device. The dtypes above hold whatever
        torch.get_default_dtype() is (torch.tensor(list) and torch.arange(n) / n follow it:
        give dtype=), and so do the values: under a bfloat16 default,
        torch.tensor(slopes).float() has already rounded 2^-0.5 to bfloat16.
    linear_bias_attention(q, k, v, alpha) -> (..., M, dv), LeetGPU's single-slope form:
            softmax(Q K^T / sqrt(d) + alpha * (i - j)) V
        q (..., M, d), k (..., N, d), v (..., N, dv), float32/float64: LeetGPU's (M, d),
        (N, d), (N, dv) with no leading dims, or with any batch dims in front. i = query
        index 0..M-1, j = key index 0..N-1, alpha a float in [-1, 1]. No mask at all.
        (ALiBi without the mask is this with alpha = -m_h for head h.)
        Computed in q's dtype on q's device (alpha * (i - j) in float64 for float64 inputs).
    Empty sizes work in both attentions: a batch dim of 0 or no queries (L = 0, M = 0) give
    an empty output of the right shape.
    Both attentions must survive large scores (|q k^T / sqrt(d)| ~ 100 in float32): a
    hand-written softmax subtracts the row max first.

You may use torch.softmax, F.scaled_dot_product_attention with a float attn_mask, or your
own attention (from katas.attention.sdpa import scaled_dot_product_attention).

Off limits: none.
Inputs must not be modified.
Run: pytest katas/attention/alibi.py
"""

import torch


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """(n_heads,) float32: the ALiBi slopes, head 0 first."""
    raise NotImplementedError


def alibi_bias(n_heads: int, L: int, S: int) -> torch.Tensor:
    """(n_heads, L, S) float32: bias[h, i, j] = -slope[h] * (i - j)."""
    raise NotImplementedError


def alibi_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True) -> torch.Tensor:
    """softmax(q k^T / sqrt(D) + ALiBi bias [+ causal mask]) v; heads at dim -3."""
    raise NotImplementedError


def linear_bias_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, alpha: float) -> torch.Tensor:
    """softmax(q k^T / sqrt(d) + alpha * (i - j)) v, no mask."""
    raise NotImplementedError
