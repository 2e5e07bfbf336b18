"""Specs for katas/tensors/creation.py (day 1): causal_mask, positions, one_hot, share_numpy."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import assert_close, forbid, non_contiguous, unchanged
from katas.tensors.creation import causal_mask, one_hot, positions, share_numpy

SIZES = [1, 2, 3, 7, 16]


# ------------------------------------------------------------------------ causal_mask

@pytest.mark.parametrize("n", SIZES)
def test_causal_mask_is_lower_triangle_with_diagonal(n):
    i = torch.arange(n)
    expected = i[:, None] >= i[None, :]  # query i sees key j when j <= i
    assert_close(causal_mask(n), expected, what=f"causal_mask({n})",
                 hint="True where j <= i: a token sees itself and the past; check the diagonal")


def test_causal_mask_first_token_sees_itself():
    mask = causal_mask(4)
    assert_close(mask.diagonal(), torch.ones(4, dtype=torch.bool), what="causal_mask(4).diagonal()",
                 hint="position 0 must attend to something, itself: keep the diagonal")


# ------------------------------------------------------------------------ positions

@pytest.mark.parametrize("batch,t", [(1, 1), (1, 5), (3, 7), (4, 1), (2, 13)])
def test_positions_rows_count_from_zero(batch, t):
    expected = torch.stack([torch.arange(t, dtype=torch.int64)] * batch)
    assert_close(positions(batch, t), expected, what=f"positions({batch}, {t})",
                 hint="int64 0..t-1 in every row; torch.arange(t) is int64 already")


def test_positions_index_an_embedding():
    table = torch.nn.Embedding(9, 4)
    assert table(positions(2, 9)).shape == (2, 9, 4)


# ------------------------------------------------------------------------ one_hot

@given(shape=st.lists(st.integers(1, 5), min_size=0, max_size=3),
       num_classes=st.integers(1, 9), seed=st.integers(0, 2**31 - 1))
def test_one_hot_matches_torch(shape, num_classes, seed):
    gen = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, num_classes, shape, generator=gen)
    assert_close(one_hot(idx, num_classes), F.one_hot(idx, num_classes),
                 what=f"one_hot(idx of shape {tuple(shape)}, {num_classes})")


def test_one_hot_non_contiguous_input_is_left_alone():
    idx = non_contiguous(torch.tensor([[3, 0, 1], [2, 2, 4]]))
    with unchanged(idx, names=["idx"]):
        out = one_hot(idx, 5)
    assert_close(out, F.one_hot(idx.contiguous(), 5), what="one_hot(non-contiguous idx, 5)")


def test_one_hot_writes_its_own():
    with forbid(F.one_hot):
        one_hot(torch.tensor([0, 2, 1]), 3)


# ------------------------------------------------------------------------ share_numpy

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_share_numpy_keeps_dtype_and_values(dtype):
    a = np.arange(6, dtype=dtype).reshape(2, 3)
    t = share_numpy(a)
    assert_close(t, torch.arange(6).reshape(2, 3).to(getattr(torch, np.dtype(dtype).name)),
                 what="share_numpy(a)")


def test_share_numpy_sees_writes_to_the_array():
    a = np.zeros((2, 3), dtype=np.float32)
    t = share_numpy(a)
    a[1, 2] = 5.0
    assert t[1, 2].item() == 5.0, (
        "share_numpy(a): after a[1, 2] = 5 the tensor still holds 0; it copied the array. "
        "hint: torch.tensor always copies; torch.from_numpy shares")


def test_share_numpy_writes_reach_the_array():
    a = np.zeros(4, dtype=np.int64)
    t = share_numpy(a)
    t[0] = 7
    assert a[0] == 7, "share_numpy(a): a write to the tensor did not reach the array (a copy)"
