"""Specs for katas/distributed/ddp.py (day 40): a DDP wrapper on real gloo process groups of 2
and 4 ranks (harness.distributed), compared with single-process training on the
concatenated batch, and its communication read from each rank's log.

The model (`_Net`, float64 so that a different summation order is invisible at rtol 1e-9) has
three Linear layers, a frozen parameter, a float buffer, an int64 buffer (unused in
forward, like BatchNorm's num_batches_tracked) and a non-persistent float buffer (left out
of state_dict(), unused in forward), all initialised from a seed that
depends on the rank: only the broadcast from rank 0 makes the ranks agree. The parent builds
the reference (rank 0's initial weights, trained on the whole batch with a mean loss) and
compares every rank's parameters and gradients with it. Trainable gradients in reverse
order: 80, 40, 240, 48, 192 bytes (600 in all); with bucket_bytes=300 the greedy buckets
hold 120, 288 and 192 bytes (forward order would give 240, 280, 80).

Contract-to-spec map:
- bucket_bytes <= 0: ValueError naming it, before any communication: bucket_bytes_must_be_positive
- wraps module as self.module, forward = module(...) (keyword arguments passed on), no communication:
  forward_is_the_modules_and_communicates_nothing
- every parameter and buffer broadcast from rank 0 (frozen ones, integer buffers (odd values
  past 2**53: no trip through float64) and
  non-persistent buffers, which state_dict() leaves out, too), in
  place (same tensor
  objects and storage); only
  broadcasts from rank 0, their bytes the parameters' and buffers' total:
  construction_copies_rank_0s_parameters_and_buffers (an async broadcast's handle waited before
  the constructor returns: the same spec)
- after finish_gradient_synchronization, .grad = the full batch's gradient (the average of the
  ranks'), same shape and dtype: gradients_are_the_full_batch_average
- a parameter shared by two layers (module.parameters() yields it once): one bucket, broadcast
  and all-reduced once: a_shared_parameter_counts_once
- the bucket holds the accumulated .grad (no zero_grad between steps: the previous average plus
  this backward's): gradients_accumulate_without_zero_grad
- a parameter of non-contiguous layout (its gradient too): a_non_contiguous_parameter
- equal to single-process training on the concatenated batch, step after step (W = 2, 4):
  training_equals_one_process_on_the_whole_batch
- buckets: reverse order, greedy, <= bucket_bytes or one larger parameter, one all-reduce each,
  together the trainable gradient bytes (bucket_bytes 300, exactly 288, 1, 100 where a
  larger parameter sits between smaller ones, 1 MiB): one_all_reduce_per_bucket
- buckets by reverse registration order even when backward's gradient order differs, and
  every handle matched to its own bucket when they launch out of bucket order (a model
  registering its last layer first): buckets_follow_parameter_order_not_gradient_order
- launched from hooks while backward runs, async_op=True: all_reduces_launch_during_backward
- nothing waits inside backward; every handle waited by finish; finish launches nothing:
  handles_are_waited_in_finish_not_in_backward
- frozen parameters: no bucket, .grad stays None: frozen_parameters_get_no_gradient; a frozen
  parameter between trainable ones adds no bytes to a bucket: a_frozen_parameter_takes_no_bucket_space
- "exactly the gradient bytes": a bfloat16 model all-reduces 2-byte elements (no float32
  bucket), its .grad stays bfloat16: a_bfloat16_model_reduces_in_bfloat16
- the next backward starts afresh (every bucket launches again): covered by the 3-step
  training and one_all_reduce_per_bucket's second step
- off limits: torch's DistributedDataParallel (its C++ reducer's all-reduces never reach
  torch.distributed.all_reduce: one_all_reduce_per_bucket sees none)
"""

import torch
from torch import nn

from harness.checks import assert_close, assert_raises
from harness.distributed import RankPool, comm_log
from harness.failures import fail
from katas.distributed.ddp import DDP

POOL = RankPool()
B = 3  # samples per rank
TOL = dict(rtol=1e-9, atol=1e-12)
SIZES_300 = [120, 192, 288]


