"""Specs for katas/kernels/vector.py (day 33): add_kernel, add, bias_gelu_kernel, bias_gelu.

Without a GPU the kernels run in Triton's CPU interpreter (the plugin sets TRITON_INTERPRET=1);
harness.kernels counts each launch's grid and the bytes its loads and stores move, and fails a
lane outside the tensors passed with the kernel's line. Oracles: torch's x + y and
F.gelu(x + bias) (exact erf form), computed in float64 where the contract says float32.

Contract -> specs:
- add_kernel: program p handles its own block and no other: test_add_kernel_program_handles_its_block;
  masked past n (ragged last block, programs past the end do nothing):
  test_add_kernel_masks_the_ragged_block; loads x, y once and stores out once:
  test_add_kernel_moves_each_element_once
- add = x + y, new contiguous tensor, x's shape/dtype (every listed dtype, block 1 to > n, 0-dim x and y):
  test_add_matches_torch, test_add_on_random_sizes; default block 1024 and the launch
  (one launch of add_kernel, grid (cdiv(n, block),), block past 1024 not capped):
  test_add_launches_add_kernel_once_over_cdiv_programs;
  n = 0 (an empty output of x's dtype): test_add_empty; any layout (x or y alone non-contiguous too), inputs unchanged:
  test_add_non_contiguous_inputs; a new tensor at each call (no output buffer kept), on x's device
  (not the default device; an empty x too): test_add_returns_a_new_tensor_on_x_device;
  ValueErrors (shapes, size-1 dims included, dtypes, block, each also for an empty x): test_add_rejects_*; traffic 3 n elements:
  test_add_traffic_is_three_n_elements
- bias_gelu_kernel: out[i] = gelu(x[i] + b[i % N]), its block only, masked past n:
  test_bias_gelu_kernel_uses_the_bias_of_each_column; traffic: test_bias_gelu_traffic
- bias_gelu = F.gelu(x + bias) exact (not tanh): test_bias_gelu_matches_torch,
  test_bias_gelu_is_the_exact_gelu; float32 compute for half inputs:
  test_bias_gelu_half_inputs_are_computed_in_float32; float64 in float64: test_bias_gelu_float64;
  launch (one, cdiv grid, default block, block past 1024 not capped): test_bias_gelu_launches_once_over_cdiv_programs;
  n = 0 (no rows, or N = 0; of x's dtype): test_bias_gelu_empty; any layout (x or bias alone non-contiguous too), unchanged:
  test_bias_gelu_non_contiguous_inputs; a new tensor at each call, on x's device (an empty x too):
  test_bias_gelu_returns_a_new_tensor_on_x_device;
  ValueErrors (bias shape, dtypes, 0-dim / integer x (int32, int64, uint8,
  bool: any non-float), block; each also for an empty x; shape and dtype before any launch):
  test_bias_gelu_rejects_*
- off limits (torch compute in a wrapper, float32, float16 and bfloat16: no .to in the wrapper; ragged,
  0-dim, transposed and N = 1 inputs too): test_the_kernels_do_the_work
- GPU (skipped here): test_gpu_add_latency_near_torch, test_gpu_bias_gelu_beats_unfused_torch,
  test_gpu_bias_gelu_allocates_only_its_output
"""

import math

import pytest
import torch
import torch.nn.functional as F
import triton
from hypothesis import given, settings, strategies as st

from harness.budgets import cuda_peak_bytes, gpu, time_ratio
from harness.checks import assert_close, assert_raises, non_contiguous, unchanged
from harness.edges import TIGHT64
from harness.failures import fail
from harness.kernels import (DEVICE, assert_traffic, kata_module, kernel_does_the_work, new_output_on_input_device,
                             traffic)
from katas.kernels.vector import add, add_kernel, bias_gelu, bias_gelu_kernel

HINT_MASK = ("offsets = pid * BLOCK + tl.arange(0, BLOCK); mask = offsets < n; pass mask= to every "
             "tl.load and tl.store")
HINT_PID = ("program p starts at p * BLOCK: offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)")
HINT_GRID = "grid = (triton.cdiv(n, block),): ceil(n / block) programs, the last one ragged"
HINT_GELU = ("gelu(v) = 0.5 * v * (1 + erf(v / sqrt(2))) with tl.math.erf, v = x + b[i % N], "
             "all in float32: x.to(tl.float32)")
