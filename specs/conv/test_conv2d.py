"""Specs for katas/conv/conv2d.py (day 12): conv2d by unfold + matmul vs F.conv2d, and a
Conv2d module state_dict-compatible with nn.Conv2d.

Tolerances: float32 uses rtol=1e-4, atol=1e-5 on values (sums of at most ~100 products of
unit-normal numbers: a different summation order differs by ~1e-6) and atol=1e-4 on weight
gradients (sums over every output position); float64 uses the harness defaults (1e-7, 1e-9).

Contract -> specs:
- "like F.conv2d (cross-correlation, zero padding)", b=None default: test_defaults_*, test_bias_defaults_to_none
- stride/padding/dilation int or pair, groups blocks: test_settings_*, test_groups_keep_*, test_any_settings_*
- output size formula: test_output_size_with_dilation, test_batch_one_and_odd_sizes; a 1×1 kernel
  strides and pads too: test_pointwise_kernel_keeps_stride_and_padding
- any batch incl. N = 0 (float64 kept, still in the graph; groups 1 and 2 and a 1×1 kernel, so
  a groups == 1 or pointwise fast path is fed too): test_empty_batch_gives_empty_output
- output dtype = x's (float64 computed in float64, float16, bfloat16) and device: test_float64_*, test_half_precision_*,
  test_output_on_the_input_device, test_output_on_the_input_device_without_a_bias (b=None)
- non-contiguous inputs (groups 1 and 2: w.view in a groups == 1 fast path), inputs unchanged:
  test_float64_and_non_contiguous_*
- gradients to x, w, b: test_gradients_match_autograd_*
- off limits: test_does_not_call_*, test_module_does_not_call_*; grouped cost: test_grouped_conv_*
- unfold + matmul, all windows at once (op count independent of image size): test_no_python_loop_over_output_positions
- Conv2d state_dict keys, forward (also after a first call and .double(), and on a second image size), bias=False, weight/bias registered as parameters (not
  buffers): test_module_loads_*, test_module_state_dict_*
- init U(±1/√fan_in) for weight and bias: test_module_initialisation_*, test_module_bias_initialisation_*;
  drawn from torch's global RNG (manual_seed reproduces, successive layers differ):
  test_module_initialisation_like_nn_conv2d
- fan_in = (C_in // groups)·kH·kW with a (kH, kW) pair: test_module_initialisation_with_a_non_square_kernel
- parameters in the default dtype like nn.Conv2d's: test_module_parameters_follow_the_default_dtype
"""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from harness.budgets import count_flops
from harness.checks import (SpecFailure, assert_close, assert_parameters_like, assert_shape, forbid,
                            non_contiguous, on_meta, randn, unchanged)
from harness.edges import TIGHT64, assert_dtype_kept, default_dtype, tolerance
from harness.forbid import LightDispatchMode
from katas.conv.conv2d import Conv2d, conv2d

FORBIDDEN = (F.conv2d, torch.conv2d, torch.convolution)
FORBIDDEN_ATEN = {op: "a convolution built-in" for op in (
    "convolution", "_convolution", "conv2d", "_convolution_mode", "convolution_overrideable",
    "mkldnn_convolution", "cudnn_convolution", "miopen_convolution", "thnn_conv2d",
    "_slow_conv2d_forward", "slow_conv_dilated2d", "_conv_depthwise2d", "convolution_backward",
    "conv_transpose2d", "slow_conv_transpose2d", "_nnpack_spatial_convolution")}

HINT_SIZE = ("output size per dim: (H + 2·padding − dilation·(k − 1) − 1) // stride + 1 — a dilated "
             "kernel spans dilation·(k − 1) + 1 pixels, not dilation·k")
HINT_GROUPS = ("with groups=g, split the unfolded columns into g blocks of C_in/g·kH·kW rows and the "
               "weight into g blocks of C_out/g filters; block j of the output only sees block j of "
               "the input (a batched matmul over the group dim)")
