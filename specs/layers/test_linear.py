"""Specs for katas/layers/linear.py (day 8): Linear, xavier_uniform_, kaiming_normal_.

Initialisation is checked statistically on large tensors with bounds loose enough never to
flake (each bound is many standard errors wide; see the comments) yet far tighter than the
errors they catch: a swapped fan_in/fan_out changes a std by sqrt(1024/16) = 8x or
sqrt(1000/40) = 5x here, a wrong gain by at least 15%.

Contract -> specs:
- Linear parameters: keys weight (out, in) / bias only when bias=True, float32, trainable,
  default bias=True: test_linear_state_dict_*, *_default_has_a_bias, *_parameters_are_float32,
  *_weights_are_trainable_parameters; float32 as torch's default dtype (float64 under
  set_default_dtype(float64), no explicit dtype=): test_linear_parameters_are_float32
- bias=False: layer.bias is None (like nn.Linear): test_linear_without_bias_has_bias_none
- forward = x @ W.T + b, any leading dims (none, size 0, still in the graph; with and without
  bias), same dtype as x (float64, half), non-contiguous x (bias or not), gradients: test_linear_forward_*, *_float64_module, *_half_*,
  *_non_contiguous_input
- "equivalent to nn.Linear" after a call: .double() and a first call under no_grad (nothing
  kept from an earlier call): test_linear_forward_reads_the_parameters_at_each_call
- forward on the layer's device, no helper on the default device (meta probe), bias or not:
  test_linear_forward_stays_on_the_input_device
- init U(+-1/sqrt(in)) for weight and bias, random, controlled by torch.manual_seed:
  test_linear_*_init_*, test_linear_init_follows_torch_manual_seed
- xavier/kaiming: in place on the tensor itself (a view fills its base), returns it, works on a
  Parameter, keeps dtype (half too), distribution and std by the fan formulas, explicit gain=0.0,
  seeded by torch.manual_seed: test_xavier_*, test_kaiming_*, test_init_functions_*
- kaiming std exact (gains not rounded: 5/3, sqrt(2)), read off draws taken like torch's:
  test_kaiming_std_is_exact_when_drawn_like_torch
- kaiming: an unknown mode or nonlinearity is a ValueError naming it, tensor untouched (names
  are case-sensitive: "Relu" and "Fan_Out" are typos, not aliases); also the names torch's calculate_gain knows but the contract's list lacks (selu, conv2d):
  test_kaiming_unknown_mode_or_nonlinearity_is_a_value_error
- off limits: test_linear_writes_its_own, test_init_functions_write_their_own
"""

import copy
import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from harness.checks import (assert_close, assert_on_input_device, assert_raises, assert_shape, forbid,
                            non_contiguous, randn, unchanged)
from harness.edges import HALF_DTYPES, default_dtype, tolerance
from katas.layers.linear import Linear, kaiming_normal_, xavier_uniform_

INIT_BUILTINS = (nn.init.xavier_uniform_, nn.init.xavier_normal_, nn.init.kaiming_uniform_,
                 nn.init.kaiming_normal_, nn.init.calculate_gain,
                 nn.init._calculate_fan_in_and_fan_out, nn.init._calculate_correct_fan)

WEIGHT_HINT = ("nn.Linear stores weight as (out_features, in_features), one row per output, "
               "and computes x @ weight.T + bias")
LINEAR_INIT_HINT = ("nn.Linear draws weight and bias from U(-1/sqrt(in_features), "
                    "1/sqrt(in_features)): the bound comes from the fan-in, in_features "
                    "(weight.shape[1]), not from out_features")
FAN_HINT = ("for a weight (out, in, *kernel), fan_in = shape[1] * prod(kernel) and "
            "fan_out = shape[0] * prod(kernel): not swapped, kernel dims included")
FILL_HINT = "fill the given tensor in place (tensor.uniform_ / tensor.normal_) and return it"


