"""Specs for katas/autograd/rules.py (day 4): hand-written backward rules and unbroadcast.

Every Function is checked three ways: its forward against the plain torch op; float64
gradcheck (finite differences through autograd's engine); and its backward called directly
(out.grad_fn.apply(g)), whose gradients must have each input's exact shape and match autograd
of the plain torch op. The direct call matters: the engine sums a gradient of the broadcast
shape back for you, so gradcheck alone would not notice a missing unbroadcast.

Contract -> specs:
- unbroadcast: exactly `shape`, leading dims summed, size-1 dims summed with keepdim, size-0
  dims, tuple or torch.Size, dtype kept (float64, half), sum_to_size off limits:
  test_unbroadcast_*
- results on the inputs' device (no CPU helper, meta): test_runs_on_the_device_of_its_inputs
- each binary op under any broadcast (0-d included), forward value, one gradient per input
  with its shape and dtype, signs of Sub/Div, exact zeros, non-contiguous inputs, gradcheck:
  test_binary_*, test_sub_order_matters, test_div_gradient_signs
- Pow: gradient w.r.t. the exponent too (positive bases): BINARY "Pow" in all of the above
- Exp, Log (a > 0): test_unary_*
- MatMul (..., n, k) @ (..., k, m), batch broadcast, size-0 n/k: test_matmul_*
- None allowed only where needs_input_grad is False: test_backward_when_one_input_needs_no_grad
- half precision dtypes kept: test_half_precision_keeps_dtype
- no autograd and no sum_to_size inside backward: by_hand in every direct backward call
- the Functions chain like torch ops: test_functions_compose_like_torch_ops
- state per node on ctx (one Function used twice, backward after both forwards):
  test_a_function_used_twice_in_one_graph
"""

import contextlib

import pytest
import torch
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from harness.checks import (ForbiddenCall, SpecFailure, assert_close, assert_grads_match,
                            assert_on_input_device, forbid,
                            gradcheck, non_contiguous, unchanged)
from harness.edges import HALF_DTYPES, tolerance, with_exact
from katas.autograd.rules import Add, Div, Exp, Log, MatMul, Mul, Pow, Sub, unbroadcast

BINARY = {
    "Add": (Add, torch.add, "d(a + b)/da = d(a + b)/db = 1: both inputs get grad_out, each summed "
                            "back to its own shape"),
    "Sub": (Sub, torch.sub, "d(a - b)/da = 1 and d(a - b)/db = -1: the second gradient is -grad_out"),
    "Mul": (Mul, torch.mul, "d(a * b)/da = b and d(a * b)/db = a (times grad_out)"),
    "Div": (Div, torch.div, "d(a / b)/da = 1 / b and d(a / b)/db = -a / b**2: mind the minus sign"),
    "Pow": (Pow, torch.pow, "d(a ** b)/da = b * a ** (b - 1) and d(a ** b)/db = a ** b * log(a)"),
}
UNARY = {
    "Exp": (Exp, torch.exp, "d exp(a)/da = exp(a): save the output and reuse it"),
    "Log": (Log, torch.log, "d log(a)/da = 1 / a"),
}
MATMUL_HINT = ("grad_a = grad_out @ b^T and grad_b = a^T @ grad_out, transposing the last two "
               "dims; then unbroadcast each over the batch dims")
UNBROADCAST_HINT = ("sum over the leading dims broadcasting added, then over each dim that is 1 "
                    "in `shape` with keepdim=True, so the result has exactly `shape`")