HINT_WRAPPER = ("check, then x = x.contiguous(); out = torch.empty_like(x); "
                "kernel[(triton.cdiv(n, block),)](x, ..., out, n, BLOCK=block); return out")

SENTINEL = -777.0
HINT_CHECKS = ("check shapes, dtypes and block first, before any launch and before the early return for an empty x "
               "(an empty x with the wrong shape or dtype is still wrong)")


def vec(n, dtype=torch.float32, seed=0, scale=3.0):
    """Floats ~ N(0, scale); integers spread over most of their range (int64 past 2^53, so that
    a detour through float32 or float64 shows)."""
    g = torch.Generator().manual_seed(seed)
    if dtype.is_floating_point:
        return (torch.randn(n, generator=g) * scale).to(dtype).to(DEVICE)
    high = 2**30 if dtype == torch.int32 else 2**61
    return torch.randint(-high, high, (n,), generator=g, dtype=dtype).to(DEVICE)


def padded(values, pad=5):
    """(buffer, view): `values` in the middle of a buffer of sentinels, so that a stray write
    outside the view shows in the buffer (the interpreter already refuses it)."""
    buf = torch.full((values.numel() + 2 * pad,), SENTINEL, dtype=values.dtype, device=values.device)
    view = buf[pad:pad + values.numel()]
    view.copy_(values)
    return buf, view


def untouched_outside(buf, n, pad=5, what=""):
    outside = torch.cat([buf[:pad], buf[pad + n:]])
    if not bool((outside == SENTINEL).all()):
        fail(f"{what} wrote outside out[0:{n}]", HINT_MASK)


def module():
    return kata_module(add)


def gelu_ref(x, bias):
    return F.gelu(x.double() + bias.double())


# -------------------------------------------------------------------------------- add_kernel

@pytest.mark.parametrize("n,BLOCK,programs", [(10, 4, 3), (8, 4, 2), (1, 16, 1), (13, 4, 5), (5, 8, 3)],
                         ids=lambda v: str(v))
def test_add_kernel_masks_the_ragged_block(n, BLOCK, programs):
    """programs >= cdiv(n, BLOCK): the last block is ragged, and extra programs do nothing."""
    x, y = vec(n, seed=1), vec(n, seed=2)
    buf, out = padded(torch.zeros(n, device=DEVICE))
    what = f"add_kernel[({programs},)](x, y, out, n={n}, BLOCK={BLOCK})"
    add_kernel[(programs,)](x, y, out, n, BLOCK=BLOCK)
    untouched_outside(buf, n, what=what)
    assert_close(out, x + y, what=what, hint=HINT_MASK + "; " + HINT_PID)


def test_add_kernel_program_handles_its_block():
    """A grid of 2 programs over 4 blocks: only blocks 0 and 1 are written."""
    n, BLOCK = 16, 4
    x, y = vec(n, seed=3), vec(n, seed=4)
    out = torch.full((n,), SENTINEL, device=DEVICE)
    add_kernel[(2,)](x, y, out, n, BLOCK=BLOCK)
    expected = torch.cat([(x + y)[:8], torch.full((8,), SENTINEL, device=DEVICE)])
    assert_close(out, expected, what="add_kernel[(2,)](x, y, out, n=16, BLOCK=4) (out filled with -777 "
                 "first: programs 0 and 1 write out[0:8], nothing writes out[8:16])",
                 hint=HINT_PID + "; a program handles its own BLOCK elements and no others (no loop over "
                 "the whole array)")


def test_add_kernel_moves_each_element_once():
    n, BLOCK = 11, 4
    x, y, out = vec(n, seed=5), vec(n, seed=6), torch.empty(n, device=DEVICE)
    with traffic(module()) as t:  # the kernel by module attribute: interpreted there on a GPU too
        module().add_kernel[(3,)](x, y, out, n, BLOCK=BLOCK)
    ideal = 4 * n  # float32: n elements of 4 bytes
    what = f"add_kernel[(3,)] on n={n} float32"
    how = "each element loaded once: n * 4 bytes; masked-off lanes move nothing"
    for arg, moved in [("x_ptr", t.loaded_from("x_ptr")), ("y_ptr", t.loaded_from("y_ptr")),
                       ("out_ptr", t.stored_to("out_ptr"))]:
        assert_traffic(moved, ideal, what=f"{what}: {arg}", how=how, report=t,
                       hint="load x and y once per element, store out once")
        if moved < ideal:
            fail(f"{what}: {arg} moved {moved} bytes, less than the {ideal} of its n elements\n{t}", HINT_MASK)
    assert_traffic(t.loaded_from("out_ptr") + t.stored_to("x_ptr") + t.stored_to("y_ptr"), 0,
                   what=f"{what}: loads of out and stores to x or y", how="out is only written, x and y only read",
                   report=t)


