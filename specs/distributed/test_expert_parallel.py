"""Specs for katas/distributed/expert_parallel.py (day 46): ExpertParallelMoE.

Every check runs on real gloo process groups of 1, 2 and 4 ranks (harness.distributed forks
them once per spec module); communication is read from its log of every rank's calls. Each
rank builds the same deepseek/moe MoE (same seed, random weights and correction bias),
wraps it in ExpertParallelMoE and runs ITS OWN tokens through both: the expert-parallel
output must equal the single-process MoE's on the same tokens (the reference is
deepseek/moe, whose own specs check it against an independent router).

Contract -> specs:
- equal to the single-process MoE, W = 2 and 4, V3 routing: test_matches_the_single_process_moe
- V2 routing (softmax, group-limited greedy), no shared experts, W = 1, and 9 experts on
  W = 3 (L = 3: owner and local index by // and %, not shifts or masks): test_other_configs
- ragged batches and a rank with no tokens (still in every all_to_all): test_ragged_batches_and_an_empty_rank
- uneven routing (every token to one rank's experts: split sizes differ per direction):
  test_uneven_routing_needs_exchanged_split_sizes
- float64 x, computed and returned in float64, by a module built and first called in float32
  then .double() (no buffer or dtype kept from the first call): test_float64
- bfloat16 x (no shared experts) returned in bfloat16, combined in float32 and cast back once: test_bfloat16
- non-contiguous x (odd ranks, every case); each local expert run once on exactly the rows
  routed to it from every rank, no other expert run (forward hooks on moe's experts):
  every spec that compares outputs (check())
- rank r keeps experts r*L .. (r+1)*L - 1 (same weights), gate and shared experts, state-dict
  keys; shared_experts None when the MoE has none: test_keeps_only_its_experts
- E not a multiple of W: ValueError naming both, before any communication:
  test_experts_must_split_evenly
- communication: only all_to_all(_single), all ranks' bytes <= 2*N*k*H*s + 2*(N*k + W*W)*8
  (s = x.element_size(): bfloat16 rows travel as bfloat16, not float32): test_traffic
- inputs not modified: the guard on every call (checked in each rank)
- every async all_to_all's handle waited (before the values, which it would make a race):
  every spec that compares outputs (check())
"""

from dataclasses import replace

import pytest
import torch

from harness.checks import SpecFailure, assert_close, non_contiguous, randn
from katas.deepseek.config import TINY
from katas.deepseek.moe import MoE
from katas.distributed.expert_parallel import ExpertParallelMoE
from harness.distributed import RankPool

POOL = RankPool()

V3 = replace(TINY, n_routed_experts=8, n_group=4, topk_group=2)  # k = 2, H = 32, one shared
V2 = replace(TINY, scoring_func="softmax", topk_method="group_limited_greedy", norm_topk_prob=False,
             routed_scaling_factor=16.0)
NO_SHARED = replace(TINY, n_shared_experts=0, topk_method="greedy", n_group=1, topk_group=1)

HINT_SPLITS = ("dispatch: count the rows you send to each rank (bincount(topk_idx // L, minlength=W)), "
               "all_to_all_single those counts to learn how many rows you receive from each, then "
               "all_to_all_single(out, rows, output_split_sizes=received_counts, input_split_sizes=sent_counts); "
               "the way back swaps the two lists")
HINT_COMBINE = ("rank r owns experts r*L .. r*L + L - 1 (local index = global - r*L); combine the returned "
                "rows as deepseek/moe does: index_add_ weight * result into each token's row (float32), "
                "then + shared_experts(tokens), no residual")


def make_moe(config, seed, dtype=torch.float32, bias=None):
    """The same MoE on every rank: seeded random weights, a random (or given) correction bias."""
    torch.manual_seed(seed)
    moe = MoE(config)
    with torch.no_grad():
        for p in moe.parameters():
            p.normal_(0.0, 0.3)
        if hasattr(moe.gate, "e_score_correction_bias"):
            moe.gate.e_score_correction_bias.copy_(
                torch.randn(config.n_routed_experts) * 0.1 if bias is None else bias)
    return moe.to(dtype)


