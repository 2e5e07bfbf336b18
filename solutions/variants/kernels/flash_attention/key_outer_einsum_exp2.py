"""Correct variant: FlashAttention-1 loop order in PyTorch (key tiles outside, full-length
running statistics updated in place, einsum) and a query-outer backward; the Triton forward in
base-2 exponentials, delta recomputed inside the dK/dV and dQ kernels (no delta kernel)."""


import math

import torch
import triton
import triton.language as tl

BLOCK_Q = 16
BLOCK_K = 16


def _check(q, k, v, block_q, block_k):
    if q.dim() != 3 or k.dim() != 3 or v.dim() != 3:
        raise ValueError(f"q, k, v must be 3-D (batch, n, d); got shapes {tuple(q.shape)}, "
                         f"{tuple(k.shape)}, {tuple(v.shape)}")
    if k.shape != v.shape or q.shape[0] != k.shape[0] or q.shape[2] != k.shape[2]:
        raise ValueError(f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}: k and v must have "
                         f"the same shape, and the batch and d of q")
    if block_q < 1 or block_k < 1:
        raise ValueError(f"block sizes must be >= 1; got block_q={block_q}, block_k={block_k}")


def _acc_dtype(dtype):
    return torch.float64 if dtype == torch.float64 else torch.float32


# ----------------------------------------------------------------------------- PyTorch tiles

