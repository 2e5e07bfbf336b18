"""Specs for katas/norms/layer_norm.py (day 14): LayerNormFunction and LayerNorm.

Contract -> specs:
- y = (x − mean)/sqrt(var + eps)·w + b over the last dim, any leading dims (none, 1, 0):
  test_function_matches_f_layer_norm, test_empty_batch (module: float64 and in the graph too)
- float32 under a float64 default dtype (None weight/bias), float16/bfloat16 modules keep x's
  dtype (no float32 detour left uncast); a module called in float32, then .double() and
  loaded with float64 weights (no view of the parameters kept): test_module_float64_after_double
- weight/bias None: test_function_accepts_none_*; biased variance: test_function_uses_the_biased_variance
- eps inside the sqrt, eps as given (0.0 too): test_function_eps_*, test_module_options_*,
  test_module_eps_zero_is_used_as_given (std 1e-10 too: no hidden floor)
- per-sample statistics: test_function_rows_are_independent, test_module_normalises_each_sample_alone
- mean far from 0 (two-pass variance): test_function_mean_far_from_zero_float32, test_module_mean_far_*
- float64 computed in float64 (TIGHT64): test_function_float64_*, test_module_float64_is_computed_*
  (eps=0.1 not rounded to float32, no eps tensor kept from a first float32 call: test_module_float64_is_computed_*)
- manual backward: gradcheck (incl. None args, no leading dims), float32 vs autograd, non-contiguous
  grad_y, random shapes: test_function_gradcheck_float64, test_function_gradients_*, test_function_backward_*,
  test_function_matches_autograd_on_random_inputs
- backward uses the given eps (1e-5, 0.1, 0.0) at a small variance: test_function_backward_uses_eps_as_given
- grad_y not modified in place: the harness guard on every backward call
- backward's own outputs have the inputs' shapes ((D,) for weight and bias, None for eps), called
  directly: test_function_backward_returns_gradients_of_the_inputs_shapes
- module: state_dict keys/ones/zeros, weight/bias trainable nn.Parameters, options (each with int and tuple normalized_shape),
  int/tuple normalized_shape, train/eval, gradients,
  .double(), non-contiguous x with one or several normalised dims (reshape, not view): test_module_*
- output and gradient on x's device (None weight/bias): test_output_and_gradient_on_the_input_device
- off limits: test_function_writes_its_own, test_module_writes_its_own
"""

import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_parameters_like, forbid,
                            gradcheck, non_contiguous, randn, unchanged)
from harness.edges import TIGHT64, default_dtype, far_from_zero
from katas.norms.layer_norm import LayerNorm, LayerNormFunction

FORBIDDEN = (F.layer_norm, torch.layer_norm, torch.native_layer_norm)
FORBIDDEN_ATEN = {"native_layer_norm": "a layer_norm built-in (F.layer_norm, nn.LayerNorm)",
                  "native_layer_norm_backward": "layer_norm's built-in backward"}

HINT = ("per sample, over the normalised (trailing) dims only: y = (x - mean) / sqrt(var + eps) "
        "* weight + bias, with the BIASED variance (divide by D, correction=0)")
HINT_BACKWARD = ("with x_hat = (x - mean) * rstd and g = grad_y * weight: grad_x = rstd * (g - "
                 "mean(g) - x_hat * mean(g * x_hat)); mean and var depend on x too, so both mean "
                 "terms are needed; grad_weight = sum(grad_y * x_hat), grad_bias = sum(grad_y) "
                 "over the leading dims")
HINT_EPS = "eps goes INSIDE the square root: (x - mean) / sqrt(var + eps), i.e. rsqrt(var + eps)"
HINT_ROWS = ("each sample is normalised with its own statistics, over the last dims only; never "
             "mix statistics across the batch (that is BatchNorm)")

SHAPES = [(1,), (7,), (3, 5), (2, 3, 4), (1, 1, 1), (4, 13), (5, 1)]


def reference(x, normalized_shape, w, b, eps):
    """F.layer_norm computed in float64 and rounded to x's dtype: the exact answer to compare
    with (float32 built-ins round x - mean visibly when D = 1 and |x| is large)."""
    up = (t.double() if t is not None else None for t in (x, w, b))
    return F.layer_norm(next(up), normalized_shape, next(up), next(up), eps).to(x.dtype)


