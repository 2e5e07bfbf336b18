"""Correct variant: no tl.dot (a broadcast product of float32 tiles summed over K), K walked from its last block down, the grouped mapping through local = pid - group_id * per_group, and a torch.zeros output."""

import torch
import triton
import triton.language as tl


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                  GROUP_M: tl.constexpr):
    pid = tl.program_id(0)
    tiles_m = (M + BLOCK_M - 1) // BLOCK_M
    tiles_n = (N + BLOCK_N - 1) // BLOCK_N
    per_group = GROUP_M * tiles_n
    g = pid // per_group
    local = pid - g * per_group
    height = tl.minimum(tiles_m - g * GROUP_M, GROUP_M)
    pm = g * GROUP_M + local % height
    pn = local // height
    r = pm * BLOCK_M + tl.arange(0, BLOCK_M)
    c = pn * BLOCK_N + tl.arange(0, BLOCK_N)
    kk = tl.arange(0, BLOCK_K)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)
    nk = tl.cdiv(K, BLOCK_K)
    for i in range(nk):
        k0 = (nk - 1 - i) * BLOCK_K
        kidx = k0 + kk
        a = tl.load(a_ptr + r[:, None] * stride_am + kidx[None, :] * stride_ak,
                    mask=(r[:, None] < M) & (kidx[None, :] < K), other=0.0).to(tl.float32)
        b = tl.load(b_ptr + kidx[:, None] * stride_bk + c[None, :] * stride_bn,
                    mask=(kidx[:, None] < K) & (c[None, :] < N), other=0.0).to(tl.float32)
        acc += tl.sum(a[:, :, None] * b[None, :, :], axis=1)
    tl.store(c_ptr + r[:, None] * stride_cm + c[None, :] * stride_cn, acc.to(c_ptr.dtype.element_ty),
             mask=(r[:, None] < M) & (c[None, :] < N))


def matmul(a, b, block_m=32, block_n=32, block_k=32, group_m=8):
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"need 2-D a and b, got {tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"inner dims differ: {tuple(a.shape)} @ {tuple(b.shape)}")
    ok = (torch.float16, torch.float32)
    if a.dtype not in ok or b.dtype not in ok or a.dtype != b.dtype:
        raise ValueError(f"dtypes {a.dtype}, {b.dtype}: need both float16 or both float32")
    for nm, v in (("block_m", block_m), ("block_n", block_n), ("block_k", block_k)):
        if type(v) is not int or v < 16 or bin(v).count("1") != 1:
            raise ValueError(f"{nm}={v}: need a power of two >= 16")
    if type(group_m) is not int or group_m < 1:
        raise ValueError(f"group_m={group_m} must be >= 1")
    M, K = a.shape
    N = b.shape[1]
    out = torch.zeros((M, N), dtype=a.dtype, device=a.device)
    if M * N == 0:
        return out
    matmul_kernel[(triton.cdiv(M, block_m) * triton.cdiv(N, block_n),)](
        a, b, out, M, N, K, *a.stride(), *b.stride(), *out.stride(),
        BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k, GROUP_M=group_m)
    return out
