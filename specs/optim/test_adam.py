"""Specs for katas/optim/adam.py (day 11): Adam and AdamW vs torch.optim step for step,
clip_grad_norm_ vs torch.nn.utils.clip_grad_norm_, and cosine_schedule vs its formula.

Trajectories run in float64 on a small seeded MLP and compare every parameter after every
step with rtol=1e-6, atol=1e-9: a different (correct) order of the same float64 operations
drifts by ~1e-13 over 50 steps, while every catalogued mistake is off by > 1e-5.

Contract-to-spec map:
- Adam/AdamW subclass Optimizer, update rule step for step (bias correction, eps outside the
  sqrt, L2 vs decoupled decay), defaults, groups, lr read each step, skipped params (no
  update and no state), state_dict round trip: are_torch_optimizers, *_by_hand, matches_torch_*, param_groups..., lr_changed...,
  parameters_without_grad..., state_dict_round_trip..., any_options_match_torch (hypothesis)
- a group's explicit 0.0 (weight_decay=0.0 no-decay group, lr=0.0) is not replaced by the
  defaults: param_groups_with_their_own_options[explicit zeros]; a group added later with
  add_param_group is updated: param_group_added_later_is_updated
- "t counts this parameter's steps" (a parameter whose first gradient comes late):
  late_parameter_counts_its_own_steps
- eps=0.0 is explicit, not the default: eps_zero_is_not_the_default; eps used as the float
  it is (not a float32 tensor in a float64 update): large_eps_by_hand (rtol=1e-12)
- "p.grad is not None" is the only skip: an all-zero gradient still steps (momentum moves p):
  zero_gradient_still_steps
- closure called once with grad enabled, its result returned; None otherwise: closure_*
- any shape/dtype (float16/bfloat16), in place (storage kept), p.grad untouched:
  odd_shapes..., half_precision_parameters, updates_in_place, grads_are_left_untouched
- "m and v have the parameter's shape and dtype" (half moments stay half):
  half_precision_moments_keep_the_dtype
- state keyed by the parameter: a checkpoint resumes in a fresh model (not id(p)):
  checkpoint_resumes_in_a_fresh_model
- state, updates and the clip norm on the parameters' device (meta stands in for a GPU):
  on_the_parameters_device
- clip_grad_norm_: torch's total norm for every norm_type, coefficient min(max/(n+1e-6), 1),
  generator read once, single tensor, None grads, strided grads: clip_grad_norm_*
- inf-norm of all-negative gradients (|g|, not g.max()), max_norm=0.0 explicit:
  clip_grad_norm_inf_norm_of_negative_gradients, clip_grad_norm_max_norm_zero_zeroes_the_gradients
- clip_coef applied whatever the norm (< 1 at total = max_norm and just under it, the 1e-6):
  clip_grad_norm_coefficient_applies_at_and_under_the_max
- clip scales the gradients IN PLACE (same .grad tensors): clip_grad_norm_scales_in_place
- returns a 0-d tensor of the gradients' dtype (bfloat16, float64, float16), 0 when no gradient; the
  coefficient in that dtype too (no float32 coef for float64 grads); float16 gradients of ~300
  (no norm summed as sum(g ** 2) in float16: inf): clip_grad_norm_dtype, clip_grad_norm_no_gradients
- cosine_schedule -> float (a Python float, not a tensor; also for an int min_lr after total):
  landmarks, decays_over_total_minus_warmup, formula (hypothesis)
"""

import copy
import math

import pytest
import torch
from hypothesis import given, strategies as st
from torch import nn

from harness.checks import assert_close, forbid, non_contiguous, on_meta, unchanged
from harness.edges import HALF_DTYPES, assert_exact_type, tolerance
from harness.failures import fail
from katas.optim.adam import Adam, AdamW, clip_grad_norm_, cosine_schedule

TOL64 = dict(rtol=1e-6, atol=1e-9)

FORBIDDEN_OPTIM = ("torch.optim.adam.adam", "torch.optim.adamw.adamw",
                   "torch.optim._functional.adam", "torch.optim._functional.adamw",
                   "torch.optim.adam._single_tensor_adam", "torch.optim.adam._multi_tensor_adam",
                   "torch.optim.adam._fused_adam")
FORBIDDEN_OPTIM_ATEN = {"_fused_adam_": "torch._fused_adam_ (the fused Adam kernel)",
                        "_fused_adam": "torch._fused_adam_ (the fused Adam kernel)",
                        "_fused_adamw_": "torch._fused_adamw_ (the fused AdamW kernel)",
                        "_fused_adamw": "torch._fused_adamw_ (the fused AdamW kernel)"}
FORBIDDEN_CLIP = ("torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_norm",
                  "torch.nn.utils.get_total_norm", "torch.nn.utils.clip_grads_with_norm_",
                  "torch.nn.utils.clip_grad._get_total_norm",
                  "torch.nn.utils.clip_grad._clip_grads_with_norm_")

HINT_ADAM = ("m = b1·m + (1−b1)·g; v = b2·v + (1−b2)·g²; p -= lr·m̂/(√v̂ + eps) with "
             "m̂ = m/(1−b1^t), v̂ = v/(1−b2^t) and t counting from 1")
HINT_BIAS = ("divide m by (1 − b1^t) and v by (1 − b2^t), with t = 1 on the first step; with "
             "the correction step 1 moves every weight by about lr against its gradient, without "
             "it by 0.1/√0.001 ≈ 3.2·lr (defaults)")
HINT_EPS = ("eps goes outside the square root: √v̂ + eps, not √(v̂ + eps) — the difference "
            "shows when gradients are small")
HINT_L2 = ("Adam folds weight decay into the gradient (g + weight_decay·p, so it passes through "
           "m and v); AdamW instead shrinks the parameter, p·(1 − lr·weight_decay), and leaves g alone")
HINT_DECOUPLED = ("AdamW decays the parameter directly, p = p·(1 − lr·weight_decay), before the "
                  "Adam update; adding weight_decay·p to the gradient is Adam's L2, not AdamW")


# ------------------------------------------------------------------------------ helpers

