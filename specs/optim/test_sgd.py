"""Specs for katas/optim/sgd.py (day 11): SGD as a torch.optim.Optimizer, step for step vs
torch.optim.SGD.

Trajectories run in float64 on a small seeded MLP and compare every parameter after every
step with rtol=1e-7, atol=1e-9: a different (correct) order of the same float64 operations
drifts by ~1e-14 over 50 steps, while every catalogued mistake is off by > 1e-3.

Contract-to-spec map:
- subclass of torch.optim.Optimizer, not torch.optim.SGD: is_a_torch_optimizer
- the update rule (weight decay, momentum, dampening, first buffer = g, nesterov), step for step:
  matches_torch_*, float32_model, first_momentum_buffer..., nesterov_step_by_hand,
  weight_decay_and_momentum_by_hand_in_float64 (float64 scalars at rtol=1e-12; negative
  group options, as "!= 0" says),
  any_options_match_torch (hypothesis)
- "first step" is per parameter (one that gets its first gradient late starts from its g; an
  all-zero gradient is a first step too): late_parameter_starts_its_own_buffer
- options a group sets to 0 / 0.0 / False are kept (no `or default`): group_options_set_to_zero_are_kept
- param groups / defaults, lr read at every step, groups added later (add_param_group):
  param_groups..., lr_changed..., param_group_added_later_is_updated
- parameters without grad skipped (only those: requires_grad=False with a grad is updated):
  parameters_without_grad_are_skipped, frozen_parameter_with_a_gradient_is_updated
- buffer in self.state[p], state_dict round trip: state_dict_round_trip..., and through a
  saved checkpoint into a fresh model (state keyed by the parameter, not id(p)):
  checkpoint_resumes_in_a_fresh_model
- closure called once with grad enabled before the update, its result returned; else None:
  closure_*
- any shape (0-d), non-contiguous, any floating dtype (float16/bfloat16), identity and storage
  kept (in place): odd_shapes..., half_precision_parameters, updates_in_place
- p.grad untouched, also when zero_grad(set_to_none=False) reuses grad tensors (a buffer
  aliasing p.grad): grads_are_left_untouched, buffer_does_not_alias_grad
- momentum buffer on the parameter's device (meta stands in for a GPU): on_the_parameters_device
- torch's SGD internals off limits: does_not_call_torch_sgd
"""

import copy

import pytest
import torch
from hypothesis import given, strategies as st
from torch import nn

from harness.checks import assert_close, forbid, non_contiguous, on_meta, unchanged
from harness.edges import HALF_DTYPES, tolerance
from harness.failures import fail
from katas.optim.sgd import SGD

TOL64 = dict(rtol=1e-7, atol=1e-9)

# Everything a learner could call instead of writing the update.
FORBIDDEN = ("torch.optim.sgd.sgd", "torch.optim._functional.sgd",
             "torch.optim.sgd._single_tensor_sgd", "torch.optim.sgd._multi_tensor_sgd",
             "torch.optim.sgd._fused_sgd")
FORBIDDEN_ATEN = {"_fused_sgd": "torch._fused_sgd_ (the fused SGD kernel)",
                  "_fused_sgd_": "torch._fused_sgd_ (the fused SGD kernel)"}

HINT_MOMENTUM = ("b = momentum·b + (1 − dampening)·g, then p -= lr·b; the buffer lives in "
                 "self.state[p] between steps")
HINT_FIRST = ("on a parameter's first step the momentum buffer is a copy of g (torch does not "
              "damp the first step); starting it at zeros gives (1 − dampening)·g instead")
HINT_NESTEROV = ("with nesterov=True the step is g + momentum·b, using the buffer b already "
                 "updated this step (not b alone, not the previous b)")
HINT_WD = "weight decay adds weight_decay·p to the gradient before the momentum buffer sees it"


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
    x = torch.randn(16, 5, generator=gen, dtype=dtype)
    y = torch.randn(16, 3, generator=gen, dtype=dtype)
    return x, y


def forward_loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = model[2](model[1](model[0](x)))  # skips the unused layer when there is one
    return ((out - y) ** 2).mean()


