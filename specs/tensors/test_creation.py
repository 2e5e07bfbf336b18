"""Specs for katas/tensors/creation.py (day 1): causal_mask, positions, one_hot, share_numpy.

Contract-to-spec map:
- causal_mask: (n, n) bool, j <= i, diagonal kept, n in 1..16 -> test_causal_mask_*;
  n = 0 gives (0, 0) bool -> test_causal_mask_empty; no size limit, a new tensor per call
  (no slice of a cached mask) -> test_causal_mask_is_a_new_tensor_every_call, _of_a_long_sequence.
- positions: (batch, t) int64 rows 0..t-1 -> test_positions_rows_count_from_zero, _index_an_embedding;
  no limit on t (t = 5000: no slice of a cached table) -> _rows_count_from_zero[2-5000];
  batch = 0 / t = 0 empty int64 -> test_positions_empty.
- one_hot: vs F.one_hot for any shape incl. 0-dim and size-0 dims (hypothesis) ->
  test_one_hot_matches_torch, test_one_hot_empty; width is num_classes not idx.max()+1, also
  5000 (no cached arange of classes) -> test_one_hot_width_is_num_classes; non-contiguous idx -> test_one_hot_non_contiguous_*;
  on idx's device (meta, also for an empty idx; CUDA also when idx's values are read) ->
  test_one_hot_on_idx_device, _on_cuda (gpu); F.one_hot off limits -> _writes_its_own.
- share_numpy: same dtype (float16/32/64, int8/16/32/64, uint8, bool; complex64/128, uint16:
  any dtype torch supports, no whitelist) and shape, shared for every one of them, 0-dim ->
  test_share_numpy_keeps_dtype_and_values, _zero_dim; writes both ways -> _sees_writes, _writes_reach;
  non-contiguous arrays shared, not copied, a zero (broadcast) stride too ->
  test_share_numpy_non_contiguous_array_is_shared;
  negative stride on any axis ValueError -> test_share_numpy_negative_stride_raises.
"""

import numpy as np
import pytest
import torch
import torch.utils.dlpack
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.budgets import gpu
from harness.checks import SpecFailure, assert_close, assert_raises, forbid, non_contiguous, unchanged
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


def test_causal_mask_empty():
    assert_close(causal_mask(0), torch.ones(0, 0, dtype=torch.bool), what="causal_mask(0)",
                 hint="n = 0 is a (0, 0) bool tensor; torch.tensor([]) of an empty list is a (0,) "
                 "float32 tensor: build the mask from torch.arange(n) or torch.ones(n, n, dtype=torch.bool)")


MASK_CACHE_HINT = ("build the mask afresh on every call (torch.ones(n, n, dtype=torch.bool).tril()); "
                   "a slice of one precomputed mask is shared by every caller, and has a size limit")


def test_causal_mask_is_a_new_tensor_every_call():
    first = causal_mask(6)
    first.fill_(False)  # a caller combining masks in place: mask &= keep
    smaller = causal_mask(4)
    again = causal_mask(6)
    i = torch.arange(6)
    assert_close(again, i[:, None] >= i[None, :], what="causal_mask(6) after an earlier result was "
                 "overwritten in place", hint=MASK_CACHE_HINT)
    assert_close(smaller, (i[:, None] >= i[None, :])[:4, :4], what="causal_mask(4) after "
                 "causal_mask(6) was overwritten in place", hint=MASK_CACHE_HINT)


def test_causal_mask_of_a_long_sequence():
    n = 2500  # longer than any fixed block size a cached mask is built for
    mask = causal_mask(n)
    i = torch.arange(n)
    assert_close(mask, i[:, None] >= i[None, :], what=f"causal_mask({n})", hint=MASK_CACHE_HINT)


# ------------------------------------------------------------------------ positions

@pytest.mark.parametrize("batch,t", [(1, 1), (1, 5), (3, 7), (4, 1), (2, 13), (2, 5000)])
def test_positions_rows_count_from_zero(batch, t):
    expected = torch.stack([torch.arange(t, dtype=torch.int64)] * batch)
    assert_close(positions(batch, t), expected, what=f"positions({batch}, {t})",
                 hint="int64 0..t-1 in every row; torch.arange(t) is int64 already"
                 + ("; t has no upper limit: build torch.arange(t) on every call, no slice of a "
                    "precomputed table of positions" if t > 13 else ""))