def module_reference(ref, x):
    """nn.LayerNorm's output computed in float64 (a copy of the module), rounded to x's dtype."""
    with torch.no_grad():
        return copy.deepcopy(ref).double()(x.double()).to(x.dtype)


def affine(d, seed, dtype=torch.float32, weight=True, bias=True):
    w = 1 + 0.5 * randn(d, seed=seed + 1, dtype=dtype) if weight else None
    b = 0.5 * randn(d, seed=seed + 2, dtype=dtype) if bias else None
    return w, b


def ln_what(shape, w, b, eps):
    return (f"LayerNormFunction.apply(x of {tuple(shape)}, weight={'(D,)' if w is not None else None}, "
            f"bias={'(D,)' if b is not None else None}, eps={eps})")


# ------------------------------------------------------------------ LayerNormFunction: forward

@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_function_matches_f_layer_norm(shape, dtype):
    x = randn(*shape, seed=len(shape), dtype=dtype) * 3 + 1
    w, b = affine(shape[-1], seed=4, dtype=dtype)
    got = LayerNormFunction.apply(x, w, b, 1e-5)
    assert_close(got, reference(x, shape[-1:], w, b, 1e-5), what=ln_what(shape, w, b, 1e-5), hint=HINT)


@pytest.mark.parametrize("weight,bias", [(False, False), (True, False), (False, True)])
def test_function_accepts_none_weight_or_bias(weight, bias):
    x = randn(3, 6, seed=1)
    w, b = affine(6, seed=2, weight=weight, bias=bias)
    got = LayerNormFunction.apply(x, w, b, 1e-5)
    assert_close(got, F.layer_norm(x, (6,), w, b, 1e-5), what=ln_what((3, 6), w, b, 1e-5),
                 hint="None weight means no scaling, None bias means no shift")


def test_function_uses_the_biased_variance():
    x = torch.tensor([[0.0, 2.0], [1.0, 4.0]])  # each row: mean m, biased var v = ((b-a)/2)^2
    got = LayerNormFunction.apply(x, None, None, 0.0)
    expected = torch.tensor([[-1.0, 1.0], [-1.0, 1.0]])  # (x - m) / sqrt(v): exactly +-1
    assert_close(got, expected, what="LayerNormFunction.apply([[0, 2], [1, 4]], None, None, eps=0)",
                 hint="biased variance: mean((x - mean)^2), divide by D (torch.var(..., "
                      "correction=0)); the unbiased one (D - 1) gives +-0.707 here")


@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_function_eps_inside_the_square_root(eps):
    x = 1e-3 * randn(4, 8, seed=3)  # variance ~1e-6: eps dominates the denominator
    got = LayerNormFunction.apply(x, None, None, eps)
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    assert_close(got, (x - mean) / torch.sqrt(var + eps),
                 what=f"LayerNormFunction.apply(x with std ~1e-3, None, None, eps={eps})", hint=HINT_EPS)


def test_function_rows_are_independent():
    x = randn(5, 6, seed=5) * torch.tensor([[1.0], [10.0], [0.1], [3.0], [50.0]])
    w, b = affine(6, seed=6)
    got = LayerNormFunction.apply(x, w, b, 1e-5)
    alone = F.layer_norm(x[2:3], (6,), w, b, 1e-5)
    assert_close(got[2:3], alone, what="row 2 of LayerNormFunction.apply(x of (5, 6), ...) vs row 2 "
                 "normalised alone", hint=HINT_ROWS)


# ------------------------------------------------------------------ LayerNormFunction: backward

@pytest.mark.parametrize("shape", [(2, 3), (2, 2, 3), (4,), (3, 1)])
@pytest.mark.parametrize("weight,bias", [(True, True), (False, False), (True, False)])
def test_function_gradcheck_float64(shape, weight, bias):
    x = randn(*shape, seed=7, dtype=torch.float64)
    w, b = affine(shape[-1], seed=8, dtype=torch.float64, weight=weight, bias=bias)
    gradcheck(LayerNormFunction.apply, x, w, b, 1e-5,
              what=f"LayerNormFunction backward, {ln_what(shape, w, b, 1e-5)}", hint=HINT_BACKWARD)


