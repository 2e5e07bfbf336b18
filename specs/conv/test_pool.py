"""Specs for katas/conv/pool.py (day 12): max_pool2d vs F.max_pool2d and avg_pool2d vs
F.avg_pool2d(count_include_pad=False).

Tolerances: the harness defaults (float32 rtol=1e-4, atol=1e-5; float64 1e-7, 1e-9); a max is
exact and a mean of at most 16 values differs from torch's by a few ulps.

Contract -> specs:
- stride=None means kernel_size (int and pair): test_stride_defaults_*, test_stride_none_*
- int or pair settings, floor output size: test_settings_match_torch, test_*_any_settings_*
- a pair may be a list as well as a tuple: test_pairs_may_be_lists
- max: padding never wins (−inf, also vs huge finite negatives and −inf pixels): test_max_pool_padding_never_wins*
- max ties (decided: the max value; gradient only to tied max pixels, summing to upstream):
  test_max_pool_ties_value_and_gradient (a border window of all −inf real pixels ties with its −inf
  padding: its gradient's split is left open there, by the stub, and not tested)
- avg over real pixels only: test_avg_pool_of_ones_*, the padding cases of test_settings_*
- real pixels equal to 0 are pixels (padding found by position, not value): test_real_zero_pixels_are_pixels
- real NaN / ±inf pixels are pixels (no nanmean, no finite mask): test_non_finite_pixels_are_pixels
- any N incl. 0 (float64, still in the graph; padded and unpadded, so a no-padding fast path
  is fed too), sizes 1 and primes: test_empty_batch, test_batch_one_and_odd_sizes
- dtype kept (float64 computed in float64, float16, bfloat16), device kept: test_float64_*, test_half_precision_*,
  test_output_on_the_input_device
- non-contiguous input left unchanged, with and without padding (no view / as_strided that
  assumes a contiguous x): test_float64_non_contiguous_*
- gradients through autograd: test_gradients_match_autograd_of_torch
- off limits: test_does_not_call_a_pooling_built_in
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import SpecFailure, assert_close, assert_shape, forbid, non_contiguous, randn, unchanged
from harness.edges import TIGHT64, assert_dtype_kept, tolerance
from katas.conv.pool import avg_pool2d, max_pool2d

FORBIDDEN = (F.max_pool2d, torch.max_pool2d, F.max_pool2d_with_indices, F.avg_pool2d,
             F.adaptive_max_pool2d, F.adaptive_avg_pool2d, F.lp_pool2d, F.max_pool1d, F.avg_pool1d,
             F.max_pool3d, F.avg_pool3d, torch.avg_pool1d, torch.max_pool1d)
FORBIDDEN_ATEN = {op: "a pooling built-in" for op in (
    "max_pool2d", "max_pool2d_with_indices", "avg_pool2d", "mkldnn_max_pool2d", "quantized_max_pool2d",
    "adaptive_max_pool2d", "adaptive_avg_pool2d", "_adaptive_avg_pool2d", "fractional_max_pool2d",
    "max_pool1d", "max_pool1d_with_indices", "avg_pool1d", "max_pool3d", "max_pool3d_with_indices",
    "avg_pool3d", "_adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_avg_pool1d")}

HINT_STRIDE = ("stride=None means stride = kernel_size (side-by-side windows, like torch); a stride of 1 "
               "gives overlapping windows and a much larger output")
HINT_SIZE = "output size per dim: (H + 2·padding − k) // stride + 1 (floor: a partial window at the end is dropped)"
HINT_MAX = ("pad with −inf, not zeros: a padded position must never be the max (F.pad(x, ..., value=-inf), "
            "then the max over each window)")
HINT_AVG = ("divide each window's sum by the number of REAL pixels in it (count_include_pad=False): pool a "
            "tensor of ones the same way to count them; dividing by kH·kW counts the padding")
HINT_WINDOWS = ("every window: x.unfold(2, kH, sH).unfold(3, kW, sW) (after padding) or F.unfold; "
                "kernel_size/stride/padding as (H, W) pairs")


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def out_size(h, w, kernel_size, stride=None, padding=0):
    (kh, kw), (ph, pw) = _pair(kernel_size), _pair(padding)
    sh, sw = _pair(kernel_size if stride is None else stride)
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def describe(name, x, **kw):
    return f"{name}(x {tuple(x.shape)}" + "".join(f", {k}={v}" for k, v in kw.items()) + ")"


FUNCS = {"max_pool2d": max_pool2d, "avg_pool2d": avg_pool2d}
HINTS = {"max_pool2d": HINT_MAX, "avg_pool2d": HINT_AVG}


def reference(name, x, **kw):
    if name == "max_pool2d":
        return F.max_pool2d(x, **kw)
    return F.avg_pool2d(x, **kw, count_include_pad=False)


def run_pool(name, x, *, hint, **kw):
    """The learner's pooling; a shape error inside it becomes a failure with a hint."""
    __tracebackhide__ = True
    try:
        return FUNCS[name](x, **kw)
    except NotImplementedError:
        raise
    except (RuntimeError, ValueError, IndexError) as err:  # e.g. a view() that does not fit
        raise SpecFailure(f"{describe(name, x, **kw)} raised {type(err).__name__}: {err}\n  hint: {hint}") from err


