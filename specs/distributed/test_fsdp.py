"""Specs for katas/distributed/fsdp.py (day 42): FSDP over an nn.Sequential on real gloo
process groups (harness.distributed's pool, W = 2 and 4) against single-process autograd on
the whole batch, run in this process.

The model is Linear(5, 7), Tanh, Sequential(Linear(7, 6), Tanh, Linear(6, 6)), Linear(6, 3) in
float64: units of P = 42, 90 (a child whose parameters sit one level down, in two layers: ONE
unit, names "0.weight", ..., "2.bias") and 21 parameters (42 % 4, 90 % 4, 21 % 2 and 21 % 4
are ragged) and a unit with none.
Every rank trains on its own equal slice of an 8-row batch (loss: the mean over its slice),
with an Adam-style update written here on fsdp.parameters() (elementwise, like any
torch.optim optimizer; written out so that the ranks never import torch._dynamo). The
reference applies the same update to the single-process model's padded flat vectors, so every
shard must equal its slice of them: gradients, then parameters, every step, every rank.
Comparisons use rtol=1e-10 (a different summation order stays ~1e-15 away).

Contract-to-spec map:
- units, flat vector, zero padding to W * S, rank r's [r * S, (r + 1) * S); parameters() is
  one 1-D shard per unit with parameters, in order: test_parameters_are_the_shards
- forward = model(x), x's gradient as in single-process autograd: test_forward_and_input_gradient
- shard gradients = slices of the averaged (whole-batch) gradient; training equal to the
  single-process model, padding staying 0: test_training_matches_one_process
- any unit (an nn.Embedding first, fed integer ids that have no gradient): its shard's gradient,
  and no gradient asked of the input: test_an_embedding_unit_takes_integer_ids
- shards in the parameters' dtype and device (a bfloat16 model: no float32 padding promoting
  the flat vector): test_shards_keep_the_parameters_dtype
- collectives in the parameters' dtype (bfloat16 backward: S and W * S elements of 2 bytes,
  no float32 reduce-scatter): test_shards_keep_the_parameters_dtype
- gradients accumulate into shard.grad (added when .grad holds one), and two forwards before
  one backward (each call's backward with its own saved input): test_gradients_accumulate
- ONE all-gather per unit in forward, ONE all-gather + ONE reduce-scatter per unit in
  backward, with S and W * S elements sent, units without parameters silent, no other
  collective, every async handle waited: test_communication_per_step
- under torch.no_grad() only the forward all-gathers: test_no_grad_forward_only_gathers
- at rest (after training, gradients cleared) only the shards are held: test_only_shards_at_rest,
  and on the 10-unit model (where one kept unit, e.g. a reused gather buffer or the last
  gathered vector, exceeds the 64 elements' slack): test_peak_parameter_memory_is_about_one_unit
- peak: at most ~one unit's parameters gathered at a time (10 Linear units: forward's
  allocations peak at <= 4 units' padded bytes, backward's at <= 6 above the shard
  gradients): test_peak_parameter_memory_is_about_one_unit
"""

import math

import pytest
import torch
from torch import nn

from harness.budgets import PeakMemory, held_elements
from harness.checks import assert_close
from harness.distributed import CommLog, RankPool, comm_log
from harness.failures import fail
from katas.distributed.fsdp import FSDP

POOL = RankPool()
TOL = dict(rtol=1e-10, atol=1e-12)
SIZES = ((5, 7), (7, 6), (6, 6), (6, 3))
ROWS = 8
STEPS = 3
LR, BETAS, EPS = 0.05, (0.9, 0.99), 1e-8
GATHERS = ("all_gather", "all_gather_into_tensor", "all_gather_single")
SCATTERS = ("reduce_scatter", "reduce_scatter_tensor", "reduce_scatter_single")

HINT_SHARD = ("flat = cat(p.reshape(-1) for p in unit.parameters()); pad it with zeros to W * S "
              "(S = ceil(P / W)); rank r keeps nn.Parameter(flat[r * S:(r + 1) * S].clone())")
HINT_GRAD = ("in backward gather the unit again, recompute it from its saved input, take the "
             "gradients of its parameters as one padded flat vector, reduce-scatter it (sum) "
             "and divide by W: rank r's part is its shard's gradient")
HINT_COMM = ("forward: one all-gather per unit with parameters; backward: one all-gather and "
             "one reduce-scatter per such unit; no all-reduce, no broadcast")


