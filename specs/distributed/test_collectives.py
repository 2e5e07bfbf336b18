"""Specs for katas/distributed/collectives.py (day 39): ring all-reduce, all-gather and
reduce-scatter from send/recv, run on real gloo process groups of 1, 2 and 4 ranks
(harness.distributed forks them once per spec module and reuses them).

Each rank's input is a seeded function of its rank and the case (`_input`), so the parent
computes every rank's expected result independently (a float64 sum or a concatenation of all
ranks' inputs); one spec also compares with torch.distributed's own all_reduce on the same
ranks. Communication is read from harness.distributed's log of every rank's calls: names,
peers, message sizes in call order, handles waited.

Contract-to-spec map:
- ring_all_reduce: the element-wise sum on every rank, shape and dtype kept (float32,
  float64, int64; 0-d; ragged N; N < W leaving chunks empty) on 2 and 4 ranks:
  all_reduce_sums_every_rank; "what dist.all_reduce computes": all_reduce_equals_the_builtin;
  the sum in the input's own dtype (int64 near 2 ** 60, float64 1 + 2 ** -40: no float32 or
  float64 detour), all-reduce and reduce-scatter: sums_are_exact_in_the_inputs_dtype
- any world size (3 ranks: indices modulo W, not a power-of-two mask): an_odd_number_of_ranks
- "any dtype gloo sends": float16, bfloat16, int32 and int8 results keep their dtype, all three
  functions: every_dtype_is_kept
- ring_all_gather: ranks' tensors concatenated along dim 0 in rank order, 0-d -> (W,):
  all_gather_concatenates_in_rank_order
- ring_reduce_scatter: block r of torch.tensor_split(sum, W, dim=0), zero rows when rows < W:
  reduce_scatter_returns_this_ranks_block; 0-d ValueError and its message, on 2 ranks and on
  1 (no W = 1 shortcut before the check): reduce_scatter_of_a_0d_tensor_raises
- a NEW tensor per call (no output buffer cached between calls, that the next call overwrites):
  every_call_returns_its_own_new_tensor
- "returns a NEW tensor, the input unchanged" (the guard checks the input after every call;
  a W = 1 result must not share the input's storage), "inputs may be non-contiguous":
  non_contiguous_inputs, one_rank_returns_a_copy_and_sends_nothing
- off limits: every collective; only send/recv/isend/irecv: only_send_and_recv_are_used
- the ring: sends only to (r + 1) % W, receives only from (r - 1) % W:
  messages_go_to_the_ring_neighbours
- tensor_split's chunks, the schedules (which chunk or block each step sends and receives),
  2 (W - 1) / W - 1 messages per rank, totals 2 (W - 1) N and (W - 1) N, each all-gather
  message a whole input; N < W (one chunk per message, empty ones may be left out, never the
  whole tensor): all_reduce_messages_follow_the_ring_schedule,
  all_gather_messages_follow_the_ring_schedule, reduce_scatter_messages_follow_the_ring_schedule
- every isend/irecv handle waited before returning: every_async_handle_is_waited
- W = 1: a copy (0-d included), no messages: one_rank_returns_a_copy_and_sends_nothing
- no elements (no rows, or rows of no columns): an empty result of the right shape (a new
  tensor, not the input), no messages: empty_tensors_send_nothing
- reduce-scatter with fewer rows than ranks still sends blocks, never the whole tensor (empty
  blocks' messages may be left out): reduce_scatter_messages_follow_the_ring_schedule
- a blocking send first on every rank deadlocks: caught as a failure naming each rank's send
  (harness.distributed), by whichever spec runs first
"""

import torch
import torch.distributed as dist

from harness.checks import assert_close, assert_raises, non_contiguous
from harness.distributed import RankPool, comm_log
from harness.failures import fail
from katas.distributed.collectives import ring_all_gather, ring_all_reduce, ring_reduce_scatter

POOL = RankPool()
FUNCTIONS = {"all_reduce": ring_all_reduce, "all_gather": ring_all_gather,
             "reduce_scatter": ring_reduce_scatter}
SENDS, RECVS = ("send", "isend"), ("recv", "irecv")
F32, F64, I64 = torch.float32, torch.float64, torch.int64


