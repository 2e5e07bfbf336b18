"""Specs for katas/losses/softmax.py (day 10): softmax, log_softmax, Softmax (manual backward).

Contract-to-spec map:
- "like F.softmax / F.log_softmax", any dim negative or positive, float32 and float64:
  softmax_matches_torch, log_softmax_matches_torch, softmax_is_a_distribution_along_dim
  (hypothesis), default_dim_is_the_last
- "same dtype as x" and float64 computed in float64 (to 1e-12, values and gradients):
  float64_is_computed_in_float64
- any shape: size-0 dims beside dim, 0-d x (its own slice: probability 1), a size-1 slice,
  float64 kept there too, still connected to x (no detached ones_like shortcut):
  empty_and_scalar_inputs
- a dim outside [-x.dim(), x.dim()) raises IndexError (no dim % x.dim()): dim_out_of_range_raises;
  a 0-d x takes only dim -1 or 0 (a 0-d shortcut that skips the check fails): same spec
- stability ("±1e4 finite and correct", shift invariance, log never of an underflowed 0):
  *_stable_at_large_logits (logits just past 1e4: no clamp to ±1e4), shift_invariance,
  rows_far_apart (a global max instead of the slice's)
- "-inf entries get probability 0" (exactly 0, softmax and Softmax.apply; also beside logits
  near -1e4, so -inf replaced by a finite -1e4 fails):
  masked_logits_get_probability_zero
- Softmax.apply hand-written backward y*(g - sum(g*y)), default dim: softmax_function_*; dim
  kept per call (two calls with other dims before one backward): softmax_function_keeps_dim_per_call
- backward by hand: no autograd inside it, y itself saved with ctx.save_for_backward (not x
  recomputed), grad_out not modified in place: softmax_function_backward_by_hand
- dtype kept, 0-d float64 too: scalar_keeps_dtype (no meta-device spec: the contract
  states no device rule)
- built-ins off limits; inputs untouched (non-contiguous too): writes_its_own_*, non_contiguous_*
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (ForbiddenCall, assert_close, assert_grads_match, assert_raises, forbid,
                            gradcheck, non_contiguous, randn, unchanged)
from harness.edges import TIGHT64
from harness.failures import fail
from katas.losses.softmax import Softmax, log_softmax, softmax

INF = float("inf")

FORBIDDEN = (torch.softmax, F.softmax, torch.Tensor.softmax, torch.log_softmax, F.log_softmax,
             torch.Tensor.log_softmax, torch.logsumexp, torch.Tensor.logsumexp)
FORBIDDEN_ATEN = {"_softmax": "a softmax built-in", "_log_softmax": "a log_softmax built-in",
                  "logsumexp": "a logsumexp built-in",
                  "_softmax_backward_data": "the built-in softmax backward"}

# At |x| ~ 1e4 one float32 ulp is ~1e-3. x - logsumexp(x) (a correct log_softmax, and
# exp of it, a correct softmax) carries that rounding where (x - max) - log(sum) does not, so
# results for inputs that large are compared with an absolute tolerance of 4 ulps of 1e4
# (4.8e-3; probabilities are at most 1). What these tests catch, overflow, gives inf or NaN.
ATOL_1E4 = 4 * 1e4 * torch.finfo(torch.float32).eps

HINT_DIM = ("every slice along `dim` must sum to 1: take the max and the sum over `dim` "
            "(not always the last one) with keepdim=True, so they broadcast back against x")
HINT_STABLE = ("exp overflows to inf above ~88 in float32 and underflows to 0 below ~-104: "
               "subtract the max along dim first (softmax does not change when a constant "
               "is added to a slice); that shift is enough: no clamp of the logits to ±1e4)")
HINT_LOG = ("log(softmax(x)) is -inf where a probability underflowed to 0; compute "
            "(x - max) - log(sum(exp(x - max))) instead")
HINT_BACKWARD = ("the softmax Jacobian is diag(y) - y y^T, so grad_x = y * (g - sum(g * y, dim, "
                 "keepdim=True)); y * (1 - y) * g keeps only the diagonal")

# (shape, dim): sizes 1 and primes, every dim of a 3-D tensor, negative and positive dims.
# Square shapes come first: there a missing keepdim gives wrong values instead of an error.
CASES = [((5, 5), -1), ((4, 4, 4), 1), ((7,), -1), ((7,), 0), ((3, 5), -1), ((3, 5), 0),
         ((3, 5), 1), ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -2), ((2, 3, 4), 2),
         ((4, 1), -1), ((1, 13), 0), ((2, 1, 3), 1)]


def _ids(case):
    return f"{case[0]}-dim{case[1]}"


# ------------------------------------------------------------------------ values

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_softmax_matches_torch(case, dtype):
    shape, dim = case
    x = 3 * randn(*shape, seed=1, dtype=dtype)
    assert_close(softmax(x, dim), F.softmax(x, dim), what=f"softmax(x of shape {shape}, dim={dim})",
                 hint=HINT_DIM)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_log_softmax_matches_torch(case, dtype):
    shape, dim = case
    x = 3 * randn(*shape, seed=2, dtype=dtype)
    assert_close(log_softmax(x, dim), F.log_softmax(x, dim),
                 what=f"log_softmax(x of shape {shape}, dim={dim})", hint=HINT_DIM)


def test_default_dim_is_the_last():
    x = randn(2, 3, 5, seed=3)
    assert_close(softmax(x), F.softmax(x, dim=-1), what="softmax(x of shape (2, 3, 5)) (default dim)",
                 hint="dim defaults to -1, the last dimension")
    assert_close(log_softmax(x), F.log_softmax(x, dim=-1),
                 what="log_softmax(x of shape (2, 3, 5)) (default dim)",
                 hint="dim defaults to -1, the last dimension")
    assert_close(Softmax.apply(x), F.softmax(x, dim=-1),
                 what="Softmax.apply(x of shape (2, 3, 5)) (default dim)",
                 hint="forward(ctx, x, dim=-1): dim defaults to -1")


@st.composite
def shape_and_dim(draw):
    shape = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return tuple(shape), dim


@given(case=shape_and_dim(), seed=st.integers(0, 2**31 - 1))
def test_softmax_is_a_distribution_along_dim(case, seed):
    shape, dim = case
    x = 4 * randn(*shape, seed=seed)
    y = softmax(x, dim)
    assert_close(y.sum(dim), torch.ones(x.sum(dim).shape), what=f"softmax(x of shape {shape}, dim={dim}).sum({dim})",
                 hint=HINT_DIM)
    assert_close(y, F.softmax(x, dim), what=f"softmax(x of shape {shape}, dim={dim})", hint=HINT_DIM)
    assert_close(log_softmax(x, dim), F.log_softmax(x, dim),
                 what=f"log_softmax(x of shape {shape}, dim={dim})", hint=HINT_DIM)


@given(case=shape_and_dim(), seed=st.integers(0, 2**31 - 1), big=st.booleans())
def test_shift_invariance(case, seed, big):
    """softmax(x + c) == softmax(x) when c is constant along dim (it may vary elsewhere)."""
    shape, dim = case
    gen = torch.Generator().manual_seed(seed)
    # Quarter steps and integer shifts are exact in float32, so x + c loses nothing.
    x = torch.randint(-16, 17, shape, generator=gen).float() / 4
    c_shape = list(shape)
    c_shape[dim] = 1
    bound = 10_000 if big else 50
    c = torch.randint(-bound, bound + 1, c_shape, generator=gen).float()
    what = f"(x of shape {shape} + c constant along dim={dim}, |c| <= {bound})"
    atol = max(1e-5, 4 * (bound + 4) * torch.finfo(torch.float32).eps)  # see ATOL_1E4
    assert_close(softmax(x + c, dim), F.softmax(x, dim), what="softmax" + what, atol=atol,
                 hint=HINT_STABLE + "; and reduce over dim with keepdim=True")
    assert_close(log_softmax(x + c, dim), F.log_softmax(x, dim), what="log_softmax" + what, atol=atol,
                 hint=HINT_STABLE + "; and reduce over dim with keepdim=True")


# ------------------------------------------------------------------------ stability

EXTREME = torch.tensor([[1e4, 0.0, -1e4],
                        [-1e4, -1e4, -1e4],
                        [1e4, 1e4, 1e4],
                        [-1e4, -1e4 + 1, -1e4 + 2],
                        [1e4 - 2, 1e4, -1e4],
                        [1e4 + 3, 1e4 + 1, 1e4]])  # just past 1e4: a clamp to [-1e4, 1e4] flattens it


@pytest.mark.parametrize("dim", [-1, 0])
def test_softmax_is_stable_at_large_logits(dim):
    y = softmax(EXTREME, dim)
    assert_close(y, F.softmax(EXTREME, dim), what=f"softmax(logits of ±1e4, dim={dim})",
                 atol=ATOL_1E4, hint=HINT_STABLE)


@pytest.mark.parametrize("dim", [-1, 0])
def test_log_softmax_is_stable_at_large_logits(dim):
    y = log_softmax(EXTREME, dim)
    assert_close(y, F.log_softmax(EXTREME, dim), what=f"log_softmax(logits of ±1e4, dim={dim})",
                 atol=ATOL_1E4, hint=HINT_STABLE + ". " + HINT_LOG)


def test_masked_logits_get_probability_zero():
    x = torch.tensor([[0.0, -INF, 1.0, 2.0], [-INF, 2.0, -INF, -INF], [3.0, -1.0, -INF, 0.5]])
    # finite logits near -1e4: -inf replaced by a finite -1e4 gets a weight there
    far = torch.tensor([[-1e4, -INF, -1e4 + 1, -INF]])
    assert_close(softmax(x), F.softmax(x, -1), what="softmax(logits with -inf entries)",
                 hint="exp(-inf - max) is exactly 0; keep the max over each row (a finite one)")
    assert_close(log_softmax(x), F.log_softmax(x, -1), what="log_softmax(logits with -inf entries)",
                 hint="a masked entry's log-probability is -inf; " + HINT_LOG)
    assert_close(log_softmax(far), F.log_softmax(far, -1), what="log_softmax([-1e4, -inf, -1e4 + 1, -inf])",
                 atol=ATOL_1E4, hint="a masked entry's log-probability is -inf, also beside logits near -1e4")
    # exactly 0, not merely below assert_close's atol: a clamp of x - max "against underflow"
    # or an epsilon added to exp gives masked entries (padding, future tokens) a weight
    for name, logits, probs in (("softmax", x, softmax(x)), ("Softmax.apply", x, Softmax.apply(x)),
                                ("softmax", far, softmax(far))):
        leaked = probs.detach()[logits == -INF]
        if (leaked != 0).any():
            fail(f"{name}(logits with -inf entries): masked entries got probabilities "
                 f"{leaked.tolist()}, expected exactly 0",
                 "exp(-inf - max) is exactly 0: no clamp on x - max, no epsilon added to exp and no "
                 "finite stand-in for -inf such as -1e4 (an underflow to 0 is the right answer)")


def test_rows_far_apart():
    # one row near +80, one near -80: a max over the whole tensor (not per slice) sends the
    # second row's exp to 0 (0 / 0 = NaN) in float32, or its log to -inf
    x = torch.tensor([[80.0, 79.0, 78.5], [-80.0, -81.0, -79.5]])
    for dim, xs in ((-1, x), (0, x.T.contiguous())):
        assert_close(softmax(xs, dim), F.softmax(xs, dim), what=f"softmax(rows near +80 and -80, dim={dim})",
                     hint="subtract each slice's own max (amax over dim, keepdim=True), not the max of "
                          "the whole tensor")
        assert_close(log_softmax(xs, dim), F.log_softmax(xs, dim),
                     what=f"log_softmax(rows near +80 and -80, dim={dim})",
                     hint="subtract each slice's own max (amax over dim, keepdim=True)")
        assert_close(Softmax.apply(xs, dim), F.softmax(xs, dim),
                     what=f"Softmax.apply(rows near +80 and -80, {dim})", hint=HINT_STABLE)


@pytest.mark.parametrize("case", [((6, 9), 0), ((3, 4, 5), 1), ((2, 7), -1)], ids=_ids)
def test_float64_is_computed_in_float64(case):
    shape, dim = case
    x = 5 * randn(*shape, seed=21, dtype=torch.float64)
    hint = ("float64 in, float64 all the way: no x.float() 'for stability', no float32 helper "
            "tensors; float32 rounding shows up in the 8th digit")
    for name, mine, ref in (("softmax", softmax, F.softmax), ("log_softmax", log_softmax, F.log_softmax)):
        out = mine(x, dim)
        assert out.dtype == torch.float64, f"{name}(float64 x, dim={dim}) returned {out.dtype}"
        assert_close(out, ref(x, dim), what=f"{name}(float64 x of shape {shape}, dim={dim}) to 1e-12",
                     hint=hint, **TIGHT64)
    g = randn(*shape, seed=22, dtype=torch.float64)
    xs = [x.clone().requires_grad_() for _ in range(2)]
    (mine,) = torch.autograd.grad(Softmax.apply(xs[0], dim), xs[0], g.clone())
    (ref,) = torch.autograd.grad(F.softmax(xs[1], dim), xs[1], g)
    assert_close(mine, ref, what=f"Softmax.apply(float64 x of shape {shape}, {dim}) backward to 1e-12",
                 hint=hint, **TIGHT64)


@pytest.mark.parametrize("shape,dim", [((0, 5), -1), ((2, 0, 3), -1), ((0, 4), 1), ((2, 0, 3), 0),
                                       ((), -1), ((), 0), ((3, 1), -1)])
def test_empty_and_scalar_inputs(shape, dim):
    # float64: an early return for an empty x (torch.empty(x.shape)) must keep x's dtype too;
    # x requires grad: a shortcut for a 0-d x or a size-1 slice (torch.ones_like(x)) has the
    # right values but is cut from the graph (the gradient there is 0, but it must reach x)
    x = torch.randn(shape, generator=torch.Generator().manual_seed(23), dtype=torch.float64,
                    requires_grad=True)
    what = f"(float64 x of shape {shape}, dim={dim}, requiring grad)"
    hint = ("work on whole tensors with reductions over dim (keepdim=True): a loop over rows "
            "breaks on an empty batch, and a 0-d x is a single slice whose softmax is 1; an "
            "early return for an empty x keeps x's dtype (torch.empty_like(x), not "
            "torch.empty(x.shape))")
    with torch.no_grad():
        refs = (F.softmax(x, dim), F.log_softmax(x, dim), F.softmax(x, dim))
    for name, fn, ref in zip(("softmax", "log_softmax", "Softmax.apply"),
                             (softmax, log_softmax, Softmax.apply), refs):
        out = fn(x, dim)
        assert_close(out, ref, what=name + what, hint=hint)
        assert out.requires_grad, (
            f"{name}{what} is cut from x (requires_grad is False), so no gradient reaches x "
            "through it; hint: compute it like any other shape (x - amax, exp, sum), not as a "
            "fresh torch.ones_like(x) / torch.zeros_like(x) shortcut")


@pytest.mark.parametrize("shape,dim", [((3, 5), 2), ((3, 5), -3), ((4,), 1), ((), 1), ((), -2)])
def test_dim_out_of_range_raises(shape, dim):
    x = randn(*shape, seed=24)
    contract = ("a dim outside [-x.dim(), x.dim()) raises IndexError, as in F.softmax "
                "(no wrapping with %)")
    hint = ("reduce over dim as given (amax/sum raise IndexError themselves); dim % x.dim() "
            "turns a typo such as dim=2 on a matrix into a softmax over another dim")
    if not shape:
        contract = "a 0-d x takes dim -1 or 0, as in F.softmax; any other dim raises IndexError"
        hint = ("a 0-d shortcut (if x.dim() == 0: ...) must still check dim: x.amax(dim) on the "
                "0-d x raises the IndexError for you")
    for name, fn in (("softmax", softmax), ("log_softmax", log_softmax), ("Softmax.apply", Softmax.apply)):
        assert_raises(IndexError, fn, x, dim, contract=contract, what=f"{name}(x of shape {shape}, {dim})",
                      hint=hint)


def test_scalar_keeps_dtype():
    x = torch.tensor(0.7, dtype=torch.float64)
    hint = ("a 0-d x is one slice: reduce over dim as for any other shape; torch.tensor(1.0) "
            "is float32 on the CPU")
    for name, mine, ref in (("softmax", softmax, F.softmax), ("log_softmax", log_softmax, F.log_softmax),
                            ("Softmax.apply", Softmax.apply, F.softmax)):
        assert_close(mine(x, -1), ref(x, -1), what=f"{name}(float64 x of shape (), -1)", hint=hint)


# ------------------------------------------------------------------------ inputs

def test_non_contiguous_input_is_left_alone():
    x = non_contiguous(2 * randn(3, 4, 5, seed=4))
    with unchanged(x, names=["x"]):
        y = softmax(x, 1)
        ly = log_softmax(x, 1)
        fy = Softmax.apply(x, 1)
    ref = x.contiguous()
    assert_close(y, F.softmax(ref, 1), what="softmax(non-contiguous x, dim=1)", hint=HINT_DIM)
    assert_close(ly, F.log_softmax(ref, 1), what="log_softmax(non-contiguous x, dim=1)", hint=HINT_DIM)
    assert_close(fy, F.softmax(ref, 1), what="Softmax.apply(non-contiguous x, 1)", hint=HINT_DIM)


def test_writes_its_own_softmax():
    x = randn(3, 5, seed=5)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        softmax(x, -1)
        softmax(x)
        log_softmax(x, 0)
        log_softmax(x)


def test_softmax_function_writes_its_own_forward_and_backward():
    x = randn(3, 5, seed=6, requires_grad=True)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        y = Softmax.apply(x, 0)
        y.backward(torch.ones_like(y))


def test_log_softmax_gradient_matches_autograd():
    x = randn(4, 7, seed=7)
    assert_grads_match(lambda t: log_softmax(t, -1), lambda t: F.log_softmax(t, -1), x,
                       what="log_softmax(x, -1) gradient", hint=HINT_LOG)
    assert_grads_match(lambda t: softmax(t, 0), lambda t: F.softmax(t, 0), x,
                       what="softmax(x, 0) gradient", hint=HINT_DIM)


# ------------------------------------------------------------------------ Softmax (autograd.Function)

@pytest.mark.parametrize("case", [((3, 5), -1), ((3, 5), 0), ((2, 3, 4), 1), ((7,), 0), ((4, 1), -1)],
                         ids=_ids)
def test_softmax_function_gradcheck(case):
    shape, dim = case
    x = randn(*shape, seed=8, dtype=torch.float64)
    gradcheck(Softmax.apply, x, dim, what=f"Softmax.apply(x of shape {shape}, {dim}) backward",
              hint=HINT_BACKWARD)


def test_softmax_function_gradcheck_default_dim():
    x = randn(2, 6, seed=9, dtype=torch.float64)
    gradcheck(Softmax.apply, x, what="Softmax.apply(x of shape (2, 6)) backward (default dim)",
              hint=HINT_BACKWARD)


@pytest.mark.parametrize("case", [((5, 5), -1), ((3, 5), 0), ((2, 3, 4), -2), ((2, 3, 4), 2)], ids=_ids)
def test_softmax_function_agrees_with_autograd(case):
    shape, dim = case
    x = 2 * randn(*shape, seed=10)
    assert_grads_match(lambda t: Softmax.apply(t, dim), lambda t: F.softmax(t, dim), x,
                       what=f"Softmax.apply(x of shape {shape}, {dim})", hint=HINT_BACKWARD)


def test_softmax_function_keeps_dim_per_call():
    """Two calls with different dims in flight (both outputs used by one loss): each backward
    must use its own call's dim, kept on ctx, not on the class or a global."""
    x = randn(3, 4, seed=25, dtype=torch.float64)
    xs = [x.clone().requires_grad_() for _ in range(2)]
    g0, g1 = randn(3, 4, seed=26, dtype=torch.float64), randn(3, 4, seed=27, dtype=torch.float64)
    first = Softmax.apply(xs[0], 0)
    second = Softmax.apply(xs[0], 1)
    (mine,) = torch.autograd.grad((first * g0).sum() + (second * g1).sum(), xs[0])
    ref = (F.softmax(xs[1], 0) * g0).sum() + (F.softmax(xs[1], 1) * g1).sum()
    (expected,) = torch.autograd.grad(ref, xs[1])
    assert_close(mine, expected, what="gradient of Softmax.apply(x, 0) and Softmax.apply(x, 1) "
                 "computed before one backward", hint="keep dim per call on ctx (ctx.dim = dim in "
                 "forward): an attribute on the Softmax class or a global is overwritten by the "
                 "next call, so the first call's backward sums over the second call's dim")


