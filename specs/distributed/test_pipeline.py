"""Specs for katas/distributed/pipeline.py (day 44): partition and pipeline_step (GPipe, 1F1B).

pipeline_step runs on real gloo process groups of 1, 2 and 4 ranks (harness.distributed
forks them once per spec module). Every rank builds the same seeded layers (Linear + Tanh
blocks), takes ITS stage by the spec's own partition formula, and wraps it in a recorder that
logs each forward (F) and each backward (B: the gradient reaching the stage's output). The
parent trains the whole model on the whole batch in one process (loss_fn(model(x), t)
.backward()) and compares every rank's gradients and the returned loss with it.
Communication is read from harness.distributed's log of every rank's calls.

Contract -> specs:
- partition: a list of ranges, sizes differ by one, earlier stages larger, contiguous; ValueError naming both
  numbers when num_layers < world_size or world_size < 1 (0 and negative): test_partition_*
- micro-batch i is inputs.chunk(M)[i] / targets.chunk(M)[i], run in order (what rank 0's stage
  and the last rank's loss_fn got): every training spec (check_microbatches)
- gradients and loss equal to single-process training on the whole batch, GPipe and 1F1B,
  W = 2 and 4, M > W, M < W, M = 1: test_matches_single_process_training (schedule="1f1b" and
  dtype=torch.float32 are never passed: the defaults)
- loss returned on the last rank only (detached scalar), None elsewhere: same spec
- gradients accumulated into .grad, never zeroed: test_gradients_accumulate
- a step keeps nothing for the next one (two steps on one stage accumulate both batches'
  gradients; no receive buffer or .grad kept on the stage or in a cache): test_two_steps_on_one_stage
- inputs / targets handed to every rank are ignored off rank 0 / the last rank (the role comes
  from the rank, not from `inputs is not None`): test_inputs_and_targets_given_to_every_rank
- float64 activations and model (dtype=): test_float64
- "each exactly activation_shape x dtype" for a half dtype (no float32 wire format):
  test_float16_activations_travel_in_float16
- inputs and targets of another dtype (int64 token ids into an nn.Embedding, int64 classes for
  F.cross_entropy: never cast to dtype=) and a
  stage whose output is non-contiguous (sent .contiguous()): test_token_inputs_and_non_contiguous_outputs
- W = 1: one stage, no communication: test_one_rank
- the schedules' exact F/B orders per rank (GPipe: all F then all B; 1F1B: warm-up
  min(W - r - 1, M), pairs, drain), backwards in micro-batch order 0 .. M - 1 (GPipe too):
  test_schedule_order
- stored activations: 1F1B at most W - r, GPipe M: test_stored_activations
- point-to-point only, neighbours only, M activations forward and M gradients back per rank,
  each activation_shape x dtype, every async handle waited before returning:
  test_point_to_point_traffic
- unknown schedule (incl. another spelling, 'GPipe'): ValueError naming it, before any communication,
  on 2 ranks and on 1 (no W = 1 shortcut before the check): test_unknown_schedule_raises
- a 1F1B with blocking sends deadlocks: failed by harness.distributed's stall detection,
  naming each rank's send (whichever 1F1B spec runs first)
- inputs and targets not modified: the guard on every call (in each rank)
"""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from harness.checks import SpecFailure, assert_close, assert_raises
from harness.distributed import RankPool
from katas.distributed.pipeline import partition, pipeline_step

POOL = RankPool()
P2P = ("send", "recv", "isend", "irecv")

HINT_GRADS = ("the last stage backpropagates loss_fn(out_i, t_i) / M for each micro-batch; stage r > 0 "
              "makes its received activation require grad and sends x.grad back after its backward; "
              "stage r < W - 1 calls torch.autograd.backward(out_i, grad_from_next); never zero .grad")


def stages_of(num_layers, world):
    """The spec's own partition: earlier stages take the extra layers."""
    base, extra = divmod(num_layers, world)
    sizes = [base + (r < extra) for r in range(world)]
    starts = [sum(sizes[:r]) for r in range(world)]
    return [list(range(s, s + n)) for s, n in zip(starts, sizes)]


VOCAB = 7  # the "tokens" cases: layer 0 is an nn.Embedding(VOCAB, hidden) fed int64 token ids


