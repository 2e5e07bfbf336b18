"""Specs for katas/distributed/zero.py (day 41): shard_range against torch.tensor_split, and
ZeroOptimizer on real gloo process groups (harness.distributed's pool, W = 2 and 4) against
the unsharded torch.optim optimizer run in this process on the same gradients.

The optimizers are torch.optim.Optimizer subclasses written here with torch's AdamW and SGD
(momentum) updates: torch's own step() imports torch._dynamo, which would cost every forked
rank ~1 CPU-s. Every rank computes the same full-batch gradient (the contract: gradients arrive already
averaged), so every rank must end each step with exactly the single-process parameters. The
model (7 -> 24 -> 5, tanh, float64) has N = 317 elements: 317 % 2 == 317 % 4 == 1, so the
split is ragged at both sizes; a 1 -> 1 Linear (N = 2) puts empty shards on ranks 2 and 3.
Comparisons use rtol=1e-12: the same elementwise float64 operations on a slice give the same
bits; every catalogued mistake is off by far more.

Contract-to-spec map:
- shard_range: tensor_split's split, contiguous in rank order, larger shards first, empty
  ranges when numel < W, plain ints, exact past 2**53 (no float division): test_shard_range_*
- "equal to the unsharded optimizer" for AdamW and SGD with momentum, every rank, every
  step, W = 2 and 4, ragged N: test_matches_the_unsharded_optimizer
- W = 1 (one shard of all N elements, its values still copied into the parameters):
  test_one_rank_owns_everything
- N < W (ranks that own nothing): test_more_ranks_than_elements
- optimizer: optimizer_cls over ONE new leaf tensor of stop - start elements that holds the
  flat vector's [start, stop), requires_grad, its own storage, there from construction on and
  the same object after every step: test_inner_optimizer_holds_the_shard
- "its param_groups are where a schedule sets lr" (lr changed mid-run): in
  test_matches_the_unsharded_optimizer (lr halves after step 2)
- step: parameters copied IN PLACE (same objects, same storage): test_parameters_updated_in_place
- step reads gradients only, leaves every p.grad unchanged: test_gradients_left_unchanged
- a missing .grad raises ValueError naming the index (a standalone 2, not a digit of a shape),
  checked first: no communication, parameters unchanged: test_missing_gradient_raises
- a frozen parameter (requires_grad=False) is still one of params: no .grad, ValueError (not
  filtered out, not a zero gradient): test_missing_gradient_raises[frozen]
- the flat vector is p.reshape(-1) row-major: non-contiguous (transposed) parameters and
  gradients: test_non_contiguous_parameters_and_gradients
- ceil(N / W) elements sent when W divides N too (N = 16, W = 2: 8, no padding):
  test_no_padding_when_the_world_divides_n
- "all of one dtype": bfloat16 parameters (rank 1 padded), a bfloat16 shard, 18 bytes
  gathered, the unsharded optimizer's bits: test_bfloat16_parameters_stay_bfloat16
- no parameters / mixed dtypes / mixed devices (CPU + meta) raise ValueError: test_bad_parameters_raise
- params may be a generator, read once: every spec passes model.parameters()
- ONE all-gather per step of ceil(N / W) elements sent, no other collective:
  test_one_all_gather_per_step; an async all-gather's handle waited before its output is read:
  test_matches_the_unsharded_optimizer
- memory between steps <= (2 + s) * ceil(N / W) + 64 elements, whole storages counted:
  test_state_memory_falls_as_one_over_world_size
- zero_grad: None by default, zeroed in place with set_to_none=False, parameters without a
  .grad skipped (like torch.optim.Optimizer.zero_grad): test_zero_grad
"""

import math
import re

import pytest
import torch
from torch import nn

from harness.budgets import held_elements
from harness.checks import assert_close
from harness.distributed import CommLog, RankPool, comm_log
from harness.failures import fail
from katas.distributed.zero import ZeroOptimizer, shard_range

