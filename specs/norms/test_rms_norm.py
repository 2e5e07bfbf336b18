"""Specs for katas/norms/rms_norm.py (day 14): RMSNorm, pre_norm, post_norm.

Inputs have a non-zero mean throughout, so a LayerNorm (mean subtracted) cannot pass for an
RMSNorm.

Contract -> specs:
- weight (dim,) ones, state_dict key "weight" only: test_parameters_match_nn_rmsnorm, load_into
- x / sqrt(mean(x^2) + eps) * weight over the last dim, vs nn.RMSNorm, train/eval, sizes 1 and
  primes: test_fresh_module_*, test_matches_torch_with_loaded_weights, test_matches_torch_property
- no mean subtraction (constant rows): test_constant_rows_are_not_zeroed
- eps inside the sqrt (dim = 1 too), default 1e-6, eps=0.0 as given (no hidden floor, x ~ 1e-10 and 1e-15 too):
  test_eps_is_inside_the_sqrt, test_explicit_zero_eps_is_used
- .eps set after construction is used (read at every forward): test_eps_set_after_construction_is_used
- float64 (float32 internals allowed), float32 under a float64 default dtype: test_float64; gradients: test_gradients_match_torch
- empty leading dim, exact zero rows (finite gradient): test_empty_batch_and_zero_rows
- non-contiguous input unchanged: test_non_contiguous_*; off limits: test_writes_its_own_rms_norm
- same device as x (helpers on x.device): test_runs_on_the_input_device
- pre_norm = x + sublayer(norm(x)), post_norm = norm(x + sublayer(x)), any callables, gradients:
  test_pre_norm, test_post_norm, test_wiring_accepts_plain_functions, test_gradients_flow_*
- each callable runs exactly once (stochastic sublayer): test_sublayer_and_norm_run_exactly_once
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from harness.checks import (SpecFailure, assert_close, assert_on_input_device, forbid, non_contiguous,
                            unchanged)
from harness.edges import default_dtype
from katas.norms.rms_norm import RMSNorm, post_norm, pre_norm

HINT_RMS = ("RMSNorm divides by the root mean square over the last dim, sqrt(mean(x^2) + eps), "
            "and multiplies by weight; it does NOT subtract the mean (that is LayerNorm)")
HINT_EPS = ("eps goes inside the square root, sqrt(mean(x^2) + eps), and defaults to 1e-6; it "
            "matters when x is small")
HINT_PRE = ("pre-norm: x + sublayer(norm(x)). Only the sublayer's input is normalised: the "
            "residual adds the raw x (not norm(x)), and the sum is not normalised again (that "
            "is post-norm)")
HINT_POST = "post-norm: norm(x + sublayer(x)). The residual sum is normalised, after the add"


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def inputs(*shape, seed, offset=2.0, scale=1.0, dtype=torch.float32):
    """Normal values around a non-zero mean."""
    return offset + scale * torch.randn(shape, generator=_gen(seed), dtype=dtype)


def reference_norm(dim, *, eps=1e-6, seed=0):
    """nn.RMSNorm with a random (non-trivial) weight."""
    ref = nn.RMSNorm(dim, eps=eps)
    with torch.no_grad():
        ref.weight.copy_(torch.randn(dim, generator=_gen(seed)) + 1.0)
    return ref


def load_into(mine, ref):
    keys = set(mine.state_dict())
    if keys != {"weight"}:
        raise SpecFailure(f"RMSNorm state_dict keys are {sorted(keys)}, expected ['weight'] "
                          f"(nn.RMSNorm's); hint: register self.weight = nn.Parameter(torch.ones(dim))")
    mine.load_state_dict(ref.state_dict())
    return mine


# ------------------------------------------------------------------------ RMSNorm: the module

@pytest.mark.parametrize("dim", [1, 7, 16])
def test_parameters_match_nn_rmsnorm(dim):
    mine = RMSNorm(dim)
    state = mine.state_dict()
    assert set(state) == {"weight"}, (
        f"RMSNorm({dim}).state_dict() has keys {sorted(state)}, expected ['weight'] like "
        f"nn.RMSNorm; hint: self.weight = nn.Parameter(torch.ones(dim)), no bias")
    assert_close(state["weight"], torch.ones(dim), what=f"RMSNorm({dim}).weight at init",
                 hint="weight starts at ones, so a fresh RMSNorm only normalises")
    params = list(mine.parameters())
    assert len(params) == 1 and params[0] is mine.weight and mine.weight.requires_grad, (
        f"RMSNorm({dim}).parameters() should yield exactly weight (a trainable nn.Parameter); "
        f"got {len(params)} parameter(s)")


def test_fresh_module_with_default_eps_matches_torch():
    mine = RMSNorm(6)
    x = inputs(3, 6, seed=1)
    assert_close(mine(x), nn.RMSNorm(6, eps=1e-6)(x), what="RMSNorm(6)(x) (defaults)", hint=HINT_RMS)


@pytest.mark.parametrize("mode", ["train", "eval"])
@pytest.mark.parametrize("shape", [(7,), (3, 7), (2, 5, 16), (4, 1), (2, 3, 13)], ids=str)
def test_matches_torch_with_loaded_weights(shape, mode):
    dim = shape[-1]
    mine = RMSNorm(dim)
    ref = reference_norm(dim, seed=2)
    load_into(mine, ref)
    getattr(mine, mode)(), getattr(ref, mode)()
    x = inputs(*shape, seed=3)
    assert_close(mine(x), ref(x), what=f"RMSNorm({dim}) in {mode} mode on x of shape {shape}",
                 hint=HINT_RMS)


def test_constant_rows_are_not_zeroed():
    mine = RMSNorm(4)
    ref = reference_norm(4, seed=4)
    load_into(mine, ref)
    x = torch.tensor([[3.0, 3.0, 3.0, 3.0], [-2.0, -2.0, -2.0, -2.0], [1.0, 2.0, 3.0, 4.0]])
    assert_close(mine(x), ref(x), what="RMSNorm(4) on rows of constants [3, 3, 3, 3], [-2, ...]",
                 hint="a constant row c normalises to sign(c) * weight; zeros mean the row's mean "
                      "was subtracted. " + HINT_RMS)


# dim = 1 too: a one-channel shortcut sign(x) * weight drops eps (x / sqrt(x^2 + eps) is ~0.1 here, not 1).
@pytest.mark.parametrize("eps,dim", [(None, 5), (1e-2, 5), (1e-6, 5), (1e-6, 1)])
def test_eps_is_inside_the_sqrt(eps, dim):
    mine = RMSNorm(dim) if eps is None else RMSNorm(dim, eps=eps)
    ref = reference_norm(dim, eps=1e-6 if eps is None else eps, seed=5)
    load_into(mine, ref)
    # Mean square ~1e-8: far below eps = 1e-6, so where eps goes decides the output.
    x = inputs(3, dim, seed=6, offset=1e-4, scale=5e-5)
    shown = f"RMSNorm({dim})" if eps is None else f"RMSNorm({dim}, eps={eps})"
    assert_close(mine(x), ref(x), what=f"{shown} on x of magnitude 1e-4", hint=HINT_EPS
                 + ("; with dim = 1 too: x / sqrt(x^2 + eps), not sign(x)" if dim == 1 else ""))


def test_float64():
    mine = RMSNorm(7, eps=1e-5)
    ref = reference_norm(7, eps=1e-5, seed=7)
    load_into(mine, ref)
    mine.double(), ref.double()
    x = inputs(2, 3, 7, seed=8, dtype=torch.float64)
    # Loose for float64 (1e-5): computing in float32 and casting back, as Llama does, is fine.
    assert_close(mine(x), ref(x), what="RMSNorm(7, eps=1e-5).double() on float64 x", rtol=1e-5,
                 atol=1e-6, hint=HINT_RMS)
    # A float32 module under a float64 default dtype: a helper made without dtype= (torch.full,
    # torch.tensor([eps])) is float64 there and promotes the float32 output.
    mine.float(), ref.float()
    with default_dtype(torch.float64):
        out = mine(x.float())
    assert_close(out, ref(x.float()), what="RMSNorm(7, eps=1e-5) on float32 x under "
                 "torch.set_default_dtype(torch.float64)",
                 hint="the output keeps x's dtype whatever the default dtype: build a helper such as an "
                      "eps tensor with dtype=x.dtype (or add the Python float eps)")


@pytest.mark.parametrize("shape", [(3, 7), (2, 4, 13)], ids=str)
def test_gradients_match_torch(shape):
    dim = shape[-1]
    mine = RMSNorm(dim)
    ref = reference_norm(dim, seed=9)
    load_into(mine, ref)
    x = inputs(*shape, seed=10)
    upstream = torch.randn(shape, generator=_gen(11))
    x_mine, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
    (mine(x_mine) * upstream).sum().backward()
    (ref(x_ref) * upstream).sum().backward()
    assert x_mine.grad is not None, "RMSNorm: no gradient reached the input x; is the output built from x?"
    assert_close(x_mine.grad, x_ref.grad, what=f"RMSNorm({dim}) gradient w.r.t. x of shape {shape}",
                 hint=HINT_RMS + "; let autograd differentiate it (no .detach())")
    assert mine.weight.grad is not None, (
        "RMSNorm: weight got no gradient; is it an nn.Parameter used in forward?")
    assert_close(mine.weight.grad, ref.weight.grad, what=f"RMSNorm({dim}) gradient w.r.t. weight",
                 hint="the output is the normalised x times weight")


@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2), dim=st.integers(1, 9),
       offset=st.sampled_from([-3.0, 0.5, 5.0]), scale=st.sampled_from([1e-3, 1.0, 30.0]),
       seed=st.integers(0, 2**31 - 1))
def test_matches_torch_property(lead, dim, offset, scale, seed):
    mine = RMSNorm(dim)
    ref = reference_norm(dim, seed=seed)
    load_into(mine, ref)
    shape = (*lead, dim)
    x = inputs(*shape, seed=seed + 1, offset=offset, scale=scale)
    assert_close(mine(x), ref(x), what=f"RMSNorm({dim}) on x of shape {shape} (mean {offset}, "
                                       f"spread {scale})", hint=HINT_RMS)


def test_non_contiguous_input_is_left_alone():
    mine = RMSNorm(5)
    ref = reference_norm(5, seed=12)
    load_into(mine, ref)
    x = non_contiguous(inputs(3, 4, 5, seed=13))
    with unchanged(x, names=["x"]):
        out = mine(x)
    assert_close(out, ref(x.contiguous()), what="RMSNorm(5) on a non-contiguous x", hint=HINT_RMS)


def test_runs_on_the_input_device():
    """The meta device stands in for a GPU: a helper built without device= stays on the CPU."""
    mine, on_meta = RMSNorm(5), RMSNorm(5).to("meta")
    x = inputs(2, 3, 5, seed=15)
    assert_on_input_device(lambda: mine(x), lambda: on_meta(x.to("meta")),
                           what="RMSNorm(5)(x) with module and x on the meta device",
                           hint="a helper tensor such as torch.tensor(eps) or torch.full(..., eps) made "
                                "without device=x.device lives on the CPU; add the Python float eps "
                                "directly (mean_square + self.eps) or build the helper on x.device")


def test_writes_its_own_rms_norm():
    mine = RMSNorm(5)
    x = inputs(2, 5, seed=14)
    with forbid(F.rms_norm, torch.rms_norm):
        mine(x)


# ------------------------------------------------------------------------ pre_norm / post_norm

def make_sublayer(d, seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, d), nn.Tanh())


def make_norm(kind, d, seed):
    if kind == "rms":
        return reference_norm(d, seed=seed)
    norm = nn.LayerNorm(d)
    with torch.no_grad():
        norm.weight.copy_(torch.randn(d, generator=_gen(seed)) + 1.0)
        norm.bias.copy_(torch.randn(d, generator=_gen(seed + 1)))
    return norm


@pytest.mark.parametrize("kind", ["rms", "layer"])
@pytest.mark.parametrize("shape", [(6,), (3, 6), (2, 5, 6)], ids=str)
def test_pre_norm(shape, kind):
    d = shape[-1]
    sublayer, norm = make_sublayer(d, seed=20), make_norm(kind, d, seed=21)
    x = inputs(*shape, seed=22)
    with unchanged(x, names=["x"]):
        out = pre_norm(x, sublayer, norm)
    assert_close(out, x + sublayer(norm(x)),
                 what=f"pre_norm(x of shape {shape}, Linear+Tanh, {type(norm).__name__})", hint=HINT_PRE)


@pytest.mark.parametrize("kind", ["rms", "layer"])
@pytest.mark.parametrize("shape", [(6,), (3, 6), (2, 5, 6)], ids=str)
def test_post_norm(shape, kind):
    d = shape[-1]
    sublayer, norm = make_sublayer(d, seed=23), make_norm(kind, d, seed=24)
    x = inputs(*shape, seed=25)
    with unchanged(x, names=["x"]):
        out = post_norm(x, sublayer, norm)
    assert_close(out, norm(x + sublayer(x)),
                 what=f"post_norm(x of shape {shape}, Linear+Tanh, {type(norm).__name__})", hint=HINT_POST)


def test_wiring_accepts_plain_functions():
    x = inputs(2, 3, 4, seed=26)
    norm = lambda t: t / t.abs().amax(-1, keepdim=True)  # noqa: E731
    sublayer = lambda t: torch.sin(3 * t)  # noqa: E731
    assert_close(pre_norm(x, sublayer, norm), x + sublayer(norm(x)),
                 what="pre_norm(x, sin(3t), t / max|t|)", hint=HINT_PRE)
    assert_close(post_norm(x, sublayer, norm), norm(x + sublayer(x)),
                 what="post_norm(x, sin(3t), t / max|t|)", hint=HINT_POST)


def test_gradients_flow_through_the_residual():
    d = 5
    sublayer, norm = make_sublayer(d, seed=27), make_norm("rms", d, seed=28)
    x = inputs(3, d, seed=29)
    upstream = torch.randn(3, d, generator=_gen(30))
    for fn, expected, hint in ((pre_norm, lambda t: t + sublayer(norm(t)), HINT_PRE),
                               (post_norm, lambda t: norm(t + sublayer(t)), HINT_POST)):
        x_mine, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
        (fn(x_mine, sublayer, norm) * upstream).sum().backward()
        (expected(x_ref) * upstream).sum().backward()
        assert x_mine.grad is not None, f"{fn.__name__}: no gradient reached x"
        assert_close(x_mine.grad, x_ref.grad, what=f"{fn.__name__}(x, Linear+Tanh, RMSNorm) gradient w.r.t. x",
                     hint=hint)


# ------------------------------------------------------------------------ edges

@pytest.mark.parametrize("magnitude", [1e-4, 1e-10, 1e-15])
def test_explicit_zero_eps_is_used(magnitude):
    # mean square ~1e-8 shows any eps; ~1e-20 (still a normal float32) also shows a hidden floor
    # such as max(eps, 1e-12) or rms.clamp_min(1e-8); ~1e-30 shows F.normalize's clamp_min(1e-12)
    # of the norm
    mine = RMSNorm(5, eps=0.0)
    ref = reference_norm(5, eps=0.0, seed=31)
    load_into(mine, ref)
    x = inputs(3, 5, seed=32, offset=magnitude, scale=magnitude / 2)
    assert_close(mine(x), ref(x), what=f"RMSNorm(5, eps=0.0) on x of magnitude {magnitude:g}",
                 hint="eps=0.0 is a value, not 'not given': store it as is (no `eps or 1e-6`) and "
                      "add nothing else (no max(eps, tiny), no clamp of the rms)")


def test_eps_set_after_construction_is_used():
    # nn.RMSNorm keeps eps in .eps and reads it at every forward; so does this module
    mine = RMSNorm(5)
    ref = reference_norm(5, seed=33)
    load_into(mine, ref)
    mine.eps = ref.eps = 0.5
    x = inputs(3, 5, seed=34, offset=0.5, scale=0.5)
    assert_close(mine(x), ref(x), what="RMSNorm(5) with .eps = 0.5 set after construction",
                 hint="keep eps in the attribute self.eps and read it in forward (as nn.RMSNorm "
                      "does); do not fold it into a tensor or another attribute in __init__")


def test_empty_batch_and_zero_rows():
    mine = RMSNorm(4)
    ref = reference_norm(4, seed=33)
    load_into(mine, ref)
    empty = torch.empty(0, 3, 4)
    assert_close(mine(empty), ref(empty), what="RMSNorm(4) on x of shape (0, 3, 4)", hint=HINT_RMS)
    x = inputs(3, 4, seed=34)
    x[1] = 0.0  # a row of exact zeros: output 0, gradient weight / sqrt(eps), finite
    x_mine, x_ref = x.clone().requires_grad_(), x.clone().requires_grad_()
    upstream = torch.randn(3, 4, generator=_gen(35))
    out = mine(x_mine)
    assert_close(out, ref(x_ref), what="RMSNorm(4) on x whose row 1 is all zeros", hint=HINT_RMS)
    (out * upstream).sum().backward()
    (ref(x_ref) * upstream).sum().backward()
    assert_close(x_mine.grad, x_ref.grad, what="RMSNorm(4) gradient w.r.t. x whose row 1 is all zeros",
                 hint="keep eps inside the sqrt: sqrt(mean(x^2)) has an infinite slope at 0, "
                      "sqrt(mean(x^2) + eps) does not")


class CountingSublayer:
    """A stochastic sublayer (like one holding dropout): a fresh output on every call, and
    a record of how often it ran."""

    def __init__(self, seed):
        self.gen, self.outputs = _gen(seed), []

    def __call__(self, t):
        out = torch.tanh(t) * (1 + torch.rand(t.shape, generator=self.gen))
        self.outputs.append(out)
        return out


@pytest.mark.parametrize("wiring", ["pre_norm", "post_norm"])
def test_sublayer_and_norm_run_exactly_once(wiring):
    x = inputs(2, 3, 6, seed=36)
    norm_calls = []
    ref_norm = reference_norm(6, seed=37)

    def norm(t):
        norm_calls.append(t)
        return ref_norm(t)

    sublayer = CountingSublayer(38)
    fn = pre_norm if wiring == "pre_norm" else post_norm
    out = fn(x, sublayer, norm)
    what = f"{wiring}(x, a stochastic sublayer, RMSNorm)"
    assert len(sublayer.outputs) == 1 and len(norm_calls) == 1, (
        f"{what} called sublayer {len(sublayer.outputs)} time(s) and norm {len(norm_calls)} time(s); "
        "each must run exactly once (a sublayer with dropout gives a different result each call)\n"
        "  hint: compute sublayer(...) once, keep the result in a variable and use it")
    expected = x + sublayer.outputs[0] if wiring == "pre_norm" else ref_norm(x + sublayer.outputs[0])
    assert_close(out, expected, what=what, hint=HINT_PRE if wiring == "pre_norm" else HINT_POST)