def make_model(seed: int = 0, dtype: torch.dtype = torch.float64, extra_unused: bool = False) -> nn.Module:
    """A small MLP (5 -> 7 -> 3, tanh) with seeded weights."""
    gen = torch.Generator().manual_seed(seed)
    layers = [nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)]
    if extra_unused:
        layers.append(nn.Linear(3, 2))  # registered but never used: its grads stay None
    model = nn.Sequential(*layers).to(dtype)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=dtype) * 0.5)
    return model


def make_data(seed: int = 0, dtype: torch.dtype = torch.float64):
    gen = torch.Generator().manual_seed(seed + 1000)
    return torch.randn(16, 5, generator=gen, dtype=dtype), torch.randn(16, 3, generator=gen, dtype=dtype)


def forward_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    out = model[2](model[1](model[0](x)))  # skips the unused layer when there is one
    return ((out - y) ** 2).mean() * scale


def train(model: nn.Module, optimizer, x: torch.Tensor, y: torch.Tensor, steps: int) -> None:
    """`steps` full-batch steps of model on (x, y) with optimizer."""
    for _ in range(steps):
        optimizer.zero_grad()
        forward_loss(model, x, y).backward()
        optimizer.step()


def run_pair(make_mine, make_ref, *, steps: int = 50, seed: int = 0, dtype=torch.float64,
             what: str, hint: str, tol=None, extra_unused: bool = False, before_step=None,
             loss_scale: float = 1.0):
    """Train two copies of one model, one with the learner's optimizer and one with torch's;
    compare every parameter after every step."""
    model = make_model(seed, dtype, extra_unused)
    opt = make_mine(model)  # the learner's code first: a stub fails here, before any other work
    ref_model = copy.deepcopy(model)
    ref = make_ref(ref_model)
    x, y = make_data(seed, dtype)
    tol = TOL64 if tol is None and dtype == torch.float64 else (tol or {})
    for t in range(1, steps + 1):
        if before_step is not None:
            before_step(t, opt, ref)
        for m, o in ((model, opt), (ref_model, ref)):
            o.zero_grad()
            forward_loss(m, x, y, loss_scale).backward()
        opt.step()
        ref.step()
        for (name, p), r in zip(model.named_parameters(), ref_model.parameters()):
            assert_close(p, r, what=f"{what}: parameter {name!r} after step {t}", hint=hint, **tol)
    return model, ref_model


def _args(options: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in options.items())


MINE = {"Adam": Adam, "AdamW": AdamW}
TORCH = {"Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}


# ------------------------------------------------------------------------------ the classes

@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_are_torch_optimizers(name):
    opt = MINE[name](make_model().parameters())
    assert isinstance(opt, torch.optim.Optimizer), (
        f"{name} must subclass torch.optim.Optimizer (zero_grad, param_groups, state_dict come from it)")
    assert not isinstance(opt, torch.optim.Adam), (
        f"{name} subclasses torch.optim.Adam/AdamW: this kata asks you to write the update "
        "yourself; subclass torch.optim.Optimizer instead")


# ------------------------------------------------------------------------------ by hand

# Gradients of size >= 0.3: with eps=1e-8 where eps goes cannot show here (only in
# test_large_eps_by_hand), so each by-hand test fails for its own mistake.
G1 = torch.tensor([0.3, -0.5, 2.0, -1.0], dtype=torch.float64)
G2 = torch.tensor([-0.5, 0.4, 1.0, 0.7], dtype=torch.float64)
P0 = torch.tensor([1.0, -2.0, 0.5, 0.25], dtype=torch.float64)


def _two_steps(opt_factory):
    """Two steps on one parameter P0 with the gradients G1 then G2; returns p after each."""
    p = nn.Parameter(P0.clone())
    opt = opt_factory([p])
    after = []
    for g in (G1, G2):
        p.grad = g.clone()
        opt.step()
        after.append(p.detach().clone())
    return after


def _adam_by_hand(lr, b1, b2, eps, weight_decay=0.0, decoupled=False):
    p, m, v, out = P0.clone(), torch.zeros_like(P0), torch.zeros_like(P0), []
    for t, g in enumerate((G1, G2), start=1):
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (v_hat.sqrt() + eps)
        out.append(p)
    return out


def test_adam_first_steps_by_hand_are_bias_corrected():
    after = _two_steps(lambda ps: Adam(ps, lr=0.1))
    expected = _adam_by_hand(0.1, 0.9, 0.999, 1e-8)
    # Step 1 with bias correction: m̂/√v̂ = g/|g|, so every weight moves by lr against its gradient.
    assert_close(after[0], expected[0], what="p after 1 step of Adam([p], lr=0.1)", hint=HINT_BIAS)
    assert_close(after[1], expected[1], what="p after 2 steps of Adam([p], lr=0.1)", hint=HINT_BIAS)


def test_adamw_decay_by_hand_is_decoupled():
    after = _two_steps(lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5))
    expected = _adam_by_hand(0.1, 0.9, 0.999, 1e-8, weight_decay=0.5, decoupled=True)
    for t in range(2):
        assert_close(after[t], expected[t], what=f"p after {t + 1} step(s) of AdamW([p], lr=0.1, weight_decay=0.5)",
                     hint=HINT_DECOUPLED)


def test_adam_weight_decay_by_hand_is_l2():
    after = _two_steps(lambda ps: Adam(ps, lr=0.1, weight_decay=0.5))
    expected = _adam_by_hand(0.1, 0.9, 0.999, 1e-8, weight_decay=0.5, decoupled=False)
    for t in range(2):
        assert_close(after[t], expected[t], what=f"p after {t + 1} step(s) of Adam([p], lr=0.1, weight_decay=0.5)",
                     hint=HINT_L2)


def test_large_eps_by_hand():
    # rtol=1e-12 in float64: an eps kept as a float32 tensor (torch.tensor(0.1) is 0.10000000149)
    # moves p by ~1e-10, while any order of the same float64 operations stays within ~1e-15.
    after = _two_steps(lambda ps: Adam(ps, lr=0.1, betas=(0.5, 0.9), eps=0.1))
    expected = _adam_by_hand(0.1, 0.5, 0.9, 0.1)
    for t in range(2):
        assert_close(after[t], expected[t], what=f"p after {t + 1} step(s) of Adam([p], lr=0.1, betas=(0.5, 0.9), eps=0.1)",
                     rtol=1e-12, atol=1e-15,
                     hint=HINT_EPS + "; in float64, use eps as the Python float it is (a float32 "
                          "torch.tensor(eps) is off by ~1e-9)")