def make_layers(num_layers, hidden, seed, dtype, tokens=False):
    torch.manual_seed(seed)
    layers = [nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh()).to(dtype) for _ in range(num_layers)]
    if tokens:  # token ids in, and every layer's output non-contiguous
        layers = [ColumnMajor(nn.Embedding(VOCAB, hidden).to(dtype))] + [ColumnMajor(l) for l in layers[1:]]
    return layers


def make_batch(batch, hidden, seed, dtype, tokens=False):
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(batch, hidden, generator=g, dtype=torch.float64).to(dtype)
    t = torch.randn(batch, hidden, generator=g, dtype=torch.float64).to(dtype)
    if tokens:  # token ids in, class indices as targets (cross-entropy over the hidden units)
        return torch.randint(0, VOCAB, (batch,), generator=g), torch.randint(0, hidden, (batch,), generator=g)
    return x, t


class Recorded(nn.Module):
    """The stage, logging F<i> at the forward of its i-th micro-batch and B<i> when the gradient
    reaches that micro-batch's output."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.events = []
        self.inputs = []  # what each forward got (rank 0: the micro-batches of inputs)

    def forward(self, x):
        i = sum(e[0] == "F" for e in self.events)
        self.events.append(f"F{i}")
        self.inputs.append(x.detach().clone())
        y = self.inner(x)
        if y.requires_grad:
            y.register_hook(lambda grad: self.events.append(f"B{i}"))
        return y


class ColumnMajor(nn.Module):
    """A layer whose output is NOT contiguous (a transposed copy, transposed back): same values."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x).mT.contiguous().mT


# (layers, hidden, micro-batch size, M, schedule, dtype, seed, prefill .grad with ones, tokens,
#  inputs and targets handed to every rank instead of None)
def case(world, M, schedule, *, layers=None, hidden=4, mb=2, dtype=torch.float32, seed=0, prefill=False,
         tokens=False, everywhere=False):
    return (layers or world + 1, hidden, mb, M, schedule, dtype, seed + 10 * world + M, prefill, tokens,
            everywhere)


def _train(rank, world, c):
    L, H, mb, M, schedule, dtype, seed, prefill, tokens, everywhere = c
    layers = make_layers(L, H, seed, dtype, tokens)
    stage = Recorded(nn.Sequential(*[layers[i] for i in stages_of(L, world)[rank]]))
    if prefill:
        for p in stage.parameters():
            p.grad = torch.ones_like(p)
    x, t = make_batch(M * mb, H, seed, dtype, tokens)
    defaults = {"schedule": "1f1b", "dtype": torch.float32}  # left out: the defaults are used
    options = {name: value for name, value in (("schedule", schedule), ("dtype", dtype))
               if value != defaults[name]}
    targets_seen = []

    def loss_fn(out, target):  # the spec's loss, noting which targets each micro-batch's loss got
        targets_seen.append(target.detach().clone())
        return (F.cross_entropy if tokens else F.mse_loss)(out, target)

    loss = pipeline_step(stage, x if rank == 0 or everywhere else None,
                         t if rank == world - 1 or everywhere else None, loss_fn,
                         num_microbatches=M, activation_shape=(mb, H), **options)
    grads = [None if p.grad is None else p.grad.clone() for p in stage.inner.parameters()]
    # the loss goes back as (shape, requires_grad, values): the spec checks it was detached
    if isinstance(loss, torch.Tensor):
        loss = ("tensor", tuple(loss.shape), loss.requires_grad, loss.detach().numpy().copy())
    seen = (stage.inputs if rank == 0 else None, targets_seen if rank == world - 1 else None)
    return loss, grads, stage.events, seen


def _tensor(x):
    """A rank's returned loss or gradient back as a tensor (None and other values as they are)."""
    if isinstance(x, tuple) and x and x[0] == "tensor":
        t = torch.from_numpy(x[3])
        return t.requires_grad_() if x[2] else t
    return x


