"""Specs for katas/losses/regression.py (day 10): mse_loss, bce_loss, bce_with_logits.

Contract-to-spec map:
- mse_loss reductions "mean" (default) / "sum" / "none", any shape incl. 0-d and size-0,
  their dtype: mse_default_reduction_is_mean, mse_reductions_match_torch, empty_inputs,
  float64_to_1e12; unknown reduction (a typo, another case, None): ValueError naming it:
  mse_unknown_reduction
- bce_loss: mean of -(t log p + (1 - t) log(1 - p)), each log clamped at -100 (exact 0/1,
  and p so small that log p < -100 in float64; interior p within 2^-22 of 1, no clamp of p
  there), soft labels: bce_*, float64_to_1e12
- bce_loss gradient finite at probs of exactly 0 and 1 (targets 0, 1, 0.3; float32 and
  float64) and at a float32 subnormal p, torch's in the interior:
  bce_gradient_is_finite_at_exactly_zero_and_one
- bce_with_logits: stable at ±1e4 (values and gradients), gradients right at exactly x = 0
  (a zero-initialised head): bce_with_logits_*, gradient_at_zero_logits
- gradients w.r.t. the target too (soft labels from a model), bce_loss and bce_with_logits:
  bce_gradient_matches_autograd, bce_with_logits_pos_weight_gradient
- pos_weight on the POSITIVE term only, (C,) or (1,) along the last dim, float64 too (weights
  not exact in float32): bce_with_logits_pos_weight_*, float64_to_1e12
- results on the inputs' device, pos_weight None or given (meta stands in for a GPU):
  results_on_the_input_device
- means over all elements (size-0: NaN like torch, in the inputs' dtype, float64 too, still
  connected to the input: no fresh new_tensor(nan) shortcut): empty_inputs
- built-ins off limits; inputs untouched (non-contiguous too): writes_its_own_losses,
  inputs_are_left_alone...
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_raises, forbid,
                            non_contiguous, on_meta, unchanged)
from harness.edges import TIGHT64
from harness.failures import fail
from katas.losses.regression import bce_loss, bce_with_logits, mse_loss

FORBIDDEN = (F.mse_loss, F.binary_cross_entropy, F.binary_cross_entropy_with_logits,
             torch.binary_cross_entropy_with_logits)
FORBIDDEN_ATEN = {"mse_loss": "an mse_loss built-in", "binary_cross_entropy": "a BCE built-in",
                  "binary_cross_entropy_with_logits": "a BCE-with-logits built-in"}

SHAPES = [(), (1,), (7,), (3, 5), (2, 3, 4)]

HINT_MSE = "mean (or sum) of (pred - target) ** 2 over every element; 'none' keeps the shape"
HINT_BCE = ("-(t * log(p) + (1 - t) * log(1 - p)), each log clamped at -100 BEFORE multiplying "
            "(so p = 0 or 1 gives 100, and 0 * log(0) never makes NaN), averaged over all elements")
HINT_STABLE = ("1 - sigmoid(x) rounds to 0 for x above ~17 in float32 and log(0) = -inf: use "
               "log(sigmoid(x)) = -(max(-x, 0) + log1p(exp(-|x|))) (or F.logsigmoid) and "
               "log(1 - sigmoid(x)) = log(sigmoid(-x))")
HINT_TARGET_GRAD = ("the target is an input like the prediction: a soft target from a model "
                    "(distillation) needs its gradient, as torch gives it; do not detach it or "
                    "build the target's terms under no_grad")
HINT_POS = ("pos_weight multiplies the POSITIVE term only: -(pos_weight * t * log(sigmoid(x)) + "
            "(1 - t) * log(1 - sigmoid(x)))")


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def randn(*shape, seed, dtype=torch.float32):
    """A seeded normal tensor; shape () gives a 0-dim tensor."""
    return torch.randn(shape, generator=_gen(seed), dtype=dtype)


def probs_and_targets(shape, seed, dtype=torch.float32, soft=False):
    gen = _gen(seed)
    p = torch.rand(shape, generator=gen, dtype=dtype) * 0.98 + 0.01  # interior: (0.01, 0.99)
    t = torch.rand(shape, generator=gen, dtype=dtype)
    return p, (t if soft else (t > 0.5).to(dtype))


def logits_and_targets(shape, seed, dtype=torch.float32, soft=False, scale=3.0):
    gen = _gen(seed)
    x = scale * torch.randn(shape, generator=gen, dtype=dtype)
    t = torch.rand(shape, generator=gen, dtype=dtype)
    return x, (t if soft else (t > 0.5).to(dtype))


# ------------------------------------------------------------------------ mse_loss

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_mse_default_reduction_is_mean(shape):
    pred, target = randn(*shape, seed=1), randn(*shape, seed=2)
    assert_close(mse_loss(pred, target), F.mse_loss(pred, target),
                 what=f"mse_loss(pred {shape}, target {shape}) (default reduction)", hint=HINT_MSE)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4)], ids=str)
def test_mse_reductions_match_torch(shape, reduction, dtype):
    pred, target = randn(*shape, seed=3, dtype=dtype), randn(*shape, seed=4, dtype=dtype)
    assert_close(mse_loss(pred, target, reduction=reduction),
                 F.mse_loss(pred, target, reduction=reduction),
                 what=f"mse_loss(pred {shape}, target {shape}, reduction={reduction!r}) in {dtype}",
                 hint=HINT_MSE)


def test_mse_gradient_matches_autograd():
    pred, target = randn(3, 5, seed=5), randn(3, 5, seed=6)
    assert_grads_match(lambda p, t: mse_loss(p, t), lambda p, t: F.mse_loss(p, t), pred, target,
                       what="mse_loss(pred, target) gradient", hint=HINT_MSE)


# ------------------------------------------------------------------------ bce_loss

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_bce_matches_torch(shape):
    p, t = probs_and_targets(shape, seed=7)
    assert_close(bce_loss(p, t), F.binary_cross_entropy(p, t), what=f"bce_loss(probs {shape}, target {shape})",
                 hint=HINT_BCE)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_bce_soft_targets(dtype):
    p, t = probs_and_targets((4, 6), seed=8, dtype=dtype, soft=True)
    assert_close(bce_loss(p, t), F.binary_cross_entropy(p, t),
                 what=f"bce_loss(probs, soft targets in [0, 1]) in {dtype}", hint=HINT_BCE)


def test_bce_probabilities_of_exactly_zero_and_one():
    # 1 - 2^-22 and 2^-30 are interior (exact in float32): a clamp of probs near 0 or 1 shifts them
    p = torch.tensor([0.0, 0.0, 1.0, 1.0, 0.5, 0.0, 1.0, 1 - 2.0**-22, 2.0**-30])
    t = torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0, 0.3, 0.6, 0.0, 1.0])
    out = bce_loss(p, t)
    assert_close(out, F.binary_cross_entropy(p, t),
                 what="bce_loss(probs with exact 0s and 1s, target)",
                 hint="torch clamps each log at -100, so a confident wrong answer costs 100 (not "
                      "inf, not -log(1e-7) = 16.1 from clamping the probabilities) and a "
                      "confident right one costs 0 (not NaN from 0 * log(0)); " + HINT_BCE)
    for i in range(len(p)):
        assert_close(bce_loss(p[i:i + 1], t[i:i + 1]), F.binary_cross_entropy(p[i:i + 1], t[i:i + 1]),
                     what=f"bce_loss(probs=[{p[i].item()}], target=[{t[i].item()}])", hint=HINT_BCE)


HINT_EDGE_GRAD = ("log(p).clamp(min=-100) is right in value, but its backward at p = 0 is the "
                  "clamp's slope 0 times log's slope 1/0 = inf, i.e. NaN (and at p = 1 the same "
                  "for log(1 - p)): below torch.finfo(p.dtype).tiny take the log of a safe or "
                  "detached value (torch.where(p >= tiny, p.clamp(min=tiny).log(), "
                  "p.detach().log())), so the clamped region gets a finite gradient (0 is fine); a float32 sigmoid gives exactly 1.0 for "
                  "x above ~17, so a model trained through this turns its weights to NaN")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_bce_gradient_is_finite_at_exactly_zero_and_one(dtype):
    p = torch.tensor([0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.25], dtype=dtype)
    t = torch.tensor([0.0, 1.0, 0.3, 0.0, 1.0, 0.3, 0.6], dtype=dtype)
    assert_close(bce_loss(p, t), F.binary_cross_entropy(p, t), **(TIGHT64 if dtype == torch.float64 else {}),
                 what=f"bce_loss(probs with exact 0s and 1s, target 0, 1 and 0.3) in {dtype}", hint=HINT_BCE)
    leaf = p.clone().requires_grad_()
    bce_loss(leaf, t).backward()
    g = leaf.grad
    if g is None or not bool(g.isfinite().all()):
        fail(f"bce_loss(probs={p.tolist()}, target={t.tolist()}) in {dtype}: the gradient w.r.t. "
             f"probs is {None if g is None else g.tolist()}; the contract promises a finite "
             f"gradient for every probs in [0, 1], exactly 0 and 1 included", HINT_EDGE_GRAD)
    # away from the clamped edges it is torch's
    ref = p.clone().requires_grad_()
    F.binary_cross_entropy(ref, t).backward()
    assert_close(g[-1], ref.grad[-1],
                 what=f"bce_loss gradient at probs=0.25 (an interior element next to exact 0s and 1s) in {dtype}",
                 hint=HINT_EDGE_GRAD)
    # a float32 sigmoid of x below ~-87 is subnormal: 1 / p overflows to inf there
    if dtype == torch.float32:
        p, t = torch.tensor([1e-40, 0.5]), torch.tensor([1.0, 0.5])
        assert_close(bce_loss(p, t), F.binary_cross_entropy(p, t),
                     what="bce_loss(probs=[1e-40 (subnormal), 0.5], target=[1, 0.5])", hint=HINT_BCE)
        leaf = p.clone().requires_grad_()
        bce_loss(leaf, t).backward()
        g = leaf.grad
        if g is None or not bool(g.isfinite().all()):
            fail(f"bce_loss(probs=[1e-40, 0.5], target=[1, 0.5]) in float32: the gradient w.r.t. "
                 f"probs is {None if g is None else g.tolist()}; the contract promises a finite "
                 f"gradient for every probs in [0, 1]",
                 "1e-40 is a float32 subnormal (a sigmoid of x < -87 gives one): log's slope 1 / p "
                 "overflows to inf there though log(p) = -92 is above the -100 clamp; below "
                 "torch.finfo(dtype).tiny take the log of a detached (or clamped) p, or write the "
                 "backward as torch does: (p - t) / max(p * (1 - p), 1e-12) / n")


def test_bce_gradient_matches_autograd():
    p, t = probs_and_targets((3, 5), seed=9, soft=True)
    assert_grads_match(lambda a: bce_loss(a, t), lambda a: F.binary_cross_entropy(a, t), p,
                       what="bce_loss(probs, target) gradient w.r.t. probs", hint=HINT_BCE)
    # soft labels may come from a model (distillation): the target gets torch's gradient too
    assert_grads_match(bce_loss, F.binary_cross_entropy, p, t,
                       what="bce_loss(probs, soft target) gradient w.r.t. probs and target",
                       hint=HINT_TARGET_GRAD)


# ------------------------------------------------------------------------ bce_with_logits

@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_bce_with_logits_default_matches_torch(shape):
    x, t = logits_and_targets(shape, seed=10)
    assert_close(bce_with_logits(x, t), F.binary_cross_entropy_with_logits(x, t),
                 what=f"bce_with_logits(logits {shape}, target {shape}) (no pos_weight)", hint=HINT_STABLE)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_bce_with_logits_soft_targets(dtype):
    x, t = logits_and_targets((4, 6), seed=11, dtype=dtype, soft=True)
    assert_close(bce_with_logits(x, t), F.binary_cross_entropy_with_logits(x, t),
                 what=f"bce_with_logits(logits, soft targets) in {dtype}", hint=HINT_STABLE)


@pytest.mark.parametrize("shape", [(6, 3), (2, 4, 5), (7,)], ids=str)
def test_bce_with_logits_pos_weight_per_class(shape):
    x, t = logits_and_targets(shape, seed=12)
    pos_weight = torch.rand(shape[-1], generator=_gen(13)) * 4 + 0.25
    assert_close(bce_with_logits(x, t, pos_weight=pos_weight),
                 F.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight),
                 what=f"bce_with_logits(logits {shape}, target, pos_weight of shape ({shape[-1]},))",
                 hint=HINT_POS)


@pytest.mark.parametrize("soft", [False, True])
def test_bce_with_logits_pos_weight_scalar(soft):
    x, t = logits_and_targets((5, 3), seed=14, soft=soft)
    pos_weight = torch.tensor([3.0])
    assert_close(bce_with_logits(x, t, pos_weight), F.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight),
                 what=f"bce_with_logits(logits, {'soft' if soft else 'hard'} target, pos_weight=[3.0])",
                 hint=HINT_POS)


def test_bce_with_logits_pos_weight_gradient():
    x, t = logits_and_targets((4, 3), seed=15, soft=True)
    pos_weight = torch.tensor([0.5, 2.0, 5.0])
    assert_grads_match(lambda a: bce_with_logits(a, t, pos_weight),
                       lambda a: F.binary_cross_entropy_with_logits(a, t, pos_weight=pos_weight), x,
                       what="bce_with_logits(logits, target, pos_weight) gradient", hint=HINT_POS)
    assert_grads_match(lambda a, b: bce_with_logits(a, b, pos_weight),
                       lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pos_weight), x, t,
                       what="bce_with_logits(logits, soft target, pos_weight) gradient w.r.t. logits and target",
                       hint=HINT_TARGET_GRAD)


# No logit is exactly 0: there the classic max(x, 0) - x * t + log1p(exp(-|x|)) has a kink
# that autograd differentiates as a one-sided slope; the loss itself is still correct.
EXTREME = torch.tensor([[1e4, -1e4, 1e4], [-1e4, 1e4, 0.5], [30.0, -30.0, 1e4 - 1]])
EXTREME_TARGET = torch.tensor([[0.0, 1.0, 1.0], [0.0, 0.5, 1.0], [0.0, 1.0, 0.2]])


@pytest.mark.parametrize("pos_weight", [None, torch.tensor([2.0, 0.5, 3.0])], ids=["none", "pos_weight"])
def test_bce_with_logits_is_stable_at_large_logits(pos_weight):
    out = bce_with_logits(EXTREME, EXTREME_TARGET, pos_weight)
    assert_close(out, F.binary_cross_entropy_with_logits(EXTREME, EXTREME_TARGET, pos_weight=pos_weight),
                 what=f"bce_with_logits(logits of ±1e4, target, pos_weight={'None' if pos_weight is None else 'tensor'})",
                 hint=HINT_STABLE)
    assert_grads_match(lambda a: bce_with_logits(a, EXTREME_TARGET, pos_weight),
                       lambda a: F.binary_cross_entropy_with_logits(a, EXTREME_TARGET, pos_weight=pos_weight),
                       EXTREME, what="bce_with_logits(logits of ±1e4, target) gradient",
                       hint=HINT_STABLE + "; and no exp of a large positive number anywhere")


@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=3),
       scale=st.sampled_from([1.0, 20.0, 1e4]), soft=st.booleans(), weighted=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_bce_with_logits_property(shape, scale, soft, weighted, seed):
    x, t = logits_and_targets(tuple(shape), seed=seed, soft=soft, scale=scale)
    pos_weight = torch.rand(shape[-1], generator=_gen(seed + 1)) * 4 if weighted else None
    out = bce_with_logits(x, t, pos_weight)
    assert_close(out, F.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight),
                 what=f"bce_with_logits(logits {tuple(shape)} of scale {scale}, "
                      f"{'soft' if soft else 'hard'} target, pos_weight={'(C,)' if weighted else None})",
                 hint=f"{HINT_STABLE}. {HINT_POS}")


@pytest.mark.parametrize("pos_weight", [None, torch.tensor([2.0, 0.5, 1.0, 3.0])], ids=["none", "pos_weight"])
def test_gradient_at_zero_logits(pos_weight):
    # a zero-initialised classifier head gives logits of exactly 0 on its first step
    x = torch.zeros(3, 4)
    x[1] = torch.tensor([0.0, 2.0, -1.5, 0.0])
    t = torch.tensor([[0.0, 1.0, 0.3, 1.0], [1.0, 0.0, 1.0, 0.6], [0.5, 0.0, 1.0, 0.0]])
    assert_grads_match(lambda a: bce_with_logits(a, t, pos_weight),
                       lambda a: F.binary_cross_entropy_with_logits(a, t, pos_weight=pos_weight), x,
                       what="bce_with_logits(logits with exact zeros, target) gradient",
                       hint="at x = 0 the gradient is (sigmoid(0) - t) / n, shaped by pos_weight: "
                            "max(x, 0) and |x| have kinks there whose one-sided slopes autograd picks, "
                            "so max(x, 0) - x * t + log1p(exp(-|x|)) differentiates wrongly at 0; "
                            "use F.logsigmoid, or split log(sigmoid(x)) into two branches by the sign "
                            "of x (clamping each branch's input), or write the backward")


@pytest.mark.parametrize("reduction", ["avg", "Sum", "MEAN", None])
def test_mse_unknown_reduction(reduction):
    pred, target = randn(3, seed=30), randn(3, seed=31)
    assert_raises(ValueError, mse_loss, pred, target, reduction=reduction,
                  contract="reduction is exactly 'mean', 'sum' or 'none' (case matters, like "
                           "F.mse_loss); anything else raises ValueError naming it",
                  mentions=(str(reduction),), what=f"mse_loss(pred, target, reduction={reduction!r})",
                  hint="compare reduction with the three names as given: no .lower(), and None "
                       "is not 'none'")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(0,), (2, 0)], ids=str)
def test_empty_inputs(shape, dtype):
    # the first input requires grad: a special case returning a fresh tensor
    # (pred.new_tensor(nan)) has the right value and dtype but is cut from the graph
    e = torch.zeros(shape, dtype=dtype)
    x = e.clone().requires_grad_()
    of = f"(empty {shape} requiring grad, empty {shape} in {dtype}"
    literal = ("; a special case returning torch.tensor(float('nan')) is float32 on the CPU: "
               "no special case is needed (.mean() of nothing is NaN in the input's dtype)")
    cut = ("the result is cut from the input (requires_grad is False), so backward through it "
           "fails; compute it from the input like any other (no new_tensor / new_zeros shortcut)")
    for reduction in ("mean", "sum", "none"):
        out = mse_loss(x, e, reduction=reduction)
        assert_close(out, F.mse_loss(e, e, reduction=reduction),
                     what=f"mse_loss{of}, reduction={reduction!r})",
                     hint="the mean over 0 elements is 0 / 0 = NaN (like torch), the sum 0, and "
                          "'none' an empty tensor, all in the inputs' dtype" + literal)
        assert out.requires_grad, f"mse_loss{of}, reduction={reduction!r}): {cut}"
    for name, fn, first, ref in (("bce_loss", bce_loss, x + 0.5, F.binary_cross_entropy(e + 0.5, e)),
                                 ("bce_with_logits", bce_with_logits, x,
                                  F.binary_cross_entropy_with_logits(e, e))):
        out = fn(first, e)
        assert_close(out, ref, what=f"{name}{of})", hint="the mean over 0 elements is NaN" + literal)
        assert out.requires_grad, f"{name}{of}): {cut}"


def test_float64_to_1e12():
    hint = ("float64 inputs are computed in float64 all the way: no .float(), no torch.tensor(...) "
            "constants or helper tensors in float32")
    pred, target = randn(4, 5, seed=32, dtype=torch.float64), randn(4, 5, seed=33, dtype=torch.float64)
    for reduction in ("mean", "sum", "none"):
        assert_close(mse_loss(pred, target, reduction=reduction),
                     F.mse_loss(pred, target, reduction=reduction), **TIGHT64, hint=hint,
                     what=f"mse_loss(float64 pred, target, reduction={reduction!r}) to 1e-12")
    p, t = probs_and_targets((4, 5), seed=34, dtype=torch.float64, soft=True)
    p = p.clone()
    p[0, :3] = torch.tensor([1e-50, 0.0, 1.0], dtype=torch.float64)  # log(1e-50) = -115 -> -100
    t = t.clone()
    t[0, :3] = torch.tensor([1.0, 0.4, 0.7], dtype=torch.float64)
    assert_close(bce_loss(p, t), F.binary_cross_entropy(p, t), **TIGHT64,
                 what="bce_loss(float64 probs incl. 1e-50, 0 and 1, soft target) to 1e-12",
                 hint="clamp every log at -100 (log(1e-50) = -115.1 becomes -100 too, not only "
                      "log(0)); " + hint)
    x, tx = logits_and_targets((4, 5), seed=35, dtype=torch.float64, soft=True)
    pw = torch.tensor([0.3, 1.1, 2.7, 3.5, 0.1], dtype=torch.float64)  # 0.3, 1.1, 2.7, 0.1: not exact in float32
    for pos_weight in (None, pw):
        assert_close(bce_with_logits(x, tx, pos_weight),
                     F.binary_cross_entropy_with_logits(x, tx, pos_weight=pos_weight), **TIGHT64,
                     what=f"bce_with_logits(float64 logits, target, pos_weight={'None' if pos_weight is None else 'float64 (5,)'}) to 1e-12",
                     hint=hint)
    assert_grads_match(lambda a: bce_with_logits(a, tx, pw),
                       lambda a: F.binary_cross_entropy_with_logits(a, tx, pos_weight=pw), x,
                       what="bce_with_logits(float64 logits, target, pos_weight) gradient to 1e-12",
                       hint=hint, **TIGHT64)


HINT_DEVICE = ("the loss lives on the inputs' device: make every helper tensor (a default "
               "pos_weight, a -100 floor) with *_like(x) or device=x.device, or use a Python number "
               "(1.0, -100.0) instead of a tensor")


def test_results_on_the_input_device():
    a, b = torch.empty(4, 3, device="meta"), torch.empty(4, 3, device="meta")
    pw = torch.empty(3, device="meta")
    calls = [("mse_loss(pred, target) on meta", lambda: mse_loss(a, b), ()),
             ("mse_loss(pred, target, reduction='none') on meta", lambda: mse_loss(a, b, reduction="none"), (4, 3)),
             ("bce_loss(probs, target) on meta", lambda: bce_loss(a, b), ()),
             ("bce_with_logits(logits, target) on meta", lambda: bce_with_logits(a, b), ()),
             ("bce_with_logits(logits, target, pos_weight) on meta", lambda: bce_with_logits(a, b, pw), ())]
    for what, fn, shape in calls:
        out = on_meta(fn, what=what, hint=HINT_DEVICE)
        if out is not None and (out.device != a.device or tuple(out.shape) != shape):
            fail(f"{what} gave {tuple(out.shape)} on {out.device}; expected {shape} on meta")


# ------------------------------------------------------------------------ inputs

def test_inputs_are_left_alone_and_may_be_non_contiguous():
    pred, target = non_contiguous(randn(3, 4, seed=16)), non_contiguous(randn(3, 4, seed=17))
    p, t = (non_contiguous(v) for v in probs_and_targets((3, 4), seed=18))
    x, tx = (non_contiguous(v) for v in logits_and_targets((3, 4), seed=19))
    pos_weight = non_contiguous(torch.tensor([1.0, 2.0, 0.5, 3.0]))
    with unchanged(pred, target, p, t, x, tx, pos_weight,
                   names=["pred", "target", "probs", "target", "logits", "target", "pos_weight"]):
        outs = (mse_loss(pred, target, reduction="none"), bce_loss(p, t),
                bce_with_logits(x, tx, pos_weight))
    assert_close(outs[0], F.mse_loss(pred, target, reduction="none"),
                 what="mse_loss(non-contiguous pred and target, reduction='none')", hint=HINT_MSE)
    assert_close(outs[1], F.binary_cross_entropy(p, t), what="bce_loss(non-contiguous probs and target)",
                 hint=HINT_BCE)
    assert_close(outs[2], F.binary_cross_entropy_with_logits(x, tx, pos_weight=pos_weight),
                 what="bce_with_logits(non-contiguous logits, target and pos_weight)", hint=HINT_POS)


def test_writes_its_own_losses():
    pred, target = randn(3, 4, seed=20), randn(3, 4, seed=21)
    p, t = probs_and_targets((3, 4), seed=22)
    x, tx = logits_and_targets((3, 4), seed=23)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        mse_loss(pred, target)
        mse_loss(pred, target, reduction="none")
        bce_loss(p, t)
        bce_with_logits(x, tx)
        bce_with_logits(x, tx, torch.tensor([2.0]))
