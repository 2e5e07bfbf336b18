"""Specs for katas/autograd/basics.py (day 3): grad_of, jacobian, accumulated_grad, no_grad_eval.

Contract-to-spec map:
- grad_of: df/dx shaped like x (0-d too), float32/float64 -> test_grad_of_matches_the_derivative;
  x.grad left alone / not created -> _leaves_x_grad_alone, _does_not_create_x_grad; x not
  requiring grad, non-leaf x -> _input_that_does_not_require_grad, _non_leaf_input_is_
  differentiated_at_x; plain values -> _result_is_plain_values; non-contiguous ->
  _non_contiguous_input; x's dtype for float16/bfloat16 (no upcast) -> _keeps_half_dtypes;
  torch.func.grad off limits -> _uses_torch_autograd_grad.
- jacobian: vs torch.autograd.functional.jacobian over shapes and functions (0-d in or out) ->
  test_jacobian_matches_torch, _scalar_input, _float32; layout (output dims first) ->
  _of_a_linear_map_is_its_matrix, _puts_output_dims_first; autograd's derivative (stop-gradient,
  relu at 0), not finite differences -> _is_autograds_derivative; dtype of x when f changes it
  -> _keeps_x_dtype_when_f_changes_it; 0 elements in x or f(x) (x's dtype too) -> _with_zero_
  elements; device of x (also the empty Jacobian) -> _is_built_on_x_device (meta),
  _stays_on_x_device (CUDA); x.requires_grad not turned on -> _of_a_linear_map_is_its_matrix;
  x, x.grad untouched, detached result -> _leaves_x_alone; non-contiguous x or gradients -> _non_contiguous_input; jacobian/jacrev/jacfwd/vmap off limits -> every
  jacobian spec (no_jacobian_shortcuts).
- accumulated_grad: times * df/dx for times 1..5, shapes incl. 0-d -> test_accumulated_grad_
  adds_up; one forward -> _calls_f_once; `times` backward passes through that one y (not
  one pass scaled by times) -> _goes_backward_times_times; float32, values untouched -> _float32_and_values_untouched.
- grad mode off at the call (grad_of, jacobian (also of a 0-d f), accumulated_grad inside
  torch.no_grad()), the caller's mode kept -> test_gradients_inside_no_grad.
- no_grad_eval: detached output -> test_no_grad_eval_output_is_detached; no graph while running
  -> _builds_no_graph_while_running; eval mode, running stats kept -> _runs_in_eval_mode,
  _is_deterministic; mode restored (train and eval), also when the model raises ->
  _restores_training_mode, _restores_training_mode_when_the_model_raises; the caller's grad
  mode kept -> _keeps_the_callers_grad_mode (and on an error: _when_the_model_raises); values, batch dims, non-contiguous ->
  _values_and_batch_dims.
"""

import contextlib
import copy

import pytest
import torch
from hypothesis import given, strategies as st
from torch import nn

from harness.budgets import gpu
from harness.guard import unguarded
from harness.checks import (ForbiddenCall, SpecFailure, assert_close, assert_shape, forbid,
                            non_contiguous, on_meta, unchanged)
from katas.autograd.basics import accumulated_grad, grad_of, jacobian, no_grad_eval

SHAPES = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