# ------------------------------------------------------------------------------ helpers

def make_model() -> nn.Sequential:
    """Linear(5, 7), Tanh, Sequential(Linear(7, 6), Tanh, Linear(6, 6)) (ONE unit with nested
    parameters in two layers), Linear(6, 3)."""
    gen = torch.Generator().manual_seed(0)
    (a1, b1), (a2, b2), (a3, b3), (a4, b4) = SIZES
    model = nn.Sequential(nn.Linear(a1, b1), nn.Tanh(), nn.Sequential(nn.Linear(a2, b2), nn.Tanh(), nn.Linear(a3, b3)),
                          nn.Linear(a4, b4)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
    return model


def make_data():
    gen = torch.Generator().manual_seed(1)
    return (torch.randn(ROWS, SIZES[0][0], generator=gen, dtype=torch.float64),
            torch.randn(ROWS, SIZES[-1][1], generator=gen, dtype=torch.float64))


def loss_of(out, y):
    return ((out - y) ** 2).mean()


def unit_sizes(model, world):
    """(P, S) of every child with parameters."""
    out = []
    for layer in model.children():
        p = sum(t.numel() for t in layer.parameters())
        if p:
            out.append((p, math.ceil(p / world)))
    return out


def padded_flats(model, world, grads=False):
    """Every unit's flat vector (or its gradient), zero-padded to W * S."""
    out = []
    for layer in model.children():
        ps = list(layer.parameters())
        if not ps:
            continue
        flat = torch.cat([(p.grad if grads else p).detach().reshape(-1) for p in ps])
        s = math.ceil(flat.numel() / world)
        out.append(torch.cat([flat, flat.new_zeros(s * world - flat.numel())]))
    return out


class Adam:
    """Adam on a list of tensors, elementwise (the same update on shards or on full vectors)."""

    def __init__(self, tensors):
        self.t = 0
        self.m = [torch.zeros_like(x) for x in tensors]
        self.v = [torch.zeros_like(x) for x in tensors]

    @torch.no_grad()
    def step(self, tensors, grads):
        self.t += 1
        b1, b2 = BETAS
        for x, g, m, v in zip(tensors, grads, self.m, self.v):
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            x.sub_(LR * (m / (1 - b1 ** self.t)) / ((v / (1 - b2 ** self.t)).sqrt() + EPS))


def reference(world):
    """Single-process training on the whole batch: per step the padded flat gradients, then the
    padded flat parameters; and the first step's output and input gradient."""
    model, (x, y) = make_model(), make_data()
    flats = padded_flats(model, world)
    opt = Adam(flats)
    out = {"grads": [], "params": []}
    for t in range(STEPS):
        xs = x.clone().requires_grad_()
        for p in model.parameters():
            p.grad = None
        pred = model(xs)
        loss_of(pred, y).backward()
        if t == 0:
            out["pred"], out["x_grad"] = pred.detach(), xs.grad * world  # each rank's loss is a mean over ROWS / W
        grads = padded_flats(model, world, grads=True)
        out["grads"].append([g.clone() for g in grads])
        opt.step(flats, grads)
        with torch.no_grad():  # write the flat vectors back into the model
            units = [c for c in model.children() if list(c.parameters())]
            for unit, flat in zip(units, flats):
                offset = 0
                for p in unit.parameters():
                    p.copy_(flat[offset:offset + p.numel()].view_as(p))
                    offset += p.numel()
        out["params"].append([f.clone() for f in flats])
    return out


# ------------------------------------------------------------------------------ checks (on every rank)

def _train(rank, world):
    fsdp = FSDP(make_model())
    params = list(fsdp.parameters())
    x, y = (t.chunk(world)[rank] for t in make_data())
    report = {"shapes": [(type(p).__name__, tuple(p.shape), p.dtype) for p in params],
              "initial": [p.detach().clone() for p in params], "grads": [], "params": [], "fwd": [], "bwd": []}
    opt = Adam([p.detach() for p in params])
    with comm_log() as log:
        for t in range(STEPS):
            for p in params:
                p.grad = None
            xs = x.clone().requires_grad_()
            before = len(log.ops)
            pred = fsdp(xs)
            loss_of(pred, y).backward()
            ops = log.ops[before:]
            report["fwd"].append(CommLog(ops=[op for op in ops if not op.in_backward]))
            report["bwd"].append(CommLog(ops=[op for op in ops if op.in_backward]))
            if t == 0:
                report["pred"] = pred.detach().clone()
                report["x_grad"] = None if xs.grad is None else xs.grad.clone()
            grads = [p.grad.detach().clone() if p.grad is not None else None for p in params]
            report["grads"].append(grads)
            if any(g is None for g in grads):
                break
            opt.step([p.detach() for p in params], grads)
            report["params"].append([p.detach().clone() for p in params])
    for p in params:
        p.grad = None
    report["held"] = held_elements(fsdp)
    return report


def _accumulate(rank, world):
    fsdp = FSDP(make_model())
    x, y = (t.chunk(world)[rank] for t in make_data())
    loss_of(fsdp(x), y).backward()
    once = [p.grad.clone() for p in fsdp.parameters()]
    loss_of(fsdp(x), y).backward()
    twice = [p.grad.clone() for p in fsdp.parameters()]
    # two micro-batches: one backward each, then both forwards before one backward of the sum
    half = len(x) // 2
    parts = [(x[:half], y[:half]), (x[half:], y[half:])]
    for p in fsdp.parameters():
        p.grad = None
    for xp, yp in parts:
        loss_of(fsdp(xp), yp).backward()
    apart = [p.grad.clone() for p in fsdp.parameters()]
    for p in fsdp.parameters():
        p.grad = None
    sum(loss_of(fsdp(xp), yp) for xp, yp in parts).backward()
    return once, twice, apart, [p.grad.clone() for p in fsdp.parameters()]


def _no_grad(rank, world):
    fsdp = FSDP(make_model())
    x, _ = (t.chunk(world)[rank] for t in make_data())
    with torch.no_grad(), comm_log() as log:
        fsdp(x)
    return log


def make_embedding_model() -> nn.Sequential:
    """Embedding(11, 4) (P = 44), Tanh, Linear(4, 3) (P = 15): the first unit's input is integer
    token ids, which have no gradient."""
    gen = torch.Generator().manual_seed(2)
    model = nn.Sequential(nn.Embedding(11, 4), nn.Tanh(), nn.Linear(4, 3)).double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.5)
    return model


