"""Day 37 — kernels/flash_attention: FlashAttention-2, forward and backward, in PyTorch tiles and
in Triton kernels.

inference/flash (day 22) taught the forward's online softmax. This kata adds what training
needs: the forward also returns L, the logsumexp of every query row, and the backward uses L to
recompute each tile of probabilities instead of storing them. With S = q k^T * scale (scale =
1 / sqrt(d)), P = softmax(S) = exp(S - L) and O = P V, the gradients for an upstream dO are
    dV = P^T dO,   dP = dO V^T,   dS = P * (dP - delta),   dQ = dS K * scale,   dK = dS^T Q * scale,
where delta = rowsum(dO * O) (one number per query row; it equals rowsum(P * dP)). Every
product is taken one (query tile x key tile) at a time: nothing of size Nq x Nk ever exists.
You write it twice: first as tiled loops in PyTorch (easy to debug), then as Triton kernels
(run on CPU by Triton's interpreter, TRITON_INTERPRET=1, which the test harness sets).

Shapes (both parts): q (B, Nq, d), k and v (B, Nk, d): exactly 3-D (flatten batch and heads
into B yourself), the same B and d, k and v of one shape; Nq and Nk may differ and need not be
multiples of a block size (the last tile is ragged); B, Nq, Nk >= 1. Inputs may have any
strides (a transposed or sliced view) and are never modified. Anything else (other ranks,
mismatched B, d or Nk, a block size < 1) raises ValueError naming the shapes or the value.
Attention: O = softmax(q k^T / sqrt(d)) v over the keys, L = logsumexp of the scaled scores per
query row. is_causal=True: query i sees key j when j <= i, aligned TOP-LEFT like torch's
is_causal (query 0 sees key 0 only, whatever Nq and Nk are).

Part 1, PyTorch tiles (any float dtype: float16, bfloat16, float32, float64):
    flash_forward(q, k, v, is_causal=False, block_q=16, block_k=16) -> (o, lse)
        o (B, Nq, d) in q's dtype; lse (B, Nq) float32 (float64 for float64 inputs).
        Loop over tiles of block_q queries and, inside, tiles of block_k keys, with the online
        softmax: running max m (start at -inf), running sum l, running output, rescaled by
        exp(m_old - m_new) whenever the max grows. lse = m + log(l).
        Accumulate in float32, whatever the input dtype (float64 for float64): the scores,
        m, l and the running output; cast o to q's dtype once at the end. (float16/bfloat16
        sums drift: lse is compared to 1e-5 for them.)
        Causal work: a tile whose keys all come after all of its queries (entirely above the
        diagonal) is skipped, not computed and masked (the specs count matmul FLOPs); the tile
        on the diagonal is computed with the mask j <= i inside it.
        Memory: no tensor with both an Nq-sized and an Nk-sized dim, and no score tile larger
        than block_q x block_k (the specs record every allocation).
    flash_backward(q, k, v, o, lse, grad_o, is_causal=False, block_q=16, block_k=16)
            -> (dq, dk, dv), each in the dtype and shape of q, k, v.
        o and lse are the forward's outputs, grad_o (B, Nq, d) the upstream gradient (all
        three of any strides, like q, k, v: o or lse may be a view). Recompute each tile of P as exp(S_tile - lse) from the lse GIVEN (never
        recompute the softmax's max or sum: the specs pass an lse shifted by log 2 and expect
        P halved), and delta = rowsum(grad_o * o) from the o GIVEN. Accumulate in float32
        (float64 for float64); skip the tiles above the diagonal as in the forward; no
        Nq x Nk tensor, no tile larger than block_q x block_k.
    class FlashAttentionTorch(torch.autograd.Function):
        o = FlashAttentionTorch.apply(q, k, v, is_causal=False)   (is_causal positional too)
        forward: flash_forward with the default blocks (16, 16); saves q, k, v, o and lse
            (ctx.save_for_backward): lse is the ONLY tensor of shape (B, Nq) among
            o.grad_fn.saved_tensors, as Stanford CS336's tests look for it; returns o only.
        backward: flash_backward on the saved tensors; gradients for q, k, v (None for
            is_causal). The graph holds no Nq x Nk tensor.

Part 2, Triton (float16 or float32 q, k, v of one dtype; d in {16, 32, 64, 128}; block_q
and block_k powers of two >= 16; anything else raises ValueError naming the value, before any
launch):
    flash_forward_triton(q, k, v, is_causal=False, block_q=16, block_k=16) -> (o, lse)
        Same values and dtypes as flash_forward (lse float32). One launch of one @triton.jit
        kernel, one program per (query tile, batch): a grid of triton.cdiv(Nq, block_q) * B
        programs, e.g. (triton.cdiv(Nq, block_q), B). Inside: load the query tile once, loop
        over key tiles (masking the ragged last ones), online softmax in float32 (tl.dot's
        accumulation, m, l and the running output), store o and lse once.
        Traffic (counted under the interpreter: bytes of every tl.load and tl.store, masked
        elements not counted): the q tile read once; each K and V tile read once per query
        tile that needs it (causal: only key tiles starting before the query tile's end);
        written: o and lse only, once. Nothing else (no Nq x Nk scratch buffer).
    flash_backward_triton(q, k, v, o, lse, grad_o, is_causal=False, block_q=16, block_k=16)
            -> (dq, dk, dv) like flash_backward, computed by Triton kernels (FlashAttention-2:
        one program per key tile accumulates dK, dV over the query tiles; one per query tile
        accumulates dQ over the key tiles; delta from its own small kernel or inside them).
        Causal: skip the tile pairs above the diagonal, as in Part 1. Traffic: it writes dq, dk,
        dv once each, plus at most one float32 per query row (delta, float32 for float16 inputs
        too: dP - delta cancels): no Nq x Nk buffer, no atomics needed; it reads at most 1.1 x
        the FlashAttention-2 ideal (the spec states it:
        each tile once per program, plus once per tile pair the causal mask needs).
    class FlashAttentionTriton(torch.autograd.Function): as FlashAttentionTorch (apply(q, k, v,
        is_causal=False) -> o, lse saved for the backward), on the Triton functions above.
    The kernels do the work: the Python wrappers only check arguments, allocate outputs
    (torch.empty / new_empty / zeros), read shapes and strides, and launch kernels; any torch
    arithmetic in them (matmul, exp, sum, a torch softmax, ...) fails the specs, forward and
    backward.

Off limits everywhere: torch.nn.functional.scaled_dot_product_attention and its fused aten
kernels.
Run: pytest katas/kernels/flash_attention.py
"""