def _input(rank: int, shape: tuple, dtype: torch.dtype) -> torch.Tensor:
    """Rank `rank`'s input for a case: seeded by the rank and the shape, so anyone can make it."""
    gen = torch.Generator().manual_seed(1000 + 37 * rank + 7 * len(shape) + sum(shape))
    if dtype.is_floating_point:
        return torch.randn(shape, generator=gen, dtype=F64).to(dtype)
    return torch.randint(-50, 50, shape, generator=gen, dtype=dtype)


def _apply(rank, world, name, cases, strided=False):
    """(result, its communication log, result shares the input's storage) for each case."""
    out = []
    for shape, dtype in cases:
        x = _input(rank, shape, dtype)
        if strided:
            x = non_contiguous(x)
        with comm_log() as log:
            y = FUNCTIONS[name](x)
        shares = isinstance(y, torch.Tensor) and (y is x or y.numel() > 0 and (
            y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()))
        out.append((y, log, shares))
    return out


def _call(name: str, world: int, cases: list, strided: bool = False) -> list:
    """results[rank][case] = (result, log, shares)."""
    return POOL.run(world, _apply, name, cases, strided)


def _expected(name: str, rank: int, world: int, shape: tuple, dtype: torch.dtype) -> torch.Tensor:
    inputs = [_input(q, shape, dtype) for q in range(world)]
    if name == "all_gather":
        return torch.cat([x.reshape(1) if x.dim() == 0 else x for x in inputs])
    total = torch.stack([x.to(F64) for x in inputs]).sum(0).to(dtype)
    if name == "reduce_scatter":
        return torch.tensor_split(total, world, dim=0)[rank]
    return total


TOL = dict(rtol=1e-5, atol=1e-5)


def _check_values(name: str, world: int, cases: list, strided: bool = False, hint: str | None = None):
    results = _call(name, world, cases, strided)
    for rank in range(world):
        for (shape, dtype), (y, _, _) in zip(cases, results[rank]):
            layout = "non-contiguous " if strided else ""
            assert_close(y, _expected(name, rank, world, shape, dtype), **TOL, hint=hint,
                         what=f"rank {rank} of {world}: ring_{name} of a {layout}{dtype} tensor of shape {shape}")


def test_all_reduce_sums_every_rank():
    for world, cases in ((2, [((7,), F32), ((3, 1, 5), I64), ((), F64)]), (4, [((7,), F32), ((), I64), ((2,), F64)])):
        _check_values("all_reduce", world, cases,
                      hint="every rank must end with the sum of all ranks' tensors: reduce-scatter "
                           "(add what you receive), then all-gather (replace); check the chunk "
                           "indices at a ragged size")


def test_an_odd_number_of_ranks():
    for name, cases in (("all_reduce", [((7,), F32), ((2,), I64)]), ("all_gather", [((2, 2), F64)]),
                        ("reduce_scatter", [((5, 2), F32), ((2,), I64)])):
        _check_values(name, 3, cases,
                      hint="any world size runs the ring, not only powers of two: take indices "
                           "modulo W ((r - s) % W), never masked with & (W - 1) or paired by r ^ 1")


def _with_builtin(rank, world):
    x = _input(rank, (10,), F32)
    mine = ring_all_reduce(x)
    theirs = x.clone()
    dist.all_reduce(theirs)
    return mine, theirs


def test_all_reduce_equals_the_builtin():
    for rank, (mine, theirs) in enumerate(POOL.run(4, _with_builtin)):
        assert_close(mine, theirs, **TOL, what=f"rank {rank} of 4: ring_all_reduce vs dist.all_reduce")


def _exact(rank, world):
    """Inputs whose sum a float32 (or, for int64, a float64) detour would round."""
    big = torch.tensor([2 ** 60 + 12345 * rank + 1, -(2 ** 59) - 7 * rank, 3 * rank], dtype=I64)
    fine = 1.0 + (rank + 1) * 2.0 ** -40 * torch.tensor([1.0, -3.0, 5.0], dtype=F64)
    return {(name, str(x.dtype)): FUNCTIONS[name](x) for name in ("all_reduce", "reduce_scatter") for x in (big, fine)}