def randn(*shape, seed=0, dtype=torch.float32):
    """A seeded normal tensor; unlike harness.checks.randn it also accepts shape () (0-d)."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def f_sin(x):
    """A scalar function that saves tensors for backward: sum(x * sin x)."""
    return (x * x.sin()).sum()


def df_sin(x):
    """Its gradient by hand: sin x + x cos x."""
    return x.sin() + x * x.cos()


@contextlib.contextmanager
def explain_second_backward(what):
    """Turn 'backward through the graph a second time' into a message that teaches."""
    __tracebackhide__ = True
    try:
        yield
    except RuntimeError as err:
        if isinstance(err, NotImplementedError) or "second time" not in str(err):
            raise
        raise SpecFailure(
            f"{what}: went backward through the same graph twice, but the first backward freed "
            f"the graph's saved tensors.\n  hint: pass retain_graph=True to every backward "
            f"(or torch.autograd.grad) call that will be followed by another through the same "
            f"graph") from None


@contextlib.contextmanager
def grad_mode_off(what):
    """Run the block inside torch.no_grad(), turning 'does not require grad' into a lesson."""
    __tracebackhide__ = True
    try:
        with torch.no_grad():
            yield
    except RuntimeError as err:
        if isinstance(err, NotImplementedError) or "does not require grad" not in str(err):
            raise
        raise SpecFailure(
            f"{what}: called inside torch.no_grad(), f(x) built no graph, so there was nothing to "
            f"differentiate ({str(err).splitlines()[0]}).\n  hint: grad mode belongs to the "
            f"caller; turn it on around f yourself: with torch.enable_grad(): y = f(x)") from None


@contextlib.contextmanager
def no_jacobian_shortcuts():
    __tracebackhide__ = True
    try:
        with forbid("torch.autograd.functional.jacobian", "torch.func.jacrev", "torch.func.jacfwd",
                    "torch.func.vmap", "torch._vmap_internals._vmap"):
            yield
    except ForbiddenCall as err:
        raise ForbiddenCall(
            f"{err}\n  hint: jacobian is one torch.autograd.grad call per output element "
            f"(retain_graph=True), stacked; torch.autograd.grad(..., is_grads_batched=True) runs "
            f"vmap, which is off limits here") from None


# ------------------------------------------------------------------------------ grad_of

@given(shape=SHAPES, seed=st.integers(0, 2**31 - 1),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_grad_of_matches_the_derivative(shape, seed, dtype):
    x = randn(*shape, seed=seed, dtype=dtype)
    with unchanged(x, names=["x"]):
        g = grad_of(f_sin, x)
    assert_close(g, df_sin(x), what=f"grad_of(sum(x * sin x), x of shape {shape}, {dtype})",
                 hint="the gradient of a scalar has x's shape and dtype: torch.autograd.grad(y, x)")


def test_grad_of_leaves_x_grad_alone():
    x = randn(3, 5, seed=1, dtype=torch.float64).requires_grad_()
    x.grad = torch.ones_like(x)
    g = grad_of(lambda t: (t ** 3).sum(), x)
    assert_close(g, 3 * x.detach() ** 2, what="grad_of(sum(x ** 3), x) with x.grad already holding ones",
                 hint=".backward() ADDS into x.grad (1 + 3x^2 here); torch.autograd.grad returns "
                      "the gradient without touching .grad")
    assert_close(x.grad, torch.ones_like(x), what="x.grad after grad_of(f, x)",
                 hint="use torch.autograd.grad, which returns the gradient; .backward() writes into x.grad")


def test_grad_of_does_not_create_x_grad():
    x = randn(4, seed=2).requires_grad_()
    grad_of(f_sin, x)
    assert x.grad is None, ("grad_of(f, x): x.grad was None before the call and holds a tensor "
                            "after it.\n  hint: torch.autograd.grad(y, x) returns df/dx and leaves "
                            "x.grad alone; .backward() writes into it")


def test_grad_of_input_that_does_not_require_grad():
    x = randn(2, 3, seed=3)
    g = grad_of(f_sin, x)
    assert_close(g, df_sin(x), what="grad_of(f, x) with x.requires_grad False",
                 hint="make a leaf that requires grad first: x.detach().requires_grad_()")
    assert not x.requires_grad, "grad_of(f, x) turned on x.requires_grad: work on a detached copy"


def test_grad_of_non_leaf_input_is_differentiated_at_x():
    w = randn(5, seed=4, dtype=torch.float64).requires_grad_()
    x = w * 2 + 1  # not a leaf: the gradient asked for is df/dx, not df/dw
    g = grad_of(f_sin, x)
    assert_close(g, df_sin(x.detach()), what="grad_of(f, x) where x = 2 * w + 1 (not a leaf)",
                 hint="differentiate with respect to x itself")
    assert w.grad is None, "grad_of(f, x) wrote into the .grad of a leaf that x came from"


def test_grad_of_result_is_plain_values():
    x = randn(3, seed=5).requires_grad_()
    g = grad_of(f_sin, x)
    assert isinstance(g, torch.Tensor) and not g.requires_grad, (
        "grad_of(f, x) returned a tensor that requires grad (still attached to a graph).\n"
        "  hint: torch.autograd.grad without create_graph=True returns plain values")


def test_grad_of_non_contiguous_input():
    x = non_contiguous(randn(4, 3, seed=6))
    with unchanged(x, names=["x"]):
        g = grad_of(f_sin, x)
    assert_close(g, df_sin(x), what="grad_of(f, non-contiguous x)")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_grad_of_keeps_half_dtypes(dtype):
    x = randn(6, seed=8).to(dtype)
    g = grad_of(f_sin, x)
    expected = df_sin(x.to(torch.float64))
    if isinstance(g, torch.Tensor) and g.dtype != dtype:
        raise SpecFailure(
            f"grad_of(sum(x * sin x), {dtype} x of shape (6,)) returned a {g.dtype} gradient; "
            f"df/dx has x's dtype and device, as torch.autograd.grad(y, x) gives.\n  hint: do not "
            f"convert x (x.float(), x.double()) before differentiating: x.detach().requires_grad_()")
    assert_close(g, expected.to(dtype), what=f"grad_of(sum(x * sin x), {dtype} x of shape (6,))",
                 rtol=2e-2, atol=2e-2)


def test_grad_of_uses_torch_autograd_grad():
    x = randn(3, seed=7)
    with forbid("torch.func.grad"):
        g = grad_of(f_sin, x)
    assert_close(g, df_sin(x), what="grad_of(f, x)")


# ------------------------------------------------------------------------------ jacobian

FUNCTIONS = {
    "elementwise x*tanh(x)": (lambda x: x * x.tanh(), lambda shape: shape),
    "sum of squares (0-d)": (lambda x: (x ** 2).sum(), lambda shape: ()),
    "a linear map to shape (2, 3)": (
        lambda x: (randn(6, x.numel(), seed=99, dtype=x.dtype) @ x.reshape(-1)).reshape(2, 3),
        lambda shape: (2, 3)),
    "cumprod then sin, to shape (n,)": (lambda x: x.reshape(-1).cumprod(0).sin(),
                                        lambda shape: (torch.Size(shape).numel(),)),
}


@given(shape=SHAPES, name=st.sampled_from(sorted(FUNCTIONS)), seed=st.integers(0, 2**31 - 1))
def test_jacobian_matches_torch(shape, name, seed):
    f, out_shape = FUNCTIONS[name]
    x = randn(*shape, seed=seed, dtype=torch.float64)
    with unchanged(x, names=["x"]), no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(f, x)
    expected = torch.autograd.functional.jacobian(f, x)
    assert expected.shape == tuple(out_shape(shape)) + shape
    assert_close(jac, expected, what=f"jacobian({name}, x of shape {shape})",
                 hint="shape f(x).shape + x.shape: row i (output element i) is the gradient of "
                      "f(x).flatten()[i] with respect to x")


def test_jacobian_of_a_linear_map_is_its_matrix():
    a = randn(4, 4, seed=10, dtype=torch.float64)  # square and not symmetric: layout matters
    x = randn(4, seed=11, dtype=torch.float64)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(lambda x: A @ x, x)"):
        jac = jacobian(lambda t: a @ t, x)
    assert_close(jac, a, what="jacobian(lambda x: A @ x, x) for a 4x4 A",
                 hint="J[i, j] = d out[i] / d x[j]: output index first. A transposed Jacobian "
                      "stacks gradients as columns instead of rows")
    assert not x.requires_grad, ("jacobian(f, x) turned on x.requires_grad (x did not require "
                                 "grad before the call).\n  hint: work on a detached copy: "
                                 "x.detach().requires_grad_()")


def test_jacobian_puts_output_dims_first():
    a = randn(5, 6, seed=12, dtype=torch.float64)
    x = randn(2, 3, seed=13, dtype=torch.float64)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(lambda t: a @ t.reshape(6), x)
    assert_close(jac, a.reshape(5, 2, 3), what="jacobian(lambda x: A @ x.reshape(6), x of shape (2, 3))",
                 hint="the result is f(x).shape + x.shape = (5,) + (2, 3)")


def test_jacobian_scalar_input():
    x = torch.tensor(0.7, dtype=torch.float64)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(lambda t: torch.stack([t.sin(), t ** 2, 3 * t]), x)
    expected = torch.stack([x.cos(), 2 * x, torch.tensor(3.0, dtype=torch.float64)])
    assert_close(jac, expected, what="jacobian(lambda x: [sin x, x^2, 3x], 0-d x)",
                 hint="x.shape is (), so the Jacobian has shape f(x).shape = (3,)")


def test_jacobian_float32():
    x = randn(3, seed=14)
    f = FUNCTIONS["elementwise x*tanh(x)"][0]
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(f, x)
    assert_close(jac, torch.autograd.functional.jacobian(f, x), what="jacobian(f, float32 x)")


def test_jacobian_leaves_x_alone():
    x = randn(2, 2, seed=15, dtype=torch.float64).requires_grad_()
    x.grad = torch.full_like(x, 5.0)
    f = FUNCTIONS["cumprod then sin, to shape (n,)"][0]
    with unchanged(x, names=["x"]), no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(f, x)
    assert_close(jac, torch.autograd.functional.jacobian(f, x.detach()), what="jacobian(f, x)")
    assert_close(x.grad, torch.full_like(x, 5.0), what="x.grad after jacobian(f, x)",
                 hint="use torch.autograd.grad, which returns gradients without writing into x.grad")
    assert not jac.requires_grad, "jacobian(f, x) returned a tensor still attached to a graph"


def test_jacobian_non_contiguous_input():
    x = non_contiguous(randn(3, 2, seed=16, dtype=torch.float64))
    f = FUNCTIONS["elementwise x*tanh(x)"][0]
    with unchanged(x, names=["x"]), no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(f, x)
    assert_close(jac, torch.autograd.functional.jacobian(f, x.contiguous()),
                 what="jacobian(f, non-contiguous x)")
    # an f that transposes: each gradient comes back as a transposed (non-contiguous) tensor
    x = randn(3, 2, seed=19, dtype=torch.float64)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(lambda t: t.mT.exp(), x)
    assert_close(jac, torch.autograd.functional.jacobian(lambda t: t.mT.exp(), x),
                 what="jacobian(lambda x: x.mT.exp(), x of shape (3, 2))",
                 hint="the gradients autograd returns may be non-contiguous (here transposed): "
                      "flatten them with .reshape(-1), not .view(-1)")


def test_jacobian_is_autograds_derivative():
    # x * x.detach(): autograd treats the detached factor as a constant (d/dx = x, not 2x);
    # relu at an exact 0 has derivative 0. Finite differences see neither.
    x = torch.tensor([-1.5, 0.0, 2.0, 0.0, 0.5], dtype=torch.float64)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(lambda t: t * t.detach() + t.relu(), x)
    expected = torch.diag(x + (x > 0).to(torch.float64))
    assert_close(jac, expected, what="jacobian(lambda x: x * x.detach() + x.relu(), x with exact zeros)",
                 hint="the Jacobian is autograd's: one torch.autograd.grad per output element. "
                      "Finite differences differentiate through x.detach() (2x instead of x) and "
                      "give relu'(0) = 0.5")


def test_jacobian_keeps_x_dtype_when_f_changes_it():
    x = randn(4, seed=17)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(lambda t: t.to(torch.float64).sin(), x)
    expected = torch.diag(x.to(torch.float64).cos()).to(torch.float32)
    assert_close(jac, expected, what="jacobian(lambda x: x.double().sin(), float32 x of shape (4,))",
                 hint="the Jacobian has x's dtype (each row is a gradient with respect to x); a "
                      "buffer made with dtype=f(x).dtype takes the output's instead")


@pytest.mark.parametrize("shape,name,out_shape,dtype", [
    ((0,), "sin", (0,), torch.float64),
    ((2, 0), "sum", (), torch.float64),
    ((3,), "empty slice", (0, 3), torch.float64),
    ((3,), "empty slice in float64", (0, 3), torch.float32),
])
def test_jacobian_with_zero_elements(shape, name, out_shape, dtype):
    f = {"sin": torch.sin, "sum": torch.sum,
         "empty slice": lambda t: 2 * t.reshape(1, 3)[:0],
         "empty slice in float64": lambda t: t.double().reshape(1, 3)[:0]}[name]
    x = randn(*shape, seed=18, dtype=dtype)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(f, x)
    assert_close(jac, torch.zeros(out_shape + shape, dtype=dtype),
                 what=f"jacobian({name}, {dtype} x of shape {shape}) with f(x) of shape {out_shape}",
                 hint="with 0 output or input elements there are no gradients to stack "
                      "(torch.stack([]) raises): return zeros of shape f(x).shape + x.shape, in x's "
                      "dtype (not f(x)'s) and on x's device: x.new_zeros(...)")


@pytest.mark.parametrize("shape", [(3, 2), (2, 0)], ids=["3x2", "2x0_empty"])
def test_jacobian_is_built_on_x_device(shape):
    """On the meta device (shapes and devices, no values), a stand-in for a GPU."""
    x = torch.randn(shape, dtype=torch.float64).to("meta")
    hint = ("build every buffer on x's device: x.new_zeros(...), torch.zeros_like(x), or "
            "device=x.device (torch.zeros(n) alone is on the CPU), also the empty Jacobian "
            "returned when there are no gradients to stack")
    what = f"jacobian(x * tanh(x), x {shape} float64 on meta)"
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = on_meta(jacobian, lambda t: t * t.tanh(), x, what=what, hint=hint)
    if jac is None:
        return  # the code reads values (.item(), a Python branch): the meta device cannot judge
    if jac.device != x.device or tuple(jac.shape) != shape + shape or jac.dtype != torch.float64:
        raise SpecFailure(f"{what} returned shape {tuple(jac.shape)}, {jac.dtype} on {jac.device}; "
                          f"expected {shape + shape} float64 on meta, x's device\n  hint: {hint}")


@gpu
def test_jacobian_stays_on_x_device():
    x = torch.randn(3, 2, device="cuda", dtype=torch.float64)
    with no_jacobian_shortcuts(), explain_second_backward("jacobian(f, x)"):
        jac = jacobian(lambda t: t * t.tanh(), x)
    if jac.device != x.device:
        raise SpecFailure(
            f"jacobian(f, x (3, 2) on {x.device}) returned a tensor on {jac.device}; the Jacobian "
            f"lives on x's device\n  hint: build any buffer with x.new_zeros(...) (or dtype=x.dtype, "
            f"device=x.device)")
    expected = torch.autograd.functional.jacobian(lambda t: t * t.tanh(), x)
    assert_close(jac, expected, what="jacobian(x * tanh(x), x (3, 2) float64 on CUDA)")


# ------------------------------------------------------------------------------ accumulated_grad

class CountingF:
    """f(x) = sum(x * sin x) that counts its calls (it saves tensors, so a second backward
    through one graph needs retain_graph=True)."""

    def __init__(self):
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return f_sin(x)


@pytest.mark.parametrize("times", [1, 2, 3, 5])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_accumulated_grad_adds_up(times, shape):
    x = randn(*shape, seed=20, dtype=torch.float64).requires_grad_()
    f = CountingF()
    with explain_second_backward(f"accumulated_grad(f, x, times={times})"):
        g = accumulated_grad(f, x, times)
    assert_close(g, times * df_sin(x.detach()), what=f"accumulated_grad(f, x of shape {shape}, times={times})",
                 hint=".grad is not overwritten by backward, it is added to: after `times` calls "
                      "it holds times * df/dx. Do not zero it between calls")


@pytest.mark.parametrize("times", [1, 3])
def test_accumulated_grad_calls_f_once(times):
    x = randn(3, seed=21, dtype=torch.float64).requires_grad_()
    f = CountingF()
    with explain_second_backward(f"accumulated_grad(f, x, times={times})"):
        accumulated_grad(f, x, times)
    assert f.calls == 1, (
        f"accumulated_grad(f, x, times={times}) called f {f.calls} times; the kata asks for one "
        f"forward pass and `times` backward passes through that same graph.\n  hint: y = f(x) "
        f"once, then y.backward(retain_graph=True) in a loop")


class CountingBackward:
    """f(x) = sum(x * sin x) that counts the backward passes that go through its output y."""

    def __init__(self):
        self.backwards = 0

    def __call__(self, x):
        y = f_sin(x)
        if y.requires_grad:
            y.register_hook(self._count)
        return y

    def _count(self, grad):
        self.backwards += 1


@pytest.mark.parametrize("times", [2, 4])
def test_accumulated_grad_goes_backward_times_times(times):
    x = randn(3, seed=24, dtype=torch.float64).requires_grad_()
    f = CountingBackward()
    with explain_second_backward(f"accumulated_grad(f, x, times={times})"):
        g = accumulated_grad(f, x, times)
    assert_close(g, times * df_sin(x.detach()), what=f"accumulated_grad(f, x of shape (3,), times={times})")
    assert f.backwards == times, (
        f"accumulated_grad(f, x, times={times}) went backward through y = f(x) {f.backwards} "
        f"time(s); the kata asks for `times` backward calls through that one graph (the answer "
        f"times * df/dx is what .grad shows afterwards, not a formula to apply).\n  hint: "
        f"for _ in range(times): y.backward(retain_graph=True)")


def test_accumulated_grad_float32_and_values_untouched():
    x = randn(7, seed=22).requires_grad_()
    f = CountingF()
    with unchanged(x, names=["x"]), explain_second_backward("accumulated_grad(f, x, times=2)"):
        g = accumulated_grad(f, x, 2)
    assert_close(g, 2 * df_sin(x.detach()), what="accumulated_grad(f, float32 x, times=2)",
                 hint=".grad adds up over backward calls")


# ------------------------------------------------------------------------------ grad mode off

@pytest.mark.parametrize("name", ["grad_of", "jacobian", "jacobian of a scalar f", "accumulated_grad"])
def test_gradients_inside_no_grad(name):
    # e.g. an input gradient taken inside an evaluation loop that runs under torch.no_grad()
    x = randn(2, 3, seed=23, dtype=torch.float64)
    what = ("jacobian(f, x) of a 0-d f(x)" if name == "jacobian of a scalar f" else f"{name}(f, x)") \
        + " inside torch.no_grad()"
    with grad_mode_off(what), no_jacobian_shortcuts(), explain_second_backward(what):
        if name == "grad_of":
            got, expected = grad_of(f_sin, x), df_sin(x)
        elif name == "jacobian":
            got, expected = jacobian(torch.sin, x), torch.diag(x.cos().reshape(-1)).reshape(2, 3, 2, 3)
        elif name == "jacobian of a scalar f":  # a 0-d f(x): a shortcut path must turn grad on too
            got, expected = jacobian(f_sin, x), df_sin(x)
        else:
            leaf = x.clone().requires_grad_()
            got, expected = accumulated_grad(f_sin, leaf, 2), 2 * df_sin(x)
        grad_mode_after = torch.is_grad_enabled()
    assert_close(got, expected, what=what)
    assert not grad_mode_after, (f"{what}: grad mode was on after the call; the caller turned it "
                                 f"off.\n  hint: `with torch.enable_grad():` around f restores it")


# ------------------------------------------------------------------------------ no_grad_eval

class Probe(nn.Module):
    """Identity that records, while it runs, whether grad mode was on and its training flag."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def forward(self, x):
        self.seen.append((torch.is_grad_enabled(), self.training))
        return x