def _loaded_pair(in_f: int, out_f: int, bias: bool = True, dtype=torch.float32):
    """(mine, ref): my Linear carrying the weights of a fresh nn.Linear."""
    mine = Linear(in_f, out_f, bias=bias)
    ref = nn.Linear(in_f, out_f, bias=bias).to(dtype)
    mine = mine.to(dtype)
    mine_sd = mine.state_dict()
    for key, value in ref.state_dict().items():
        assert key in mine_sd, (f"Linear({in_f}, {out_f}, bias={bias}).state_dict() lacks the key "
                                f"{key!r} that nn.Linear has; it has {sorted(mine_sd)}")
        assert_shape(mine_sd[key], value.shape, hint=WEIGHT_HINT,
                     what=f"Linear({in_f}, {out_f}).state_dict()[{key!r}]")
    mine.load_state_dict(ref.state_dict())
    return mine, ref


def _sample_std_ok(values: torch.Tensor, expected: float, rel: float) -> tuple[bool, float]:
    std = values.detach().double().std().item()
    return abs(std / expected - 1.0) <= rel, std


# ------------------------------------------------------------------------ Linear: state_dict

@pytest.mark.parametrize("bias", [True, False])
def test_linear_state_dict_has_nn_linear_keys_and_shapes(bias):
    sd = Linear(5, 3, bias=bias).state_dict()
    ref = nn.Linear(5, 3, bias=bias).state_dict()
    assert set(sd) == set(ref), (
        f"Linear(5, 3, bias={bias}).state_dict() has keys {sorted(sd)}, expected {sorted(ref)} "
        "(like nn.Linear); hint: register weight (and bias only when bias=True) as "
        "nn.Parameter attributes named exactly 'weight' and 'bias'")
    for key in ref:
        assert_shape(sd[key], ref[key].shape, what=f"Linear(5, 3).state_dict()[{key!r}]",
                     hint=WEIGHT_HINT)


def test_linear_without_bias_has_bias_none():
    layer = Linear(5, 3, bias=False)
    has = hasattr(layer, "bias")
    assert has and layer.bias is None, (
        f"Linear(5, 3, bias=False).bias is "
        f"{'missing (AttributeError)' if not has else type(layer.bias).__name__}, expected None "
        "like nn.Linear's: model code such as `if m.bias is not None: nn.init.zeros_(m.bias)` "
        "relies on it; hint: self.register_parameter('bias', None) when bias=False")
    sd = layer.state_dict()
    assert set(sd) == {"weight"}, f"Linear(5, 3, bias=False).state_dict() has keys {sorted(sd)}"


def test_linear_default_has_a_bias():
    sd = Linear(4, 6).state_dict()
    assert set(sd) == {"weight", "bias"}, (
        f"Linear(4, 6).state_dict() has keys {sorted(sd)}; bias=True is the default, like nn.Linear")
    assert_shape(sd["bias"], (6,), what="Linear(4, 6).state_dict()['bias']")


@pytest.mark.parametrize("bias", [True, False])
def test_linear_parameters_are_float32(bias):
    layer = Linear(5, 3, bias=bias)
    for name, p in layer.named_parameters():
        assert p.dtype == torch.float32, (
            f"Linear(5, 3, bias={bias}).{name} is {p.dtype}; the contract says float32 (like "
            "nn.Linear): create it with torch.empty(out, in) and let .to(dtype) convert it")
    with default_dtype(torch.float64):
        layer = Linear(5, 3, bias=bias)
        wrong = {name: p.dtype for name, p in layer.named_parameters() if p.dtype != torch.float64}
        assert not wrong, (
            f"Linear(5, 3, bias={bias}) built under torch.set_default_dtype(torch.float64) has "
            f"parameters {wrong}; nn.Linear's would be float64 (torch's default dtype)\n  hint: "
            "an explicit dtype=torch.float32 (or .float()) ignores the default dtype: leave dtype= out")
        out = layer(randn(2, 5, dtype=torch.float64))
    assert out.dtype == torch.float64, (
        f"Linear(5, 3, bias={bias}) built under a float64 default dtype gave {out.dtype} for a float64 x")