def test_adam_with_default_options_matches_torch():
    run_pair(lambda m: Adam(m.parameters()), lambda m: torch.optim.Adam(m.parameters()),
             what="Adam(params) (defaults lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)",
             hint=HINT_ADAM)


def test_adamw_with_default_options_matches_torch():
    run_pair(lambda m: AdamW(m.parameters()), lambda m: torch.optim.AdamW(m.parameters()),
             what="AdamW(params) (defaults lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)",
             hint=HINT_DECOUPLED + "; AdamW's default weight_decay is 1e-2")


VARIANTS = {
    "lr": (dict(lr=1e-2), HINT_BIAS),
    "betas": (dict(lr=1e-2, betas=(0.8, 0.99)), HINT_BIAS),
    "weight_decay": (dict(lr=1e-2, weight_decay=0.1), None),
    "eps": (dict(lr=1e-2, eps=1e-3), HINT_EPS),
    "everything": (dict(lr=3e-2, betas=(0.85, 0.95), eps=1e-6, weight_decay=0.05), None),
}


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_matches_torch_step_for_step_over_50_steps(name, variant):
    options, hint = VARIANTS[variant]
    if hint is None:
        hint = HINT_L2 if name == "Adam" else HINT_DECOUPLED
    run_pair(lambda m: MINE[name](m.parameters(), **options),
             lambda m: TORCH[name](m.parameters(), **options),
             what=f"{name}(params, {_args(options)})", hint=hint)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_small_gradients_show_where_eps_goes(name):
    # The loss is scaled by 1e-6, so gradients are ~1e-6 and √v̂ is comparable to eps=1e-8.
    run_pair(lambda m: MINE[name](m.parameters(), lr=1e-2),
             lambda m: TORCH[name](m.parameters(), lr=1e-2), steps=20, loss_scale=1e-6,
             what=f"{name}(params, lr=1e-2) with gradients of ~1e-6", hint=HINT_EPS)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_eps_zero_is_not_the_default(name):
    # gradients of ~1e-6: √v̂ ~ 1e-6, so an eps of 1e-8 slipped in for the explicit 0.0 moves
    # every update by ~1%
    run_pair(lambda m: MINE[name](m.parameters(), lr=1e-2, eps=0.0),
             lambda m: TORCH[name](m.parameters(), lr=1e-2, eps=0.0), steps=5, loss_scale=1e-6,
             what=f"{name}(params, lr=1e-2, eps=0.0) with gradients of ~1e-6",
             hint="eps=0.0 is an explicit value: `group['eps'] or 1e-8` (or `if not eps`) "
                  "replaces it with the default; read the group's options as they are")


def test_float32_model_matches_torch():
    # float32: default tolerances (rtol=1e-4, atol=1e-5); 50 steps drift by ~1e-6.
    run_pair(lambda m: AdamW(m.parameters(), lr=1e-2, weight_decay=0.1),
             lambda m: torch.optim.AdamW(m.parameters(), lr=1e-2, weight_decay=0.1),
             dtype=torch.float32, what="AdamW(float32 params, lr=1e-2, weight_decay=0.1)",
             hint=HINT_ADAM, tol={})


# ------------------------------------------------------------------------------ groups, lr

GROUP_CASES = {
    "own options": ([dict(layer=0, lr=0.02, betas=(0.8, 0.9)), dict(layer=2, weight_decay=0.2, eps=1e-4)],
                    dict(lr=0.05), 30),
    # a no-decay group (biases, norms) and a frozen lr=0 group next to non-zero defaults:
    # `group["weight_decay"] or default` / `group["lr"] or default` bring the defaults back
    "explicit zeros": ([dict(layer=0, weight_decay=0.0), dict(layer=2, lr=0.0)],
                       dict(lr=0.05, weight_decay=0.1), 3),
}


@pytest.mark.parametrize("case", list(GROUP_CASES))
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_param_groups_with_their_own_options(name, case):
    specs, defaults, steps = GROUP_CASES[case]

    def groups(m, cls):
        return cls([{"params": m[g["layer"]].parameters(), **{k: v for k, v in g.items() if k != "layer"}}
                    for g in specs], **defaults)
    shown = ", ".join("{layer %d%s}" % (g["layer"], "".join(f", {k}={v}" for k, v in g.items() if k != "layer"))
                      for g in specs)
    run_pair(lambda m: groups(m, MINE[name]), lambda m: groups(m, TORCH[name]), steps=steps,
             what=f"{name}([{shown}], {_args(defaults)})",
             hint="each group uses its own options, 0.0 included (a no-decay or lr=0 group is set "
                  "on purpose); a group's missing options come from the constructor's defaults "
                  "(read them as group[...] inside step, never `group[...] or default`)")


