"""matmul caps block_m, block_n and block_k at 128 (a guess at a shared-memory limit the contract does not have): matmul(a, b, 256, 16, 16) launches more, smaller tiles than the caller asked for (and moves more bytes).

Fix: pass block_m, block_n, block_k through as BLOCK_M, BLOCK_N, BLOCK_K unchanged."""

import torch
import triton
import triton.language as tl


@triton.jit
def tile_of(pid, M, N, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, GROUP_M: tl.constexpr):
    """(pid_m, pid_n): the C tile of program pid in grouped order. Programs walk GROUP_M tile
    rows at a time, down a column of tiles before moving right, so the A rows and B columns a
    group needs stay in the L2 cache."""
    num_pid_m = tl.cdiv(M, BLOCK_M)
    num_pid_n = tl.cdiv(N, BLOCK_N)
    num_pid_in_group = GROUP_M * num_pid_n
    group_id = pid // num_pid_in_group
    first_pid_m = group_id * GROUP_M
    group_size_m = tl.minimum(num_pid_m - first_pid_m, GROUP_M)  # the last group may be short
    pid_m = first_pid_m + (pid % num_pid_in_group) % group_size_m
    pid_n = (pid % num_pid_in_group) // group_size_m
    return pid_m, pid_n


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                  GROUP_M: tl.constexpr):
    """C tile (pid_m, pid_n) of program tl.program_id(0) = A rows of the tile @ B columns of it."""
    pid_m, pid_n = tile_of(tl.program_id(0), M, N, BLOCK_M, BLOCK_N, GROUP_M)
    rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
    cols = pid_n * BLOCK_N + tl.arange(0, BLOCK_N)
    ks = tl.arange(0, BLOCK_K)
    acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32)  # float32 whatever the inputs
    for k0 in range(0, K, BLOCK_K):
        a_mask = (rows[:, None] < M) & (k0 + ks[None, :] < K)
        b_mask = (k0 + ks[:, None] < K) & (cols[None, :] < N)
        a = tl.load(a_ptr + rows[:, None] * stride_am + (k0 + ks[None, :]) * stride_ak, mask=a_mask, other=0.0)
        b = tl.load(b_ptr + (k0 + ks[:, None]) * stride_bk + cols[None, :] * stride_bn, mask=b_mask, other=0.0)
        acc += tl.dot(a, b)  # float32 out for float16 and float32 tiles
    c_mask = (rows[:, None] < M) & (cols[None, :] < N)
    tl.store(c_ptr + rows[:, None] * stride_cm + cols[None, :] * stride_cn,
             acc.to(c_ptr.dtype.element_ty), mask=c_mask)


def _power_of_two_at_least_16(name: str, value: int) -> None:
    if not isinstance(value, int) or value < 16 or value & (value - 1):
        raise ValueError(f"{name} must be a power of two >= 16 (tl.dot's smallest tile), got {name}={value}")


def matmul(a: torch.Tensor, b: torch.Tensor, block_m: int = 32, block_n: int = 32, block_k: int = 32,
           group_m: int = 8) -> torch.Tensor:
    """a @ b for a (M, K), b (K, N): one launch of matmul_kernel over a 1-D grid of tiles."""
    if a.dim() != 2 or b.dim() != 2 or a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul needs a (M, K) and b (K, N), got {tuple(a.shape)} and {tuple(b.shape)}")
    if a.dtype != b.dtype or a.dtype not in (torch.float16, torch.float32):
        raise ValueError(f"matmul needs a and b both float16 or both float32, got {a.dtype} and {b.dtype}")
    for name, value in (("block_m", block_m), ("block_n", block_n), ("block_k", block_k)):
        _power_of_two_at_least_16(name, value)
    if not isinstance(group_m, int) or group_m < 1:
        raise ValueError(f"group_m must be an int >= 1, got group_m={group_m}")
    block_m, block_n, block_k = min(block_m, 128), min(block_n, 128), min(block_k, 128)
    M, K = a.shape
    N = b.shape[1]
    c = torch.empty((M, N), dtype=a.dtype, device=a.device)
    if M == 0 or N == 0:
        return c
    grid = (triton.cdiv(M, block_m) * triton.cdiv(N, block_n),)
    matmul_kernel[grid](a, b, c, M, N, K, a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                        c.stride(0), c.stride(1), BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k,
                        GROUP_M=group_m)
    return c