class _Net(nn.Module):
    def __init__(self, seed: int):
        super().__init__()
        torch.manual_seed(seed)
        self.a = nn.Linear(4, 6)
        self.frozen = nn.Parameter(torch.randn(6), requires_grad=False)
        self.b = nn.Linear(6, 5)
        self.c = nn.Linear(5, 2, bias=False)
        self.register_buffer("scale", torch.rand(2) + 0.5)
        self.register_buffer("count", torch.randint(0, 1000, (3,)) * 2 + 1 + 2 ** 53)  # int64 past 2**53:
        # "every buffer", not only float ones, broadcast as int64 (a float64 copy rounds these)
        self.register_buffer("running", torch.randn(2), persistent=False)  # "every buffer": not in state_dict()
        self.double()

    def forward(self, x):
        h = torch.tanh(self.a(x) + self.frozen)
        return self.c(torch.tanh(self.b(h))) * self.scale


class _Reordered(_Net):
    """_Net with c registered first: reverse registration order (b, a, c) is not the order
    backward produces the gradients (c, b, a), so buckets launch out of their order."""

    def __init__(self, seed: int):
        nn.Module.__init__(self)
        torch.manual_seed(seed)
        self.c = nn.Linear(5, 2, bias=False)
        self.a = nn.Linear(4, 6)
        self.frozen = nn.Parameter(torch.randn(6), requires_grad=False)
        self.b = nn.Linear(6, 5)
        self.register_buffer("scale", torch.rand(2) + 0.5)
        self.register_buffer("count", torch.randint(0, 1000, (3,)) * 2 + 1 + 2 ** 53)  # int64 past 2**53:
        # "every buffer", not only float ones, broadcast as int64 (a float64 copy rounds these)
        self.double()


class _Tied(nn.Module):
    """A weight shared by two layers (c.weight IS a.weight, as tied embeddings are): one
    parameter of module.parameters(), in one bucket once, broadcast once."""

    def __init__(self, seed: int):
        super().__init__()
        torch.manual_seed(seed)
        self.a = nn.Linear(4, 4, dtype=torch.float64)
        self.b = nn.Linear(4, 2, dtype=torch.float64)
        self.c = nn.Linear(4, 4, dtype=torch.float64)
        self.c.weight = self.a.weight

    def forward(self, x):
        return self.b(torch.tanh(self.c(torch.tanh(self.a(x)))))


class _Strided(nn.Module):
    """A parameter whose layout is not contiguous (a transposed weight, as channels_last
    convolutions have): its .grad takes the parameter's strides, so .grad.view(-1) fails."""

    def __init__(self, seed: int):
        super().__init__()
        torch.manual_seed(seed)
        self.a = nn.Linear(4, 3, dtype=torch.float64)
        self.w = nn.Parameter(torch.randn(2, 3, dtype=torch.float64).t())  # (3, 2), strides (1, 3)

    def forward(self, x):
        return torch.tanh(self.a(x)) @ self.w


MODELS = {"_Net": _Net, "_Reordered": _Reordered, "_Tied": _Tied, "_Strided": _Strided}


def _batch(step: int, world: int):
    gen = torch.Generator().manual_seed(500 + step)
    return (torch.randn(world * B, 4, generator=gen, dtype=torch.float64),
            torch.randn(world * B, 2, generator=gen, dtype=torch.float64))


def _sgd_step(module: nn.Module, lr: float = 0.2) -> None:
    """Plain SGD by hand: torch.optim's first step imports torch._dynamo (~1.5 s in every
    freshly forked rank)."""
    with torch.no_grad():
        for p in module.parameters():
            if p.grad is not None:
                p -= lr * p.grad


def _state(module: nn.Module) -> dict:
    return {name: t.detach().clone() for name, t in [*module.named_parameters(), *module.named_buffers()]}


def _grads(module: nn.Module) -> dict:
    return {name: None if p.grad is None else p.grad.clone() for name, p in module.named_parameters()}