def test_lr_changed_between_steps_is_used():
    def schedule(t, opt, ref):
        for o in (opt, ref):
            for group in o.param_groups:
                group["lr"] = 0.05 / t
    run_pair(lambda m: AdamW(m.parameters(), lr=0.05, weight_decay=0.1),
             lambda m: torch.optim.AdamW(m.parameters(), lr=0.05, weight_decay=0.1),
             steps=20, before_step=schedule,
             what="AdamW with param_groups[0]['lr'] set to 0.05/t before step t",
             hint="read lr from the param group at every step (schedulers change it there), "
                  "do not keep a copy from __init__; the decay uses the current lr too")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_param_group_added_later_is_updated(name):
    # fine-tuning unfreezes a layer mid-run with add_param_group: step walks self.param_groups
    # as they are now, not a list of parameters or groups taken in __init__
    models = {}

    def make(cls, key):
        def build(m):
            models[key] = m
            return cls(m[0].parameters(), lr=0.05)
        return build

    def unfreeze(t, opt, ref_opt):
        if t == 3:
            opt.add_param_group({"params": list(models["mine"][2].parameters()), "lr": 0.02})
            ref_opt.add_param_group({"params": list(models["ref"][2].parameters()), "lr": 0.02})

    run_pair(make(MINE[name], "mine"), make(TORCH[name], "ref"), steps=5, before_step=unfreeze,
             what=f"{name}(layer 0, lr=0.05), layer 2 added with add_param_group(lr=0.02) before step 3",
             hint="iterate self.param_groups inside step (add_param_group appends to it); a list "
                  "of parameters or groups copied in __init__ never sees the new group")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_parameters_without_grad_are_skipped(name):
    made = []

    def mine(m):
        made.append(MINE[name](m.parameters(), lr=1e-2, weight_decay=0.1))
        return made[-1]

    what = f"{name}(params incl. a layer that gets no gradient, lr=1e-2, weight_decay=0.1)"
    model, _ = run_pair(
        mine, lambda m: TORCH[name](m.parameters(), lr=1e-2, weight_decay=0.1),
        steps=5, extra_unused=True, what=what,
        hint="a parameter whose .grad is None is skipped entirely: no decay, no state, no step")
    assert model[3].weight.grad is None
    # no state either: m and v for a frozen part of a model (a fine-tuned backbone) would
    # double its memory for nothing
    stateful = [n for n, p in model[3].named_parameters() if made[0].state.get(p)]
    if stateful:
        fail(f"{what}: after 5 steps the optimizer holds state for the unused layer's {stateful}, "
             "which never had a gradient",
             "create a parameter's t, m and v lazily, in step, the first time its .grad is not "
             "None (not for every parameter in __init__)")


# ------------------------------------------------------------------------------ shapes, dtypes

@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_odd_shapes_and_non_contiguous_parameters(name):
    gen = torch.Generator().manual_seed(3)
    shapes = [(), (1,), (2, 3, 5), (7, 1)]
    start = [torch.randn(s, generator=gen) for s in shapes]
    mine = [nn.Parameter(t.clone()) for t in start]
    mine[2] = nn.Parameter(non_contiguous(start[2]))
    theirs = [nn.Parameter(t.clone()) for t in start]
    opt = MINE[name](mine, lr=0.05, weight_decay=0.1)
    ref = TORCH[name](theirs, lr=0.05, weight_decay=0.1)

    def loss(ps):
        return sum(((p.sin() + 0.5 * p ** 2) * (i + 1)).sum() for i, p in enumerate(ps))

    for t in range(1, 11):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad()
            loss(ps).backward()
        opt.step()
        ref.step()
        for s, p, r in zip(shapes, mine, theirs):
            assert_close(p.detach(), r.detach(), what=f"{name}: float32 parameter of shape {s} after step {t}",
                         hint="update each parameter in place, whatever its shape (0-d included); "
                              "m and v have the parameter's shape")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_grads_are_left_untouched(name):
    model = make_model()
    x, y = make_data()
    opt = MINE[name](model.parameters(), lr=1e-2, weight_decay=0.1)
    for _ in range(2):
        opt.zero_grad()
        forward_loss(model, x, y).backward()
        grads = [p.grad for p in model.parameters()]
        with unchanged(*grads, names=[f"{n}.grad" for n, _ in model.named_parameters()],
                       hint="compute g = p.grad + weight_decay·p as a new tensor; p.grad.add_(...) "
                            "corrupts gradients that are accumulated, clipped or logged"):
            opt.step()


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_state_dict_round_trip_resumes_the_same_trajectory(name):
    model = make_model()
    ref_model = copy.deepcopy(model)
    x, y = make_data()
    options = dict(lr=1e-2, weight_decay=0.05)
    opt = MINE[name](model.parameters(), **options)
    ref = TORCH[name](ref_model.parameters(), **options)

    train(model, opt, x, y, 5)
    resumed = MINE[name](model.parameters(), **options)
    resumed.load_state_dict(opt.state_dict())
    train(model, resumed, x, y, 5)
    train(ref_model, ref, x, y, 10)
    for (pname, p), r in zip(model.named_parameters(), ref_model.parameters()):
        assert_close(p, r, what=f"{name}: parameter {pname!r} after 5 steps, state_dict round trip, 5 more",
                     hint="keep t, m and v in self.state[p] so state_dict() saves them", **TOL64)


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_checkpoint_resumes_in_a_fresh_model(name):
    # what resuming a run does: save both state_dicts, build a new model and optimizer (new
    # parameter objects), load, continue; a deep copy stands in for torch.save / torch.load
    model = make_model()
    ref_model = copy.deepcopy(model)
    x, y = make_data()
    options = dict(lr=1e-2, weight_decay=0.05)
    opt = MINE[name](model.parameters(), **options)
    ref = TORCH[name](ref_model.parameters(), **options)

    train(model, opt, x, y, 5)
    checkpoint = copy.deepcopy({"model": model.state_dict(), "optimizer": opt.state_dict()})
    fresh = make_model(seed=1)
    fresh.load_state_dict(checkpoint["model"])
    resumed = MINE[name](fresh.parameters(), **options)
    resumed.load_state_dict(checkpoint["optimizer"])
    train(fresh, resumed, x, y, 5)
    train(ref_model, ref, x, y, 10)
    for (pname, p), r in zip(fresh.named_parameters(), ref_model.parameters()):
        assert_close(p, r, what=f"{name}: parameter {pname!r}: 5 steps, checkpoint saved, loaded into "
                     "a new model and optimizer, 5 more steps", **TOL64,
                     hint="key the state by the parameter itself (self.state[p]): state_dict() maps "
                          "those keys to positions, so a new model's parameters find their t, m and "
                          "v; id(p) or a name of your own does not survive the reload")