@pytest.mark.parametrize("batch,t", [(0, 4), (3, 0), (0, 0)])
def test_positions_empty(batch, t):
    assert_close(positions(batch, t), torch.zeros(batch, t, dtype=torch.int64),
                 what=f"positions({batch}, {t})",
                 hint="an empty result is still (batch, t) int64; torch.tensor of empty Python "
                 "lists gives float32 (and loses the shape): use torch.arange(t).expand(batch, t)")


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


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_one_hot_empty(shape):
    idx = torch.zeros(shape, dtype=torch.int64)
    assert_close(one_hot(idx, 4), F.one_hot(idx, 4), what=f"one_hot(idx of shape {shape}, 4)",
                 hint="an empty idx still gives idx.shape + (num_classes,) int64; do not read "
                 "idx.max() (it fails on an empty tensor)")


@pytest.mark.parametrize("values,num_classes", [([0, 0, 0], 6), ([1, 2, 1], 6), ([0, 4999, 7], 5000)])
def test_one_hot_width_is_num_classes(values, num_classes):
    idx = torch.tensor(values)
    assert_close(one_hot(idx, num_classes), F.one_hot(idx, num_classes),
                 what=f"one_hot(torch.tensor({values}), {num_classes})",
                 hint="the last dim is num_classes wide even when the largest class is absent; "
                 "never idx.max() + 1; num_classes has no upper limit (a vocabulary of 50257): "
                 "build torch.arange(num_classes, device=idx.device) on every call, no slice of a "
                 "cached table")


@pytest.mark.parametrize("shape", [(2, 3), (2, 0)])
def test_one_hot_on_idx_device(shape):
    """On the meta device (shapes only): helper tensors must be built on idx.device, also on
    a shortcut for an empty idx."""
    idx = torch.tensor([[3, 0, 1], [2, 2, 4]])[:, :shape[1]].to("meta")
    try:
        out = one_hot(idx, 5)
    except NotImplementedError as err:
        if not str(err):
            raise  # the stub: not started
        return  # an op without a meta kernel: the meta device cannot judge it
    except RuntimeError as err:
        text = str(err)
        if "device" in text:
            raise SpecFailure(f"one_hot(idx on the meta device, 5) raised RuntimeError: {text}\n"
                              f"  hint: build every helper tensor on idx.device: "
                              f"torch.arange(num_classes, device=idx.device)") from None
        if "meta" in text:
            return  # the code reads data (a check on idx.max()): the meta device cannot judge it
        raise
    assert isinstance(out, torch.Tensor) and out.device == idx.device and tuple(out.shape) == (*shape, 5) \
        and out.dtype == torch.int64, (
        f"one_hot(idx {shape} on the meta device, 5) returned {out!r}; expected a {(*shape, 5)} "
        f"int64 tensor on idx's device (meta). hint: torch.zeros / torch.eye / torch.arange without "
        f"device=idx.device build on the CPU (a shortcut for an empty idx too)")


@gpu
def test_one_hot_on_cuda():
    # the meta test above lets code that reads idx's values off the hook; a GPU does not
    idx = torch.tensor([[3, 0, 1], [2, 2, 4]], device="cuda")
    out = one_hot(idx, 5)
    if out.device != idx.device:
        raise SpecFailure(f"one_hot(idx on {idx.device}, 5) returned a tensor on {out.device}\n  hint: "
                          f"torch.zeros / torch.eye / torch.arange without device=idx.device build on the CPU")
    assert_close(out, F.one_hot(idx, 5), what="one_hot(idx (2, 3) on CUDA, 5)")


def test_one_hot_non_contiguous_input_is_left_alone():
    idx = non_contiguous(torch.tensor([[3, 0, 1], [2, 2, 4]]))
    with unchanged(idx, names=["idx"]):
        out = one_hot(idx, 5)
    assert_close(out, F.one_hot(idx.contiguous(), 5), what="one_hot(non-contiguous idx, 5)")


def test_one_hot_writes_its_own():
    with forbid(F.one_hot):
        one_hot(torch.tensor([0, 2, 1]), 3)


# ------------------------------------------------------------------------ share_numpy

NP_TO_TORCH = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64,
               np.int8: torch.int8, np.int16: torch.int16, np.int32: torch.int32, np.int64: torch.int64,
               np.uint8: torch.uint8, np.bool_: torch.bool,
               # less common ones torch supports too: a table of "the usual dtypes" misses them
               np.complex64: torch.complex64, np.complex128: torch.complex128, np.uint16: torch.uint16}