def _run(rank, world, config, seed, sizes, dtype=torch.float32, bias=None):
    """(ep(x), moe(x)) on this rank for its own tokens x of shape sizes[rank]; odd ranks' x is
    non-contiguous. Also this rank's expert calls during ep(x), as (global expert,
    rows): hooks on ep.experts[j] (expert r*L + j, whether moe's own module or a copy) and on
    every other expert of moe; and how many of its (token, expert) pairs go to each expert."""
    x = randn(*sizes[rank], config.hidden_size, seed=seed + 100 + rank, dtype=dtype)
    if dtype == torch.float64:  # built and first called in float32, then .double(): nothing kept from call 1
        moe = make_moe(config, seed, torch.float32, bias)
        ep = ExpertParallelMoE(moe)
        with torch.no_grad():
            ep(x[:, 1:].float())
        moe.double(), ep.double()
    else:
        moe = make_moe(config, seed, dtype, bias)
        ep = ExpertParallelMoE(moe)
    calls, L = [], config.n_routed_experts // world
    local = list(getattr(ep, "experts", None) or [])
    hooked = [(rank * L + j, expert) for j, expert in enumerate(local)] if len(local) == L else []
    hooked += [(e, expert) for e, expert in enumerate(moe.experts) if not any(expert is m for m in local)]
    for e, expert in hooked:
        expert.register_forward_hook(lambda module, args, out, e=e: calls.append((e, args[0].shape[0])))
    if rank % 2 and x.numel():
        x = non_contiguous(x)
    with torch.no_grad():
        reference = moe(x)
        pairs = torch.bincount(moe.gate(x.reshape(-1, x.shape[-1]))[0].flatten(),
                               minlength=config.n_routed_experts).tolist()
        calls.clear()
        out = ep(x)
    return out, reference, list(calls), pairs


def _kept(rank, world, config, seed):
    moe = make_moe(config, seed)
    ep = ExpertParallelMoE(moe)
    L = config.n_routed_experts // world
    keys = sorted(ep.state_dict())
    same = [all(torch.equal(a, b) for a, b in zip(ep.experts[j].state_dict().values(),
                                                   moe.experts[rank * L + j].state_dict().values()))
            for j in range(L)] if len(getattr(ep, "experts", ())) == L else [False]
    expected = sorted([f"gate.{n}" for n in moe.gate.state_dict()]
                      + [f"experts.{j}.{n}" for j in range(L) for n in moe.experts[0].state_dict()]
                      + [f"shared_experts.{n}" for n in moe.shared_experts.state_dict()])
    shared_same = all(torch.equal(a, b) for a, b in zip(ep.shared_experts.state_dict().values(),
                                                       moe.shared_experts.state_dict().values()))
    gate_same = torch.equal(ep.gate.weight, moe.gate.weight)
    none = ExpertParallelMoE(make_moe(NO_SHARED, seed))  # a MoE without shared experts
    no_shared = repr(getattr(none, "shared_experts", "<no attribute shared_experts>"))
    return keys, expected, same, shared_same and gate_same, no_shared


def _uneven_split(rank, world, config):
    torch.manual_seed(0)
    try:
        ExpertParallelMoE(MoE(config))
    except ValueError as e:
        return "ValueError", str(e)
    return None, ""