def test_sums_are_exact_in_the_inputs_dtype():
    world = 4
    big = [[2 ** 60 + 12345 * q + 1, -(2 ** 59) - 7 * q, 3 * q] for q in range(world)]
    fine = [[1.0 + (q + 1) * 2.0 ** -40 * c for c in (1.0, -3.0, 5.0)] for q in range(world)]
    sums = {str(I64): torch.tensor([sum(col) for col in zip(*big)], dtype=I64),   # Python ints: exact
            str(F64): torch.tensor([sum(col) for col in zip(*fine)], dtype=F64)}  # exact in float64
    for rank, results in enumerate(POOL.run(world, _exact)):
        for (name, dtype), y in results.items():
            expected = sums[dtype] if name == "all_reduce" else torch.tensor_split(sums[dtype], world)[rank]
            assert_close(y, expected, rtol=0, atol=0,
                         what=f"rank {rank} of {world}: ring_{name} of {dtype} values the dtype holds exactly",
                         hint="add in the input's own dtype: a float32 (or float64, for int64) buffer, "
                              "message or accumulator rounds the sum (2 ** 60 + 1 is not a float64; "
                              "1 + 2 ** -40 is not a float32)")


def test_every_dtype_is_kept():
    """float16, bfloat16, int32 and int8 are dtypes gloo sends: the result keeps them (no float32
    result for half precision, no int64 for narrower integers)."""
    for name, shape in (("all_reduce", (5,)), ("all_gather", (2, 3)), ("reduce_scatter", (3, 2))):
        cases = [(shape, torch.float16), (shape, torch.bfloat16), (shape, torch.int32), (shape, torch.int8)]
        results = _call(name, 2, cases)
        for rank in range(2):
            for (shape, dtype), (y, _, _) in zip(cases, results[rank]):
                assert_close(y, _expected(name, rank, 2, shape, dtype),
                             what=f"rank {rank} of 2: ring_{name} of a {dtype} tensor of shape {shape}",
                             hint="the result has the input's dtype, half precision and narrow integers "
                                  "included: an upcast (to float32, to int64) for the sum must be cast back "
                                  "(or add in the input's dtype)")


def test_all_gather_concatenates_in_rank_order():
    for world, cases in ((2, [((3,), F32), ((1, 2, 2), I64)]), (4, [((3,), F32), ((2, 3), I64), ((), F64)])):
        _check_values("all_gather", world, cases,
                      hint="block q of the result is rank q's tensor: the block you receive in a "
                           "step came from further left each step ((r - s - 1) % W)")


def test_reduce_scatter_returns_this_ranks_block():
    for world, cases in ((2, [((3, 2), F64), ((1, 4), F32)]), (4, [((5, 3), F32), ((3,), I64)])):
        _check_values("reduce_scatter", world, cases,
                      hint="rank r returns block r of torch.tensor_split(sum, W, dim=0): the first "
                           "rows % W blocks have one row more; with fewer rows than ranks some "
                           "blocks have zero rows")


def _reduce_scatter_0d(rank, world):
    assert_raises(ValueError, ring_reduce_scatter, torch.tensor(1.0), what="ring_reduce_scatter(0-d tensor)",
                  contract='a 0-d tensor raises ValueError("ring_reduce_scatter needs a tensor with at '
                           'least one dimension")', mentions=("at least one dimension",))


def test_reduce_scatter_of_a_0d_tensor_raises():
    for world in (2, 1):  # one rank too: the check comes before the W = 1 shortcut
        POOL.run(world, _reduce_scatter_0d)


def _twice(rank, world):
    """Each function called twice on inputs of one shape: is the first result still intact?"""
    out = {}
    for name, fn in FUNCTIONS.items():
        x = _input(rank, (4, 2), F32)
        first = fn(x)
        kept = first.clone()
        second = fn(x * 2 + 1)
        out[name] = (torch.equal(first, kept), first.untyped_storage().data_ptr() == second.untyped_storage().data_ptr())
    return out


def test_every_call_returns_its_own_new_tensor():
    for rank, out in enumerate(POOL.run(2, _twice)):
        for name, (intact, shared) in out.items():
            if not intact or shared:
                what = "changed the first call's result" if not intact else "returned the first call's storage"
                fail(f"rank {rank}: a second ring_{name} call on a tensor of the same shape {what}: "
                     "every call returns a NEW tensor",
                     "allocate the result inside the call (torch.empty / clone); a buffer cached by shape "
                     "between calls is overwritten by the next call while the caller still holds it")


