"""Day 22 — inference/flash: flash attention, tiled with an online softmax.

Plain attention builds the whole (L, S) matrix of scores, then its softmax: memory grows with
L * S. Flash attention never does. It walks over tiles of queries and keys and keeps, for each
query row, three running quantities over the keys seen so far:
    m   the running max of the row's scores,
    l   the running sum of exp(score - m),
    acc the running sum of exp(score - m) * v.
When a new tile of keys raises the max from m to m_new, everything summed so far was computed
against the old max: multiply l and acc by exp(m - m_new) (the "online rescaling"), then add
the new tile's exp(score - m_new) terms. At the end, output = acc / l. The result is exactly
softmax(q k^T / sqrt(D)) v, but the largest score tensor alive is one tile.

Write:
    flash_attention(q, k, v, causal=False, block_size=64) -> (..., L, Dv), dtype of q,
        computed in q's dtype (float64 inputs are compared to 1e-12), on q's device (build
        any helper tensor, e.g. a mask or an arange, with device=q.device)
        q: (..., L, D), k: (..., S, D), v: (..., S, Dv); float32 or float64, the same leading
            batch dims "..." (none, or any number, e.g. (B, H)). L and S may differ, and need
            not be multiples of block_size (the last tile is smaller: a "ragged" block).
            L and S have no upper limit. S >= 1; L = 0 or a batch dim of size 0 gives an empty output of the right shape.
        scale 1/sqrt(D) (D = q.shape[-1]); softmax over the keys.
        Equal to torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal).
        causal=True: query i sees key j when j <= i, aligned TOP-LEFT like torch (query 0 sees
            key 0 only, whatever L and S are).
        block_size: the tile size along both the queries and the keys (>= 1; it may exceed L
            or S: then one tile covers everything). Honour it: no score tile larger than
            block_size x block_size (the specs count every allocation at a small block_size).
        Memory: never build a tensor with both an L-sized and an S-sized dim (scores, weights,
            masks): the specs measure every allocation. Per-row statistics (..., L) and the
            output (..., L, Dv) are fine.
        Causal work: a tile whose keys all come after all of its queries (entirely above the
            diagonal) is fully masked: skip it, do not compute and mask it. A causal call then
            does about half the matmul FLOPs of a non-causal one at large L = S (the specs
            count them). The tile ON the diagonal is only partly masked: it must be computed,
            with the mask j <= i inside it (fill masked scores with -inf, not a finite -1e4 / -1e9).
        Numerically stable: subtract the running max before exp (scores of 100 must not
            overflow float32), and start the running max at -inf, not 0: a row whose scores
            are all near -150 underflows exp(score - 0) to 0 and divides 0 by 0.
        Inference only: gradients are not asked (in-place writes into your own output or
        accumulators are fine).

Off limits: torch.nn.functional.scaled_dot_product_attention and the fused aten kernels behind
it (_scaled_dot_product_*, _safe_softmax).
Inputs must not be modified.
Run: pytest katas/inference/flash.py
"""

import torch


def flash_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False,
                    block_size: int = 64) -> torch.Tensor:
    """softmax(q k^T / sqrt(D)) v, one (block_size x block_size) tile of scores at a time."""
    raise NotImplementedError