def check_pool(name, x, *, hint=None, shape_hint=HINT_SIZE, **kw):
    hint = hint or HINTS[name]
    out = run_pool(name, x, hint=hint, **kw)
    what = describe(name, x, **kw)
    assert_shape(out, (*x.shape[:2], *out_size(x.shape[2], x.shape[3], **kw)), what=what, hint=shape_hint)
    assert_close(out, reference(name, x, **kw), what=what + (" (vs count_include_pad=False)" if name == "avg_pool2d" else ""),
                 hint=hint)
    return out


POOLS = ["max_pool2d", "avg_pool2d"]


# ------------------------------------------------------------------------------ defaults

@pytest.mark.parametrize("name", POOLS)
def test_stride_defaults_to_kernel_size(name):
    x = randn(2, 3, 8, 6, seed=1)
    check_pool(name, x, kernel_size=2, shape_hint=HINT_STRIDE, hint=HINT_STRIDE)


@pytest.mark.parametrize("name", POOLS)
def test_stride_none_means_kernel_size_for_pairs_too(name):
    x = randn(1, 2, 9, 10, seed=2)
    check_pool(name, x, kernel_size=(3, 2), stride=None, shape_hint=HINT_STRIDE, hint=HINT_STRIDE)


# ------------------------------------------------------------------------------ settings