CASES = {
    # name, world: (config, seed, per-rank token shapes (B, T), dtype, bias)
    ("v3", 2): (V3, 1, [(2, 5), (1, 7)], torch.float32, None),
    ("v3", 4): (V3, 2, [(2, 3), (1, 4), (3, 1), (1, 5)], torch.float32, None),
    ("v2", 2): (V2, 3, [(2, 4), (2, 4)], torch.float32, None),
    ("no_shared", 2): (NO_SHARED, 4, [(1, 6), (2, 3)], torch.float32, None),
    ("one", 1): (V3, 5, [(2, 5)], torch.float32, None),
    ("ragged", 4): (V3, 6, [(1, 9), (0, 4), (2, 1), (1, 0)], torch.float32, None),
    # 9 experts over 3 ranks: L = 3, neither W nor L a power of two (no masks, no shifts)
    ("nine", 3): (replace(V3, n_routed_experts=9, n_group=3, topk_group=2), 10, [(1, 5), (2, 2), (1, 3)],
                  torch.float32, None),
    ("float64", 2): (V3, 7, [(2, 4), (1, 5)], torch.float64, None),
    ("bfloat16", 2): (NO_SHARED, 11, [(2, 3), (1, 4)], torch.bfloat16, None),
    # every token chooses experts 4..7 (rank 1 of 2): rank 0 sends nothing to itself
    ("uneven", 2): (V3, 8, [(2, 5), (1, 3)], torch.float32, torch.tensor([0.0] * 4 + [5.0] * 4)),
}
_RUNS = {}  # (name, world) -> (results by rank, communication by rank): each case runs once


def check(name, world, *, rtol=None, atol=None, hint=HINT_COMBINE):
    __tracebackhide__ = True
    config, seed, sizes, dtype, bias = CASES[(name, world)]
    if (name, world) not in _RUNS:
        _RUNS[(name, world)] = (POOL.run(world, _run, config, seed, sizes, dtype, bias), POOL.comm)
    results, comm = _RUNS[(name, world)]
    for rank, log in enumerate(comm):  # before the values: an unwaited all_to_all makes them a race
        log.assert_waited(f"ExpertParallelMoE on rank {rank} of {world}",
                          "its output may not have arrived when it is read",
                          "call it without async_op, or wait() the handle before reading the output")
    for rank, (out, reference, _, _) in enumerate(results):
        what = (f"ExpertParallelMoE on rank {rank} of {world} ({config.n_routed_experts} experts, "
                f"{config.n_routed_experts // world} per rank, {config.topk_method} routing, k = "
                f"{config.num_experts_per_tok}) for its tokens of shape {sizes[rank] + (config.hidden_size,)}, {dtype}")
        assert_close(out, reference, what=what, rtol=rtol, atol=atol, hint=hint)
    E = config.n_routed_experts
    L, pairs = E // world, [sum(r[3][e] for r in results) for e in range(E)]
    for rank, (_, _, calls, _) in enumerate(results):
        mine = range(rank * L, (rank + 1) * L)
        for e in range(E):
            rows = [n for c, n in calls if c == e]
            if e not in mine and rows:
                raise SpecFailure(f"ExpertParallelMoE on rank {rank} of {world} ran expert {e} (rows {rows}); "
                                  f"rank {rank} owns experts {mine.start} .. {mine.stop - 1} only: each rank "
                                  "computes only its own experts")
            if e in mine and (len(rows) > 1 or sum(rows) != pairs[e]):
                raise SpecFailure(
                    f"ExpertParallelMoE on rank {rank} of {world} ran its expert {e} {len(rows)} times on "
                    f"{rows} rows; the ranks routed {pairs[e]} (token, expert) pairs to it: run each local "
                    "expert ONCE on exactly the rows for it from every rank (select them by their expert "
                    "index, e.g. torch.where(arrived_expert == j)), not once per source rank, not on "
                    "every arrived row")
    return comm


@pytest.mark.parametrize("world", [2, 4])
def test_matches_the_single_process_moe(world):
    check("v3", world)


@pytest.mark.parametrize("name, world", [("v2", 2), ("no_shared", 2), ("one", 1), ("nine", 3)])
def test_other_configs(name, world):
    check(name, world)


def test_ragged_batches_and_an_empty_rank():
    check("ragged", 4, hint="every rank joins every all_to_all, also one with no tokens (N = 0): it "
                            "sends zero rows and may receive some; never return early. " + HINT_SPLITS)


def test_uneven_routing_needs_exchanged_split_sizes():
    check("uneven", 2, hint=HINT_SPLITS)


def test_float64():
    check("float64", 2, rtol=1e-10, atol=1e-10,
          hint="keep x's dtype through the all_to_alls (rows.new_empty, torch.empty_like) and combine "
               "in float32 as deepseek/moe does, cast to x's dtype; float64 inputs stay float64 (the "
               "module was built and first called in float32, then .double(): keep no buffer between calls)")


