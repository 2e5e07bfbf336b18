"""Specs for katas/kernels/rmsnorm.py (day 36): fused RMSNorm forward and backward in Triton.

The oracle is torch: F.rms_norm in float64 (values and autograd gradients), never values
copied from the reference solution. Inputs have a non-zero mean (no LayerNorm passes) and a
non-trivial weight; row widths N are ragged (5, 13, 33: not powers of two) and 1.

Contract -> specs:
- rms_norm_forward: y vs F.rms_norm, rstd vs 1/sqrt(mean(x^2) + eps), shapes and dtypes,
  ragged N and N = 1, N = 129 (past a fixed block of 64 or 128), one row and many:
  test_forward_matches_torch
- eps inside the sqrt, as given (an explicit 0.0 too), default 1e-6 (rms_norm_forward and
  rms_norm): test_eps_inside_the_sqrt
- rms_norm_forward / rms_norm_backward return tuples (not lists): check_forward, check_backward
- any float dtype in, y in x's dtype, rstd/partials in the accumulation dtype:
  test_forward_dtypes, test_backward_dtypes
- every load converted to float32 before arithmetic (float16 rows with |x| ~ 100):
  test_float16_sum_of_squares_accumulates_in_float32; y rounded to float16 once, when stored:
  test_float16_y_rounded_once
- dx's mean term c kept in float32 (float16 dy = 1000 * x, where dx cancels):
  test_float16_dx_mean_term_in_float32
- dw reduced across rows in the accumulation dtype (float16 partial sums overflow):
  test_float16_weight_gradient_accumulates_in_float32
- any strides, read in place (sliced, transposed x and dy): test_strided_inputs
- rms_norm_backward: dx (contiguous), dw vs autograd of F.rms_norm, M below and above the
  number of programs, M = 1, N = 33 (dw's reduction covers every column), N = 129 (no fixed block):
  test_backward_matches_torch
- rms_norm / RMSNormFunction: any leading dims, 1-D x, non-contiguous x and dy, value and
  both gradients vs F.rms_norm: test_rms_norm_autograd; saves x, weight, rstd, never y:
  test_saves_x_weight_rstd_never_y; float64 to 1e-10, after a float32 call of the same shape
  (nothing kept between calls): test_float64_to_1e_10;
  finite differences: test_gradcheck
- M = 0 (no launch, dtypes as for any M; dw zeros, not an unwritten torch.empty): test_empty_batch
- errors (ValueError before any launch, message names the shapes; rms_norm_backward
  validates weight too; M = 0 validated as well): test_errors
- y, rstd, dx, dw new tensors at every call, on the inputs' device (no buffer kept between calls, none
  made without device=, the dw partials included): test_new_outputs_on_the_inputs_device
- inputs not modified: test_inputs_unchanged
- the wrappers compute nothing with torch, all maths in kernels, strided x read in place
  without a copy, in float32 and float16 (no float32 y cast by the wrapper; harness.kernels
  kernel_does_the_work): test_kernels_do_the_work
- forward: ONE launch; x loaded once, y stored once (traffic budget):
  test_forward_traffic_reads_x_once_writes_y_once
- backward: at most two launches; dy and x loaded once (traffic budget): test_backward_traffic
- on a CUDA device (gpu marker, skipped here): latency within 3x of F.rms_norm,
  test_gpu_latency_against_torch
"""

import pytest
import torch
import torch.nn.functional as F

from harness.budgets import gpu, time_ratio
from harness.checks import assert_close, assert_raises, gradcheck, non_contiguous, unchanged
from harness.kernels import (DEVICE, assert_traffic, kata_module, kernel_does_the_work, nan_filled_empty,
                             new_output_on_input_device, traffic)
from katas.kernels.rmsnorm import RMSNormFunction, rms_norm, rms_norm_backward, rms_norm_forward  # noqa: F401
HALF = (torch.float16, torch.bfloat16)
TOL = {torch.float16: dict(rtol=2e-3, atol=1e-3), torch.bfloat16: dict(rtol=1.6e-2, atol=1e-2),
       torch.float32: dict(rtol=1e-4, atol=1e-5), torch.float64: dict(rtol=1e-10, atol=1e-12)}
HINT_FWD = ("each program normalises one row: rstd = 1 / sqrt(sum(x * x) / N + eps) over the N "
            "real columns (masked loads give 0 beyond N; divide by N, not by the block width), "
            "y = x * rstd * w")
