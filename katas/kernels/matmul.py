"""Day 35 — kernels/matmul: a tiled matrix multiply in Triton, in the L2-friendly order.

C = A @ B, with A (M, K) and B (K, N). Each program computes one BLOCK_M x BLOCK_N tile of C:
it walks K in steps of BLOCK_K, loads a (BLOCK_M, BLOCK_K) tile of A and a (BLOCK_K, BLOCK_N)
tile of B, and accumulates tl.dot(a, b) into a float32 accumulator; then it stores the tile.
Tiles at the edges are ragged when M, N or K is not a multiple of its block: the lanes past
the edge are masked, and loaded as 0 (other=0.0) so they add nothing to the dot products.

Pointers to a 2-D tile come from broadcasting: rows[:, None] * stride_am + ks[None, :] *
stride_ak is a (BLOCK_M, BLOCK_K) grid of element offsets. Strides make any layout work (a
transposed B is just stride_bk = 1).

Program order: the grid is 1-D, one program per C tile. Walking the tiles row by row makes
every program of a tile row re-read all of B; *grouped* order walks GROUP_M tile rows at a
time, column by column, so a group re-uses the same few columns of B (and rows of A) while
they are still in the L2 cache:
    num_pid_m, num_pid_n = cdiv(M, BLOCK_M), cdiv(N, BLOCK_N)
    num_pid_in_group = GROUP_M * num_pid_n
    group_id = pid // num_pid_in_group
    first_pid_m = group_id * GROUP_M
    group_size_m = min(num_pid_m - first_pid_m, GROUP_M)      # the last group may be short
    pid_m = first_pid_m + (pid % num_pid_in_group) % group_size_m
    pid_n = (pid % num_pid_in_group) // group_size_m

Write:
    matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K, stride_am, stride_ak, stride_bk, stride_bn,
                  stride_cm, stride_cn, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                  BLOCK_K: tl.constexpr, GROUP_M: tl.constexpr)            @triton.jit
        Launched over a 1-D grid of cdiv(M, BLOCK_M) * cdiv(N, BLOCK_N) programs. Program pid
        computes exactly the C tile (pid_m, pid_n) of the grouped order above (rows
        pid_m * BLOCK_M ..., columns pid_n * BLOCK_N ..., those inside C) and stores nothing
        else. Element (i, j) of A is at a_ptr + i * stride_am + j * stride_ak (B and C
        likewise). Accumulates in float32 (tl.zeros(..., dtype=tl.float32); tl.dot of float16
        tiles gives float32) and rounds once to C's dtype on the store. Lanes past M, N or K
        are masked on every load (other=0.0) and on the store.
        Traffic: the tile of program (pid_m, pid_n) loads its BLOCK_M rows of A and BLOCK_N
        columns of B once, across all of K: A is loaded cdiv(N, BLOCK_N) times in all, B
        cdiv(M, BLOCK_M) times, C stored once (masked lanes not counted). Larger tiles move
        fewer bytes.
    matmul(a, b, block_m=32, block_n=32, block_k=32, group_m=8) -> Tensor
        a @ b by one launch of matmul_kernel with grid (cdiv(M, block_m) * cdiv(N, block_n),)
        and BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k, GROUP_M=group_m, passing the
        real strides of a, b and c (no copy of a or b needed; a transposed one works as it is).
        a: (M, K), b: (K, N), both float16 or both float32, any strides; not modified. Any
            M, N, K >= 0 (not multiples of the blocks; 1 works).
        Returns a new contiguous (M, N) tensor of a's dtype and device. M = 0 or N = 0: an
            empty (M, N) output; K = 0: zeros (an empty sum).
        float16 inputs are accumulated in float32 (a float16 accumulator loses digits at every
            K step). float32 inputs: on a GPU tl.dot's default TF32 is allowed (the specs'
            GPU tolerance for float32 covers it); the interpreter computes in full float32.
        ValueError (before any launch) when a or b is not 2-D or K differs (the message names
        both shapes), when the dtypes differ or are not float16 / float32 (the message names both
        dtypes, a's and b's, even when only one is wrong), when
        a block is not a power of two >= 16 (tl.dot's smallest tile; it names the argument,
        e.g. "block_k"), or group_m < 1 (it names group_m).

Off limits: outside the kernel, any torch computation (torch.matmul, @, mm, einsum, sums).
The wrapper may check, allocate the output (torch.empty, torch.zeros) and launch.
Run: pytest katas/kernels/matmul.py
"""

import torch
import triton
import triton.language as tl


@triton.jit
def matmul_kernel(a_ptr, b_ptr, c_ptr, M, N, K,
                  stride_am, stride_ak, stride_bk, stride_bn, stride_cm, stride_cn,
                  BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr, BLOCK_K: tl.constexpr,
                  GROUP_M: tl.constexpr):
    """C tile (pid_m, pid_n) of program tl.program_id(0) in grouped order, float32 accumulator."""
    raise NotImplementedError


def matmul(a: torch.Tensor, b: torch.Tensor, block_m: int = 32, block_n: int = 32, block_k: int = 32,
           group_m: int = 8) -> torch.Tensor:
    """a @ b for a (M, K), b (K, N): one launch of matmul_kernel over a 1-D grid of tiles."""
    raise NotImplementedError