POOL = RankPool()
TOL = dict(rtol=1e-12, atol=1e-14)
GATHERS = ("all_gather", "all_gather_into_tensor", "all_gather_single")


class AdamW(torch.optim.Optimizer):
    """torch.optim.AdamW's update, written out: torch's own step imports torch._dynamo
    (~1 CPU-s per process, in every rank that was forked before it), this one does not."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"], state["exp_avg_sq"] = torch.zeros_like(p), torch.zeros_like(p)
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
                p.mul_(1 - group["lr"] * group["weight_decay"])
                m.mul_(b1).add_(p.grad, alpha=1 - b1)
                v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
                p.sub_(group["lr"] * (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + group["eps"]))


class SGD(torch.optim.Optimizer):
    """torch.optim.SGD with momentum (no dampening, no Nesterov), written out like AdamW above."""

    def __init__(self, params, lr=0.1, momentum=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = p.grad.clone()
                else:
                    state["momentum_buffer"].mul_(group["momentum"]).add_(p.grad)
                p.sub_(state["momentum_buffer"], alpha=group["lr"])


OPTIMIZERS = {
    "AdamW": (AdamW, dict(lr=0.05, weight_decay=0.1), 2),
    "SGD": (SGD, dict(lr=0.1, momentum=0.9), 1),
}
STEPS = 4

HINT_SPLIT = ("torch.tensor_split's rule: base, extra = divmod(numel, W); rank r starts at "
              "r * base + min(r, extra) and owns base + (1 if r < extra else 0) elements")
HINT_GATHER = ("pad your shard to ceil(N / W) elements, all-gather, then keep the first "
               "stop - start elements of every rank's block (rank r's range is "
               "shard_range(N, W, r)): the padding sits inside the gathered vector, not only at its end")
HINT_SHARD = ("self.shard = the flat vector's [start, stop), cloned into its own tensor; each step "
              "give it the matching slice of the flat gradient, step the inner optimizer, all-gather")


# ------------------------------------------------------------------------------ helpers

def make_model(sizes=(7, 24, 5)) -> nn.Module:
    gen = torch.Generator().manual_seed(0)
    layers = []
    for a, b in zip(sizes, sizes[1:]):
        layers += [nn.Linear(a, b), nn.Tanh()]
    model = nn.Sequential(*layers[:-1]).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
    return model


def make_data(sizes=(7, 24, 5)):
    gen = torch.Generator().manual_seed(1)
    return (torch.randn(12, sizes[0], generator=gen, dtype=torch.float64),
            torch.randn(12, sizes[-1], generator=gen, dtype=torch.float64))


def backward(model, x, y) -> None:
    ((model(x) - y) ** 2).mean().backward()


def flat(tensors) -> torch.Tensor:
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def reference(name: str, sizes=(7, 24, 5), steps: int = STEPS) -> list[list[torch.Tensor]]:
    """The unsharded optimizer's parameters after every step (lr halved after step 2)."""
    cls, kwargs, _ = OPTIMIZERS[name]
    model, (x, y) = make_model(sizes), make_data(sizes)
    opt = cls(model.parameters(), **kwargs)
    out = []
    for t in range(1, steps + 1):
        opt.zero_grad()
        backward(model, x, y)
        opt.step()
        if t == 2:
            opt.param_groups[0]["lr"] /= 2
        out.append([p.detach().clone() for p in model.parameters()])
    return out


# ------------------------------------------------------------------------------ checks (on every rank)