def train(model: nn.Module, optimizer, x: torch.Tensor, y: torch.Tensor, steps: int) -> None:
    """`steps` full-batch steps of model on (x, y) with optimizer."""
    for _ in range(steps):
        optimizer.zero_grad()
        forward_loss(model, x, y).backward()
        optimizer.step()


def run_pair(make_mine, make_ref, *, steps: int = 50, seed: int = 0, dtype=torch.float64,
             what: str, hint: str, tol=None, extra_unused: bool = False, before_step=None):
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
            forward_loss(m, x, y).backward()
        opt.step()
        ref.step()
        for (name, p), r in zip(model.named_parameters(), ref_model.parameters()):
            assert_close(p, r, what=f"{what}: parameter {name!r} after step {t}", hint=hint, **tol)
    return model, ref_model


# ------------------------------------------------------------------------------ the class

def test_is_a_torch_optimizer():
    model = make_model()
    opt = SGD(model.parameters(), lr=0.1)
    assert isinstance(opt, torch.optim.Optimizer), (
        "SGD must subclass torch.optim.Optimizer (zero_grad, param_groups, state_dict come from it)")
    assert not isinstance(opt, torch.optim.SGD), (
        "SGD subclasses torch.optim.SGD: this kata asks you to write the update yourself; "
        "subclass torch.optim.Optimizer instead")


def test_plain_sgd_with_default_options_matches_torch():
    run_pair(lambda m: SGD(m.parameters(), lr=0.1),
             lambda m: torch.optim.SGD(m.parameters(), lr=0.1),
             what="SGD(params, lr=0.1)", hint="with the defaults the update is just p -= lr·p.grad")


VARIANTS = {
    "momentum": (dict(momentum=0.9), HINT_MOMENTUM),
    "momentum_dampening": (dict(momentum=0.9, dampening=0.5), HINT_FIRST),
    "weight_decay": (dict(weight_decay=0.05), HINT_WD),
    "momentum_weight_decay": (dict(momentum=0.8, weight_decay=0.05), HINT_WD),
    "nesterov": (dict(momentum=0.9, nesterov=True), HINT_NESTEROV),
    "nesterov_weight_decay": (dict(momentum=0.7, weight_decay=0.02, nesterov=True), HINT_NESTEROV),
    "everything_but_nesterov": (dict(momentum=0.6, dampening=0.3, weight_decay=0.01), HINT_FIRST),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_matches_torch_step_for_step_over_50_steps(variant):
    options, hint = VARIANTS[variant]
    args = ", ".join(f"{k}={v}" for k, v in options.items())
    run_pair(lambda m: SGD(m.parameters(), lr=0.05, **options),
             lambda m: torch.optim.SGD(m.parameters(), lr=0.05, **options),
             what=f"SGD(params, lr=0.05, {args})", hint=hint)


def test_float32_model_matches_torch():
    # float32: default tolerances (rtol=1e-4, atol=1e-5); 50 steps drift by ~1e-7.
    run_pair(lambda m: SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01),
             lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01),
             dtype=torch.float32, what="SGD(float32 params, lr=0.05, momentum=0.9, weight_decay=0.01)",
             hint=HINT_MOMENTUM, tol={})


# ------------------------------------------------------------------------------ by hand

G1 = torch.tensor([0.3, -0.1, 0.2], dtype=torch.float64)
G2 = torch.tensor([-0.5, 0.4, 0.1], dtype=torch.float64)
P0 = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)


def _two_steps(opt_factory):
    """Two steps on one parameter P0 with the gradients G1 then G2."""
    p = nn.Parameter(P0.clone())
    opt = opt_factory([p])
    for g in (G1, G2):
        p.grad = g.clone()
        opt.step()
    return p


def test_first_momentum_buffer_is_the_gradient_not_zeros():
    lr, m, d = 0.1, 0.9, 0.5
    p = _two_steps(lambda ps: SGD(ps, lr=lr, momentum=m, dampening=d))
    b1 = G1                       # first step: the buffer is g itself, undamped
    b2 = m * b1 + (1 - d) * G2    # later steps: momentum·b + (1 − dampening)·g
    expected = P0 - lr * b1 - lr * b2
    assert_close(p.detach(), expected, what="p after 2 steps of SGD(lr=0.1, momentum=0.9, dampening=0.5)",
                 hint=HINT_FIRST)