def test_non_contiguous_inputs():
    for name, shape in (("all_reduce", (3, 4)), ("all_gather", (2, 3)), ("reduce_scatter", (3, 2))):
        _check_values(name, 2, [(shape, F32)], strided=True,
                      hint="dist.send needs a contiguous tensor, and .view(-1) fails on this layout: "
                           "work on a contiguous copy (.reshape(-1) or .contiguous())")


# ---------------------------------------------------------------- communication
_RUNS: dict = {}  # (name, world, shape) -> results: the communication specs share their runs
SHAPES = {"all_reduce": (10,), "all_gather": (2, 3), "reduce_scatter": (6, 2)}


def _logs(name: str, world: int, shape: tuple | None = None) -> list:
    """Each rank's communication log of one call, after checking the call's values."""
    shape = shape or SHAPES[name]
    key = (name, world, shape)
    if key not in _RUNS:
        results = _call(name, world, [(shape, F32)])
        for rank in range(world):
            assert_close(results[rank][0][0], _expected(name, rank, world, shape, F32), **TOL,
                         what=f"rank {rank} of {world}: ring_{name} of a float32 tensor of shape {shape}")
        _RUNS[key] = [rank_results[0][1] for rank_results in results]
    return _RUNS[key]


def test_only_send_and_recv_are_used():
    for name in FUNCTIONS:
        for world in (4, 2):
            for rank, log in enumerate(_logs(name, world)):
                other = sorted({op.name for op in log.ops} - set(SENDS + RECVS))
                if other:
                    fail(f"ring_{name} on rank {rank} of {world} called torch.distributed.{other[0]}: only "
                         f"send, recv, isend and irecv are allowed (the point is to build the collective)",
                         "one chunk per message to the right neighbour, one from the left, W - 1 steps per phase")


def test_messages_go_to_the_ring_neighbours():
    world = 4
    for name in FUNCTIONS:
        for rank, log in enumerate(_logs(name, world)):
            right, left = (rank + 1) % world, (rank - 1) % world
            for op in log.ops:
                wanted = right if op.name in SENDS else left
                if op.peer != wanted:
                    fail(f"ring_{name} on rank {rank} of {world}: {op} (at {op.where or '?'}): a ring "
                         f"sends only to the right neighbour (rank {right}) and receives only from "
                         f"the left one (rank {left})", "dst = (rank + 1) % W, src = (rank - 1) % W")