def _train(rank, world, name, sizes=(7, 24, 5), steps=STEPS):
    cls, kwargs, _ = OPTIMIZERS[name]
    model, (x, y) = make_model(sizes), make_data(sizes)
    params = list(model.parameters())
    opt = ZeroOptimizer(model.parameters(), cls, **kwargs)
    built = getattr(opt, "optimizer", None)  # a schedule is made before the first step
    report = {"steps": [], "shard": [], "comm": [], "in_place": True, "grads_kept": True, "held": None,
              "built": inner_shard(opt) if built is not None else (None, None)}
    ids = [(id(p), p.data_ptr()) for p in params]
    with comm_log() as log:  # one log for the run, cut per step (by op counts)
        for t in range(1, steps + 1):
            opt.zero_grad()
            backward(model, x, y)
            grads = [p.grad.clone() for p in params]
            grad_objects = [p.grad for p in params]
            before = len(log.ops)
            opt.step()
            report["comm"].append(CommLog(ops=log.ops[before:]))
            report["grads_kept"] &= all(p.grad is g for p, g in zip(params, grad_objects)) and all(
                torch.equal(p.grad, g) for p, g in zip(params, grads))
            report["in_place"] &= [(id(p), p.data_ptr()) for p in params] == ids
            report["steps"].append([p.detach().clone() for p in params])
            report["shard"].append(inner_shard(opt))
            if t == 2:
                inner = getattr(opt, "optimizer", None)
                if inner is not None:
                    inner.param_groups[0]["lr"] /= 2
    report["same_optimizer"] = built is not None and getattr(opt, "optimizer", None) is built
    exclude = {p.untyped_storage()._cdata for p in params}
    exclude |= {p.grad.untyped_storage()._cdata for p in params if p.grad is not None}
    report["held"] = held_elements(opt, exclude)
    return report


def inner_shard(opt):
    """What the contract's `optimizer` attribute holds: (class, [(numel, leaf, requires_grad,
    values, own storage)])."""
    inner = getattr(opt, "optimizer", None)
    if not isinstance(inner, torch.optim.Optimizer):
        return (type(inner).__name__, None)
    tensors = [p for group in inner.param_groups for p in group["params"]]
    return (type(inner).__name__, [(t.numel(), t.is_leaf, t.requires_grad, t.detach().clone(),
                                    t.untyped_storage().nbytes() == t.numel() * t.element_size())
                                   for t in tensors])


def _missing_grad(rank, world, frozen=False):
    model = make_model()
    if frozen:  # a frozen parameter is still one of params: no .grad after backward, ValueError
        model[2].weight.requires_grad_(False)
    opt = ZeroOptimizer(model.parameters(), SGD, lr=0.1)
    x, y = make_data()
    backward(model, x, y)
    model[2].weight.grad = None  # parameter index 2 in model.parameters()
    before = flat(model.parameters())
    try:
        with comm_log() as log:
            opt.step()
    except ValueError as err:
        changed = not torch.equal(flat(model.parameters()), before)
        return ("ValueError", str(err), log.summary() if log.ops else None, changed)
    except NotImplementedError:
        raise
    except Exception as err:  # noqa: BLE001 (reported in the parent)
        return (type(err).__name__, str(err), None, False)
    return (None, "", None, False)


def _bad_parameters(rank, world):
    out = {}
    for case, params in (("no parameters", []),
                         ("float32 and float64 parameters",
                          [nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, dtype=torch.float64))]),
                         ("a CPU and a meta-device parameter (two devices)",
                          [nn.Parameter(torch.zeros(3)), nn.Parameter(torch.zeros(2, device="meta"))])):
        try:
            ZeroOptimizer(iter(params), SGD, lr=0.1)
            out[case] = None
        except ValueError:
            out[case] = "ValueError"
        except NotImplementedError:
            raise
        except Exception as err:  # noqa: BLE001
            out[case] = f"{type(err).__name__}: {err}"
    return out


def _strided_params():
    """A transposed (non-contiguous) weight and a bias, N = 17, with non-contiguous gradients."""
    gen = torch.Generator().manual_seed(3)
    w = nn.Parameter(torch.randn(3, 4, generator=gen, dtype=torch.float64).t())
    b = nn.Parameter(torch.randn(5, generator=gen, dtype=torch.float64))
    grads = [[torch.randn(3, 4, generator=gen, dtype=torch.float64).t(),
              torch.randn(5, generator=gen, dtype=torch.float64)] for _ in range(2)]
    return [w, b], grads