def embedding_data():
    gen = torch.Generator().manual_seed(3)
    return torch.randint(0, 11, (ROWS, 2), generator=gen), torch.randn(ROWS, 2, 3, generator=gen, dtype=torch.float64)


def _embedding(rank, world):
    fsdp = FSDP(make_embedding_model())
    ids, y = (t.chunk(world)[rank] for t in embedding_data())
    pred = fsdp(ids)
    loss_of(pred, y).backward()
    return pred.detach(), [None if p.grad is None else p.grad.clone() for p in fsdp.parameters()]


def make_bfloat16_model() -> nn.Sequential:
    """Linear(5, 3) (P = 18), Tanh, Linear(3, 3) (P = 12) in bfloat16: padding made in the default
    dtype (float32) would promote torch.cat's result."""
    gen = torch.Generator().manual_seed(4)
    model = nn.Sequential(nn.Linear(5, 3), nn.Tanh(), nn.Linear(3, 3))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    return model.to(torch.bfloat16)


def _bfloat16(rank, world):
    fsdp = FSDP(make_bfloat16_model())
    x = torch.randn(2, 5, generator=torch.Generator().manual_seed(5)).to(torch.bfloat16)
    dtypes = [p.dtype for p in fsdp.parameters()]
    if dtypes != [torch.bfloat16] * 2:
        return dtypes, None, None, None
    out = fsdp(x)
    with comm_log() as log:  # backward only: the bytes each collective sends, in bfloat16
        out.float().square().mean().backward()
    sent = sorted((op.name in GATHERS, op.bytes) for op in log.calls())
    return dtypes, out.detach(), sent, [None if p.grad is None else p.grad.dtype for p in fsdp.parameters()]


DEEP = 10


def _peak(rank, world):
    torch.manual_seed(0)
    model = nn.Sequential(*[nn.Linear(32, 32) for _ in range(DEEP)]).double()
    fsdp = FSDP(model)
    x = torch.randn(1, 32, dtype=torch.float64)
    with PeakMemory() as forward:
        loss = fsdp(x).sum()
    with PeakMemory() as backward:
        loss.backward()
    grads = sum(p.grad.numel() * 8 for p in fsdp.parameters() if p.grad is not None)
    largest = lambda tracker: [str(a) for a in sorted(tracker.allocations, key=lambda a: -a.nbytes)[:3]]  # noqa: E731
    del loss
    for p in fsdp.parameters():
        p.grad = None
    return forward.peak, backward.peak, grads, largest(forward), largest(backward), held_elements(fsdp)