def test_linear_weights_are_trainable_parameters():
    layer = Linear(4, 3)
    params = dict(layer.named_parameters())
    assert set(params) == {"weight", "bias"}, (
        f"Linear(4, 3).named_parameters() gives {sorted(params)}, expected ['bias', 'weight']; "
        "hint: wrap the tensors in nn.Parameter so the module (and an optimizer) sees them")
    assert all(p.requires_grad for p in params.values()), "Linear's parameters must require grad"


# ------------------------------------------------------------------------ Linear: forward

SHAPES = [((), 1, 1), ((), 5, 3), ((1,), 7, 2), ((4,), 3, 11), ((2, 3), 13, 5), ((2, 1, 3), 4, 1),
          ((0,), 4, 3), ((2, 0), 3, 2)]


@pytest.mark.parametrize("lead,in_f,out_f", SHAPES)
def test_linear_forward_matches_nn_linear(lead, in_f, out_f):
    mine, ref = _loaded_pair(in_f, out_f)
    x = randn(*lead, in_f, seed=in_f + out_f)
    with unchanged(x, names=["x"]):
        y = mine(x)
    assert_close(y, ref(x), what=f"Linear({in_f}, {out_f})(x of shape {(*lead, in_f)})",
                 hint=WEIGHT_HINT + "; any number of leading dims, including none")
    assert y.requires_grad, (f"Linear({in_f}, {out_f})(x of shape {(*lead, in_f)}) is cut from the "
                             "weight (requires_grad is False): compute x @ weight.T + bias for an "
                             "empty batch too, instead of returning fresh zeros")


@pytest.mark.parametrize("lead,in_f,out_f", SHAPES[1:4] + SHAPES[6:])  # empty leads too
def test_linear_forward_without_bias(lead, in_f, out_f):
    mine, ref = _loaded_pair(in_f, out_f, bias=False)
    x = randn(*lead, in_f, seed=3)
    assert_close(mine(x), ref(x), what=f"Linear({in_f}, {out_f}, bias=False)(x)",
                 hint="with bias=False the output is just x @ weight.T")


def test_linear_same_in_train_and_eval_mode():
    mine, ref = _loaded_pair(5, 4)
    x = randn(3, 5, seed=5)
    for mode in ("eval", "train"):
        getattr(mine, mode)()
        getattr(ref, mode)()
        assert_close(mine(x), ref(x), what=f"Linear(5, 4).{mode}()(x)",
                     hint="a Linear layer behaves the same in both modes")


@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward_stays_on_the_input_device(bias):
    """A layer moved to the GPU computes there: no helper tensor (a zero bias for bias=False,
    an output buffer) built on the default device (probed with meta as the other device)."""
    mine = Linear(5, 3, bias=bias)
    x = randn(2, 5, seed=7)
    assert_on_input_device(lambda: mine(x), lambda: copy.deepcopy(mine).to("meta")(x.to("meta")),
                           what=f"Linear(5, 3, bias={bias}).to(device)(x on that device)",
                           hint="build nothing on the default device in forward: with bias=False "
                                "return x @ weight.T alone, not + torch.zeros(out_features) "
                                "(a CPU tensor, while the layer runs on the GPU)")


@pytest.mark.parametrize("bias", [True, False])  # False too: a no-bias path with x.view
def test_linear_non_contiguous_input(bias):
    mine, ref = _loaded_pair(6, 4, bias=bias)
    x = non_contiguous(randn(3, 5, 6, seed=1))
    with unchanged(x, names=["x"]):
        y = mine(x)
    assert_close(y, ref(x), what=f"Linear(6, 4, bias={bias})(non-contiguous x)",
                 hint="x may be a transposed or sliced tensor: x @ weight.T takes it as it is "
                      "(reshape, never view, in every code path)")


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_linear_half_module(dtype):
    mine, ref = _loaded_pair(7, 3)
    mine = mine.to(dtype)
    x = randn(2, 7, seed=6)
    y = mine(x.to(dtype))
    assert_close(y, ref(x).to(dtype), what=f"Linear(7, 3).to({dtype})(x of {dtype})",
                 hint="the output keeps x's dtype", **tolerance(dtype))