# -------------------------------------------------------------------------------- add

ADD_DTYPES = [torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int32, torch.int64]


@pytest.mark.parametrize("dtype", ADD_DTYPES, ids=str)
def test_add_matches_torch(dtype):
    for shape, block in [((37,), 8), ((3, 5), 4), ((2, 3, 4), 32), ((1,), 1), ((5,), 2), ((40,), 64), ((), 4)]:
        n = math.prod(shape)
        x, y = vec(n, dtype, seed=7).reshape(shape), vec(n, dtype, seed=8).reshape(shape)
        with unchanged(x, y, names=["x", "y"]):
            out = add(x, y, block=block)
        what = f"add(x {tuple(shape)} {dtype}, y, block={block})"
        exact = TIGHT64 if dtype == torch.float64 else {} if dtype.is_floating_point else dict(rtol=0, atol=0)
        hint = HINT_WRAPPER + "; " + HINT_MASK + ("; add bfloat16 in float32: (x.to(tl.float32) + "
                                                  "y.to(tl.float32)).to(out_ptr.dtype.element_ty)"
                                                  if dtype == torch.bfloat16 else "")
        assert_close(out, (x.double() + y.double()).to(dtype) if dtype.is_floating_point else x + y,
                     what=what, hint=hint, **exact)
        if out.data_ptr() in (x.data_ptr(), y.data_ptr()) or not out.is_contiguous():
            fail(f"{what}: return a new contiguous tensor (torch.empty_like(x) of the contiguous x), not "
                 f"one of the inputs or a strided view", HINT_WRAPPER)


@settings(max_examples=8)
@given(n=st.integers(1, 200), log_block=st.integers(3, 7), seed=st.integers(0, 1000))
def test_add_on_random_sizes(n, log_block, seed):
    x, y = vec(n, seed=seed), vec(n, seed=seed + 1)
    out = add(x, y, block=2 ** log_block)
    assert_close(out, x + y, what=f"add(x ({n},), y, block={2 ** log_block})", hint=HINT_MASK + "; " + HINT_GRID)


@pytest.mark.parametrize("n,block", [(3000, None), (10, 4), (8, 4), (1, 1024), (7, 1), (5000, 4096)],
                         ids=lambda v: str(v))
def test_add_launches_add_kernel_once_over_cdiv_programs(n, block):
    x, y = vec(n, seed=9), vec(n, seed=10)
    with traffic(module()) as t:
        out = add(x, y) if block is None else add(x, y, block=block)
    blk = 1024 if block is None else block
    what = f"add(x ({n},), y{'' if block is None else f', block={block}'})"
    names = [launch.kernel for launch in t.launches]
    if names != ["add_kernel"]:
        fail(f"{what} launched {names or 'nothing'}; the contract is one launch of add_kernel\n{t}", HINT_WRAPPER)
    grid = tuple(g for g in t.launches[0].grid) if t.launches[0].grid else None
    if grid != (triton.cdiv(n, blk), 1, 1):
        fail(f"{what} launched add_kernel over the grid {grid}; expected ({triton.cdiv(n, blk)},) = "
             f"triton.cdiv({n}, {blk}) programs" + (" (block defaults to 1024)" if block is None else ""),
             HINT_GRID)
    assert_close(out, x + y, what=what, hint=HINT_MASK)


def test_add_empty():
    for dtype in (torch.float32, torch.float16, torch.int64):  # empty, and still of x's dtype
        for shape in [(0,), (2, 0, 3)]:
            x = torch.empty(shape, dtype=dtype, device=DEVICE)
            out = add(x, x.clone(), block=4)
            assert_close(out, x, what=f"add(x {shape} {dtype}, y {shape} {dtype})", hint="n = 0: return "
                         "torch.empty_like(x) (a grid of 0 programs does nothing), of x's dtype: torch.empty's "
                         "default is float32")