def _train(rank, world, bucket_bytes, steps, model="_Net", accumulate=False):
    """Per rank: the state after construction, then per step the gradients after finish, the
    parameters after the step and the communication of forward, backward and finish."""
    net = MODELS[model](seed=100 + rank)
    tensors = [*net.parameters(), *net.buffers()]
    storages = [t.untyped_storage().data_ptr() for t in tensors]
    with comm_log() as built:
        ddp = DDP(net, bucket_bytes)
    in_place = [name for (name, t), old, ptr in zip([*net.named_parameters(), *net.named_buffers()], tensors, storages)
                if t is not old or t.untyped_storage().data_ptr() != ptr]
    out = {"initial": _state(net), "built": built, "replaced": in_place, "steps": []}
    for step in range(steps):
        x, y = _batch(step, world)
        if not (accumulate and step):  # accumulate: no zero_grad after the first step
            net.zero_grad()
        with comm_log() as forward:
            loss = nn.functional.mse_loss(ddp(x[rank * B:(rank + 1) * B]), y[rank * B:(rank + 1) * B])
        with comm_log() as backward:
            loss.backward()
        with comm_log() as finish:
            ddp.finish_gradient_synchronization()
        grads = _grads(net)
        _sgd_step(net)
        out["steps"].append(dict(grads=grads, params=_state(net), forward=forward, backward=backward,
                                 finish=finish))
    return out


def _reference(world: int, steps: int, model: str = "_Net", accumulate: bool = False) -> list[dict]:
    """Single-process training on the whole batch from rank 0's initial weights."""
    net = MODELS[model](seed=100)
    out = []
    for step in range(steps):
        x, y = _batch(step, world)
        if not (accumulate and step):
            net.zero_grad()
        nn.functional.mse_loss(net(x), y).backward()
        grads = _grads(net)
        _sgd_step(net)
        out.append(dict(grads=grads, params=_state(net)))
    return out


_RUNS: dict = {}


def _run(world: int, bucket_bytes: int = 300, steps: int = 2, model: str = "_Net",
         accumulate: bool = False) -> list[dict]:
    key = (world, bucket_bytes, steps, model, accumulate)
    if key not in _RUNS:
        _RUNS[key] = POOL.run(world, _train, bucket_bytes, steps, model, accumulate)
    return _RUNS[key]


# ---------------------------------------------------------------- values
def _bad_bucket(rank, world):
    for bad in (0, -5):
        with comm_log() as log:
            assert_raises(ValueError, DDP, _Net(seed=1), bad, what=f"DDP(module, bucket_bytes={bad})",
                          contract='bucket_bytes <= 0 raises ValueError("bucket_bytes must be positive, '
                                   'got <bucket_bytes>"), before any communication', mentions=(bad,))
        if log.ops:
            fail(f"DDP(module, bucket_bytes={bad}) communicated ({log.summary()}) before raising: "
                 f"check the arguments first")


def test_bucket_bytes_must_be_positive():
    POOL.run(2, _bad_bucket)


def _forward(rank, world):
    net = _Net(seed=100 + rank)
    ddp = DDP(net, 300)
    if ddp.module is not net:
        fail("DDP(module, ...).module must be the module itself (not a copy)")
    x = torch.randn(B, 4, dtype=torch.float64)
    with comm_log() as log:
        got = ddp(x)
        by_name = ddp(x=x)
    assert_close(got, net(x), what=f"rank {rank}: DDP(module)(x) vs module(x)")
    assert_close(by_name, net(x), what=f"rank {rank}: DDP(module)(x=x) vs module(x) (a keyword argument)",
                 hint="forward(*args, **kwargs) -> self.module(*args, **kwargs): pass keyword arguments on")
    if log.ops:
        fail(f"rank {rank}: DDP's forward communicated ({log.summary()}): forward is the module's own; "
             f"the all-reduces belong to backward")


def test_forward_is_the_modules_and_communicates_nothing():
    POOL.run(2, _forward)


