"""Budgets measure what they claim: FLOPs exactly, bytes by storage, time as a ratio."""

import signal
import time

import pytest
import torch

from harness.budgets import OverTime, allocations, count_flops, deadline, peak_bytes, time_ratio

pytestmark = pytest.mark.selftest


def naive_attention(q, k, v):
    return torch.softmax(q @ k.transpose(-1, -2), dim=-1) @ v


def chunked_attention(q, k, v, chunk=16):
    return torch.cat([naive_attention(q[i:i + chunk], k, v) for i in range(0, len(q), chunk)])


def test_flop_counts_equal_flop_counter_mode_and_fill_its_gaps():
    from torch.utils.flop_counter import FlopCounterMode

    q = torch.randn(2, 3, 16, 8)
    model = torch.nn.Sequential(torch.nn.Linear(8, 12), torch.nn.GELU(), torch.nn.Linear(12, 5))
    for fn, args in [(model, (torch.randn(7, 8),)), (torch.bmm, (torch.randn(2, 3, 4), torch.randn(2, 4, 5))),
                     (torch.nn.functional.conv2d, (torch.randn(1, 3, 9, 9), torch.randn(4, 3, 3, 3)))]:
        with FlopCounterMode(display=False) as reference:
            fn(*args)
        assert count_flops(fn, *args) == reference.get_total_flops() > 0
    sdpa = torch.nn.functional.scaled_dot_product_attention
    assert count_flops(sdpa, q, q, q) == 2 * (2 * 2 * 3 * 16 * 16 * 8)  # QK^T and PV


def test_matmul_flops_are_two_per_multiply_add():
    a, b = torch.randn(5, 7), torch.randn(7, 3)
    assert count_flops(torch.mm, a, b) == 2 * 5 * 7 * 3
    assert count_flops(torch.mv, a, torch.randn(7)) == 2 * 5 * 7
    assert count_flops(torch.dot, torch.randn(7), torch.randn(7)) == 2 * 7


def test_peak_bytes_see_quadratic_and_linear_growth():
    def peak(fn, t):
        q = torch.randn(t, 8)
        return peak_bytes(fn, q, q, q)

    assert peak(naive_attention, 512) / peak(naive_attention, 256) > 3.5
    assert peak(chunked_attention, 512) / peak(chunked_attention, 256) < 2.5


def test_peak_bytes_ignore_views_and_count_what_is_held():
    x = torch.randn(1000)
    assert peak_bytes(lambda t: t.view(10, 100).transpose(0, 1), x) == 0
    assert peak_bytes(lambda t: (t * 2, t * 3), x) == 2 * 4000


def test_time_ratio_of_a_function_with_itself_is_near_one():
    x = torch.randn(64, 64)
    assert 0.33 < time_ratio(torch.mm, torch.mm, x, x) < 3


def test_allocations_list_new_tensors_but_not_views():
    def f(x):
        scores = x @ x.T  # (T, T): new
        return scores.transpose(0, 1).sum(0)  # a view, then a new (T,)

    found = allocations(f, torch.randn(6, 3))
    assert [(a.shape, a.op) for a in found] == [((6, 6), "mm"), ((6,), "sum")]
    assert found[0].nbytes == 6 * 6 * 4 and "(6, 6) torch.float32 from aten.mm" == str(found[0])


def test_a_deadline_stops_a_slow_block_and_gives_the_spec_timeout_back():
    before, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.perf_counter()
    with pytest.raises(OverTime), deadline(0.2):
        while True:
            pass
    assert 0.15 < time.perf_counter() - start < 1.5
    after, _ = signal.getitimer(signal.ITIMER_REAL)
    assert (after > 0) == (before > 0), "pytest-timeout's alarm is put back"
    with deadline(5):
        pass
    assert signal.getsignal(signal.SIGALRM) is not None


def test_python_peak_bytes_sees_python_memory_and_returns_the_result():
    from harness.budgets import python_peak_bytes

    result, peak = python_peak_bytes(lambda n: len(list(range(n))), 100_000)
    assert result == 100_000 and peak > 8 * 100_000  # a list of 100,000 references at least
    _, small = python_peak_bytes(lambda: None)
    assert small < 10_000
