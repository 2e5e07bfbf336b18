"""harness.edges: the battery's helpers do what their docstrings say."""

import pytest
import torch

from harness.checks import SpecFailure
from harness.edges import OneShot, default_dtype

pytestmark = pytest.mark.selftest


def test_default_dtype_is_set_inside_and_restored_after_an_error():
    before = torch.get_default_dtype()
    with pytest.raises(ZeroDivisionError), default_dtype(torch.float64):
        assert torch.tensor([0.5]).dtype == torch.float64
        1 / 0
    assert torch.get_default_dtype() == before


def test_one_shot_iterates_once_then_fails_loudly():
    items = OneShot([1, 2])
    assert list(items) == [1, 2]
    with pytest.raises(SpecFailure, match="iterated a second time"):
        list(items)