def test_add_returns_a_new_tensor_on_x_device():
    x, y = vec(10, seed=31), vec(10, seed=32)
    first = add(x, y, block=4)
    hint = ("out = torch.empty_like(x) at every call (x's device and dtype), never a buffer kept from an earlier "
            "call or made with torch.empty(shape, dtype=...) alone (the early return for n = 0 too)")
    new_output_on_input_device(lambda: add(y, x, block=4), first, (x + y), what="add(x (10,), y, block=4)", hint=hint)
    empty = torch.empty(0, 3, device=DEVICE)
    first = add(empty, empty, block=4)
    new_output_on_input_device(lambda: add(empty, empty, block=4), first, first.clone(),
                               what="add(x (0, 3), y (0, 3))", hint=hint)


def test_add_non_contiguous_inputs():
    """Each input is made contiguous on its own: a contiguous x says nothing about y's layout
    (and the other way round)."""
    cases = [("non-contiguous x (4, 5), transposed y", non_contiguous(vec(20, seed=11).reshape(4, 5)),
              vec(20, seed=12).reshape(5, 4).t()),
             ("contiguous x (4, 5), transposed y", vec(20, seed=13).reshape(4, 5), vec(20, seed=14).reshape(5, 4).t()),
             ("transposed x (4, 5), contiguous y", vec(20, seed=15).reshape(5, 4).t(), vec(20, seed=16).reshape(4, 5))]
    for label, x, y in cases:
        with unchanged(x, y, names=["x", "y"]):
            out = add(x, y, block=8)
        assert_close(out, x.contiguous() + y.contiguous(), what=f"add({label}, block=8)",
                     hint="the kernel sees flat contiguous arrays: x = x.contiguous() and y = y.contiguous() before "
                          "the launch, each on its own (x being contiguous says nothing about y)")
        if not out.is_contiguous():
            fail(f"add({label}): return a new contiguous tensor", HINT_WRAPPER)


def no_launch(t, what):
    if t.count:
        fail(f"{what}: raise the ValueError before any launch (it launched {[l.kernel for l in t.launches]})",
             "check every argument first, then allocate and launch")


def test_add_rejects_mismatched_shapes():
    with traffic(module()) as t:
        assert_raises(ValueError, add, vec(6).reshape(2, 3), vec(6).reshape(3, 2),
                      contract="ValueError when the shapes differ, naming both shapes",
                      mentions=["(2, 3)", "(3, 2)"], what="add(x (2, 3), y (3, 2))")
        assert_raises(ValueError, add, vec(6), vec(5), contract="ValueError when the shapes differ, naming both "
                      "shapes", mentions=["(6,)", "(5,)"], what="add(x (6,), y (5,))")
        assert_raises(ValueError, add, vec(0).reshape(0, 3), vec(0).reshape(3, 0), contract="ValueError when the "
                      "shapes differ, naming both shapes (an empty x too)", mentions=["(0, 3)", "(3, 0)"],
                      what="add(x (0, 3), y (3, 0))", hint=HINT_CHECKS)
        for xs, ys in [((1, 3), (3,)), ((), (1,))]:  # size-1 dims count: the same elements, not the same shape
            assert_raises(ValueError, add, vec(3 if xs else 1).reshape(xs), vec(3 if xs else 1).reshape(ys),
                          contract="ValueError when the shapes differ, naming both shapes", mentions=[str(xs), str(ys)],
                          what=f"add(x {xs}, y {ys})", hint="compare x.shape != y.shape as they are (no squeeze, no "
                          "numel): a size-1 dim makes another shape")
    no_launch(t, "add(x, y) with mismatched shapes")


def test_add_rejects_mismatched_dtypes():
    with traffic(module()) as t:
        for n in (6, 0):  # an empty x has nothing to add, but the dtypes still differ
            assert_raises(ValueError, add, vec(n), vec(n, torch.float64), contract="ValueError when the dtypes "
                          "differ, naming both dtypes", mentions=["float32", "float64"],
                          what=f"add(x ({n},) float32, y ({n},) float64)", hint=HINT_CHECKS)
    no_launch(t, "add(x float32, y float64)")