def reference(c, world):
    """Single-process training on the whole batch: the loss and each rank's expected grads."""
    L, H, mb, M, schedule, dtype, seed, prefill, tokens, _ = c
    layers = make_layers(L, H, seed, dtype, tokens)
    x, t = make_batch(M * mb, H, seed, dtype, tokens)
    loss = (F.cross_entropy if tokens else F.mse_loss)(nn.Sequential(*layers)(x), t)
    loss.backward()
    grads = [[p.grad + (1.0 if prefill else 0.0) for i in idx for p in layers[i].parameters()]
             for idx in stages_of(L, world)]
    return loss.detach(), grads


_RUNS = {}  # (world, case) -> (results, comm): specs sharing a case run it once


def train(world, c, *, rtol=None, atol=None):
    """Run the case on `world` ranks (once per module); compare loss and gradients with
    single-process training. The ranks' communication is left in COMM."""
    __tracebackhide__ = True
    global COMM
    # torch.autograd.backward(y, grad) imports torch.fx's symbolic shapes (sympy, ~1 s) on first
    # use: import it here once, so the forked ranks inherit it instead of each importing it
    import torch.fx.experimental.symbolic_shapes  # noqa: F401
    loss, grads = reference(c, world)
    if (world, c) not in _RUNS:
        _RUNS[(world, c)] = (POOL.run(world, _train, c), POOL.comm)
    results, COMM = _RUNS[(world, c)]
    L, H, mb, M, schedule, dtype, _, _, tokens, _ = c
    label = f"pipeline_step({called(schedule)}, M={M}) on rank {{}} of {world} ({L} layers, {dtype})"
    check_microbatches(results, c, world, label)
    for rank, (got_loss, got_grads, _, _) in enumerate(results):
        got_loss, got_grads = _tensor(got_loss), [_tensor(g) for g in got_grads]
        what = label.format(rank)
        if rank == world - 1:
            if not isinstance(got_loss, torch.Tensor) or got_loss.shape != () or got_loss.requires_grad:
                raise SpecFailure(f"{what} returned {got_loss!r}: the last rank returns the step's loss, "
                                  "the mean of the M micro-batch losses, as a detached scalar tensor")
            assert_close(got_loss, loss, what=f"{what}: the returned loss", rtol=rtol, atol=atol,
                         hint="return the MEAN of the M micro-batch losses (each a mean over its "
                              "micro-batch): it equals the whole batch's loss")
        elif got_loss is not None:
            raise SpecFailure(f"{what} returned {got_loss!r}: only the last rank has the loss; every "
                              "other rank returns None")
        names = [f"layer {i}.{n}" for i in stages_of(L, world)[rank]
                 for n, _ in make_layers(L, H, 0, dtype, tokens)[i].named_parameters()]
        for name, got, expected in zip(names, got_grads, grads[rank]):
            if got is None:
                raise SpecFailure(f"{what}: {name} has no gradient: every stage runs the backward of "
                                  f"every micro-batch. hint: {HINT_GRADS}")
            assert_close(got, expected, what=f"{what}: the gradient of {name}", rtol=rtol, atol=atol,
                         hint=HINT_GRADS)
    return results


