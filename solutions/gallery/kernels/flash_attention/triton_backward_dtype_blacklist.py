"""flash_backward_triton checks the dtype by a blacklist (float64 rejected, mixed dtypes rejected)
instead of the forward's whitelist: bfloat16 or integer inputs reach the kernels instead of
raising ValueError, though Part 2 takes float16 or float32 only.

Fix: check `q.dtype in (torch.float16, torch.float32)` (a whitelist) in both wrappers, before any launch."""

import math

import torch
import triton

from solutions.kernels import flash_attention as _r
from solutions.kernels.flash_attention import *  # noqa: F401,F403


def flash_backward_triton(q, k, v, o, lse, grad_o, is_causal=False, block_q=16, block_k=16):
    _r._check(q, k, v, block_q, block_k)
    if q.dtype == torch.float64 or k.dtype != q.dtype or v.dtype != q.dtype:
        raise ValueError(f"the Triton kernels do not take float64 or mixed dtypes; got {q.dtype}, {k.dtype}, {v.dtype}")
    D = q.shape[2]
    if D not in (16, 32, 64, 128):
        raise ValueError(f"d must be 16, 32, 64 or 128 for the Triton kernels; got d={D}")
    for name, block in (("block_q", block_q), ("block_k", block_k)):
        if block < 16 or block & (block - 1):
            raise ValueError(f"{name} must be a power of two >= 16; got {name}={block}")
    B, Nq, D = q.shape
    Nk = k.shape[1]
    delta = q.new_empty(B, Nq, dtype=torch.float32)
    dq, dk, dv = q.new_empty(B, Nq, D), k.new_empty(B, Nk, D), v.new_empty(B, Nk, D)
    _r.flash_bwd_delta_kernel[(triton.cdiv(Nq, block_q), B)](o, grad_o, delta, *o.stride(), *grad_o.stride(), Nq,
                                                              D=D, BLOCK_Q=block_q)
    args = (q, k, v, grad_o, lse, delta)
    strides = (*q.stride(), *k.stride(), *v.stride(), *grad_o.stride(), *lse.stride(), Nq, Nk, 1 / math.sqrt(D))
    meta = dict(D=D, BLOCK_Q=block_q, BLOCK_K=block_k, IS_CAUSAL=is_causal)
    _r.flash_bwd_dkdv_kernel[(triton.cdiv(Nk, block_k), B)](*args, dk, dv, *strides, **meta)
    _r.flash_bwd_dq_kernel[(triton.cdiv(Nq, block_q), B)](*args, dq, *strides, **meta)
    return dq, dk, dv