def test_linear_float64_module():
    mine, ref = _loaded_pair(7, 3, dtype=torch.float64)
    x = randn(2, 7, seed=2, dtype=torch.float64)
    assert_close(mine(x), ref(x), what="Linear(7, 3).to(torch.float64)(float64 x)",
                 hint="module.to(dtype) converts registered parameters only")


def test_linear_forward_reads_the_parameters_at_each_call():
    # a forward that keeps weight.T (or a cast of it) from its first call: .double() swaps
    # the parameter's data, so the kept view still holds the old float32 values; a first call
    # under torch.no_grad keeps a view cut from the graph, and weight.grad never fills
    mine, ref = _loaded_pair(7, 3)
    x = randn(2, 7, seed=31)
    with torch.no_grad():
        mine(x)
    y = mine(x)
    y.sum().backward()
    what = "Linear(7, 3): first called under torch.no_grad(), then called again and backward"
    hint = ("read self.weight (and self.bias) inside forward at every call: a weight.T kept on "
            "the module from an earlier call is cut from the graph or stale after .double()")
    assert mine.weight.grad is not None, f"{what}: weight.grad is None; hint: {hint}"
    mine.double()
    ref.double()
    x64 = x.double()
    assert_close(mine(x64), ref(x64), what="Linear(7, 3) called once, then .double(), then float64 x",
                 hint=hint)


@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2), in_f=st.integers(1, 9),
       out_f=st.integers(1, 9), bias=st.booleans(), seed=st.integers(0, 2**31 - 1))
def test_linear_forward_and_gradients_match_nn_linear(lead, in_f, out_f, bias, seed):
    mine, ref = _loaded_pair(in_f, out_f, bias=bias)
    x = randn(*lead, in_f, seed=seed).requires_grad_()
    x_ref = x.detach().clone().requires_grad_()
    y = mine(x)
    y_ref = ref(x_ref)
    what = f"Linear({in_f}, {out_f}, bias={bias})(x of shape {(*lead, in_f)})"
    assert_close(y, y_ref, what=what, hint=WEIGHT_HINT)
    g = randn(*y_ref.shape, seed=seed + 1)
    y.backward(g)
    y_ref.backward(g)
    assert_close(x.grad, x_ref.grad, what=f"{what}: gradient w.r.t. x")
    params = dict(mine.named_parameters())
    for name, p in ref.named_parameters():
        assert params[name].grad is not None, f"{what}: no gradient reached {name}"
        assert_close(params[name].grad, p.grad, what=f"{what}: gradient w.r.t. {name}")


def test_linear_writes_its_own():
    x = randn(2, 6, seed=4)
    with forbid(F.linear, *INIT_BUILTINS):
        layer = Linear(6, 4)
        layer(x)
    inner = [type(m).__name__ for m in layer.modules() if isinstance(m, nn.Linear)]
    assert not inner, (f"Linear(6, 4) contains an nn.Linear ({inner}); this kata asks you to "
                       "write the layer from parameters and a matmul")


# ------------------------------------------------------------------------ Linear: init

@pytest.mark.parametrize("in_f,out_f", [(1024, 16), (16, 1024)])
def test_linear_weight_init_is_uniform_with_fan_in_bound(in_f, out_f):
    w = Linear(in_f, out_f).state_dict()["weight"]
    what = f"Linear({in_f}, {out_f}).weight"
    bound = 1.0 / math.sqrt(in_f)
    assert_shape(w, (out_f, in_f), what=what, hint=WEIGHT_HINT)
    # 16384 draws of U(-b, b): the sample std's relative standard error is about
    # 0.447 / sqrt(16384) = 0.35%, so 5% is 14 standard errors (never flakes); fans
    # swapped would give a std 8x off.
    ok, std = _sample_std_ok(w, bound / math.sqrt(3.0), rel=0.05)
    assert ok, (f"{what}: sample std {std:.4g}, expected {bound / math.sqrt(3):.4g} "
                f"(U(-{bound:.4g}, {bound:.4g}) has std bound/sqrt(3)); hint: {LINEAR_INIT_HINT}")
    biggest = w.abs().max().item()
    assert biggest <= bound * (1 + 1e-6), (
        f"{what}: a value of size {biggest:.4g} lies outside the bound +-{bound:.4g}; "
        f"hint: {LINEAR_INIT_HINT}")
    assert biggest >= 0.95 * bound, (
        f"{what}: the largest value is {biggest:.4g}, but U(-{bound:.4g}, {bound:.4g}) fills the "
        f"whole interval; hint: {LINEAR_INIT_HINT}")
    # The mean's standard error is 0.0045 * bound here: 0.05 * bound is 11 of them.
    assert abs(w.double().mean().item()) <= 0.05 * bound, f"{what}: the values are not centred on 0"


