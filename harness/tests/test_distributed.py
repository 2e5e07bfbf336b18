"""harness.distributed: forked gloo ranks run checks, count communication, and turn every fault
(deadlock, skipped collective, mismatched size, a rank raising or dying) into a prompt,
named failure with no process left behind."""

import os
import time

import pytest
import torch
import torch.distributed as dist

from harness import distributed
from harness.distributed import DistributedFailure, RankPool, comm_log

pytestmark = pytest.mark.selftest

POOL = RankPool()


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    monkeypatch.setattr(distributed, "STALL", 0.6)
    monkeypatch.setattr(distributed, "PG_TIMEOUT", 3.0)


def _children() -> set[int]:
    me = os.getpid()
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == me and fields[0] != "Z":
                found.add(int(entry))
    kept = {pid for group in POOL._groups.values() for pid in group.pids}
    return found - kept  # the ranks of groups still in use are not strays


def _sum_and_log(rank, world, n):
    x = torch.full((n,), float(rank + 1))
    dist.all_reduce(x)
    with comm_log() as inner:
        peer = (rank + 1) % world
        send = dist.isend(torch.ones(3, dtype=torch.float64), peer)
        got = torch.zeros(3, dtype=torch.float64)
        dist.recv(got, (rank - 1) % world)
        send.wait()
    return x, inner.names(), inner.waits[0].op, dist.get_rank()


def test_results_come_back_by_rank_and_communication_is_counted():
    for world in (2, 4):
        results = POOL.run(world, _sum_and_log, 5)
        expected = sum(range(1, world + 1))
        for rank, (x, names, waited, seen_rank) in enumerate(results):
            assert seen_rank == rank and torch.equal(x, torch.full((5,), float(expected)))
            assert names == ["isend", "recv"] and waited == 0
        log = POOL.comm[0]
        assert log.names() == ["all_reduce", "isend", "recv"]
        assert log.bytes("all_reduce") == 20 and log.bytes("isend", "recv") == 48
        assert log.calls("isend")[0].peer == 1 and log.calls("isend")[0].waited
        assert log.calls("recv")[0].peer == world - 1
    assert POOL.run(2, _sum_and_log, 1)[1][0].item() == 3  # the same ranks, reused


def _batched(rank, world):
    got = torch.zeros(2)
    ops = [dist.P2POp(dist.isend, torch.full((2,), float(rank)), (rank + 1) % world),
           dist.P2POp(dist.irecv, got, (rank - 1) % world)]
    for work in dist.batch_isend_irecv(ops):
        work.wait()
    return got


def test_batched_point_to_point_is_logged_per_op():
    results = POOL.run(4, _batched)
    assert [r.tolist() for r in results] == [[3.0, 3.0], [0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]
    ops = POOL.comm[1].ops
    assert [(op.name, op.peer, op.bytes, op.waited) for op in ops] == [("isend", 2, 8, True), ("irecv", 0, 8, True)]


def _both_send_first(rank, world):
    dist.send(torch.ones(4), 1 - rank)
    dist.recv(torch.zeros(4), 1 - rank)


def _rank_one_skips(rank, world):
    if rank == 0:
        dist.all_reduce(torch.ones(2))


def _sizes_differ(rank, world):
    dist.all_reduce(torch.ones(3 + rank))


def test_a_deadlock_fails_quickly_naming_each_rank_and_call():
    start = time.monotonic()
    with pytest.raises(DistributedFailure) as caught:
        POOL.run(2, _both_send_first)
    assert time.monotonic() - start < 5
    text = str(caught.value)
    assert "stuck" in text and "rank 0 was blocked in send(float32[4], 16 bytes to rank 1)" in text
    assert "rank 1 was blocked in send(float32[4], 16 bytes to rank 0)" in text
    assert not _children()


def test_a_skipped_collective_and_a_size_mismatch_name_the_collective():
    with pytest.raises(DistributedFailure, match=r"rank 0 was blocked in all_reduce\(float32\[2\]"
                                                 r"(.|\n)*rank 1 had returned"):
        POOL.run(2, _rank_one_skips)
    with pytest.raises(DistributedFailure, match=r"all_reduce\(float32\[4\]"):
        POOL.run(2, _sizes_differ)
    assert not _children()


def _raises_on_rank_one(rank, world):
    if rank == 1:
        raise ValueError("bad value")
    dist.barrier()


def _dies_on_rank_one(rank, world):
    if rank == 1:
        os._exit(3)
    dist.barrier()


def test_a_rank_that_raises_or_dies_fails_the_check_and_the_next_check_starts_afresh():
    with pytest.raises(ValueError, match=r"^rank 1 of 2: bad value") as caught:
        POOL.run(2, _raises_on_rank_one)
    last = caught.traceback[-1]
    assert last.path.name == "test_distributed.py" and "raise ValueError" in str(last.statement)
    with pytest.raises(DistributedFailure, match=r"rank 1 of 2 died \(exit code 3\)"):
        POOL.run(2, _dies_on_rank_one)
    assert not _children()
    assert POOL.run(2, _sum_and_log, 2)[0][0].tolist() == [3.0, 3.0]


def _spins(rank, world):
    while True:
        pass


def test_a_check_that_never_returns_is_stopped(monkeypatch):
    monkeypatch.setattr(distributed, "CHECK_TIMEOUT", 0.5)
    with pytest.raises(DistributedFailure, match="did not finish within"):
        POOL.run(2, _spins)
    assert not _children()


def _nested(rank, world):
    return rank


def test_checks_must_be_module_level_functions():
    def local(rank, world):
        return rank

    with pytest.raises(TypeError, match="module-level function"):
        POOL.run(2, local)
    assert POOL.run(2, _nested) == [0, 1]
    distributed.shutdown_all()
    assert not _children()



def _single_collectives(rank, world):
    gathered, summed = torch.zeros(2 * world), torch.zeros(1)
    with comm_log() as log:
        dist.all_gather_single(gathered, torch.full((2,), float(rank)))
        dist.reduce_scatter_single(summed, torch.ones(world))
    return gathered, summed, log.names()


def test_the_single_tensor_collectives_are_counted_too():
    """torch 2.13's all_gather_single and reduce_scatter_single are logged like the others."""
    for gathered, summed, names in POOL.run(2, _single_collectives):
        assert torch.equal(gathered, torch.tensor([0.0, 0.0, 1.0, 1.0])) and summed.item() == 2
        assert names == ["all_gather_single", "reduce_scatter_single"], names


def test_without_os_fork_phase_8_is_skipped_with_the_reason(monkeypatch):
    """Windows has no os.fork: phase 8's spec files are then one skip each (the same path as
    phase 7 without triton, tested in test_kernels), never an AttributeError."""
    from harness import curriculum, plugin

    kata = next(k for k in curriculum.built() if k.phase == plugin.SCALE_OUT_PHASE)
    assert plugin.unmet_need(kata) is None
    monkeypatch.delattr(os, "fork")
    assert plugin.unmet_need(kata) == plugin.NEEDS_FORK