@pytest.mark.parametrize("dtype", HALF_DTYPES)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_half_precision_moments_keep_the_dtype(name, dtype):
    params = [nn.Parameter(torch.randn(3, 4).to(dtype)), nn.Parameter(torch.randn(5).to(dtype))]
    opt = MINE[name](params, lr=0.05)
    for p in params:
        p.grad = torch.randn(p.shape).to(dtype)
    opt.step()
    for i, p in enumerate(params):
        moments = [v for v in opt.state[p].values()
                   if isinstance(v, torch.Tensor) and v.numel() == p.numel()]
        wrong = [f"{tuple(v.shape)} {v.dtype}" for v in moments if v.dtype != dtype or v.shape != p.shape]
        if len(moments) < 2 or wrong:
            fail(f"{name}: after one step, self.state[p] for the {dtype} parameter {i} of shape "
                 f"{tuple(p.shape)} holds tensors {[f'{tuple(v.shape)} {v.dtype}' for v in moments]}; "
                 f"the contract keeps m and v in the parameter's shape and dtype, like torch",
                 "torch.zeros_like(p) for both moments (not torch.zeros(p.shape), not float32 "
                 "'master' moments)")


HINT_DEVICE = ("state and results live on the parameters' device: make m and v with "
               "torch.zeros_like(p), and any accumulator on the gradients' device (or start from a "
               "Python 0.0)")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_on_the_parameters_device(name):
    params = [nn.Parameter(torch.empty(3, 4, device="meta")), nn.Parameter(torch.empty(5, device="meta"))]
    opt = MINE[name](params, lr=1e-2, weight_decay=0.1)
    for p in params:
        p.grad = torch.empty(p.shape, device="meta")
    what = f"{name}(parameters on meta, lr=1e-2, weight_decay=0.1).step() (twice)"
    on_meta(lambda: (opt.step(), opt.step()), what=what, hint=HINT_DEVICE)
    for i, p in enumerate(params):
        away = [str(v.device) for v in opt.state[p].values()
                if isinstance(v, torch.Tensor) and v.numel() > 1 and v.device != p.device]
        if p.device.type != "meta" or away:
            fail(f"{what}: parameter {i} is on {p.device} with state tensors on {away}; expected "
                 "everything on meta", "torch.zeros_like(p) for m and v; update p in place")
    what = "clip_grad_norm_(parameters with gradients on meta, 1.0)"
    total = on_meta(lambda: clip_grad_norm_(params, 1.0), what=what, hint=HINT_DEVICE)
    if total is not None and total.device.type != "meta":
        fail(f"{what} returned a norm on {total.device}; expected meta (the gradients' device)")


# ------------------------------------------------------------------------------ off limits

@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_does_not_call_torch_adam(name):
    model = make_model()
    x, y = make_data()
    opt = MINE[name](model.parameters(), lr=1e-2, weight_decay=0.1)
    for _ in range(2):
        opt.zero_grad()
        forward_loss(model, x, y).backward()
        with forbid(*FORBIDDEN_OPTIM, aten=FORBIDDEN_OPTIM_ATEN):
            opt.step()


# ------------------------------------------------------------------------------ properties

@pytest.mark.parametrize("name", ["Adam", "AdamW"])
@given(lr=st.sampled_from([1e-3, 1e-2, 1e-1]),
       betas=st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99)]),
       eps=st.sampled_from([1e-8, 1e-4]), weight_decay=st.sampled_from([0.0, 0.01, 0.3]),
       seed=st.integers(0, 2**31 - 1))
def test_any_options_match_torch(name, lr, betas, eps, weight_decay, seed):
    options = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    run_pair(lambda m: MINE[name](m.parameters(), **options),
             lambda m: TORCH[name](m.parameters(), **options), steps=8, seed=seed,
             what=f"{name}(params, {_args(options)}) (model seed {seed})",
             hint=HINT_ADAM + "; " + (HINT_L2 if name == "Adam" else HINT_DECOUPLED))


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_late_parameter_counts_its_own_steps(name):
    gen = torch.Generator().manual_seed(5)
    start = [torch.randn(4, generator=gen, dtype=torch.float64) for _ in range(2)]
    mine = [nn.Parameter(t.clone()) for t in start]
    theirs = [nn.Parameter(t.clone()) for t in start]
    options = dict(lr=0.05, weight_decay=0.1)
    opt, ref = MINE[name](mine, **options), TORCH[name](theirs, **options)
    for t in range(1, 7):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad()
            loss = (ps[0] ** 2).sum() + (((ps[1] - 1) ** 2).sum() if t >= 4 else 0.0)
            loss.backward()
        opt.step()
        ref.step()
        for i, (p, r) in enumerate(zip(mine, theirs)):
            assert_close(p.detach(), r.detach(), **TOL64,
                         what=f"{name}(lr=0.05, weight_decay=0.1): parameter {i} after step {t} "
                              "(parameter 1 gets its first gradient at step 4)",
                         hint="t counts each parameter's own steps (kept in self.state[p]): a "
                              "parameter's first update has t = 1 and full bias correction, "
                              "whatever the optimizer's global step count")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_zero_gradient_still_steps(name):
    gen = torch.Generator().manual_seed(6)
    start = [torch.randn(3, generator=gen, dtype=torch.float64) for _ in range(2)]
    mine = [nn.Parameter(t.clone()) for t in start]
    theirs = [nn.Parameter(t.clone()) for t in start]
    options = dict(lr=0.05, weight_decay=0.1)
    opt, ref = MINE[name](mine, **options), TORCH[name](theirs, **options)
    for t in range(1, 6):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad()
            # parameter 1: a real gradient at steps 1-2, then an all-zero one (not None)
            ((ps[0] ** 2).sum() + ((ps[1] - 1) ** 2).sum() * (1.0 if t <= 2 else 0.0)).backward()
        opt.step()
        ref.step()
        for i, (p, r) in enumerate(zip(mine, theirs)):
            assert_close(p.detach(), r.detach(), **TOL64,
                         what=f"{name}(lr=0.05, weight_decay=0.1): parameter {i} after step {t} "
                              "(parameter 1's gradient is all zeros from step 3 on)",
                         hint="only a .grad of None is skipped: a zero gradient is still a step "
                              "(t + 1, m and v decay, the momentum m keeps moving p, decay applies)")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_closure_is_called_with_grad_and_its_result_returned(name):
    model = make_model()
    ref_model = copy.deepcopy(model)
    x, y = make_data()
    opt = MINE[name](model.parameters(), lr=1e-2)
    ref = TORCH[name](ref_model.parameters(), lr=1e-2)
    calls = []

    def closure():
        calls.append(torch.is_grad_enabled())
        opt.zero_grad()
        loss = forward_loss(model, x, y)
        loss.backward()
        return loss

    def ref_closure():
        ref.zero_grad()
        loss = forward_loss(ref_model, x, y)
        loss.backward()
        return loss

    for t in range(1, 4):
        calls.clear()
        out = opt.step(closure)
        expected = ref.step(ref_closure)
        assert calls == [True], (
            f"{name}.step(closure) at step {t} called the closure {len(calls)} times"
            + (f" with gradients enabled = {calls}" if calls else "")
            + "; call it exactly once, under torch.enable_grad(), before updating")
        assert_close(out, expected, what=f"{name}.step(closure) at step {t}: returned value",
                     hint="return the closure's result (the loss before this update)")
        for (pname, p), r in zip(model.named_parameters(), ref_model.parameters()):
            assert_close(p, r, what=f"{name}.step(closure): parameter {pname!r} after step {t}",
                         hint="call the closure first (it computes the gradients), then update",
                         **TOL64)
    opt.zero_grad()
    forward_loss(model, x, y).backward()
    result = opt.step()
    assert result is None, f"{name}.step() without a closure returned {result!r}, expected None"


