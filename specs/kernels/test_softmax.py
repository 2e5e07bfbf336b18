"""Specs for katas/kernels/softmax.py (day 34): softmax_kernel, softmax, online_softmax_kernel,
online_softmax.

The kernels run in Triton's CPU interpreter without a GPU (harness.kernels counts launches,
grids and bytes). Oracle: torch.softmax in float64, rounded to the input dtype.

Contract -> specs:
- softmax_kernel: row r at x_ptr + r * x_row_stride (out: out_row_stride), one block, lanes past
  n_cols masked as -inf: test_softmax_kernel_reads_strided_rows_and_masks_as_minus_inf
- softmax = torch.softmax(x, -1), any leading dims (1-D to 4-D), N = 1 / prime / power of two, every dtype:
  test_softmax_matches_torch; one launch, grid (rows,), BLOCK = next_power_of_2(N):
  test_softmax_launches_one_program_per_row; no cap on N (5000 is one block of 8192):
  test_softmax_long_rows_are_one_block; traffic 2 n: test_softmax_traffic
- online_softmax_kernel: strided rows, any n_cols in blocks: test_online_kernel_reads_strided_rows;
  running max rescales the running sum (the max grows across blocks, or shrinks):
  test_online_softmax_rescales_when_the_max_moves; loads twice, stores once:
  test_online_softmax_traffic; BLOCK columns at a time, not a step fixed in the kernel:
  test_online_kernel_walks_the_row_in_blocks_of_block
- online_softmax = torch.softmax for block < N, = N, > N, block 1, 4-D x:
  test_online_softmax_matches_torch;
  one launch, grid (rows,), BLOCK = block (2048 too: no cap), default 1024: test_online_softmax_launches_one_program_per_row
- both: computed in float32 (float16 rows over many blocks): test_half_rows_are_accumulated_in_float32;
  float64 in float64: test_float64; stable for +-1e4 and for a row of only very negative entries
  (running max started at -inf, not 0 or -1e30): test_large_entries_are_stable; -inf entries, first blocks
  all -inf, a row of -inf is NaN: test_minus_inf_entries; any layout (also rows not evenly spaced:
  x.stride(-2) is no row stride), unchanged, new contiguous output, still one launch over all rows:
  test_non_contiguous_inputs;
  a new output at every call (no buffer kept), on x's device (an empty x too):
  test_returns_a_new_tensor_on_x_device;
  empty (in x's dtype, float16 and float64 too): test_empty; ValueErrors before any launch (block, dtype also for an empty x; int64, int32,
  uint8, bool: any non-float dtype): test_rejects_*;
  off limits (torch compute in a wrapper, float32, float16 and bfloat16: no .to in the wrapper;
  N = 1, 1-D and transposed x too): test_the_kernels_do_the_work
- GPU (skipped here): test_gpu_softmax_latency_near_torch, test_gpu_online_softmax_latency_near_torch,
  test_gpu_softmax_allocates_only_its_output
"""

import numpy as np
import pytest
import torch
import triton

from harness.budgets import cuda_peak_bytes, gpu, time_ratio
from harness.checks import assert_close, assert_raises, non_contiguous, unchanged
from harness.edges import TIGHT64
from harness.failures import fail
from harness.kernels import (DEVICE, assert_traffic, kata_module, kernel_does_the_work, new_output_on_input_device,
                             traffic)
from katas.kernels.softmax import online_softmax, online_softmax_kernel, softmax, softmax_kernel

HINT_ONE_BLOCK = ("cols = tl.arange(0, BLOCK); mask = cols < n_cols; x = tl.load(x_ptr + row * x_row_stride + "
                  "cols, mask=mask, other=float('-inf')).to(tl.float32); e = tl.exp(x - tl.max(x, axis=0)); "
                  "store e / tl.sum(e, axis=0)")
HINT_ONLINE = ("first pass over the blocks: m_new = tl.maximum(m, tl.max(x, axis=0)); l = l * tl.exp(m - m_new) + "
               "tl.sum(tl.exp(x - m_new), axis=0); m = m_new. Second pass: store tl.exp(x - m) / l")
HINT_WRAPPER = ("x2 = x.reshape(-1, N) (contiguous when x2.stride(-1) != 1); out = torch.empty((rows, N), dtype=x.dtype, "
                "device=x.device); kernel[(rows,)](x2, out, N, x2.stride(0), out.stride(0), BLOCK=...); "
                "return out.view(x.shape)")


