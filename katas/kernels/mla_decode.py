"""Day 38 — kernels/mla_decode: a FlashMLA-style decode kernel over the latent cache.

Day 28 (katas/mla/attention.py) folded W_UK into the query so that decoding never expands the
latent cache: with q_latent[h] = q_nope[h] @ W_UK[h], head h's score against cached position n
is
    score[h, n] = (q_latent[h] . c_kv[n] + q_rope[h] . k_rope[n]) * softmax_scale
and its output is (softmax(score[h]) @ c_kv) @ W_UV[h]^T. Every head reads the SAME cached
rows (c_kv[n], k_rope[n]): MLA decode is multi-query attention over the latents, with
r + rope values per cached token instead of 2 * H * head_dim. DeepSeek's FlashMLA exploits
that: one program takes all H heads of a sequence (an (H, r) query tile) and loads each cached
row once for all of them; long caches are split across programs (flash-decoding), each split
giving a partial result and its logsumexp, merged by a second kernel.

Write:
    mla_decode(q_latent, q_rope, c_kv, k_rope, cache_seqlens, softmax_scale,
               num_splits=2, block_n=16) -> (o_latent, lse)
        q_latent (B, H, r), q_rope (B, H, rope): the absorbed queries of ONE new token per
        sequence. c_kv (B, S, r), k_rope (B, S, rope): the cache (S = its capacity; any
        strides: pass them to the kernel, slices of a larger cache are read in place).
        cache_seqlens (B,) integer tensor: sequence b attends to positions
        0 .. cache_seqlens[b] - 1 (each 1 <= length <= S, not checked; rows past a length
        hold anything, such as other tokens or garbage, and must not be read).
        softmax_scale: a float, used as given (0.0 too: every score 0).
        Returns o_latent (B, H, r) = softmax(score) @ c_kv[:length] per sequence and head,
        in q_latent's dtype, contiguous; lse (B, H) float32, the natural-log logsumexp of
        each head's scores (log of the softmax's denominator).
        Launches exactly two kernels:
          1. the split kernel, grid (B, num_splits): program (b, s) loads sequence b's
             queries (all H heads) and the keys of its split, in blocks of block_n positions,
             each cached c_kv / k_rope row of the split loaded ONCE for all heads. It keeps an
             online softmax per head across its blocks (running max m, running sum l, running
             output acc, all float32; the max subtracted before every exp, acc and l
             rescaled by exp(m_old - m_new) when the max grows) and stores the split's
             normalised output acc / l and lse = m + log(l) into float32 partial buffers
             (B, num_splits, H, r) and (B, num_splits, H) (allocate them with torch.empty;
             storing acc unnormalised with m and l instead works too).
             The splits cover 0 .. length - 1 in order, each a whole number of blocks
             (the last block of a split may be ragged: mask positions >= the split's end),
             for example split s = [s * chunk, min((s + 1) * chunk, length)) with
             chunk = cdiv(cdiv(length, num_splits), block_n) * block_n, computed in the
             kernel from cache_seqlens[b]. A split may hold no position at all (num_splits
             larger than the blocks): it stores lse = -inf and o = 0, and must give no NaN.
          2. the combine kernel, grid (B,) (or (B, anything)): per head, lse = M + log(sum_s
             exp(lse_s - M)) with M = max_s lse_s, and o = sum_s exp(lse_s - lse) * o_s,
             in float32; o is rounded to q_latent's dtype once, when stored.
        The result does not depend on num_splits or block_n (up to rounding).
        B = 0: no launch, empty results.
        ValueError (before any launch) when the shapes do not fit together (B, H, r and
        rope must agree; cache_seqlens of shape (B,)), or num_splits < 1 or block_n < 1.
    absorbed_decode(attn, x, cache, start_pos, num_splits=2, block_n=16) -> (B, 1, hidden)
        One decode step of a katas.mla.attention MultiHeadLatentAttention `attn` with its
        MLACache `cache`, equal (up to rounding) to attn(x, cache=cache, start_pos=start_pos,
        absorb=True) and leaving the cache in the same state: x (B, 1, hidden) is the token at
        position start_pos of every sequence (ValueError if x holds more than one token).
        Torch does the projections (attn.queries, attn.latent at position start_pos,
        cache.update, q_latent = q_nope @ W_UK, the W_UV product and attn.o_proj); mla_decode
        does the attention over the cache, with softmax_scale = 1 / sqrt(nope + rope) and
        every length start_pos + 1. Read H, nope, rope and r from the tensors' shapes
        (kv_b_proj.weight viewed as (H, nope + v, r), as on day 28).

Dtypes: float32, float16 or bfloat16 inputs (q, cache in one dtype); every load converted to
float32 before arithmetic. Sizes: any H, r, rope (not only powers of two: the tiles are
padded to powers of two and masked); block_n is a power of two (the width of tl.arange over
the positions; other values are outside the contract).
Off limits in mla_decode: torch compute on tensor data (no torch softmax, matmul,
logsumexp, ...): it validates, allocates (torch.empty / zeros) and launches. All the
attention arithmetic and the combine are in @triton.jit kernels.
Inputs must not be modified (absorbed_decode writes the cache through cache.update only).
Run: pytest katas/kernels/mla_decode.py   (no GPU needed: Triton's interpreter runs the
kernels on CPU tensors)
"""

import torch
import triton
import triton.language as tl


def mla_decode(q_latent: torch.Tensor, q_rope: torch.Tensor, c_kv: torch.Tensor, k_rope: torch.Tensor,
               cache_seqlens: torch.Tensor, softmax_scale: float, num_splits: int = 2,
               block_n: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Split-KV decode over the latent cache: (o_latent (B, H, r), lse (B, H) float32); two launches."""
    raise NotImplementedError


def absorbed_decode(attn, x: torch.Tensor, cache, start_pos: int, num_splits: int = 2,
                    block_n: int = 16) -> torch.Tensor:
    """attn(x, cache, start_pos, absorb=True) for one token, the attention done by mla_decode."""
    raise NotImplementedError