def _sizes(log, kinds, itemsize) -> list[int]:
    return [op.bytes // itemsize for op in log.ops if op.name in kinds]


def _schedule_check(name: str, world: int, shape: tuple, sends, recvs, how: str, drop_empty: bool = False):
    """sends(rank)/recvs(rank): the element counts of the messages in order (drop_empty: the
    messages of empty chunks may be left out, so 0s are not compared)."""
    logs = _logs(name, world, shape)
    numel = torch.Size(shape).numel()
    for rank, log in enumerate(logs):
        for kinds, expected, what in ((SENDS, sends(rank), "sent"), (RECVS, recvs(rank), "received")):
            got = _sizes(log, kinds, 4)
            if drop_empty:
                got, expected = [k for k in got if k], [k for k in expected if k]
            if got != expected:
                fail(f"ring_{name} of {numel} elements on {world} ranks: rank {rank} {what} messages "
                     f"of {got} elements, in that order; the ring schedule's are {expected}"
                     f"{' (messages of empty chunks not counted)' if drop_empty else ''}\n  "
                     f"(rank {rank}'s communication: {log.summary()})", how)
    total = sum(sum(_sizes(log, SENDS, 4)) for log in logs)
    return total


def _chunks(n: int, world: int) -> list[int]:
    return [n // world + (i < n % world) for i in range(world)]


def test_all_reduce_messages_follow_the_ring_schedule():
    for world, n in ((4, 10), (2, 7), (4, 3)):  # 3 < 4: chunk 3 is empty, its messages may be left out
        c = _chunks(n, world)
        steps = range(world - 1)
        total = _schedule_check(
            "all_reduce", world, (n,), drop_empty=n < world,
            sends=lambda r: [c[(r - s) % world] for s in steps] + [c[(r - s + 1) % world] for s in steps],
            recvs=lambda r: [c[(r - s - 1) % world] for s in steps] + [c[(r - s) % world] for s in steps],
            how="chunks as torch.tensor_split(flat, W) cuts them (the first N % W one element "
                "longer); reduce-scatter step s sends chunk (r - s) % W and receives (r - s - 1) % W; "
                "all-gather step s sends (r - s + 1) % W and receives (r - s) % W; one chunk per message")
        assert total == 2 * (world - 1) * n, f"all ranks together sent {total} elements, expected 2 (W - 1) N"


def test_all_gather_messages_follow_the_ring_schedule():
    for world in (4, 2):
        total = _schedule_check(
            "all_gather", world, (2, 3), sends=lambda r: [6] * (world - 1), recvs=lambda r: [6] * (world - 1),
            how="W - 1 steps, each sending one whole block (a rank's input) right and receiving one from the left")
        assert total == (world - 1) * world * 6


def test_reduce_scatter_messages_follow_the_ring_schedule():
    for world, rows in ((4, 6), (2, 5), (4, 3)):  # 3 < 4: block 3 is empty, its messages may be left out
        c = [k * 2 for k in _chunks(rows, world)]  # shape (rows, 2): elements per block
        steps = range(world - 1)
        total = _schedule_check(
            "reduce_scatter", world, (rows, 2), drop_empty=rows < world,
            sends=lambda r: [c[(r - s - 1) % world] for s in steps],
            recvs=lambda r: [c[(r - s - 2) % world] for s in steps],
            how="blocks of rows as torch.tensor_split(tensor, W, dim=0) cuts them; step s sends block "
                "(r - s - 1) % W and adds the received block (r - s - 2) % W, so rank r ends with block r; "
                "fewer rows than ranks still sends blocks (never the whole tensor)")
        assert total == (world - 1) * rows * 2


def test_every_async_handle_is_waited():
    for name in FUNCTIONS:
        for rank, log in enumerate(_logs(name, 4)):
            log.assert_waited(f"ring_{name} on rank {rank} of 4",
                              "the message may still be in flight when the function returns",
                              "keep the handle of each isend/irecv and call .wait() on it before you return")


def test_one_rank_returns_a_copy_and_sends_nothing():
    for name in FUNCTIONS:
        shapes = ((2, 3),) if name == "reduce_scatter" else ((2, 3), ())  # 0-d: all_gather's (1,)
        for shape, (y, log, shares) in zip(shapes, _call(name, 1, [(shape, F32) for shape in shapes])[0]):
            assert_close(y, _expected(name, 0, 1, shape, F32), what=f"ring_{name} on 1 rank, shape {shape}")
            if shares:
                fail(f"ring_{name} on 1 rank returned the input's own storage (shape {shape}): return a "
                     f"new tensor (a copy), so that a later in-place change of one does not change the "
                     f"other", "a 0-d tensor's .reshape(1) is a view of it, not a copy")
            if log.ops:
                fail(f"ring_{name} on 1 rank communicated ({log.summary()}): with W = 1 there is "
                     f"nobody to talk to")


def test_empty_tensors_send_nothing():
    shapes = ((0,), (0, 3), (2, 0))  # (2, 0): rows, but no elements
    for name in FUNCTIONS:
        results = _call(name, 2, [(shape, F32) for shape in shapes])
        for rank in range(2):
            for shape, (y, log, shares) in zip(shapes, results[rank]):
                assert_close(y, _expected(name, rank, 2, shape, F32),
                             what=f"rank {rank} of 2: ring_{name} of an empty tensor of shape {shape}")
                if shares:
                    fail(f"ring_{name} of an empty tensor of shape {shape} on rank {rank} of 2 returned the "
                         f"input itself: every call returns a NEW tensor, an empty one included",
                         "return a new empty tensor of the result's shape (torch.empty(...) or .clone()), "
                         "not the caller's tensor")
                if log.ops:
                    fail(f"ring_{name} of an empty tensor of shape {shape} on rank {rank} of 2 communicated "
                         f"({log.summary()}): a tensor with no elements needs no messages",
                         "test tensor.numel() == 0, not the number of rows: a (2, 0) tensor has rows")