# ------------------------------------------------------------------------------ specs

_WARM = []


def run(world, check, *args):
    """POOL.run, after importing here, once, what a backward with an explicit output gradient
    imports (torch.autograd.grad(y, inputs, grad_y) loads sympy, ~3 CPU-s in a fresh rank):
    the forked ranks inherit it instead of each importing it. A stub fails first, without it."""
    if not _WARM:
        try:
            FSDP(nn.Sequential())  # no process group here: only a stub's NotImplementedError matters
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001 (a real implementation needs the process group)
            pass
        import torch.fx.experimental.symbolic_shapes  # noqa: F401
        _WARM.append(True)
    return POOL.run(world, check, *args)


_CACHE: dict = {}


def trained(world):
    if world not in _CACHE:
        _CACHE[world] = run(world, _train)
    return _CACHE[world]


@pytest.mark.parametrize("world", [2, 4])
def test_parameters_are_the_shards(world):
    model = make_model()
    flats = padded_flats(model, world)
    for rank, report in enumerate(trained(world)):
        want = [("Parameter", (math.ceil(p / world),), torch.float64) for p, _ in unit_sizes(model, world)]
        if report["shapes"] != want:
            fail(f"rank {rank} of {world}: FSDP(model).parameters() gave {report['shapes']}; expected one "
                 f"1-D float64 nn.Parameter per unit with parameters, of S = ceil(P / W) elements: {want} "
                 "(P = 42, 90, 21), and nothing else (the layers' full parameters must not stay "
                 "parameters of the module)", HINT_SHARD)
        for i, (got, flat) in enumerate(zip(report["initial"], flats)):
            s = flat.numel() // world
            assert_close(got, flat[rank * s:(rank + 1) * s],
                         what=f"rank {rank} of {world}: shard of unit {i} before training "
                         f"(elements [{rank * s}, {(rank + 1) * s}) of the zero-padded flat vector)", hint=HINT_SHARD)


@pytest.mark.parametrize("world", [2, 4])
def test_forward_and_input_gradient(world):
    ref = reference(world)
    rows = ROWS // world
    for rank, report in enumerate(trained(world)):
        part = slice(rank * rows, (rank + 1) * rows)
        if report["x_grad"] is None:
            fail(f"rank {rank} of {world}: x.grad is None after backward: the input's gradient must flow "
                 "back through every unit", "return the unit input's gradient from backward")
        assert_close(report["pred"], ref["pred"][part], what=f"rank {rank} of {world}: FSDP(model)(x) on its "
                     "slice of the batch (model(x) unsharded)", hint=HINT_SHARD, **TOL)
        assert_close(report["x_grad"], ref["x_grad"][part], what=f"rank {rank} of {world}: x.grad of its slice "
                     "(as single-process autograd gives it)", hint="backward must return the gradient of the "
                     "unit's input, not only of its parameters", **TOL)


@pytest.mark.parametrize("world", [2, 4])
def test_training_matches_one_process(world):
    ref = reference(world)
    for rank, report in enumerate(trained(world)):
        for t in range(STEPS):
            for i, (got, flat) in enumerate(zip(report["grads"][t], ref["grads"][t])):
                s = flat.numel() // world
                if got is None:
                    fail(f"rank {rank} of {world}, step {t + 1}: the shard of unit {i} has no .grad after "
                         "backward", HINT_GRAD)
                assert_close(got, flat[rank * s:(rank + 1) * s],
                             what=f"rank {rank} of {world}, step {t + 1}: shard {i}'s .grad (its slice of the "
                             "whole-batch gradient, i.e. the ranks' gradients averaged)", hint=HINT_GRAD, **TOL)
            for i, (got, flat) in enumerate(zip(report["params"][t], ref["params"][t])):
                s = flat.numel() // world
                assert_close(got, flat[rank * s:(rank + 1) * s],
                             what=f"rank {rank} of {world}: shard {i} after step {t + 1} of Adam",
                             hint=HINT_GRAD, **TOL)