@pytest.mark.parametrize("dtype", HALF_DTYPES)
@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_half_precision_parameters(name, dtype):
    gen = torch.Generator().manual_seed(7)
    start = [torch.randn(s, generator=gen).to(dtype) for s in [(3, 4), (5,), ()]]
    mine = [nn.Parameter(t.clone()) for t in start]
    theirs = [nn.Parameter(t.clone()) for t in start]
    options = dict(lr=0.05, weight_decay=0.1)
    opt, ref = MINE[name](mine, **options), TORCH[name](theirs, **options)
    for t in range(1, 6):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad()
            sum(((p.float() - 0.3) ** 2).sum() for p in ps).backward()
        opt.step()
        ref.step()
        for p, r in zip(mine, theirs):
            assert p.dtype == dtype, f"{name} turned a {dtype} parameter into {p.dtype}"
            assert_close(p.detach(), r.detach(), what=f"{name}: {dtype} parameter of shape "
                         f"{tuple(p.shape)} after step {t}", **tolerance(dtype),
                         hint="keep m, v and the update in the parameter's dtype "
                              "(torch.zeros_like(p), not torch.zeros(p.shape))")


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_updates_in_place(name):
    model = make_model()
    params = list(model.parameters())
    ptrs = [p.data_ptr() for p in params]
    opt = MINE[name](model.parameters(), lr=1e-2, weight_decay=0.1)
    x, y = make_data()
    for _ in range(2):
        opt.zero_grad()
        forward_loss(model, x, y).backward()
        opt.step()
    assert all(a is b for a, b in zip(model.parameters(), params)), f"{name} replaced parameter objects"
    assert [p.data_ptr() for p in params] == ptrs, (
        f"{name}.step() gave a parameter new storage (p.data = ... or a new tensor): update it in "
        "place (p.addcdiv_, p.mul_, p.sub_) so views of it and tied weights stay valid")


# ============================================================================ clip_grad_norm_

def _grad_params(shapes, seed, scale=1.0, dtype=torch.float32, none_at=()):
    """Two identical lists of parameters with gradients (None at the indices in none_at)."""
    gen = torch.Generator().manual_seed(seed)
    mine, ref = [], []
    for i, s in enumerate(shapes):
        value = torch.randn(s, generator=gen, dtype=dtype)
        grad = torch.randn(s, generator=gen, dtype=dtype) * scale
        a, b = nn.Parameter(value.clone()), nn.Parameter(value.clone())
        if i not in none_at:
            a.grad, b.grad = grad.clone(), grad.clone()
        mine.append(a)
        ref.append(b)
    return mine, ref


def _check_clip(mine, ref, total, ref_total, what, hint, **tol):
    assert_close(total, ref_total, what=f"{what}: returned total norm",
                 hint="return the norm of all gradients taken together, measured before clipping")
    for i, (a, b) in enumerate(zip(mine, ref)):
        if b.grad is None:
            assert a.grad is None, f"{what}: parameter {i} had no gradient but now has one"
            continue
        assert_close(a.grad, b.grad, what=f"{what}: gradient {i} after clipping", hint=hint, **tol)


SHAPES = [(3, 5), (7,), (), (2, 1, 3)]
HINT_CLIP = ("total = norm of the vector of per-tensor norms (same norm_type); multiply every "
             "gradient in place by min(max_norm / (total + 1e-6), 1)")


@pytest.mark.parametrize("norm_type", [None, 1.0, 3.0, float("inf")], ids=["default", "1", "3", "inf"])
def test_clip_grad_norm_matches_torch(norm_type):
    mine, ref = _grad_params(SHAPES, seed=1)
    kw = {} if norm_type is None else {"norm_type": norm_type}
    with forbid(*FORBIDDEN_CLIP):
        total = clip_grad_norm_(mine, 0.5, **kw)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 0.5, **kw)
    what = f"clip_grad_norm_(4 params, max_norm=0.5{', norm_type=' + str(norm_type) if kw else ''})"
    hint = HINT_CLIP if norm_type != float("inf") else (
        "the inf-norm is the largest |gradient value| over all tensors")
    _check_clip(mine, ref, total, ref_total, what, hint)


def test_clip_grad_norm_inf_norm_of_negative_gradients():
    # every gradient negative: the inf-norm is the largest |value|, not the largest value
    mine, ref = _grad_params(SHAPES, seed=10)
    for ps in (mine, ref):
        for p in ps:
            p.grad = -p.grad.abs()
    total = clip_grad_norm_(mine, 0.5, float("inf"))
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 0.5, float("inf"))
    _check_clip(mine, ref, total, ref_total, "clip_grad_norm_(all-negative gradients, 0.5, norm_type=inf)",
                "the inf-norm is max |g| over all gradients: g.abs().max() (or "
                "torch.linalg.vector_norm(g, float('inf'))), not g.max()")