def rows_of(*shape, dtype=torch.float32, seed=0, scale=3.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g) * scale).to(dtype).to(DEVICE)


def ref(x):
    return torch.softmax(x.double(), dim=-1).to(x.dtype)


def module():
    return kata_module(softmax)


# exp(-inf - (-inf)) in the interpreter's numpy arithmetic: the NaN the contract expects
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

FUNCS = {"softmax": lambda x: softmax(x), "online_softmax": lambda x: online_softmax(x, block=8)}


# -------------------------------------------------------------------------------- softmax

def test_softmax_kernel_reads_strided_rows_and_masks_as_minus_inf():
    """3 rows of 5 inside wider matrices (row strides 8 and 7), BLOCK 16; every entry < 0, so
    masked lanes loaded as 0 would win the max."""
    base = -rows_of(3, 8, seed=1).abs() - 1
    out_base = torch.full((3, 7), -5.0, device=DEVICE)
    x, out = base[:, :5], out_base[:, :5]
    softmax_kernel[(3,)](x, out, 5, 8, 7, BLOCK=16)
    what = "softmax_kernel[(3,)](x rows of 5 every 8 elements, out rows every 7, n_cols=5, BLOCK=16)"
    assert_close(out, ref(x), what=what, hint="row r starts at x_ptr + r * x_row_stride and out_ptr + r * "
                 "out_row_stride; " + HINT_ONE_BLOCK)
    assert_close(out_base[:, 5:], torch.full((3, 2), -5.0, device=DEVICE), what=f"{what}: out beyond each row",
                 hint="store with mask=cols < n_cols")


SHAPES = [(4, 5), (3, 1), (2, 3, 16), (1, 37), (6,), (2, 2, 3, 5)]  # 4-D: any number of leading dims


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
def test_softmax_matches_torch(dtype):
    for shape in SHAPES:
        x = rows_of(*shape, dtype=dtype, seed=2)
        with unchanged(x, names=["x"]):
            out = softmax(x)
        assert_close(out, ref(x), what=f"softmax(x {shape} {dtype})", hint=HINT_ONE_BLOCK + "; " + HINT_WRAPPER)


def _one_launch(t, kernel, rows, block, what):
    names = [launch.kernel for launch in t.launches]
    if names != [kernel]:
        fail(f"{what} launched {names or 'nothing'}; the contract is one launch of {kernel}\n{t}", HINT_WRAPPER)
    launch = t.launches[0]
    if launch.grid != (rows, 1, 1):
        fail(f"{what} launched {kernel} over the grid {launch.grid}; expected ({rows},): one program per row",
             HINT_WRAPPER)
    if launch.args.get("BLOCK") != block:
        fail(f"{what} launched {kernel} with BLOCK={launch.args.get('BLOCK')}; expected BLOCK={block}", HINT_WRAPPER)


@pytest.mark.parametrize("shape", [(3, 5), (2, 2, 16), (2, 1)], ids=str)
def test_softmax_launches_one_program_per_row(shape):
    x = rows_of(*shape, seed=3)
    with traffic(module()) as t:
        softmax(x)
    rows, N = x.numel() // shape[-1], shape[-1]
    _one_launch(t, "softmax_kernel", rows, triton.next_power_of_2(N),
                f"softmax(x {shape}) (BLOCK = triton.next_power_of_2({N}))")


def test_softmax_long_rows_are_one_block():
    """No cap on the row length: N = 5000 is one block of 8192 lanes (a BLOCK capped at 1024 or 4096
    would leave the rest of each row unwritten)."""
    x = rows_of(2, 5000, seed=42)
    with traffic(module()) as t:
        out = softmax(x)
    what = "softmax(x (2, 5000))"
    _one_launch(t, "softmax_kernel", 2, 8192, what + " (BLOCK = triton.next_power_of_2(5000) = 8192, whatever N is)")
    assert_close(out, ref(x), what=what, hint=HINT_ONE_BLOCK)