# (shape of a, shape of b): equal, stretched size-1 dims, added leading dims, 0-d scalars.
BROADCAST_CASES = [
    ((3, 4), (3, 4)),
    ((3, 1), (4,)),
    ((4,), (3, 1)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((), ()),
    ((1,), ()),
    ((2, 1, 5), (3, 1)),
    ((4, 1, 1), (1, 3, 2)),
]
MATMUL_CASES = [
    ((3, 4), (4, 5)),
    ((1, 1), (1, 1)),
    ((7, 1), (1, 3)),
    ((2, 3, 4), (4, 5)),
    ((3, 4), (2, 4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((2, 3, 2, 2), (1, 1, 2, 3)),
    ((0, 3), (3, 2)),
    ((2, 0), (0, 3)),
    ((1, 3, 4), (2, 4, 5)),
]
# In backward: no autograd (the derivative is the kata), and no sum_to_size (unbroadcast is).
OFF_LIMITS_IN_BACKWARD = ("torch.autograd.grad", "torch.autograd.backward", torch.Tensor.backward,
                          "torch.autograd.functional.vjp", "torch.func.vjp",
                          torch.Tensor.sum_to_size)


def make_inputs(name, shapes, seed, dtype=torch.float32):
    """Inputs in each op's safe domain: positive bases and log arguments, divisors away from 0."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for i, shape in enumerate(shapes):
        x = torch.randn(shape, generator=gen, dtype=dtype)
        if (name in ("Pow", "Log") and i == 0):
            x = 0.5 + torch.rand(shape, generator=gen, dtype=dtype) * 1.5
        elif name == "Div" and i == 1:
            x = x.sign().where(x != 0, torch.ones_like(x)) * (0.5 + x.abs())
        out.append(x)
    return out


@contextlib.contextmanager
def by_hand(what):
    """Autograd may not be called inside backward (the derivative is the kata), nor
    sum_to_size (every gradient is summed back through the learner's unbroadcast)."""
    __tracebackhide__ = True
    try:
        with forbid(*OFF_LIMITS_IN_BACKWARD):
            yield
    except ForbiddenCall as err:
        raise ForbiddenCall(f"{what}: {err} inside backward.\n  hint: write the derivative with "
                            f"tensor ops (saved inputs, grad_out) and sum it back with your own "
                            f"unbroadcast(grad, x.shape)") from None


def call_backward(fn, inputs, what, seed=0):
    """Run fn forward with inputs that require grad, then call its backward directly.
    Returns (output, grads, upstream gradient)."""
    __tracebackhide__ = True
    leaves = [x.detach().requires_grad_() for x in inputs]  # detach keeps the strides
    out = fn.apply(*leaves)
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        raise SpecFailure(f"{what}: the output is not attached to the Function's backward "
                          f"(got {type(out).__name__} without grad_fn); return a tensor from forward")
    g = torch.randn(out.shape, generator=torch.Generator().manual_seed(seed), dtype=out.dtype)
    with unchanged(g, names=["grad_out"]), by_hand(what):
        grads = out.grad_fn.apply(g)
    grads = list(grads) if isinstance(grads, (tuple, list)) else [grads]
    while len(grads) > len(inputs) and grads[-1] is None:
        grads.pop()
    if len(grads) != len(inputs):
        raise SpecFailure(f"{what}: backward returned {len(grads)} gradients for {len(inputs)} "
                          f"inputs; return one per forward input")
    return out, grads, g


def reference_grads(op, inputs, g):
    leaves = [x.detach().clone().requires_grad_() for x in inputs]
    return list(torch.autograd.grad(op(*leaves), leaves, g))


def check_backward(fn, op, inputs, what, hint, seed=0):
    __tracebackhide__ = True
    with unchanged(*inputs, names=[f"input {i}" for i in range(len(inputs))]):
        out, grads, g = call_backward(fn, inputs, what, seed)
    assert_close(out, op(*inputs), what=f"{what} (forward)")
    for i, (grad, expected, x) in enumerate(zip(grads, reference_grads(op, inputs, g), inputs)):
        if grad is None:
            raise SpecFailure(f"{what}: backward returned None for input {i}, which requires grad")
        shape_hint = (hint if grad.shape == x.shape else
                      f"the gradient of an input has that input's shape {tuple(x.shape)}, not the "
                      f"output's {tuple(out.shape)}: pass it through unbroadcast(grad, x.shape)")
        assert_close(grad, expected, what=f"{what} backward: gradient for input {i} "
                     f"(shape {tuple(x.shape)})", hint=shape_hint)


def ids(cases):
    return [" + ".join(str(s) for s in c) for c in cases]


# ------------------------------------------------------------------------------ unbroadcast

@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=0,
                                           max_side=4),
       seed=st.integers(0, 2**31 - 1))
def test_unbroadcast_sums_back_to_shape(shapes, seed):
    shape, grad_shape = shapes.input_shapes[0], shapes.result_shape
    grad = torch.randn(grad_shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    with unchanged(grad, names=["grad"]), forbid(torch.Tensor.sum_to_size):
        out = unbroadcast(grad, shape)
    # Independent reference: expand is the forward of broadcasting, its gradient is the sum.
    x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    (x.expand(grad_shape) * grad).sum().backward()
    assert_close(out, x.grad, what=f"unbroadcast(grad of shape {grad_shape}, {shape})",
                 hint=UNBROADCAST_HINT)


@pytest.mark.parametrize("grad_shape,shape", [
    ((3, 4), (3, 1)), ((3, 4), (4,)), ((3, 4), (1, 4)), ((2, 3, 4), (1,)), ((2, 3), ()),
    ((2, 3), (2, 3)), ((5, 1, 3), (1, 1, 1)), ((2, 7, 3), (7, 1)), ((), ()),
    ((0,), (1,)), ((2, 0, 3), (1, 3)), ((0, 4), (4,)), ((3, 0), (3, 0))])
def test_unbroadcast_cases(grad_shape, shape):
    grad = torch.arange(torch.Size(grad_shape).numel(), dtype=torch.float32).reshape(grad_shape)
    with unchanged(grad, names=["grad"]), forbid(torch.Tensor.sum_to_size):
        out = unbroadcast(grad, torch.Size(shape))
    x = torch.zeros(shape, requires_grad=True)
    (x.expand(grad_shape) * grad).sum().backward()
    assert_close(out, x.grad, what=f"unbroadcast(grad of shape {grad_shape}, torch.Size({shape}))",
                 hint=UNBROADCAST_HINT)


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_unbroadcast_keeps_half_dtype(dtype):
    grad = torch.ones(2, 3, 4, dtype=dtype)
    out = unbroadcast(grad, (3, 1))
    assert_close(out, torch.full((3, 1), 8.0, dtype=dtype), what=f"unbroadcast(ones(2, 3, 4, "
                 f"dtype={dtype}), (3, 1))", hint="the result keeps grad's dtype: summing in "
                 "float32 for accuracy is fine, but cast back with .to(grad.dtype)")


def test_unbroadcast_takes_a_plain_tuple_and_keeps_dtype():
    grad = torch.ones(2, 3, 4, dtype=torch.float64)
    out = unbroadcast(grad, (3, 1))
    assert_close(out, torch.full((3, 1), 8.0, dtype=torch.float64), what="unbroadcast(ones(2, 3, 4), (3, 1))",
                 hint=UNBROADCAST_HINT)


@pytest.mark.parametrize("part", ["unbroadcast", "Mul.backward"])
def test_runs_on_the_device_of_its_inputs(part):
    """The meta device stands in for a GPU: an accumulator made with torch.zeros(shape) without
    device= lives on the CPU, and autograd refuses a CPU gradient for a GPU input."""
    def call(grad, a, b):
        if part == "unbroadcast":
            return unbroadcast(grad, (3, 1))
        out = Mul.apply(a, b)
        return out.grad_fn.apply(grad)

    g, a, b = torch.ones(2, 3, 4), torch.ones(3, 1, requires_grad=True), torch.ones(2, 1, 4, requires_grad=True)
    meta = lambda t: t.detach().to("meta").requires_grad_(t.requires_grad)  # noqa: E731
    assert_on_input_device(lambda: call(g, a, b), lambda: call(meta(g), meta(a), meta(b)),
                           what=f"{part} with its inputs on the meta device",
                           hint="every gradient is on its input's device: sum grad itself (grad.sum("
                                "dim, keepdim=True)), or build a helper with device=grad.device, "
                                "never torch.zeros(shape) alone")


# ------------------------------------------------------------------------------ binary ops

@pytest.mark.parametrize("shapes", BROADCAST_CASES, ids=ids(BROADCAST_CASES))
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_backward_shapes_and_values(name, shapes):
    fn, op, hint = BINARY[name]
    inputs = make_inputs(name, shapes, seed=3)
    check_backward(fn, op, inputs, f"{name}.apply(a {shapes[0]}, b {shapes[1]})", hint)


@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4),
       name=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**31 - 1))