def _strided(rank, world):
    params, grads = _strided_params()
    opt = ZeroOptimizer(iter(params), SGD, lr=0.1, momentum=0.9)
    out = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g
        opt.step()
        out.append([p.detach().clone() for p in params])
    return out


def _bf16_params():
    """bfloat16 parameters (N = 17: 9 and 8 elements on 2 ranks, so rank 1 pads), with gradients."""
    gen = torch.Generator().manual_seed(4)
    w = nn.Parameter(torch.randn(3, 4, generator=gen).to(torch.bfloat16))
    b = nn.Parameter(torch.randn(5, generator=gen).to(torch.bfloat16))
    grads = [[torch.randn(3, 4, generator=gen).to(torch.bfloat16),
              torch.randn(5, generator=gen).to(torch.bfloat16)] for _ in range(2)]
    return [w, b], grads


def _bf16(rank, world):
    params, grads = _bf16_params()
    opt = ZeroOptimizer(iter(params), SGD, lr=0.1, momentum=0.9)
    out, sent = [], []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g
        with comm_log() as log:
            opt.step()
        sent.append([(op.name, op.bytes) for op in log.ops])
        out.append([p.detach().clone() for p in params])
    shard = inner_shard(opt)[1]
    dtypes = None if shard is None else [str(t[3].dtype) for t in shard]
    return out, sent, dtypes, [str(p.dtype) for p in params]


def _even(rank, world):
    """N = 16 over 2 ranks: no rank pads, every rank sends its 8 elements."""
    gen = torch.Generator().manual_seed(5)
    params = [nn.Parameter(torch.randn(3, 4, generator=gen, dtype=torch.float64)),
              nn.Parameter(torch.randn(4, generator=gen, dtype=torch.float64))]
    grads = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in params]
    for p, g in zip(params, grads):
        p.grad = g
    opt = ZeroOptimizer(iter(params), SGD, lr=0.1)
    with comm_log() as log:
        opt.step()
    return [(op.name, op.bytes) for op in log.ops], [p.detach().clone() for p in params]


def _zero_grad(rank, world):
    model = make_model()
    opt = ZeroOptimizer(model.parameters(), SGD, lr=0.1)
    x, y = make_data()
    backward(model, x, y)
    grads = [p.grad for p in model.parameters()]
    opt.zero_grad(set_to_none=False)
    zeroed = all(p.grad is g and not g.any() for p, g in zip(model.parameters(), grads))
    opt.zero_grad()
    nones = [p.grad is None for p in model.parameters()]
    try:  # like torch.optim.Optimizer.zero_grad: parameters without a .grad are skipped
        opt.zero_grad(set_to_none=False)
        skipped = all(p.grad is None for p in model.parameters())
    except AttributeError as err:
        skipped = f"AttributeError: {err}"
    return zeroed, nones, skipped


# ------------------------------------------------------------------------------ specs

def test_shard_range_splits_like_tensor_split():
    for numel in range(0, 14):
        for world in range(1, 6):
            expected = [(int(c[0]), int(c[-1]) + 1) if len(c) else None
                        for c in torch.tensor_split(torch.arange(numel), world)]
            position = 0
            for rank in range(world):
                got = shard_range(numel, world, rank)
                if not (isinstance(got, tuple) and len(got) == 2 and all(type(v) is int for v in got)):
                    fail(f"shard_range({numel}, {world}, {rank}) returned {got!r}: expected a tuple "
                         "of two plain ints (start, stop)", HINT_SPLIT)
                want = expected[rank] or (position, position)
                if got != want:
                    fail(f"shard_range({numel}, {world}, {rank}) = {got}, expected {want} "
                         f"(torch.tensor_split of {numel} elements into {world}: sizes "
                         f"{[len(c) for c in torch.tensor_split(torch.arange(numel), world)]})", HINT_SPLIT)
                position = want[1]