HINT_MASK = ("the block is triton.next_power_of_2(N) wide: mask every load and store with "
             "cols < N (other=0.0 for loads), and step rows and columns with the strides")
HINT_BWD = ("per row, x_hat = x * rstd, c = sum(w * dy * x_hat) / N, dx = (w * dy - x_hat * c) "
            "* rstd; dw = sum over ALL rows of dy * x_hat: each program adds up its rows into "
            "a partial row, and a second kernel adds the partial rows")
HINT_ACC = ("convert every load to float32 (tl.load(...).to(tl.float32)) before any arithmetic "
            "and keep rstd and the dw partials in float32; round to the input dtype only when "
            "storing y, dx and dw")


def rows(m, n, *, seed, dtype=torch.float32, scale=1.0, offset=1.5):
    g = torch.Generator().manual_seed(seed)
    return ((offset + torch.randn(m, n, generator=g, dtype=torch.float64)) * scale).to(dtype).to(DEVICE)


def weight(n, *, seed, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return (1.0 + 0.5 * torch.randn(n, generator=g, dtype=torch.float64)).to(dtype).to(DEVICE)


def acc_dtype(dtype):
    return torch.float64 if dtype == torch.float64 else torch.float32


def reference(x, w, eps, dy=None):
    """(y, rstd, dx, dw) in float64 from F.rms_norm and autograd."""
    x64 = x.detach().to(torch.float64).requires_grad_()
    w64 = w.detach().to(torch.float64).requires_grad_()
    y = F.rms_norm(x64, (x.shape[-1],), w64, eps)
    rstd = torch.rsqrt(x64.detach().pow(2).mean(-1) + eps)
    if dy is None:
        return y.detach(), rstd, None, None
    y.backward(dy.to(torch.float64))
    return y.detach(), rstd, x64.grad, w64.grad


def check_forward(x, w, eps, what, hint=HINT_FWD):
    out = rms_norm_forward(x, w, eps)
    assert type(out) is tuple and len(out) == 2, (
        f"{what} returned a {type(out).__name__}; the contract returns the tuple (y, rstd)")
    y, rstd = out
    y_ref, rstd_ref, _, _ = reference(x, w, eps)
    assert_close(rstd, rstd_ref.to(acc_dtype(x.dtype)), what=f"rstd of {what}", hint=hint + "; " + HINT_ACC)
    assert_close(y, y_ref.to(x.dtype), what=f"y of {what}", **TOL[x.dtype], hint=hint)
    assert y.is_contiguous(), f"y of {what} should be contiguous (allocate it with torch.empty((M, N)))"


# ------------------------------------------------------------------------------ forward

@pytest.mark.parametrize("m,n", [(1, 1), (3, 5), (2, 16), (4, 33), (2, 129)], ids=str)
def test_forward_matches_torch(m, n):
    x, w = rows(m, n, seed=1), weight(n, seed=2)
    check_forward(x, w, 1e-6, f"rms_norm_forward(x ({m}, {n}), w, eps=1e-6)",
                  hint=HINT_FWD + ("; " + HINT_MASK if n & (n - 1) else ""))


@pytest.mark.parametrize("eps", [None, 1e-2, 0.0])
def test_eps_inside_the_sqrt(eps):
    # mean(x^2) ~ 1e-6: the size of the default eps, and far below 1e-2
    x, w = rows(3, 6, seed=3, scale=1e-3), weight(6, seed=4)
    if eps is None:
        y, rstd = rms_norm_forward(x, w)
        what, eps = "rms_norm_forward(x, w) (default eps)", 1e-6
    else:
        y, rstd = rms_norm_forward(x, w, eps)
        what = f"rms_norm_forward(x, w, eps={eps})"
    y_ref, rstd_ref, _, _ = reference(x, w, eps)
    hint = ("eps goes inside the square root, 1 / sqrt(mean(x^2) + eps), used exactly as given "
            "(default 1e-6); it decides the result when x is small")
    assert_close(rstd, rstd_ref.float(), what=f"rstd of {what} on x ~ 1e-3", hint=hint)
    assert_close(y, y_ref.float(), what=f"y of {what} on x ~ 1e-3", hint=hint)
    if what.endswith("(default eps)"):
        assert_close(rms_norm(x, w), y_ref.float(), what="rms_norm(x, w) (default eps) on x ~ 1e-3", hint=hint)
    else:
        assert_close(rms_norm(x, w, eps), y_ref.float(), what=f"rms_norm(x, w, eps={eps}) on x ~ 1e-3",
                     hint=hint + "; an explicit eps=0.0 is 0, not the default (no `eps or 1e-6`)")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64], ids=str)