def test_nesterov_step_by_hand():
    lr, m = 0.1, 0.9
    p = _two_steps(lambda ps: SGD(ps, lr=lr, momentum=m, nesterov=True))
    b1 = G1
    b2 = m * b1 + G2
    expected = P0 - lr * (G1 + m * b1) - lr * (G2 + m * b2)
    assert_close(p.detach(), expected, what="p after 2 steps of SGD(lr=0.1, momentum=0.9, nesterov=True)",
                 hint=HINT_NESTEROV)


BY_HAND_OPTIONS = {
    # float64 scalars (0.1 is not a float32 number): torch.tensor(weight_decay) keeps them in
    # float32 and is off by ~1e-9, below the trajectories' rtol=1e-7 but not below 1e-12
    "weight_decay=0.1, momentum=0.9, dampening=0.1": dict(weight_decay=0.1, momentum=0.9, dampening=0.1),
    # options a group may set below 0 (torch checks only the constructor's): the rule says
    # "if momentum != 0", not "> 0"; a negative weight_decay is folded in like any other
    "group with momentum=-0.5, weight_decay=-0.1": dict(weight_decay=-0.1, momentum=-0.5, dampening=0.0),
}


@pytest.mark.parametrize("case", list(BY_HAND_OPTIONS))
def test_weight_decay_and_momentum_by_hand_in_float64(case):
    lr, o = 0.1, BY_HAND_OPTIONS[case]
    wd, m, d = o["weight_decay"], o["momentum"], o["dampening"]
    p = _two_steps(lambda ps: SGD([{"params": ps, **o}], lr=lr))
    g1 = G1 + wd * P0
    p1 = P0 - lr * g1
    b2 = m * g1 + (1 - d) * (G2 + wd * p1)
    expected = p1 - lr * b2
    assert_close(p.detach(), expected, what=f"p after 2 float64 steps of SGD(lr=0.1, {case})",
                 rtol=1e-12, atol=1e-15,
                 hint="use each option as the Python float it is (not torch.tensor(option), which "
                      "is float32) and apply weight decay and momentum whenever they are != 0, "
                      "negative values included")


# ------------------------------------------------------------------------------ groups, lr

def test_param_groups_with_their_own_options():
    def groups(m, cls):
        return cls([{"params": m[0].parameters(), "lr": 0.02, "nesterov": True},
                    {"params": m[2].parameters(), "momentum": 0.5, "weight_decay": 0.1}],
                   lr=0.07, momentum=0.9)
    run_pair(lambda m: groups(m, SGD), lambda m: groups(m, torch.optim.SGD),
             what="SGD([{layer 0, lr=0.02, nesterov=True}, {layer 2, momentum=0.5, weight_decay=0.1}], "
                  "lr=0.07, momentum=0.9)",
             hint="each group uses its own options; a group's missing options come from the "
                  "constructor's defaults (read them from group[...] inside step)")


FALSY_GROUPS = {
    # constructor defaults that are all non-zero, and groups that set an option to 0 on purpose
    "zero_momentum_wd_lr_dampening": (
        dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.05),
        lambda m: [{"params": [m[0].weight], "momentum": 0.0, "weight_decay": 0.0},
                   {"params": [m[0].bias], "lr": 0.0},
                   {"params": m[2].parameters(), "dampening": 0.0}]),
    "nesterov_false": (
        dict(lr=0.05, momentum=0.9, nesterov=True),
        lambda m: [{"params": m[0].parameters(), "nesterov": False},
                   {"params": m[2].parameters()}]),
}


