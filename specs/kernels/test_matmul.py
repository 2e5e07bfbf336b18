"""Specs for katas/kernels/matmul.py (day 35): matmul_kernel and matmul.

The kernel runs in Triton's CPU interpreter without a GPU; harness.kernels counts each launch's
grid and bytes and, under traffic(trace=True), which elements each program stored, so the
spec can see which C tile each program computed. Oracle: float64 a @ b rounded to the dtype.

Contract -> specs:
- matmul = a @ b, any M, N, K (ragged edges, 1, not multiples of the blocks), float16 / float32,
  default and explicit blocks: test_matmul_matches_torch; K = 0 gives zeros (written, not
  torch.empty's memory: it reads NaN there), M = 0 / N = 0 empty, both in a's dtype (float16 too):
  test_empty_and_k_zero
- program pid computes exactly the grouped-order tile (pid_m, pid_n), the last group short,
  GROUP_M 1 (row order) and > tile rows, a short last group inside a group span it does not divide,
  BLOCK_N != BLOCK_M: test_each_program_computes_its_grouped_tile
- 1-D grid of cdiv(M, BM) * cdiv(N, BN) programs, BLOCK_* / GROUP_M passed through (128, 256 too: no cap), defaults
  32/32/32/8: test_matmul_launches_one_grouped_grid
- group_m: no upper limit (1000 on 2 tile rows is one short group): test_group_m_has_no_cap
- walks K in steps of BLOCK_K (cdiv(K, BLOCK_K) A tiles per program, BLOCK_K 16 and 64):
  test_kernel_walks_k_in_steps_of_block_k
- strides of a, b and c (a transposed b, C inside a wider buffer, a column-major C: stride_cn used), stores masked:
  test_kernel_uses_the_strides_and_masks_the_store; rounds to C's dtype (float16 A, B into a float32 C):
  test_kernel_rounds_once_to_c_dtype; any layout without a copy, inputs
  unchanged: test_transposed_and_sliced_inputs
- masked lanes load 0 (other=0.0): every ragged case (unset lanes read NaN in the harness)
- float32 accumulation of float16 (each K step's tl.dot too, not rounded to float16): test_half_inputs_accumulate_in_float32
- traffic A x cdiv(N, BN), B x cdiv(M, BM), C once, falling as the tile grows:
  test_traffic_matches_the_tiling
- a new C at every call (no buffer kept), on a's device (K = 0, M = 0, N = 0 too): test_returns_a_new_c_on_a_device
- ValueErrors before any launch (b not 2-D too; bfloat16, int32: only the two allowed dtypes pass; float32 with
  float64 either way round: the message names both dtypes, not only a's; group_m -1;
  an explicit 0 for any block, not its default; 48, a multiple of 16 but no power of two; blocks, shapes and
  dtypes also for M = 0 or N = 0, blocks and dtypes for K = 0): test_rejects_*; off limits
  (torch compute, copies of a or b, a .to of C in the wrapper; float32 and float16; M = 1, N = 1, a transposed a):
  test_the_kernel_does_the_work
- GPU (skipped here): test_gpu_matmul_latency_near_torch, test_gpu_matmul_allocates_only_its_output
"""

import numpy as np
import pytest
import torch
import triton
from torch.utils._python_dispatch import TorchDispatchMode

from harness.budgets import cuda_peak_bytes, gpu, time_ratio
from harness.checks import assert_close, assert_raises, unchanged
from harness.failures import fail
from harness.kernels import (DEVICE, assert_traffic, kata_module, kernel_does_the_work, new_output_on_input_device,
                             traffic)
from katas.kernels.matmul import matmul, matmul_kernel

HINT_TILE = ("rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M); cols likewise; for k0 in range(0, K, BLOCK_K): load "
             "a at rows[:, None] * stride_am + (k0 + ks[None, :]) * stride_ak with mask (rows < M) & (k < K) and "
             "other=0.0, b likewise; acc += tl.dot(a, b); store acc.to(c's dtype) with mask (rows < M) & (cols < N)")
HINT_ORDER = ("grouped order: num_pid_in_group = GROUP_M * num_pid_n; group_id = pid // num_pid_in_group; first_pid_m "
              "= group_id * GROUP_M; group_size_m = min(num_pid_m - first_pid_m, GROUP_M); pid_m = first_pid_m + "
              "(pid % num_pid_in_group) % group_size_m; pid_n = (pid % num_pid_in_group) // group_size_m")