@pytest.mark.parametrize("shape", [(3, 5), (2, 3, 7), (6,)])
def test_function_gradients_match_autograd_float32(shape):
    x = randn(*shape, seed=9) * 2
    w, b = affine(shape[-1], seed=10)
    assert_grads_match(lambda x, w, b: LayerNormFunction.apply(x, w, b, 1e-5),
                       lambda x, w, b: reference(x, shape[-1:], w, b, 1e-5), x, w, b,
                       what=f"gradients of {ln_what(shape, w, b, 1e-5)} w.r.t. (x, weight, bias)",
                       hint=HINT_BACKWARD)


@pytest.mark.parametrize("eps", [1e-5, 0.1, 0.0])
def test_function_backward_uses_eps_as_given(eps):
    # variance ~1e-6: a backward that recomputes rstd with a default eps (or none) is far off
    x = 1e-3 * randn(3, 8, seed=29, dtype=torch.float64)
    w, b = affine(8, seed=30, dtype=torch.float64)
    assert_grads_match(lambda x, w, b: LayerNormFunction.apply(x, w, b, eps),
                       lambda x, w, b: reference(x, (8,), w, b, eps), x, w, b,
                       what=f"gradients of {ln_what((3, 8), w, b, eps)} on float64 x with std ~1e-3",
                       hint="the backward needs the forward's rstd = 1 / sqrt(var + eps) with THIS eps: "
                            "save rstd (or eps on ctx), never recompute it with a default eps or none")


def test_function_backward_takes_a_non_contiguous_grad():
    x = randn(4, 6, seed=11, requires_grad=True)
    w, b = affine(6, seed=12)
    w.requires_grad_()
    b.requires_grad_()
    g = non_contiguous(randn(4, 6, seed=13))
    y = LayerNormFunction.apply(x, w, b, 1e-5)
    got = torch.autograd.grad(y, (x, w, b), g)
    xr, wr, br = (t.detach().clone().requires_grad_() for t in (x, w, b))
    expected = torch.autograd.grad(F.layer_norm(xr, (6,), wr, br, 1e-5), (xr, wr, br), g)
    assert_close(got, expected, what="LayerNormFunction gradients (x, weight, bias) for a "
                 "non-contiguous grad_y", hint="grad_y may be strided: use reshape, not view")


@pytest.mark.parametrize("shape", [(4, 6), (2, 3, 5), (5,)])
def test_function_backward_returns_gradients_of_the_inputs_shapes(shape):
    # Called directly (y.grad_fn.apply): the autograd engine quietly sums a (..., D) gradient
    # down to weight's (D,), so only a direct call shows a missing sum over the leading dims.
    x = randn(*shape, seed=31, dtype=torch.float64, requires_grad=True)
    w, b = (t.requires_grad_() for t in affine(shape[-1], seed=32, dtype=torch.float64))
    y = LayerNormFunction.apply(x, w, b, 1e-5)
    g = randn(*shape, seed=33, dtype=torch.float64)
    grads = y.grad_fn.apply(g)
    what = f"LayerNormFunction.backward(ctx, grad_y of {shape}) called directly"
    if not isinstance(grads, (tuple, list)) or len(grads) != 4:
        raise SpecFailure(f"{what} returned {type(grads).__name__}; expected 4 gradients "
                          "(grad_x, grad_weight, grad_bias, None)")
    xr, wr, br = (t.detach().clone().requires_grad_() for t in (x, w, b))
    expected = torch.autograd.grad(F.layer_norm(xr, shape[-1:], wr, br, 1e-5), (xr, wr, br), g)
    for name, got, exp in zip(("grad_x", "grad_weight", "grad_bias"), grads, expected):
        assert_close(got, exp, what=f"{what}: {name}",
                     hint="return each gradient in its input's shape: grad_weight = (grad_y * x_hat) and "
                          "grad_bias = grad_y, each SUMMED over the leading dims to (D,) (autograd would "
                          "hide a missing sum, other callers of backward do not)")
    assert grads[3] is None, f"{what}: the gradient for eps (a float) must be None, got {type(grads[3]).__name__}"