def make_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 7), nn.BatchNorm1d(7), nn.ReLU(), nn.Dropout(0.5),
                         Probe(), nn.Linear(7, 3))


def test_no_grad_eval_output_is_detached():
    model = make_model()
    x = randn(4, 5, seed=30).requires_grad_()
    out = no_grad_eval(model, x)
    assert isinstance(out, torch.Tensor), f"no_grad_eval returned {type(out).__name__}, not a tensor"
    assert not out.requires_grad and out.grad_fn is None, (
        f"no_grad_eval(model, x): the output is still attached to a graph (requires_grad="
        f"{out.requires_grad}, grad_fn={out.grad_fn}).\n  hint: run the model inside "
        f"`with torch.no_grad():`; eval() alone switches dropout/batch norm, not autograd")


def test_no_grad_eval_builds_no_graph_while_running():
    model = make_model()
    x = randn(4, 5, seed=31).requires_grad_()
    no_grad_eval(model, x)
    probe = model[4]
    assert probe.seen, "no_grad_eval(model, x) did not run the model"
    assert not any(grad_on for grad_on, _ in probe.seen), (
        "no_grad_eval(model, x): grad mode was on while the model ran, so a graph was built "
        "(detaching the output afterwards does not undo that cost).\n  hint: call the model "
        "inside `with torch.no_grad():` (or torch.inference_mode())")