def test_softmax_function_is_stable_at_large_logits():
    x = EXTREME.clone()
    assert_grads_match(lambda t: Softmax.apply(t, -1), lambda t: F.softmax(t, -1), x,
                       what="Softmax.apply(logits of ±1e4, -1)", atol=ATOL_1E4, hint=HINT_STABLE)


NO_AUTOGRAD = ("torch.autograd.grad", "torch.autograd.backward", torch.Tensor.backward,
               "torch.autograd.functional.vjp", "torch.func.vjp")


@pytest.mark.parametrize("case", [((3, 5), -1), ((2, 3, 4), 1)], ids=_ids)
def test_softmax_function_backward_by_hand(case):
    shape, dim = case
    x = randn(*shape, seed=11, dtype=torch.float64, requires_grad=True)
    what = f"Softmax.apply(x of shape {shape}, {dim}) backward"
    y = Softmax.apply(x, dim)
    if not isinstance(y, torch.Tensor) or y.grad_fn is None:
        fail(f"Softmax.apply(x of shape {shape}, {dim}) returned {type(y).__name__} without a "
             "grad_fn: return the tensor from forward")
    if not y.grad_fn.saved_tensors:
        fail(f"{what}: nothing was saved with ctx.save_for_backward",
             "ctx.save_for_backward(y) in forward and (y,) = ctx.saved_tensors in backward; a "
             "plain attribute (ctx.y = y) skips autograd's checks and keeps y alive in a cycle")
    if not any(s.shape == y.shape and torch.equal(s, y.detach()) for s in y.grad_fn.saved_tensors):
        fail(f"{what}: the output y is not among the tensors saved with ctx.save_for_backward",
             "save y itself (ctx.save_for_backward(y)): the backward needs only y, so saving x "
             "and recomputing softmax(x) in backward does the forward's work twice")
    g = randn(*shape, seed=12, dtype=torch.float64)
    try:
        with unchanged(g, names=["grad_out"], hint="compute a new tensor: grad_out may be shared "
                       "with other branches of the graph, so sub_/mul_ on it corrupt their "
                       "gradients"), forbid(*NO_AUTOGRAD):
            grads = y.grad_fn.apply(g)
    except ForbiddenCall as err:
        raise ForbiddenCall(f"{what}: {err} inside backward.\n  hint: the backward is the kata: "
                            "y * (grad_out - (grad_out * y).sum(dim, keepdim=True)) from the "
                            "saved y, no autograd") from None
    grad = grads[0] if isinstance(grads, (tuple, list)) else grads
    xr = x.detach().clone().requires_grad_()
    (expected,) = torch.autograd.grad(F.softmax(xr, dim), xr, g)
    assert_close(grad, expected, what=what, hint=HINT_BACKWARD)