@given(batch=st.lists(st.integers(1, 4), min_size=0, max_size=2), d=st.integers(1, 9),
       scale=st.sampled_from([1e-2, 1.0, 100.0]), weight=st.booleans(), bias=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_function_matches_autograd_on_random_inputs(batch, d, scale, weight, bias, seed):
    # float64: random rows may hold near-ties (variance << mean^2 or << eps) that float32
    # cannot resolve; in float64 every correct formula agrees. float32 is checked above.
    shape = (*batch, d)
    x = scale * randn(*shape, seed=seed, dtype=torch.float64)
    w, b = affine(d, seed=seed % 1000, dtype=torch.float64, weight=weight, bias=bias)
    inputs = [t for t in (x, w, b) if t is not None]

    def mine(x, *rest):
        it = iter(rest)
        return LayerNormFunction.apply(x, next(it) if weight else None, next(it) if bias else None, 1e-5)

    def ref(x, *rest):
        it = iter(rest)
        return reference(x, (d,), next(it) if weight else None, next(it) if bias else None, 1e-5)

    assert_grads_match(mine, ref, *inputs, what=ln_what(shape, w, b, 1e-5) + f" with float64 x ~ {scale}*N(0, 1)",
                       hint=f"{HINT}; {HINT_BACKWARD}")


# ------------------------------------------------------------------ LayerNormFunction: hygiene

def test_function_non_contiguous_inputs_are_left_alone():
    x = non_contiguous(randn(3, 7, seed=14))
    w, b = (non_contiguous(t) for t in affine(7, seed=15))
    with unchanged(x, w, b, names=["x", "weight", "bias"]):
        got = LayerNormFunction.apply(x, w, b, 1e-5)
    assert_close(got, F.layer_norm(x.contiguous(), (7,), w.contiguous(), b.contiguous(), 1e-5),
                 what="LayerNormFunction.apply on non-contiguous x, weight, bias", hint=HINT)


def test_function_writes_its_own():
    x = randn(3, 5, seed=16, requires_grad=True)
    w, b = (t.requires_grad_() for t in affine(5, seed=17))
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        y = LayerNormFunction.apply(x, w, b, 1e-5)
        y.backward(torch.ones_like(y))


# ------------------------------------------------------------------ LayerNorm module

@pytest.mark.parametrize("args,kwargs", [
    ((6,), {}), (((2, 3),), {}), ((5,), {"bias": False}), ((4,), {"elementwise_affine": False}),
    ((7,), {"eps": 1e-3}), (((1, 4),), {"elementwise_affine": True, "bias": True})])
def test_module_state_dict_matches_nn_layer_norm(args, kwargs):
    mine = LayerNorm(*args, **kwargs)
    ref = nn.LayerNorm(*args, **kwargs)
    call = f"LayerNorm({', '.join([repr(a) for a in args] + [f'{k}={v!r}' for k, v in kwargs.items()])})"
    got, expected = mine.state_dict(), ref.state_dict()
    assert set(got) == set(expected), (
        f"{call}.state_dict() has keys {sorted(got)}, nn.LayerNorm's has {sorted(expected)}\n"
        f"  hint: parameters `weight` and `bias` of shape normalized_shape; bias=False drops "
        f"`bias`, elementwise_affine=False drops both")
    for key in expected:
        assert_close(got[key], expected[key], what=f"{call}.state_dict()[{key!r}] at initialisation",
                     hint="weight starts at ones, bias at zeros, both of shape normalized_shape")
    assert_parameters_like(mine, ref, what=call)


@pytest.mark.parametrize("normalized_shape,x_shape", [
    (6, (4, 6)), (5, (2, 3, 5)), ((3, 4), (2, 3, 4)), ((2, 3, 4), (2, 3, 4)), (1, (3, 1)), (7, (7,)),
    ((1, 5), (3, 1, 5))])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_module_matches_nn_layer_norm(normalized_shape, x_shape, mode):
    ref = nn.LayerNorm(normalized_shape)
    with torch.no_grad():
        ref.weight.copy_(1 + 0.5 * randn(*ref.weight.shape, seed=1))
        ref.bias.copy_(0.5 * randn(*ref.bias.shape, seed=2))
    mine = LayerNorm(normalized_shape)
    mine.load_state_dict(ref.state_dict())
    getattr(mine, mode)()
    getattr(ref, mode)()
    x = 2 * randn(*x_shape, seed=3) + 1
    got = mine(x)
    with torch.no_grad():
        assert_close(got, module_reference(ref, x), what=f"LayerNorm({normalized_shape!r}) in {mode}() mode on x of {x_shape}",
                     hint=HINT + "; a tuple normalized_shape means the last len(normalized_shape) dims")


@pytest.mark.parametrize("normalized_shape", [8, (2, 4)])
@pytest.mark.parametrize("kwargs", [{}, {"eps": 0.1}, {"bias": False}, {"elementwise_affine": False}])
def test_module_options_match_nn_layer_norm(kwargs, normalized_shape):
    # (2, 4) too: every option must still normalise over all the trailing dims
    mine = LayerNorm(normalized_shape, **kwargs)
    ref = nn.LayerNorm(normalized_shape, **kwargs)
    x = 1e-3 * randn(3, 8, seed=4).reshape(3, *((8,) if normalized_shape == 8 else normalized_shape))
    got = mine(x)
    with torch.no_grad():
        assert_close(got, module_reference(ref, x), what=f"LayerNorm({normalized_shape!r}, {kwargs}) on x of "
                     f"{tuple(x.shape)} with std ~1e-3", hint=HINT_EPS + "; the default eps is 1e-5; "
                     "a tuple normalized_shape means the last len(normalized_shape) dims, with or without "
                     "weight and bias")


def test_module_gradients_match_nn_layer_norm():
    ref = nn.LayerNorm((3, 4))
    with torch.no_grad():
        ref.weight.copy_(1 + 0.5 * randn(3, 4, seed=5))
        ref.bias.copy_(0.5 * randn(3, 4, seed=6))
    mine = LayerNorm((3, 4))
    mine.load_state_dict(ref.state_dict())
    x = randn(2, 3, 4, seed=7)
    g = randn(2, 3, 4, seed=8)

    def run(module):
        xx = x.clone().requires_grad_()
        params = dict(module.named_parameters())
        grads = torch.autograd.grad(module(xx), [xx, *params.values()], g, allow_unused=True)
        return dict(zip(["x", *params], grads))

    got, expected = run(mine), run(ref)
    for name, e in expected.items():
        if got.get(name) is None:
            raise SpecFailure(f"LayerNorm((3, 4)): no gradient reached {name}")
        assert_close(got[name], e, what=f"gradient of LayerNorm((3, 4)) w.r.t. {name}", hint=HINT_BACKWARD)


def test_module_normalises_each_sample_alone():
    ref = nn.LayerNorm(6)
    mine = LayerNorm(6)
    x = randn(5, 6, seed=9) * torch.tensor([[1.0], [10.0], [0.1], [3.0], [50.0]]) + torch.arange(5.0)[:, None]
    got = mine(x)
    with torch.no_grad():
        assert_close(got, module_reference(ref, x), what="LayerNorm(6) on 5 rows of different scales and offsets", hint=HINT_ROWS)
        assert_close(mine(x[1:2]), got[1:2], what="LayerNorm(6)(x[1:2]) vs row 1 of LayerNorm(6)(x)",
                     hint=HINT_ROWS)


@given(batch=st.lists(st.integers(1, 4), min_size=1, max_size=2),
       norm=st.lists(st.integers(1, 5), min_size=1, max_size=2), as_int=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_module_matches_nn_layer_norm_on_random_shapes(batch, norm, as_int, seed):
    normalized_shape = norm[0] if as_int else tuple(norm)
    norm = [norm[0]] if as_int else norm
    ref = nn.LayerNorm(normalized_shape)
    with torch.no_grad():
        ref.weight.copy_(1 + randn(*norm, seed=seed + 1))
        ref.bias.copy_(randn(*norm, seed=seed + 2))
    mine = LayerNorm(normalized_shape)
    mine.load_state_dict(ref.state_dict())
    mine, ref = mine.double(), ref.double()  # float64, as above: no near-tie can flake
    x = 3 * randn(*batch, *norm, seed=seed, dtype=torch.float64)
    got = mine(x)
    with torch.no_grad():
        assert_close(got, ref(x), what=f"LayerNorm({normalized_shape!r}).double() on x of {(*batch, *norm)}",
                     hint=HINT + "; a tuple normalized_shape means the last len(normalized_shape) dims")


def test_module_float64_after_double():
    mine, ref = LayerNorm(5).double(), nn.LayerNorm(5).double()
    x = randn(3, 5, seed=10, dtype=torch.float64)
    got = mine(x)
    with torch.no_grad():
        assert_close(got, ref(x), what="LayerNorm(5).double()(float64 x)")
    # a module called once in float32, then .double() and loaded with float64 weights: nothing
    # from the first call (a flattened weight view kept on the module) may stay behind
    mine, ref = LayerNorm(5), nn.LayerNorm(5).double()
    mine(randn(3, 5, seed=9))
    gen = torch.Generator().manual_seed(9)
    with torch.no_grad():
        for r in ref.parameters():
            r.add_(torch.rand(r.shape, dtype=torch.float64, generator=gen) / 3)  # no float32 holds these
    mine.double().load_state_dict(ref.state_dict())
    with torch.no_grad():
        assert_close(mine(x), ref(x), what="LayerNorm(5) called in float32, then .double() and loaded with "
                     "float64 weights, on float64 x",
                     hint="read self.weight / self.bias in every forward; a reshaped view of them kept "
                          "on the module at the first call still holds the old float32 values")
    # float32 under a float64 default dtype: a helper made without dtype= (an eps or count
    # tensor, ones for a None weight) is float64 there and promotes the float32 output.
    hint = ("the output keeps x's dtype whatever torch.get_default_dtype() is: a helper tensor built "
            "with torch.tensor([...]) / torch.ones(...) / torch.empty(...) without dtype=x.dtype follows "
            "the default dtype")
    x = randn(3, 5, seed=11)
    with default_dtype(torch.float64):
        fn_got = LayerNormFunction.apply(x, None, None, 1e-5)
        got = LayerNorm(5, elementwise_affine=False)(x)
    assert_close(fn_got, F.layer_norm(x, (5,), None, None, 1e-5), hint=hint,
                 what="LayerNormFunction.apply(float32 x, None, None, 1e-5) under a float64 default dtype")
    assert_close(got, F.layer_norm(x, (5,), None, None, 1e-5), hint=hint,
                 what="LayerNorm(5, elementwise_affine=False)(float32 x) under a float64 default dtype")
    # A .half() / bfloat16 module: the output keeps x's dtype, also where the work is done in
    # float32 (LayerNormFunction takes float32/float64) and must be cast back.
    for dtype, atol in ((torch.float16, 1e-2), (torch.bfloat16, 5e-2)):
        x = randn(3, 5, seed=12).to(dtype)
        got = LayerNorm(5).to(dtype)(x)
        assert_close(got, F.layer_norm(x.float(), (5,)).to(dtype), rtol=0.0, atol=atol,
                     what=f"LayerNorm(5).to({dtype})({dtype} x)",
                     hint="forward returns x's dtype: a float32 detour for half inputs must end with "
                          ".to(x.dtype)")


@pytest.mark.parametrize("normalized_shape", [4, (2, 4)])
def test_module_non_contiguous_input_is_left_alone(normalized_shape):
    mine, ref = LayerNorm(normalized_shape), nn.LayerNorm(normalized_shape)
    x = non_contiguous(randn(3, 2, 4, seed=11))
    what = f"LayerNorm({normalized_shape!r}) on a non-contiguous x of (3, 2, 4)"
    with unchanged(x, names=["x"]):
        try:
            got = mine(x)
        except NotImplementedError:
            raise
        except RuntimeError as err:
            raise SpecFailure(f"{what} raised RuntimeError: {err}\n  hint: x may be strided (behind a "
                              "transpose): flatten the normalised dims with .reshape, not .view") from err
    with torch.no_grad():
        assert_close(got, module_reference(ref, x), what=what, hint=HINT)


def test_module_writes_its_own():
    mine = LayerNorm((2, 3))
    x = randn(4, 2, 3, seed=12, requires_grad=True)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        mine(x).sum().backward()


# ------------------------------------------------------------------ edges

FAR = dict(rtol=1e-3, atol=1e-3)  # a two-pass float32 variance is off by ~1e-4 at mean 1000


def test_function_mean_far_from_zero_float32():
    x = far_from_zero(randn(8, 16, seed=18), 1e3)  # mean ~1000, std ~1
    w, b = affine(16, seed=19)
    got = LayerNormFunction.apply(x, w, b, 1e-5)
    assert_close(got, reference(x, (16,), w, b, 1e-5), what=ln_what((8, 16), w, b, 1e-5) + " with x ~ 1000 + N(0, 1)",
                 **FAR, hint="var = mean((x - mean)^2), not mean(x^2) - mean(x)^2: at mean 1000 the "
                             "difference of two numbers ~1e6 loses every digit of a variance ~1 in float32")


def test_module_mean_far_from_zero_float32():
    mine, ref = LayerNorm((2, 8)), nn.LayerNorm((2, 8))
    x = far_from_zero(randn(4, 2, 8, seed=20), 1e3)
    got = mine(x)
    assert_close(got, module_reference(ref, x), what="LayerNorm((2, 8)) on x ~ 1000 + N(0, 1)", **FAR,
                 hint="var = mean((x - mean)^2), not mean(x^2) - mean(x)^2 (catastrophic cancellation)")


def test_function_float64_is_computed_in_float64():
    x = randn(4, 9, seed=21, dtype=torch.float64) * 3 + 2
    w, b = affine(9, seed=22, dtype=torch.float64)
    x_, w_, b_ = (t.clone().requires_grad_() for t in (x, w, b))
    got = LayerNormFunction.apply(x_, w_, b_, 1e-5)
    what = ln_what((4, 9), w, b, 1e-5) + " in float64"
    hint = "keep float64 in float64: no .float(), no float32 helper tensors"
    assert_close(got, reference(x, (9,), w, b, 1e-5), what=what, **TIGHT64, hint=hint)
    g = randn(4, 9, seed=23, dtype=torch.float64)
    grads = torch.autograd.grad(got, (x_, w_, b_), g)
    xr, wr, br = (t.clone().requires_grad_() for t in (x, w, b))
    expected = torch.autograd.grad(F.layer_norm(xr, (9,), wr, br, 1e-5), (xr, wr, br), g)
    assert_close(grads, expected, what=f"gradients of {what}", **TIGHT64, hint=hint)


def test_module_float64_is_computed_in_float64():
    mine, ref = LayerNorm((3, 4)).double(), nn.LayerNorm((3, 4)).double()
    x = randn(2, 3, 4, seed=24, dtype=torch.float64) * 3 + 2
    got = mine(x)
    with torch.no_grad():
        assert_close(got, ref(x), what="LayerNorm((3, 4)).double()(float64 x)", **TIGHT64,
                     hint="keep float64 in float64: no .float(), no float32 helper tensors")
    # eps in float64 too: 0.1 is no float32 value, so an eps tensor made with torch.tensor(eps)
    # (float32), or made at a first float32 call and kept, shows at a small variance
    mine, ref = LayerNorm(4, eps=0.1), nn.LayerNorm(4, eps=0.1).double()
    mine(randn(2, 4, seed=29))
    mine.double()
    x = 0.01 * randn(3, 4, seed=30, dtype=torch.float64)
    got = mine(x)
    with torch.no_grad():
        assert_close(got, ref(x), what="LayerNorm(4, eps=0.1) called once in float32, then .double()(float64 x "
                     "with std ~0.01)", **TIGHT64,
                     hint="use eps as the Python float it is (var + self.eps); a torch.tensor(eps) is float32 "
                          "(0.1 rounded), and one kept from the first call keeps the first call's dtype")


def test_empty_batch():
    x = randn(0, 5, seed=25)
    w, b = affine(5, seed=26)
    assert_close(LayerNormFunction.apply(x, w, b, 1e-5), F.layer_norm(x, (5,), w, b, 1e-5),
                 what="LayerNormFunction.apply(x of (0, 5), weight, bias, 1e-5)")
    mine, ref = LayerNorm((2, 3)), nn.LayerNorm((2, 3))
    x = randn(0, 2, 3, seed=27)
    try:
        got = mine(x)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure(f"LayerNorm((2, 3))(x of (0, 2, 3)) raised RuntimeError: {err}\n  hint: an empty "
                          "batch is valid; a reshape with -1 cannot infer a size from 0 elements, so "
                          "spell out prod(normalized_shape)") from err
    with torch.no_grad():
        assert_close(got, ref(x), what="LayerNorm((2, 3))(x of (0, 2, 3))")
    # the empty batch in float64, through the graph: a shortcut returning torch.empty(x.shape)
    # is float32 and has no grad_fn
    mine.double()
    x = x.double()
    got = mine(x)
    assert_close(got, x, what="LayerNorm((2, 3)).double()(float64 x of (0, 2, 3))",
                 hint="an empty batch still goes through the normalisation (or a tensor built from x): "
                      "torch.empty(x.shape) without dtype= is float32 and cut from the graph")
    if not got.requires_grad:
        raise SpecFailure("LayerNorm((2, 3))(x of (0, 2, 3)): the output does not require grad, so "
                          "loss = y.sum(); loss.backward() fails\n  hint: an empty batch must stay in the "
                          "graph (weight.grad becomes zeros); do not return a fresh torch.empty(...)")


@pytest.mark.parametrize("scale", [1e-3, 1e-10])
def test_module_eps_zero_is_used_as_given(scale):
    # variance ~1e-6: eps=1e-5 instead of 0 changes y by ~5x; variance ~1e-20 (a normal
    # float32) also shows a hidden floor such as max(eps, 1e-12)
    mine, ref = LayerNorm(8, eps=0.0), nn.LayerNorm(8, eps=0.0)
    x = scale * randn(3, 8, seed=28)
    got = mine(x)
    assert_close(got, module_reference(ref, x), what=f"LayerNorm(8, eps=0.0) on x with std ~{scale:g}",
                 hint="eps=0.0 is a value, not 'not given': store it as is (no `eps or 1e-5`) and "
                      "add nothing else (no max(eps, tiny), no clamp of the variance)")


def _on_meta(what, fn):
    try:
        return fn()
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure(f"{what} raised RuntimeError: {err}\n  hint: make every helper tensor (a ones "
                          "weight for None, a count) on x's device and dtype, or avoid it") from err


def test_output_and_gradient_on_the_input_device():
    # The meta device stands in for a GPU: a stand-in torch.ones(D) for a None weight lands on the CPU.
    x = torch.empty(3, 5, device="meta", requires_grad=True)
    what = "LayerNormFunction.apply(x of (3, 5) on meta, None, None, 1e-5)"
    y = _on_meta(what, lambda: LayerNormFunction.apply(x, None, None, 1e-5))
    assert isinstance(y, torch.Tensor) and y.device == x.device, f"{what}: output on {getattr(y, 'device', None)}, expected meta"
    (gx,) = _on_meta(what + " backward", lambda: torch.autograd.grad(y, x, torch.empty(3, 5, device="meta")))
    assert gx.device == x.device, f"{what}: gradient on {gx.device}, expected meta (x's device)"
    mine = LayerNorm((2, 5), elementwise_affine=False)
    xm = torch.empty(4, 2, 5, device="meta")
    out = _on_meta("LayerNorm((2, 5), elementwise_affine=False)(x on meta)", lambda: mine(xm))
    assert out.device == xm.device and out.shape == xm.shape, (
        f"LayerNorm((2, 5), elementwise_affine=False)(x of (4, 2, 5) on meta) gave {tuple(out.shape)} on "
        f"{out.device}; expected (4, 2, 5) on meta")