def test_construction_copies_rank_0s_parameters_and_buffers():
    expected = _state(_Net(seed=100))
    results = _run(2)
    for rank, result in enumerate(results):  # before the values: an unwaited broadcast makes them a race
        result["built"].assert_waited(f"rank {rank}: DDP(...)",
                                      "the parameters may still hold this rank's own values when training starts",
                                      "broadcast without async_op (it returns when done), or wait() every handle "
                                      "before the constructor returns")
    for rank, result in enumerate(results):  # values on every rank first: they name what was missed
        for name, value in expected.items():
            assert_close(result["initial"][name], value, rtol=0, atol=0,
                         what=f"rank {rank}: {name} after DDP(...) (rank 0's initial value)",
                         hint="broadcast every parameter AND buffer (frozen ones too, and non-persistent "
                              "buffers, which state_dict() leaves out: walk module.parameters() and "
                              "module.buffers()) from rank 0, in place: dist.broadcast(tensor, src=0) "
                              "under torch.no_grad(); each in its own dtype (a flat float copy rounds "
                              "int64 values past 2**53)")
    for rank, result in enumerate(results):
        if result["replaced"]:
            fail(f"rank {rank}: DDP(...) replaced {result['replaced']} (a new tensor, or new storage as "
                 f"param.data = ... and vector_to_parameters give) instead of writing rank 0's values into "
                 f"them in place: an optimizer made before DDP, or a view of a parameter, would no longer "
                 f"see the model's values", "dist.broadcast(tensor, src=0) writes into the tensor you pass; "
                 "to broadcast one flat copy, copy_ its slices back into the parameters")
        built = result["built"]
        total = sum(t.numel() * t.element_size() for t in expected.values())
        if set(built.names()) != {"broadcast"} or any(op.peer != 0 for op in built.ops) or built.bytes() != total:
            fail(f"rank {rank}: DDP(...) communicated {built.summary()}; expected broadcasts from "
                 f"rank 0 only, of the parameters' and buffers' {total} bytes, each once")


def test_gradients_are_the_full_batch_average():
    reference = _reference(2, 1)[0]["grads"]
    for rank, result in enumerate(_run(2)):
        for name, value in reference.items():
            if value is None:
                continue
            assert_close(result["steps"][0]["grads"][name], value, **TOL,
                         what=f"rank {rank}: {name}.grad after finish_gradient_synchronization "
                              f"(the gradient of the mean loss over both ranks' samples)",
                         hint="each rank's gradient is of ITS mean loss: the all-reduce sums W of them; "
                              "divide the sum by W exactly once")


def test_a_non_contiguous_parameter():
    reference = _reference(2, 2, "_Strided")
    for rank, result in enumerate(_run(2, 1 << 20, 2, "_Strided")):
        for step, record in enumerate(result["steps"]):
            for name, value in reference[step]["grads"].items():
                assert_close(record["grads"][name], value, **TOL,
                             what=f"rank {rank}, step {step + 1}: {name}.grad of a model whose w is a "
                                  f"transposed (non-contiguous) Parameter",
                             hint="a gradient has its parameter's strides: flatten with .reshape(-1) (or "
                                  "torch.cat of reshapes), and write back with grad.copy_(flat_slice."
                                  "view_as(grad)); .view(-1) fails on a non-contiguous gradient")


def test_training_equals_one_process_on_the_whole_batch():
    for world, steps in ((2, 2), (4, 3)):
        reference = _reference(world, steps)
        for rank, result in enumerate(_run(world, 300, steps)):
            for step in range(steps):
                for name, value in reference[step]["params"].items():
                    assert_close(result["steps"][step]["params"][name], value, **TOL,
                                 what=f"rank {rank} of {world}: {name} after step {step + 1}",
                                 hint="every step must see the averaged gradients of THIS backward: "
                                      "reset the buckets after finish_gradient_synchronization")


def test_gradients_accumulate_without_zero_grad():
    reference = _reference(2, 2, accumulate=True)[1]["grads"]
    for rank, result in enumerate(_run(2, 300, 2, accumulate=True)):
        for name, value in reference.items():
            if value is not None:
                assert_close(result["steps"][1]["grads"][name], value, **TOL,
                             what=f"rank {rank}: {name}.grad after a second backward with no zero_grad() "
                                  f"(step 1's averaged gradient plus step 2's)",
                             hint="all-reduce the accumulated .grad (what register_post_accumulate_grad_hook "
                                  "sees), not only this backward's contribution (what a register_hook "
                                  "hook receives), and write the average into .grad; launch a bucket when "
                                  "its hooks have fired in THIS backward (count them), not when every "
                                  ".grad is not None (the last step's .grad is not None)")