def test_binary_backward_under_any_broadcast(shapes, name, seed):
    fn, op, hint = BINARY[name]
    inputs = make_inputs(name, shapes.input_shapes, seed=seed, dtype=torch.float64)
    check_backward(fn, op, inputs, f"{name}.apply(a {shapes.input_shapes[0]}, "
                   f"b {shapes.input_shapes[1]})", hint, seed=seed)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_non_contiguous_inputs(name):
    fn, op, hint = BINARY[name]
    inputs = [non_contiguous(x) for x in make_inputs(name, [(3, 4), (1, 4)], seed=4)]
    check_backward(fn, op, inputs, f"{name}.apply(non-contiguous a (3, 4), b (1, 4))", hint)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_at_exact_zeros(name):
    """Exact zeros in either factor (bases and divisors stay in their domains): a product rule
    that recovers a factor as out / a gives 0 / 0 = NaN there."""
    fn, op, hint = BINARY[name]
    a, b = make_inputs(name, [(3, 4), (3, 4)], seed=13, dtype=torch.float64)
    if name not in ("Pow",):
        a = with_exact(a, (0.0,), every=2)
    if name not in ("Div",):
        b = with_exact(b, (0.0,), every=3)
    check_backward(fn, op, [a, b], f"{name}.apply(a, b) with exact zeros planted in "
                   f"{'a and b' if name not in ('Pow', 'Div') else ('b' if name == 'Pow' else 'a')}",
                   hint + "; never recover a factor as out / other (0 / 0 = NaN at an exact zero)")