import torch
import triton  # noqa: F401  (you need it for Part 2)
import triton.language as tl  # noqa: F401

BLOCK_Q = 16
BLOCK_K = 16


def flash_forward(q, k, v, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(o, lse): softmax(q k^T / sqrt(d)) v and its row logsumexp, one tile at a time."""
    raise NotImplementedError


def flash_backward(q, k, v, o, lse, grad_o, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(dq, dk, dv) of flash_forward, recomputing each tile of P as exp(s - lse)."""
    raise NotImplementedError


class FlashAttentionTorch(torch.autograd.Function):
    """o = FlashAttentionTorch.apply(q, k, v, is_causal): the tiled PyTorch passes above."""

    @staticmethod
    def forward(ctx, q, k, v, is_causal=False):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_o):
        raise NotImplementedError


def flash_forward_triton(q, k, v, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(o, lse) from a @triton.jit kernel, one program per (query tile, batch)."""
    raise NotImplementedError


def flash_backward_triton(q, k, v, o, lse, grad_o, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(dq, dk, dv) from Triton kernels: dK/dV per key tile, dQ per query tile."""
    raise NotImplementedError


class FlashAttentionTriton(torch.autograd.Function):
    """o = FlashAttentionTriton.apply(q, k, v, is_causal): the Triton kernels above."""

    @staticmethod
    def forward(ctx, q, k, v, is_causal=False):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_o):
        raise NotImplementedError
