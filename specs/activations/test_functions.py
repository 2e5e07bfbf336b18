"""Specs for katas/activations/functions.py (day 9): activations as autograd.Functions with
hand-written backward (ReLU, LeakyReLU, Sigmoid, Tanh, SiLU, GELU, Softplus), swiglu and the
SwiGLU module.

Every activation is compared with its torch built-in in value and gradient (float32 and
float64), passes gradcheck in float64, stays finite at +-1e4, and must not call the
built-in it re-implements — neither in its forward nor in its backward (checked at the aten
level too, which is what sees the backward).

Contract-to-spec map:
- "equal to its F counterpart in value and gradient", any shape, float32/float64:
  forward_matches_the_builtin (hypothesis), gradient_matches_autograd_float32,
  float64_tight (value and gradient to 1e-12: computing in float32, or float32 constants, fail),
  empty_and_scalar_shapes (size-0 and 0-d x), non_contiguous_input, gradcheck_float64
- "ReLU: gradient 1 where x > 0, else 0"; "LeakyReLU: negative_slope * x where not x > 0";
  "Softplus: x where beta * x > threshold" (strict >): exact_kinks (x = 0 and beta*x == threshold
  planted exactly)
- explicit falsy arguments (negative_slope=0.0, threshold=0.0): CASES leaky_relu_slope0,
  softplus_threshold0 run through every spec
- LeakyReLU "any slope, also negative or above 1" (max(x, a*x), a mask from the output):
  leaky_relu_any_slope
- outputs and gradients on x's device, SwiGLU under torch.device (meta stands in for a GPU):
  outputs_on_the_input_device
- arguments kept per call on ctx (two calls with different arguments before backward):
  arguments_are_per_call
- backward returns a fresh gradient (grad_output not written in place, other branches intact):
  backward_leaves_grad_output_alone
- "finite at +-1e4, no inf/inf or 0*inf": finite_and_correct_at_extremes, sigmoid_at_minus_1e4;
  +-inf inputs give F's values for ReLU, LeakyReLU, Sigmoid, Tanh, Softplus (no x * mask):
  infinite_inputs_give_the_builtins_values;
  softplus's precision relative to tiny values (softplus(-40); log1p):
  softplus_tail_keeps_relative_precision;
  default threshold 20 (x in (20, 30) in float64): softplus_default_threshold_is_20;
  Softplus "finite also below a threshold above 88" (the soft branch's exp guarded only by the
  threshold): softplus_finite_below_a_high_threshold
- GELU "none" (default) / "tanh"; any other approximate ("Tanh", "erf", None): ValueError naming it:
  gelu_forms_differ, gelu_rejects_unknown_approximate
- built-ins off limits forward and backward; own autograd.Function: writes_its_own...,
  is_an_autograd_function...
- swiglu formula, shapes, gradients, non-contiguous: swiglu_*; SwiGLU keys/shapes/no biases,
  random init with spread ~1/sqrt(fan_in), fan_in the first dim (a 16 x 256 matrix too:
  kaiming_uniform_'s dim-1 fan or a fan_out spread fail), float64, gradients: swiglu_module_*;
  the weights read at every call (nothing kept from the first call: load_state_dict, an
  in-place step, a first call under no_grad): swiglu_module_reads_its_weights_at_each_call;
  parameters in torch's default dtype (float64 under set_default_dtype, no explicit float32):
  swiglu_module_follows_the_default_dtype;
  init from torch's global generator (no seed or private generator inside __init__):
  swiglu_module_init_follows_torch_manual_seed
"""

from dataclasses import dataclass
from typing import Callable

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_raises, assert_shape, forbid,
                            gradcheck, non_contiguous, on_meta, randn, unchanged)
from harness.edges import TIGHT64, default_dtype
from harness.failures import fail
from katas.activations.functions import (GELU, SiLU, Sigmoid, Softplus, SwiGLU, Tanh, LeakyReLU,
                                         ReLU, swiglu)

OVERFLOW_HINT = ("exp(x) overflows to inf for x > 88 in float32 (709 in float64), and inf/inf "
                 "or 0*inf is NaN: only ever exponentiate -|x| (or reuse the forward's output, "
                 "e.g. sigma' = sigma * (1 - sigma))")


@dataclass(frozen=True)
class Case:
    id: str
    fn: type  # the autograd.Function
    args: tuple  # extra positional arguments after x
    ref: Callable
    forbidden: tuple  # torch callables this activation must not call
    aten: dict  # aten ops (forward and backward) it must not reach
    kinks: tuple = ()  # where the derivative jumps; sample points keep away from them
    hint: str = ""
    grad_hint: str = ""

    def call(self, x):
        return self.fn.apply(x, *self.args)

    @property
    def what(self) -> str:
        extra = "".join(f", {a!r}" for a in self.args)
        return f"{self.fn.__name__}.apply(x{extra})"


def _aten(name: str) -> dict:
    return {name: f"the built-in {name}", f"{name}_backward": f"the built-in {name}'s backward"}