@pytest.mark.parametrize("block", [3, 0, -4, 6, 1000])
def test_add_rejects_a_block_that_is_not_a_power_of_two(block):
    for n in (6, 0):  # an empty x has nothing to launch, but block is still wrong
        assert_raises(ValueError, add, vec(n), vec(n), block=block,
                      contract="ValueError when block is not a power of two >= 1, naming block",
                      mentions=[block], what=f"add(x ({n},), y ({n},), block={block})",
                      hint="check block before the launch, and before any early return for an empty x: block >= 1 "
                           "and block & (block - 1) == 0")


def test_add_traffic_is_three_n_elements():
    n = 21
    for dtype in (torch.float32, torch.float16):
        x, y = vec(n, dtype, seed=13), vec(n, dtype, seed=14)
        with traffic(module()) as t:
            add(x, y, block=8)
        ideal = 3 * n * x.element_size()
        what = f"add(x ({n},) {dtype}, y, block=8)"
        assert_traffic(t.loaded_bytes + t.stored_bytes, ideal, what=what, report=t,
                       how=f"x and y loaded once, out stored once: 3 * {n} elements of {x.element_size()} bytes")
        if t.stored_to("out_ptr") != n * x.element_size():
            fail(f"{what}: stored {t.stored_to('out_ptr')} bytes to out_ptr, expected {n * x.element_size()} "
                 f"(each of its n elements once)\n{t}", HINT_MASK)


# -------------------------------------------------------------------------------- bias_gelu

def test_bias_gelu_kernel_uses_the_bias_of_each_column():
    """Launched by the spec on a (3, 5) x with BLOCK 4 over 5 programs (one past the end)."""
    rows, N, BLOCK = 3, 5, 4
    x, b = vec(rows * N, seed=15), vec(N, seed=16)
    buf, out = padded(torch.zeros(rows * N, device=DEVICE))
    what = "bias_gelu_kernel[(5,)](x (3, 5) flat, b (5,), out, n=15, N=5, BLOCK=4)"
    bias_gelu_kernel[(5,)](x, b, out, rows * N, N, BLOCK=BLOCK)
    untouched_outside(buf, rows * N, what=what)
    assert_close(out.reshape(rows, N), gelu_ref(x.reshape(rows, N), b).float(), what=what,
                 hint="element i of the flat (rows, N) array is in column i % N: b = tl.load(b_ptr + offsets % N, "
                      "mask=mask); " + HINT_GELU)


BG_CASES = [((7,), 4), ((3, 5), 4), ((2, 3, 10), 16), ((4, 1), 2), ((1, 33), 8), ((2, 70), 32), ((6, 3), 1024)]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
def test_bias_gelu_matches_torch(dtype):
    for shape, block in BG_CASES:
        x = vec(math.prod(shape), dtype, seed=17).reshape(shape)
        b = vec(shape[-1], dtype, seed=18)
        with unchanged(x, b, names=["x", "bias"]):
            out = bias_gelu(x, b, block=block)
        what = f"bias_gelu(x {shape} {dtype}, bias ({shape[-1]},), block={block})"
        assert_close(out, gelu_ref(x, b).to(dtype), what=what, hint=HINT_GELU + "; " + HINT_MASK)
        if out.data_ptr() == x.data_ptr() or not out.is_contiguous():
            fail(f"{what}: return a new contiguous tensor (torch.empty_like of the contiguous x)", HINT_WRAPPER)


def test_bias_gelu_is_the_exact_gelu():
    x = torch.linspace(-4, 4, 41, device=DEVICE).reshape(1, 41)
    b = torch.zeros(41, device=DEVICE)
    out = bias_gelu(x, b, block=16)
    assert_close(out, gelu_ref(x, b).float(), what="bias_gelu(x = linspace(-4, 4, 41), bias = 0)",
                 hint="the exact GELU uses erf: 0.5 * v * (1 + tl.math.erf(v * 0.7071067811865476)); the tanh "
                      "approximation differs by up to ~5e-4", rtol=1e-5, atol=1e-6)