@pytest.mark.parametrize("which", [0, 1], ids=["only a requires grad", "only b requires grad"])
@pytest.mark.parametrize("name", sorted(BINARY) + ["MatMul"])
def test_backward_when_one_input_needs_no_grad(name, which):
    """The contract allows None for an input with needs_input_grad False, and requires the
    right gradient for the other one."""
    fn, op, hint = BINARY[name] if name in BINARY else (MatMul, torch.matmul, MATMUL_HINT)
    shapes = [(2, 3, 4), (4, 5)] if name == "MatMul" else [(3, 1), (2, 3, 4)]
    inputs = make_inputs(name, shapes, seed=14, dtype=torch.float64)
    what = f"{name}.apply(a {shapes[0]}, b {shapes[1]}) with only input {which} requiring grad"
    leaves = [x.detach().requires_grad_(i == which) for i, x in enumerate(inputs)]
    out = fn.apply(*leaves)
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        raise SpecFailure(f"{what}: the output is not attached to the Function's backward")
    g = torch.randn(out.shape, generator=torch.Generator().manual_seed(15), dtype=out.dtype)
    with by_hand(what):
        grads = out.grad_fn.apply(g)
    grads = list(grads) if isinstance(grads, (tuple, list)) else [grads]
    expected = reference_grads(op, inputs, g)[which]
    if len(grads) < 2 or grads[which] is None:
        raise SpecFailure(f"{what}: backward returned no gradient for input {which}, which "
                          f"requires grad", "check ctx.needs_input_grad[i] with the index of "
                          "the input whose gradient you compute (0 for a, 1 for b)")
    assert_close(grads[which], expected, what=f"{what}: gradient for input {which}", hint=hint)


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY) + sorted(UNARY) + ["MatMul"])
def test_half_precision_keeps_dtype(name, dtype):
    """Any floating dtype: the gradients have each input's dtype (float16 / bfloat16 too)."""
    fn, op, hint = (BINARY.get(name) or UNARY.get(name) or (MatMul, torch.matmul, MATMUL_HINT))
    shapes = {"MatMul": [(2, 3, 4), (4, 5)]}.get(name, [(3, 1), (2, 3, 4)] if name in BINARY
                                                 else [(2, 3)])
    inputs32 = make_inputs(name, shapes, seed=16)
    inputs = [x.to(dtype) for x in inputs32]
    what = f"{name}.apply(...) on {dtype} inputs of shapes {shapes}"
    out, grads, g = call_backward(fn, inputs, what, seed=17)
    expected = reference_grads(op, [x.float() for x in inputs], g.float())
    for i, (grad, e, x) in enumerate(zip(grads, expected, inputs)):
        if grad is None:
            raise SpecFailure(f"{what}: backward returned None for input {i}, which requires grad")
        assert_close(grad, e.to(dtype), what=f"{what}: gradient for input {i}",
                     hint="each gradient keeps its input's dtype: a helper tensor or a sum in "
                     "float32 must be cast back", **tolerance(dtype))