def test_shard_range_of_huge_vectors():
    """Sizes past 2**53, where numel / world_size in floating point rounds: ints all the way."""
    for numel, world in ((2 ** 53 + 1, 2), (2 ** 60 + 5, 3), (3 * 2 ** 54 + 2, 4)):
        base, extra = divmod(numel, world)
        for rank in range(world):
            start = rank * base + min(rank, extra)
            want = (start, start + base + (rank < extra))
            got = shard_range(numel, world, rank)
            if got != want or not all(type(v) is int for v in got):
                fail(f"shard_range({numel}, {world}, {rank}) = {got!r}, expected {want} (plain ints)",
                     "stay in integers: divmod(numel, W), or -(-numel // W) for a ceiling; "
                     "math.ceil(numel / W) goes through a float and rounds past 2**53")


def test_shard_range_example_from_the_docstring():
    got = [shard_range(10, 4, r) for r in range(4)]
    if got != [(0, 3), (3, 6), (6, 8), (8, 10)]:
        fail(f"shard_range(10, 4, r) for r = 0..3 gave {got}, the docstring says "
             "(0, 3), (3, 6), (6, 8), (8, 10)", HINT_SPLIT)


_CACHE: dict = {}


def trained(world: int, name: str, sizes=(7, 24, 5), steps: int = STEPS) -> list[dict]:
    """Every rank's report for one run (cached: several specs read the same run)."""
    key = (world, name, sizes, steps)
    if key not in _CACHE:
        _CACHE[key] = POOL.run(world, _train, name, sizes, steps)
    return _CACHE[key]


@pytest.mark.parametrize("name", ["AdamW", "SGD"])
@pytest.mark.parametrize("world", [2, 4])
def test_matches_the_unsharded_optimizer(world, name):
    reports, ref = trained(world, name), reference(name)
    for rank, report in enumerate(reports):
        for t, log in enumerate(report["comm"], start=1):  # before the values: a race makes them flaky
            log.assert_waited(f"rank {rank} of {world}, {name}, step {t}",
                              "the gathered shards may not have arrived when they are copied into the parameters",
                              "call the collective without async_op (it returns when done), or .wait() its "
                              "handle before reading the output")
        for t, (mine, want) in enumerate(zip(report["steps"], ref), start=1):
            for i, (p, r) in enumerate(zip(mine, want)):
                assert_close(p, r, what=f"rank {rank} of {world}, {name}: parameter {i} after step {t}"
                             + (" (lr halved through optimizer.param_groups after step 2)" if t > 2 else ""),
                             hint=HINT_GATHER, **TOL)


def test_one_rank_owns_everything():
    reports, ref = trained(1, "SGD"), reference("SGD")
    n = sum(p.numel() for p in make_model().parameters())
    [report] = reports
    for t, (mine, want) in enumerate(zip(report["steps"], ref), start=1):
        for i, (p, r) in enumerate(zip(mine, want)):
            assert_close(p, r, what=f"W = 1 (one rank owns all {n} elements), SGD: parameter {i} after step {t}",
                         hint="with one rank the shard is the whole flat vector, and its new values "
                              "must still reach the parameters (the all-gather of one block, then the copy)",
                         **TOL)
    cls, tensors = report["shard"][0]
    if tensors is None or len(tensors) != 1 or tensors[0][0] != n:
        fail(f"W = 1: the inner optimizer holds {None if tensors is None else [t[0] for t in tensors]} "
             f"elements; the contract wants ONE shard tensor of all N = {n} elements, also on one rank",
             HINT_SHARD)


def test_more_ranks_than_elements():
    reports = trained(4, "SGD", (1, 1), 3)
    ref = reference("SGD", (1, 1), 3)
    for rank, report in enumerate(reports):
        for t, (mine, want) in enumerate(zip(report["steps"], ref), start=1):
            for i, (p, r) in enumerate(zip(mine, want)):
                assert_close(p, r, what=f"a Linear(1, 1) (N = 2) on 4 ranks, ranks 2 and 3 owning "
                             f"nothing: rank {rank}, parameter {i} after step {t}", hint=HINT_GATHER, **TOL)