def test_softmax_traffic():
    x = rows_of(3, 6, seed=4)
    with traffic(module()) as t:
        softmax(x)
    n = x.numel()
    assert_traffic(t.loaded_from("x_ptr"), 4 * n, what="softmax(x (3, 6) float32): loads of x", report=t,
                   how=f"each of the n = {n} elements loaded once, 4 bytes each; masked lanes move nothing",
                   hint="one tl.load of the row, reused for the max, the exp and the sum")
    assert_traffic(t.stored_bytes, 4 * n, what="softmax(x (3, 6) float32): stores", report=t,
                   how=f"each of the n = {n} outputs stored once")
    if t.stored_to("out_ptr") < 4 * n:
        fail(f"softmax(x (3, 6)): stored {t.stored_to('out_ptr')} bytes to out_ptr, fewer than its {4 * n}\n{t}",
             HINT_ONE_BLOCK)


# -------------------------------------------------------------------------------- online_softmax

def test_online_kernel_reads_strided_rows():
    base = rows_of(2, 23, seed=5)
    out_base = torch.full((2, 21), -5.0, device=DEVICE)
    x, out = base[:, :19], out_base[:, :19]
    online_softmax_kernel[(2,)](x, out, 19, 23, 21, BLOCK=8)
    what = "online_softmax_kernel[(2,)](x rows of 19 every 23 elements, out rows every 21, n_cols=19, BLOCK=8)"
    assert_close(out, ref(x), what=what, hint="row r starts at x_ptr + r * x_row_stride and out_ptr + r * "
                 "out_row_stride; blocks at start + tl.arange(0, BLOCK) for start in range(0, n_cols, BLOCK), "
                 "masked with start + cols < n_cols; " + HINT_ONLINE)
    assert_close(out_base[:, 19:], torch.full((2, 2), -5.0, device=DEVICE), what=f"{what}: out beyond each row",
                 hint="mask the store of the ragged last block")


@pytest.mark.parametrize("shape,block", [((3, 16), 4), ((2, 2, 21), 8), ((2, 5), 1), ((1, 1), 1), ((2, 9), 16),
                                         ((3, 12), 64), ((2, 32), 32), ((2, 2, 3, 5), 4)], ids=str)
def test_online_softmax_matches_torch(shape, block):
    """block smaller than N (ragged or not), equal to it, larger; block 1; N = 1."""
    x = rows_of(*shape, seed=6)
    with unchanged(x, names=["x"]):
        out = online_softmax(x, block=block)
    assert_close(out, ref(x), what=f"online_softmax(x {shape}, block={block})", hint=HINT_ONLINE)


@pytest.mark.parametrize("order", ["rising", "falling"])
def test_online_softmax_rescales_when_the_max_moves(order):
    """Each block's entries are larger (or smaller) than the last block's: the running max moves."""
    ramp = torch.linspace(-6, 6, 24, device=DEVICE)
    x = torch.stack([ramp, ramp * 0.5 + 1]) if order == "rising" else torch.stack([ramp.flip(0), ramp.flip(0) * 2])
    x = x + rows_of(2, 24, seed=7, scale=0.1)
    out = online_softmax(x, block=4)
    assert_close(out, ref(x), what=f"online_softmax(x (2, 24) {order} along the row, block=4)",
                 hint="when a block raises the max from m to m_new, rescale what was summed: "
                      "l = l * tl.exp(m - m_new) + tl.sum(tl.exp(x - m_new)); the second pass uses the final m")


@pytest.mark.parametrize("shape,block", [((3, 40), None), ((2, 20), 8), ((4, 3), 1), ((2, 3000), 2048)], ids=str)
def test_online_softmax_launches_one_program_per_row(shape, block):
    x = rows_of(*shape, seed=8)
    with traffic(module()) as t:
        online_softmax(x) if block is None else online_softmax(x, block=block)
    rows = x.numel() // shape[-1]
    _one_launch(t, "online_softmax_kernel", rows, 1024 if block is None else block,
                f"online_softmax(x {shape}{'' if block is None else f', block={block}'})"
                + (" (block defaults to 1024)" if block is None else ""))


