"""Specs for katas/distributed/context_parallel.py (day 45): ring_attention.

Every check runs on real gloo process groups of 1, 2 and 4 ranks (harness.distributed forks
them once per spec module) and compares each rank's rows with full attention over the whole
sequence, computed here in float64 by the plain formula softmax(Q K^T / sqrt(D) + causal
mask) V (independent of the ring and of the online softmax). Communication is read from
harness.distributed's log of every rank's calls.

Contract -> specs:
- equal to full attention, W = 2, 3 (not a power of two: (r - s) % W, no masks) and 4, causal and not, (B, H) leading dims, Dv != D:
  test_matches_full_attention (every non-causal case calls ring_attention(q, k, v): the
  default is causal=False)
- causal positions are GLOBAL (r*T + t): test_matches_full_attention[causal],
  test_causal_uses_global_positions (a block from an earlier rank is fully visible)
- any leading dims (none, three), T = 1: test_any_leading_dims_and_one_position
- float64 computed in float64 (1e-10): test_float64
- online-softmax rescale by exp(m - m_new) (later blocks with larger scores):
  test_partial_results_are_rescaled_when_the_max_grows
- running max starts at -inf (scores near -200): test_running_max_starts_at_minus_infinity
- masked entries and the starting max are -inf, not a large finite number (float64 scores
  near -1e10): test_masks_and_running_max_are_minus_infinity
- causal: fully masked blocks (from later ranks) skipped, their compute never done (FLOPs
  counted on each rank): test_causal_skips_the_blocks_after_its_queries
- non-contiguous inputs: test_non_contiguous_inputs; inputs not modified: the guard on every
  call, and test_inputs_are_not_modified
- W = 1: plain attention, no communication: test_world_size_one
- ring traffic: point-to-point only, to (r + 1) % W and from (r - 1) % W,
  (W-1)(|k|+|v|) bytes sent and received, no collective:
  test_ring_traffic; a send-first deadlock fails by harness.distributed's stall detection,
  naming each rank's send (whichever spec runs first)
- memory: at most 3 K/V blocks allocated besides the inputs, no gathering, no sent blocks kept
  to the end by their handles (every allocation counted on each rank, W = 5):
  test_memory_holds_no_gathered_sequence
"""

import math

import pytest
import torch

from harness.budgets import count_flops, peak_bytes
from harness.checks import SpecFailure, assert_close, non_contiguous, randn
from harness.distributed import RankPool
from katas.distributed.context_parallel import ring_attention

POOL = RankPool()

HINT_RING = ("step s attends to the K/V block of rank (r - s) % W (your own first); between steps "
             "send the block you hold to rank (r + 1) % W and receive the next from (r - 1) % W")
HINT_ONLINE = ("when a block raises a row's max from m to m_new, rescale BOTH running sums before "
               "adding the block: acc = acc * exp(m - m_new) + exp(s - m_new) @ v_blk and "
               "l = l * exp(m - m_new) + exp(s - m_new).sum(-1); output acc / l")
HINT_CAUSAL = ("causal positions are global: rank r's query t is position r*T + t and the block "
               "received from rank src holds keys src*T .. src*T + T - 1; blocks from earlier ranks "
               "are fully visible, your own block is masked j <= i, later blocks are skipped")


def full_attention(q, k, v, causal):
    """The whole sequence's attention, float64, by the formula."""
    q, k, v = q.double(), k.double(), v.double()
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        n = q.shape[-2]
        s = s.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float("-inf"))
    return s.softmax(dim=-1) @ v


def chunk(x, rank, world):
    T = x.shape[-2] // world
    return x[..., rank * T:(rank + 1) * T, :]


def qkv(lead, T, D, Dv, seed=0, dtype=torch.float32):
    return (randn(*lead, T, D, seed=seed, dtype=dtype), randn(*lead, T, D, seed=seed + 1, dtype=dtype),
            randn(*lead, T, Dv, seed=seed + 2, dtype=dtype))


def _attend(rank, world, cases, prepare=None):
    """On every rank: ring_attention on its chunks of each case; the outputs."""
    outs = []
    for q, k, v, causal in cases:
        mine = [chunk(t, rank, world).contiguous() for t in (q, k, v)]
        if prepare is not None:
            mine = prepare(*mine)
        with torch.no_grad():  # the non-causal calls rely on the default causal=False
            out = ring_attention(*mine, causal=True) if causal else ring_attention(*mine)
        outs.append(out)
    return outs


def _non_contiguous(q, k, v):
    return non_contiguous(q), non_contiguous(k), non_contiguous(v)


def _unmodified(rank, world, q, k, v):
    mine = [chunk(t, rank, world).clone() for t in (q, k, v)]
    before = [t.clone() for t in mine]
    with torch.no_grad():
        ring_attention(*mine, causal=True)
    return [bool(torch.equal(a, b)) for a, b in zip(mine, before)]


def _flops(rank, world, q, k, v):
    mine = [chunk(t, rank, world).contiguous() for t in (q, k, v)]
    return [count_flops(ring_attention, *mine, causal=causal) for causal in (False, True)]