def test_no_grad_eval_runs_in_eval_mode():
    model = make_model()
    model.train()
    x = randn(6, 5, seed=32)
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        expected = reference(x)
    running_mean = model[1].running_mean.clone()
    out = no_grad_eval(model, x)
    assert all(not training for _, training in model[4].seen), (
        "no_grad_eval(model, x): the model was in training mode while it ran.\n  hint: "
        "model.eval() before the call (dropout off, batch norm uses its running statistics)")
    assert_close(out, expected, what="no_grad_eval(model with dropout and batch norm, x)",
                 hint="in eval mode dropout is the identity and batch norm uses running stats")
    assert_close(model[1].running_mean, running_mean, what="batch norm running_mean after no_grad_eval",
                 hint="a forward in training mode updates running stats, even under no_grad")


def test_no_grad_eval_is_deterministic():
    model = make_model()
    x = randn(6, 5, seed=33)
    first = no_grad_eval(model, x)
    second = no_grad_eval(model, x)
    assert_close(second, first, what="no_grad_eval(model with dropout, x) called twice",
                 hint="dropout must be off: call model.eval()")


@pytest.mark.parametrize("training", [True, False], ids=["from_train", "from_eval"])
def test_no_grad_eval_restores_training_mode(training):
    model = make_model()
    model.train(training)
    no_grad_eval(model, randn(3, 5, seed=34))
    modes = {name or "model": m.training for name, m in model.named_modules()}
    wrong = [name for name, mode in modes.items() if mode != training]
    assert not wrong, (
        f"no_grad_eval(model, x): the model was in {'train' if training else 'eval'} mode "
        f"before the call, and afterwards {wrong} are in {'eval' if training else 'train'} mode.\n"
        f"  hint: remember was_training = model.training and finish with model.train(was_training)")