@pytest.mark.parametrize("block", [8, 64])
def test_online_kernel_walks_the_row_in_blocks_of_block(block):
    """x (2, 40): each program loads its row in 2 * cdiv(40, BLOCK) pieces of at most BLOCK columns
    (10 of 8, or 2 of 64: one per block and pass). A step fixed in the kernel, ignoring BLOCK, gives
    the same values and bytes and shows here only."""
    x = rows_of(2, 40, seed=56)
    with traffic(module(), trace=True) as t:
        out = online_softmax(x, block=block)
    what = f"online_softmax(x (2, 40), block={block})"
    steps = 2 * triton.cdiv(40, block)
    for program, parts in t.launches[0].accesses("load", "x_ptr").items():  # one part per tl.load of x
        widths = sorted({len(np.unique(part % 40)) for part in parts})
        if len(parts) != steps or widths[-1] > block:
            fail(f"{what}: program {program[0]} loaded its row in {len(parts)} pieces of {widths} columns; two "
                 f"passes of BLOCK={block} columns at a time load it in 2 * cdiv(40, {block}) = {steps} pieces of at "
                 f"most {block}",
                 "cols = tl.arange(0, BLOCK); for start in range(0, n_cols, BLOCK): one block per step, in each pass")
    assert_close(out, ref(x), what=what, hint=HINT_ONLINE)


def test_online_softmax_traffic():
    x = rows_of(2, 19, seed=9)
    with traffic(module()) as t:
        online_softmax(x, block=8)
    n = x.numel()
    assert_traffic(t.loaded_from("x_ptr"), 2 * 4 * n, what="online_softmax(x (2, 19) float32, block=8): loads of x",
                   report=t, how=f"two passes, each loading the n = {n} elements once (4 bytes): 2 * {n} * 4",
                   hint="pass 1 finds the max AND the sum together (online); pass 2 writes. A separate max pass "
                        "reads the row a third time")
    assert_traffic(t.stored_bytes, 4 * n, what="online_softmax(x (2, 19) float32, block=8): stores", report=t,
                   how=f"each output stored once: {n} * 4", hint="store only in the second pass")
    if t.stored_to("out_ptr") < 4 * n:
        fail(f"online_softmax: stored {t.stored_to('out_ptr')} bytes to out_ptr, fewer than its {4 * n}\n{t}",
             HINT_ONLINE)


# -------------------------------------------------------------------------------- both

def test_half_rows_are_accumulated_in_float32():
    """A float16 row of 64: one entry 0 (exp = 1) and 63 entries near -9.8 (exp ~ 5.6e-5), in
    blocks of 8. Each later block adds ~4.5e-4 to a running sum near 1, less than half a float16
    step there (4.9e-4): a float16 running sum drops every one of them, ~0.3% in all."""
    x = torch.full((1, 64), -9.8, device=DEVICE) + rows_of(1, 64, seed=10, scale=0.01)
    x[0, 0] = 0.0
    x = x.half()
    out = online_softmax(x, block=8)
    assert_close(out, ref(x), what="online_softmax(x (1, 64) float16: one 0, the rest near -9.8, block=8)",
                 hint="convert each loaded block to float32 (x.to(tl.float32)) and keep m and l in float32 "
                      "(tl.zeros((), tl.float32)); round to float16 only on the store", rtol=1e-3, atol=0)
    x = rows_of(2, 12, seed=11).to(torch.bfloat16)
    for name, fn in FUNCS.items():
        assert_close(fn(x), ref(x), what=f"{name}(x (2, 12) bfloat16)",
                     hint="convert the loaded bfloat16 to float32 before any arithmetic (Triton's CPU interpreter "
                          "has no bfloat16 arithmetic)")


def test_float64():
    x = rows_of(3, 13, dtype=torch.float64, seed=12)
    for name, fn in FUNCS.items():
        assert_close(fn(x), ref(x), what=f"{name}(x (3, 13) float64)",
                     hint="float64 stays float64: convert only half and float32 inputs to float32", **TIGHT64)


def test_large_entries_are_stable():
    """Rows 0-1: entries of +-1e4 (exp overflows float32 past ~88). Row 2: every entry <= -1000,
    so a running max started at 0 instead of -inf never moves and every exp(x - 0) underflows to
    0 (a 0 / 0 row). Row 3: every entry -1e35 (finite float32): a running max started at a finite
    "minus infinity" such as -1e30 never moves either (the softmax of equal entries is uniform)."""
    x = rows_of(4, 11, seed=13) * 3000
    x[2] = -x[2].abs() - 1000
    x[3] = -1e35
    for name, fn in FUNCS.items():
        assert_close(fn(x), ref(x), what=f"{name}(x (4, 11) with entries up to ~1e4, row 2 all <= -1000, "
                     f"row 3 all -1e35)",
                     hint="subtract the (running) max before tl.exp; start the running max at -inf "
                          "(tl.full((), float('-inf'), tl.float32)), not 0 and not a finite stand-in like -1e30: "
                          "a row of only very negative entries has a max far below it")