def check_microbatches(results, c, world, label):
    """Rank 0's i-th forward got inputs.chunk(M)[i]; the last rank's i-th loss targets.chunk(M)[i]."""
    L, H, mb, M, schedule, dtype, seed, _, tokens, _ = c
    x, t = make_batch(M * mb, H, seed, dtype, tokens)
    for rank, what, whole, seen in ((0, "stage 0's forwards got", x, results[0][3][0]),
                                    (world - 1, "loss_fn got the targets", t, results[-1][3][1])):
        want = list(whole.chunk(M))
        same = lambda got, w: got.shape == w.shape and torch.equal(got, w)  # noqa: E731
        # M calls in order; a loss_fn called r times per micro-batch (say once more for the reported
        # loss) is fine too, its calls in runs of r or in r passes over the micro-batches
        r = len(seen) // M if seen and len(seen) % M == 0 else 0
        if not r or not (all(same(got, want[n // r]) for n, got in enumerate(seen))
                         or all(same(got, want[n % M]) for n, got in enumerate(seen))):
            order = [next((j for j, w in enumerate(want) if same(got, w)), "?") for got in seen]
            raise SpecFailure(
                f"{label.format(rank)}: in its {len(seen)} calls {what} the micro-batches {order} of "
                f"chunk(M) ('?': rows that are no chunk); expected 0, 1, ..., {M - 1}: micro-batch i is "
                f"inputs.chunk(M)[i] (and targets.chunk(M)[i]), consecutive rows, run in order (gradients "
                "alone cannot tell, but a BatchNorm stage, the micro-batch losses or a data order can)")


def called(schedule):
    """How the spec's ranks passed the schedule: 1F1B is left to the default."""
    return "schedule at its default, '1f1b'" if schedule == "1f1b" else f"schedule={schedule!r}"


def expected_order(schedule, world, rank, M):
    if schedule == "gpipe":
        return "F" * M + "B" * M
    w = min(world - rank - 1, M)
    return "F" * w + "FB" * (M - w) + "B" * w


# ---------------------------------------------------------------- partition (no ranks needed)

@pytest.mark.parametrize("layers, world", [(7, 3), (8, 4), (5, 2), (4, 4), (6, 1), (10, 4)])
def test_partition_earlier_stages_take_the_extra_layers(layers, world):
    got = partition(layers, world)
    expected = [range(idx[0], idx[-1] + 1) for idx in stages_of(layers, world)]
    if not isinstance(got, list) or not all(isinstance(r, range) for r in got):
        raise SpecFailure(f"partition({layers}, {world}) returned {got!r}; expected a list of range objects "
                          f"{expected} (range(start, stop) per stage, not lists of indices)")
    if [list(r) for r in got] != [list(r) for r in expected]:
        raise SpecFailure(f"partition({layers}, {world}) returned {got}; expected {expected}: contiguous "
                          f"stages of {layers} // {world} layers, the first {layers} % {world} one larger")


@pytest.mark.parametrize("layers, world", [(2, 3), (0, 1), (3, 0), (3, -1)])
def test_partition_refuses_an_empty_stage(layers, world):
    assert_raises(ValueError, partition, layers, world, mentions=(layers, world),
                  contract=f"partition({layers}, {world}): every stage needs at least one layer")


# ---------------------------------------------------------------- training on ranks

@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
@pytest.mark.parametrize("world, M", [(2, 3), (4, 6), (4, 2), (2, 1)])
def test_matches_single_process_training(schedule, world, M):  # (4, 6) and (4, 2): shared runs
    train(world, case(world, M, schedule))


@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
def test_gradients_accumulate(schedule):
    train(2, case(2, 2, schedule, prefill=True))


def test_float64():
    train(2, case(2, 3, "1f1b", dtype=torch.float64, layers=4), rtol=1e-10, atol=1e-12)


def test_token_inputs_and_non_contiguous_outputs():
    """inputs are int64 token ids (an nn.Embedding first), targets int64 class indices (F.cross_entropy):
    dtype= is the ACTIVATIONS' dtype, inputs and targets go to the stages as they are. Every stage's
    output is non-contiguous: send .contiguous()."""
    for schedule in ("gpipe", "1f1b"):
        train(2, case(2, 2, schedule, tokens=True))


def test_inputs_and_targets_given_to_every_rank():
    """inputs and targets are ignored off rank 0 / the last rank: the rank decides its role."""
    train(4, case(4, 2, "1f1b", everywhere=True))


def test_one_rank():
    for schedule in ("gpipe", "1f1b"):
        train(1, case(1, 3, schedule, layers=2))
        if COMM[0].ops:
            raise SpecFailure(f"pipeline_step on 1 rank communicated: {COMM[0].summary()}; one stage "
                              "holds the whole model")


@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
@pytest.mark.parametrize("world, M", [(4, 6), (4, 2)])
def test_schedule_order(schedule, world, M):
    for rank, (_, _, events, _) in enumerate(train(world, case(world, M, schedule))):
        order, expected = "".join(e[0] for e in events), expected_order(schedule, world, rank, M)
        backwards = [int(e[1:]) for e in events if e[0] == "B"]
        if order == expected and backwards != list(range(M)):
            raise SpecFailure(
                f"pipeline_step(schedule={schedule!r}) on rank {rank} of {world} with M = {M} ran the "
                f"backwards of micro-batches {backwards}; expected {list(range(M))}: backwards always go in "
                "micro-batch order, the oldest stored micro-batch first (a queue: pop(0), not a stack's "
                "pop()), in GPipe too")
        if order != expected:
            raise SpecFailure(
                f"pipeline_step({called(schedule)}) on rank {rank} of {world} with M = {M} ran its "
                f"forwards and backwards as {' '.join(order)}; expected {' '.join(expected)}. "
                + ("GPipe: every forward, then every backward" if schedule == "gpipe" else
                   f"1F1B: w = min(W - r - 1, M) = {min(world - rank - 1, M)} warm-up forwards, then "
                   "(forward, backward) pairs, then the last w backwards"))


@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
def test_stored_activations(schedule):
    world, M = 4, 6
    for rank, (_, _, events, _) in enumerate(train(world, case(world, M, schedule))):
        alive = peak = 0
        for e in events:
            alive += 1 if e[0] == "F" else -1
            peak = max(peak, alive)
        bound = M if schedule == "gpipe" else world - rank
        if peak != bound:
            raise SpecFailure(
                f"pipeline_step(schedule={schedule!r}) on rank {rank} of {world}, M = {M}: at most {peak} "
                f"micro-batches were between their forward and their backward; "
                + (f"GPipe keeps all M = {M}" if schedule == "gpipe" else
                   f"1F1B's warm-up of min(W - r - 1, M) forwards then one forward per backward keeps "
                   f"exactly W - r = {bound} here, never more (the point of 1F1B: bounded by the stages, "
                   "not by M), and no fewer (fewer means the pipe never fills)"))


@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
def test_point_to_point_traffic(schedule):
    world, M, mb, H = 4, 6, 2, 4
    train(world, case(world, M, schedule, mb=mb, hidden=H))
    size = mb * H * 4
    for rank, log in enumerate(COMM):
        other = [op for op in log.ops if op.name not in P2P]
        if other:
            raise SpecFailure(f"pipeline_step on rank {rank} called {', '.join(map(str, other))}: a pipeline "
                              "only passes activations and gradients to its neighbours (send/recv)")
        for kind, names in (("sent", ("send", "isend")), ("received", ("recv", "irecv"))):
            ops = log.calls(*names)
            peers = sorted(op.peer for op in ops if op.peer is not None)
            expected_peers = sorted([rank + 1] * M * (rank < world - 1) + [rank - 1] * M * (rank > 0))
            sizes = {op.bytes for op in ops}
            if len(ops) != len(expected_peers) or (len(peers) == len(ops) and peers != expected_peers) \
                    or (ops and sizes != {size}):
                raise SpecFailure(
                    f"pipeline_step(schedule={schedule!r}) on rank {rank} of {world}, M = {M}: {kind} "
                    f"{log.summary(20)}; expected {M} activations to rank {rank + 1} (if r < W - 1) and "
                    f"{M} gradients to rank {rank - 1} (if r > 0), each activation_shape x dtype = "
                    f"{size} bytes, and as many received")
        unwaited = [str(op) for op in log.ops if op.async_op and not op.waited]
        if unwaited:
            raise SpecFailure(
                f"pipeline_step(schedule={schedule!r}) on rank {rank} of {world} returned without waiting "
                f"{len(unwaited)} of its async handles ({', '.join(unwaited[:4])}): keep every handle "
                "dist.isend/irecv/batch_isend_irecv returns and call .wait() on each before returning "
                "(until then the message may not have left, and its buffer must stay untouched)")


def _two_steps(rank, world, schedule):
    """Two pipeline_step calls on the same stage, on two different batches, no zero_grad between
    them (gradient accumulation over two steps, as a training loop with accumulation does)."""
    L, H, mb, M = world + 1, 4, 2, 2
    layers = make_layers(L, H, 5, torch.float32)
    stage = nn.Sequential(*[layers[i] for i in stages_of(L, world)[rank]])
    losses = []
    for step in range(2):
        x, t = make_batch(M * mb, H, 50 + step, torch.float32)
        loss = pipeline_step(stage, x if rank == 0 else None, t if rank == world - 1 else None, F.mse_loss,
                             num_microbatches=M, activation_shape=(mb, H), schedule=schedule)
        losses.append(None if loss is None else float(loss))
    return losses, [None if p.grad is None else p.grad.clone() for p in stage.parameters()]


@pytest.mark.parametrize("schedule", ["gpipe", "1f1b"])
def test_two_steps_on_one_stage(schedule):
    """Nothing kept from one step to the next: a receive buffer kept (on the stage, in a dict) as a
    leaf that requires grad keeps its .grad, and the next step sends old + new gradient back."""
    world, L, H, mb, M = 2, 3, 4, 2, 2
    layers = make_layers(L, H, 5, torch.float32)
    model, want = nn.Sequential(*layers), []
    for step in range(2):
        x, t = make_batch(M * mb, H, 50 + step, torch.float32)
        loss = F.mse_loss(model(x), t)
        loss.backward()
        want.append(loss.item())
    grads = [[p.grad for i in idx for p in layers[i].parameters()] for idx in stages_of(L, world)]
    for rank, (losses, got) in enumerate(POOL.run(world, _two_steps, schedule)):
        what = f"two pipeline_step(schedule={schedule!r}, M={M}) calls on one stage, rank {rank} of {world}"
        if rank == world - 1:
            assert_close(torch.tensor(losses), torch.tensor(want), what=f"{what}: the two returned losses")
        for k, (g, e) in enumerate(zip(got, grads[rank])):
            if g is None:
                raise SpecFailure(f"{what}: parameter {k} of the stage has no gradient")
            assert_close(g, e, what=f"{what}: the gradient of the stage's parameter {k} (both steps accumulated)",
                         hint="each step starts fresh: new receive buffers (or .grad = None on reused "
                              "ones), nothing kept on the stage or in a module-level cache between calls; "
                              "a kept activation leaf keeps its .grad and the next step sends it back again")


def _unknown(rank, world, schedule):
    try:
        pipeline_step(nn.Linear(2, 2), torch.zeros(2, 2), torch.zeros(2, 2), F.mse_loss,
                      num_microbatches=1, activation_shape=(2, 2), schedule=schedule)
    except ValueError as e:
        return str(e)
    return None


@pytest.mark.parametrize("schedule", ["interleaved", "GPipe"])
def test_unknown_schedule_raises(schedule):
    """'GPipe': the names are exact ("gpipe", "1f1b"); another spelling is another schedule. On one
    rank too: the check comes before a W = 1 shortcut."""
    for world in (2, 1):
        _unknown_raises_everywhere(schedule, world)


def _unknown_raises_everywhere(schedule, world):
    for rank, text in enumerate(POOL.run(world, _unknown, schedule)):
        if text is None or schedule not in text:
            raise SpecFailure(f"pipeline_step(schedule={schedule!r}) on rank {rank} of {world} "
                              + ("did not raise ValueError" if text is None else f"raised {text!r}")
                              + ": an unknown schedule is a ValueError naming it (the schedules are exactly "
                              "'gpipe' and '1f1b': no case folding, no prefix matching; on one rank too, "
                              "before any W = 1 shortcut)")
        if POOL.comm[rank].ops:
            raise SpecFailure(f"pipeline_step(schedule={schedule!r}) communicated before raising: "
                              f"{POOL.comm[rank].summary()}; check the schedule first")


def test_float16_activations_travel_in_float16():
    """dtype=torch.float16: activations and gradients are sent and received as float16
    (activation_shape x 2 bytes each, no float32 wire format)."""
    world, M, mb, H = 2, 2, 2, 4
    train(world, case(world, M, "1f1b", mb=mb, hidden=H, dtype=torch.float16), rtol=0.1, atol=0.05)
    size = mb * H * 2
    for rank, log in enumerate(COMM):
        ops = log.calls("send", "isend", "recv", "irecv")
        if len(ops) != 2 * M or {op.bytes for op in ops} != {size}:
            raise SpecFailure(
                f"pipeline_step(dtype=torch.float16, M={M}) on rank {rank} of {world}: sent and received "
                f"{log.summary(20)}; expected {M} sends and {M} receives of activation_shape x float16 = "
                f"{size} bytes each: send the float16 tensor as it is and receive into a buffer of dtype: "
                "an upcast to float32 for the wire doubles the bytes")