def test_gradients_accumulate():
    for rank, (once, twice, apart, joint) in enumerate(run(2, _accumulate)):
        for i, (a, b) in enumerate(zip(once, twice)):
            assert_close(b, 2 * a, what=f"rank {rank}: shard {i}'s .grad after two backward passes "
                         "without zero_grad (twice the first)",
                         hint="add the reduce-scattered gradient to shard.grad, as autograd does (returning "
                         "it from an autograd.Function's backward does exactly that)", **TOL)
        for i, (a, b) in enumerate(zip(apart, joint)):
            assert_close(b, a, what=f"rank {rank}: shard {i}'s .grad of loss(fsdp(x1)) + loss(fsdp(x2)) with both "
                         "forwards before one backward (the same as one backward after each forward)",
                         hint="each forward call's backward needs that call's own input: save it on the autograd "
                         "graph (ctx.save_for_backward), not on the unit or the module, where the next call "
                         "overwrites it", **TOL)


def test_an_embedding_unit_takes_integer_ids():
    world = 2
    model, (ids, y) = make_embedding_model(), embedding_data()
    pred = model(ids)
    loss_of(pred, y).backward()
    flats = padded_flats(model, world, grads=True)
    rows = ROWS // world
    for rank, (got_pred, grads) in enumerate(run(world, _embedding)):
        assert_close(got_pred, pred.detach()[rank * rows:(rank + 1) * rows], **TOL,
                     what=f"rank {rank}: FSDP(Embedding, Tanh, Linear)(token ids) on its slice of the batch")
        for i, (got, flat) in enumerate(zip(grads, flats)):
            s = flat.numel() // world
            if got is None:
                fail(f"rank {rank}: shard {i} of FSDP(Embedding, Tanh, Linear) has no .grad after backward "
                     "from integer token ids", HINT_GRAD)
            assert_close(got, flat[rank * s:(rank + 1) * s], **TOL,
                         what=f"rank {rank}: shard {i}'s .grad of a model fed integer token ids (its slice of "
                              "the whole-batch gradient)",
                         hint="an input with no gradient (integer ids, or data that does not require grad) "
                              "gets none: ask for the input's gradient only when it needs one "
                              "(ctx.needs_input_grad[0]); never requires_grad_() an integer tensor")


def test_shards_keep_the_parameters_dtype():
    model = make_bfloat16_model()
    x = torch.randn(2, 5, generator=torch.Generator().manual_seed(5)).to(torch.bfloat16)
    # P = 18 and 12 over 4 ranks: S = 5 and 3; bfloat16 sends 2 bytes an element
    want = sorted([(True, 5 * 2), (True, 3 * 2), (False, 4 * 5 * 2), (False, 4 * 3 * 2)])
    for rank, (dtypes, out, sent, grads) in enumerate(run(4, _bfloat16)):
        if dtypes != [torch.bfloat16, torch.bfloat16]:
            fail(f"rank {rank} of 4: FSDP of a bfloat16 model has shards of {dtypes}; expected the "
                 "parameters' dtype, bfloat16", "make the padding with flat.new_zeros(...) (the flat "
                 "vector's dtype and device): torch.zeros(n) is float32, and torch.cat promotes to it")
        assert_close(out, model(x).detach(), rtol=1e-2, atol=1e-2,
                     what=f"rank {rank} of 4: FSDP(bfloat16 model)(x) (model(x) unsharded)")
        if sent != want:
            fail(f"rank {rank} of 4: backward of a bfloat16 model sent (is all-gather, bytes) {sent}; "
                 f"expected {want}: per unit one all-gather of S and one reduce-scatter of W * S "
                 "bfloat16 elements (2 bytes each): collectives run in the parameters' dtype",
                 "reduce-scatter the gradient as autograd gives it (bfloat16): no .float() before "
                 "the collective, which doubles its bytes")
        if grads != [torch.bfloat16, torch.bfloat16]:
            fail(f"rank {rank} of 4: shard gradients of a bfloat16 model have dtypes {grads}; "
                 "expected bfloat16 (the shards' dtype)", "grad_shard = torch.empty_like(shard)")