def test_minus_inf_entries():
    x = rows_of(4, 20, seed=14)
    x[0, ::3] = float("-inf")          # scattered masked scores
    x[1, :17] = float("-inf")          # the first blocks (of 8) hold nothing but -inf
    x[2, 5:] = float("-inf")           # the last blocks are all -inf
    x[3] = float("-inf")               # nothing but -inf: NaN, like torch
    for name, fn in FUNCS.items():
        out = fn(x)
        assert_close(out, ref(x), what=f"{name}(x (4, 20) with -inf entries: scattered, in the first blocks, in "
                     f"the last blocks, a whole row)",
                     hint="a block whose entries are all -inf leaves m = -inf, and exp(-inf - (-inf)) is NaN: use "
                          "tl.where(m_new == float('-inf'), ...) to add nothing until a finite entry arrives")


def test_non_contiguous_inputs():
    """The last case, rows_of(2, 3, 9)[:, :2]: unit stride along N but rows not evenly spaced
    (strides (27, 9, 1)): no single row stride reaches all 4 rows, so reshape has to copy."""
    for x in [non_contiguous(rows_of(2, 2, 9, seed=15)), rows_of(7, 3, seed=16).t(), rows_of(2, 10, seed=17)[:, 1:8],
              rows_of(2, 3, 9, seed=19)[:, :2]]:
        for name, fn in FUNCS.items():
            with unchanged(x, names=["x"]), traffic(module()) as t:
                out = fn(x)
            what = f"{name}(x {tuple(x.shape)} with strides {x.stride()})"
            N = x.shape[-1]  # one launch over all rows on every layout: no loop of launches over a leading dim
            _one_launch(t, f"{name}_kernel", x.numel() // N, triton.next_power_of_2(N) if name == "softmax" else 8,
                        what + " (any layout: still one launch, grid (rows,), rows = x.numel() // N)")
            assert_close(out, ref(x), what=what, hint="pass the row stride (x2.stride(0)) to the kernel, and make x "
                         "contiguous first when its last dim is not (stride(-1) != 1); the rows of x.reshape(-1, N) "
                         "are evenly spaced (reshape copies when they cannot be), those of x.stride(-2) need not "
                         "be; " + HINT_WRAPPER)
            if not out.is_contiguous() or out.shape != x.shape or out.data_ptr() == x.data_ptr():
                fail(f"{what}: return a new contiguous tensor of x's shape", HINT_WRAPPER)


@pytest.mark.parametrize("name", FUNCS)
def test_returns_a_new_tensor_on_x_device(name):
    """Two calls of the same shape give two tensors (no output buffer kept between calls, which the
    second call would overwrite), and the output is made on x's device, not on the default one
    (under the interpreter: with a default device of meta; on a GPU a CPU output fails the launch)."""
    f = FUNCS[name]
    x = rows_of(2, 5, seed=41)
    first = f(x)
    expected = first.clone()
    what = f"{name}(x (2, 5))"
    hint = ("out = torch.empty(x.shape, dtype=x.dtype, device=x.device) at every call, never a buffer kept from "
            "an earlier call or made without device=")
    new_output_on_input_device(lambda: f(-x), first, expected, what=what, hint=hint)
    empty = torch.empty(0, 5, device=DEVICE)  # the early return for an empty x too
    first = f(empty)
    new_output_on_input_device(lambda: f(empty), first, first.clone(), what=f"{name}(x (0, 5))", hint=hint)


def test_empty():
    for dtype in (torch.float32, torch.float16, torch.float64):  # empty, and still of x's dtype
        for shape in [(0, 5), (3, 0), (2, 0, 4)]:
            x = torch.empty(shape, dtype=dtype, device=DEVICE)
            for name, fn in FUNCS.items():
                assert_close(fn(x), x, what=f"{name}(x {shape} {dtype})", hint="no elements: return an empty tensor "
                             "of x's shape and dtype (no launch needed): torch.empty(x.shape, dtype=x.dtype, "
                             "device=x.device), torch.empty's default dtype is float32")