def flash_forward(q, k, v, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    _check(q, k, v, block_q, block_k)
    B, Nq, D = q.shape
    Nk = k.shape[1]
    acc = _acc_dtype(q.dtype)
    scale = D ** -0.5
    m = torch.full((B, Nq), float("-inf"), dtype=acc, device=q.device)
    l = torch.zeros((B, Nq), dtype=acc, device=q.device)
    out = torch.zeros((B, Nq, D), dtype=acc, device=q.device)
    for j0 in range(0, Nk, block_k):  # key tiles outside (FlashAttention-1 order)
        j1 = min(j0 + block_k, Nk)
        kt, vt = k[:, j0:j1].to(acc), v[:, j0:j1].to(acc)
        first = (j0 // block_q) * block_q if is_causal else 0
        for i0 in range(first, Nq, block_q):
            i1 = min(i0 + block_q, Nq)
            s = torch.einsum("bqd,bkd->bqk", q[:, i0:i1].to(acc), kt) * scale
            if is_causal:
                i = torch.arange(i0, i1, device=q.device).unsqueeze(-1)
                j = torch.arange(j0, j1, device=q.device).unsqueeze(0)
                s = torch.where(j <= i, s, torch.full_like(s, float("-inf")))
            m_old = m[:, i0:i1]
            m_new = torch.maximum(m_old, s.max(dim=-1).values)
            p = torch.exp(s - m_new.unsqueeze(-1))
            p = torch.where(torch.isinf(m_new).unsqueeze(-1), torch.zeros_like(p), p)  # rows with no key yet
            alpha = torch.where(torch.isinf(m_new), torch.ones_like(m_new), torch.exp(m_old - m_new))
            l[:, i0:i1] = alpha * l[:, i0:i1] + p.sum(-1)
            out[:, i0:i1] = alpha.unsqueeze(-1) * out[:, i0:i1] + torch.einsum("bqk,bkd->bqd", p, vt)
            m[:, i0:i1] = m_new
    return (out / l.unsqueeze(-1)).to(q.dtype), m + torch.log(l)


def flash_backward(q, k, v, o, lse, grad_o, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    _check(q, k, v, block_q, block_k)
    B, Nq, D = q.shape
    Nk = k.shape[1]
    acc = _acc_dtype(q.dtype)
    scale = D ** -0.5
    dq = torch.empty((B, Nq, D), dtype=acc, device=q.device)
    dk = torch.zeros((B, Nk, D), dtype=acc, device=q.device)
    dv = torch.zeros((B, Nk, D), dtype=acc, device=q.device)
    for i0 in range(0, Nq, block_q):  # query tiles outside
        i1 = min(i0 + block_q, Nq)
        qi, doi = q[:, i0:i1].to(acc), grad_o[:, i0:i1].to(acc)
        delta = torch.einsum("bqd,bqd->bq", doi, o[:, i0:i1].to(acc))
        li = lse[:, i0:i1].to(acc)
        dqi = torch.zeros_like(qi)
        for j0 in range(0, min(Nk, i1) if is_causal else Nk, block_k):
            j1 = min(j0 + block_k, Nk)
            kt, vt = k[:, j0:j1].to(acc), v[:, j0:j1].to(acc)
            s = torch.einsum("bqd,bkd->bqk", qi, kt) * scale
            if is_causal:
                i = torch.arange(i0, i1, device=q.device).unsqueeze(-1)
                j = torch.arange(j0, j1, device=q.device).unsqueeze(0)
                s = torch.where(j <= i, s, torch.full_like(s, float("-inf")))
            p = torch.exp(s - li.unsqueeze(-1))
            dv[:, j0:j1] += torch.einsum("bqk,bqd->bkd", p, doi)
            ds = p * (torch.einsum("bqd,bkd->bqk", doi, vt) - delta.unsqueeze(-1))
            dqi += torch.einsum("bqk,bkd->bqd", ds, kt) * scale
            dk[:, j0:j1] += torch.einsum("bqk,bqd->bkd", ds, qi) * scale
        dq[:, i0:i1] = dqi
    return dq.to(q.dtype), dk.to(k.dtype), dv.to(v.dtype)


class FlashAttentionTorch(torch.autograd.Function):
    @staticmethod
    def forward(ctx, q, k, v, is_causal=False):
        o, lse = flash_forward(q, k, v, is_causal)
        ctx.save_for_backward(q, k, v, o, lse)
        ctx.is_causal = is_causal
        return o

    @staticmethod
    def backward(ctx, grad_o):
        q, k, v, o, lse = ctx.saved_tensors
        return (*flash_backward(q, k, v, o, lse, grad_o, ctx.is_causal), None)


# ----------------------------------------------------------------------------- Triton kernels

@triton.jit
def flash_fwd_kernel(Q, K, V, O, LSE, stride_qb, stride_qn, stride_qd, stride_kb, stride_kn, stride_kd,
                     stride_vb, stride_vn, stride_vd, n_q, n_k, scale,
                     D: tl.constexpr, BLOCK_Q: tl.constexpr, BLOCK_K: tl.constexpr, IS_CAUSAL: tl.constexpr):
    pid_q, b = tl.program_id(0), tl.program_id(1)
    rows = pid_q * BLOCK_Q + tl.arange(0, BLOCK_Q)
    dims = tl.arange(0, D)
    row_ok = rows < n_q
    q = tl.load(Q + b * stride_qb + rows[:, None] * stride_qn + dims[None, :] * stride_qd,
                mask=row_ok[:, None], other=0.0)
    m = tl.full((BLOCK_Q,), float("-inf"), dtype=tl.float32)
    l = tl.zeros((BLOCK_Q,), dtype=tl.float32)
    acc = tl.zeros((BLOCK_Q, D), dtype=tl.float32)
    k_end = n_k
    if IS_CAUSAL:
        k_end = tl.minimum(n_k, (pid_q + 1) * BLOCK_Q)
    for j0 in range(0, k_end, BLOCK_K):
        cols = j0 + tl.arange(0, BLOCK_K)
        col_ok = cols < n_k
        k = tl.load(K + b * stride_kb + cols[:, None] * stride_kn + dims[None, :] * stride_kd,
                    mask=col_ok[:, None], other=0.0)
        v = tl.load(V + b * stride_vb + cols[:, None] * stride_vn + dims[None, :] * stride_vd,
                    mask=col_ok[:, None], other=0.0)
        s = tl.dot(q, tl.trans(k)) * (scale * 1.4426950408889634)  # log2(e): base-2 exponentials
        keep = col_ok[None, :]
        if IS_CAUSAL:
            keep = keep & (cols[None, :] <= rows[:, None])
        s = tl.where(keep, s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, axis=1))
        p = tl.exp2(s - m_new[:, None])
        alpha = tl.exp2(m - m_new)
        l = alpha * l + tl.sum(p, axis=1)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v)
        m = m_new
    o = acc / l[:, None]
    # O (B, n_q, D) and LSE (B, n_q) are the wrapper's own contiguous outputs
    tl.store(O + b * n_q * D + rows[:, None] * D + dims[None, :], o.to(O.dtype.element_ty), mask=row_ok[:, None])
    tl.store(LSE + b * n_q + rows, (m + tl.log2(l)) * 0.6931471805599453, mask=row_ok)


@triton.jit
def flash_bwd_dkdv_kernel(Q, K, V, DO, LSE, O, DK, DV, stride_qb, stride_qn, stride_qd,
                          stride_kb, stride_kn, stride_kd, stride_vb, stride_vn, stride_vd,
                          stride_gb, stride_gn, stride_gd, stride_lb, stride_ln, stride_ob, stride_on, stride_od,
                          n_q, n_k, scale, D: tl.constexpr, BLOCK_Q: tl.constexpr, BLOCK_K: tl.constexpr,
                          IS_CAUSAL: tl.constexpr):
    pid_k, b = tl.program_id(0), tl.program_id(1)
    cols = pid_k * BLOCK_K + tl.arange(0, BLOCK_K)
    dims = tl.arange(0, D)
    col_ok = cols < n_k
    k = tl.load(K + b * stride_kb + cols[:, None] * stride_kn + dims[None, :] * stride_kd,
                mask=col_ok[:, None], other=0.0)
    v = tl.load(V + b * stride_vb + cols[:, None] * stride_vn + dims[None, :] * stride_vd,
                mask=col_ok[:, None], other=0.0)
    dk = tl.zeros((BLOCK_K, D), dtype=tl.float32)
    dv = tl.zeros((BLOCK_K, D), dtype=tl.float32)
    first = 0
    if IS_CAUSAL:
        first = (pid_k * BLOCK_K // BLOCK_Q) * BLOCK_Q
    for i0 in range(first, n_q, BLOCK_Q):
        rows = i0 + tl.arange(0, BLOCK_Q)
        row_ok = rows < n_q
        q = tl.load(Q + b * stride_qb + rows[:, None] * stride_qn + dims[None, :] * stride_qd,
                    mask=row_ok[:, None], other=0.0)
        do = tl.load(DO + b * stride_gb + rows[:, None] * stride_gn + dims[None, :] * stride_gd,
                     mask=row_ok[:, None], other=0.0)
        lse = tl.load(LSE + b * stride_lb + rows * stride_ln, mask=row_ok, other=0.0)
        o = tl.load(O + b * stride_ob + rows[:, None] * stride_on + dims[None, :] * stride_od,
                    mask=row_ok[:, None], other=0.0)
        delta = tl.sum(o.to(tl.float32) * do.to(tl.float32), axis=1)
        s = tl.dot(q, tl.trans(k)) * scale
        keep = row_ok[:, None] & col_ok[None, :]
        if IS_CAUSAL:
            keep = keep & (cols[None, :] <= rows[:, None])
        p = tl.where(keep, tl.exp(s - lse[:, None]), 0.0)
        dv += tl.dot(tl.trans(p.to(do.dtype)), do)
        dp = tl.dot(do, tl.trans(v))
        ds = p * (dp - delta[:, None])
        dk += tl.dot(tl.trans(ds.to(q.dtype)), q) * scale
    out = b * n_k * D + cols[:, None] * D + dims[None, :]  # DK, DV: contiguous (B, n_k, D)
    tl.store(DK + out, dk.to(DK.dtype.element_ty), mask=col_ok[:, None])
    tl.store(DV + out, dv.to(DV.dtype.element_ty), mask=col_ok[:, None])


@triton.jit
def flash_bwd_dq_kernel(Q, K, V, DO, LSE, O, DQ, stride_qb, stride_qn, stride_qd,
                        stride_kb, stride_kn, stride_kd, stride_vb, stride_vn, stride_vd,
                        stride_gb, stride_gn, stride_gd, stride_lb, stride_ln, stride_ob, stride_on, stride_od,
                        n_q, n_k, scale, D: tl.constexpr, BLOCK_Q: tl.constexpr, BLOCK_K: tl.constexpr,
                        IS_CAUSAL: tl.constexpr):
    pid_q, b = tl.program_id(0), tl.program_id(1)
    rows = pid_q * BLOCK_Q + tl.arange(0, BLOCK_Q)
    dims = tl.arange(0, D)
    row_ok = rows < n_q
    q = tl.load(Q + b * stride_qb + rows[:, None] * stride_qn + dims[None, :] * stride_qd,
                mask=row_ok[:, None], other=0.0)
    do = tl.load(DO + b * stride_gb + rows[:, None] * stride_gn + dims[None, :] * stride_gd,
                 mask=row_ok[:, None], other=0.0)
    lse = tl.load(LSE + b * stride_lb + rows * stride_ln, mask=row_ok, other=0.0)
    o = tl.load(O + b * stride_ob + rows[:, None] * stride_on + dims[None, :] * stride_od,
                mask=row_ok[:, None], other=0.0)
    delta = tl.sum(o.to(tl.float32) * do.to(tl.float32), axis=1)
    dq = tl.zeros((BLOCK_Q, D), dtype=tl.float32)
    k_end = n_k
    if IS_CAUSAL:
        k_end = tl.minimum(n_k, (pid_q + 1) * BLOCK_Q)
    for j0 in range(0, k_end, BLOCK_K):
        cols = j0 + tl.arange(0, BLOCK_K)
        col_ok = cols < n_k
        k = tl.load(K + b * stride_kb + cols[:, None] * stride_kn + dims[None, :] * stride_kd,
                    mask=col_ok[:, None], other=0.0)
        v = tl.load(V + b * stride_vb + cols[:, None] * stride_vn + dims[None, :] * stride_vd,
                    mask=col_ok[:, None], other=0.0)
        s = tl.dot(q, tl.trans(k)) * scale
        keep = row_ok[:, None] & col_ok[None, :]
        if IS_CAUSAL:
            keep = keep & (cols[None, :] <= rows[:, None])
        p = tl.where(keep, tl.exp(s - lse[:, None]), 0.0)
        dp = tl.dot(do, tl.trans(v))
        ds = p * (dp - delta[:, None])
        dq += tl.dot(ds.to(k.dtype), k) * scale
    tl.store(DQ + b * n_q * D + rows[:, None] * D + dims[None, :], dq.to(DQ.dtype.element_ty),
             mask=row_ok[:, None])


def _check_triton(q, k, v, block_q, block_k):
    _check(q, k, v, block_q, block_k)
    if q.dtype not in (torch.float16, torch.float32) or k.dtype != q.dtype or v.dtype != q.dtype:
        raise ValueError(f"the Triton kernels take float16 or float32 q, k, v of one dtype; got "
                         f"{q.dtype}, {k.dtype}, {v.dtype}")
    D = q.shape[2]
    if D not in (16, 32, 64, 128):
        raise ValueError(f"d must be 16, 32, 64 or 128 for the Triton kernels; got d={D}")
    for name, block in (("block_q", block_q), ("block_k", block_k)):
        if block < 16 or block & (block - 1):
            raise ValueError(f"{name} must be a power of two >= 16; got {name}={block}")


def flash_forward_triton(q, k, v, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(o, lse) from flash_fwd_kernel, one program per (query tile, batch)."""
    _check_triton(q, k, v, block_q, block_k)
    B, Nq, D = q.shape
    Nk = k.shape[1]
    o = q.new_empty(B, Nq, D)
    lse = q.new_empty(B, Nq, dtype=torch.float32)
    grid = (triton.cdiv(Nq, block_q), B)
    flash_fwd_kernel[grid](q, k, v, o, lse, *q.stride(), *k.stride(), *v.stride(), Nq, Nk,
                           1 / math.sqrt(D), D=D, BLOCK_Q=block_q, BLOCK_K=block_k, IS_CAUSAL=is_causal)
    return o, lse


def flash_backward_triton(q, k, v, o, lse, grad_o, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(dq, dk, dv): delta kernel, then dK/dV per key tile and dQ per query tile."""
    _check_triton(q, k, v, block_q, block_k)
    B, Nq, D = q.shape
    Nk = k.shape[1]
    dq, dk, dv = q.new_empty(B, Nq, D), k.new_empty(B, Nk, D), v.new_empty(B, Nk, D)
    args = (q, k, v, grad_o, lse, o)  # delta = rowsum(dO * O) is recomputed inside both kernels
    strides = (*q.stride(), *k.stride(), *v.stride(), *grad_o.stride(), *lse.stride(), *o.stride(), Nq, Nk,
               1 / math.sqrt(D))
    meta = dict(D=D, BLOCK_Q=block_q, BLOCK_K=block_k, IS_CAUSAL=is_causal)
    flash_bwd_dkdv_kernel[(triton.cdiv(Nk, block_k), B)](*args, dk, dv, *strides, **meta)
    flash_bwd_dq_kernel[(triton.cdiv(Nq, block_q), B)](*args, dq, *strides, **meta)
    return dq, dk, dv


class FlashAttentionTriton(torch.autograd.Function):
    """o = FlashAttentionTriton.apply(q, k, v, is_causal): the Triton kernels above."""

    @staticmethod
    def forward(ctx, q, k, v, is_causal=False):
        o, lse = flash_forward_triton(q, k, v, is_causal)
        ctx.save_for_backward(q, k, v, o, lse)
        ctx.is_causal = is_causal
        return o

    @staticmethod
    def backward(ctx, grad_o):
        q, k, v, o, lse = ctx.saved_tensors
        dq, dk, dv = flash_backward_triton(q, k, v, o, lse, grad_o, ctx.is_causal)
        return dq, dk, dv, None