RELU_ATEN = {"relu": "the built-in relu", "threshold_backward": "the built-in relu's backward"}
SILU_GRAD = ("d/dx [x * sigmoid(x)] = sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x)): the product "
             "rule gives two terms; did you drop x * sigmoid'(x)?")
GELU_TANH = ("tanh form: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))), with "
             "sqrt(2 / pi) = 0.79788...; its derivative needs the chain rule through the cubic")
SOFTPLUS = ("softplus(x) = log(1 + exp(beta * x)) / beta, but x itself where beta * x > threshold "
            "(gradient 1 there, sigmoid(beta * x) elsewhere)")

CASES = [
    Case("relu", ReLU, (), F.relu, (torch.relu, F.relu, torch.Tensor.relu), RELU_ATEN, kinks=(0.0,),
         hint="max(x, 0)", grad_hint="1 where x > 0, 0 elsewhere"),
    Case("leaky_relu_default", LeakyReLU, (), F.leaky_relu, (F.leaky_relu,), _aten("leaky_relu"),
         kinks=(0.0,), hint="negative_slope defaults to 0.01, like F.leaky_relu",
         grad_hint="1 where x > 0, negative_slope elsewhere"),
    Case("leaky_relu_0.2", LeakyReLU, (0.2,), lambda x: F.leaky_relu(x, 0.2), (F.leaky_relu,),
         _aten("leaky_relu"), kinks=(0.0,), hint="use the negative_slope argument",
         grad_hint="1 where x > 0, negative_slope elsewhere"),
    Case("leaky_relu_slope0", LeakyReLU, (0.0,), lambda x: F.leaky_relu(x, 0.0), (F.leaky_relu,),
         _aten("leaky_relu"), kinks=(0.0,),
         hint="negative_slope=0.0 is a real slope (LeakyReLU then equals ReLU): test "
              "`is None`, never `negative_slope or 0.01`",
         grad_hint="1 where x > 0, negative_slope (here 0) elsewhere"),
    Case("sigmoid", Sigmoid, (), torch.sigmoid,
         (torch.sigmoid, torch.Tensor.sigmoid, F.sigmoid, torch.special.expit), _aten("sigmoid"),
         hint="1 / (1 + exp(-x)); for x < 0 compute it as exp(x) / (1 + exp(x))",
         grad_hint="sigma'(x) = sigma(x) * (1 - sigma(x))"),
    Case("tanh", Tanh, (), torch.tanh, (torch.tanh, torch.Tensor.tanh, F.tanh), _aten("tanh"),
         hint="tanh(x) = (1 - exp(-2|x|)) / (1 + exp(-2|x|)) with the sign of x",
         grad_hint="tanh'(x) = 1 - tanh(x)^2"),
    Case("silu", SiLU, (), F.silu, (F.silu,), _aten("silu"), hint="x * sigmoid(x)",
         grad_hint=SILU_GRAD),
    Case("gelu_default", GELU, (), F.gelu, (F.gelu,), _aten("gelu"),
         hint="approximate defaults to 'none': 0.5 * x * (1 + erf(x / sqrt(2)))",
         grad_hint="d/dx [x Phi(x)] = Phi(x) + x * phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)"),
    Case("gelu_none", GELU, ("none",), F.gelu, (F.gelu,), _aten("gelu"),
         hint="0.5 * x * (1 + erf(x / sqrt(2)))",
         grad_hint="d/dx [x Phi(x)] = Phi(x) + x * phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi)"),
    Case("gelu_tanh", GELU, ("tanh",), lambda x: F.gelu(x, approximate="tanh"), (F.gelu,),
         _aten("gelu"), hint=GELU_TANH, grad_hint=GELU_TANH),
    Case("softplus_default", Softplus, (), F.softplus, (F.softplus,), _aten("softplus"),
         kinks=(20.0,), hint=SOFTPLUS + "; defaults beta=1, threshold=20", grad_hint=SOFTPLUS),
    Case("softplus_beta2_threshold3", Softplus, (2.0, 3.0),
         lambda x: F.softplus(x, beta=2.0, threshold=3.0), (F.softplus,), _aten("softplus"),
         kinks=(1.5,), hint=SOFTPLUS, grad_hint=SOFTPLUS),
    Case("softplus_beta0.5", Softplus, (0.5,), lambda x: F.softplus(x, beta=0.5), (F.softplus,),
         _aten("softplus"), kinks=(40.0,), hint=SOFTPLUS, grad_hint=SOFTPLUS),
    Case("softplus_threshold0", Softplus, (1.0, 0.0),
         lambda x: F.softplus(x, beta=1.0, threshold=0.0), (F.softplus,), _aten("softplus"),
         kinks=(0.0,), hint=SOFTPLUS + "; threshold=0.0 is a real threshold (never `threshold "
         "or 20`)", grad_hint=SOFTPLUS),
]
IDS = [c.id for c in CASES]
EXTREMES = [-1e4, -1e3, -100.0, -30.0, -5.0, -0.5, 0.5, 5.0, 30.0, 100.0, 1e3, 1e4]