def test_linear_bias_init_is_uniform_with_fan_in_bound():
    bias = Linear(16, 1024).state_dict()["bias"]
    bound = 1.0 / math.sqrt(16)
    # 1024 draws: the sample std's relative standard error is about 1.4%; 10% is 7 of them.
    ok, std = _sample_std_ok(bias, bound / math.sqrt(3.0), rel=0.10)
    assert ok, (f"Linear(16, 1024).bias: sample std {std:.4g}, expected {bound / math.sqrt(3):.4g}; "
                f"hint: {LINEAR_INIT_HINT}")
    assert bias.abs().max().item() <= bound * (1 + 1e-6), (
        f"Linear(16, 1024).bias: values outside +-{bound}; hint: {LINEAR_INIT_HINT}")
    small = Linear(1024, 16).state_dict()["bias"]
    # With the fan-out bound (1/4 instead of 1/32) all 16 values would fall inside +-1/32
    # with probability (1/8)^16, about 3e-15.
    assert small.abs().max().item() <= (1 / 32) * (1 + 1e-6), (
        f"Linear(1024, 16).bias: values reach {small.abs().max().item():.4g}, outside +-1/32 = "
        f"+-1/sqrt(in_features); hint: {LINEAR_INIT_HINT}")


def test_linear_init_follows_torch_manual_seed():
    torch.manual_seed(1234)
    a = Linear(8, 16).state_dict()
    torch.manual_seed(1234)
    b = Linear(8, 16).state_dict()
    for key in a:
        assert torch.equal(a[key], b[key]), (
            f"torch.manual_seed(1234) then Linear(8, 16), twice: the {key}s differ. Initialise "
            "like nn.Linear, from torch's global generator (tensor.uniform_(low, high)), so "
            "torch.manual_seed makes runs reproducible; a private torch.Generator, numpy or "
            "Python's random module escapes it")


def test_linear_init_is_random():
    a = Linear(16, 64).state_dict()["weight"]
    b = Linear(16, 64).state_dict()["weight"]
    assert not torch.equal(a, b), "two fresh Linear(16, 64) layers have identical weights"
    assert a.std().item() > 0, "Linear(16, 64).weight is constant; draw it at random"


# ------------------------------------------------------------------------ xavier_uniform_

def test_xavier_fills_in_place_and_returns_the_tensor():
    t = torch.zeros(30, 20)
    out = xavier_uniform_(t)
    same = out is t
    assert same, ("xavier_uniform_(t) must return t itself (the trailing _ means in place), "
                  "not a new tensor")
    assert t.abs().sum().item() > 0, "xavier_uniform_(t) left t all zeros; fill it in place"


def test_xavier_works_on_a_parameter():
    p = nn.Parameter(torch.zeros(8, 5))
    out = xavier_uniform_(p)
    same = out is p
    assert same, "xavier_uniform_(param) must return the parameter itself"
    assert p.is_leaf and p.requires_grad and p.grad_fn is None, (
        "xavier_uniform_(param) turned the parameter into a non-leaf; fill it under torch.no_grad()")
    assert p.abs().sum().item() > 0, "xavier_uniform_(param) left it all zeros"


def _xavier_bound(shape, gain):
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    return gain * math.sqrt(6.0 / (fan_in + fan_out))


@pytest.mark.parametrize("shape,gain", [((200, 80), None), ((80, 200), 2.0),
                                        ((64, 32, 3, 3), 1.0), ((96, 24, 7), 0.5)])