def test_sub_order_matters():
    a, b = torch.tensor([5.0]), torch.tensor([2.0])
    _, grads, g = call_backward(Sub, [a, b], "Sub.apply(5, 2)")
    assert_close(grads, [g, -g], what="Sub.apply(a, b) backward with grad_out g: (grad_a, grad_b)",
                 hint="a - b grows with a and shrinks with b: (g, -g)")


def test_div_gradient_signs():
    a, b = torch.tensor([6.0]), torch.tensor([2.0])
    _, grads, g = call_backward(Div, [a, b], "Div.apply(6, 2)")
    assert_close(grads, [g / 2, -g * 6 / 4], what="Div.apply(6, 2) backward with grad_out g: (grad_a, grad_b)",
                 hint="d(a / b)/da = 1 / b; d(a / b)/db = -a / b**2 (a bigger divisor makes a smaller quotient)")


@pytest.mark.parametrize("shapes", BROADCAST_CASES, ids=ids(BROADCAST_CASES))
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_gradcheck(name, shapes):
    fn, _, hint = BINARY[name]
    a, b = make_inputs(name, shapes, seed=2, dtype=torch.float64)
    gradcheck(fn.apply, a, b, what=f"{name}.apply(a {shapes[0]}, b {shapes[1]})", hint=hint)



# ------------------------------------------------------------------------------ unary ops

UNARY_SHAPES = [(), (1,), (5,), (2, 3, 7)]


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_forward_and_backward(name, shape):
    fn, op, hint = UNARY[name]
    check_backward(fn, op, make_inputs(name, [shape], seed=5), f"{name}.apply(a {shape})", hint)


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_gradcheck(name, shape):
    fn, _, hint = UNARY[name]
    (a,) = make_inputs(name, [shape], seed=6, dtype=torch.float64)
    gradcheck(fn.apply, a, what=f"{name}.apply(a {shape})", hint=hint)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_non_contiguous(name):
    fn, op, hint = UNARY[name]
    (a,) = make_inputs(name, [(4, 3)], seed=7)
    check_backward(fn, op, [non_contiguous(a)], f"{name}.apply(non-contiguous a (4, 3))", hint)


# ------------------------------------------------------------------------------ MatMul