HINT_VALUES = ("conv2d is a cross-correlation (the kernel is not flipped): unfold x into columns "
               "(N, C_in·kH·kW, L), multiply by w viewed as (C_out, C_in·kH·kW), add b per channel")


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def out_size(h, w, kernel, stride=1, padding=0, dilation=1, groups=1):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = map(_pair, (kernel, stride, padding, dilation))
    return (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1


def describe(x, w, b=None, **kw):
    args = [f"x {tuple(x.shape)}", f"w {tuple(w.shape)}"] + ([f"b {tuple(b.shape)}"] if b is not None else [])
    return "conv2d(" + ", ".join(args + [f"{k}={v}" for k, v in kw.items()]) + ")"


def run_conv2d(x, w, b=None, *, hint, **kw):
    """The learner's conv2d; a shape error inside it becomes a failure with a hint."""
    __tracebackhide__ = True
    try:
        return conv2d(x, w, b, **kw) if b is not None else conv2d(x, w, **kw)
    except NotImplementedError:
        raise
    except (RuntimeError, ValueError, IndexError) as err:  # e.g. a view() that does not fit
        raise SpecFailure(f"{describe(x, w, b, **kw)} raised {type(err).__name__}: {err}\n  hint: {hint}") from err


def check_conv(x, w, b=None, *, hint=HINT_VALUES, rtol=None, atol=None, **kw):
    out = run_conv2d(x, w, b, hint=hint, **kw)
    what = describe(x, w, b, **kw)
    n, c_out = x.shape[0], w.shape[0]
    h_out, w_out = out_size(x.shape[2], x.shape[3], w.shape[2:], **kw)
    assert_shape(out, (n, c_out, h_out, w_out), what=what, hint=HINT_SIZE)
    assert_close(out, F.conv2d(x, w, b, **kw), what=what, hint=hint, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------ conv2d

def test_defaults_match_f_conv2d():
    x, w, b = randn(2, 3, 7, 7, seed=1), randn(4, 3, 3, 3, seed=2), randn(4, seed=3)
    check_conv(x, w, b)


def test_bias_defaults_to_none():
    x, w = randn(2, 3, 6, 5, seed=1), randn(5, 3, 2, 3, seed=2)
    out = conv2d(x, w)
    assert_close(out, F.conv2d(x, w), what=describe(x, w), hint="b=None means no bias")


CASES = {
    "stride": (dict(stride=2), HINT_SIZE),
    "padding": (dict(padding=1), HINT_VALUES),
    "dilation": (dict(dilation=2), HINT_SIZE),
    "stride_pair": (dict(stride=(2, 1)), HINT_SIZE),
    "padding_pair": (dict(padding=(0, 2)), "padding=(pH, pW): pH rows top and bottom, pW columns left and right"),
    "dilation_pair": (dict(dilation=(1, 3)), HINT_SIZE),
    "groups": (dict(groups=2), HINT_GROUPS),
    "depthwise": (dict(groups=6), HINT_GROUPS),
    "everything": (dict(stride=(2, 3), padding=(2, 1), dilation=(2, 1), groups=3), HINT_GROUPS),
}


@pytest.mark.parametrize("case", list(CASES))
def test_settings_match_f_conv2d(case):
    kw, hint = CASES[case]
    groups = kw.get("groups", 1)
    x = randn(2, 6, 11, 9, seed=4)
    w = randn(12, 6 // groups, 3, 3, seed=5)
    b = randn(12, seed=6)
    check_conv(x, w, b, hint=hint, **kw)


def test_groups_keep_channel_blocks_apart():
    # Two groups; the weight of group 1 is zero, so output channels 2..3 must be exactly b.
    x = randn(1, 4, 5, 5, seed=7)
    w = randn(4, 2, 3, 3, seed=8)
    w[2:] = 0
    b = torch.tensor([0.0, 0.0, 1.5, -2.0])
    out = run_conv2d(x, w, b, groups=2, hint=HINT_GROUPS)
    assert_close(out, F.conv2d(x, w, b, groups=2), what=describe(x, w, b, groups=2), hint=HINT_GROUPS)


@pytest.mark.parametrize("h,w_,k,dilation", [(7, 7, 3, 2), (9, 8, 2, 3), (10, 10, 3, 4)])
def test_output_size_with_dilation(h, w_, k, dilation):
    x, w = randn(1, 2, h, w_, seed=9), randn(3, 2, k, k, seed=10)
    out = run_conv2d(x, w, dilation=dilation, hint=HINT_SIZE)
    assert_shape(out, (1, 3, *out_size(h, w_, k, dilation=dilation)), what=describe(x, w, dilation=dilation),
                 hint=HINT_SIZE)
    assert_close(out, F.conv2d(x, w, dilation=dilation), what=describe(x, w, dilation=dilation), hint=HINT_VALUES)


@pytest.mark.parametrize("shape,wshape", [
    ((1, 1, 1, 1), (1, 1, 1, 1)),
    ((1, 1, 5, 11), (2, 1, 2, 3)),
    ((3, 2, 13, 1), (7, 2, 3, 1)),
    ((1, 5, 3, 3), (1, 5, 3, 3)),
])
def test_batch_one_and_odd_sizes(shape, wshape):
    x, w, b = randn(*shape, seed=11), randn(*wshape, seed=12), randn(wshape[0], seed=13)
    check_conv(x, w, b)


@pytest.mark.parametrize("kw", [dict(stride=2), dict(padding=(1, 0)), dict(stride=(1, 3), padding=1, dilation=2)],
                         ids=["stride", "padding", "all"])
def test_pointwise_kernel_keeps_stride_and_padding(kw):
    # a 1×1 kernel is a per-pixel matmul only at stride 1 without padding: a shortcut that
    # skips unfold for it drops the stride (fewer outputs) and the zero border (more outputs)
    x, w, b = randn(2, 3, 7, 6, seed=41), randn(5, 3, 1, 1, seed=42), randn(5, seed=43)
    check_conv(x, w, b, hint="a 1×1 kernel still strides and pads like any other: " + HINT_SIZE, **kw)


@pytest.mark.parametrize("groups", [2, 1])  # groups=1 too: a groups == 1 fast path with w.view
def test_float64_and_non_contiguous_inputs_are_left_unchanged(groups):
    x = non_contiguous(randn(2, 4, 8, 7, seed=14, dtype=torch.float64))
    w = non_contiguous(randn(6, 4 // groups, 3, 2, seed=15, dtype=torch.float64))
    b = non_contiguous(randn(6, seed=16, dtype=torch.float64))
    kw = dict(stride=(1, 2), padding=1, groups=groups)
    with unchanged(x, w, b, names=["x", "w", "b"]):
        out = run_conv2d(x, w, b, hint=HINT_VALUES, **kw)
    assert_close(out, F.conv2d(x, w, b, **kw), what=describe(x, w, b, **kw) + " (float64, non-contiguous)",
                 hint="F.unfold needs no contiguous input; reshape (not view) what may be non-contiguous")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_gradients_match_autograd_of_f_conv2d(dtype):
    x, w, b = randn(2, 4, 9, 8, seed=17, dtype=dtype), randn(6, 2, 3, 3, seed=18, dtype=dtype), \
        randn(6, seed=19, dtype=dtype)
    kw = dict(stride=2, padding=(1, 2), dilation=(2, 1), groups=2)
    tol = {} if dtype == torch.float64 else dict(rtol=1e-4, atol=1e-4)
    args = [t.clone().requires_grad_() for t in (x, w, b)]
    out = run_conv2d(*args, hint=HINT_VALUES, **kw)
    ref_args = [t.clone().requires_grad_() for t in (x, w, b)]
    ref = F.conv2d(*ref_args, **kw)
    assert_close(out, ref, what=describe(x, w, b, **kw), hint=HINT_VALUES, **tol)
    upstream = randn(*ref.shape, seed=20, dtype=dtype)
    grads = torch.autograd.grad((out * upstream).sum(), args, allow_unused=True)
    ref_grads = torch.autograd.grad((ref * upstream).sum(), ref_args)
    for name, g, r in zip("xwb", grads, ref_grads):
        if g is None:
            raise SpecFailure(f"{describe(x, w, b, **kw)}: no gradient reached {name}; keep it in the graph "
                              "(no .detach(), no torch.no_grad())")
        assert_close(g, r, what=f"d/d{name} of {describe(x, w, b, **kw)}", **tol,
                     hint="build the output from differentiable torch ops and autograd does the rest")


def test_does_not_call_a_convolution_built_in():
    x, w, b = randn(2, 4, 7, 7, seed=21), randn(4, 2, 3, 3, seed=22), randn(4, seed=23)
    xg = x.clone().requires_grad_()
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        out = conv2d(xg, w, b, stride=2, padding=1, groups=2)
        out.sum().backward()


def test_grouped_conv_does_not_pay_for_dense_work():
    # F.conv2d's cost: 2·N·C_out·H_out·W_out·(C_in/groups)·kH·kW FLOPs. The budget allows 1.5×
    # that (room for any matmul layout); a block-diagonal dense weight does groups× = 4× the work.
    x, w = randn(2, 8, 9, 9, seed=27), randn(8, 2, 3, 3, seed=28)
    flops = count_flops(conv2d, x, w, groups=4)
    needed = 2 * 2 * 8 * 7 * 7 * 2 * 3 * 3
    assert flops <= 1.5 * needed, (
        f"conv2d(x (2, 8, 9, 9), w (8, 2, 3, 3), groups=4) used {flops} matmul FLOPs; a grouped "
        f"convolution needs {needed} (2·N·C_out·H_out·W_out·C_in/groups·kH·kW). "
        "hint: multiply each group's columns by that group's filters only (a batched matmul over "
        "the group dim), not a dense block-diagonal weight")


class _OpCounter(LightDispatchMode):
    """Counts the aten ops a call runs: a vectorised conv2d runs the same ops at any image size."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.calls += 1
        return func(*args, **(kwargs or {}))


def _ops_for(x, w, **kw):
    with _OpCounter() as counter:
        conv2d(x, w, **kw)
    return counter.calls


def test_no_python_loop_over_output_positions():
    # "computed with F.unfold and a matmul": every window at once. A loop over output rows or
    # pixels runs a few ops per position, so its op count grows with the image (here 6×6 ->
    # 14×14 outputs, 5.4× the positions); unfold + matmul runs the same ops at any size.
    w = randn(4, 2, 3, 3, seed=38)
    kw = dict(padding=1, groups=2)
    small = _ops_for(randn(1, 4, 6, 6, seed=39), w, **kw)
    large = _ops_for(randn(1, 4, 14, 14, seed=40), w, **kw)
    assert large <= small + 4, (
        f"{describe(randn(1, 4, 14, 14, seed=40), w, **kw)} ran {large} torch ops, against {small} for a 6×6 "
        "input: the work grows with the number of output positions, so conv2d loops over them in "
        "Python.\n  hint: unfold every window at once (F.unfold -> (N, C_in·kH·kW, L)) and multiply all "
        "of them by the weight in one (batched) matmul")


@given(data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_any_settings_match_f_conv2d(data, seed):
    draw = data.draw
    groups = draw(st.sampled_from([1, 2, 3]), label="groups")
    c_in = groups * draw(st.integers(1, 2), label="C_in per group")
    c_out = groups * draw(st.integers(1, 2), label="C_out per group")
    kh, kw = draw(st.integers(1, 4), label="kH"), draw(st.integers(1, 4), label="kW")
    sh, sw = draw(st.integers(1, 3), label="stride H"), draw(st.integers(1, 3), label="stride W")
    ph, pw = draw(st.integers(0, 2), label="padding H"), draw(st.integers(0, 2), label="padding W")
    dh, dw = draw(st.integers(1, 3), label="dilation H"), draw(st.integers(1, 3), label="dilation W")
    min_h, min_w = max(1, dh * (kh - 1) + 1 - 2 * ph), max(1, dw * (kw - 1) + 1 - 2 * pw)
    h = draw(st.integers(min_h, min_h + 6), label="H")
    w_ = draw(st.integers(min_w, min_w + 6), label="W")
    n = draw(st.integers(1, 2), label="N")
    use_bias = draw(st.booleans(), label="bias")
    # an int where both dims agree and the draw says so, a pair otherwise
    settings = {}
    for name, (a, b_) in dict(stride=(sh, sw), padding=(ph, pw), dilation=(dh, dw)).items():
        settings[name] = a if a == b_ and draw(st.booleans(), label=f"{name} as int") else (a, b_)
    x = randn(n, c_in, h, w_, seed=seed, dtype=torch.float64)
    w = randn(c_out, c_in // groups, kh, kw, seed=seed + 1, dtype=torch.float64)
    b = randn(c_out, seed=seed + 2, dtype=torch.float64) if use_bias else None
    hint = HINT_GROUPS if groups > 1 else HINT_SIZE if (dh, dw) != (1, 1) else HINT_VALUES
    check_conv(x, w, b, hint=hint, groups=groups, **settings)


# ------------------------------------------------------------------------------ Conv2d

MODULE_CASES = {
    "defaults": (dict(), (3, 4, 3)),
    "stride_padding_pairs": (dict(stride=(2, 1), padding=(1, 2)), (3, 5, (3, 2))),
    "dilation_groups": (dict(dilation=2, groups=2, padding=2), (4, 6, 3)),
    "no_bias": (dict(bias=False, stride=2), (2, 3, 2)),
}


def _module_pair(case):
    kw, (c_in, c_out, k) = MODULE_CASES[case]
    mine = Conv2d(c_in, c_out, k, **kw)
    ref = nn.Conv2d(c_in, c_out, k, **kw)
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as err:
        raise SpecFailure(f"Conv2d({c_in}, {c_out}, {k}, {kw}).load_state_dict(nn.Conv2d's state_dict) "
                          f"failed: {err}\n  hint: register nn.Parameters named 'weight' (C_out, C_in // "
                          "groups, kH, kW) and 'bias' (C_out,), and no bias parameter when bias=False") from err
    return mine, ref, c_in, f"Conv2d({c_in}, {c_out}, {k}, {kw})"


@pytest.mark.parametrize("case", list(MODULE_CASES))
def test_module_loads_nn_conv2d_state_dict_and_matches(case):
    mine, ref, c_in, what = _module_pair(case)
    x = randn(2, c_in, 9, 8, seed=24)
    xm, xr = x.clone().requires_grad_(), x.clone().requires_grad_()
    out, ref_out = mine(xm), ref(xr)
    assert_close(out, ref_out, what=f"{what}(x {tuple(x.shape)})",
                 hint="forward is conv2d(x, self.weight, self.bias, stride, padding, dilation, groups)")
    upstream = randn(*ref_out.shape, seed=25)
    (out * upstream).sum().backward()
    (ref_out * upstream).sum().backward()
    assert_close(xm.grad, xr.grad, what=f"input gradient of {what}", rtol=1e-4, atol=1e-4)
    assert_parameters_like(mine, ref, what=what)
    params, ref_params = dict(mine.named_parameters()), dict(ref.named_parameters())
    for name, r in ref_params.items():
        assert_close(params[name].grad, r.grad, what=f"gradient of {what}.{name}", rtol=1e-4, atol=1e-4,
                     hint="the module's parameters must be the tensors used in forward")
    # the same modules, already called once, moved with .double(): nothing from that call
    # (a bias view, a reshaped weight) may stay behind in float32
    mine.double(), ref.double()
    gen = torch.Generator().manual_seed(26)
    with torch.no_grad():
        for r in ref.parameters():
            r.add_(torch.rand(r.shape, dtype=torch.float64, generator=gen) / 3)  # no float32 holds these
    mine.load_state_dict(ref.state_dict())
    x64 = x.double()
    assert_close(mine(x64), ref(x64), what=f"{what}.double(), loaded with float64 weights, after a float32 call",
                 hint="read self.weight and self.bias in every forward; a view of them kept on the "
                      "module at the first call still holds the float32 values after .double()")
    # and on another image size and batch: nothing about the first call's geometry (H_out, W_out,
    # a column count) may be kept either
    x64 = randn(3, c_in, 7, 11, seed=27, dtype=torch.float64)
    assert_close(mine(x64), ref(x64), what=f"{what} called on x {tuple(x.shape)}, then on x {tuple(x64.shape)}",
                 hint="compute H_out, W_out (and every reshape size) from each call's x; a size kept on "
                      "the module at the first call is wrong for the next image size")


@pytest.mark.parametrize("case", ["defaults", "no_bias"])
def test_module_state_dict_loads_into_nn_conv2d(case):
    mine, ref, _, what = _module_pair(case)
    ours = mine.state_dict()
    theirs = ref.state_dict()
    assert sorted(ours) == sorted(theirs), (
        f"{what}.state_dict() keys {sorted(ours)}, expected {sorted(theirs)} like nn.Conv2d "
        "(no extra buffers or parameters)")
    ref.load_state_dict(ours)


def test_module_initialisation_like_nn_conv2d():
    mine = Conv2d(16, 32, 3, groups=2)
    fan_in = 16 // 2 * 3 * 3  # 72: (in_channels // groups)·kH·kW
    bound = 1 / math.sqrt(fan_in)
    w = mine.weight.detach()
    assert_shape(w, (32, 8, 3, 3), what="Conv2d(16, 32, 3, groups=2).weight",
                 hint="weight is (out_channels, in_channels // groups, kH, kW)")
    assert float(w.abs().max()) <= bound * (1 + 1e-6), (
        f"Conv2d(16, 32, 3, groups=2).weight has |values| up to {float(w.abs().max()):.4g}, over the bound "
        f"1/√fan_in = {bound:.4g} (fan_in = in_channels // groups · kH · kW = 72)")
    # U(−a, a) has std a/√3. 2304 samples estimate it within ~1% (one standard error), so ±15%
    # never flakes, while fan_out (32·9) instead of fan_in gives half the std and ignoring groups
    # (fan_in 144) gives 0.71×.
    expected_std = bound / math.sqrt(3)
    std = float(w.std())
    assert abs(std / expected_std - 1) < 0.15, (
        f"Conv2d(16, 32, 3, groups=2).weight has std {std:.4g}, expected about {expected_std:.4g} for "
        f"U(−1/√fan_in, 1/√fan_in) with fan_in = (in_channels // groups)·kH·kW = {fan_in}")
    assert mine.bias is not None and float(mine.bias.detach().abs().max()) <= bound * (1 + 1e-6), (
        f"Conv2d(16, 32, 3, groups=2).bias must lie in ±1/√fan_in = ±{bound:.4g}")
    # drawn from torch's global RNG like nn.Conv2d: torch.manual_seed reproduces a layer, and the
    # next layer gets fresh values (a private torch.Generator().manual_seed(0) makes them all equal)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        first, second = Conv2d(2, 3, 2), Conv2d(2, 3, 2)
        torch.manual_seed(0)
        again = Conv2d(2, 3, 2)
    same = [torch.equal(getattr(first, n), getattr(second, n)) for n in ("weight", "bias")]
    reproduced = [torch.equal(getattr(first, n), getattr(again, n)) for n in ("weight", "bias")]
    assert not any(same) and all(reproduced), (
        f"two Conv2d(2, 3, 2) made one after the other have equal (weight, bias): {same}; after the same "
        f"torch.manual_seed they are reproduced: {reproduced}, expected no and yes. hint: draw the init "
        f"from torch's global RNG (tensor.uniform_(-bound, bound), no generator of your own), like nn.Conv2d")


def test_module_does_not_call_a_convolution_built_in():
    mine = Conv2d(4, 6, 3, stride=2, padding=1, groups=2)
    x = randn(1, 4, 7, 7, seed=26)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        mine(x)


# ------------------------------------------------------------------------------ edges

# groups=1 too: a groups == 1 fast path's reshape(-1); a 1×1 kernel: a pointwise fast path's
@pytest.mark.parametrize("groups, kernel", [(2, (3, 2)), (1, (3, 2)), (1, (1, 1))], ids=str)
def test_empty_batch_gives_empty_output(groups, kernel):
    # N = 0 is a valid batch: reshape(n, groups, -1, L) cannot infer -1 from 0 elements.
    # float64 with a weight that requires grad: a shortcut such as `if n == 0: return
    # torch.zeros(...)` must keep x's dtype and stay in the graph like any other output
    x, w, b = (randn(0, 4, 6, 5, seed=29, dtype=torch.float64),
               randn(6, 4 // groups, *kernel, seed=30, dtype=torch.float64).requires_grad_(),
               randn(6, seed=31, dtype=torch.float64))
    check_conv(x, w, b, groups=groups, hint="with N = 0 every -1 in a reshape is ambiguous: spell out "
               "the sizes (n, groups, C_in/groups·kH·kW, L) from x.shape and w.shape; a shortcut "
               "for N = 0 keeps x's dtype (float64 here) and device")
    out = conv2d(x, w, b, groups=groups)
    assert out.requires_grad, (
        f"{describe(x, w, b, groups=groups)} with w requiring grad is not connected to w "
        "(requires_grad is False): convolve the empty batch like any other instead of returning "
        "a fresh torch.zeros(...)")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_half_precision_keeps_dtype(dtype):
    x, w, b = randn(2, 4, 6, 6, seed=32, dtype=dtype), randn(4, 2, 3, 3, seed=33, dtype=dtype), \
        randn(4, seed=34, dtype=dtype)
    out = run_conv2d(x, w, b, groups=2, padding=1, hint=HINT_VALUES)
    what = describe(x, w, b, groups=2, padding=1) + f" in {dtype}"
    assert_dtype_kept(out, x, what)
    ref = F.conv2d(x.double(), w.double(), b.double(), groups=2, padding=1).to(dtype)
    assert_close(out, ref, what=what, **tolerance(dtype), hint=HINT_VALUES)


def test_output_on_the_input_device():
    # The meta device stands in for a GPU: a buffer made with torch.zeros(...) without
    # device=x.device lands on the CPU.
    x, w, b = torch.empty(2, 4, 7, 6, device="meta"), torch.empty(6, 2, 3, 3, device="meta"), \
        torch.empty(6, device="meta")
    out = conv2d(x, w, b, stride=(2, 1), groups=2)
    what = describe(x, w, b, stride=(2, 1), groups=2) + " on the meta device"
    assert isinstance(out, torch.Tensor) and out.device == x.device, (
        f"{what} returned a tensor on {getattr(out, 'device', type(out).__name__)}; the output must be "
        "on x's device. hint: build any buffer with device=x.device (and dtype=x.dtype), or avoid "
        "buffers: a batched matmul over the group dim needs none")
    assert_shape(out, (2, 6, 3, 4), what=what, hint=HINT_SIZE)


def test_output_on_the_input_device_without_a_bias():
    # b=None: a stand-in torch.zeros(C_out) bias made without device=x.device lands on the CPU.
    x, w = torch.empty(2, 4, 7, 6, device="meta"), torch.empty(6, 2, 3, 3, device="meta")
    what = describe(x, w, groups=2) + " (b=None) on the meta device"
    out = on_meta(conv2d, x, w, groups=2, what=what,
                  hint="b=None means no bias: skip the addition (or build any stand-in with "
                       "device=x.device and dtype=x.dtype)")
    if out is not None:
        assert isinstance(out, torch.Tensor) and out.device == x.device, (
            f"{what} returned a tensor on {getattr(out, 'device', type(out).__name__)}; the output must "
            "be on x's device")
        assert_shape(out, (2, 6, 5, 4), what=what, hint=HINT_SIZE)


def test_module_bias_initialisation_like_nn_conv2d():
    # 1024 bias values estimate the std of U(−a, a) within ~1.5%: zeros, or a bound from
    # fan_out, fail ±15% at once.
    mine = Conv2d(4, 1024, 3, groups=2)
    bound = 1 / math.sqrt(4 // 2 * 3 * 3)
    bias = mine.bias.detach()
    std = float(bias.std())
    expected = bound / math.sqrt(3)
    assert float(bias.abs().max()) <= bound * (1 + 1e-6) and abs(std / expected - 1) < 0.15, (
        f"Conv2d(4, 1024, 3, groups=2).bias has std {std:.4g} and max |value| {float(bias.abs().max()):.4g}; "
        f"expected U(−1/√fan_in, 1/√fan_in) with fan_in = (in_channels // groups)·kH·kW = 18, std "
        f"about {expected:.4g}. hint: the bias is initialised like the weight (not zeros), with the "
        "weight's fan_in")


def test_float64_is_computed_in_float64():
    x, w, b = randn(2, 4, 7, 6, seed=35, dtype=torch.float64), randn(6, 2, 3, 3, seed=36, dtype=torch.float64), \
        randn(6, seed=37, dtype=torch.float64)
    kw = dict(padding=1, groups=2)
    out = run_conv2d(x, w, b, hint=HINT_VALUES, **kw)
    assert_close(out, F.conv2d(x, w, b, **kw), what=describe(x, w, b, **kw) + " in float64", **TIGHT64,
                 hint="keep float64 in float64: no .float() and no float32 helper tensors on the way")


def test_module_initialisation_with_a_non_square_kernel():
    # fan_in = (in_channels // groups)·kH·kW = 8·1·5 = 40; a square-kernel shortcut (kH·kH = 1
    # or kW·kW = 25) gives bounds √5 times too wide or too narrow. 2560 weights: std within ~1%.
    mine = Conv2d(16, 64, (1, 5), groups=2)
    what = "Conv2d(16, 64, (1, 5), groups=2)"
    bound = 1 / math.sqrt(16 // 2 * 1 * 5)
    for name, t in (("weight", mine.weight), ("bias", mine.bias)):
        t = t.detach()
        std, top = float(t.std()), float(t.abs().max())
        expected = bound / math.sqrt(3)
        assert top <= bound * (1 + 1e-6) and abs(std / expected - 1) < 0.25, (
            f"{what}.{name} has std {std:.4g} and max |value| {top:.4g}; expected U(−1/√fan_in, "
            f"1/√fan_in) with fan_in = (in_channels // groups)·kH·kW = 8·1·5 = 40, std about "
            f"{expected:.4g}. hint: a kernel_size pair (kH, kW) gives kH·kW taps, not kH² or kW²")


def test_module_parameters_follow_the_default_dtype():
    # like nn.Conv2d: parameters made under torch.set_default_dtype(torch.float64) are float64,
    # so float64 x works without .double() (a dtype=torch.float32 in __init__ breaks that)
    with default_dtype(torch.float64):
        mine, ref = Conv2d(2, 3, 2), nn.Conv2d(2, 3, 2)
        got = {name: p.dtype for name, p in mine.named_parameters()}
        expected = {name: p.dtype for name, p in ref.named_parameters()}
        if got != expected:
            raise SpecFailure(f"Conv2d(2, 3, 2) made under a float64 default dtype has parameter dtypes {got}, "
                              f"expected {expected} like nn.Conv2d\n  hint: make the parameters with "
                              "torch.empty(...) and no dtype=: they follow torch.get_default_dtype()")