def test_xavier_distribution(shape, gain):
    t = torch.full(shape, float("nan"))
    if gain is None:
        xavier_uniform_(t)
        what, gain = f"xavier_uniform_(torch.empty{shape})", 1.0
    else:
        xavier_uniform_(t, gain=gain)
        what = f"xavier_uniform_(torch.empty{shape}, gain={gain})"
    bound = _xavier_bound(shape, gain)
    hint = f"a = gain * sqrt(6 / (fan_in + fan_out)); {FAN_HINT}"
    filled = bool(t.isfinite().all())
    assert filled, f"{what}: the tensor still holds NaN where it had NaN before; {FILL_HINT}"
    # >= 16000 uniform draws: relative standard error of the std <= 0.36%; 5% is 14 of them.
    ok, std = _sample_std_ok(t, bound / math.sqrt(3.0), rel=0.05)
    assert ok, f"{what}: sample std {std:.4g}, expected a/sqrt(3) = {bound / math.sqrt(3):.4g}; hint: {hint}"
    biggest = t.abs().max().item()
    assert bound * 0.95 <= biggest <= bound * (1 + 1e-6), (
        f"{what}: largest |value| {biggest:.4g}; U(-a, a) with a = {bound:.4g} stays inside and "
        f"reaches the edges; hint: {hint}")
    assert abs(t.double().mean().item()) <= 0.05 * bound, f"{what}: the values are not centred on 0"