def test_non_contiguous_parameters_and_gradients():
    params, grads = _strided_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    want = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g
        opt.step()
        want.append([p.detach().clone() for p in params])
    for rank, got in enumerate(POOL.run(2, _strided)):
        for t, (mine, ref) in enumerate(zip(got, want), start=1):
            for i, (p, r) in enumerate(zip(mine, ref)):
                assert_close(p, r, **TOL, what=f"rank {rank} of 2: non-contiguous parameter {i} (a transposed "
                             f"weight, its gradient transposed too) after step {t}",
                             hint="flatten with p.reshape(-1) (row-major, as the docstring says), not "
                                  ".view(-1), and copy back with p.copy_(flat_piece.view_as(p)) or "
                                  "reshape: a transposed tensor has no flat view")


def test_no_padding_when_the_world_divides_n():
    gen = torch.Generator().manual_seed(5)
    params = [torch.randn(3, 4, generator=gen, dtype=torch.float64), torch.randn(4, generator=gen, dtype=torch.float64)]
    grads = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in params]
    want = [p - 0.1 * g for p, g in zip(params, grads)]
    for rank, (sent, got) in enumerate(POOL.run(2, _even)):
        if [b for _, b in sent] != [8 * 8]:
            fail(f"rank {rank} of 2: with N = 16 parameter elements step() sent {sent}; expected one "
                 f"all-gather of ceil(16 / 2) = 8 float64 elements (64 bytes): when W divides N nobody pads",
                 "ceil(N / W) is -(-N // W) (or (N + W - 1) // W), not N // W + 1")
        for i, (p, r) in enumerate(zip(got, want)):
            assert_close(p, r, **TOL, what=f"rank {rank} of 2: parameter {i} after one SGD step (N = 16)")


def test_bfloat16_parameters_stay_bfloat16():
    params, grads = _bf16_params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    want = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = g
        opt.step()
        want.append([p.detach().clone() for p in params])
    hint = ("build the shard, its padding and the all-gather's buffers in the parameters' dtype "
            "(p.new_zeros, torch.zeros(..., dtype=shard.dtype), torch.empty_like): torch.zeros(n) "
            "is the default dtype, float32")
    for rank, (got, sent, dtypes, kept) in enumerate(POOL.run(2, _bf16)):
        if kept != ["torch.bfloat16"] * 2:
            fail(f"rank {rank} of 2: bfloat16 parameters became {kept} after step(): copy into them in place")
        if dtypes is not None and dtypes != ["torch.bfloat16"]:
            fail(f"rank {rank} of 2: with bfloat16 parameters the inner optimizer's shard is {dtypes}; "
                 f"it holds the parameters' elements in their dtype, bfloat16", hint)
        for t, ops in enumerate(sent, start=1):
            if [b for _, b in ops] != [9 * 2]:
                fail(f"rank {rank} of 2, step {t}: with bfloat16 parameters (N = 17) step() sent {ops}; "
                     f"expected one all-gather of ceil(17 / 2) = 9 bfloat16 elements (18 bytes)", hint)
        for t, (mine, ref) in enumerate(zip(got, want), start=1):
            for i, (p, r) in enumerate(zip(mine, ref)):
                assert_close(p, r, rtol=0, atol=0, what=f"rank {rank} of 2: bfloat16 parameter {i} after "
                             f"step {t} (the unsharded optimizer's bits)", hint=hint)


