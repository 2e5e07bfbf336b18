"""flash_backward_triton keeps (dq, dk, dv) in a module-level dict keyed by shape: the next
backward of the same shape overwrites the gradients the first call returned (one layer's
q.grad changes when another layer's backward runs).

Fix: allocate new dq, dk, dv at every call."""

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


_BUF = {}


def _acc_dtype(dtype):
    return torch.float64 if dtype == torch.float64 else torch.float32


# ----------------------------------------------------------------------------- PyTorch tiles

def flash_forward(q, k, v, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(o, lse): softmax(q k^T / sqrt(d)) v and its row logsumexp, one tile at a time."""
    _check(q, k, v, block_q, block_k)
    B, Nq, D = q.shape
    Nk = k.shape[1]
    acc = _acc_dtype(q.dtype)
    scale = 1 / math.sqrt(D)
    o = q.new_empty(B, Nq, D)
    lse = q.new_empty(B, Nq, dtype=acc)
    for i0 in range(0, Nq, block_q):
        i1 = min(i0 + block_q, Nq)
        qi = q[:, i0:i1].to(acc)
        m = q.new_full((B, i1 - i0), -math.inf, dtype=acc)  # running max of each row's scores
        l = q.new_zeros((B, i1 - i0), dtype=acc)             # running sum of exp(score - m)
        oi = q.new_zeros((B, i1 - i0, D), dtype=acc)         # running sum of exp(score - m) v
        # causal (top-left): rows i0..i1-1 see keys < i1 only; later key tiles are skipped
        k_end = min(Nk, i1) if is_causal else Nk
        for j0 in range(0, k_end, block_k):
            j1 = min(j0 + block_k, Nk)
            s = qi @ k[:, j0:j1].to(acc).transpose(1, 2) * scale
            if is_causal and j1 - 1 > i0:  # the tile crosses the diagonal
                rows = torch.arange(i0, i1, device=q.device)[:, None]
                cols = torch.arange(j0, j1, device=q.device)[None, :]
                s = s.masked_fill(cols > rows, -math.inf)
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l = alpha * l + p.sum(dim=-1)
            oi = alpha[..., None] * oi + p @ v[:, j0:j1].to(acc)
            m = m_new
        o[:, i0:i1] = (oi / l[..., None]).to(q.dtype)
        lse[:, i0:i1] = m + torch.log(l)
    return o, lse


def flash_backward(q, k, v, o, lse, grad_o, is_causal=False, block_q=BLOCK_Q, block_k=BLOCK_K):
    """(dq, dk, dv) of flash_forward, recomputing each tile of P as exp(s - lse)."""
    _check(q, k, v, block_q, block_k)
    B, Nq, D = q.shape
    Nk = k.shape[1]
    acc = _acc_dtype(q.dtype)
    scale = 1 / math.sqrt(D)
    delta = (grad_o.to(acc) * o.to(acc)).sum(dim=-1)  # (B, Nq): rowsum(dO * O) = rowsum(P * dP)
    dq = q.new_zeros((B, Nq, D), dtype=acc)
    dk = q.new_empty((B, Nk, D), dtype=acc)
    dv = q.new_empty((B, Nk, D), dtype=acc)
    for j0 in range(0, Nk, block_k):
        j1 = min(j0 + block_k, Nk)
        kj, vj = k[:, j0:j1].to(acc), v[:, j0:j1].to(acc)
        dkj = q.new_zeros((B, j1 - j0, D), dtype=acc)
        dvj = q.new_zeros((B, j1 - j0, D), dtype=acc)
        # causal: query tiles that end at or before j0 see none of these keys
        first = (j0 // block_q) * block_q if is_causal else 0
        for i0 in range(first, Nq, block_q):
            i1 = min(i0 + block_q, Nq)
            qi, doi = q[:, i0:i1].to(acc), grad_o[:, i0:i1].to(acc)
            s = qi @ kj.transpose(1, 2) * scale
            if is_causal and j1 - 1 > i0:
                rows = torch.arange(i0, i1, device=q.device)[:, None]
                cols = torch.arange(j0, j1, device=q.device)[None, :]
                s = s.masked_fill(cols > rows, -math.inf)
            p = torch.exp(s - lse[:, i0:i1, None].to(acc))  # the forward's softmax, recomputed
            dvj += p.transpose(1, 2) @ doi
            dp = doi @ vj.transpose(1, 2)
            ds = p * (dp - delta[:, i0:i1, None])
            dq[:, i0:i1] += ds @ kj * scale
            dkj += ds.transpose(1, 2) @ qi * scale
        dk[:, j0:j1] = dkj
        dv[:, j0:j1] = dvj
    return dq.to(q.dtype), dk.to(k.dtype), dv.to(v.dtype)


class FlashAttentionTorch(torch.autograd.Function):
    """o = FlashAttentionTorch.apply(q, k, v, is_causal): the tiled PyTorch passes above."""

    @staticmethod
    def forward(ctx, q, k, v, is_causal=False):
        o, lse = flash_forward(q, k, v, is_causal)
        ctx.save_for_backward(q, k, v, o, lse)
        ctx.is_causal = is_causal
        return o

    @staticmethod
    def backward(ctx, grad_o):
        q, k, v, o, lse = ctx.saved_tensors
        dq, dk, dv = flash_backward(q, k, v, o, lse, grad_o, ctx.is_causal)
        return dq, dk, dv, None


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
        s = tl.dot(q, tl.trans(k)) * scale
        keep = col_ok[None, :]
        if IS_CAUSAL:
            keep = keep & (cols[None, :] <= rows[:, None])
        s = tl.where(keep, s, float("-inf"))
        m_new = tl.maximum(m, tl.max(s, axis=1))
        p = tl.exp(s - m_new[:, None])
        alpha = tl.exp(m - m_new)
        l = alpha * l + tl.sum(p, axis=1)
        acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v)
        m = m_new
    o = acc / l[:, None]
    # O (B, n_q, D) and LSE (B, n_q) are the wrapper's own contiguous outputs
    tl.store(O + b * n_q * D + rows[:, None] * D + dims[None, :], o.to(O.dtype.element_ty), mask=row_ok[:, None])
    tl.store(LSE + b * n_q + rows, m + tl.log(l), mask=row_ok)


@triton.jit
def flash_bwd_delta_kernel(O, DO, DELTA, stride_ob, stride_on, stride_od, stride_gb, stride_gn, stride_gd,
                           n_q, D: tl.constexpr, BLOCK_Q: tl.constexpr):
    pid_q, b = tl.program_id(0), tl.program_id(1)
    rows = pid_q * BLOCK_Q + tl.arange(0, BLOCK_Q)
    dims = tl.arange(0, D)
    row_ok = rows < n_q
    o = tl.load(O + b * stride_ob + rows[:, None] * stride_on + dims[None, :] * stride_od,
                mask=row_ok[:, None], other=0.0).to(tl.float32)
    do = tl.load(DO + b * stride_gb + rows[:, None] * stride_gn + dims[None, :] * stride_gd,
                 mask=row_ok[:, None], other=0.0).to(tl.float32)
    tl.store(DELTA + b * n_q + rows, tl.sum(o * do, axis=1), mask=row_ok)


@triton.jit
def flash_bwd_dkdv_kernel(Q, K, V, DO, LSE, DELTA, DK, DV, stride_qb, stride_qn, stride_qd,
                          stride_kb, stride_kn, stride_kd, stride_vb, stride_vn, stride_vd,
                          stride_gb, stride_gn, stride_gd, stride_lb, stride_ln, n_q, n_k, scale,
                          D: tl.constexpr, BLOCK_Q: tl.constexpr, BLOCK_K: tl.constexpr,
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
        delta = tl.load(DELTA + b * n_q + rows, mask=row_ok, other=0.0)
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
def flash_bwd_dq_kernel(Q, K, V, DO, LSE, DELTA, DQ, stride_qb, stride_qn, stride_qd,
                        stride_kb, stride_kn, stride_kd, stride_vb, stride_vn, stride_vd,
                        stride_gb, stride_gn, stride_gd, stride_lb, stride_ln, n_q, n_k, scale,
                        D: tl.constexpr, BLOCK_Q: tl.constexpr, BLOCK_K: tl.constexpr,
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
    delta = tl.load(DELTA + b * n_q + rows, mask=row_ok, other=0.0)
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
    delta = q.new_empty(B, Nq, dtype=torch.float32)
    key = (B, Nq, Nk, D, q.dtype)
    if key not in _BUF:
        _BUF[key] = (q.new_empty(B, Nq, D), k.new_empty(B, Nk, D), v.new_empty(B, Nk, D))
    dq, dk, dv = _BUF[key]
    flash_bwd_delta_kernel[(triton.cdiv(Nq, block_q), B)](o, grad_o, delta, *o.stride(), *grad_o.stride(), Nq,
                                                           D=D, BLOCK_Q=block_q)
    args = (q, k, v, grad_o, lse, delta)
    strides = (*q.stride(), *k.stride(), *v.stride(), *grad_o.stride(), *lse.stride(), Nq, Nk, 1 / math.sqrt(D))
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