def test_a_shared_parameter_counts_once():
    net = _Tied(seed=0)
    params = sum(p.numel() * p.element_size() for p in net.parameters())  # a.weight once
    reference = _reference(2, 1, "_Tied")[0]["grads"]
    for rank, result in enumerate(_run(2, 1 << 20, 1, "_Tied")):
        built, backward = result["built"], result["steps"][0]["backward"]
        if built.bytes("broadcast") != params or backward.bytes("all_reduce") != params:
            fail(f"rank {rank}: with c.weight the same Parameter as a.weight ({params} bytes of "
                 f"parameters), construction broadcast {built.bytes('broadcast')} bytes and backward "
                 f"all-reduced {backward.bytes('all_reduce')}: a shared parameter is in one bucket, once",
                 "walk module.parameters(), which yields a shared parameter once (module.modules() with "
                 "parameters(recurse=False) yields it once per module that holds it)")
        for name, value in reference.items():
            assert_close(result["steps"][0]["grads"][name], value, **TOL,
                         what=f"rank {rank}: {name}.grad of a model whose a.weight is also c.weight")


def test_frozen_parameters_get_no_gradient():
    for rank, result in enumerate(_run(2)):
        if result["steps"][0]["grads"]["frozen"] is not None:
            fail(f"rank {rank}: the frozen parameter (requires_grad=False) has a .grad after "
                 f"finish_gradient_synchronization: frozen parameters are in no bucket")


# ---------------------------------------------------------------- communication
def test_one_all_reduce_per_bucket():
    cases = ((300, SIZES_300, "bucket_bytes=300"),
             (288, SIZES_300, "bucket_bytes=288: a bucket may hold exactly bucket_bytes"),
             (1, [40, 48, 80, 192, 240], "bucket_bytes=1: one each"),
             (100, [40, 48, 80, 192, 240], "bucket_bytes=100: 240 and 192 are over it, so each gets a "
                                           "bucket of its own and the parameter after it starts a new one"),
             (1 << 20, [600], "bucket_bytes=1 MiB: one bucket"))
    for bucket_bytes, sizes, label in cases:
        for rank, result in enumerate(_run(2, bucket_bytes)):
            for step, record in enumerate(result["steps"]):
                got = sorted(op.bytes for op in record["backward"].calls("all_reduce"))
                if got != sizes:
                    fail(f"rank {rank}, step {step + 1}, {label}: backward all-reduced buckets of {got} "
                         f"bytes; expected {sizes} (one all-reduce per bucket)\n  backward's "
                         f"communication: {record['backward'].summary()}",
                         "take the trainable parameters in reverse order of module.parameters(); start "
                         "a new bucket when adding the next would exceed bucket_bytes; flatten each "
                         "bucket's gradients into ONE tensor for one dist.all_reduce")


def test_buckets_follow_parameter_order_not_gradient_order():
    """_Reordered: buckets by reverse registration order are 280, 240, 80 bytes (b, a, c);
    backward finishes c's first, so the buckets launch in the order 2, 0, 1."""
    reference = _reference(2, 2, "_Reordered")
    for rank, result in enumerate(_run(2, 300, 2, "_Reordered")):
        for step, record in enumerate(result["steps"]):
            got = sorted(op.bytes for op in record["backward"].calls("all_reduce"))
            if got != [80, 240, 280]:
                fail(f"rank {rank}, step {step + 1}: with c registered first (reverse order b.bias 40, "
                     f"b.weight 240, a.bias 48, a.weight 192, c.weight 80 bytes) and bucket_bytes=300, "
                     f"backward all-reduced buckets of {got} bytes; expected [80, 240, 280]",
                     "group by REVERSE order of module.parameters(), fixed at construction, not by the "
                     "order gradients arrive in backward")
            for name, value in reference[step]["grads"].items():
                if value is not None:
                    assert_close(record["grads"][name], value, **TOL,
                                 what=f"rank {rank}, step {step + 1}: {name}.grad of a model whose buckets "
                                      f"launch out of order (c's bucket, the last, finishes first)",
                                 hint="remember which bucket each handle belongs to: the handles complete "
                                      "in the order backward reaches the buckets, not in bucket order")