def _sample(shape, seed, kinks=(), dtype=torch.float32, scale=3.0):
    """Normal * scale values, nudged at least 0.05 away from every kink."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(tuple(shape), generator=gen, dtype=torch.float64) * scale
    for k in kinks:
        near = (x - k).abs() < 0.05
        x = torch.where(near, torch.where(x >= k, x + 0.1, x - 0.1), x)
    return x.to(dtype)


# ------------------------------------------------------------------------ activations

@pytest.mark.parametrize("case", CASES, ids=IDS)
@given(shape=st.lists(st.integers(1, 5), min_size=0, max_size=3), seed=st.integers(0, 2**31 - 1))
def test_forward_matches_the_builtin(case, shape, seed):
    x = _sample(shape, seed, case.kinks)
    with unchanged(x, names=["x"]):
        y = case.call(x)
    assert_close(y, case.ref(x), what=f"{case.what} for x of shape {tuple(shape)}", hint=case.hint)


def _value_and_grad(fn, x, g):
    x = x.detach().clone().requires_grad_()
    y = fn(x)
    (grad,) = torch.autograd.grad(y, x, g.clone())
    return y, grad


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_float64(case):
    x = _sample((3, 7), seed=1, kinks=case.kinks, dtype=torch.float64)
    assert_close(case.call(x), case.ref(x), what=f"{case.what} for float64 x", hint=case.hint)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float64_tight(case):
    x = _sample((4, 6), seed=11, kinks=case.kinks, dtype=torch.float64)
    g = randn(4, 6, seed=12, dtype=torch.float64)
    y, grad = _value_and_grad(case.call, x, g)
    y_ref, grad_ref = _value_and_grad(case.ref, x, g)
    hint = ("for float64 x compute in float64 all the way: no .float(), no torch.tensor(constant) "
            "without dtype (a float32 constant is rounded to 7 digits)")
    assert_close(y, y_ref, what=f"{case.what} for float64 x (to 1e-12)", hint=hint, **TIGHT64)
    assert_close(grad, grad_ref, what=f"gradient of {case.what} for float64 x (to 1e-12)",
                 hint=hint, **TIGHT64)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_exact_kinks(case):
    points = [0.0, *case.kinks, -1.0, 2.5, -0.0]
    x = torch.tensor(points * 2, dtype=torch.float64)
    g = torch.linspace(0.5, 1.5, x.numel(), dtype=torch.float64)
    y, grad = _value_and_grad(case.call, x, g)
    y_ref, grad_ref = _value_and_grad(case.ref, x, g)
    what = f"{case.what} at exactly x = {points}"
    hint = ("at the kink itself follow the contract's strict rule: 'x > 0' (ReLU, LeakyReLU) and "
            "'beta * x > threshold' (Softplus) are false there, so use > , not >=")
    assert_close(y, y_ref, what=what, hint=hint, **TIGHT64)
    assert_close(grad, grad_ref, what=f"gradient of {what}", hint=hint, **TIGHT64)


@pytest.mark.parametrize("shape", [(0,), (2, 0, 3), ()])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_empty_and_scalar_shapes(case, shape):
    x = _sample(shape, seed=13, kinks=case.kinks)
    g = torch.ones(shape)
    y, grad = _value_and_grad(case.call, x, g)
    y_ref, grad_ref = _value_and_grad(case.ref, x, g)
    assert_close(y, y_ref, what=f"{case.what} for x of shape {shape}", hint=case.hint)
    assert_close(grad, grad_ref, what=f"gradient of {case.what} for x of shape {shape}")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_backward_leaves_grad_output_alone(case):
    x = _sample((3, 5), seed=14, kinks=case.kinks)
    g = randn(3, 5, seed=15)
    g_before = g.clone()
    two_branch = lambda f: (lambda t: t * 3.0 + f(t))  # noqa: E731
    x_mine = x.detach().clone().requires_grad_()
    (grad,) = torch.autograd.grad(two_branch(case.call)(x_mine), x_mine, g)
    assert torch.equal(g, g_before), (
        f"{case.what}: the backward wrote into grad_output (the upstream gradient changed); "
        "hint: return a new tensor (grad_output * mask), never grad_output[...] = 0 or *=")
    grad_ref = _value_and_grad(two_branch(case.ref), x, g)[1]
    assert_close(grad, grad_ref, what=f"gradient of 3 * x + {case.what}",
                 hint="grad_output is shared with the other branch (3 * x): modifying it in place "
                      "corrupts that branch's gradient")


@pytest.mark.parametrize("fn,first,second,ref", [
    (LeakyReLU, (0.2,), (0.5,), lambda x, a: F.leaky_relu(x, *a)),
    (GELU, ("tanh",), ("none",), lambda x, a: F.gelu(x, approximate=a[0])),
    (GELU, ("none",), ("tanh",), lambda x, a: F.gelu(x, approximate=a[0])),
    (Softplus, (2.0, 3.0), (0.5, 1.0), lambda x, a: F.softplus(x, *a)),
], ids=["leaky_relu", "gelu_tanh_then_none", "gelu_none_then_tanh", "softplus"])
def test_arguments_are_per_call(fn, first, second, ref):
    x = _sample((7,), seed=16, kinks=(0.0, 1.5, 2.0)).requires_grad_()
    y1, y2 = fn.apply(x, *first), fn.apply(x, *second)  # both forwards before any backward
    (g1,) = torch.autograd.grad(y1, x, torch.ones(7))
    (g2,) = torch.autograd.grad(y2, x, torch.ones(7))
    for args, grad in ((first, g1), (second, g2)):
        x_ref = x.detach().clone().requires_grad_()
        (expected,) = torch.autograd.grad(ref(x_ref, args), x_ref, torch.ones(7))
        assert_close(grad, expected, what=f"gradient of {fn.__name__}.apply(x, {', '.join(map(repr, args))}) "
                     f"after two calls {first} and {second}",
                     hint="keep each call's arguments on ctx (ctx.negative_slope = ...), not on "
                          "the class or a global: the next call overwrites those")


@pytest.mark.parametrize("approximate", ["Tanh", "erf", None])
def test_gelu_rejects_unknown_approximate(approximate):
    x = randn(3, seed=17)
    assert_raises(ValueError, GELU.apply, x, approximate, contract="approximate is 'none' or "
                  "'tanh'; any other value raises ValueError naming it", mentions=(str(approximate),),
                  what=f"GELU.apply(x, {approximate!r})",
                  hint="compare approximate with 'none' and 'tanh' exactly; anything else, None "
                       "included, raises")


@pytest.mark.parametrize("slope", [-0.5, 1.5, 3.0])
def test_leaky_relu_any_slope(slope):
    x = torch.tensor([-3.0, -1.0, -0.25, 0.0, 0.25, 1.0, 3.0], dtype=torch.float64)
    g = torch.linspace(0.5, 1.5, 7, dtype=torch.float64)
    y, grad = _value_and_grad(lambda t: LeakyReLU.apply(t, slope), x, g)
    y_ref, grad_ref = _value_and_grad(lambda t: F.leaky_relu(t, slope), x, g)
    what = f"LeakyReLU.apply(x, {slope}) at x = {x.tolist()}"
    hint = ("pick by the sign of the INPUT: torch.where(x > 0, x, slope * x); max(x, slope * x) "
            "is that only for 0 <= slope <= 1, and a mask from the output (y > 0) flips for a "
            "negative slope")
    assert_close(y, y_ref, what=what, hint=hint, **TIGHT64)
    assert_close(grad, grad_ref, what=f"gradient of {what}", hint=hint, **TIGHT64)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck_float64(case):
    x = _sample((2, 5), seed=2, kinks=case.kinks, dtype=torch.float64)
    if case.kinks and max(case.kinks) > 10:  # put a few points beyond the threshold too
        x = torch.cat([x.flatten(), torch.tensor([case.kinks[0] + 2.0, case.kinks[0] + 7.0],
                                                 dtype=torch.float64)])
    gradcheck(case.call, x, what=f"{case.what} backward", hint=case.grad_hint)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_matches_autograd_float32(case):
    x = _sample((4, 3, 5), seed=3, kinks=case.kinks)
    assert_grads_match(case.call, case.ref, x, what=f"gradient of {case.what}", hint=case.grad_hint)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_non_contiguous_input(case):
    x = non_contiguous(_sample((5, 6), seed=4, kinks=case.kinks)).requires_grad_()
    with unchanged(x, names=["x"]):
        y = case.call(x)
    g = randn(5, 6, seed=5)
    (grad,) = torch.autograd.grad(y, x, g)
    x_ref = x.detach().clone().requires_grad_()
    y_ref = case.ref(x_ref)
    (grad_ref,) = torch.autograd.grad(y_ref, x_ref, g)
    assert_close(y, y_ref, what=f"{case.what} for non-contiguous x", hint=case.hint)
    assert_close(grad, grad_ref, what=f"gradient of {case.what} for non-contiguous x",
                 hint=case.grad_hint)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_finite_and_correct_at_extremes(case, dtype):
    x = torch.tensor(EXTREMES, dtype=dtype, requires_grad=True)
    y = case.call(x)
    (grad,) = torch.autograd.grad(y, x, torch.ones_like(y))
    x_ref = x.detach().clone().requires_grad_()
    y_ref = case.ref(x_ref)
    (grad_ref,) = torch.autograd.grad(y_ref, x_ref, torch.ones_like(y_ref))
    what = f"{case.what} at x = [-1e4, -1e3, -100, -30, -5, -0.5, 0.5, 5, 30, 100, 1e3, 1e4] ({dtype})"
    assert_close(y, y_ref, what=what, hint=OVERFLOW_HINT)
    assert_close(grad, grad_ref, what=f"gradient of {what}", hint=OVERFLOW_HINT)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", [c for c in CASES if not c.id.startswith(("silu", "gelu"))],
                         ids=[c.id for c in CASES if not c.id.startswith(("silu", "gelu"))])
def test_infinite_inputs_give_the_builtins_values(case, dtype):
    x = torch.tensor([float("-inf"), -2.0, 0.5, float("inf")], dtype=dtype)
    assert_close(case.call(x), case.ref(x), what=f"{case.what} at x = [-inf, -2, 0.5, inf] ({dtype})",
                 hint="x may hold -inf and +inf: pick branches with torch.where(x > 0, ...) "
                      "instead of multiplying by a 0/1 mask (-inf * 0 and inf * 0 are NaN), and "
                      "let exp(-inf) = 0 do its work")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_writes_its_own_forward_and_backward(case):
    x = _sample((3, 4), seed=6, kinks=case.kinks).requires_grad_()
    with forbid(*case.forbidden, aten=case.aten):
        y = case.call(x)
        torch.autograd.grad(y, x, torch.ones_like(y))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_is_an_autograd_function_with_its_own_backward(case):
    x = _sample((3,), seed=7, kinks=case.kinks).requires_grad_()
    y = case.call(x)
    node = y.grad_fn
    own_backward = getattr(node, "_forward_cls", None) is case.fn
    assert own_backward, (
        f"{case.what}: the output's grad_fn is {type(node).__name__}, not {case.fn.__name__}'s own "
        f"backward; hint: {case.fn.__name__} must subclass torch.autograd.Function and return its "
        "result from forward, so that autograd calls your backward")


def test_gelu_forms_differ():
    x = torch.linspace(-4, 4, 81, dtype=torch.float64)
    exact, approx = GELU.apply(x), GELU.apply(x, "tanh")
    assert_close(exact, F.gelu(x), what="GELU.apply(x)", hint="the default is the erf form")
    assert_close(approx, F.gelu(x, approximate="tanh"), what='GELU.apply(x, "tanh")', hint=GELU_TANH)


def test_sigmoid_at_minus_1e4():
    x = torch.tensor([-1e4, -1e3, -90.0], requires_grad=True)
    y = Sigmoid.apply(x)
    (grad,) = torch.autograd.grad(y, x, torch.ones(3))
    assert_close(y, torch.zeros(3), atol=1e-30, rtol=0, what="Sigmoid.apply([-1e4, -1e3, -90])",
                 hint=OVERFLOW_HINT)
    assert_close(grad, torch.zeros(3), atol=1e-30, rtol=0,
                 what="gradient of Sigmoid.apply([-1e4, -1e3, -90])", hint=OVERFLOW_HINT)


def test_softplus_finite_below_a_high_threshold():
    x = torch.tensor([95.0, 200.0, -95.0, 2e3], requires_grad=True)
    y = Softplus.apply(x, 1.0, 1000.0)
    (grad,) = torch.autograd.grad(y, x, torch.ones(4))
    z = x.detach().double()  # independent formula in float64: max(z, 0) + log1p(exp(-|z|))
    expected = z.clamp(min=0) + torch.log1p(torch.exp(-z.abs()))
    expected = torch.where(z > 1000.0, z, expected)
    slope = torch.where(z > 1000.0, torch.ones_like(z), torch.sigmoid(z))
    what = "Softplus.apply([95, 200, -95, 2e3], 1.0, 1000.0) (float32; 95 and 200 are below the threshold)"
    assert_close(y, expected.float(), what=what, hint=OVERFLOW_HINT)
    assert_close(grad, slope.float(), what=f"gradient of {what}", hint=OVERFLOW_HINT)


# softplus's tail, where the value is tiny, compared relative to it (atol 0): log(1 + e) with
# e = exp(z) rounds a tiny e away (softplus(-40) -> 0, float32 softplus(-15) 17% off);
# log1p(e) keeps every digit, as F.softplus does
@pytest.mark.parametrize("beta,x64,x32", [(1.0, (-40.0, -100.0), (-15.0, -30.0)),
                                          (2.0, (-20.0, -50.0), (-8.0, -15.0))])
def test_softplus_tail_keeps_relative_precision(beta, x64, x32):
    for dtype, xs, rtol in ((torch.float64, x64, 1e-12), (torch.float32, x32, 1e-5)):
        x = torch.tensor(xs, dtype=dtype)
        expected = F.softplus(x, beta=beta)
        assert_close(Softplus.apply(x, beta, 20.0), expected, rtol=rtol, atol=0.0,
                     what=f"Softplus.apply(x = {list(xs)} ({dtype}), {beta}, 20.0), relative to "
                          f"values as small as {expected.abs().min().item():.3g}",
                     hint="log(1 + e) rounds a tiny e = exp(z) away: compute the soft branch as "
                          "max(z, 0) + torch.log1p(torch.exp(-|z|)), z = beta * x")


def test_softplus_default_threshold_is_20():
    # just above the default threshold F.softplus returns x and slope 1; a soft branch kept up
    # to a larger default (30) is off by exp(-x) ~ 1e-9 there, a float64 difference
    x = torch.tensor([20.25, 24.0, 29.5], dtype=torch.float64)
    g = torch.ones_like(x)
    y, grad = _value_and_grad(Softplus.apply, x, g)
    y_ref, grad_ref = _value_and_grad(F.softplus, x, g)
    what = "Softplus.apply(x) (defaults beta=1.0, threshold=20.0) for float64 x in (20, 30)"
    hint = "the signature's defaults are beta=1.0, threshold=20.0, as F.softplus's: x itself above 20"
    assert_close(y, y_ref, what=what, hint=hint, **TIGHT64)
    assert_close(grad, grad_ref, what=f"gradient of {what}", hint=hint, **TIGHT64)


def test_silu_gradient_has_both_product_rule_terms():
    x = torch.tensor([-3.0, -1.0, 0.5, 2.0], dtype=torch.float64, requires_grad=True)
    y = SiLU.apply(x)
    (grad,) = torch.autograd.grad(y, x, torch.ones(4, dtype=torch.float64))
    s = 1 / (1 + torch.exp(-x.detach()))
    assert_close(grad, s + x.detach() * s * (1 - s), what="gradient of SiLU.apply(x)", hint=SILU_GRAD)


HINT_DEVICE = ("outputs and gradients live on x.device: make every helper tensor with "
               "torch.zeros_like(x) / torch.ones_like(x) or device=x.device, not "
               "torch.zeros(x.shape)")


def _forward_and_backward(fn, x):
    y = fn(x)
    (grad,) = torch.autograd.grad(y, x, torch.empty(y.shape, device=y.device))
    return y, grad


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_outputs_on_the_input_device(case):
    x = torch.empty(2, 3, device="meta", requires_grad=True)
    what = f"{case.what} with x of (2, 3) on meta, and its backward"
    out = on_meta(lambda: _forward_and_backward(case.call, x), what=what, hint=HINT_DEVICE)
    if out is not None and any(t.device != x.device or t.shape != x.shape for t in out):
        fail(f"{what} gave {[(tuple(t.shape), str(t.device)) for t in out]}; expected (2, 3) "
             "on meta for the output and the gradient", "build every helper tensor on x.device")


def test_swiglu_on_the_input_device():
    with torch.device("meta"):
        module = SwiGLU(4, 6)
    what = "SwiGLU(4, 6) built under torch.device('meta')"
    wrong = {k: str(p.device) for k, p in module.named_parameters() if p.device.type != "meta"}
    if wrong:
        fail(f"{what} has parameters on {wrong}; expected meta",
             "create the weights with torch.empty(...) (it follows the default device), not with "
             "an explicit device='cpu' or a CPU tensor")
    x = torch.empty(3, 4, device="meta")
    for name, fn in (("swiglu(x, w_gate, w_up) on meta", lambda: swiglu(x, module.w_gate, module.w_up)),
                     (f"{what}(x on meta)", lambda: module(x))):
        out = on_meta(fn, what=name, hint=HINT_DEVICE)
        if out is not None and out.device != x.device:
            fail(f"{name} gave a tensor on {out.device}; expected meta")


# ------------------------------------------------------------------------ swiglu

def _swiglu_ref(x, w_gate, w_up):
    return F.silu(x @ w_gate) * (x @ w_up)


SWIGLU_HINT = ("swiglu(x, w_gate, w_up) = silu(x @ w_gate) * (x @ w_up): the SiLU goes on the "
               "gate branch only, and the weights are (d_model, d_hidden), used as x @ w")


@pytest.mark.parametrize("lead,d_model,d_hidden", [((), 1, 1), ((1,), 3, 2), ((5,), 4, 7),
                                                   ((2, 3), 6, 11), ((2, 1, 3), 13, 5)])
def test_swiglu_matches_formula(lead, d_model, d_hidden):
    x = randn(*lead, d_model, seed=1)
    w_gate, w_up = randn(d_model, d_hidden, seed=2), randn(d_model, d_hidden, seed=3)
    with unchanged(x, w_gate, w_up, names=["x", "w_gate", "w_up"]):
        y = swiglu(x, w_gate, w_up)
    assert_close(y, _swiglu_ref(x, w_gate, w_up),
                 what=f"swiglu(x {(*lead, d_model)}, w_gate, w_up ({d_model}, {d_hidden}))",
                 hint=SWIGLU_HINT)


@given(lead=st.lists(st.integers(1, 4), min_size=0, max_size=2), d_model=st.integers(1, 7),
       d_hidden=st.integers(1, 7), seed=st.integers(0, 2**31 - 1))
def test_swiglu_values_and_gradients_match_autograd(lead, d_model, d_hidden, seed):
    x = randn(*lead, d_model, seed=seed)
    w_gate, w_up = randn(d_model, d_hidden, seed=seed + 1), randn(d_model, d_hidden, seed=seed + 2)
    assert_grads_match(swiglu, _swiglu_ref, x, w_gate, w_up, hint=SWIGLU_HINT,
                       what=f"swiglu(x {(*lead, d_model)}, w_gate, w_up ({d_model}, {d_hidden}))")


def test_swiglu_gradcheck_float64():
    x = randn(2, 3, dtype=torch.float64, seed=4)
    w_gate, w_up = randn(3, 4, dtype=torch.float64, seed=5), randn(3, 4, dtype=torch.float64, seed=6)
    gradcheck(swiglu, x, w_gate, w_up, what="swiglu backward", hint=SWIGLU_HINT)


def test_swiglu_non_contiguous_inputs():
    x = non_contiguous(randn(3, 5, seed=7))
    w_gate, w_up = non_contiguous(randn(5, 4, seed=8)), randn(4, 5, seed=9).T  # a transposed view
    with unchanged(x, w_gate, w_up, names=["x", "w_gate", "w_up"]):
        y = swiglu(x, w_gate, w_up)
    assert_close(y, _swiglu_ref(x, w_gate, w_up), what="swiglu(non-contiguous x, w_gate, w_up)",
                 hint=SWIGLU_HINT)


# ------------------------------------------------------------------------ SwiGLU module

SWIGLU_KEYS = {"w_gate": ("d_model", "d_hidden"), "w_up": ("d_model", "d_hidden"),
               "w_down": ("d_hidden", "d_model")}


def _module_params(module, d_model, d_hidden):
    sizes = {"d_model": d_model, "d_hidden": d_hidden}
    sd = module.state_dict()
    assert set(sd) == set(SWIGLU_KEYS), (
        f"SwiGLU({d_model}, {d_hidden}).state_dict() has keys {sorted(sd)}, expected "
        f"{sorted(SWIGLU_KEYS)}; hint: three nn.Parameter attributes, no biases")
    for key, dims in SWIGLU_KEYS.items():
        assert_shape(sd[key], tuple(sizes[d] for d in dims),
                     what=f"SwiGLU({d_model}, {d_hidden}).{key}",
                     hint="w_gate and w_up are (d_model, d_hidden), w_down is (d_hidden, d_model)")
    params = dict(module.named_parameters())
    assert set(params) == set(SWIGLU_KEYS), (
        f"SwiGLU's registered parameters are {sorted(params)}, expected {sorted(SWIGLU_KEYS)}; "
        "wrap the weights in nn.Parameter")
    return params


@pytest.mark.parametrize("lead,d_model,d_hidden", [((), 4, 6), ((3,), 1, 1), ((2, 5), 7, 3),
                                                   ((2, 1, 3), 5, 11)])
def test_swiglu_module_matches_formula_and_autograd(lead, d_model, d_hidden):
    module = SwiGLU(d_model, d_hidden)
    params = _module_params(module, d_model, d_hidden)
    x = randn(*lead, d_model, seed=10).requires_grad_()
    y = module(x)
    assert_shape(y, (*lead, d_model), what=f"SwiGLU({d_model}, {d_hidden})(x {(*lead, d_model)})",
                 hint="the down projection w_down brings d_hidden back to d_model")
    ref = {k: p.detach().clone().requires_grad_() for k, p in params.items()}
    x_ref = x.detach().clone().requires_grad_()
    y_ref = _swiglu_ref(x_ref, ref["w_gate"], ref["w_up"]) @ ref["w_down"]
    what = f"SwiGLU({d_model}, {d_hidden})(x of shape {(*lead, d_model)})"
    assert_close(y, y_ref, what=what, hint="forward(x) = swiglu(x, w_gate, w_up) @ w_down")
    g = randn(*y_ref.shape, seed=11)
    y.backward(g)
    y_ref.backward(g)
    assert_close(x.grad, x_ref.grad, what=f"{what}: gradient w.r.t. x")
    for key, p in params.items():
        assert p.grad is not None, f"{what}: no gradient reached {key}"
        assert_close(p.grad, ref[key].grad, what=f"{what}: gradient w.r.t. {key}")


# (16, 256): fan_in (the first dim) and fan_out 16x apart, so a spread taken from the second
# dim (nn.init.kaiming_uniform_ on an (in, out) matrix reads fan_in from dim 1, as for
# nn.Linear's (out, in) weight; or randn / sqrt(fan_out)) leaves the 0.2..2 band, while a
# Xavier spread sqrt(2 / (fan_in + fan_out)) stays inside it
@pytest.mark.parametrize("d_model,d_hidden", [(32, 48), (16, 256)])
def test_swiglu_module_initialisation(d_model, d_hidden):
    module = SwiGLU(d_model, d_hidden)
    params = _module_params(module, d_model, d_hidden)
    name = f"SwiGLU({d_model}, {d_hidden})"
    for key, p in params.items():
        assert p.requires_grad, f"SwiGLU.{key} must require grad"
        assert bool(p.isfinite().all()) and p.std().item() > 0, (
            f"{name}.{key} is constant or not finite; initialise it at random")
    assert not torch.equal(params["w_gate"], params["w_up"]), (
        f"{name}: w_gate and w_up start identical; draw each at random")
    for key, p in params.items():
        fan_in = p.shape[0]
        spread = p.detach().std().item() * fan_in ** 0.5  # 0.58 for U(+-1/sqrt(fan_in)), 1 for N(0, 1/fan_in)
        assert 0.2 < spread < 2.0, (
            f"{name}.{key} ({tuple(p.shape)}) has std {spread / fan_in ** 0.5:.3g}, "
            f"{spread:.3g} / sqrt(fan_in = {fan_in}); the contract asks for a spread of about "
            "1 / sqrt(fan_in), fan_in being the FIRST dim (the weight is used as x @ w); hint: "
            "U(-1/sqrt(fan_in), 1/sqrt(fan_in)), e.g. torch.empty(fan_in, fan_out).uniform_("
            "-bound, bound); not torch.randn (std 1), and not nn.init.kaiming_uniform_ (it reads "
            "fan_in from dim 1, nn.Linear's (out, in) layout)")


def test_swiglu_module_init_follows_torch_manual_seed():
    torch.manual_seed(3)
    first, second = SwiGLU(4, 6).state_dict(), SwiGLU(4, 6).state_dict()
    torch.manual_seed(4)
    other = SwiGLU(4, 6).state_dict()
    torch.manual_seed(3)
    again = SwiGLU(4, 6).state_dict()
    hint = ("draw the init from torch's global generator (uniform_(-b, b) or torch.randn without "
            "generator=), which the caller seeds; torch.manual_seed(...) or a "
            "torch.Generator().manual_seed(...) inside __init__ makes every block of a model (and "
            "every restart) start from the same weights")
    for key in first:
        assert not torch.equal(first[key], second[key]) and not torch.equal(first[key], other[key]), (
            f"SwiGLU(4, 6) built twice in a row, and once after torch.manual_seed(4), has the same "
            f"{key} as the first one built after torch.manual_seed(3); hint: {hint}")
        assert torch.equal(first[key], again[key]), (
            f"torch.manual_seed(3) then SwiGLU(4, 6), twice: {key} differs; hint: {hint}")


def test_swiglu_module_reads_its_weights_at_each_call():
    # a forward that keeps something built from the weights at its first call (a fused
    # torch.cat([w_gate, w_up], 1), a transposed view): an optimizer step or load_state_dict
    # updates the parameters in place, and the kept copy goes on computing with the old ones
    module = SwiGLU(4, 6)
    x = randn(3, 4, seed=14)
    with torch.no_grad():
        module(x)
    hint = ("read self.w_gate, self.w_up and self.w_down inside forward at every call: a copy made "
            "from them at the first call (torch.cat for one fused matmul) misses every later "
            "optimizer step and load_state_dict")
    module.load_state_dict(SwiGLU(4, 6).state_dict())
    with torch.no_grad():
        module.w_up.mul_(-2.0)  # as an optimizer step does: in place
    y = module(x)
    sd = module.state_dict()
    assert_close(y, _swiglu_ref(x, sd["w_gate"], sd["w_up"]) @ sd["w_down"],
                 what="SwiGLU(4, 6) called once, then load_state_dict and an in-place update of "
                      "w_up, then called again", hint=hint)
    y.sum().backward()
    missing = [key for key, p in module.named_parameters() if p.grad is None]
    assert not missing, (f"SwiGLU(4, 6) first called under torch.no_grad(), then again with "
                         f"backward: no gradient reached {missing}; hint: {hint}")


def test_swiglu_module_follows_the_default_dtype():
    # like nn.Linear: parameters in torch's default dtype (float32 unless changed), so a
    # model built under set_default_dtype(float64) takes float64 x as it is
    for dtype in (torch.float64, torch.float32):
        with default_dtype(dtype):
            module = SwiGLU(5, 3)
        for key, p in module.state_dict().items():
            assert p.dtype == dtype, (
                f"SwiGLU(5, 3) built under torch.set_default_dtype({dtype}): {key} is {p.dtype}; "
                f"hint: make the weights in the default dtype, like nn.Linear's (torch.empty(...) "
                f"without dtype=), not with an explicit dtype=torch.float32")
    with default_dtype(torch.float64):
        module = SwiGLU(5, 3)
        x = randn(2, 5, dtype=torch.float64, seed=13)
        assert module(x).dtype == torch.float64, "SwiGLU(5, 3) under float64 default: output not float64"


def test_swiglu_module_float64():
    module = SwiGLU(5, 3).double()
    x = randn(2, 5, dtype=torch.float64, seed=12)
    y = module(x)
    assert y.dtype == torch.float64, f"SwiGLU(5, 3).double()(float64 x) returned {y.dtype}"
    sd = module.state_dict()
    assert_close(y, _swiglu_ref(x, sd["w_gate"], sd["w_up"]) @ sd["w_down"],
                 what="SwiGLU(5, 3).double()(x)")
