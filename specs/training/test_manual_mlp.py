"""Specs for katas/training/manual_mlp.py (day 6): mlp_forward, mlp_backward, cross_entropy_grad.

Every gradient is compared with torch autograd on the same network written with F.linear and
F.relu (and F.cross_entropy with reduction="mean"), in float64 unless stated.

Contract -> specs:
- forward: Linear -> ReLU -> Linear with (out, in) weights, logits in x's dtype (float32,
  float64, float16, bfloat16), non-contiguous inputs untouched: test_forward_*; the tuple
  (logits, cache), not a list: test_forward_matches_linear_relu_linear
- cross_entropy_grad = (softmax - one_hot) / N, any C incl. 1 and 1500, float64 to 1e-12, stable at logits up to 1e4,
  keeps the dtype: test_cross_entropy_grad_*
- backward: each key, parameter's shape and dtype (half too), any upstream gradient (non-
  contiguous too), relu'(0) = 0, uses the cache it is given (two forwards in flight):
  test_backward_*
- "any N >= 0": an empty batch gives empty logits and zero gradients (tensors of the
  parameters' shapes), in the inputs' dtype and on their device: test_backward_of_an_empty_batch_is_zero,
  test_runs_on_the_device_of_its_inputs[empty batch]
- results on the inputs' device (helpers made there; meta): test_runs_on_the_device_of_its_inputs
- no autograd inside: forbid in the backward/cross-entropy specs; the whole step and SGD:
  test_full_backward_*, test_a_manual_sgd_step_lowers_the_loss
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (SpecFailure, assert_close, assert_on_input_device, assert_shape, forbid, non_contiguous,
                            randn, unchanged)
from harness.edges import HALF_DTYPES, LARGE_LOGITS, TIGHT64, tolerance
from katas.training.manual_mlp import cross_entropy_grad, mlp_backward, mlp_forward


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


KEYS = ("W1", "b1", "W2", "b2")
ORDER = ("W2", "b2", "W1", "b1")  # checked in the order the backward pass computes them
NO_AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", torch.Tensor.backward)
# (N, D, H, C): sizes 1 and primes; the square one makes a transposed gradient the right shape
SIZES = [(5, 3, 7, 4), (1, 1, 1, 1), (1, 4, 3, 2), (13, 11, 7, 5), (6, 6, 6, 6)]
GRAD_HINTS = {
    "W2": "logits = a @ W2.T + b2, so dW2 = dlogits.T @ a: shape (C, H) like W2, (out, in)",
    "b2": "b2 is added to every row: db2 = dlogits summed over the batch",
    "W1": "dW1 = dh.T @ x with dh = (dlogits @ W2) * (h > 0): mask with the pre-activation h, "
          "the ReLU's input",
    "b1": "db1 = dh summed over the batch, with dh = (dlogits @ W2) * (h > 0)",
}


def make_params(d, h, c, seed=0, dtype=torch.float64):
    return {"W1": randn(h, d, seed=seed, dtype=dtype), "b1": randn(h, seed=seed + 1, dtype=dtype),
            "W2": randn(c, h, seed=seed + 2, dtype=dtype), "b2": randn(c, seed=seed + 3, dtype=dtype)}


def reference_forward(x, params):
    hidden = F.relu(F.linear(x, params["W1"], params["b1"]))
    return F.linear(hidden, params["W2"], params["b2"])


def autograd_grads(x, params, loss_of_logits):
    leaves = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    loss = loss_of_logits(reference_forward(x, leaves))
    grads = torch.autograd.grad(loss, [leaves[k] for k in KEYS])
    return dict(zip(KEYS, grads))


def check_keys(grads, what):
    expect(isinstance(grads, dict),
           f"{what}: expected a dict of gradients, got {type(grads).__name__}")
    missing = [k for k in KEYS if k not in grads]
    expect(not missing, f"{what}: the dict lacks the keys {missing} (it has {sorted(grads)})")


def check_grads(grads, expected, what):
    check_keys(grads, what)
    for key in ORDER:
        assert_shape(grads[key], expected[key].shape, what=f"{what}: grads[{key!r}]",
                     hint="a gradient has its parameter's shape; weights are (out, in) like nn.Linear, "
                          "so dW = upstream.T @ input, not input.T @ upstream")
    for key in ORDER:
        assert_close(grads[key], expected[key], what=f"{what}: grads[{key!r}]", hint=GRAD_HINTS[key])


# ------------------------------------------------------------------------ mlp_forward

@pytest.mark.parametrize("n,d,h,c", SIZES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_forward_matches_linear_relu_linear(n, d, h, c, dtype):
    x, params = randn(n, d, seed=10, dtype=dtype), make_params(d, h, c, dtype=dtype)
    out = mlp_forward(x, params)
    expect(type(out) is tuple and len(out) == 2,
           f"mlp_forward(x {(n, d)}, params) returned a {type(out).__name__}"
           f"{f' of length {len(out)}' if isinstance(out, (tuple, list)) else ''}; the contract "
           f"promises the tuple (logits, cache)\n  hint: return logits, cache")
    logits, _ = out
    assert_close(logits, reference_forward(x, params), what=f"mlp_forward(x {(n, d)}, params) logits",
                 hint="h = x @ W1.T + b1, a = relu(h), logits = a @ W2.T + b2 (weights are (out, in))")


def test_forward_non_contiguous_inputs_are_left_alone():
    x = non_contiguous(randn(4, 5, seed=11, dtype=torch.float64))
    params = {k: non_contiguous(v) for k, v in make_params(5, 7, 3).items()}
    with unchanged(x, *params.values(), names=["x", *params]):
        logits, _ = mlp_forward(x, params)
    assert_close(logits, reference_forward(x, params), what="mlp_forward(non-contiguous x and params)")


# ------------------------------------------------------------------------ cross_entropy_grad

def autograd_ce_grad(logits, y):
    leaf = logits.detach().clone().requires_grad_()
    return torch.autograd.grad(F.cross_entropy(leaf, y), leaf)[0]


# C = 1500: no upper limit on C (a one-hot sliced from a torch.eye(1000) made at import is short).
# float64 to 1e-12: a factor 1/N kept as a float32 tensor (torch.tensor(1 / N)) rounds at 1e-8.
@pytest.mark.parametrize("n,c", [(4, 3), (1, 5), (13, 7), (2, 1), (7, 2), (3, 1500)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cross_entropy_grad_matches_autograd(n, c, dtype):
    logits = randn(n, c, seed=20, dtype=dtype) * 3
    y = torch.randint(0, c, (n,), generator=torch.Generator().manual_seed(21))
    with forbid(*NO_AUTOGRAD):
        grad = cross_entropy_grad(logits, y)
    assert_close(grad, autograd_ce_grad(logits, y), what=f"cross_entropy_grad(logits {(n, c)} {dtype}, y)",
                 hint="(softmax(logits) - one_hot(y)) / N: F.cross_entropy averages over the N "
                      "rows, so every row's gradient carries a factor 1/N; C has no upper limit "
                      "(F.one_hot(y, C), no table made at import); float64 is computed in float64 "
                      "(divide by the Python int N, no float32 tensor torch.tensor(1 / N))",
                 **(TIGHT64 if dtype == torch.float64 else {}))


@pytest.mark.parametrize("scale", LARGE_LOGITS, ids=lambda s: f"logits ~ {s:g}")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cross_entropy_grad_at_large_logits(scale, dtype):
    logits = randn(4, 5, seed=23, dtype=dtype) * scale
    y = torch.tensor([0, 4, 2, 1])
    grad = cross_entropy_grad(logits, y)
    assert_close(grad, autograd_ce_grad(logits, y),
                 what=f"cross_entropy_grad(logits of size ~{scale:g} ({dtype}), y)",
                 hint="exp(logits) overflows past ~88 in float32 (~709 in float64): subtract each "
                      "row's max before exp, or use torch.softmax")


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_cross_entropy_grad_keeps_half_dtype(dtype):
    logits32 = randn(6, 4, seed=24) * 2
    y = torch.tensor([0, 1, 2, 3, 3, 1])
    grad = cross_entropy_grad(logits32.to(dtype), y)
    assert_close(grad, autograd_ce_grad(logits32.to(dtype).float(), y).to(dtype),
                 what=f"cross_entropy_grad(logits of {dtype}, y)",
                 hint="the gradient keeps logits' dtype: a one-hot made with .float() promotes a "
                      "half-precision result to float32; use .to(logits.dtype)", **tolerance(dtype))


def test_cross_entropy_grad_rows_scale_with_one_over_n():
    logits = torch.zeros(8, 4, dtype=torch.float64)
    y = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3])
    grad = cross_entropy_grad(logits, y)
    expected = (torch.full((8, 4), 0.25, dtype=torch.float64) - F.one_hot(y, 4).double()) / 8
    assert_close(grad, expected, what="cross_entropy_grad(zeros (8, 4), y)",
                 hint="with uniform logits softmax is 1/4 everywhere; the mean over N = 8 rows "
                      "divides every entry by 8")


def test_cross_entropy_grad_leaves_inputs_alone():
    logits = non_contiguous(randn(5, 3, seed=22, dtype=torch.float64))
    y = torch.tensor([2, 0, 1, 1, 2])
    with unchanged(logits, y, names=["logits", "y"]):
        grad = cross_entropy_grad(logits, y)
    assert_close(grad, autograd_ce_grad(logits, y), what="cross_entropy_grad(non-contiguous logits, y)")


@given(n=st.integers(1, 9), c=st.integers(1, 9), scale=st.floats(0.1, 20), seed=st.integers(0, 2**31 - 1))
def test_cross_entropy_grad_property(n, c, scale, seed):
    logits = randn(n, c, seed=seed, dtype=torch.float64) * scale
    y = torch.randint(0, c, (n,), generator=torch.Generator().manual_seed(seed))
    grad = cross_entropy_grad(logits, y)
    assert_close(grad, autograd_ce_grad(logits, y), what=f"cross_entropy_grad(logits {(n, c)} * {scale:.3g}, y)")


# ------------------------------------------------------------------------ mlp_backward

@pytest.mark.parametrize("n,d,h,c", SIZES)
def test_backward_matches_autograd_for_any_upstream_gradient(n, d, h, c):
    x, params = randn(n, d, seed=30, dtype=torch.float64), make_params(d, h, c, seed=31)
    dlogits = randn(n, c, seed=35, dtype=torch.float64)
    logits, cache = mlp_forward(x, params)
    with forbid(*NO_AUTOGRAD), unchanged(dlogits, names=["dlogits"]):
        grads = mlp_backward(dlogits, cache)
    expected = autograd_grads(x, params, lambda out: (out * dlogits).sum())
    check_grads(grads, expected, what=f"mlp_backward(dlogits {(n, c)}, cache) for x {(n, d)}, H={h}")


def test_backward_relu_gradient_at_zero_is_zero():
    # Hidden unit 1 has W1 row 0 and bias 0, so its pre-activation is exactly 0 on every row.
    x = randn(4, 3, seed=40, dtype=torch.float64)
    params = make_params(3, 4, 2, seed=41)
    params["W1"][1] = 0.0
    params["b1"][1] = 0.0
    dlogits = randn(4, 2, seed=42, dtype=torch.float64)
    _, cache = mlp_forward(x, params)
    grads = mlp_backward(dlogits, cache)
    expected = autograd_grads(x, params, lambda out: (out * dlogits).sum())
    check_keys(grads, "mlp_backward(dlogits, cache)")
    zero_hint = "the convention (and torch's): relu'(0) = 0, so mask with h > 0, not h >= 0"
    assert_close(grads["b1"][1], expected["b1"][1], what="mlp_backward(...)['b1'][1], where h == 0",
                 hint=zero_hint)
    assert_close(grads["W1"][1], expected["W1"][1], what="mlp_backward(...)['W1'][1], where h == 0",
                 hint=zero_hint)
    check_grads(grads, expected, what="mlp_backward with a pre-activation exactly 0")


def test_backward_float32():
    x, params = randn(6, 5, seed=50), make_params(5, 7, 3, seed=51, dtype=torch.float32)
    dlogits = randn(6, 3, seed=52)
    _, cache = mlp_forward(x, params)
    grads = mlp_backward(dlogits, cache)
    expected = autograd_grads(x, params, lambda out: (out * dlogits).sum())
    for key in KEYS:
        assert_close(grads[key], expected[key], what=f"mlp_backward in float32 [{key!r}]",
                     hint="gradients keep the parameters' dtype")


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_backward_half_precision_keeps_dtype(dtype):
    x32, params32 = randn(6, 5, seed=53), make_params(5, 7, 3, seed=54, dtype=torch.float32)
    dlogits32 = randn(6, 3, seed=55)
    x, params, dlogits = x32.to(dtype), {k: v.to(dtype) for k, v in params32.items()}, dlogits32.to(dtype)
    logits, cache = mlp_forward(x, params)
    assert_close(logits, reference_forward(x.float(), {k: v.float() for k, v in params.items()}).to(dtype),
                 what=f"mlp_forward(x of {dtype}, params of {dtype}) logits",
                 hint="logits keep x's dtype", **tolerance(dtype))
    grads = mlp_backward(dlogits, cache)
    check_keys(grads, f"mlp_backward in {dtype}")
    expected = autograd_grads(x.float(), {k: v.float() for k, v in params.items()},
                              lambda out: (out * dlogits.float()).sum())
    for key in ORDER:
        assert_close(grads[key], expected[key].to(dtype), what=f"mlp_backward in {dtype} [{key!r}]",
                     hint="gradients keep the parameters' dtype: a ReLU mask made with .float() "
                          "promotes them to float32; multiply by (h > 0) or use torch.where",
                     **tolerance(dtype))


def test_backward_non_contiguous_upstream_gradient():
    x, params = randn(4, 5, seed=56, dtype=torch.float64), make_params(5, 7, 3, seed=57)
    dlogits = non_contiguous(randn(4, 3, seed=58, dtype=torch.float64))
    _, cache = mlp_forward(x, params)
    grads = mlp_backward(dlogits, cache)
    expected = autograd_grads(x, params, lambda out: (out * dlogits).sum())
    check_grads(grads, expected, what="mlp_backward(non-contiguous dlogits (4, 3), cache)")


def test_backward_uses_the_cache_it_is_given():
    """Two forwards in flight (two micro-batches, or a forward for logging in between): each
    backward works from its own cache, not from whatever the last forward left behind."""
    params = make_params(5, 7, 3, seed=59)
    x1, x2 = randn(4, 5, seed=63, dtype=torch.float64), randn(6, 5, seed=64, dtype=torch.float64)
    dlogits = randn(4, 3, seed=65, dtype=torch.float64)
    _, cache1 = mlp_forward(x1, params)
    mlp_forward(x2, params)
    grads = mlp_backward(dlogits, cache1)
    expected = autograd_grads(x1, params, lambda out: (out * dlogits).sum())
    check_grads(grads, expected, what="_, cache1 = mlp_forward(x1, params); mlp_forward(x2, params); "
                "mlp_backward(dlogits, cache1)")


def test_backward_of_an_empty_batch_is_zero():
    """N = 0 (the last micro-batch of a split, a filtered batch): every gradient is a sum over
    no rows, so zeros of the parameter's shape; sum() over an empty generator gives the int 0
    and torch.stack([]) raises."""
    x, params = torch.zeros(0, 5, dtype=torch.float64), make_params(5, 7, 3, seed=66)
    logits, cache = mlp_forward(x, params)
    assert_shape(logits, (0, 3), what="mlp_forward(x of shape (0, 5), params) logits")
    y = torch.zeros(0, dtype=torch.int64)
    dlogits = cross_entropy_grad(logits, y)
    assert_shape(dlogits, (0, 3), what="cross_entropy_grad(logits (0, 3), y (0,))")
    expect(dlogits.dtype == torch.float64 and logits.dtype == torch.float64,
           f"empty batch: mlp_forward gave {logits.dtype} logits and cross_entropy_grad a "
           f"{dlogits.dtype} gradient for float64 inputs; an empty-batch shortcut must build its "
           "result with dtype= (and device=) of its input, e.g. torch.zeros_like(logits)")
    grads = mlp_backward(torch.zeros(0, 3, dtype=torch.float64), cache)
    expected = {k: torch.zeros_like(v) for k, v in params.items()}
    check_grads(grads, expected, what="mlp_backward(dlogits (0, 3), cache) for x of shape (0, 5)")


@pytest.mark.parametrize("n", [4, 0], ids=["N=4", "empty batch"])
@pytest.mark.parametrize("part", ["cross_entropy_grad", "mlp_forward+mlp_backward"])
def test_runs_on_the_device_of_its_inputs(part, n):
    """The meta device stands in for a GPU: a one-hot or a ReLU mask built with torch.zeros(...)
    without device= lives on the CPU, and the step fails as soon as the model moves. N = 0
    reaches an empty-batch shortcut (zeros / empty built without device=) too."""
    x, params = randn(4, 5, seed=80, dtype=torch.float64)[:n], make_params(5, 7, 3, seed=81)
    y = torch.tensor([2, 0, 1, 1])[:n]
    dlogits = randn(4, 3, seed=82, dtype=torch.float64)[:n]

    def step(x, params, y, dlogits):
        if part == "cross_entropy_grad":
            return cross_entropy_grad(x @ params["W1"].T @ params["W2"].T, y)
        logits, cache = mlp_forward(x, params)
        return logits, mlp_backward(dlogits, cache)

    meta = lambda t: t.to("meta")  # noqa: E731
    assert_on_input_device(lambda: step(x, params, y, dlogits),
                           lambda: step(meta(x), {k: meta(v) for k, v in params.items()}, meta(y), meta(dlogits)),
                           what=f"{part} with every input on the meta device",
                           hint="build helper tensors on the inputs' device: F.one_hot(y, C), "
                                "torch.zeros_like(logits), (h > 0) or torch.zeros(..., device=x.device), "
                                "never torch.zeros(shape) alone")


# ------------------------------------------------------------------------ the whole step

@pytest.mark.parametrize("n,d,h,c", SIZES)
def test_full_backward_of_cross_entropy_matches_autograd(n, d, h, c):
    x, params = randn(n, d, seed=60, dtype=torch.float64), make_params(d, h, c, seed=61)
    y = torch.randint(0, c, (n,), generator=torch.Generator().manual_seed(62))
    logits, cache = mlp_forward(x, params)
    with forbid(*NO_AUTOGRAD):
        grads = mlp_backward(cross_entropy_grad(logits, y), cache)
    expected = autograd_grads(x, params, lambda out: F.cross_entropy(out, y))
    check_grads(grads, expected, what=f"mlp_backward(cross_entropy_grad(logits, y), cache), x {(n, d)}, H={h}")


@given(n=st.integers(1, 8), d=st.integers(1, 8), h=st.integers(1, 8), c=st.integers(1, 8),
       seed=st.integers(0, 2**31 - 1))
def test_full_backward_property(n, d, h, c, seed):
    x = randn(n, d, seed=seed, dtype=torch.float64)
    params = make_params(d, h, c, seed=(seed + 1) % 2**31)
    y = torch.randint(0, c, (n,), generator=torch.Generator().manual_seed(seed))
    logits, cache = mlp_forward(x, params)
    grads = mlp_backward(cross_entropy_grad(logits, y), cache)
    expected = autograd_grads(x, params, lambda out: F.cross_entropy(out, y))
    check_grads(grads, expected, what=f"manual gradients for x {(n, d)}, H={h}, C={c}")


def test_a_manual_sgd_step_lowers_the_loss():
    x = randn(32, 4, seed=70, dtype=torch.float64)
    y = (x[:, 0] > 0).long()
    params = make_params(4, 16, 2, seed=71)
    losses = []
    for _ in range(20):
        logits, cache = mlp_forward(x, params)
        losses.append(F.cross_entropy(logits, y).item())
        grads = mlp_backward(cross_entropy_grad(logits, y), cache)
        params = {k: params[k] - 0.5 * grads[k] for k in KEYS}
    expect(losses[-1] < losses[0],
           f"20 steps of gradient descent with your gradients took the loss from {losses[0]:.4f} to "
           f"{losses[-1]:.4f}; a correct gradient points uphill, so params - lr * grad goes down")