def test_forward_dtypes(dtype):
    x, w = rows(3, 13, seed=5, dtype=dtype), weight(13, seed=6, dtype=dtype)
    y, rstd = rms_norm_forward(x, w, 1e-5)
    assert y.dtype == dtype and rstd.dtype == acc_dtype(dtype), (
        f"rms_norm_forward on {dtype}: y is {y.dtype} and rstd {rstd.dtype}; expected y in x's "
        f"dtype and rstd in the accumulation dtype {acc_dtype(dtype)}")
    check_forward(x, w, 1e-5, f"rms_norm_forward on {dtype} x (3, 13)", hint=HINT_FWD + "; " + HINT_ACC)


def test_float16_sum_of_squares_accumulates_in_float32():
    # |x| ~ 100, N = 64: the sum of squares (~6e5) overflows float16 (max 65504); the norm
    # itself is harmless (rstd ~ 1e-2, y ~ w)
    x, w = rows(2, 64, seed=7, dtype=torch.float16, scale=70.0), weight(64, seed=8, dtype=torch.float16)
    check_forward(x, w, 1e-6, "rms_norm_forward on float16 rows with |x| ~ 100 (sum of squares > 65504)",
                  hint=HINT_ACC)


def test_float16_y_rounded_once():
    # y = x * rstd * w all in float32, rounded to float16 once, is the correctly rounded value
    # of the exact y (float32's error is ~1e-7, a float16 ulp ~1e-3): at most a stray element
    # differs. Rounding x * rstd to float16 before multiplying by w (as in the familiar
    # `weight * hidden.to(input_dtype)`) rounds twice and misses about 1 element in 4.
    x, w = rows(4, 64, seed=50, dtype=torch.float16), weight(64, seed=51, dtype=torch.float16)
    y, _ = rms_norm_forward(x, w, 1e-6)
    y_ref = reference(x, w, 1e-6)[0].to(torch.float16)
    off = int((y != y_ref).sum())
    assert off <= 2, (
        f"rms_norm_forward on float16 x (4, 64): {off} of 256 elements of y differ from the correctly "
        f"rounded float16 value (expected at most 2); hint: compute y = x * rstd * w entirely in float32 "
        f"and round to float16 once, when storing (not x * rstd rounded first, then times w)")


# ------------------------------------------------------------------------------ backward

def check_backward(dy, x, w, eps, what, hint=HINT_BWD):
    _, rstd = rms_norm_forward(x, w, eps)
    out = rms_norm_backward(dy, x, w, rstd)
    assert type(out) is tuple and len(out) == 2, (
        f"{what} returned a {type(out).__name__}; the contract returns the tuple (dx, dw)")
    dx, dw = out
    _, _, dx_ref, dw_ref = reference(x, w, eps, dy)
    assert dx.dtype == x.dtype and dw.dtype == w.dtype, (
        f"{what}: dx is {dx.dtype} and dw {dw.dtype}; expected x's dtype {x.dtype} and weight's {w.dtype}")
    assert_close(dx, dx_ref.to(x.dtype), what=f"dx of {what}", **TOL[x.dtype], hint=hint)
    assert_close(dw, dw_ref.to(w.dtype), what=f"dw of {what}", **TOL[x.dtype], hint=hint)
    assert dx.is_contiguous(), (f"dx of {what} has strides {dx.stride()}; it should be a new contiguous "
                                f"(M, N) tensor (torch.empty((M, N)), not torch.empty_like(x) of a strided x)")