@pytest.mark.parametrize("case", list(FALSY_GROUPS))
def test_group_options_set_to_zero_are_kept(case):
    defaults, groups = FALSY_GROUPS[case]
    args = ", ".join(f"{k}={v}" for k, v in defaults.items())
    run_pair(lambda m: SGD(groups(m), **defaults), lambda m: torch.optim.SGD(groups(m), **defaults),
             steps=10, what=f"SGD(groups that set {case.replace('_', ' ')} explicitly, {args})",
             hint="an option a group sets explicitly wins, also when it is 0, 0.0 or False: "
                  "read group[name] (Optimizer.__init__ has filled in the missing ones); "
                  "group.get(name) or default replaces an explicit 0 by the default")


def test_param_group_added_later_is_updated():
    # fine-tuning unfreezes a layer mid-run with add_param_group: step walks self.param_groups
    # as they are now, not a list of parameters taken in __init__
    models = {}

    def mine(m):
        models["mine"] = m
        return SGD(m[0].parameters(), lr=0.05, momentum=0.9)

    def ref(m):
        models["ref"] = m
        return torch.optim.SGD(m[0].parameters(), lr=0.05, momentum=0.9)

    def unfreeze(t, opt, ref_opt):
        if t == 4:
            opt.add_param_group({"params": list(models["mine"][2].parameters()), "lr": 0.02})
            ref_opt.add_param_group({"params": list(models["ref"][2].parameters()), "lr": 0.02})

    run_pair(mine, ref, steps=8, before_step=unfreeze,
             what="SGD(layer 0, lr=0.05, momentum=0.9), layer 2 added with add_param_group(lr=0.02) "
                  "before step 4",
             hint="iterate self.param_groups inside step (add_param_group appends to it); a list "
                  "of parameters or groups copied in __init__ never sees the new group")


def test_lr_changed_between_steps_is_used():
    def schedule(t, opt, ref):
        for o in (opt, ref):
            for group in o.param_groups:
                group["lr"] = 0.1 / t
    run_pair(lambda m: SGD(m.parameters(), lr=0.1, momentum=0.9),
             lambda m: torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9),
             steps=20, before_step=schedule,
             what="SGD with param_groups[0]['lr'] set to 0.1/t before step t",
             hint="read lr from the param group at every step (schedulers change it there), "
                  "do not keep a copy from __init__")


def test_parameters_without_grad_are_skipped():
    model, ref_model = run_pair(
        lambda m: SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=0.1),
        lambda m: torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=0.1),
        steps=5, extra_unused=True,
        what="SGD(params incl. a layer that gets no gradient, lr=0.05, momentum=0.9, weight_decay=0.1)",
        hint="a parameter whose .grad is None is skipped entirely: no weight decay, no momentum")
    assert model[3].weight.grad is None


# ------------------------------------------------------------------------------ shapes, dtypes

def test_frozen_parameter_with_a_gradient_is_updated():
    # requires_grad=False does not exempt a parameter: torch.optim.SGD updates every parameter
    # whose .grad is not None (here a gradient assigned by hand, as a frozen layer keeps its
    # last one), weight decay included
    options = dict(lr=0.1, momentum=0.9, weight_decay=0.1)
    results = []
    for cls in (SGD, torch.optim.SGD):
        p = nn.Parameter(P0.clone(), requires_grad=False)
        opt = cls([p], **options)
        for g in (G1, G2):
            p.grad = g.clone()
            opt.step()
        results.append(p.detach())
    assert_close(results[0], results[1], **TOL64,
                 what="a parameter with requires_grad=False and .grad set, after 2 steps of "
                      "SGD(lr=0.1, momentum=0.9, weight_decay=0.1)",
                 hint="skip a parameter only when p.grad is None, as the contract says; do not "
                      "test p.requires_grad")


def test_odd_shapes_and_non_contiguous_parameters():
    gen = torch.Generator().manual_seed(3)
    shapes = [(), (1,), (2, 3, 5), (7, 1)]
    start = [torch.randn(s, generator=gen) for s in shapes]
    mine = [nn.Parameter(t.clone()) for t in start]
    mine[2] = nn.Parameter(non_contiguous(start[2]))
    theirs = [nn.Parameter(t.clone()) for t in start]
    opt = SGD(mine, lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)
    ref = torch.optim.SGD(theirs, lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)

    def loss(ps):
        return sum(((p.sin() + 0.5 * p ** 2) * (i + 1)).sum() for i, p in enumerate(ps))

    for t in range(1, 11):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad()
            loss(ps).backward()
        opt.step()
        ref.step()
        for s, p, r in zip(shapes, mine, theirs):
            assert_close(p.detach(), r.detach(), what=f"float32 parameter of shape {s} after step {t}",
                         hint="update each parameter in place, whatever its shape (0-d included)")


