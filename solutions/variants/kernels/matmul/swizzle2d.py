"""Correct variant: the grouped order from tl.swizzle2d on the row-major tile indices, masks built with tl.where-free broadcasting of 1-D row/column/k masks, and a K = 0 result allocated with torch.zeros without a launch."""

import torch
import triton
import triton.language as tl


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                  GROUP_M: tl.constexpr):
    pid = tl.program_id(0)
    grid_n = tl.cdiv(N, BLOCK_N)
    pid_m, pid_n = tl.swizzle2d(pid // grid_n, pid % grid_n, tl.cdiv(M, BLOCK_M), grid_n, GROUP_M)
    m_idx = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    n_idx = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    m_ok = m_idx < M
    n_ok = n_idx < N
    acc = tl.zeros((BLOCK_M, BLOCK_N), tl.float32)
    for k0 in range(0, K, BLOCK_K):
        k_idx = k0 + tl.arange(0, BLOCK_K)
        k_ok = k_idx < K
        a_tile = tl.load(a_ptr + m_idx[:, None] * stride_am + k_idx[None, :] * stride_ak,
                         mask=m_ok[:, None] & k_ok[None, :], other=0.0)
        b_tile = tl.load(b_ptr + k_idx[:, None] * stride_bk + n_idx[None, :] * stride_bn,
                         mask=k_ok[:, None] & n_ok[None, :], other=0.0)
        acc = acc + tl.dot(a_tile, b_tile, out_dtype=tl.float32)
    tl.store(c_ptr + m_idx[:, None] * stride_cm + n_idx[None, :] * stride_cn,
             acc.to(c_ptr.dtype.element_ty), mask=m_ok[:, None] & n_ok[None, :])


_OK_DTYPES = {torch.float16, torch.float32}


def matmul(a, b, block_m=32, block_n=32, block_k=32, group_m=8):
    shapes = f"a {tuple(a.shape)} and b {tuple(b.shape)}"
    if len(a.shape) != 2 or len(b.shape) != 2 or a.shape[-1] != b.shape[0]:
        raise ValueError(f"cannot multiply {shapes}")
    if a.dtype is not b.dtype or a.dtype not in _OK_DTYPES:
        raise ValueError(f"need matching float16/float32 operands, got {a.dtype} and {b.dtype}")
    for name in ("block_m", "block_n", "block_k"):
        value = {"block_m": block_m, "block_n": block_n, "block_k": block_k}[name]
        if not (isinstance(value, int) and value >= 16 and bin(value).count("1") == 1):
            raise ValueError(f"{name} must be a power of two >= 16, got {value}")
    if not (isinstance(group_m, int) and group_m >= 1):
        raise ValueError(f"group_m must be >= 1, got {group_m}")
    (M, K), N = a.shape, b.shape[1]
    if K == 0:
        return torch.zeros((M, N), dtype=a.dtype, device=a.device)
    c = a.new_empty((M, N))
    if M and N:
        matmul_kernel[(triton.cdiv(M, block_m) * triton.cdiv(N, block_n),)](
            a, b, c, M, N, K, *a.stride(), *b.stride(), *c.stride(),
            BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k, GROUP_M=group_m)
    return c