@pytest.mark.parametrize("world", [2, 4])
def test_communication_per_step(world):
    sizes = [s for _, s in unit_sizes(make_model(), world)]
    for rank, report in enumerate(trained(world)):
        for t, (fwd, bwd) in enumerate(zip(report["fwd"], report["bwd"]), start=1):
            at = f"rank {rank} of {world}, step {t}"
            got = [(op.name in GATHERS, op.bytes) for op in fwd.calls()]
            if got != [(True, s * 8) for s in sizes]:
                fail(f"{at}: forward communicated {fwd.summary()}; expected one all-gather per unit with "
                     f"parameters, in order, each sending S float64 elements: S = {sizes}", HINT_COMM)
            gathers = sorted(op.bytes for op in bwd.calls() if op.name in GATHERS)
            scatters = sorted(op.bytes for op in bwd.calls() if op.name in SCATTERS)
            others = [op for op in bwd.calls() if op.name not in GATHERS + SCATTERS]
            for log in (fwd, bwd):
                log.assert_waited(at, "its result may not have arrived when it is used",
                                  "call .wait() on the handle before using the gathered (or scattered) tensor")
            if others or gathers != sorted(s * 8 for s in sizes) or scatters != sorted(s * 8 * world for s in sizes):
                fail(f"{at}: backward communicated {bwd.summary()}; expected per unit with parameters one "
                     f"all-gather of S elements and one reduce-scatter of W * S (S = {sizes}, W = {world}), "
                     "nothing else", HINT_COMM + "; gather each unit again in backward: keeping forward's "
                     "gathered parameters alive until backward is what FSDP avoids")


def test_no_grad_forward_only_gathers():
    sizes = [s for _, s in unit_sizes(make_model(), 2)]
    for rank, log in enumerate(run(2, _no_grad)):
        got = [(op.name in GATHERS, op.bytes) for op in log.calls()]
        if got != [(True, s * 8) for s in sizes]:
            fail(f"rank {rank}: a forward under torch.no_grad() communicated {log.summary()}; expected only "
                 f"the forward's all-gathers (one per unit, S = {sizes})", HINT_COMM)


@pytest.mark.parametrize("world", [2, 4])
def test_only_shards_at_rest(world):
    bound = sum(s for _, s in unit_sizes(make_model(), world)) + 64
    for rank, report in enumerate(trained(world)):
        held, found = report["held"]
        if held > bound:
            fail(f"rank {rank} of {world}: after a training step (gradients cleared) the FSDP module holds "
                 f"{held} elements of tensors ({', '.join(found[:8])}); the shards are {bound - 64}, the "
                 f"contract allows {bound}: no full copy of the layers' parameters, no kept all-gather output",
                 "move the layers to the meta device (layer.to('meta')) once their shards are taken, and "
                 "let every gathered vector go when the unit is done")


@pytest.mark.parametrize("world", [2])
def test_peak_parameter_memory_is_about_one_unit(world):
    unit = math.ceil(32 * 33 / world) * world * 8
    shards = DEEP * math.ceil(32 * 33 / world)
    for rank, (fwd, bwd, grads, fwd_largest, bwd_largest, (held, found)) in enumerate(run(world, _peak)):
        model = f"{DEEP} Linear(32, 32) units (batch of one row; {unit} bytes of padded parameters each)"
        hint = ("free each unit's gathered parameters before the next unit runs: save the unit's input "
                "for backward (not its parameters, not views of them) and gather again there")
        if fwd > 4 * unit:
            fail(f"rank {rank} of {world}: the forward of {model} held up to {fwd} bytes of tensors at once, "
                 f"{fwd / unit:.1f} units' parameters; the contract allows 4 (the running unit, a copy made "
                 f"while gathering it, one prefetched, and the activations). Largest: {', '.join(fwd_largest)}", hint)
        if bwd - grads > 6 * unit:
            fail(f"rank {rank} of {world}: the backward of {model} held up to {bwd} bytes of tensors at "
                 f"once, {(bwd - grads) / unit:.1f} units above the shard gradients ({grads} bytes); the "
                 f"contract allows 6. Largest: {', '.join(bwd_largest)}", hint)
        if held > shards + 64:
            fail(f"rank {rank} of {world}: after a step of {model} (gradients cleared) the FSDP module holds "
                 f"{held} elements of tensors ({', '.join(found[:8])}); the shards are {shards}, the contract "
                 f"allows {shards + 64}: a unit's gathered vector (or a gather buffer reused for every unit) "
                 "must not outlive its use", "allocate each gathered vector when the unit runs and keep no "
                 "reference to it (no attribute, no global, no cache) once the unit is done")