@pytest.mark.parametrize("world", [2, 4])
def test_inner_optimizer_holds_the_shard(world):
    reports = trained(world, "AdamW")
    n = sum(p.numel() for p in make_model().parameters())
    ref = reference("AdamW")
    for rank, report in enumerate(reports):
        start, stop = (lambda c: (int(c[0]), int(c[-1]) + 1))(torch.tensor_split(torch.arange(n), world)[rank])
        cls, tensors = report["built"]
        if cls != "AdamW" or tensors is None or [t[0] for t in tensors] != [stop - start]:
            fail(f"rank {rank} of {world}: right after ZeroOptimizer(..., AdamW) its .optimizer is "
                 f"{cls if cls is not None else 'missing'} with tensors of "
                 f"{None if tensors is None else [t[0] for t in tensors]} elements; the contract wants the "
                 f"inner AdamW over the {stop - start}-element shard from construction on (a learning-rate "
                 "schedule is built on it before the first step)", HINT_SHARD)
        if not report["same_optimizer"]:
            fail(f"rank {rank} of {world}: ZeroOptimizer.optimizer after the steps is not the object it "
                 "was after construction: build the inner optimizer once, in __init__ (a schedule holds "
                 "it, and it holds the optimizer state)", HINT_SHARD)
        for t, (cls, tensors) in enumerate(report["shard"], start=1):
            if cls != "AdamW" or tensors is None:
                fail(f"rank {rank}: ZeroOptimizer(..., AdamW).optimizer is a {cls}: "
                     "the contract wants the inner optimizer_cls instance there", HINT_SHARD)
            if len(tensors) != 1:
                fail(f"rank {rank} of {world}: the inner optimizer steps {len(tensors)} tensors; the "
                     "contract wants ONE flat shard tensor", HINT_SHARD)
            numel, leaf, requires_grad, values, own = tensors[0]
            if numel != stop - start:
                fail(f"rank {rank} of {world}: the shard has {numel} elements, expected "
                     f"{stop - start} = shard_range({n}, {world}, {rank}) = ({start}, {stop})", HINT_SPLIT)
            if not (leaf and requires_grad):
                fail(f"rank {rank}: the shard is {'not a leaf' if not leaf else 'requires_grad=False'}: "
                     "the contract wants a new leaf tensor with requires_grad=True", HINT_SHARD)
            if not own:
                fail(f"rank {rank}: the shard is a view of a larger storage (a full-size buffer or the "
                     "parameters): clone the slice into its own tensor", HINT_SHARD)
            assert_close(values, flat(ref[t - 1])[start:stop],
                         what=f"rank {rank} of {world}: the inner optimizer's shard after step {t} "
                         f"(the flat vector's [{start}, {stop}))", hint=HINT_SHARD, **TOL)


def test_parameters_updated_in_place():
    for rank, report in enumerate(trained(2, "AdamW")):
        if not report["in_place"]:
            fail(f"rank {rank}: after step() the model's parameters are other tensors or sit in "
                 "other storage: copy the gathered values into them in place (p.copy_(...)); a "
                 "model or optimizer holding the old tensors would not see the update",
                 "with torch.no_grad(): p.copy_(flat[offset:offset + p.numel()].view_as(p))")


def test_gradients_left_unchanged():
    for rank, report in enumerate(trained(2, "AdamW")):
        if not report["grads_kept"]:
            fail(f"rank {rank}: step() changed or replaced a parameter's .grad; it must only read "
                 "its slice of the gradients (they are already averaged: no all-reduce, no scaling)",
                 "copy the gradient slice into the shard's .grad; leave p.grad alone")


@pytest.mark.parametrize("frozen", [False, True], ids=["grad_none", "frozen"])
def test_missing_gradient_raises(frozen):
    what = "frozen (requires_grad=False) parameter 2, which has no .grad," if frozen else "parameter 2's .grad None"
    for rank, (kind, message, communicated, changed) in enumerate(POOL.run(2, _missing_grad, frozen)):
        if kind != "ValueError":
            got = "returned normally" if kind is None else f"raised {kind}: {message}"
            fail(f"rank {rank}: step() with {what} {got}; the contract says "
                 "ValueError naming the parameter's index (a missing gradient is a bug, not a skip)",
                 "check every p.grad before any communication and raise ValueError(f'parameter {i} ...')"
                 + ("; params is every parameter given, frozen ones included: do not filter on "
                    "requires_grad, and do not fill a missing gradient with zeros" if frozen else ""))
        if not re.search(r"\b2\b", message):
            fail(f"rank {rank}: the ValueError {message!r} does not name the parameter's index, 2 "
                 "(its position in params, counted from 0)", "raise ValueError(f'parameter {i} has no gradient')")
        if communicated or changed:
            fail(f"rank {rank}: step() raised the ValueError only after "
                 f"{'communicating (' + communicated + ')' if communicated else 'updating the parameters'}: "
                 "a step that raises must change nothing", "check every p.grad first, before the inner "
                 "optimizer's step and the all-gather")