def test_grads_are_left_untouched():
    model = make_model()
    x, y = make_data()
    opt = SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.1)
    for _ in range(2):
        opt.zero_grad()
        forward_loss(model, x, y).backward()
        grads = [p.grad for p in model.parameters()]
        with unchanged(*grads, names=[f"{n}.grad" for n, _ in model.named_parameters()],
                       hint="g = p.grad + weight_decay·p makes a new tensor; p.grad.add_(...) "
                            "would corrupt gradients that are accumulated or logged"):
            opt.step()


def test_state_dict_round_trip_resumes_the_same_trajectory():
    model = make_model()
    ref_model = copy.deepcopy(model)
    x, y = make_data()
    options = dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01)
    opt = SGD(model.parameters(), **options)
    ref = torch.optim.SGD(ref_model.parameters(), **options)

    train(model, opt, x, y, 5)
    resumed = SGD(model.parameters(), **options)
    resumed.load_state_dict(opt.state_dict())
    train(model, resumed, x, y, 5)
    train(ref_model, ref, x, y, 10)
    for (name, p), r in zip(model.named_parameters(), ref_model.parameters()):
        assert_close(p, r, what=f"parameter {name!r} after 5 steps, state_dict round trip, 5 more",
                     hint="keep the momentum buffer in self.state[p] so state_dict() saves it", **TOL64)


def test_checkpoint_resumes_in_a_fresh_model():
    # what resuming a run does: save both state_dicts, build a new model and optimizer (new
    # parameter objects), load, continue
    model = make_model()
    ref_model = copy.deepcopy(model)
    x, y = make_data()
    options = dict(lr=0.05, momentum=0.9, dampening=0.2, weight_decay=0.01)
    opt = SGD(model.parameters(), **options)
    ref = torch.optim.SGD(ref_model.parameters(), **options)

    train(model, opt, x, y, 5)
    # a deep copy stands in for torch.save / torch.load (no tensor shared with the run)
    checkpoint = copy.deepcopy({"model": model.state_dict(), "optimizer": opt.state_dict()})
    fresh = make_model(seed=1)
    fresh.load_state_dict(checkpoint["model"])
    resumed = SGD(fresh.parameters(), **options)
    resumed.load_state_dict(checkpoint["optimizer"])
    train(fresh, resumed, x, y, 5)
    train(ref_model, ref, x, y, 10)
    for (name, p), r in zip(fresh.named_parameters(), ref_model.parameters()):
        assert_close(p, r, what=f"parameter {name!r}: 5 steps, checkpoint saved, loaded into a new "
                     "model and a new SGD, 5 more steps", **TOL64,
                     hint="key the state by the parameter itself (self.state[p]): state_dict() "
                          "maps those keys to positions, so a new model's parameters find their "
                          "buffers; id(p) or a name of your own does not survive the reload")


def test_buffer_does_not_alias_grad():
    # zero_grad(set_to_none=False) zeroes the same .grad tensors in place and backward then
    # accumulates into them: a momentum buffer that IS p.grad (b = g with no copy, when
    # weight_decay = 0) is zeroed and overwritten along with it
    model = make_model()
    opt = SGD(model.parameters(), lr=0.05, momentum=0.9)
    ref_model = copy.deepcopy(model)
    ref = torch.optim.SGD(ref_model.parameters(), lr=0.05, momentum=0.9)
    x, y = make_data()
    hint = ("the first momentum buffer must be a copy of g (g.clone()): with weight_decay = 0, "
            "g is p.grad itself, so the buffer would alias p.grad, and updating it in place "
            "corrupts the gradient (and zero_grad wipes the buffer)")
    for t in range(1, 8):
        for m, o in ((model, opt), (ref_model, ref)):
            o.zero_grad(set_to_none=False)
            forward_loss(m, x, y).backward()
        grads = [p.grad for p in model.parameters()]
        with unchanged(*grads, names=[f"{n}.grad" for n, _ in model.named_parameters()], hint=hint):
            opt.step()
        ref.step()
        for (name, p), r in zip(model.named_parameters(), ref_model.parameters()):
            assert_close(p, r, what=f"SGD(lr=0.05, momentum=0.9) with zero_grad(set_to_none=False): "
                         f"parameter {name!r} after step {t}", hint=hint, **TOL64)