@pytest.mark.parametrize("name", ["xavier_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("view", ["rows", "transposed"])
def test_init_fills_a_view_in_place(name, view):
    """Initialising one block of a fused weight (as for the q, k, v rows of an attention
    in_proj_weight), or a transposed view: the view's storage is the big tensor's, and it
    must be the one filled."""
    fn = {"xavier_uniform_": xavier_uniform_, "kaiming_normal_": kaiming_normal_}[name]
    base = torch.zeros(90, 40)
    block, shown = (base[30:60], "base[30:60]") if view == "rows" else (base[30:60].T, "base[30:60].T")
    out = fn(block)
    assert out is block, f"{name}({shown}) must return the view it was given"
    assert (base[30:60] != 0).double().mean().item() > 0.99, (
        f"{name}({shown}) did not fill base[30:60]: it replaced the view's data instead of "
        f"writing into it; hint: " + FILL_HINT + " (not tensor.data = ...)")
    assert base[:30].abs().sum().item() == 0 and base[60:].abs().sum().item() == 0, (
        f"{name}({shown}) wrote outside the view")


def test_xavier_gain_zero_is_not_the_default():
    t = torch.full((30, 20), float("nan"))
    xavier_uniform_(t, gain=0.0)
    assert bool((t == 0).all()), (
        "xavier_uniform_(t, gain=0.0) must fill t with U(-0, 0) = zeros; it did not (was 0.0 "
        "read as 'not given', as in `gain or 1.0`?)")


def test_init_functions_follow_torch_manual_seed():
    for name, fn in (("xavier_uniform_", xavier_uniform_), ("kaiming_normal_", kaiming_normal_)):
        torch.manual_seed(99)
        a = fn(torch.empty(16, 8))
        torch.manual_seed(99)
        b = fn(torch.empty(16, 8))
        assert torch.equal(a, b), (
            f"torch.manual_seed(99) then {name}(torch.empty(16, 8)), twice: different values; "
            "draw from torch's global generator (tensor.uniform_ / tensor.normal_)")


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_init_functions_keep_half_dtype(dtype):
    for name, fn in (("xavier_uniform_", xavier_uniform_), ("kaiming_normal_", kaiming_normal_)):
        t = torch.zeros(40, 60, dtype=dtype)
        out = fn(t)
        assert out is t and out.dtype == dtype and out.shape == (40, 60), (
            f"{name}(a {dtype} (40, 60) tensor) gave {out.dtype} {tuple(out.shape)}, "
            f"{'the same' if out is t else 'a new'} tensor")
        assert t.abs().sum().item() > 0, f"{name}(a {dtype} tensor) left it all zeros"


def test_xavier_keeps_dtype():
    t = torch.zeros(40, 60, dtype=torch.float64)
    out = xavier_uniform_(t)
    assert out.dtype == torch.float64 and out.shape == (40, 60), (
        f"xavier_uniform_(float64 (40, 60) tensor) gave {out.dtype} {tuple(out.shape)}")


# ------------------------------------------------------------------------ kaiming_normal_

def test_kaiming_fills_in_place_and_returns_the_tensor():
    t = torch.zeros(30, 20)
    out = kaiming_normal_(t)
    same = out is t
    assert same, ("kaiming_normal_(t) must return t itself (the trailing _ means in place), "
                  "not a new tensor")
    assert t.abs().sum().item() > 0, "kaiming_normal_(t) left t all zeros; fill it in place"


def test_kaiming_works_on_a_parameter():
    p = nn.Parameter(torch.zeros(8, 5))
    out = kaiming_normal_(p, mode="fan_out", nonlinearity="relu")
    same = out is p
    assert same, "kaiming_normal_(param) must return the parameter itself"
    assert p.is_leaf and p.requires_grad and p.grad_fn is None, (
        "kaiming_normal_(param) turned the parameter into a non-leaf; fill it under torch.no_grad()")


KAIMING_CASES = [
    ((40, 1000), {}),
    ((1000, 40), {}),
    ((40, 1000), {"mode": "fan_out"}),
    ((1000, 40), {"mode": "fan_out"}),
    ((32, 16, 5, 5), {}),
    ((32, 16, 5, 5), {"mode": "fan_out", "nonlinearity": "relu"}),
    ((200, 200), {"nonlinearity": "relu"}),
    ((200, 200), {"nonlinearity": "relu", "a": 0.5}),  # relu's gain ignores a
    ((200, 200), {"a": 1.0}),
    ((200, 200), {"a": math.sqrt(5.0), "nonlinearity": "leaky_relu"}),
    ((200, 200), {"nonlinearity": "linear"}),
    ((200, 200), {"nonlinearity": "sigmoid"}),
    ((200, 200), {"nonlinearity": "tanh"}),
]


@pytest.mark.parametrize("shape,kwargs", KAIMING_CASES,
                         ids=[f"{'x'.join(map(str, s))}-{k}" for s, k in KAIMING_CASES])
def test_kaiming_std_matches_the_formula(shape, kwargs):
    t = torch.full(shape, float("nan"))
    kaiming_normal_(t, **kwargs)
    filled = bool(t.isfinite().all())
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    what = f"kaiming_normal_(torch.empty{shape}{args})"
    assert filled, f"{what}: the tensor still holds NaN where it had NaN before; {FILL_HINT}"
    mode = kwargs.get("mode", "fan_in")
    fan = nn.init._calculate_correct_fan(torch.empty(shape), mode)
    gain = nn.init.calculate_gain(kwargs.get("nonlinearity", "leaky_relu"), kwargs.get("a", 0.0))
    expected = gain / math.sqrt(fan)
    # >= 12800 normal draws: relative standard error of the std is 1/sqrt(2n) <= 0.63%, so
    # 5% is 8 standard errors; a swapped fan is 5x off, a wrong gain at least 15% off.
    ok, std = _sample_std_ok(t, expected, rel=0.05)
    assert ok, (f"{what}: sample std {std:.4g}, expected gain / sqrt({mode}) = "
                f"{gain:.4g} / sqrt({fan}) = {expected:.4g}; hint: {FAN_HINT}; gains: linear and "
                "sigmoid 1, tanh 5/3, relu sqrt(2) (whatever a is), leaky_relu "
                "sqrt(2 / (1 + a^2))")
    # Normal, not uniform: P(|z| <= 1) = 0.6827 (uniform with that std: 0.577). Standard
    # error of the fraction <= 0.0041 here, so +-0.03 is 7 of them.
    inside = (t.abs() <= expected).double().mean().item()
    assert abs(inside - 0.6827) <= 0.03, (
        f"{what}: {inside:.1%} of the values lie within one std of 0; a normal distribution "
        "has 68.3% there; hint: draw with tensor.normal_(0, std), not uniform_")
    assert abs(t.double().mean().item()) <= 0.1 * expected, f"{what}: the values are not centred on 0"


@pytest.mark.parametrize("kwargs,gain", [({"nonlinearity": "tanh"}, 5.0 / 3.0),
                                         ({"nonlinearity": "relu"}, math.sqrt(2.0)),
                                         ({}, math.sqrt(2.0))], ids=["tanh", "relu", "default"])
def test_kaiming_std_is_exact_when_drawn_like_torch(kwargs, gain):
    # The statistical spec above cannot see a gain rounded to 1.67 or 1.41 (0.2%); but a
    # kaiming_normal_ that draws through torch's global generator like tensor.normal_(0, 1)
    # does gives exactly std * those draws, so the std can be read off to float32 precision.
    # Draws of another stream (any correct way) are judged by the statistical spec only.
    shape = (20, 30)
    torch.manual_seed(5)
    ours = kaiming_normal_(torch.empty(shape), **kwargs).double()
    torch.manual_seed(5)
    unit = torch.empty(shape).normal_(0.0, 1.0).double()
    scale = ((ours * unit).sum() / (unit * unit).sum()).item()
    if (ours - scale * unit).norm() > 1e-5 * ours.norm():
        return  # not the same draws: nothing exact to compare
    expected = gain / math.sqrt(30)
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    assert abs(scale / expected - 1) <= 1e-5, (
        f"kaiming_normal_(torch.empty{shape}{args}) after torch.manual_seed(5) is {scale:.7g} times "
        f"torch's N(0, 1) draws, expected std = gain / sqrt(fan_in) = {expected:.7g} "
        f"(off by {scale / expected - 1:+.2e}); hint: use exact gains, 5 / 3 and math.sqrt(2), "
        "not rounded decimals such as 1.67 or 1.41")


@pytest.mark.parametrize("kwargs,named", [({"nonlinearity": "Relu"}, "Relu"),
                                          ({"nonlinearity": "gelu"}, "gelu"),
                                          ({"nonlinearity": "selu"}, "selu"),
                                          ({"nonlinearity": "conv2d"}, "conv2d"),
                                          ({"mode": "fan_avg"}, "fan_avg"),
                                          ({"mode": "Fan_Out"}, "Fan_Out")], ids=str)
def test_kaiming_unknown_mode_or_nonlinearity_is_a_value_error(kwargs, named):
    t = torch.zeros(6, 4)
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    assert_raises(ValueError, kaiming_normal_, t, **kwargs,
                  contract="any other mode or nonlinearity raises ValueError naming it, before "
                           "the tensor is touched", mentions=(named,),
                  what=f"kaiming_normal_(torch.zeros(6, 4){args})",
                  hint="check mode and nonlinearity against the listed names only, exactly as spelled (no .lower()), (not torch's "
                       "calculate_gain table: no selu, no conv2d) and raise "
                       "ValueError(f'unsupported nonlinearity {nonlinearity!r}'): a dict lookup "
                       "raises KeyError, and an else: gain = 1 hides the typo")
    assert t.abs().sum().item() == 0, (
        f"kaiming_normal_(torch.zeros(6, 4){args}) raised, but only after filling the tensor; "
        "check the arguments first")


def test_kaiming_keeps_dtype():
    t = torch.zeros(40, 60, dtype=torch.float64)
    out = kaiming_normal_(t, nonlinearity="relu")
    assert out.dtype == torch.float64 and out.shape == (40, 60), (
        f"kaiming_normal_(float64 (40, 60) tensor) gave {out.dtype} {tuple(out.shape)}")


def test_init_functions_write_their_own():
    with forbid(*INIT_BUILTINS):
        xavier_uniform_(torch.empty(6, 4), gain=1.5)
        kaiming_normal_(torch.empty(6, 4, 3), mode="fan_out", nonlinearity="tanh")
        kaiming_normal_(torch.empty(6, 4))