def test_bias_gelu_half_inputs_are_computed_in_float32():
    """x near -3, bias ~ 1e-3: x + bias rounded to float16 loses the bias, and the error grows
    through gelu's slope to several float16 ulps of the small output."""
    g = torch.Generator().manual_seed(19)
    x = (-3 + torch.rand(4, 32, generator=g)).half().to(DEVICE)
    b = (torch.rand(32, generator=g) * 2e-3 - 1e-3).half().to(DEVICE)
    out = bias_gelu(x, b, block=64)
    assert_close(out, gelu_ref(x, b).half(), what="bias_gelu(x float16 in [-3, -2], bias float16 ~ 1e-3)",
                 hint="convert BOTH loads to float32 before adding: v = x.to(tl.float32) + b.to(tl.float32); "
                      "adding in float16 rounds x + b first", rtol=1.5e-3, atol=0)


def test_bias_gelu_float64():
    x = vec(24, torch.float64, seed=20).reshape(4, 6)
    b = vec(6, torch.float64, seed=21)
    out = bias_gelu(x, b, block=8)
    assert_close(out, gelu_ref(x, b), what="bias_gelu(x (4, 6) float64, bias float64)",
                 hint="float64 stays float64: do not convert it to float32 (only half dtypes are upcast)",
                 **TIGHT64)


@pytest.mark.parametrize("shape,block", [((3, 100), None), ((5, 7), 8), ((2, 9), 2), ((3, 1000), 2048)], ids=str)
def test_bias_gelu_launches_once_over_cdiv_programs(shape, block):
    x, b = vec(math.prod(shape), seed=22).reshape(shape), vec(shape[-1], seed=23)
    with traffic(module()) as t:
        out = bias_gelu(x, b) if block is None else bias_gelu(x, b, block=block)
    n, blk = math.prod(shape), 1024 if block is None else block
    what = f"bias_gelu(x {shape}, bias{'' if block is None else f', block={block}'})"
    names = [launch.kernel for launch in t.launches]
    if names != ["bias_gelu_kernel"]:
        fail(f"{what} launched {names or 'nothing'}; the contract is one launch of bias_gelu_kernel\n{t}",
             HINT_WRAPPER)
    if t.launches[0].grid != (triton.cdiv(n, blk), 1, 1):
        fail(f"{what} launched bias_gelu_kernel over the grid {t.launches[0].grid}; expected "
             f"({triton.cdiv(n, blk)},) = triton.cdiv({n}, {blk})" + (" (block defaults to 1024)" if block is None
                                                                       else ""), HINT_GRID)
    assert_close(out, gelu_ref(x, b).float(), what=what, hint=HINT_GELU)


def test_bias_gelu_empty():
    for dtype in (torch.float32, torch.float16, torch.float64):  # empty, and still of x's dtype
        for shape in [(0, 4), (2, 0, 3), (3, 0)]:  # N = 0 too: bias (0,), nothing to compute
            x = torch.empty(shape, dtype=dtype, device=DEVICE)
            b = torch.zeros(shape[-1], dtype=dtype, device=DEVICE)
            out = bias_gelu(x, b, block=4)
            assert_close(out, x, what=f"bias_gelu(x {shape} {dtype}, bias ({shape[-1]},))",
                         hint="n = 0: return an empty tensor of x's shape and dtype (torch.empty_like(x); "
                              "torch.empty's default dtype is float32)")


def test_bias_gelu_returns_a_new_tensor_on_x_device():
    x, b = vec(12, seed=33).reshape(3, 4), vec(4, seed=34)
    first = bias_gelu(x, b, block=4)
    expected = first.clone()
    hint = ("out = torch.empty_like(x) at every call (x's device and dtype), never a buffer kept from an earlier "
            "call or made with torch.empty(shape, dtype=...) alone (the early return for n = 0 too)")
    new_output_on_input_device(lambda: bias_gelu(-x, b, block=4), first, expected,
                               what="bias_gelu(x (3, 4), bias (4,), block=4)", hint=hint)
    empty = torch.empty(0, 4, device=DEVICE)
    first = bias_gelu(empty, b, block=4)
    new_output_on_input_device(lambda: bias_gelu(empty, b, block=4), first, first.clone(),
                               what="bias_gelu(x (0, 4), bias (4,))", hint=hint)