class Boom(nn.Module):
    """A layer that fails, as a shape mismatch deep inside a model would."""

    def forward(self, x):
        raise ValueError("boom: shape mismatch inside the model")


def test_no_grad_eval_restores_training_mode_when_the_model_raises():
    model = nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.5), Boom())
    model.train()
    with pytest.raises(ValueError, match="boom"), unguarded():  # the guard would restore it
        no_grad_eval(model, randn(3, 5, seed=36))
    grad_mode_after = torch.is_grad_enabled()
    torch.set_grad_enabled(True)
    assert grad_mode_after, (
        "no_grad_eval(model, x) where model(x) raises: grad mode was on before the call and is "
        "left off after the error.\n  hint: `with torch.no_grad():` restores the caller's mode "
        "also when the model raises; torch.set_grad_enabled(False) ... set_grad_enabled(prev) "
        "skips the restore on an error")
    wrong = [name or "model" for name, m in model.named_modules() if not m.training]
    assert not wrong, (
        f"no_grad_eval(model, x) where model(x) raises: the model was in train mode before the call "
        f"and {wrong} are left in eval mode.\n  hint: restore the mode in a finally block: "
        f"try: ... finally: model.train(was_training)")


def test_no_grad_eval_keeps_the_callers_grad_mode():
    model = make_model()
    with torch.no_grad():
        no_grad_eval(model, randn(3, 5, seed=37))
        grad_mode_after = torch.is_grad_enabled()
    assert not grad_mode_after, (
        "no_grad_eval(model, x) called inside torch.no_grad() turned grad mode back on for the "
        "caller.\n  hint: `with torch.no_grad():` restores whatever mode was on; "
        "torch.set_grad_enabled(True) afterwards does not")


@pytest.mark.parametrize("shape", [(1, 5), (2, 3, 5)])
def test_no_grad_eval_values_and_batch_dims(shape):
    torch.manual_seed(1)
    model = nn.Linear(5, 3)
    x = non_contiguous(randn(*shape, seed=35))
    with unchanged(x, names=["x"]):
        out = no_grad_eval(model, x)
    assert_shape(out, shape[:-1] + (3,), what=f"no_grad_eval(Linear(5, 3), x of shape {shape})")
    with torch.no_grad():
        expected = model(x)
    assert_close(out, expected, what=f"no_grad_eval(Linear(5, 3), x of shape {shape})")