@pytest.mark.parametrize("m,n", [(1, 5), (3, 16), (9, 13), (5, 33), (2, 129)], ids=str)
def test_backward_matches_torch(m, n):
    x, w, dy = rows(m, n, seed=9), weight(n, seed=10), rows(m, n, seed=11, offset=-0.3)
    check_backward(dy, x, w, 1e-6, f"rms_norm_backward with x ({m}, {n})",
                   hint=HINT_BWD + ("; " + HINT_MASK if n & (n - 1) else "")
                   + ("; the dw reduction kernel must cover all N columns (its block and grid follow N)"
                      if n > 32 else ""))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_backward_dtypes(dtype):
    x, w = rows(6, 13, seed=12, dtype=dtype), weight(13, seed=13, dtype=dtype)
    dy = rows(6, 13, seed=14, dtype=dtype, offset=0.2)
    check_backward(dy, x, w, 1e-5, f"rms_norm_backward on {dtype}", hint=HINT_BWD + "; " + HINT_ACC)


def test_float16_dx_mean_term_in_float32():
    # dy = 1000 * x: w * dy and x_hat * c (c = mean(w * dy * x_hat) ~ 1e3) nearly cancel, so c
    # rounded to float16 (steps of 0.5 there) shifts dx by ~0.1 while dx itself is ~0.5
    x, w = rows(3, 13, seed=62, dtype=torch.float16), torch.ones(13, dtype=torch.float16, device=DEVICE)
    dy = (x.double() * 1000).half()
    check_backward(dy, x, w, 1e-6, "rms_norm_backward on float16 with dy = 1000 * x (w * dy - x_hat * c cancels)",
                   hint="keep c = sum(w * dy * x_hat) / N (and every intermediate) in float32; round only dx "
                        "to float16, once, when storing; " + HINT_ACC)