def test_bias_gelu_non_contiguous_inputs():
    """x and bias are made contiguous each on its own: a contiguous x says nothing about bias."""
    cases = [("non-contiguous x (2, 3, 4), bias = b[::2]", non_contiguous(vec(24, seed=24).reshape(2, 3, 4)),
              vec(8, seed=25)[::2]),
             ("contiguous x (2, 3, 4), bias = b[::2]", vec(24, seed=26).reshape(2, 3, 4), vec(8, seed=27)[::2]),
             ("non-contiguous x (2, 3, 4), contiguous bias", non_contiguous(vec(24, seed=28).reshape(2, 3, 4)),
              vec(4, seed=29))]
    for label, x, b in cases:
        with unchanged(x, b, names=["x", "bias"]):
            out = bias_gelu(x, b, block=8)
        assert_close(out, gelu_ref(x, b).float(), what=f"bias_gelu({label})",
                     hint="x = x.contiguous() and bias = bias.contiguous() before the launch, each on its own (x "
                          "being contiguous says nothing about bias): the kernel reads flat arrays")
        if not out.is_contiguous():
            fail(f"bias_gelu({label}): return a new contiguous tensor", HINT_WRAPPER)


def test_bias_gelu_rejects_a_bias_of_the_wrong_shape():
    with traffic(module()) as t:
        for xs, bs in [((2, 3), (2,)), ((2, 3), (1, 3)), ((4,), (3,)), ((0, 3), (2,))]:  # empty x: checked too
            assert_raises(ValueError, bias_gelu, vec(math.prod(xs)).reshape(xs), vec(math.prod(bs)).reshape(bs),
                          contract="ValueError when bias is not 1-D of size x.shape[-1], naming both shapes",
                          mentions=[str(xs), str(bs)], what=f"bias_gelu(x {xs}, bias {bs})", hint=HINT_CHECKS)
    no_launch(t, "bias_gelu(x, bias of the wrong shape)")


def test_bias_gelu_rejects_mismatched_dtypes():
    with traffic(module()) as t:
        for rows in (2, 0):  # an empty x too
            assert_raises(ValueError, bias_gelu, vec(3 * rows).reshape(rows, 3), vec(3, torch.float16),
                          contract="ValueError when the dtypes differ, naming both", mentions=["float32", "float16"],
                          what=f"bias_gelu(x ({rows}, 3) float32, bias float16)", hint=HINT_CHECKS)
    no_launch(t, "bias_gelu(x float32, bias float16)")


def test_bias_gelu_rejects_a_scalar_or_integer_x():
    assert_raises(ValueError, bias_gelu, torch.tensor(1.0, device=DEVICE), vec(1),
                  contract="ValueError when x is 0-dim, naming its shape", mentions=["()"],
                  what="bias_gelu(x of shape (), bias (1,))")
    for rows in (2, 0):  # an empty x too
        for dtype in (torch.int32, torch.int64, torch.uint8, torch.bool):  # every non-float, not a list of some
            dname = str(dtype).removeprefix("torch.")
            assert_raises(ValueError, bias_gelu, torch.ones(rows, 3, dtype=dtype, device=DEVICE),
                          torch.ones(3, dtype=dtype, device=DEVICE),
                          contract="ValueError when x is not a floating dtype, naming the dtype", mentions=[dname],
                          what=f"bias_gelu(x ({rows}, 3) {dname}, bias {dname})",
                          hint=HINT_CHECKS + "; x.is_floating_point(), not a list of refused dtypes")


@pytest.mark.parametrize("block", [3, 0, 12])
def test_bias_gelu_rejects_a_block_that_is_not_a_power_of_two(block):
    for rows in (2, 0):  # an empty x has nothing to launch, but block is still wrong
        assert_raises(ValueError, bias_gelu, vec(3 * rows).reshape(rows, 3), vec(3), block=block,
                      contract="ValueError when block is not a power of two >= 1, naming block",
                      mentions=[block], what=f"bias_gelu(x ({rows}, 3), bias (3,), block={block})",
                      hint="check block before the launch, and before any early return for an empty x")