def test_all_reduces_launch_during_backward():
    for rank, result in enumerate(_run(2)):
        record = result["steps"][0]
        late = record["finish"].calls("all_reduce")
        if late or not record["backward"].calls("all_reduce"):
            fail(f"rank {rank}: finish_gradient_synchronization launched {len(late)} all-reduce(s): "
                 f"buckets launch from the gradient hooks while backward runs, so communication "
                 f"overlaps the rest of backward", "param.register_post_accumulate_grad_hook(hook)")
        for op in record["backward"].calls("all_reduce"):
            if not op.in_backward or not op.async_op:
                fail(f"rank {rank}: {op} at {op.where or '?'} was launched "
                     f"{'outside backward' if not op.in_backward else 'with async_op=False'}: "
                     f"launch each bucket from a gradient hook with async_op=True and keep the handle")


def test_handles_are_waited_in_finish_not_in_backward():
    for rank, result in enumerate(_run(2)):
        record = result["steps"][0]
        for wait in [w for w in record["backward"].waits if w.in_backward]:
            op = record["backward"].ops[wait.op]
            fail(f"rank {rank}: the handle of {op} was waited during backward: the next gradients "
                 f"wait for this bucket's communication instead of overlapping with it",
                 "keep the handles; wait for them in finish_gradient_synchronization")
        for op in record["backward"].calls("all_reduce"):
            if not op.waited:
                fail(f"rank {rank}: the handle of {op} was never waited: finish_gradient_synchronization "
                     f"must wait every bucket before the gradients are read")
        if record["finish"].ops:
            fail(f"rank {rank}: finish_gradient_synchronization communicated {record['finish'].summary()}: "
                 f"it only waits for the buckets' all-reduces")


def _bfloat16(rank, world):
    """Linear(3, 2) in bfloat16: 8 elements, 16 bytes of gradient, one bucket."""
    net = nn.Linear(3, 2).to(torch.bfloat16)
    ddp = DDP(net, 1 << 20)
    x = torch.full((2, 3), 0.5 + rank, dtype=torch.bfloat16)
    loss = ddp(x).float().square().mean()
    with comm_log() as log:
        loss.backward()
        ddp.finish_gradient_synchronization()
    return [(op.name, op.bytes) for op in log.calls()], [p.grad.dtype for p in net.parameters()]


def test_a_bfloat16_model_reduces_in_bfloat16():
    for rank, (sent, dtypes) in enumerate(POOL.run(2, _bfloat16)):
        if sent != [("all_reduce", 16)]:
            fail(f"rank {rank}: backward and finish of a bfloat16 Linear(3, 2) (8 gradient elements, "
                 f"16 bytes) communicated {sent}; expected one all-reduce of 16 bytes: the buckets "
                 "hold exactly the gradient bytes, in the gradients' own dtype",
                 "flatten the bucket with torch.cat of the gradients as they are: no .float() "
                 "before the all-reduce, which doubles its bytes")
        if dtypes != [torch.bfloat16, torch.bfloat16]:
            fail(f"rank {rank}: a bfloat16 model's .grad came back as {dtypes}; expected bfloat16 "
                 "(same shape and dtype)", "write the average back with param.grad.copy_(...)")


def _frozen_in_the_middle(rank, world):
    """Reverse order: c.weight 80 B, b.bias (frozen) 40 B, b.weight 240 B, a.bias 48 B,
    a.weight 192 B. bucket_bytes=320: [c.weight, b.weight] = 320, [a.bias, a.weight] = 240."""
    torch.manual_seed(7)
    net = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 5), nn.Tanh(),
                        nn.Linear(5, 2, bias=False)).double()
    net[2].bias.requires_grad_(False)
    ddp = DDP(net, 320)
    loss = ddp(torch.ones(2, 4, dtype=torch.float64)).square().mean()
    with comm_log() as log:
        loss.backward()
    ddp.finish_gradient_synchronization()
    return sorted(op.bytes for op in log.calls("all_reduce"))


def test_a_frozen_parameter_takes_no_bucket_space():
    for rank, got in enumerate(POOL.run(2, _frozen_in_the_middle)):
        if got != [240, 320]:
            fail(f"rank {rank}: a frozen bias between trainable parameters, bucket_bytes=320: backward "
                 f"all-reduced buckets of {got} bytes; expected [240, 320] (c.weight 80 + b.weight 240, "
                 "then a.bias 48 + a.weight 192): a frozen parameter is in no bucket and adds nothing "
                 "to a bucket's size", "filter on requires_grad first, then group greedily: "
                 "reversed([p for p in module.parameters() if p.requires_grad])")