CASES = {
    "overlapping": dict(kernel_size=3, stride=1),
    "stride_pair": dict(kernel_size=2, stride=(1, 2)),
    "kernel_pair": dict(kernel_size=(1, 3), stride=1),
    "padding": dict(kernel_size=3, stride=2, padding=1),
    "padding_pair": dict(kernel_size=(2, 4), stride=(2, 3), padding=(1, 2)),
    "padding_default_stride": dict(kernel_size=2, padding=1),
    "floor_drops_partial_window": dict(kernel_size=3, stride=2),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("name", POOLS)
def test_settings_match_torch(name, case):
    kw = CASES[case]
    x = randn(2, 3, 9, 11, seed=3)
    hint = HINTS[name] if "padding" in kw else HINT_WINDOWS
    check_pool(name, x, hint=hint, **kw)


@pytest.mark.parametrize("name", POOLS)
def test_pairs_may_be_lists(name):
    x = randn(1, 2, 7, 9, seed=4)
    kw = dict(kernel_size=[2, 3], stride=[1, 2], padding=[1, 1])
    hint = ("a pair may be a list as well as a tuple ([2, 3] means (2, 3), as in torch): test "
            "isinstance(v, int) for the single-number case, and index anything else")
    try:
        check_pool(name, x, hint=hint, **kw)
    except TypeError as err:
        raise SpecFailure(f"{describe(name, x, **kw)} raised TypeError: {err}\n  hint: {hint}") from err


def test_avg_pool_of_ones_is_one_everywhere_even_at_the_border():
    x = torch.ones(1, 1, 5, 5)
    out = run_pool("avg_pool2d", x, kernel_size=3, stride=1, padding=1, hint=HINT_AVG)
    assert_close(out, torch.ones(1, 1, 5, 5), what="avg_pool2d(ones (1, 1, 5, 5), kernel_size=3, stride=1, padding=1)",
                 hint=HINT_AVG + " (a corner window holds 4 real pixels: 4/4 = 1, not 4/9)")


@pytest.mark.parametrize("name", POOLS)
def test_real_zero_pixels_are_pixels(name):
    # After a ReLU about half the pixels are exactly 0: they are real pixels, counted in the
    # average and able to be the max. Only the padding is left out.
    x = torch.relu(randn(2, 3, 7, 6, seed=16))
    check_pool(name, x, kernel_size=3, stride=1, padding=1,
               hint="tell padding apart by position (pool a tensor of ones to count real pixels, pad "
                    "the max with -inf), never by value: a real pixel may be exactly 0")


@pytest.mark.parametrize("name", POOLS)
def test_non_finite_pixels_are_pixels(name):
    # NaN and ±inf pixels are real pixels too: the window's mean (or max) is NaN or ±inf, as in
    # torch. Padding found by value (pad with NaN then nanmean, pad with −inf then keep the
    # finite values) silently drops them, hiding a NaN that should surface.
    x = randn(1, 2, 6, 7, seed=18)
    x[0, 0, 1, 1] = float("nan")
    x[0, 0, 5, 6] = float("-inf")
    x[0, 1, 0, 3] = float("-inf")
    x[0, 1, 4, 5] = float("inf")
    check_pool(name, x, kernel_size=3, stride=2, padding=1,
               hint="tell padding apart by position (pool a tensor of ones to count real pixels, pad the "
                    "max with -inf), never by value: a real pixel may be NaN or ±inf, and then so is "
                    "its window's result")


def test_max_pool_padding_never_wins():
    x = randn(1, 2, 6, 6, seed=4) - 10.0  # every value is negative: a zero pad would win
    check_pool("max_pool2d", x, kernel_size=3, stride=2, padding=1, hint=HINT_MAX)


@pytest.mark.parametrize("name", POOLS)
@pytest.mark.parametrize("shape,kw", [
    ((1, 1, 1, 1), dict(kernel_size=1)),
    ((1, 1, 2, 2), dict(kernel_size=2, padding=1, stride=1)),
    ((3, 5, 7, 13), dict(kernel_size=(3, 5))),
    ((1, 7, 13, 3), dict(kernel_size=(4, 3), stride=(3, 1), padding=(2, 1))),
])
def test_batch_one_and_odd_sizes(name, shape, kw):
    check_pool(name, randn(*shape, seed=5), **kw)


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=(2, 1), padding=1), dict(kernel_size=2)],
                         ids=["padded", "unpadded_default_stride"])
@pytest.mark.parametrize("name", POOLS)
def test_float64_non_contiguous_input_is_left_unchanged(name, kw):
    # Unpadded too: F.pad copies x into a fresh contiguous tensor, so only padding=0 shows a
    # window trick (view into blocks, as_strided with strides computed from the shape) that
    # assumes a contiguous x.
    x = non_contiguous(randn(2, 3, 8, 7, seed=6, dtype=torch.float64))
    with unchanged(x, names=["x"]):
        out = run_pool(name, x, hint=HINTS[name], **kw)
    assert_close(out, reference(name, x, **kw), what=describe(name, x, **kw) + " (float64, non-contiguous)",
                 hint="F.pad and Tensor.unfold work on any strides; reshape (not view) what may be non-contiguous, "
                      "and take as_strided's strides from x.stride(), never from its shape")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("name", POOLS)
def test_gradients_match_autograd_of_torch(name, dtype):
    x = randn(2, 3, 9, 8, seed=7, dtype=dtype)
    kw = dict(kernel_size=3, stride=2, padding=1)
    xm, xr = x.clone().requires_grad_(), x.clone().requires_grad_()
    out = run_pool(name, xm, hint=HINTS[name], **kw)
    ref = reference(name, xr, **kw)
    assert_close(out, ref, what=describe(name, x, **kw), hint=HINTS[name])
    upstream = randn(*ref.shape, seed=8, dtype=dtype)
    (grad,) = torch.autograd.grad((out * upstream).sum(), xm, allow_unused=True)
    (ref_grad,) = torch.autograd.grad((ref * upstream).sum(), xr)
    if grad is None:
        raise SpecFailure(f"{describe(name, x, **kw)}: no gradient reached x; build the output from "
                          "differentiable torch ops (no .detach(), no torch.no_grad())")
    assert_close(grad, ref_grad, what=f"d/dx of {describe(name, x, **kw)}",
                 hint="the max routes the gradient to the winning pixel; the mean spreads it as 1/count "
                      "over the window's real pixels (overlapping windows add up)")