@pytest.mark.parametrize("name", FUNCS)
def test_rejects_a_scalar_or_integer_x(name):
    fn = {"softmax": softmax, "online_softmax": online_softmax}[name]
    with traffic(module()) as t:
        assert_raises(ValueError, fn, torch.tensor(2.0, device=DEVICE), contract="ValueError when x is 0-dim, "
                      "naming its shape", mentions=["()"], what=f"{name}(x of shape ())")
        for shape in [(2, 3), (0, 3)]:  # an empty x too: check the dtype before any early return
            for dtype in (torch.int64, torch.int32, torch.uint8, torch.bool):  # every non-float, not a list of some
                dname = str(dtype).removeprefix("torch.")
                assert_raises(ValueError, fn, torch.ones(shape, dtype=dtype, device=DEVICE),
                              contract="ValueError when x is not floating point, naming the dtype", mentions=[dname],
                              what=f"{name}(x {shape} {dname})",
                              hint="check x's dtype before the launch, and before any early return for an empty x: "
                                   "x.is_floating_point(), not a list of refused dtypes")
    if t.count:
        fail(f"{name}: raise the ValueError before any launch (it launched {t.count} kernels)")


@pytest.mark.parametrize("block", [3, 0, 24])
def test_rejects_a_block_that_is_not_a_power_of_two(block):
    for rows in (2, 0):  # an empty x has nothing to launch, but block is still wrong
        assert_raises(ValueError, online_softmax, rows_of(rows, 5), block=block,
                      contract="ValueError when block is not a power of two >= 1, naming block", mentions=[block],
                      what=f"online_softmax(x ({rows}, 5), block={block})",
                      hint="check block before the launch, and before any early return for an empty x")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.bfloat16], ids=str)
def test_the_kernels_do_the_work(dtype):
    """float16 and bfloat16 too: a float32 output converted to x's dtype in the wrapper (.to) is
    torch computation outside the kernel (bfloat16 is converted in the kernel, after the load, not by
    a float32 detour in the wrapper); the kernel's store rounds to x's dtype."""
    cases = [rows_of(3, 7, dtype=dtype, seed=18)]
    if dtype == torch.float32:  # every path of the wrappers: N = 1, a 1-D x, a last dim that is not contiguous
        cases += [rows_of(3, 1, seed=43), rows_of(9, seed=44), rows_of(7, 3, seed=45).t()]
    for x in cases:
        for name, fn in FUNCS.items():
            what = f"{name}(x {tuple(x.shape)} {dtype}{'' if x.is_contiguous() else ' transposed'})"
            out = kernel_does_the_work(fn, x, what=what, allow=("clone",))
            assert_close(out, ref(x), what=what,
                         hint=HINT_WRAPPER + "; the output is allocated in x's dtype and the kernel's store rounds: "
                              "y.to(out_ptr.dtype.element_ty); no torch shortcut for a small or special shape")


# -------------------------------------------------------------------------------- GPU budgets

@gpu
def test_gpu_softmax_latency_near_torch():
    x = torch.randn(4096, 2048, device="cuda")
    ratio = time_ratio(softmax, lambda x: torch.softmax(x, -1), x)
    assert ratio < 1.5, f"softmax took {ratio:.2f}x torch.softmax's time on (4096, 2048) float32 (budget 1.5x)"


@gpu
def test_gpu_online_softmax_latency_near_torch():
    """Rows of 32768 in blocks of 1024: two reads and one write, as torch's own kernel."""
    x = torch.randn(512, 32768, device="cuda")
    ratio = time_ratio(lambda x: online_softmax(x, block=1024), lambda x: torch.softmax(x, -1), x)
    assert ratio < 2.0, f"online_softmax took {ratio:.2f}x torch.softmax's time on (512, 32768) (budget 2x)"


@gpu
def test_gpu_softmax_allocates_only_its_output():
    x = torch.randn(2048, 2048, device="cuda", dtype=torch.float16)
    for fn in (softmax, online_softmax):
        peak = cuda_peak_bytes(fn, x)
        assert peak <= x.numel() * 2 * 1.05, (
            f"{fn.__name__}'s peak was {peak} bytes above what was live; its output alone is {x.numel() * 2}")