def test_bias_gelu_traffic():
    rows, N = 3, 7
    x, b = vec(rows * N, seed=26).reshape(rows, N), vec(N, seed=27)
    with traffic(module()) as t:
        bias_gelu(x, b, block=8)
    n = rows * N
    what = f"bias_gelu(x ({rows}, {N}) float32, bias, block=8)"
    assert_traffic(t.loaded_from("x_ptr"), 4 * n, what=f"{what}: x_ptr", report=t,
                   how=f"each of the n = {n} x elements loaded once, 4 bytes each",
                   hint="load x once per element (a fused kernel reads its input once)")
    assert_traffic(t.loaded_from("b_ptr"), 4 * n, what=f"{what}: b_ptr", report=t,
                   how="at most one bias element per x element: n * 4 bytes")
    assert_traffic(t.stored_bytes, 4 * n, what=f"{what}: stores", report=t,
                   how=f"each of the n = {n} outputs stored once; nothing else is written")
    if t.stored_to("out_ptr") < 4 * n or t.loaded_from("x_ptr") < 4 * n:
        fail(f"{what}: every x element must be loaded and every out element stored\n{t}", HINT_MASK)


# -------------------------------------------------------------------------------- off limits

@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
def test_the_kernels_do_the_work(dtype):
    """float16 and bfloat16 too (bfloat16 added in float32 in the kernel, not by a float32 detour in
    the wrapper, where the interpreter's missing bfloat16 arithmetic tempts one): a float32 output
    buffer converted to x's dtype in the wrapper (.to) is torch computation outside the kernel, and
    the kernel's store is where the contract rounds. float32 also visits the other paths: a ragged
    last block, a 0-dim x, a transposed x, N = 1."""
    shapes = [((3, 4), 4)] + ([((10,), 4), ((), 4), ((4, 3), 2), ((5, 1), 4)] if dtype == torch.float32 else [])
    for shape, block in shapes:
        n = math.prod(shape)
        x, y = vec(n, dtype, seed=28).reshape(shape), vec(n, dtype, seed=29).reshape(shape)
        if shape == (4, 3):
            x, y = x.reshape(3, 4).t(), y.reshape(3, 4).t()  # transposed: .contiguous() is the one copy allowed
        what = f"add(x {shape} {dtype}{'' if x.is_contiguous() else ' transposed'}, y, block={block})"
        out = kernel_does_the_work(add, x, y, block=block, what=what, allow=("clone",))
        assert_close(out, (x.double() + y.double()).to(dtype), what=what,
                     hint=HINT_WRAPPER + "; no torch shortcut for a small, ragged or special shape")
        if x.dim() == 0:
            continue
        b = vec(x.shape[-1], dtype, seed=30)
        what = f"bias_gelu(x {shape} {dtype}{'' if x.is_contiguous() else ' transposed'}, bias ({x.shape[-1]},), block={block})"
        out = kernel_does_the_work(bias_gelu, x, b, block=block, what=what, allow=("clone",))
        assert_close(out, gelu_ref(x, b).to(dtype), what=what,
                     hint=HINT_GELU + "; allocate the output in x's dtype (torch.empty_like(x)) and let the kernel's "
                     "store round: .to(out_ptr.dtype.element_ty); no torch shortcut for a small or special shape")


# -------------------------------------------------------------------------------- GPU budgets

@gpu
def test_gpu_add_latency_near_torch():
    """Bandwidth-bound: a masked 1-D kernel at block 1024 runs close to torch's own add."""
    x, y = torch.randn(1 << 24, device="cuda"), torch.randn(1 << 24, device="cuda")
    ratio = time_ratio(add, torch.add, x, y)
    assert ratio < 1.5, f"add took {ratio:.2f}x torch.add's time on 16M float32 elements (budget 1.5x)"


@gpu
def test_gpu_bias_gelu_beats_unfused_torch():
    """Fused: one read of x and one write; unfused torch writes x + bias and reads it back."""
    x, b = torch.randn(4096, 4096, device="cuda"), torch.randn(4096, device="cuda")
    ratio = time_ratio(bias_gelu, lambda x, b: F.gelu(x + b), x, b)
    assert ratio < 1.0, f"bias_gelu took {ratio:.2f}x the time of F.gelu(x + b) (budget: faster than unfused)"


@gpu
def test_gpu_bias_gelu_allocates_only_its_output():
    x, b = torch.randn(2048, 2048, device="cuda"), torch.randn(2048, device="cuda")
    peak = cuda_peak_bytes(bias_gelu, x, b)
    assert peak <= x.numel() * 4 * 1.05, (
        f"bias_gelu's peak was {peak} bytes above what was live; its output alone is {x.numel() * 4}")