@pytest.mark.parametrize("set_to_none", [True, False], ids=["grad_none", "grad_zeros"])
def test_late_parameter_starts_its_own_buffer(set_to_none):
    # grad_zeros: zero_grad(set_to_none=False) gives parameter 1 an all-zero gradient on steps
    # 1 and 2; that is a gradient (not None), so its buffer starts there, at zeros
    gen = torch.Generator().manual_seed(5)
    start = [torch.randn(4, generator=gen, dtype=torch.float64) for _ in range(2)]
    mine = [nn.Parameter(t.clone()) for t in start]
    theirs = [nn.Parameter(t.clone()) for t in start]
    options = dict(lr=0.1, momentum=0.9, dampening=0.5)
    opt, ref = SGD(mine, **options), torch.optim.SGD(theirs, **options)
    for t in range(1, 7):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad(set_to_none=set_to_none)
            late = ((ps[1] - 1) ** 2).sum() if t >= 3 else 0.0 if set_to_none else 0.0 * ps[1].sum()
            loss = (ps[0] ** 2).sum() + late
            loss.backward()
        opt.step()
        ref.step()
        for i, (p, r) in enumerate(zip(mine, theirs)):
            assert_close(p.detach(), r.detach(), **TOL64,
                         what=f"SGD(lr=0.1, momentum=0.9, dampening=0.5): parameter {i} after step {t} "
                              + ("(parameter 1 gets its first gradient at step 3)" if set_to_none else
                                 "(parameter 1 gets all-zero gradients on steps 1-2, real ones from 3)"),
                         hint="'the first step' is each parameter's own first step with a gradient "
                              "(an all-zero gradient counts): test whether self.state[p] has a "
                              "buffer yet, not a global step count, nor whether the buffer is zero")


def test_closure_is_called_with_grad_and_its_result_returned():
    model = make_model()
    ref_model = copy.deepcopy(model)
    x, y = make_data()
    opt = SGD(model.parameters(), lr=0.05, momentum=0.9)
    ref = torch.optim.SGD(ref_model.parameters(), lr=0.05, momentum=0.9)
    calls = []

    def closure():
        calls.append(torch.is_grad_enabled())
        opt.zero_grad()
        loss = forward_loss(model, x, y)
        loss.backward()  # needs gradients enabled inside step's no_grad
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
            f"SGD.step(closure) at step {t} called the closure {len(calls)} times"
            + (f" with gradients enabled = {calls}" if calls else "")
            + "; call it exactly once, under torch.enable_grad(), before updating")
        assert_close(out, expected, what=f"SGD.step(closure) at step {t}: returned value",
                     hint="return the closure's result (the loss before this update)")
        for (name, p), r in zip(model.named_parameters(), ref_model.parameters()):
            assert_close(p, r, what=f"SGD.step(closure): parameter {name!r} after step {t}",
                         hint="call the closure first (it computes the gradients), then update",
                         **TOL64)
    opt.zero_grad()
    forward_loss(model, x, y).backward()
    result = opt.step()
    assert result is None, f"SGD.step() without a closure returned {result!r}, expected None"