@pytest.mark.parametrize("name", POOLS)
def test_does_not_call_a_pooling_built_in(name):
    x = randn(1, 2, 7, 7, seed=9).requires_grad_()
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        out = FUNCS[name](x, kernel_size=3, stride=2, padding=1)
        out.sum().backward()


# ------------------------------------------------------------------------------ properties

def _draw_settings(draw):
    kh, kw = draw(st.integers(1, 4), label="kH"), draw(st.integers(1, 4), label="kW")
    ph, pw = draw(st.integers(0, kh // 2), label="padding H"), draw(st.integers(0, kw // 2), label="padding W")
    stride = draw(st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3))),
                  label="stride")
    h = draw(st.integers(max(1, kh - 2 * ph), kh + 6), label="H")
    w = draw(st.integers(max(1, kw - 2 * pw), kw + 6), label="W")
    kernel = kh if kh == kw and draw(st.booleans(), label="kernel as int") else (kh, kw)
    padding = ph if ph == pw and draw(st.booleans(), label="padding as int") else (ph, pw)
    kw_args = dict(kernel_size=kernel, padding=padding)
    if stride is not None or draw(st.booleans(), label="pass stride=None explicitly"):
        kw_args["stride"] = stride
    return (draw(st.integers(1, 2), label="N"), draw(st.integers(1, 3), label="C"), h, w), kw_args


@given(data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_max_pool_any_settings_match_torch(data, seed):
    shape, kw = _draw_settings(data.draw)
    check_pool("max_pool2d", randn(*shape, seed=seed, dtype=torch.float64), **kw)


@given(data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_avg_pool_any_settings_match_torch(data, seed):
    shape, kw = _draw_settings(data.draw)
    check_pool("avg_pool2d", randn(*shape, seed=seed, dtype=torch.float64), **kw)


# ------------------------------------------------------------------------------ edges

@pytest.mark.parametrize("padding", [1, 0])  # 0 too: a no-padding fast path (F.unfold + view)
@pytest.mark.parametrize("name", POOLS)
def test_empty_batch(name, padding):
    # float64 and requiring grad: a shortcut such as `if N == 0: return torch.empty(...)` must
    # keep x's dtype and stay in the graph like any other output
    x = randn(0, 3, 6, 5, seed=10, dtype=torch.float64).requires_grad_()
    out = check_pool(name, x, kernel_size=2, padding=padding,
                     hint="with N = 0 a reshape with -1 is ambiguous: spell out the sizes from "
                          "x.shape, in every code path (with and without padding); a shortcut for "
                          "N = 0 keeps x's dtype (float64 here) and device")
    assert out.requires_grad, (
        f"{describe(name, x, kernel_size=2, padding=padding)} is not connected to x (requires_grad is "
        "False): pool the empty batch like any other, or build the empty result from x "
        "(x.new_empty is cut from the graph too)")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
@pytest.mark.parametrize("name", POOLS)
def test_half_precision_keeps_dtype(name, dtype):
    x = randn(2, 3, 7, 6, seed=11, dtype=dtype)
    kw = dict(kernel_size=3, stride=2, padding=1)
    out = run_pool(name, x, hint=HINTS[name], **kw)
    what = describe(name, x, **kw) + f" in {dtype}"
    assert_dtype_kept(out, x, what)
    assert_close(out, reference(name, x.double(), **kw).to(dtype), what=what, **tolerance(dtype), hint=HINTS[name])


@pytest.mark.parametrize("name", POOLS)
def test_output_on_the_input_device(name):
    # The meta device stands in for a GPU: a count made with torch.ones(...) without
    # device=x.device lands on the CPU.
    x = torch.empty(2, 3, 7, 6, device="meta")
    kw = dict(kernel_size=3, stride=2, padding=1)
    out = run_pool(name, x, hint="build every helper tensor (the ones you pool to count real pixels) "
                   "with device=x.device and dtype=x.dtype", **kw)
    assert isinstance(out, torch.Tensor) and out.device == x.device, (
        f"{describe(name, x, **kw)} on the meta device returned a tensor on "
        f"{getattr(out, 'device', type(out).__name__)}; the output must be on x's device")
    assert_shape(out, (2, 3, 4, 3), what=describe(name, x, **kw) + " on the meta device", hint=HINT_SIZE)


def test_max_pool_padding_never_wins_against_huge_negative_values():
    # Finite values far below any "very negative" pad: only −inf padding never wins.
    x = randn(1, 2, 5, 6, seed=12).abs() * -1e30 - 1e30
    check_pool("max_pool2d", x, kernel_size=3, stride=2, padding=1,
               hint="pad with float('-inf'), not a finite stand-in such as -1e9: real pixels can be smaller")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16])