@pytest.mark.parametrize("shapes", MATMUL_CASES, ids=ids(MATMUL_CASES))
def test_matmul_forward_and_backward(shapes):
    inputs = make_inputs("MatMul", shapes, seed=8)
    check_backward(MatMul, torch.matmul, inputs, f"MatMul.apply(a {shapes[0]}, b {shapes[1]})",
                   MATMUL_HINT)


@pytest.mark.parametrize("shapes", MATMUL_CASES, ids=ids(MATMUL_CASES))
def test_matmul_gradcheck(shapes):
    a, b = make_inputs("MatMul", shapes, seed=9, dtype=torch.float64)
    gradcheck(MatMul.apply, a, b, what=f"MatMul.apply(a {shapes[0]}, b {shapes[1]})", hint=MATMUL_HINT)


def test_matmul_non_contiguous():
    a, b = make_inputs("MatMul", [(2, 3, 4), (4, 5)], seed=10)
    check_backward(MatMul, torch.matmul, [non_contiguous(a), non_contiguous(b)],
                   "MatMul.apply(non-contiguous a (2, 3, 4), b (4, 5))", MATMUL_HINT)


# ------------------------------------------------------------------------------ together

@pytest.mark.parametrize("name", sorted(BINARY) + sorted(UNARY) + ["MatMul"])
def test_a_function_used_twice_in_one_graph(name):
    """Two nodes of one Function, both forwards before either backward: what a backward
    needs lives on its own ctx, not on the class or in a module-level variable (the second
    forward would overwrite the first node's tensors)."""
    if name in UNARY:
        fn, op, hint = UNARY[name]
        x = make_inputs(name, [(2, 3)], seed=18, dtype=torch.float64)[0]
        inputs = (x + 1.5 if name == "Log" else x,)  # log(log(x)) needs x > 1
        mine, plain = (lambda p: fn.apply(fn.apply(p))), (lambda p: op(op(p)))
        shown = f"{name}.apply({name}.apply(a (2, 3)))"
    else:
        fn, op, hint = BINARY.get(name) or (MatMul, torch.matmul, MATMUL_HINT)
        if name == "MatMul":
            inputs = make_inputs(name, [(2, 3, 4), (4, 5), (5, 2)], seed=18, dtype=torch.float64)
        else:
            inputs = make_inputs(name, [(3, 1), (4,)], seed=18, dtype=torch.float64) + \
                make_inputs(name, [(2, 3, 4), (2, 3, 4)], seed=19, dtype=torch.float64)[1:]
        shapes = [tuple(t.shape) for t in inputs]
        mine = lambda p, q, r: fn.apply(fn.apply(p, q), r)  # noqa: E731
        plain = lambda p, q, r: op(op(p, q), r)  # noqa: E731
        shown = f"{name}.apply({name}.apply(a {shapes[0]}, b {shapes[1]}), c {shapes[2]})"
    assert_grads_match(mine, plain, *inputs, what=f"{shown} gradient",
                       hint="keep what backward needs on ctx (ctx.save_for_backward(...) or "
                            "ctx.attribute), one per node: a class attribute or a global is "
                            "overwritten by the next forward of the same Function")


def test_functions_compose_like_torch_ops():
    a, b, c = make_inputs("Pow", [(3, 1), (4,), (2, 3, 4)], seed=11)
    w = make_inputs("MatMul", [(4, 2)], seed=12)[0]

    def mine(a, b, c, w):
        y = Log.apply(Add.apply(Pow.apply(a, b), Exp.apply(Mul.apply(c, c))))
        return MatMul.apply(Div.apply(Sub.apply(y, b), Add.apply(a, a)), w)

    def plain(a, b, c, w):
        return ((torch.log(a ** b + torch.exp(c * c)) - b) / (a + a)) @ w

    assert_grads_match(mine, plain, a.abs() + 0.5, b, c, w,
                       what="MatMul(Div(Sub(Log(Add(Pow(a, b), Exp(Mul(c, c)))), b), Add(a, a)), w)",
                       hint="each Function's backward must return gradients that chain with the others")