def test_clip_grad_norm_max_norm_zero_zeroes_the_gradients():
    mine, ref = _grad_params(SHAPES, seed=11)
    total = clip_grad_norm_(mine, 0.0)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 0.0)
    _check_clip(mine, ref, total, ref_total, "clip_grad_norm_(params, max_norm=0.0)",
                "max_norm=0.0 is an explicit value (clip_coef 0 zeroes every gradient): no "
                "`max_norm or ...` default")


def test_clip_grad_norm_under_the_max_changes_nothing():
    mine, ref = _grad_params(SHAPES, seed=2)
    before = [p.grad.clone() for p in mine]
    total = clip_grad_norm_(mine, 1000.0)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 1000.0)
    assert_close(total, ref_total, what="clip_grad_norm_(params, max_norm=1000.0): returned total norm")
    for i, (p, b) in enumerate(zip(mine, before)):
        assert_close(p.grad, b, what=f"clip_grad_norm_(params, max_norm=1000.0): gradient {i}",
                     hint="the coefficient is clamped to 1: gradients under the max are never scaled up")


def test_clip_grad_norm_coefficient_has_the_1e_minus_6():
    # total ≈ 1e-3 and max_norm = 1e-4: max_norm / (total + 1e-6) is 0.1% below max_norm / total.
    # float64 and a relative tolerance of 1e-6, so that 0.1% shows on gradients of ~1e-5.
    mine, ref = _grad_params(SHAPES, seed=3, scale=2e-4, dtype=torch.float64)
    total = clip_grad_norm_(mine, 1e-4)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 1e-4)
    _check_clip(mine, ref, total, ref_total, "clip_grad_norm_(float64 params with tiny gradients, max_norm=1e-4)",
                "clip_coef = max_norm / (total_norm + 1e-6), like torch (the 1e-6 guards against 0)",
                rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("ratio", [1.0, 0.5])
def test_clip_grad_norm_coefficient_applies_at_and_under_the_max(ratio):
    # total = ratio * max_norm ~ 1e-6: max_norm / (total + 1e-6) is ~1/2 (ratio 1) or ~2/3
    # (ratio 0.5), below 1, so torch scales even though total <= max_norm
    mine, ref = _grad_params(SHAPES, seed=9, scale=2e-7, dtype=torch.float64)
    norm = float(torch.linalg.vector_norm(torch.cat([p.grad.reshape(-1) for p in ref])))
    max_norm = norm / ratio
    total = clip_grad_norm_(mine, max_norm)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, max_norm)
    _check_clip(mine, ref, total, ref_total,
                f"clip_grad_norm_(float64 gradients of total norm {norm:.3g}, max_norm={max_norm:.3g})",
                "multiply by clip_coef = min(max_norm / (total + 1e-6), 1) every time, as the "
                "contract says; `if total > max_norm:` skips it at and just under the max, where "
                "the 1e-6 already makes it < 1", rtol=1e-6, atol=1e-15)


def test_clip_grad_norm_takes_a_generator_once():
    model = make_model(dtype=torch.float32)
    ref_model = copy.deepcopy(model)
    x, y = make_data(dtype=torch.float32)
    for m in (model, ref_model):
        forward_loss(m, x, y).backward()
    total = clip_grad_norm_(model.parameters(), 0.1)
    ref_total = torch.nn.utils.clip_grad_norm_(ref_model.parameters(), 0.1)
    _check_clip(list(model.parameters()), list(ref_model.parameters()), total, ref_total,
                "clip_grad_norm_(model.parameters(), 0.1)",
                "model.parameters() is a generator: a second loop over it sees nothing; make a "
                "list first")


def test_clip_grad_norm_takes_a_single_tensor():
    mine, ref = _grad_params([(4, 3)], seed=4)
    total = clip_grad_norm_(mine[0], 0.5)
    ref_total = torch.nn.utils.clip_grad_norm_(ref[0], 0.5)
    _check_clip(mine, ref, total, ref_total, "clip_grad_norm_(one tensor, 0.5)",
                "a single tensor counts as [tensor]")


def test_clip_grad_norm_ignores_missing_grads_and_works_on_strided_grads():
    mine, ref = _grad_params(SHAPES, seed=5, none_at=(1,))
    mine[0].grad = non_contiguous(mine[0].grad)
    total = clip_grad_norm_(mine, 0.3)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 0.3)
    _check_clip(mine, ref, total, ref_total,
                "clip_grad_norm_(params, one without a gradient and one with a non-contiguous one, 0.3)",
                "skip parameters whose .grad is None; scale the others in place")


@given(n=st.integers(1, 4), dims=st.lists(st.integers(1, 7), min_size=0, max_size=3),
       norm_type=st.sampled_from([2.0, 1.0, 1.5, float("inf")]),
       max_norm=st.sampled_from([1e-2, 0.5, 3.0, 100.0]), seed=st.integers(0, 2**31 - 1))
def test_clip_grad_norm_any_shapes_match_torch(n, dims, norm_type, max_norm, seed):
    shapes = [tuple(dims[i:]) for i in range(n)]
    mine, ref = _grad_params(shapes, seed)
    total = clip_grad_norm_(mine, max_norm, norm_type)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, max_norm, norm_type)
    _check_clip(mine, ref, total, ref_total,
                f"clip_grad_norm_(params of shapes {shapes}, {max_norm}, {norm_type})", HINT_CLIP)


def test_clip_grad_norm_scales_in_place():
    mine, ref = _grad_params(SHAPES, seed=6)
    grads = [p.grad for p in mine]
    ptrs = [g.data_ptr() for g in grads]
    total = clip_grad_norm_(mine, 0.2)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 0.2)
    assert all(p.grad is g for p, g in zip(mine, grads)) and [g.data_ptr() for g in grads] == ptrs, (
        "clip_grad_norm_(params, 0.2) replaced p.grad with a new tensor; the contract multiplies "
        "every gradient in place (p.grad.mul_(clip_coef)), so references to the gradient (hooks, "
        "gradient buckets, an optimizer that already holds it) see the clipped values")
    _check_clip(mine, ref, total, ref_total, "clip_grad_norm_(params, 0.2)", HINT_CLIP)