def _peak(rank, world, q, k, v):
    mine = [chunk(t, rank, world).contiguous() for t in (q, k, v)]
    return peak_bytes(ring_attention, *mine, causal=False)


# ---------------------------------------------------------------- the cases
CASES = {
    ("full", 2): (2, [(*qkv((2, 2), 6, 8, 5, seed=20), False), (*qkv((2, 2), 6, 8, 5, seed=23), True)]),
    # W = 3: ring indices and block sources mod a world that is not a power of two
    ("full", 3): (3, [(*qkv((2,), 9, 4, 3, seed=30), False), (*qkv((2,), 9, 4, 3, seed=33), True)]),
    ("full", 4): (4, [(*qkv((2, 2), 12, 8, 5, seed=40), False), (*qkv((2, 2), 12, 8, 5, seed=43), True)]),
    ("lead", 2): (2, [(*qkv((), 2, 4, 4, seed=20), False), (*qkv((), 2, 4, 4, seed=21), True),
                      (*qkv((2, 1, 3), 4, 4, 2, seed=22), True), (*qkv((2, 1, 3), 4, 4, 2, seed=23), False)]),
    ("float64", 2): (2, [(*qkv((2,), 6, 8, 4, seed=30, dtype=torch.float64), c) for c in (False, True)]),
    ("one", 1): (1, [(*qkv((2, 2), 5, 4, 3, seed=70), c) for c in (False, True)]),
    ("non_contiguous", 2): (2, [(*qkv((2, 3), 4, 6, 4, seed=50), False), (*qkv((2, 3), 4, 6, 4, seed=51), True)]),
}
_q, _k, _v = qkv((2,), 8, 4, 4, seed=40)  # every later rank's keys score higher: the max grows
CASES[("growing", 4)] = (4, [(_q.abs() + 0.5, _k.abs() * torch.arange(1, 9.0).repeat_interleave(2)[:8, None], _v, c)
                             for c in (False, True)])
# scores all near -200 (q = -k): a running max started at 0 underflows every exp to 0, 0 / 0
_q, _k, _v = qkv((2,), 4, 4, 4, seed=45)
CASES[("negative", 2)] = (2, [(_q.abs() * 20 + 20, -(_k.abs() * 20 + 20), _v, c) for c in (False, True)])
# float64 scores near -1e10 (q[..., 0] = a, k[..., 0] = -a, the rest O(1)): a mask or a starting
# max of a large finite number (-1e4, -1e9) instead of -inf beats every real score
_q, _k, _v = qkv((2,), 4, 4, 4, seed=47, dtype=torch.float64)
_q[..., 0], _k[..., 0] = math.sqrt(2e10), -math.sqrt(2e10)
CASES[("huge_negative", 2)] = (2, [(_q, _k, _v, c) for c in (False, True)])
UNMODIFIED = qkv((2,), 6, 4, 4, seed=60)
# world, T per rank, D, Dv: K/V blocks dominate every other tensor. W = 5: holding the other
# ranks' blocks (a list of received ones, or of sent ones kept alive by their isend handles
# until the end) takes 4 blocks, over the limit of 3
MEMORY = (5, 2, 128, 8)
_RUNS = {}  # (name, world) -> (outputs by rank, communication by rank): each case runs once


def run(name, world):
    __tracebackhide__ = True
    if (name, world) not in _RUNS:
        prepare = _non_contiguous if name == "non_contiguous" else None
        _RUNS[(name, world)] = (POOL.run(world, _attend, CASES[(name, world)][1], prepare), POOL.comm)
    return _RUNS[(name, world)]


def check(name, world, *, cases=None, rtol=None, atol=None, hint=None):
    """Compare every rank's outputs of a registered case (or of its calls `cases`, a tail of
    them) with full attention."""
    __tracebackhide__ = True
    registered = CASES[(name, world)][1]
    cases = cases if cases is not None else registered
    results, comm = run(name, world)
    for case_no, (q, k, v, causal) in enumerate(cases, start=len(registered) - len(cases)):
        expected = full_attention(q, k, v, causal).to(q.dtype)
        T = q.shape[-2] // world
        for rank, outs in enumerate(results):
            out = outs[case_no]
            mode = "causal=True" if causal else "causal at its default, False"
            what = (f"ring_attention on rank {rank} of {world} (chunks q, k {tuple(q.shape[:-2]) + (T, q.shape[-1])}, "
                    f"v {tuple(v.shape[:-2]) + (T, v.shape[-1])}, {mode}, {q.dtype})")
            assert_close(out, chunk(expected, rank, world), what=what, rtol=rtol, atol=atol,
                         hint=hint or (HINT_CAUSAL if causal else f"{HINT_RING}; {HINT_ONLINE}"))
    return comm


@pytest.mark.parametrize("world", [2, 3, 4])
def test_matches_full_attention(world):
    check("full", world)


def test_causal_uses_global_positions():
    check("full", 2, cases=CASES[("full", 2)][1][1:], hint=HINT_CAUSAL)
    check("full", 4, cases=CASES[("full", 4)][1][1:], hint=HINT_CAUSAL)


def test_any_leading_dims_and_one_position():
    check("lead", 2)