HINT_WRAPPER = ("c = torch.empty((M, N), dtype=a.dtype, device=a.device); matmul_kernel[(cdiv(M, block_m) * "
                "cdiv(N, block_n),)](a, b, c, M, N, K, a.stride(0), a.stride(1), b.stride(0), b.stride(1), "
                "c.stride(0), c.stride(1), BLOCK_M=block_m, BLOCK_N=block_n, BLOCK_K=block_k, GROUP_M=group_m)")

HINT_CHECKS = "check shapes, dtypes, blocks and group_m first, before any launch and before the early return for M = 0 or N = 0"


def mat(*shape, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g).to(dtype).to(DEVICE)


def ref(a, b):
    return (a.double() @ b.double()).to(a.dtype)


def tol(dtype):
    """float16: the float64 product rounded once to float16 (half an ulp, 2^-11 relative) plus
    float32 accumulation. float32: the default, or TF32's 2^-11 relative steps on a GPU."""
    if dtype == torch.float16:
        return dict(rtol=1e-3, atol=1e-4)
    return dict(rtol=1e-4, atol=1e-5) if DEVICE.type == "cpu" else dict(rtol=5e-3, atol=5e-3)


def module():
    return kata_module(matmul)


def grouped(pid, num_pid_m, num_pid_n, group_m):
    """The contract's grouped order, written out in Python."""
    in_group = group_m * num_pid_n
    first = (pid // in_group) * group_m
    size = min(num_pid_m - first, group_m)
    return first + (pid % in_group) % size, (pid % in_group) // size


# (M, N, K, blocks or None for the defaults)
CASES = [(50, 37, 29, (16, 16, 16, 2)), (16, 16, 16, (16, 16, 16, 8)), (1, 1, 1, (16, 16, 16, 1)),
         (33, 1, 40, (16, 16, 16, 4)), (5, 70, 3, (16, 32, 16, 1)), (40, 40, 70, None)]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_matmul_matches_torch(dtype):
    for M, N, K, blocks in CASES:
        a, b = mat(M, K, dtype=dtype, seed=1), mat(K, N, dtype=dtype, seed=2)
        kw = {} if blocks is None else dict(zip(("block_m", "block_n", "block_k", "group_m"), blocks))
        with unchanged(a, b, names=["a", "b"]):
            c = matmul(a, b, **kw)
        what = f"matmul(a ({M}, {K}) {dtype}, b ({K}, {N}){''.join(f', {k}={v}' for k, v in kw.items())})"
        assert_close(c, ref(a, b), what=what, hint=HINT_TILE, **tol(dtype))
        if not c.is_contiguous():
            fail(f"{what}: return a new contiguous (M, N) tensor", HINT_WRAPPER)


class uninitialised_memory_is_nan(TorchDispatchMode):
    """Within it, torch.empty / empty_like / empty_strided float results read NaN (as torch's
    deterministic mode fills them, without that mode's seconds of start-up): an output allocated
    and never written shows, instead of whatever zeros the allocator happened to hand out."""

    EMPTY = {torch.ops.aten.empty.memory_format, torch.ops.aten.empty_like.default,
             torch.ops.aten.empty_strided.default}

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in self.EMPTY and out.is_floating_point():
            out.fill_(float("nan"))
        return out


def test_empty_and_k_zero():
    """torch.empty's memory reads NaN here (not the allocator's chance zeros): K = 0 must write
    its zeros."""
    for dtype in (torch.float32, torch.float16):  # float16 too: the zeros / the empty C are in a's dtype
        for M, N, K in [(0, 5, 3), (4, 0, 3), (3, 70, 0), (0, 0, 0)]:
            a, b = mat(M, K, dtype=dtype, seed=3), mat(K, N, dtype=dtype, seed=4)
            with uninitialised_memory_is_nan():
                c = matmul(a, b, 16, 16, 16, 2)
            assert_close(c, torch.zeros(M, N, dtype=dtype, device=DEVICE),
                         what=f"matmul(a ({M}, {K}) {dtype}, b ({K}, {N}) {dtype})",
                         hint="K = 0 is an empty sum: zeros (the kernel's loop over K runs zero times and stores "
                              "its zero accumulator); M = 0 or N = 0: an empty (M, N) tensor; either way C is "
                              "allocated in a's dtype (torch.zeros / torch.empty default to float32: pass "
                              "dtype=a.dtype)")


@pytest.mark.parametrize("M,N,group_m,bn", [(80, 48, 2, 16), (80, 48, 1, 16), (80, 48, 8, 16), (33, 64, 3, 16),
                                            (80, 96, 3, 32)], ids=str)
def test_each_program_computes_its_grouped_tile(M, N, group_m, bn):
    """block_m = block_k = 16, block_n = bn: 5 (or 3) tile rows, 3 (or 4) tile columns; the last
    group may be short. (80, 96, 3, 32): the last group holds 2 tile rows while a group spans
    GROUP_M * num_pid_n = 9 programs (pid % num_pid_in_group matters), and BLOCK_N != BLOCK_M."""
    a, b = mat(M, 16, seed=5), mat(16, N, seed=6)
    with traffic(module(), trace=True) as t:
        c = matmul(a, b, block_m=16, block_n=bn, block_k=16, group_m=group_m)
    what = f"matmul(a ({M}, 16), b (16, {N}), block_m=16, block_n={bn}, block_k=16, group_m={group_m})"
    if t.count != 1:
        fail(f"{what}: expected one launch of matmul_kernel\n{t}", HINT_WRAPPER)
    num_m, num_n = triton.cdiv(M, 16), triton.cdiv(N, bn)
    stored = t.launches[0].touched("store", "c_ptr")
    for pid in range(num_m * num_n):
        pm, pn = grouped(pid, num_m, num_n, group_m)
        rows = np.arange(pm * 16, min(pm * 16 + 16, M))
        cols = np.arange(pn * bn, min(pn * bn + bn, N))
        want = np.sort((rows[:, None] * N + cols[None, :]).ravel())
        got = stored.get((pid, 0, 0), np.array([], dtype=np.int64))
        if not np.array_equal(got, want):
            tiles = sorted({(int(e // N) // 16, int(e % N) // bn) for e in got})
            fail(f"{what}: program {pid} stored {len(got)} elements of C in the tiles {tiles}; the grouped order "
                 f"gives it exactly tile (pid_m, pid_n) = ({pm}, {pn}), {len(want)} elements",
                 HINT_ORDER + "; a program stores only its own tile (masked at the edges)")
    assert_close(c, ref(a, b), what=what, hint=HINT_TILE)


@pytest.mark.parametrize("blocks", [None, (16, 32, 16, 3), (128, 64, 128, 1), (256, 16, 16, 1)],
                         ids=["defaults", "16x32x16-group3", "128x64x128-group1", "256x16x16-group1"])
def test_matmul_launches_one_grouped_grid(blocks):
    a, b = mat(70, 24, seed=7), mat(24, 50, seed=8)
    kw = {} if blocks is None else dict(zip(("block_m", "block_n", "block_k", "group_m"), blocks))
    bm, bn, bk, gm = blocks or (32, 32, 32, 8)
    with traffic(module()) as t:
        matmul(a, b, **kw)
    what = f"matmul(a (70, 24), b (24, 50){''.join(f', {k}={v}' for k, v in kw.items())})"
    names = [launch.kernel for launch in t.launches]
    if names != ["matmul_kernel"]:
        fail(f"{what} launched {names or 'nothing'}; the contract is one launch of matmul_kernel\n{t}", HINT_WRAPPER)
    launch = t.launches[0]
    programs = triton.cdiv(70, bm) * triton.cdiv(50, bn)
    if launch.grid != (programs, 1, 1):
        fail(f"{what}: grid {launch.grid}; expected a 1-D grid of cdiv(70, {bm}) * cdiv(50, {bn}) = {programs} programs"
             + (" (defaults block_m = block_n = block_k = 32, group_m = 8)" if blocks is None else ""), HINT_WRAPPER)
    got = {k: launch.args.get(k) for k in ("BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M")}
    if got != dict(BLOCK_M=bm, BLOCK_N=bn, BLOCK_K=bk, GROUP_M=gm):
        fail(f"{what}: launched with {got}; expected BLOCK_M={bm}, BLOCK_N={bn}, BLOCK_K={bk}, GROUP_M={gm}",
             HINT_WRAPPER)


def test_group_m_has_no_cap():
    """group_m = 1000 on 2 tile rows: only group_m < 1 is an error; a group larger than the tile
    rows is one short group (group_size_m = min(num_pid_m - first_pid_m, GROUP_M))."""
    a, b = mat(20, 16, seed=56), mat(16, 20, seed=57)
    what = "matmul(a (20, 16), b (16, 20), 16, 16, 16, group_m=1000)"
    try:
        c = matmul(a, b, 16, 16, 16, 1000)
    except ValueError as e:
        fail(f"{what} raised ValueError({e}); the contract rejects only group_m < 1",
             "no upper limit on group_m: the kernel's group_size_m = min(num_pid_m - first_pid_m, GROUP_M) "
             "already shortens a group larger than the tile rows")
    assert_close(c, ref(a, b), what=what, hint=HINT_ORDER)


@pytest.mark.parametrize("block_k", [16, 64])
def test_kernel_walks_k_in_steps_of_block_k(block_k):
    """a (20, 70): each program loads its A rows in cdiv(70, BLOCK_K) tiles of at most BLOCK_K
    columns (5 of 16, or 2 of 64): a step fixed in the kernel, ignoring BLOCK_K, shows here only
    (the values and the bytes moved are the same)."""
    a, b = mat(20, 70, seed=54), mat(70, 18, seed=55)
    with traffic(module(), trace=True) as t:
        c = matmul(a, b, 16, 16, block_k, 2)
    what = f"matmul(a (20, 70), b (70, 18), 16, 16, block_k={block_k})"
    steps = triton.cdiv(70, block_k)
    for program, parts in t.launches[0].accesses("load", "a_ptr").items():  # one part per tl.load of A
        widths = sorted({len(np.unique(part % 70)) for part in parts})
        if len(parts) != steps or widths[-1] > block_k:
            fail(f"{what}: program {program[0]} loaded A in {len(parts)} tiles of {widths} columns; walking K in "
                 f"steps of BLOCK_K={block_k} loads it in cdiv(70, {block_k}) = {steps} tiles of at most {block_k}",
                 "ks = tl.arange(0, BLOCK_K); for k0 in range(0, K, BLOCK_K): one (BLOCK_M, BLOCK_K) tile of A and "
                 "one (BLOCK_K, BLOCK_N) tile of B per step")
    assert_close(c, ref(a, b), what=what, hint=HINT_TILE)


def test_kernel_uses_the_strides_and_masks_the_store():
    """A (20, 24), B given as the transpose of a (18, 24) matrix, C inside a (20, 21) buffer."""
    a = mat(20, 24, seed=9)
    bt = mat(18, 24, seed=10)
    b = bt.t()  # (24, 18), stride_bk = 1, stride_bn = 24
    buf = torch.full((20, 21), -7.0, device=DEVICE)
    c = buf[:, :18]
    grid = (triton.cdiv(20, 16) * triton.cdiv(18, 16),)
    matmul_kernel[grid](a, b, c, 20, 18, 24, a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                        c.stride(0), c.stride(1), BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=2)
    what = "matmul_kernel on a (20, 24), b = (18, 24).t() (stride_bk=1, stride_bn=24), c = buf[:, :18] (stride_cm=21)"
    assert_close(c, ref(a, b), what=what, hint="element (i, j) of each matrix is at ptr + i * stride_0 + j * stride_1: "
                 "use the six strides, never M, N or K as a row length")
    assert_close(buf[:, 18:], torch.full((20, 3), -7.0, device=DEVICE), what=f"{what}: buf beyond C's 18 columns",
                 hint="store with mask=(rows[:, None] < M) & (cols[None, :] < N)")
    # C column-major (stride_cn != 1) inside a (18, 23) buffer: each of the six strides counts
    buf_t = torch.full((18, 23), -7.0, device=DEVICE)
    c_t = buf_t[:, :20].t()  # (20, 18), stride_cm = 1, stride_cn = 23
    matmul_kernel[grid](a, b, c_t, 20, 18, 24, a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                        c_t.stride(0), c_t.stride(1), BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=2)
    what = "matmul_kernel into a column-major c = buf[:, :20].t() (stride_cm=1, stride_cn=23)"
    assert_close(c_t, ref(a, b), what=what, hint="store at c_ptr + rows[:, None] * stride_cm + cols[None, :] * "
                 "stride_cn: C's column stride need not be 1")
    assert_close(buf_t[:, 20:], torch.full((18, 3), -7.0, device=DEVICE), what=f"{what}: buf beyond C",
                 hint="store at rows[:, None] * stride_cm + cols[None, :] * stride_cn, masked")


def test_kernel_rounds_once_to_c_dtype():
    """float16 A and B into a float32 C (the kernel called directly): the float32 accumulator is
    stored as it is, not rounded to the inputs' float16 on the way."""
    a, b = mat(20, 24, dtype=torch.float16, seed=52), mat(24, 18, dtype=torch.float16, seed=53)
    c = torch.empty(20, 18, device=DEVICE)
    grid = (triton.cdiv(20, 16) * triton.cdiv(18, 16),)
    matmul_kernel[grid](a, b, c, 20, 18, 24, a.stride(0), a.stride(1), b.stride(0), b.stride(1),
                        c.stride(0), c.stride(1), BLOCK_M=16, BLOCK_N=16, BLOCK_K=16, GROUP_M=2)
    assert_close(c, (a.double() @ b.double()).float(), what="matmul_kernel on float16 a (20, 24), b (24, 18) into a "
                 "float32 c", rtol=2e-5, atol=2e-5,
                 hint="store acc.to(c_ptr.dtype.element_ty): C's dtype, not a_ptr's (the float32 sums would be "
                      "rounded to float16)")


def test_transposed_and_sliced_inputs():
    base = mat(30, 41, seed=11)
    a = base[3:23, 5:40]            # (20, 35), row stride 41
    b = mat(19, 35, seed=12).t()    # (35, 19), column-major
    with unchanged(a, b, names=["a", "b"]):
        c = matmul(a, b, 16, 16, 16, 2)
    assert_close(c, ref(a, b), what="matmul(a = a slice with row stride 41, b = a transpose (35, 19))",
                 hint="pass a.stride(0), a.stride(1), b.stride(0), b.stride(1) to the kernel")


def test_half_inputs_accumulate_in_float32():
    """K = 256 in blocks of 16: the first block of K adds 1024 to every C element, each later
    block ~0.45, less than half a float16 step at 1024 (0.5): a float16 accumulator drops all
    fifteen of them (~6.7 in all)."""
    a = torch.ones(16, 256, device=DEVICE, dtype=torch.float16)
    b = torch.empty(256, 16, device=DEVICE)
    b[:16] = 64.0
    b[16:] = 0.028 + 0.0002 * mat(240, 16, seed=13)
    b = b.half()
    c = matmul(a, b, 16, 16, 16, 1)
    assert_close(c, ref(a, b), what="matmul(ones (16, 256) float16, b (256, 16): 64 in its first 16 rows, ~0.028 after)",
                 hint="accumulate in float32: acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32); acc += tl.dot(a, b) "
                      "(float32 out); convert to float16 only on the store", rtol=1e-3, atol=0)
    # each K step's tl.dot kept in float32 too: K = 32 in blocks of 16, the first block sums to 1000 + j / 32
    # (float16 steps there are 0.5), the second to -1000: C[:, j] = j / 32, which a step rounded to float16 loses
    a = torch.ones(16, 32, device=DEVICE, dtype=torch.float16)
    b = torch.full((32, 16), 62.5, device=DEVICE)
    b[0] += (1 + torch.arange(16, device=DEVICE) % 7) / 32
    b[16:] = -62.5
    b = b.half()
    c = matmul(a, b, 16, 16, 16, 1)
    assert_close(c, ref(a, b), what="matmul(ones (16, 32) float16, b (32, 16): rows 0-15 sum to 1000 + j / 32, rows "
                 "16-31 to -1000, block_k=16)", rtol=1e-3, atol=0,
                 hint="add each tl.dot(a, b) to the float32 accumulator as it comes (float32): rounding a K step's "
                      "partial sum to float16 (.to(tl.float16), out_dtype=tl.float16) loses what the next step cancels")


def test_traffic_matches_the_tiling():
    M, N, K = 50, 37, 29
    a, b = mat(M, K, seed=14), mat(K, N, seed=15)
    moved = {}
    for bm, bn in [(16, 16), (32, 32)]:
        with traffic(module()) as t:
            matmul(a, b, bm, bn, 16, 2)
        what = f"matmul(a ({M}, {K}), b ({K}, {N}) float32, block_m={bm}, block_n={bn}, block_k=16)"
        ideal_a = M * K * triton.cdiv(N, bn) * 4
        ideal_b = K * N * triton.cdiv(M, bm) * 4
        for arg, got, ideal, how in [
                ("a_ptr", t.loaded_from("a_ptr"), ideal_a, f"each of the cdiv({N}, {bn}) tile columns loads all of A "
                 f"once: {M} * {K} * {triton.cdiv(N, bn)} * 4 bytes"),
                ("b_ptr", t.loaded_from("b_ptr"), ideal_b, f"each of the cdiv({M}, {bm}) tile rows loads all of B "
                 f"once: {K} * {N} * {triton.cdiv(M, bm)} * 4 bytes"),
                ("c_ptr", t.stored_to("c_ptr") + t.loaded_from("c_ptr"), M * N * 4, f"C stored once and never "
                 f"loaded: {M} * {N} * 4 bytes")]:
            assert_traffic(got, ideal, what=f"{what}: {arg}", how=how, report=t,
                           hint="load each A and B tile once per K step (masked lanes move nothing); store C once")
            if got < ideal:
                fail(f"{what}: {arg} moved {got} bytes, fewer than the {ideal} the tiling needs ({how})\n{t}",
                     HINT_TILE)
        moved[bm] = t.loaded_bytes
    if not moved[32] < moved[16]:
        fail(f"matmul's loads did not fall as the tile grew: {moved}", HINT_TILE)


def test_returns_a_new_c_on_a_device():
    """Two calls of the same shape give two tensors (no C kept between calls, which the second call
    would overwrite), and C is made on a's device, not on the default one (under the interpreter:
    with a default device of meta; on a GPU a CPU C fails the launch), K = 0 included."""
    hint = ("c = torch.empty((M, N), dtype=a.dtype, device=a.device) (or torch.zeros for K = 0) at every call, never "
            "a buffer kept from an earlier call or made without device=")
    for k in (5, 0):
        a, b = mat(3, k, seed=20), mat(k, 4, seed=21)
        what = f"matmul(a (3, {k}), b ({k}, 4), 16, 16, 16)"
        first = matmul(a, b, 16, 16, 16)
        expected = first.clone()
        new_output_on_input_device(lambda: matmul(-a, b, 16, 16, 16), first, expected, what=what, hint=hint)
    for (m, n) in ((0, 4), (3, 0)):  # the early return for an empty C too
        a, b = mat(m, 5, seed=22), mat(5, n, seed=23)
        first = matmul(a, b, 16, 16, 16)
        new_output_on_input_device(lambda: matmul(a, b, 16, 16, 16), first, first.clone(),
                                   what=f"matmul(a ({m}, 5), b (5, {n}), 16, 16, 16)", hint=hint)


def test_rejects_bad_shapes():
    with traffic(module()) as t:
        for sa, sb in [((3, 4), (5, 2)), ((3, 4, 2), (2, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((3, 4), (4, 2, 2)),
                       ((0, 4), (5, 2)), ((3, 4), (5, 0))]:  # an empty C does not excuse a wrong K
            assert_raises(ValueError, matmul, mat(*sa), mat(*sb), contract="ValueError when a or b is not 2-D or K "
                          "differs, naming both shapes", mentions=[str(sa), str(sb)],
                          what=f"matmul(a {sa}, b {sb})", hint=HINT_CHECKS)
    if t.count:
        fail(f"matmul: raise the ValueError before any launch (it launched {t.count} kernels)")


def test_rejects_bad_dtypes():
    with traffic(module()) as t:
        # an empty C (M = 0) or an empty sum (K = 0) has nothing to launch, but the dtypes are still wrong
        for (m, k) in ((4, 4), (0, 4), (3, 0)):
            assert_raises(ValueError, matmul, mat(m, k), mat(k, 4, dtype=torch.float16), contract="ValueError when "
                          "the dtypes differ, naming them", mentions=["float32", "float16"],
                          what=f"matmul(a ({m}, {k}) float32, b ({k}, 4) float16)", hint=HINT_CHECKS)
            # a message listing the allowed "float16 or float32" mentions those two whatever it names: a float64 side shows
            # whether both dtypes are named
            for da, db in ((torch.float32, torch.float64), (torch.float64, torch.float32)):
                na, nb = (str(d).removeprefix("torch.") for d in (da, db))
                assert_raises(ValueError, matmul, mat(m, k, dtype=da), mat(k, 4, dtype=db), contract="ValueError when "
                              "the dtypes differ or are not float16 / float32, naming both dtypes, a's and b's",
                              mentions=[na, nb],
                              what=f"matmul(a ({m}, {k}) {na}, b ({k}, 4) {nb})",
                              hint=HINT_CHECKS + "; name both: f\"... got {a.dtype} and {b.dtype}\"")
            for dtype in (torch.float64, torch.bfloat16, torch.int32):  # a list of the two allowed, not of some refused
                name = str(dtype).removeprefix("torch.")
                assert_raises(ValueError, matmul, mat(m, k, dtype=dtype), mat(k, 4, dtype=dtype),
                              contract="ValueError unless both are float16 or both float32, naming the dtype",
                              mentions=[name], what=f"matmul(a ({m}, {k}) {name}, b ({k}, 4) {name})", hint=HINT_CHECKS)
    if t.count:
        fail(f"matmul: raise the ValueError before any launch (it launched {t.count} kernels)")


@pytest.mark.parametrize("arg,value", [("block_m", 8), ("block_m", 0), ("block_m", 48), ("block_n", 24), ("block_n", 0),
                                       ("block_k", 0), ("block_k", 8), ("block_k", 48), ("group_m", 0), ("group_m", -1)],
                         ids=str)
def test_rejects_bad_blocks(arg, value):
    for m, k in ((20, 20), (0, 20), (3, 0)):  # an empty C or K = 0 has nothing to launch, the argument is still wrong
        assert_raises(ValueError, matmul, mat(m, k), mat(k, 20), **{arg: value},
                      contract="ValueError when a block is not a power of two >= 16 or group_m < 1, naming the argument",
                      mentions=[arg], what=f"matmul(a ({m}, {k}), b ({k}, 20), {arg}={value})",
                      hint="check the blocks and group_m before the launch, and before any early return for M = 0, "
                           "N = 0 or K = 0")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_the_kernel_does_the_work(dtype):
    """float16 too: a float32 C converted to a's dtype in the wrapper (.to) is torch computation
    outside the kernel; the kernel's store rounds once to C's dtype."""
    cases = [(mat(20, 18, dtype=dtype, seed=16), mat(17, 18, dtype=dtype, seed=17).t(), "a (20, 18), b = (17, 18).t()")]
    if dtype == torch.float32:  # the other paths: a single row or column of C, a transposed a
        cases += [(mat(1, 20, seed=46), mat(20, 5, seed=47), "a (1, 20), b (20, 5)"),
                  (mat(6, 20, seed=48), mat(20, 1, seed=49), "a (6, 20), b (20, 1)"),
                  (mat(9, 33, seed=50).t(), mat(9, 7, seed=51), "a = (9, 33).t(), b (9, 7)")]
    for a, b, shapes in cases:
        what = f"matmul({shapes}, {dtype})"
        c = kernel_does_the_work(matmul, a, b, 16, 16, 16, 2, what=what)
        assert_close(c, ref(a, b), what=what, **tol(dtype),
                     hint="no copy of a or b either (.contiguous() is a torch op): pass their strides to the kernel; "
                          "allocate C in a's dtype and let the store round: acc.to(c_ptr.dtype.element_ty); no torch "
                          "shortcut for a single row or column")


# -------------------------------------------------------------------------------- GPU budgets

@gpu
def test_gpu_matmul_latency_near_torch():
    a, b = (torch.randn(4096, 4096, device="cuda", dtype=torch.float16) for _ in range(2))
    ratio = time_ratio(lambda a, b: matmul(a, b, 128, 128, 32, 8), torch.matmul, a, b)
    assert ratio < 1.5, f"matmul (128x128x32 tiles) took {ratio:.2f}x torch.matmul's time at 4096^3 float16 (budget 1.5x)"


@gpu
def test_gpu_matmul_allocates_only_its_output():
    a, b = torch.randn(2048, 1024, device="cuda"), torch.randn(1024, 512, device="cuda").t().contiguous().t()
    peak = cuda_peak_bytes(matmul, a, b)
    assert peak <= 2048 * 512 * 4 * 1.05, f"matmul's peak was {peak} bytes above what was live; C alone is {2048 * 512 * 4}"