def test_float16_weight_gradient_accumulates_in_float32():
    # dy * x_hat ~ +-3e4 per row, rows in + + - - pairs: partial sums pass 65504 (inf in
    # float16) although dw itself is small
    m, n = 8, 5
    x = rows(1, n, seed=15, dtype=torch.float16).expand(m, n).contiguous()
    sign = torch.tensor([1.0, 1.0, -1.0, -1.0] * (m // 4), dtype=torch.float64)[:, None]
    g = torch.Generator().manual_seed(16)
    dy = ((3e4 + 100 * torch.randn(m, n, generator=g, dtype=torch.float64)) * sign).to(torch.float16).to(DEVICE)
    w = weight(n, seed=17, dtype=torch.float16)
    _, rstd = rms_norm_forward(x, w, 1e-6)
    _, dw = rms_norm_backward(dy, x, w, rstd)
    _, _, _, dw_ref = reference(x, w, 1e-6, dy)
    assert_close(dw, dw_ref.to(torch.float16), what="dw of rms_norm_backward on float16 with large "
                 "cancelling rows (partial sums above 65504)", rtol=2e-3, atol=2.0,
                 hint="sum dw over the rows in float32 (the partials buffer in float32 too), and "
                      "round to float16 once, at the end; " + HINT_ACC)


# ------------------------------------------------------------------------------ autograd

@pytest.mark.parametrize("shape,strided", [((2, 3, 13), False), ((5,), False), ((1, 1, 4), False),
                                          ((2, 3, 5), True)], ids=str)
def test_rms_norm_autograd(shape, strided):
    # strided: x and the incoming dy are non-contiguous (x.view(-1, N) / dy.view(...) raise on them)
    n = shape[-1]
    x = rows(1, int(torch.tensor(shape).prod()), seed=23).reshape(shape)
    x = (non_contiguous(x) if strided else x).requires_grad_()
    w = weight(n, seed=24).requires_grad_()
    dy = rows(1, x.numel(), seed=25, offset=-0.4).reshape(shape)
    dy = non_contiguous(dy) if strided else dy
    shown = f"{'non-contiguous ' if strided else ''}x of shape {shape}"
    y = rms_norm(x, w, 1e-6)
    y_ref, _, dx_ref, dw_ref = reference(x, w, 1e-6, dy)
    assert_close(y, y_ref.float(), what=f"rms_norm({shown}, w)",
                 hint="flatten the leading dims (x.reshape(-1, N): .view fails on a non-contiguous x), "
                      "run the forward, view y as x's shape")
    y.backward(dy)
    assert x.grad is not None and w.grad is not None, (
        f"rms_norm(x of shape {shape}, w).backward() gave no gradient to "
        f"{'x' if x.grad is None else 'weight'}; RMSNormFunction.backward returns (dx, dw, None)")
    assert_close(x.grad, dx_ref.float(), what=f"x.grad after rms_norm({shown}, w).backward({'non-contiguous ' if strided else ''}dy)",
                 hint=HINT_BWD + "; dy may arrive non-contiguous: dy.reshape(M, N) (or pass its strides), not dy.view")
    assert_close(w.grad, dw_ref.float(), what=f"weight.grad after rms_norm({shown}, w).backward(dy)",
                 hint=HINT_BWD)


def test_saves_x_weight_rstd_never_y():
    x, w = rows(3, 13, seed=47).requires_grad_(), weight(13, seed=48).requires_grad_()
    saved = []
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        y = rms_norm(x, w, 1e-6)
    storages = [t.untyped_storage().data_ptr() for t in saved]
    assert y.untyped_storage().data_ptr() not in storages, (
        f"RMSNormFunction.forward saved y for the backward (saved shapes {[tuple(t.shape) for t in saved]}); "
        f"the contract saves x, weight and rstd only, never y: the backward recomputes x_hat = x * rstd")


def test_float64_to_1e_10():
    x = rows(4, 7, seed=26, dtype=torch.float64).reshape(2, 2, 7).requires_grad_()
    w = weight(7, seed=27, dtype=torch.float64).requires_grad_()
    dy = rows(4, 7, seed=28, dtype=torch.float64, offset=0.3).reshape(2, 2, 7)
    # the same shape in float32 first: nothing (a partials buffer, a block table) kept from that
    # call may be reused for the float64 one
    rms_norm(x.detach().float().requires_grad_(), w.detach().float().requires_grad_(), 1e-5).backward(dy.float())
    y = rms_norm(x, w, 1e-5)
    y.backward(dy)
    y_ref, _, dx_ref, dw_ref = reference(x, w, 1e-5, dy)
    hint = ("float64 inputs accumulate in float64: rstd and the dw partials are float64 too (allocated "
            "for each call in the accumulation dtype, not kept from an earlier float32 call)")
    assert_close(y, y_ref, what="rms_norm on float64", rtol=1e-10, atol=1e-12, hint=hint)
    assert_close(x.grad, dx_ref, what="x.grad of rms_norm on float64", rtol=1e-10, atol=1e-12, hint=hint)
    assert_close(w.grad, dw_ref, what="weight.grad of rms_norm on float64", rtol=1e-10, atol=1e-12, hint=hint)


def test_gradcheck():
    x, w = rows(3, 5, seed=29, dtype=torch.float64), weight(5, seed=30, dtype=torch.float64)
    gradcheck(lambda a, b: rms_norm(a, b, 1e-6), x, w, what="rms_norm(x (3, 5), w)", fast_mode=True,
              hint=HINT_BWD)


def test_empty_batch():
    w = weight(6, seed=31).requires_grad_()
    x = torch.empty(0, 6, device=DEVICE)
    y, rstd = rms_norm_forward(x, w.detach(), 1e-6)
    assert y.shape == (0, 6) and rstd.shape == (0,), (
        f"rms_norm_forward on x (0, 6): y {tuple(y.shape)}, rstd {tuple(rstd.shape)}; expected (0, 6) and (0,)")
    y16, rstd16 = rms_norm_forward(x.half(), w.detach().half(), 1e-6)
    assert y16.dtype == torch.float16 and rstd16.dtype == torch.float32, (
        f"rms_norm_forward on a float16 x (0, 6): y is {y16.dtype} and rstd {rstd16.dtype}; expected float16 "
        f"(x's dtype) and float32 (the accumulation dtype), as for any M")
    dx16, dw16 = rms_norm_backward(y16, x.half(), w.detach().half(), rstd16)
    assert dx16.dtype == torch.float16 and dw16.dtype == torch.float16, (
        f"rms_norm_backward on a float16 x (0, 6): dx is {dx16.dtype} and dw {dw16.dtype}; expected float16 "
        f"(x's and weight's dtype), as for any M")
    with traffic(kata_module(rms_norm_backward)) as t, nan_filled_empty():
        dx, dw = rms_norm_backward(torch.empty(0, 6, device=DEVICE), x, w.detach(), rstd)
        rms_norm_forward(x, w.detach(), 1e-6)
    assert t.count == 0, f"rms_norm_forward / rms_norm_backward on M = 0 launched {t.count} kernels; expected none\n{t}"
    assert dx.shape == (0, 6), f"rms_norm_backward on M = 0: dx has shape {tuple(dx.shape)}, expected (0, 6)"
    assert_close(dw, torch.zeros(6, device=DEVICE), what="dw of rms_norm_backward on M = 0",
                 hint="no rows: dw is zeros (allocate it with torch.zeros, not torch.empty: nothing writes it, and "
                      "an unwritten torch.empty holds garbage on a GPU; launch nothing)")
    x3 = torch.empty(2, 0, 6, device=DEVICE, requires_grad=True)
    y3 = rms_norm(x3, w, 1e-6)
    assert y3.shape == (2, 0, 6), f"rms_norm(x (2, 0, 6), w) has shape {tuple(y3.shape)}"
    with nan_filled_empty():
        y3.sum().backward()
    assert_close(w.grad, torch.zeros(6, device=DEVICE), what="weight.grad after rms_norm on x (2, 0, 6)",
                 hint="no rows: dw is zeros")


def test_errors():
    x, w = rows(3, 5, seed=32), weight(5, seed=33)
    contract = "weight's shape not (N,): ValueError naming both shapes"
    assert_raises(ValueError, rms_norm_forward, x.reshape(1, 3, 5), w, contract="x not 2-D: ValueError")
    assert_raises(ValueError, rms_norm_backward, x.reshape(15), x.reshape(15), w, torch.ones(1, device=DEVICE),
                  contract="x not 2-D: ValueError")
    assert_raises(ValueError, rms_norm_forward, x, w.double(), contract="weight's dtype not x's: ValueError")
    # M = 0 validates too: the empty batch is no shortcut past the checks
    empty = x[:0]
    assert_raises(ValueError, rms_norm_forward, empty, weight(7, seed=33), contract=contract + " (M = 0 too)",
                  mentions=("(7,)", "(5,)"))
    assert_raises(ValueError, rms_norm_backward, empty, empty, weight(7, seed=33), torch.empty(0, device=DEVICE),
                  contract=contract + " (M = 0 too)", mentions=("(7,)", "(5,)"))
    _, rstd = rms_norm_forward(x, w, 1e-6)
    with traffic(kata_module(rms_norm_backward)) as t:
        # the forward's shape checks too: a (7,) or (1, 5) weight over N = 5 reads in bounds, so a check
        # made after the launch would still raise, too late
        assert_raises(ValueError, rms_norm_forward, x, weight(7, seed=33), contract=contract, mentions=("(7,)", "(5,)"))
        assert_raises(ValueError, rms_norm_forward, x, w.reshape(1, 5), contract=contract, mentions=("(1, 5)", "(5,)"))
        assert_raises(ValueError, rms_norm, x.reshape(1, 3, 5), weight(7, seed=33), contract=contract,
                      mentions=("(7,)", "(5,)"))
        assert_raises(ValueError, rms_norm_backward, x, x, weight(7, seed=33), rstd, contract=contract,
                      mentions=("(7,)", "(5,)"))
        assert_raises(ValueError, rms_norm_backward, x, x, w.double(), rstd,
                      contract="weight's dtype not x's: ValueError")
        assert_raises(ValueError, rms_norm_forward, x, w.double(), contract="weight's dtype not x's: ValueError")
        assert_raises(ValueError, rms_norm, x, w.half(), contract="weight's dtype not x's: ValueError")
    assert t.count == 0, (f"a call that raises ValueError launched {t.count} kernels first; the contract "
                          f"validates x and weight before any launch\n{t}")


def test_new_outputs_on_the_inputs_device():
    x, w, dy = rows(3, 5, seed=37), weight(5, seed=38), rows(3, 5, seed=39, offset=0.0)
    y, rstd = rms_norm_forward(x, w, 1e-6)
    dx, dw = rms_norm_backward(dy, x, w, rstd)
    kept = [t.clone() for t in (y, rstd, dx, dw)]
    hint = ("allocate y, rstd, dx, dw and the dw partials with torch.empty / zeros(..., device=x.device) at every "
            "call, never buffers kept from an earlier call or made without device=")
    new_output_on_input_device(lambda: rms_norm_forward(2 * x, w, 1e-6)[0], y, kept[0], what="y of rms_norm_forward",
                               hint=hint)
    new_output_on_input_device(lambda: rms_norm_forward(2 * x, w, 1e-6)[1], rstd, kept[1],
                               what="rstd of rms_norm_forward", hint=hint)
    new_output_on_input_device(lambda: rms_norm_backward(-dy, x, w, rstd)[0], dx, kept[2],
                               what="dx of rms_norm_backward", hint=hint)
    new_output_on_input_device(lambda: rms_norm_backward(-dy, x, w, rstd)[1], dw, kept[3],
                               what="dw of rms_norm_backward", hint=hint)


def test_inputs_unchanged():
    x, w, dy = rows(4, 13, seed=34), weight(13, seed=35), rows(4, 13, seed=36, offset=0.0)
    with unchanged(x, w, names=("x", "weight")):
        _, rstd = rms_norm_forward(x, w, 1e-6)
    with unchanged(dy, x, w, rstd, names=("dy", "x", "weight", "rstd")):
        rms_norm_backward(dy, x, w, rstd)


# ------------------------------------------------------------------------------ the kernels do the work

def test_kernels_do_the_work():
    x, w, dy = rows(5, 13, seed=37), weight(13, seed=38), rows(5, 13, seed=39, offset=0.0)
    hint = ("the wrappers only validate, allocate (torch.empty / zeros), view and launch; "
            "rstd, y, dx and dw are computed inside @triton.jit kernels")
    y, rstd = kernel_does_the_work(rms_norm_forward, x, w, 1e-6, what="rms_norm_forward(x, w)")
    y_ref, rstd_ref, dx_ref, dw_ref = reference(x, w, 1e-6, dy)
    assert_close(y, y_ref.float(), what="y of rms_norm_forward(x (5, 13), w)", hint=hint)
    dx, dw = kernel_does_the_work(rms_norm_backward, dy, x, w, rstd, what="rms_norm_backward(dy, x, w, rstd)")
    assert_close(dx, dx_ref.float(), what="dx of rms_norm_backward", hint=hint)
    assert_close(dw, dw_ref.float(), what="dw of rms_norm_backward", hint=hint)
    x3 = x.reshape(1, 5, 13).requires_grad_()
    y3 = kernel_does_the_work(rms_norm, x3, w, 1e-6, what="rms_norm(x (1, 5, 13), w)")
    assert_close(y3, y_ref.float().reshape(1, 5, 13), what="rms_norm(x (1, 5, 13), w)", hint=hint)
    # a transposed x is read in place through its strides: no .contiguous() copy in the wrapper
    xt = rows(13, 5, seed=45).t()
    yt, _ = kernel_does_the_work(rms_norm_forward, xt, w, 1e-6, what="rms_norm_forward(transposed x (5, 13), w)")
    assert_close(yt, reference(xt, w, 1e-6)[0].float(), what="rms_norm_forward(transposed x (5, 13), w)",
                 hint="pass x.stride(0) and x.stride(1) to the kernel instead of copying x")
    dyt = rows(13, 5, seed=46, offset=0.0).t()
    _, rstd_t = rms_norm_forward(xt, w, 1e-6)
    dxt, dwt = kernel_does_the_work(rms_norm_backward, dyt, xt, w, rstd_t,
                                    what="rms_norm_backward(transposed dy, transposed x, w, rstd)")
    _, _, dx_ref_t, dw_ref_t = reference(xt, w, 1e-6, dyt)
    assert_close(dxt, dx_ref_t.float(), what="dx of rms_norm_backward on transposed dy and x",
                 hint="pass the strides of dy and x to the kernel instead of copying them")
    # in half precision too, where a float32 result cast in the wrapper (.to) is torch compute
    xh, wh, dyh = x.half(), w.half(), dy.half()
    _, rstd_h = kernel_does_the_work(rms_norm_forward, xh, wh, 1e-6, what="rms_norm_forward(float16 x, w)")
    kernel_does_the_work(rms_norm_backward, dyh, xh, wh, rstd_h, what="rms_norm_backward(float16 dy, x, w, rstd)")


# ------------------------------------------------------------------------------ traffic budgets

def _itemsize(dtype):
    return torch.empty(0, dtype=dtype).element_size()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=str)
def test_forward_traffic_reads_x_once_writes_y_once(dtype):
    m, n = 6, 13
    x, w = rows(m, n, seed=40, dtype=dtype), weight(n, seed=41, dtype=dtype)
    with traffic(kata_module(rms_norm_forward)) as t:
        rms_norm_forward(x, w, 1e-6)
    assert t.count == 1, (f"rms_norm_forward made {t.count} kernel launches, expected exactly one "
                          f"(one fused kernel: load, reduce, normalise, store)\n{t}")
    s, acc, programs = _itemsize(dtype), 4, t.launches[0].programs
    hint = ("load each row of x once, keep it in registers for both the mean square and the "
            "normalisation, and store each row of y once; mask the ragged block (masked lanes "
            "are not counted)")
    assert_traffic(t.loaded_bytes, m * n * s + programs * n * s, what=f"rms_norm_forward on {dtype} x ({m}, {n}): loads",
                   how=f"ideal: x once ({m}*{n}*{s} B) plus weight once per program "
                       f"({programs} programs * {n}*{s} B)", hint=hint, report=t)
    assert_traffic(t.stored_bytes, m * n * s + m * acc, what=f"rms_norm_forward on {dtype} x ({m}, {n}): stores",
                   how=f"ideal: y once ({m}*{n}*{s} B) plus rstd ({m}*{acc} B)", hint=hint, report=t)


def test_backward_traffic():
    m, n, s, acc = 9, 13, 4, 4
    x, w, dy = rows(m, n, seed=42), weight(n, seed=43), rows(m, n, seed=44, offset=0.0)
    _, rstd = rms_norm_forward(x, w, 1e-6)
    with traffic(kata_module(rms_norm_backward)) as t:
        rms_norm_backward(dy, x, w, rstd)
    assert 1 <= t.count <= 2, (f"rms_norm_backward made {t.count} kernel launches; the contract allows "
                               f"two (the rows' kernel, then the sum of the dw partials)\n{t}")
    p = t.launches[0].programs
    hint = ("each program loads its rows of dy and x once (x_hat, dx and its dw contribution all "
            "come from the same loaded values), writes one float32 partial row of dw, and the "
            "second kernel reads the partials once")
    assert_traffic(t.loaded_bytes, m * n * 2 * s + m * acc + p * n * s + p * n * acc,
                   what=f"rms_norm_backward on x ({m}, {n}): loads",
                   how=f"ideal: dy and x once ({m}*{n}*2*{s} B), rstd ({m}*{acc} B), weight once per "
                       f"program of the first launch ({p}*{n}*{s} B), the dw partials once ({p}*{n}*{acc} B)",
                   hint=hint, report=t)
    assert_traffic(t.stored_bytes, m * n * s + p * n * acc + n * s,
                   what=f"rms_norm_backward on x ({m}, {n}): stores",
                   how=f"ideal: dx once ({m}*{n}*{s} B), one partial row per program ({p}*{n}*{acc} B), dw ({n}*{s} B)",
                   hint=hint, report=t)


# ------------------------------------------------------------------------------ strides

def test_strided_inputs():
    base = rows(5, 26, seed=18)
    x = base[:, ::2]                                 # column stride 2
    w = weight(13, seed=19)
    check_forward(x, w, 1e-6, "rms_norm_forward on x = base[:, ::2] (column stride 2)",
                  hint="index x with both strides: x_ptr + row * stride_xm + cols * stride_xn; " + HINT_MASK)
    xt = rows(7, 4, seed=20).t()                     # (4, 7), row stride 1, column stride 4
    check_forward(xt, weight(7, seed=21), 1e-6, "rms_norm_forward on a transposed x (4, 7)",
                  hint="index x with both strides: x_ptr + row * stride_xm + cols * stride_xn")
    dyt = rows(7, 4, seed=22, offset=0.1).t()
    check_backward(dyt, xt, weight(7, seed=21), 1e-6, "rms_norm_backward on transposed dy and x (4, 7)",
                   hint="index dy and x with their own strides; dx is a new contiguous tensor")


# ------------------------------------------------------------------------------ on a GPU

@gpu
def test_gpu_latency_against_torch():
    x = torch.randn(4096, 1024, device="cuda", dtype=torch.float16)
    w = torch.randn(1024, device="cuda", dtype=torch.float16)
    ratio = time_ratio(lambda: rms_norm(x, w, 1e-6), lambda: F.rms_norm(x, (1024,), w, 1e-6))
    assert ratio < 3.0, (f"rms_norm forward on (4096, 1024) float16 took {ratio:.2f}x F.rms_norm's time; "
                         f"a fused one-pass kernel should be within 3x of torch's")