def test_float64():
    check("float64", 2, rtol=1e-10, atol=1e-10,
          hint="compute in the inputs' dtype: float64 inputs need float64 scores and accumulators "
               "(torch.zeros(..., dtype=q.dtype) or *_like)")


def test_partial_results_are_rescaled_when_the_max_grows():
    check("growing", 4, hint=HINT_ONLINE)


def test_running_max_starts_at_minus_infinity():
    check("negative", 2, hint="start the running max m at -inf (torch.full(..., float('-inf'))), not 0: "
                              "scores near -200 underflow exp(score - 0) to 0 and acc / l becomes 0 / 0")


def test_masks_and_running_max_are_minus_infinity():
    check("huge_negative", 2, rtol=1e-4, atol=1e-6,
          hint="masked scores are -inf (masked_fill(mask, float('-inf'))) and the running max starts at "
               "-inf: a large finite stand-in (-1e4, -1e9) is larger than real scores near -1e10, so "
               "masked keys get all the weight (or exp underflows to 0 / 0)")


def test_causal_skips_the_blocks_after_its_queries():
    world, T, D, Dv = 4, 2, 8, 4
    q, k, v = qkv((2,), world * T, D, Dv, seed=95)
    per_block = 2 * 2 * T * T * (D + Dv)  # q @ k^T and p @ v, batch 2, 2 flops per multiply-add
    for rank, (full, causal) in enumerate(POOL.run(world, _flops, q, k, v)):
        if causal > (rank + 1) * per_block:
            raise SpecFailure(
                f"ring_attention(causal=True) on rank {rank} of {world} did {causal} matmul FLOPs (causal=False: "
                f"{full}); the blocks of ranks after {rank} are entirely masked for its queries: skip their "
                f"compute (still pass them on). Blocks 0..{rank} need at most {(rank + 1) * per_block}")


def test_non_contiguous_inputs():
    check("non_contiguous", 2)


def test_inputs_are_not_modified():
    for rank, same in enumerate(POOL.run(2, _unmodified, *UNMODIFIED)):
        for name, ok in zip("qkv", same):
            if not ok:
                raise SpecFailure(f"ring_attention changed its input {name} on rank {rank}: receive "
                                  "the next block into new buffers (torch.empty_like(k)), never into "
                                  "the caller's k and v")


def test_world_size_one():
    comm = check("one", 1)
    if comm[0].ops:
        raise SpecFailure(f"ring_attention with W = 1 communicated: {comm[0].summary()}; "
                          "a single rank holds the whole sequence; there is nothing to pass")


def test_ring_traffic():
    world = 4
    comm = check("full", world)
    q, k, v, _ = CASES[("full", world)][1][0]
    block = (chunk(k, 0, world).numel() + chunk(v, 0, world).numel()) * k.element_size()
    expected = 2 * (world - 1) * block  # two calls: causal=False, then causal=True
    for rank, log in enumerate(comm):
        traffic = log.summary(20)
        collectives = [str(op) for op in log.ops if op.name not in ("send", "recv", "isend", "irecv")]
        if collectives:
            raise SpecFailure(f"rank {rank} called {', '.join(collectives)}: ring attention is "
                              "point-to-point only; no rank may gather the whole K/V")
        wrong_way = [str(op) for op in log.ops if op.peer is not None and op.peer != (
            (rank + 1) % world if op.name in ("send", "isend") else (rank - 1) % world)]
        if wrong_way:
            raise SpecFailure(f"rank {rank} of {world}: {', '.join(wrong_way[:4])}; the ring sends only to "
                              f"rank (r + 1) % W = {(rank + 1) % world} and receives only from (r - 1) % W = "
                              f"{(rank - 1) % world}")
        sent, received = log.bytes("send", "isend"), log.bytes("recv", "irecv")
        if (sent, received) != (expected, expected):
            raise SpecFailure(
                f"rank {rank} of {world} sent {sent} and received {received} bytes over two calls "
                f"(causal=False, then True); the ring passes each K/V block W - 1 = {world - 1} times "
                f"per call: (W - 1) * (|k| + |v|) = {world - 1} * {block} = {expected // 2} bytes each "
                "way. No pass after the last step; a fully masked block is skipped for compute but "
                f"still passed on. (traffic: {traffic})")


def test_memory_holds_no_gathered_sequence():
    world, T, D, Dv = MEMORY
    block = T * (D + Dv) * 4
    small = T * T * 4 * 6 + T * Dv * 4 * 4 + T * 4 * 8  # scores, exp, accumulators, row stats
    limit = 3 * block + small
    q, k, v = qkv((), world * T, D, Dv, seed=90)
    for rank, peak in enumerate(POOL.run(world, _peak, q, k, v)):
        if peak > limit:
            raise SpecFailure(
                f"ring_attention on rank {rank} of {world} allocated up to {peak} bytes at once; one "
                f"K/V block is {block} bytes and the limit is 3 blocks + scores and accumulators = "
                f"{limit}: hold only the block you attend to/send and the one arriving, never all of "
                "them (no gathering, no list of received blocks, no list of sent blocks with their isend "
                "handles waited at the end: wait each pass before the next step)")