def test_max_pool_padding_never_wins_against_minus_infinity(dtype):
    # −inf is a float too (a masked feature map): a border window whose real pixels are all
    # −inf has max −inf. A pad of torch.finfo(dtype).min, the most negative FINITE value, wins.
    x = randn(1, 2, 5, 6, seed=17).to(dtype)
    x[:, :, :2, :] = float("-inf")
    kw = dict(kernel_size=3, stride=2, padding=1)
    hint = "pad with float('-inf'), not torch.finfo(x.dtype).min: a real pixel may be −inf itself"
    out = run_pool("max_pool2d", x, hint=hint, **kw)
    # exact (a max rounds nothing): a relative tolerance would accept any finite value for −inf
    assert_close(out, F.max_pool2d(x, **kw), what=describe("max_pool2d", x, **kw) + f" in {dtype} with "
                 "rows 0 and 1 all −inf", rtol=0, atol=0, hint=hint)


def test_max_pool_ties_value_and_gradient():
    # Integer-valued pixels in {0, 1, 2}: most windows hold several copies of their max. The
    # value is the max itself; the window's gradient goes only to its max pixels and sums to
    # the upstream gradient (any split among tied pixels is allowed).
    gen = torch.Generator().manual_seed(13)
    x = torch.randint(0, 3, (2, 2, 6, 8), generator=gen).to(torch.float64)
    kw = dict(kernel_size=2)
    what = describe("max_pool2d", x, **kw) + " with tied maxima"
    xg = x.clone().requires_grad_()
    out = run_pool("max_pool2d", xg, hint=HINT_MAX, **kw)
    assert_close(out, F.max_pool2d(x, **kw), what=what,
                 hint="the output is the window's max value; a mask (x == max) times x, summed, counts a tie twice")
    upstream = randn(*out.shape, seed=14, dtype=torch.float64)
    (grad,) = torch.autograd.grad((out * upstream).sum(), xg, allow_unused=True)
    if grad is None:
        raise SpecFailure(f"{what}: no gradient reached x")
    windows = grad.reshape(2, 2, 3, 2, 4, 2).permute(0, 1, 2, 4, 3, 5).reshape(2, 2, 3, 4, 4)
    assert_close(windows.sum(-1), upstream, what=f"d/dx of {what}, summed over each 2×2 window",
                 hint="each window passes its upstream gradient on exactly once, split among its tied max pixels")
    is_max = x == F.max_pool2d(x, **kw).repeat_interleave(2, 2).repeat_interleave(2, 3)
    assert_close(grad * ~is_max, torch.zeros_like(grad), what=f"d/dx of {what} at pixels below their window's max",
                 hint="only the window's max pixels receive gradient")


@pytest.mark.parametrize("name", POOLS)
def test_float64_is_computed_in_float64(name):
    x = randn(2, 3, 8, 7, seed=15, dtype=torch.float64) * 3 + 1
    kw = dict(kernel_size=3, stride=2, padding=1)
    out = run_pool(name, x, hint=HINTS[name], **kw)
    assert_close(out, reference(name, x, **kw), what=describe(name, x, **kw) + " in float64", **TIGHT64,
                 hint="keep float64 in float64: no .float() and no float32 count or helper tensor")