def test_bad_parameters_raise():
    for rank, out in enumerate(POOL.run(2, _bad_parameters)):
        for case, got in out.items():
            if got != "ValueError":
                fail(f"rank {rank}: ZeroOptimizer with {case} "
                     f"{'was accepted' if got is None else 'raised ' + got}; the contract says ValueError",
                     "read params once into a list, then check it is not empty and that every "
                     "parameter has the first one's dtype and device")


@pytest.mark.parametrize("world", [2, 4])
def test_one_all_gather_per_step(world):
    n = sum(p.numel() for p in make_model().parameters())
    size = math.ceil(n / world)
    for rank, report in enumerate(trained(world, "SGD")):
        for t, log in enumerate(report["comm"], start=1):
            ops = log.calls()
            if len(ops) != 1 or ops[0].name not in GATHERS:
                fail(f"rank {rank} of {world}, step {t}: step() communicated {log.summary()}; the "
                     "contract allows exactly ONE all-gather (dist.all_gather, all_gather_into_tensor or "
                     "all_gather_single) and no other collective",
                     "gradients arrive averaged (no all-reduce); the one all-gather returns every "
                     "rank's updated shard")
            if ops[0].bytes != size * 8:
                fail(f"rank {rank} of {world}, step {t}: the all-gather sent {ops[0].bytes} bytes; "
                     f"expected ceil(N / W) = ceil({n} / {world}) = {size} float64 elements "
                     f"({size * 8} bytes): your shard, padded", HINT_GATHER)


@pytest.mark.parametrize("world", [2, 4])
@pytest.mark.parametrize("name", ["AdamW", "SGD"])
def test_state_memory_falls_as_one_over_world_size(world, name):
    n = sum(p.numel() for p in make_model().parameters())
    states = OPTIMIZERS[name][2]
    bound = (2 + states) * math.ceil(n / world) + 64
    for rank, report in enumerate(trained(world, name)):
        held, found = report["held"]
        if held > bound:
            fail(f"rank {rank} of {world}, {name}: between steps the optimizer holds {held} elements "
                 f"of tensors ({', '.join(found[:8])}); the contract allows (2 + {states}) * "
                 f"ceil({n} / {world}) + 64 = {bound}: the shard, its gradient and its "
                 f"{states} state tensor{'s' if states > 1 else ''}, nothing of the model's size "
                 f"({n} elements)",
                 "keep no flat copy of all parameters or gradients, and no all-gather buffer between "
                 "steps; a slice keeps its whole storage alive, so clone() the shard")


def test_zero_grad():
    for rank, (zeroed, nones, skipped) in enumerate(POOL.run(2, _zero_grad)):
        if not zeroed:
            fail(f"rank {rank}: zero_grad(set_to_none=False) did not zero every p.grad in place",
                 "for p in params: p.grad.zero_() when set_to_none is False")
        if not all(nones):
            fail(f"rank {rank}: zero_grad() left {nones.count(False)} gradients; by default "
                 "(set_to_none=True) every p.grad becomes None", "p.grad = None")
        if skipped is not True:
            fail(f"rank {rank}: zero_grad(set_to_none=False) on parameters whose .grad is None "
                 f"{'raised ' + skipped if isinstance(skipped, str) else 'gave them a gradient'}; "
                 "torch.optim.Optimizer.zero_grad skips them", "if p.grad is not None: p.grad.zero_()")