@pytest.mark.parametrize("dtype, scale", [(torch.bfloat16, 1.0), (torch.float64, 1.0), (torch.float16, 300.0)],
                         ids=["bfloat16", "float64", "float16 of ~300"])
def test_clip_grad_norm_dtype(dtype, scale):
    # float16 gradients of ~300: their squares pass float16's largest value (65504), so a norm
    # summed as sum(g ** 2) in float16 is inf (torch's vector_norm accumulates in float32)
    mine, ref = _grad_params([(3, 4), (5,)], seed=7, dtype=dtype, scale=scale)
    total = clip_grad_norm_(mine, 0.5)
    ref_total = torch.nn.utils.clip_grad_norm_(ref, 0.5)
    assert isinstance(total, torch.Tensor) and total.dim() == 0 and total.dtype == dtype, (
        f"clip_grad_norm_({dtype} gradients, 0.5) returned {total!r}; the contract returns a 0-d "
        "tensor of the gradients' dtype (not a Python float, not float32)")
    # float64: the clipped gradients agree with torch to ~1e-16; a coefficient built as
    # torch.tensor(python float) or from total.float() is float32 (off by up to 6e-8)
    tol = {torch.bfloat16: tolerance(torch.bfloat16), torch.float16: dict(rtol=5e-3, atol=1e-4),
           torch.float64: dict(rtol=1e-12, atol=1e-15)}[dtype]
    _check_clip(mine, ref, total, ref_total, f"clip_grad_norm_({dtype} gradients of ~{scale:g}, 0.5)",
                HINT_CLIP + "; compute clip_coef in the gradients' dtype (a float32 coefficient "
                "rounds float64 gradients); take each gradient's norm with torch.linalg.vector_norm "
                "(sum(g ** 2) in float16 overflows to inf above |g| ~ 256)", **tol)


def test_clip_grad_norm_no_gradients():
    mine, _ = _grad_params([(3,), (2, 2)], seed=8, none_at=(0, 1))
    total = clip_grad_norm_(mine, 1.0)
    assert isinstance(total, torch.Tensor) and total.dim() == 0 and float(total) == 0.0, (
        f"clip_grad_norm_(params without any gradient, 1.0) returned {total!r}; like torch it "
        "returns a 0-d tensor 0 (the norm of no gradients) and touches nothing")
    assert all(p.grad is None for p in mine), "clip_grad_norm_ created gradients that were None"


# ============================================================================ cosine_schedule

def expected_lr(step, max_lr, min_lr, warmup, total):
    """The stated formula, written independently: linear warmup, cosine decay, then flat."""
    if step < warmup:
        return max_lr * step / warmup
    if step > total:
        return min_lr
    return min_lr + (max_lr - min_lr) * (1 + math.cos(math.pi * (step - warmup) / (total - warmup))) / 2


def _lr_close(got, expected, what, hint):
    # -> float: a 0-d tensor (torch.cos on a tensor) breaks group["lr"] = ... for some optimizers
    # and logging; an int (max_lr * 0 // warmup) is not a float either
    assert_exact_type(got, float, what)
    assert_close(torch.tensor(float(got), dtype=torch.float64), torch.tensor(expected, dtype=torch.float64),
                 what=what, rtol=1e-9, atol=1e-15, hint=hint)


@pytest.mark.parametrize("step,expected,why", [
    (0, 0.0, "warmup starts at 0: max_lr·step/warmup"),
    (50, 3e-4, "halfway through warmup: half of max_lr"),
    (100, 6e-4, "the end of warmup reaches max_lr exactly"),
    (550, (6e-4 + 6e-5) / 2, "the middle of the decay: cos(π/2) = 0, halfway between max_lr and min_lr"),
    (1000, 6e-5, "the end of the decay: min_lr"),
    (1001, 6e-5, "after total: stay at min_lr"),
    (5000, 6e-5, "long after total: stay at min_lr"),
])
def test_cosine_schedule_landmarks(step, expected, why):
    got = cosine_schedule(step, 6e-4, 6e-5, 100, 1000)
    _lr_close(got, expected, what=f"cosine_schedule({step}, max_lr=6e-4, min_lr=6e-5, warmup=100, total=1000)",
              hint=why)


def test_cosine_schedule_without_warmup_starts_at_max_lr():
    got = cosine_schedule(0, 1.0, 0.1, 0, 10)
    _lr_close(got, 1.0, what="cosine_schedule(0, max_lr=1.0, min_lr=0.1, warmup=0, total=10)",
              hint="with warmup=0 the decay starts at step 0, from max_lr")


def test_cosine_schedule_decays_over_total_minus_warmup():
    got = cosine_schedule(60, 1.0, 0.0, 20, 100)
    _lr_close(got, 0.5, what="cosine_schedule(60, max_lr=1.0, min_lr=0.0, warmup=20, total=100)",
              hint="the cosine runs from step=warmup to step=total: progress = (step − warmup) / (total − warmup)")
    # min_lr given as the int 0: after total the result is still a float (-> float), not the int
    got = cosine_schedule(101, 1.0, 0, 20, 100)
    _lr_close(got, 0.0, what="cosine_schedule(101, max_lr=1.0, min_lr=0, warmup=20, total=100)",
              hint="-> float: return float(min_lr) after total (min_lr=0 is a common int argument)")


@given(total=st.integers(1, 500), data=st.data(), max_lr=st.floats(1e-5, 1.0),
       min_frac=st.floats(0.0, 1.0))
def test_cosine_schedule_follows_the_formula(total, data, max_lr, min_frac):
    warmup = data.draw(st.integers(0, total - 1), label="warmup")
    step = data.draw(st.integers(0, total + 20), label="step")
    min_lr = max_lr * min_frac
    got = cosine_schedule(step, max_lr, min_lr, warmup, total)
    _lr_close(got, expected_lr(step, max_lr, min_lr, warmup, total),
              what=f"cosine_schedule({step}, {max_lr}, {min_lr}, {warmup}, {total})",
              hint="step < warmup: max_lr·step/warmup; then min_lr + ½(max_lr − min_lr)(1 + cos(π·progress)); "
                   "after total: min_lr")