def test_bfloat16():
    check("bfloat16", 2, hint="the combine runs in float32 as deepseek/moe does; cast it back to x's dtype "
                              "(routed.to(x.dtype)) before adding the shared experts: bfloat16 in, bfloat16 out")


def test_keeps_only_its_experts():
    for rank, (keys, expected, same, replicated, no_shared) in enumerate(POOL.run(4, _kept, V3, 9)):
        if no_shared != "None":
            raise SpecFailure(
                f"ExpertParallelMoE of a MoE without shared experts (moe.shared_experts is None) on rank "
                f"{rank} of 4: its shared_experts is {no_shared}; the contract says None (set the attribute "
                "to moe.shared_experts always, and skip the shared term when it is None)")
        if keys != expected:
            raise SpecFailure(
                f"ExpertParallelMoE on rank {rank} of 4 (8 experts) has state-dict keys {keys}; expected "
                f"{expected}: gate, shared_experts and an nn.ModuleList `experts` of ONLY its 2 experts "
                "(experts.0, experts.1), each rank holding E / W of them")
        if not all(same) or not replicated:
            raise SpecFailure(
                f"ExpertParallelMoE on rank {rank} of 4: experts[j] must be moe.experts[{rank} * 2 + j] "
                f"(contiguous blocks: rank r owns r*L .. r*L + L - 1), gate and shared_experts moe's own; "
                f"expert weights equal: {same}, gate and shared experts equal: {replicated}")


def test_experts_must_split_evenly():
    results = POOL.run(4, _uneven_split, replace(V3, n_routed_experts=6, n_group=3, topk_group=2))
    for rank, (kind, text) in enumerate(results):
        traffic = POOL.comm[rank].summary() if POOL.comm[rank].ops else None
        if kind != "ValueError":
            raise SpecFailure(f"ExpertParallelMoE(moe with 6 experts) on 4 ranks did not raise ValueError "
                              f"on rank {rank}: 6 experts cannot be split evenly over 4 ranks")
        if "6" not in text or "4" not in text:
            raise SpecFailure(f"ExpertParallelMoE's ValueError reads {text!r}: name both the number of "
                              "experts (6) and of ranks (4)")
        if traffic:
            raise SpecFailure(f"ExpertParallelMoE communicated {traffic} before raising: check first")


@pytest.mark.parametrize("name, world", [("v3", 4), ("uneven", 2), ("bfloat16", 2)])
def test_traffic(name, world):
    config, _, sizes, dtype, _ = CASES[(name, world)]
    k, H = config.num_experts_per_tok, config.hidden_size
    s = torch.empty((), dtype=dtype).element_size()
    comm = check(name, world)
    for rank, log in enumerate(comm):
        other = [str(op) for op in log.ops if op.name not in ("all_to_all", "all_to_all_single")]
        if other:
            raise SpecFailure(f"ExpertParallelMoE on rank {rank} called {', '.join(other)}: expert "
                              "parallelism moves tokens with all_to_all(_single) only: no all_gather of "
                              "the batch, no all_reduce of every expert's output, no send/recv")
        if not log.ops and world > 1:
            raise SpecFailure(f"ExpertParallelMoE on rank {rank} of {world} made no all_to_all: the experts "
                              "live on other ranks; the tokens must travel to them")
    n_all = sum(b * t for b, t in sizes)
    sent = sum(log.bytes() for log in comm)
    limit = 2 * n_all * k * H * s + 2 * (n_all * k + world * world) * 8
    if sent > limit:
        per_rank = "; ".join(f"rank {r}: {log.summary()}" for r, log in enumerate(comm))
        raise SpecFailure(
            f"ExpertParallelMoE's all_to_alls carried {sent} bytes over its {world} ranks ({per_rank}); "
            f"with {n_all} tokens in all, k = {k}, H = {H} the bound is 2*N*k*H*{s} + 2*(N*k + W*W)*8 = "
            f"{limit}: send each (token, expert) pair's row once to the expert's owner, and each "
            "result row once back; never every token to every rank")