@pytest.mark.parametrize("dtype", HALF_DTYPES)
def test_half_precision_parameters(dtype):
    gen = torch.Generator().manual_seed(7)
    start = [torch.randn(s, generator=gen).to(dtype) for s in [(3, 4), (5,), ()]]
    mine = [nn.Parameter(t.clone()) for t in start]
    theirs = [nn.Parameter(t.clone()) for t in start]
    options = dict(lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)
    opt, ref = SGD(mine, **options), torch.optim.SGD(theirs, **options)
    for t in range(1, 6):
        for ps, o in ((mine, opt), (theirs, ref)):
            o.zero_grad()
            sum(((p.float() - 0.3) ** 2).sum() for p in ps).backward()
        opt.step()
        ref.step()
        for p, r in zip(mine, theirs):
            assert p.dtype == dtype, f"SGD turned a {dtype} parameter into {p.dtype}"
            assert_close(p.detach(), r.detach(), what=f"{dtype} parameter of shape "
                         f"{tuple(p.shape)} after step {t}", **tolerance(dtype),
                         hint="keep the buffer and the update in the parameter's dtype")


def test_updates_in_place():
    model = make_model()
    params = list(model.parameters())
    ptrs = [p.data_ptr() for p in params]
    opt = SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01)
    x, y = make_data()
    for _ in range(2):
        opt.zero_grad()
        forward_loss(model, x, y).backward()
        opt.step()
    assert all(a is b for a, b in zip(model.parameters(), params)), "SGD replaced parameter objects"
    moved = [p.data_ptr() for p in params]
    assert moved == ptrs, (
        "SGD.step() gave a parameter new storage (p.data = ... or a new tensor): update it in "
        "place (p.add_(g, alpha=-lr)) so views of it and the module's references stay valid")


@pytest.mark.parametrize("nesterov", [False, True], ids=["momentum", "nesterov"])
def test_on_the_parameters_device(nesterov):
    # meta stands in for a GPU: a buffer made with torch.empty(p.shape).copy_(g) or
    # torch.zeros(p.shape) + g lives on the CPU, and the second step mixes devices
    params = [nn.Parameter(torch.empty(3, 4, device="meta")), nn.Parameter(torch.empty(5, device="meta"))]
    opt = SGD(params, lr=1e-2, momentum=0.9, dampening=0.1, weight_decay=0.1, nesterov=nesterov)
    for p in params:
        p.grad = torch.empty(p.shape, device="meta")
    what = f"SGD(parameters on meta, momentum=0.9, nesterov={nesterov}).step() (twice)"
    hint = ("the momentum buffer lives on the parameter's device: g.clone() (or "
            "torch.zeros_like(p)), never a tensor built from p.shape alone")
    on_meta(lambda: (opt.step(), opt.step()), what=what, hint=hint)
    for i, p in enumerate(params):
        away = [str(v.device) for v in opt.state[p].values()
                if isinstance(v, torch.Tensor) and v.device != p.device]
        if p.device.type != "meta" or away:
            fail(f"{what}: parameter {i} is on {p.device} with state tensors on {away}; expected "
                 "everything on meta", hint)


# ------------------------------------------------------------------------------ off limits

def test_does_not_call_torch_sgd():
    model = make_model()
    x, y = make_data()
    opt = SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)
    for _ in range(2):
        opt.zero_grad()
        forward_loss(model, x, y).backward()
        with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
            opt.step()


# ------------------------------------------------------------------------------ properties

@given(momentum=st.sampled_from([0.0, 0.5, 0.9]), dampening=st.sampled_from([0.0, 0.3]),
       weight_decay=st.sampled_from([0.0, 0.02]), nesterov=st.booleans(),
       lr=st.sampled_from([0.01, 0.1]), seed=st.integers(0, 2**31 - 1))
def test_any_options_match_torch(momentum, dampening, weight_decay, nesterov, lr, seed):
    if nesterov and (momentum == 0 or dampening != 0):
        nesterov = False  # torch rejects nesterov without momentum or with dampening
    options = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                   nesterov=nesterov)
    args = ", ".join(f"{k}={v}" for k, v in options.items())
    run_pair(lambda m: SGD(m.parameters(), **options),
             lambda m: torch.optim.SGD(m.parameters(), **options),
             steps=8, seed=seed, what=f"SGD(params, {args}) (model seed {seed})",
             hint=HINT_NESTEROV if nesterov else HINT_FIRST if dampening else HINT_MOMENTUM)
