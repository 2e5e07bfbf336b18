"""The shared checks catch what they promise and say so clearly."""

import sys
import types

import pytest
import torch
import torch.nn.functional as F

from harness.checks import (ForbiddenCall, SpecFailure, assert_close, assert_grads_match, forbid,
                            gradcheck, non_contiguous, unchanged)

pytestmark = pytest.mark.selftest


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(SpecFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_assert_close_passes_within_tolerance():
    x = torch.randn(3, 4)
    assert_close(x + 1e-7, x, what="f(x)")
    assert_close(torch.tensor([float("nan"), float("inf")]), torch.tensor([float("nan"), float("inf")]))


def test_assert_close_reports_shape_dtype_and_the_worst_value():
    assert "shape (3, 4), expected (4, 3)" in failure(assert_close, torch.zeros(3, 4), torch.zeros(4, 3), what="f")
    assert "dtype torch.float32, expected torch.int64" in failure(
        assert_close, torch.zeros(2), torch.zeros(2, dtype=torch.int64))
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 0.5
    message = failure(assert_close, actual, expected, what="f(x)", hint="look here")
    assert "f(x): 1 of 6 values differ" in message
    assert "max abs error 0.5" in message and "at index (1, 2)" in message
    assert "hint: look here" in message


def test_assert_close_is_exact_for_integers_and_bools():
    message = failure(assert_close, torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]))
    assert "at index (2,): got 4, expected 3" in message
    failure(assert_close, torch.tensor([True, False]), torch.tensor([True, True]))


def test_assert_close_nan_where_a_number_was_expected_fails():
    failure(assert_close, torch.tensor([float("nan")]), torch.tensor([1.0]))
    failure(assert_close, torch.tensor([float("inf")]), torch.tensor([1.0]))


def test_assert_close_compares_sequences_and_rejects_non_tensors():
    failure(assert_close, (torch.zeros(2), torch.ones(2)), (torch.zeros(2), torch.zeros(2)))
    assert "expected a torch.Tensor" in failure(assert_close, [0.0, 0.0], torch.zeros(2))


def test_forbid_catches_torch_functions_methods_and_aten_ops():
    x = torch.randn(2, 3)
    with pytest.raises(ForbiddenCall, match="you called torch.nn.functional.one_hot"):
        with forbid(F.one_hot):
            F.one_hot(torch.tensor([1]), 3)
    with pytest.raises(ForbiddenCall, match="torch.Tensor.softmax"):
        with forbid(torch.Tensor.softmax):
            x.softmax(-1)
    with pytest.raises(ForbiddenCall, match="a softmax built-in"):
        with forbid(aten={"_log_softmax": "a softmax built-in"}):
            F.cross_entropy(x, torch.tensor([0, 1]))
    with forbid(F.one_hot):
        x.softmax(-1)  # other calls are fine
    F.one_hot(torch.tensor([1]), 3)  # and the ban ends with the block


def test_forbid_catches_python_functions_under_any_alias():
    alias = types.ModuleType("katas.fake_alias")
    from torch.autograd.functional import jacobian

    alias.jac = jacobian
    sys.modules["katas.fake_alias"] = alias
    try:
        with pytest.raises(ForbiddenCall, match="torch.autograd.functional.jacobian"):
            with forbid("torch.autograd.functional.jacobian"):
                alias.jac(torch.sin, torch.zeros(2))
        with pytest.raises(ForbiddenCall):
            with forbid("torch.autograd.functional.jacobian"):
                torch.autograd.functional.jacobian(torch.sin, torch.zeros(2))
    finally:
        del sys.modules["katas.fake_alias"]
    assert alias.jac is jacobian and torch.autograd.functional.jacobian is jacobian


def test_unchanged_detects_in_place_writes():
    x = torch.zeros(3)
    with unchanged(x):
        y = x + 1
    with pytest.raises(SpecFailure, match="x was modified in place"):
        with unchanged(x, names=["x"]):
            x.add_(1)
    assert y.sum() == 3


def test_non_contiguous_keeps_values():
    x = torch.arange(12.0).reshape(3, 4)
    y = non_contiguous(x)
    assert not y.is_contiguous() and torch.equal(x, y)
    assert non_contiguous(torch.ones(1)).shape == (1,)
    assert non_contiguous(x.requires_grad_()).requires_grad


def test_gradcheck_and_grads_match_catch_a_wrong_backward():
    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2x

    x = torch.randn(4)
    assert "gradient differs from finite differences" in failure(gradcheck, WrongSquare.apply, x)
    assert "w.r.t. input 0" in failure(assert_grads_match, WrongSquare.apply, lambda t: t * t, x)
    gradcheck(lambda t: t * t, x)
    assert_grads_match(lambda t: t.square(), lambda t: t * t, x)


def test_forbid_replaces_a_method_named_on_its_class_and_restores_it():
    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    opt = torch.optim.SGD([p], lr=0.5)
    with pytest.raises(ForbiddenCall, match="torch.optim.SGD.zero_grad"):
        with forbid("torch.optim.SGD.zero_grad"):
            opt.zero_grad()
    assert "zero_grad" not in torch.optim.SGD.__dict__  # inherited: removed again, not pinned
    opt.step()
    assert torch.equal(p.detach(), torch.full((2,), 0.5))
