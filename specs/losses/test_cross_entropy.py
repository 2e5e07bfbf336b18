"""Specs for katas/losses/cross_entropy.py (day 10): cross_entropy, cross_entropy_backward.

Convention: the class dim is last, (N, C) or (B, T, C); the reference is
F.cross_entropy(logits.reshape(-1, C), target.reshape(-1), ...), reshaped back for "none".

Contract-to-spec map:
- (N, C) and (B, T, C), class dim last, defaults: default_arguments_match_torch,
  reductions_match_torch, matches_torch_property (hypothesis)
- "none": shape target.shape, dtype of logits; "sum"/"mean": 0-dim tensors:
  reductions_match_torch, dtype_follows_logits, float64_to_1e12
- "mean" over non-ignored positions; ignored contribute 0; ignore_index may be a class id (0),
  incl. with smoothing: mean_counts_only..., ignored_positions_contribute_zero,
  custom_ignore_index, custom_ignore_index_with_smoothing
- ignored positions give exactly 0 even when their logits are NaN or -inf (masked_fill /
  where, not a multiply by the mask): ignored_garbage_logits_give_zero
- -inf logits on other classes (a vocabulary mask): finite without smoothing, +inf with it,
  as torch: minus_inf_logits_of_other_classes_a_vocabulary_mask
- reduction compared by value ("".join(...) built at runtime, not `is`): reduction_built_at_runtime
- every position ignored: "mean" is 0/0 = NaN like torch, "sum" 0, in the logits' dtype
  (float64 too: no torch.tensor(nan) literal), still connected to the logits (no fresh
  new_tensor(nan) shortcut): all_ignored
- empty batch (0 positions), float32 and float64, with and without smoothing, connected to the
  logits, cross_entropy_backward too: empty_batch
- unknown reduction (a typo, another case, None): ValueError naming it: unknown_reduction
- ignore_index outside [0, C) (a pad id = C, a large id, -1): ignore_index_outside_the_classes
- outputs on logits' device (meta stands in for a GPU): outputs_on_the_logits_device
- label smoothing over all C classes (eps/C each), with ignored targets: label_smoothing*
- stability at ±1e4, gradients vs autograd: stable_at_large_logits, gradient_*
- cross_entropy_backward = (softmax - one_hot) / positions, dtype kept (float64 to 1e-12),
  stable, no autograd: backward_*
- built-ins off limits; inputs untouched (non-contiguous too, with and without smoothing):
  writes_its_own*, non_contiguous*
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_raises, forbid,
                            non_contiguous, on_meta, unchanged)
from harness.edges import TIGHT64
from harness.failures import fail
from katas.losses.cross_entropy import cross_entropy, cross_entropy_backward

FORBIDDEN = (F.cross_entropy, F.nll_loss, torch.softmax, F.softmax, torch.Tensor.softmax,
             torch.log_softmax, F.log_softmax, torch.Tensor.log_softmax, torch.logsumexp,
             torch.Tensor.logsumexp)
FORBIDDEN_ATEN = {"_log_softmax": "a log_softmax built-in (F.cross_entropy reaches it too)",
                  "_softmax": "a softmax built-in", "logsumexp": "a logsumexp built-in",
                  "nll_loss_forward": "an nll_loss built-in", "nll_loss2d_forward": "an nll_loss built-in"}

HINT_LOSS = ("the class dim is the LAST one; per position loss = -log_softmax(logits, -1)[target], "
             "then reduce")
HINT_MEAN = ("'mean' divides the summed loss by the number of targets that are NOT ignore_index, "
             "not by all positions; ignored positions contribute 0")
HINT_SMOOTH = ("label smoothing spreads eps over ALL C classes (eps / C each, the true class "
               "included): loss = (1 - eps) * nll + eps * mean over classes of -log_p")
HINT_STABLE = ("log(softmax(x)) is -inf where a probability underflows to 0 (logits 1e4 apart); "
               "compute log_softmax as (x - max) - log(sum(exp(x - max)))")
HINT_BACKWARD = ("d mean-loss / d logits = (softmax(logits) - one_hot(target)) / number of "
                 "positions (N, or B*T); softmax over the last dim, stably")


def reference(logits, target, **kwargs):
    """F.cross_entropy with the class dim last."""
    c = logits.shape[-1]
    out = F.cross_entropy(logits.reshape(-1, c), target.reshape(-1), **kwargs)
    return out.reshape(target.shape) if kwargs.get("reduction") == "none" else out


def make(batch, c, seed, *, n_ignored=0, ignore_index=-100, dtype=torch.float32, scale=3.0):
    """Logits batch + (c,) and int64 targets batch; the first n_ignored positions (in a
    shuffled order) are set to ignore_index."""
    gen = torch.Generator().manual_seed(seed)
    logits = scale * torch.randn(*batch, c, generator=gen, dtype=dtype)
    target = torch.randint(0, c, batch, generator=gen)
    if n_ignored:
        flat = target.reshape(-1)
        flat[torch.randperm(flat.numel(), generator=gen)[:n_ignored]] = ignore_index
    return logits, target


def describe(logits, target, **kwargs):
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"cross_entropy(logits {tuple(logits.shape)}, target {tuple(target.shape)}{args})"


# ------------------------------------------------------------------------ cross_entropy

def test_default_arguments_match_torch():
    logits, target = make((7,), 5, seed=1)
    assert_close(cross_entropy(logits, target), F.cross_entropy(logits, target),
                 what=describe(logits, target) + " (defaults)", hint=HINT_LOSS)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("batch,c", [((7,), 5), ((1,), 13), ((2, 3), 2), ((3, 5), 7), ((1, 1), 3), ((4,), 1)])
def test_reductions_match_torch(batch, c, reduction):
    logits, target = make(batch, c, seed=2)
    out = cross_entropy(logits, target, reduction=reduction)
    assert_close(out, reference(logits, target, reduction=reduction),
                 what=describe(logits, target, reduction=reduction), hint=HINT_LOSS)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_dtype_follows_logits(dtype):
    logits, target = make((2, 3), 5, seed=3, dtype=dtype)
    assert_close(cross_entropy(logits, target), reference(logits, target),
                 what=describe(logits, target) + f" in {dtype}", hint=HINT_LOSS)


@pytest.mark.parametrize("batch", [(8,), (2, 5)])
def test_mean_counts_only_non_ignored_targets(batch):
    logits, target = make(batch, 5, seed=4, n_ignored=3)
    assert_close(cross_entropy(logits, target), reference(logits, target),
                 what=describe(logits, target) + " with 3 targets = -100", hint=HINT_MEAN)


def test_ignored_positions_contribute_zero():
    logits, target = make((2, 5), 4, seed=5, n_ignored=4)
    out = cross_entropy(logits, target, reduction="none")
    assert_close(out, reference(logits, target, reduction="none"),
                 what=describe(logits, target, reduction="none") + " with 4 targets = -100",
                 hint="positions whose target is ignore_index have loss 0")
    out = cross_entropy(logits, target, reduction="sum")
    assert_close(out, reference(logits, target, reduction="sum"),
                 what=describe(logits, target, reduction="sum") + " with 4 targets = -100",
                 hint="positions whose target is ignore_index have loss 0")


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_ignored_garbage_logits_give_zero(eps):
    # padding positions of a real model may hold NaN (a fully masked attention row) or -inf;
    # F.cross_entropy drops them: 0 * NaN is NaN, so a multiply by the mask leaks them
    logits, target = make((2, 3), 4, seed=22)
    logits[0, 1] = float("nan")
    logits[1, 2] = float("-inf")
    target[0, 1] = target[1, 2] = -100
    for reduction in ("none", "sum", "mean"):
        kwargs = dict(reduction=reduction, label_smoothing=eps)
        assert_close(cross_entropy(logits, target, **kwargs), reference(logits, target, **kwargs),
                     what=describe(logits, target, **kwargs) + " with NaN / -inf logits at the 2 "
                          "ignored positions",
                     hint="ignored positions are exactly 0 whatever their logits: "
                          "loss.masked_fill(~keep, 0) or torch.where(keep, loss, 0), not loss * keep "
                          "(0 * NaN is NaN)")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_minus_inf_logits_of_other_classes_a_vocabulary_mask(dtype):
    # a vocabulary mask sets the logits of banned classes to -inf; without smoothing the loss
    # reads only the target's log-probability, finite, as F.cross_entropy's; with smoothing
    # it takes every class's log-probability, so it is +inf, as torch's
    logits, target = make((2, 3), 5, seed=24, dtype=dtype)
    banned = torch.arange(5)[None, None, :] != target[..., None]  # every class but the target ...
    banned[..., :2] = False                                       # ... from class 2 on
    logits = logits.masked_fill(banned, float("-inf"))
    for reduction in ("none", "mean"):
        assert_close(cross_entropy(logits, target, reduction=reduction),
                     reference(logits, target, reduction=reduction),
                     what=describe(logits, target, reduction=reduction) + " with -inf logits on "
                          "classes other than the target",
                     hint="with label_smoothing=0 the smoothing term is absent, not 0 * sum(log_p) "
                          "(0 * -inf is NaN): add it only when label_smoothing > 0")
    smoothed = cross_entropy(logits, target, reduction="none", label_smoothing=0.1)
    rows = banned.any(-1)
    if not (torch.isinf(smoothed[rows]).all() and (smoothed[rows] > 0).all()):
        fail(describe(logits, target, reduction="none", label_smoothing=0.1) + f" with -inf logits "
             f"on other classes gave {smoothed[rows].tolist()} there; expected +inf (eps / C times "
             f"-log_p = +inf), as F.cross_entropy gives",
             "the smoothing term -(eps / C) * sum_c log_p[c] is +inf when a log_p is -inf; do not "
             "mask or clamp it")


def test_reduction_built_at_runtime():
    # a reduction read from a config is an equal string, not the same object as the literal
    logits, target = make((2, 3), 4, seed=23)
    for name in ("mean", "sum", "none"):
        runtime = "".join(list(name))
        assert_close(cross_entropy(logits, target, reduction=runtime),
                     reference(logits, target, reduction=name),
                     what=describe(logits, target, reduction=name) + " (a string built at runtime)",
                     hint="compare strings with ==, not `is` (identity holds only for interned "
                          "literals)")


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_custom_ignore_index(reduction):
    logits, target = make((3, 4), 6, seed=6, n_ignored=5, ignore_index=0)  # 0 as the pad id
    out = cross_entropy(logits, target, ignore_index=0, reduction=reduction)
    assert_close(out, reference(logits, target, ignore_index=0, reduction=reduction),
                 what=describe(logits, target, ignore_index=0, reduction=reduction),
                 hint="ignore_index may be a real class id such as 0 (padding); " + HINT_MEAN)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_custom_ignore_index_with_smoothing(reduction):
    logits, target = make((2, 5), 4, seed=16, n_ignored=4, ignore_index=3)  # a real class id
    out = cross_entropy(logits, target, ignore_index=3, reduction=reduction, label_smoothing=0.25)
    assert_close(out, reference(logits, target, ignore_index=3, reduction=reduction,
                                label_smoothing=0.25),
                 what=describe(logits, target, ignore_index=3, reduction=reduction,
                               label_smoothing=0.25),
                 hint="positions whose target equals ignore_index (here the class 3) drop out of "
                      "both terms and the count; test target != ignore_index, not target >= 0")


HINT_LITERAL = ("a special case returning torch.tensor(nan) or torch.tensor(0.0) is float32 on "
                "the CPU (and logits.new_tensor(...) is cut from the graph): no special case is "
                "needed, loss.sum() / count gives both")


def assert_nan_scalar(out, logits, what, hint):
    assert isinstance(out, torch.Tensor) and out.dim() == 0 and bool(out.isnan()), (
        f"{what}: got {out!r}; the contract (like F.cross_entropy) divides the sum 0 by the "
        f"count 0 of non-ignored targets, which is NaN; hint: {hint}")
    if out.dtype != logits.dtype:
        fail(f"{what}: NaN of dtype {out.dtype}, expected {logits.dtype} (the logits' dtype)",
             HINT_LITERAL)
    assert_in_graph(out, logits, what)


def assert_in_graph(out, logits, what):
    """A loss of logits that require grad is connected to them, special cases included."""
    if logits.requires_grad and not out.requires_grad:
        fail(f"{what}, logits requiring grad: the result is cut from the logits (requires_grad "
             "is False), so loss.backward() on a fully padded or empty batch fails",
             "no special case returning a fresh tensor (logits.new_tensor(nan), new_zeros, "
             "new_empty): compute it from the logits like any other batch (loss.sum() / count)")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("batch", [(5,), (2, 3)])
def test_all_ignored(batch, dtype):
    logits, target = make(batch, 4, seed=17, dtype=dtype)
    logits.requires_grad_()  # a fully padded batch still backpropagates (zero/NaN grads)
    target = torch.full_like(target, -100)
    what = describe(logits, target) + f" in {dtype} with every target = -100"
    for eps in (0.0, 0.1):
        out = cross_entropy(logits, target, label_smoothing=eps)
        assert_nan_scalar(out, logits, f"{what}, label_smoothing={eps}",
                          "do not clamp the count to 1 or special-case it to 0")
        total = cross_entropy(logits, target, reduction="sum", label_smoothing=eps)
        assert_in_graph(total, logits, what + ", reduction='sum'")
        assert_close(total, reference(logits, target, reduction="sum"), what=what + ", reduction='sum'")
        assert_close(cross_entropy(logits, target, reduction="none", label_smoothing=eps),
                     reference(logits, target, reduction="none"), what=what + ", reduction='none'")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
def test_empty_batch(shape, dtype):
    logits = torch.zeros(*shape, 5, dtype=dtype, requires_grad=True)
    target = torch.zeros(shape, dtype=torch.long)
    for reduction in ("sum", "none"):
        for eps in (0.0, 0.1):  # smoothing too: its term may flatten with a -1 of its own
            kwargs = dict(reduction=reduction, label_smoothing=eps)
            out = cross_entropy(logits, target, **kwargs)
            assert_in_graph(out, logits, describe(logits, target, **kwargs) + f" in {dtype}")
            assert_close(out, reference(logits, target, **kwargs),
                         what=describe(logits, target, **kwargs) + f" in {dtype}",
                         hint="no positions: 'sum' is 0 and 'none' an empty tensor of target's "
                              "shape, both in the logits' dtype; a reshape(n, -1) cannot infer "
                              "-1 from 0 elements (spell out C); " + HINT_LITERAL)
    assert_nan_scalar(cross_entropy(logits, target), logits, describe(logits, target) + f" in {dtype}",
                      "'mean' over 0 positions is 0 / 0 = NaN, like F.cross_entropy")
    grad = cross_entropy_backward(logits.detach(), target)
    assert_close(grad, torch.zeros_like(logits),
                 what=f"cross_entropy_backward(logits of shape {tuple(logits.shape)}, target) in {dtype}",
                 hint="no positions: an empty gradient of logits' shape and dtype (a guard against "
                      "dividing by 0 positions returns torch.zeros_like(logits), not "
                      "torch.zeros(logits.shape))")


@pytest.mark.parametrize("reduction", ["average", "Sum", "MEAN", None])
def test_unknown_reduction(reduction):
    logits, target = make((3,), 4, seed=18)
    assert_raises(ValueError, cross_entropy, logits, target, reduction=reduction,
                  contract="reduction is exactly 'mean', 'sum' or 'none' (case matters, like "
                           "F.cross_entropy); anything else raises ValueError naming it",
                  mentions=(str(reduction),),
                  what=f"cross_entropy(logits, target, reduction={reduction!r})",
                  hint="compare reduction with the three names as given: no .lower(), and None "
                       "is not 'none'")


@pytest.mark.parametrize("ignore_index", [6, 1000, -1])
@pytest.mark.parametrize("eps", [0.0, 0.2])
def test_ignore_index_outside_the_classes(ignore_index, eps):
    # a pad id equal to C (appended after the vocabulary) or any id past it is a valid
    # ignore_index: it is never looked up as a class
    logits, target = make((2, 5), 6, seed=21, n_ignored=4, ignore_index=ignore_index)
    for reduction in ("mean", "sum", "none"):
        kwargs = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=eps)
        assert_close(cross_entropy(logits, target, **kwargs), reference(logits, target, **kwargs),
                     what=describe(logits, target, **kwargs) + " (ignore_index not a class id)",
                     hint="replace the ignored targets by a valid class before gather / one_hot "
                          "(torch.where(keep, target, 0)); target.clamp(min=0) only fixes negative "
                          "pad ids, an index >= C is out of range")


@pytest.mark.parametrize("eps", [0.0, 0.3])
def test_float64_to_1e12(eps):
    logits, target = make((3, 4), 6, seed=19, dtype=torch.float64, n_ignored=2)
    for reduction in ("mean", "sum", "none"):
        out = cross_entropy(logits, target, reduction=reduction, label_smoothing=eps)
        assert_close(out, reference(logits, target, reduction=reduction, label_smoothing=eps),
                     what=describe(logits, target, reduction=reduction, label_smoothing=eps)
                     + " in float64, to 1e-12", **TIGHT64,
                     hint="float64 logits are computed in float64: no .float() and no float32 "
                          "helper tensors")


@pytest.mark.parametrize("eps", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("c", [2, 5])
def test_label_smoothing(eps, c):
    logits, target = make((3, 4), c, seed=7)
    for reduction in ("mean", "none"):
        out = cross_entropy(logits, target, label_smoothing=eps, reduction=reduction)
        assert_close(out, reference(logits, target, label_smoothing=eps, reduction=reduction),
                     what=describe(logits, target, label_smoothing=eps, reduction=reduction),
                     hint=HINT_SMOOTH)


def test_label_smoothing_with_ignored_targets():
    logits, target = make((9,), 4, seed=8, n_ignored=3)
    for reduction in ("mean", "sum", "none"):
        out = cross_entropy(logits, target, label_smoothing=0.2, reduction=reduction)
        assert_close(out, reference(logits, target, label_smoothing=0.2, reduction=reduction),
                     what=describe(logits, target, label_smoothing=0.2, reduction=reduction)
                     + " with 3 targets = -100",
                     hint="ignored positions get no smoothing term either; " + HINT_MEAN)


@given(three_d=st.booleans(), n=st.integers(1, 6), c=st.integers(1, 7),
       eps=st.sampled_from([0.0, 0.05, 0.3, 1.0]), ignore_p=st.sampled_from([0.0, 0.3, 0.8]),
       reduction=st.sampled_from(["mean", "sum", "none"]), seed=st.integers(0, 2**31 - 1))
def test_matches_torch_property(three_d, n, c, eps, ignore_p, reduction, seed):
    gen = torch.Generator().manual_seed(seed)
    batch = (2, n) if three_d else (n,)
    logits = 4 * torch.randn(*batch, c, generator=gen)
    target = torch.randint(0, c, batch, generator=gen)
    drop = torch.rand(batch, generator=gen) < ignore_p
    drop.view(-1)[0] = False  # at least one target counts, so 'mean' is defined
    target = target.masked_fill(drop, -100)
    out = cross_entropy(logits, target, reduction=reduction, label_smoothing=eps)
    assert_close(out, reference(logits, target, reduction=reduction, label_smoothing=eps),
                 what=describe(logits, target, reduction=reduction, label_smoothing=eps)
                 + f" with {int(drop.sum())} ignored",
                 hint=f"{HINT_LOSS}. {HINT_MEAN}. {HINT_SMOOTH}")


# ------------------------------------------------------------------------ stability

# At |x| ~ 1e4 one float32 ulp is ~1e-3: logsumexp(x) - x[target] (a correct form) carries that
# rounding, so losses at such logits are compared with an absolute tolerance of 4 ulps of 1e4
# (4.8e-3); log(softmax) gives inf there.
ATOL_1E4 = 4 * 1e4 * torch.finfo(torch.float32).eps
EXTREME = torch.tensor([[1e4, -1e4, 0.0],
                        [-1e4, 1e4, 1e4],
                        [1e4, 1e4 - 1, -1e4],
                        [-1e4, -1e4, -1e4]])
EXTREME_TARGET = torch.tensor([1, 0, 2, 2])


@pytest.mark.parametrize("eps", [0.0, 0.1])
@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_stable_at_large_logits(reduction, eps):
    out = cross_entropy(EXTREME, EXTREME_TARGET, reduction=reduction, label_smoothing=eps)
    assert_close(out, reference(EXTREME, EXTREME_TARGET, reduction=reduction, label_smoothing=eps),
                 what=f"cross_entropy(logits of ±1e4, target, reduction={reduction!r}, "
                      f"label_smoothing={eps})", atol=ATOL_1E4, hint=HINT_STABLE)


def test_gradient_at_large_logits_matches_autograd():
    assert_grads_match(lambda x: cross_entropy(x, EXTREME_TARGET, label_smoothing=0.1),
                       lambda x: reference(x, EXTREME_TARGET, label_smoothing=0.1), EXTREME,
                       what="cross_entropy(logits of ±1e4, target, label_smoothing=0.1)",
                       hint=HINT_STABLE)


@pytest.mark.parametrize("batch", [(6,), (2, 3)])
def test_gradient_matches_autograd(batch):
    logits, target = make(batch, 5, seed=9, n_ignored=2)
    assert_grads_match(lambda x: cross_entropy(x, target, label_smoothing=0.2),
                       lambda x: reference(x, target, label_smoothing=0.2), logits,
                       what=describe(logits, target, label_smoothing=0.2) + " with 2 ignored",
                       hint=f"{HINT_MEAN}. {HINT_SMOOTH}")


# ------------------------------------------------------------------------ inputs

def test_non_contiguous_inputs_are_left_alone():
    logits, target = make((3, 4), 5, seed=10, n_ignored=2)
    logits, target = non_contiguous(logits), non_contiguous(target)
    with unchanged(logits, target, names=["logits", "target"]):
        # both smoothing values: a separate label_smoothing == 0 path may flatten with .view
        outs = {eps: cross_entropy(logits, target, label_smoothing=eps, reduction="none")
                for eps in (0.0, 0.1)}
        grad = cross_entropy_backward(logits, target.clamp(min=0))
    for eps, out in outs.items():
        assert_close(out, reference(logits.contiguous(), target.contiguous(), label_smoothing=eps,
                                    reduction="none"),
                     what=f"cross_entropy(non-contiguous logits and target, label_smoothing={eps}, "
                          "reduction='none')",
                     hint=HINT_LOSS + "; flatten with .reshape (or gather along the last dim), never "
                                      ".view: a transposed batch cannot be viewed")
    x = logits.detach().clone().requires_grad_()
    reference(x, target.clamp(min=0)).backward()
    assert_close(grad, x.grad, what="cross_entropy_backward(non-contiguous logits and target)",
                 hint=HINT_BACKWARD)


HINT_DEVICE = ("the result lives on logits.device: make every helper tensor (an arange, a one-hot, a "
               "zeros/full) with device=logits.device, or with *_like(logits)")


def test_outputs_on_the_logits_device():
    logits = torch.empty(2, 3, 5, device="meta")
    target = torch.empty(2, 3, dtype=torch.long, device="meta")
    for reduction, shape in (("none", (2, 3)), ("sum", ()), ("mean", ())):
        for eps in (0.0, 0.1):
            what = (f"cross_entropy(logits (2, 3, 5) on meta, target, reduction={reduction!r}, "
                    f"label_smoothing={eps})")
            out = on_meta(cross_entropy, logits, target, reduction=reduction,
                          label_smoothing=eps, what=what, hint=HINT_DEVICE)
            if out is not None and (out.device != logits.device or tuple(out.shape) != shape):
                fail(f"{what} gave {tuple(out.shape)} on {out.device}; expected {shape} on meta",
                     "build every helper tensor on logits.device")
    what = "cross_entropy_backward(logits (2, 3, 5) on meta, target)"
    grad = on_meta(lambda: cross_entropy_backward(logits, target), what=what, hint=HINT_DEVICE)
    if grad is not None and (grad.device != logits.device or grad.shape != logits.shape):
        fail(f"{what} gave {tuple(grad.shape)} on {grad.device}; expected (2, 3, 5) on meta",
             "torch.arange(C, device=logits.device) for the one-hot")


def test_writes_its_own_cross_entropy():
    logits, target = make((2, 3), 4, seed=11, n_ignored=1)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        cross_entropy(logits, target)
        cross_entropy(logits, target, reduction="none", label_smoothing=0.1)


# ------------------------------------------------------------------------ cross_entropy_backward

def autograd_grad(logits, target):
    x = logits.detach().clone().requires_grad_()
    reference(x, target).backward()
    return x.grad


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("batch,c", [((7,), 5), ((1,), 3), ((2, 3), 13), ((4,), 1)])
def test_backward_matches_autograd(batch, c, dtype):
    logits, target = make(batch, c, seed=12, dtype=dtype)
    grad = cross_entropy_backward(logits.detach(), target)
    assert_close(grad, autograd_grad(logits, target),
                 what=f"cross_entropy_backward(logits {tuple(logits.shape)}, target {tuple(target.shape)})",
                 hint=HINT_BACKWARD)


def test_backward_float64_to_1e12():
    logits, target = make((2, 5), 7, seed=20, dtype=torch.float64)
    grad = cross_entropy_backward(logits.detach(), target)
    assert_close(grad, autograd_grad(logits, target), **TIGHT64,
                 what="cross_entropy_backward(float64 logits (2, 5, 7), target) to 1e-12",
                 hint="stay in float64: a one-hot or count built in float32 rounds the result")


def test_backward_is_stable_at_large_logits():
    grad = cross_entropy_backward(EXTREME, EXTREME_TARGET)
    # exp(x - logsumexp(x)) is a correct softmax that carries logsumexp's float32 rounding at
    # 1e4 (see ATOL_1E4); overflow, what this catches, gives NaN
    assert_close(grad, autograd_grad(EXTREME, EXTREME_TARGET), atol=ATOL_1E4,
                 what="cross_entropy_backward(logits of ±1e4, target)",
                 hint="subtract the row max before exp; " + HINT_BACKWARD)


def test_backward_writes_its_own():
    logits, target = make((2, 3), 4, seed=13)
    with forbid(*FORBIDDEN, torch.Tensor.backward, "torch.autograd.grad", aten=FORBIDDEN_ATEN):
        cross_entropy_backward(logits, target)