@pytest.mark.parametrize("dtype", list(NP_TO_TORCH), ids=lambda d: np.dtype(d).name)
def test_share_numpy_keeps_dtype_and_values(dtype):
    a = (np.arange(6) % 2 if dtype is np.bool_ else np.arange(6)).astype(dtype).reshape(2, 3)
    t = share_numpy(a)
    expected = torch.arange(6).reshape(2, 3)
    expected = (expected % 2 if dtype is np.bool_ else expected).to(NP_TO_TORCH[dtype])
    assert_close(t, expected, what=f"share_numpy(a) for a {np.dtype(dtype).name} array of shape (2, 3)",
                 hint="keep the array's dtype and shape: torch.from_numpy(a), no .float() or reshape")
    a[0, 0] = 1  # every dtype is shared, not only the common ones
    if t[0, 0].item() != 1:
        raise SpecFailure(f"share_numpy(a) for a {np.dtype(dtype).name} array: a write to the array "
                          f"did not show in the tensor; it was copied (a special path for this dtype?)"
                          f"\n  hint: torch.from_numpy shares every dtype torch supports, bool and "
                          f"complex included: no astype/view round trip, no torch.tensor(a)")


def test_share_numpy_zero_dim():
    a = np.array(2.5, dtype=np.float64)
    t = share_numpy(a)
    assert_close(t, torch.tensor(2.5, dtype=torch.float64), what="share_numpy(np.array(2.5))")
    a[...] = 4.0
    assert t.item() == 4.0, "share_numpy(np.array(2.5)): a write to the 0-dim array did not reach the tensor"


@pytest.mark.parametrize("view", ["a.T", "a[:, ::2]", "a[1:, 1:3]",
                                  # a broadcast row (stride 0, as np.broadcast_to makes, but writable)
                                  "as_strided(a[0], (4, 6), (0, 4))"])
def test_share_numpy_non_contiguous_array_is_shared(view):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    a = eval(view, {"a": base, "as_strided": np.lib.stride_tricks.as_strided})
    try:
        t = share_numpy(a)
    except ValueError as e:
        raise SpecFailure(f"share_numpy({view}) (strides {a.strides}) raised ValueError: {e}\n  hint: only "
                          "a negative stride cannot be shared; a stride of 0 (a broadcast axis) is "
                          "fine for torch.from_numpy: test s < 0, not s <= 0") from None
    assert_close(t, torch.from_numpy(a.copy()), what=f"share_numpy({view}) for a of shape (4, 6)")
    a[0, 0] = -1.0
    assert t[0, 0].item() == -1.0, (
        f"share_numpy({view}): a write to the array did not show in the tensor; a non-contiguous "
        f"array was copied. hint: torch.from_numpy shares strided arrays as they are; "
        f"np.ascontiguousarray, .copy() or .reshape(-1) copy them")


NEGATIVE_STRIDES = {  # a flipped 1-D array, and 2-D arrays flipped along one axis
    "np.arange(5)[::-1]": lambda base: np.arange(5, dtype=np.float32)[::-1],
    "a[:, ::-1] for a of shape (3, 4)": lambda base: base[:, ::-1],
    "a[::-1, ::2] for a of shape (3, 4)": lambda base: base[::-1, ::2],
}


@pytest.mark.parametrize("view", list(NEGATIVE_STRIDES))
def test_share_numpy_negative_stride_raises(monkeypatch, view):
    a = NEGATIVE_STRIDES[view](np.arange(12, dtype=np.float32).reshape(3, 4))
    real = torch.from_dlpack

    def from_dlpack(obj, *args, **kwargs):
        # torch.from_dlpack aborts the whole process on a negative stride (a torch bug)
        if isinstance(obj, np.ndarray) and any(st_ < 0 for st_ in obj.strides):
            raise SpecFailure(f"share_numpy({view}) called torch.from_dlpack on an array "
                              "with a negative stride, which aborts the Python process\n  hint: check "
                              "a.strides first and raise ValueError (or use torch.from_numpy)")
        return real(obj, *args, **kwargs)

    monkeypatch.setattr(torch, "from_dlpack", from_dlpack)
    monkeypatch.setattr(torch.utils.dlpack, "from_dlpack", from_dlpack)
    assert_raises(ValueError, share_numpy, a, what=f"share_numpy({view})",
                  contract="arrays with a negative stride cannot be shared: raise ValueError, as "
                  "torch.from_numpy does", hint="do not copy to make it work: a copy shares nothing; "
                  "a negative stride may be on any axis (check every entry of a.strides)")


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
