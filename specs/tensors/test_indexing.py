"""Specs for katas/tensors/indexing.py (day 1): gather_rows, last_token, masked_mean.

Contract-to-spec map:
- gather_rows: out[b, k] = x[b, idx[b, k]], shape (B, K, C), K below/above T, sizes 1 and primes,
  B = 5000 (no cached arange of rows) -> test_gather_rows_matches_torch_gather, _property_matches_torch_gather; each batch row uses
  its own idx -> _each_batch_element_uses_its_own_indices; B, K, C (and T with K) = 0 ->
  _empty_sizes (float64: an empty shortcut keeps the dtype); same dtype (float64, int64,
  float16, bfloat16) -> _keeps_dtype; inf/NaN in rows not picked -> _unpicked_rows_may_hold_inf_and_nan; non-contiguous -> _non_contiguous_*; gradient
  with repeated rows -> _gradient_reaches_x; torch.gather / take_along_dim off limits -> _writes_its_own_gather.
- last_token: position lengths - 1, not lengths -> test_last_token_picks_position_length_minus_one,
  _full_length_sequences; (B, C) for sizes 1 and primes, B = 5000 -> _shapes, _property; B = 0, C = 0 ->
  _empty_sizes (float64); same dtype (float64, int64, halves) -> _keeps_dtype; inf/NaN padding
  ignored -> _padding_may_hold_inf_and_nan; non-contiguous -> _non_contiguous_*; gradient at the picked
  positions only -> _gradient_reaches_picked_positions.
- masked_mean: sum / mask count (not / x.shape[dim]) -> test_masked_mean_divides_by_the_mask_count;
  empty slice -> 0 -> _empty_slice_gives_zero; a size-0 dim -> zeros of x's dtype ->
  _size_zero_dim_gives_zeros_of_x_dtype; masked-out values up to finfo.max ignored ->
  _ignores_masked_out_values, _ignores_huge_masked_out_values; kept inf / NaN reach the result
  (no nan_to_num of the mean) -> _kept_inf_and_nan_propagate; full mask = mean -> _full_mask_*;
  any dim incl. negative -> _over_any_dim; any shape incl. size-0 dims (hypothesis) -> _property;
  float64 computed in float64, no count + eps -> _float64_is_exact; float16 / bfloat16 kept ->
  _keeps_half_dtypes; halves accumulated in float32 (a sum beyond float16's largest, a finite
  mean; a count of 70000 beyond float16's largest; a bfloat16 sum rounded before dividing) -> _half_sum_may_overflow_the_dtype; non-contiguous and the documented stride-0 expanded mask ->
  _non_contiguous_*, _expanded_mask; gradient = mask / count, 0 (not NaN) on empty slices, also
  when every slice is empty (no graph-less shortcut) -> _gradient_is_mask_over_count.
- every function: empty inputs (K, C or T = 0; not B = 0) stay on x's graph, backward works ->
  test_empty_inputs_stay_on_the_graph.
- every function: results on the inputs' device (meta; helpers such as flat offsets built
  there; also the empty-input paths of every function) -> test_results_stay_on_the_inputs_device.
"""

import pytest
import torch
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_on_input_device, forbid, non_contiguous,
                            randn, unchanged)
from harness.edges import HALF_DTYPES, TIGHT64, assert_dtype_kept, shapes, tolerance
from harness.failures import fail
from katas.tensors.indexing import gather_rows, last_token, masked_mean

SEEDS = st.integers(0, 2**31 - 1)


def torch_gather_rows(x, idx):
    """The built-in answer: torch.gather along T with the index expanded over C."""
    B, K = idx.shape
    return torch.gather(x, 1, idx[..., None].expand(B, K, x.shape[2]))


def loop_last_token(x, lengths):
    """Independent answer: one Python index per sequence (torch.gather for long batches)."""
    if len(lengths) > 16:
        return torch.gather(x, 1, (lengths - 1)[:, None, None].expand(-1, 1, x.shape[2]))[:, 0]
    return torch.stack([x[b, int(n) - 1] for b, n in enumerate(lengths)])


def nan_masked_mean(x, mask, dim):
    """Independent answer: hide masked-out entries as NaN, nanmean, empty slices -> 0."""
    hidden = torch.where(mask, x, torch.full_like(x, float("nan")))
    return torch.nanmean(hidden, dim).nan_to_num(nan=0.0)


def loop_masked_mean(x, mask):
    """Independent answer for 2-D x reduced over dim 1: a Python sum / count per row."""
    rows = [x[b][mask[b]].sum() / max(int(mask[b].sum()), 1) for b in range(x.shape[0])]
    return torch.stack(rows)


def gather_last_token(x, lengths):
    """The built-in answer (also for B = 0): torch.gather at lengths - 1."""
    B, _, C = x.shape
    return torch.gather(x, 1, (lengths - 1)[:, None, None].expand(B, 1, C)).squeeze(1)


def random_idx(B, T, K, seed):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, T, (B, K), generator=gen)


def random_lengths(B, T, seed):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(1, T + 1, (B,), generator=gen)


# ------------------------------------------------------------------------ gather_rows

# (B, T, C, K): sizes 1, primes, K below and above T
GATHER_SHAPES = [(1, 1, 1, 1), (2, 5, 3, 4), (3, 7, 2, 11), (1, 13, 5, 3), (4, 2, 1, 6),
                 (5000, 2, 1, 1)]  # B has no upper limit: no slice of a cached arange of rows


@pytest.mark.parametrize("B,T,C,K", GATHER_SHAPES)
def test_gather_rows_matches_torch_gather(B, T, C, K):
    x, idx = randn(B, T, C, seed=1), random_idx(B, T, K, seed=2)
    out = gather_rows(x, idx)
    assert_close(out, torch_gather_rows(x, idx), what=f"gather_rows(x {(B, T, C)}, idx {(B, K)})",
                 hint="out[b, k] = x[b, idx[b, k]]: shape (B, K, C)")


def test_gather_rows_each_batch_element_uses_its_own_indices():
    x = torch.arange(2 * 4 * 3, dtype=torch.float32).reshape(2, 4, 3)
    idx = torch.tensor([[0, 3], [2, 1]])
    out = gather_rows(x, idx)
    expected = torch.stack([x[0, [0, 3]], x[1, [2, 1]]])
    assert_close(out, expected, what="gather_rows(x (2, 4, 3), idx [[0, 3], [2, 1]])",
                 hint="x[:, idx] gives every batch element every row of idx, shape (B, B, K, C); "
                      "pair each idx row with its own batch row: x[rows, idx] with rows of shape (B, 1)")


@given(B=st.integers(1, 4), T=st.integers(1, 7), C=st.integers(1, 5), K=st.integers(1, 9), seed=SEEDS)
def test_gather_rows_property_matches_torch_gather(B, T, C, K, seed):
    x, idx = randn(B, T, C, seed=seed), random_idx(B, T, K, seed=seed + 1)
    out = gather_rows(x, idx)
    assert_close(out, torch_gather_rows(x, idx), what=f"gather_rows(x {(B, T, C)}, idx {(B, K)})")


@pytest.mark.parametrize("B,T,C,K", [(0, 3, 2, 4), (2, 3, 2, 0), (2, 3, 0, 4), (2, 0, 3, 0), (0, 0, 0, 0)])
def test_gather_rows_empty_sizes(B, T, C, K):
    # float64: an empty-input shortcut must keep x's dtype too (torch.zeros(B, K, C) is float32)
    x, idx = randn(B, T, C, seed=40, dtype=torch.float64), random_idx(B, max(T, 1), K, seed=41)
    out = gather_rows(x, idx)
    assert_close(out, torch_gather_rows(x, idx), what=f"gather_rows(float64 x {(B, T, C)}, idx {(B, K)})",
                 hint="B, K or C may be 0: the answer is an empty (B, K, C) tensor of x's dtype; a "
                      "Python loop that torch.stack()s one tensor per batch element fails on an empty "
                      "list, and a shortcut torch.zeros(B, K, C) without dtype=x.dtype is float32")


def test_gather_rows_unpicked_rows_may_hold_inf_and_nan():
    x = randn(2, 6, 3, seed=42)
    idx = torch.tensor([[0, 2, 2], [5, 1, 5]])
    x[0, 1], x[0, 4], x[1, 3] = float("inf"), float("nan"), float("-inf")  # never picked
    out = gather_rows(x, idx)
    assert_close(out, torch_gather_rows(x, idx), what="gather_rows(x with inf/NaN in rows idx never names, idx)",
                 hint="a gather copies the picked rows; a one-hot matmul multiplies every other "
                      "row by 0, and 0 * inf = NaN: index, do not multiply")


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, *HALF_DTYPES])
def test_gather_rows_keeps_dtype(dtype):
    x = (randn(3, 5, 2, seed=3, dtype=torch.float64) * 10).to(dtype)
    idx = random_idx(3, 5, 4, seed=4)
    out = gather_rows(x, idx)
    assert_close(out, torch_gather_rows(x, idx), what=f"gather_rows(x of {dtype}, idx)")


def test_gather_rows_non_contiguous_inputs_are_left_alone():
    x, idx = non_contiguous(randn(3, 6, 4, seed=5)), non_contiguous(random_idx(3, 6, 5, seed=6))
    with unchanged(x, idx, names=["x", "idx"]):
        out = gather_rows(x, idx)
    assert_close(out, torch_gather_rows(x.contiguous(), idx.contiguous()),
                 what="gather_rows(non-contiguous x, non-contiguous idx)")


def test_gather_rows_gradient_reaches_x():
    x = randn(2, 5, 3, seed=7, dtype=torch.float64)
    idx = torch.tensor([[1, 1, 4, 0], [3, 2, 3, 3]])  # repeated rows accumulate their gradients
    gather_rows(x, idx)
    assert_grads_match(gather_rows, torch_gather_rows, x, idx, what="gather_rows(x, idx) gradient",
                       hint="build the output from x with differentiable indexing (no .tolist()/.item())")


def test_gather_rows_writes_its_own_gather():
    x, idx = randn(2, 5, 3, seed=8), random_idx(2, 5, 4, seed=9)
    with forbid(torch.gather, torch.Tensor.gather, torch.take_along_dim, torch.Tensor.take_along_dim,
                aten={"gather": "torch.gather (as aten.gather)"}):
        gather_rows(x, idx)


# ------------------------------------------------------------------------ last_token

@pytest.mark.parametrize("B,T,C", [(0, 4, 3), (2, 4, 0), (0, 1, 0)])
def test_last_token_empty_sizes(B, T, C):
    # float64: an empty-input shortcut must keep x's dtype too (torch.empty(B, C) is float32)
    x, lengths = randn(B, T, C, seed=43, dtype=torch.float64), random_lengths(B, T, seed=44)
    out = last_token(x, lengths)
    assert_close(out, gather_last_token(x, lengths),
                 what=f"last_token(float64 x {(B, T, C)}, lengths {lengths.tolist()})",
                 hint="B or C may be 0: the answer is an empty (B, C) tensor of x's dtype; torch.stack() "
                      "of an empty Python list raises, and a shortcut torch.empty(B, C) without "
                      "dtype=x.dtype is float32")


def test_last_token_padding_may_hold_inf_and_nan():
    x = randn(3, 5, 2, seed=45)
    lengths = torch.tensor([2, 5, 3])
    positions = torch.arange(5)[None, :, None].expand(3, 5, 2)
    padding = positions >= lengths[:, None, None]
    junk = torch.tensor([float("nan"), float("inf"), float("-inf")]).repeat(10)[:30].reshape(3, 5, 2)
    x = torch.where(padding, junk, x)
    out = last_token(x, lengths)
    assert_close(out, loop_last_token(x, lengths), what="last_token(x with inf/NaN padding, lengths [2, 5, 3])",
                 hint="pick the row by indexing; multiplying by a one-hot mask and summing over T "
                      "turns 0 * inf and 0 * NaN padding into NaN")


def test_last_token_gradient_reaches_picked_positions():
    x = randn(3, 4, 2, seed=46, dtype=torch.float64)
    lengths = torch.tensor([1, 4, 3])
    last_token(x, lengths)
    assert_grads_match(last_token, loop_last_token, x, lengths, what="last_token(x, lengths [1, 4, 3]) gradient",
                       hint="keep the output connected to x (index it; no .numpy(), .tolist() or "
                            "detach): x[b, lengths[b] - 1] gets the upstream gradient, every other "
                            "position 0")


def test_last_token_picks_position_length_minus_one():
    x = randn(4, 6, 3, seed=10)
    lengths = torch.tensor([3, 1, 5, 2])  # all shorter than T = 6: padding follows each
    out = last_token(x, lengths)
    assert_close(out, loop_last_token(x, lengths), what="last_token(x (4, 6, 3), lengths [3, 1, 5, 2])",
                 hint="a sequence of n tokens occupies positions 0 .. n-1: its last token is at "
                      "lengths - 1; position lengths is the first padding slot")


def test_last_token_full_length_sequences():
    x = randn(3, 5, 2, seed=11)
    lengths = torch.tensor([5, 5, 2])  # two sequences fill the whole window
    out = last_token(x, lengths)
    assert_close(out, loop_last_token(x, lengths), what="last_token(x (3, 5, 2), lengths [5, 5, 2])",
                 hint="a length-T sequence ends at position T-1; index lengths - 1")


@pytest.mark.parametrize("B,T,C", [(1, 1, 1), (1, 4, 3), (5, 1, 2), (3, 7, 1), (2, 11, 13), (5000, 2, 1)])
def test_last_token_shapes(B, T, C):
    x, lengths = randn(B, T, C, seed=12), random_lengths(B, T, seed=13)
    out = last_token(x, lengths)
    shown = lengths.tolist() if B <= 16 else f"of {B} sequences (B has no upper limit: no cached arange of rows)"
    assert_close(out, loop_last_token(x, lengths), what=f"last_token(x {(B, T, C)}, lengths {shown})",
                 hint="one row per batch element: shape (B, C), row b = x[b, lengths[b] - 1]")


@given(B=st.integers(1, 5), T=st.integers(1, 8), C=st.integers(1, 4), seed=SEEDS)
def test_last_token_property(B, T, C, seed):
    x, lengths = randn(B, T, C, seed=seed), random_lengths(B, T, seed=seed + 1)
    out = last_token(x, lengths)
    assert_close(out, loop_last_token(x, lengths),
                 what=f"last_token(x {(B, T, C)}, lengths {lengths.tolist()})")


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, *HALF_DTYPES])
def test_last_token_keeps_dtype(dtype):
    x = (randn(3, 4, 2, seed=14, dtype=torch.float64) * 10).to(dtype)
    lengths = torch.tensor([4, 2, 1])
    out = last_token(x, lengths)
    assert_close(out, loop_last_token(x, lengths), what=f"last_token(x of {dtype}, lengths)")


def test_last_token_non_contiguous_inputs_are_left_alone():
    x, lengths = non_contiguous(randn(4, 5, 3, seed=15)), non_contiguous(torch.tensor([2, 5, 1, 4]))
    with unchanged(x, lengths, names=["x", "lengths"]):
        out = last_token(x, lengths)
    assert_close(out, loop_last_token(x, lengths), what="last_token(non-contiguous x, non-contiguous lengths)")


# ------------------------------------------------------------------------ masked_mean

def test_masked_mean_divides_by_the_mask_count():
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0, 5.0],
                      [10.0, 20.0, 30.0, 40.0, 50.0]])
    mask = torch.tensor([[True, True, True, False, False],
                         [False, True, False, True, True]])
    out = masked_mean(x, mask, 1)
    expected = torch.tensor([(1.0 + 2.0 + 3.0) / 3, (20.0 + 40.0 + 50.0) / 3])
    assert_close(out, expected, what="masked_mean(x (2, 5), mask with 3 True per row, dim=1)",
                 hint="divide the masked sum by how many entries the mask keeps (mask.sum(dim)), "
                      "not by x.shape[dim]")


def test_masked_mean_empty_slice_gives_zero():
    x = randn(3, 4, seed=20)
    mask = torch.tensor([[True, False, True, True],
                         [False, False, False, False],  # nothing to average: the rule says 0
                         [False, True, False, False]])
    out = masked_mean(x, mask, -1)
    expected = torch.stack([x[0, [0, 2, 3]].mean(), torch.tensor(0.0), x[2, 1]])
    assert_close(out, expected, what="masked_mean(x (3, 4), mask with an all-False row, dim=-1)",
                 hint="an empty slice is 0 / 0 = NaN; the stated rule is 0: divide by the count "
                      "clamped to at least 1 (or use torch.where on count == 0)")


def test_masked_mean_size_zero_dim_gives_zeros_of_x_dtype():
    x = torch.zeros(2, 0, 3, dtype=torch.float64)  # every slice along dim 1 is empty
    out = masked_mean(x, torch.zeros(2, 0, 3, dtype=torch.bool), 1)
    assert_close(out, torch.zeros(2, 3, dtype=torch.float64), what="masked_mean(float64 x (2, 0, 3), mask, 1)",
                 hint="a size-0 dim makes every slice empty: zeros of shape (2, 3) and x's dtype; a "
                      "shortcut torch.zeros(shape) without dtype=x.dtype (and device=x.device) is float32")


def test_masked_mean_ignores_masked_out_values():
    x = randn(2, 6, seed=21)
    mask = torch.tensor([[True, False, True, False, False, True],
                         [False, False, True, True, False, False]])
    loud = torch.where(mask, x, torch.full_like(x, 1e6))  # masked-out entries must not matter
    out = masked_mean(loud, mask, 1)
    assert_close(out, nan_masked_mean(x, mask, 1), what="masked_mean(x with 1e6 at masked-out entries, mask, 1)",
                 hint="zero the masked-out entries before summing (torch.where(mask, x, 0))")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, *HALF_DTYPES])
def test_masked_mean_ignores_huge_masked_out_values(dtype):
    x = randn(3, 6, seed=29, dtype=dtype)
    mask = torch.tensor([[True, False, True, False, True, True],
                         [False, False, True, True, False, False],
                         [True, True, False, False, False, False]])
    big = torch.finfo(dtype).max
    loud = torch.where(mask, x, torch.tensor([big, -big], dtype=dtype).repeat(9).reshape(3, 6))
    out = masked_mean(loud, mask, 1)
    assert_close(out, nan_masked_mean(x.double(), mask, 1).to(dtype), **tolerance(dtype),
                 what=f"masked_mean(x with +-finfo({dtype}).max at masked-out entries, mask, 1)",
                 hint="masked-out entries may hold any finite value: select the kept ones "
                      "(torch.where(mask, x, 0)) before summing; a total that includes them and "
                      "subtracts them again overflows to inf - inf = NaN")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_masked_mean_kept_inf_and_nan_propagate(dtype):
    inf, nan = float("inf"), float("nan")
    x = torch.tensor([[1.0, inf, 2.0, 5.0], [nan, 3.0, 1.0, 7.0], [-inf, 4.0, 0.0, 1.0],
                      [1.0, 2.0, 3.0, 4.0]], dtype=dtype)
    mask = torch.tensor([[True, True, True, False], [True, True, False, False],
                         [True, False, True, False], [False, False, False, False]])
    out = masked_mean(x, mask, 1)
    want = torch.tensor([inf, nan, -inf, 0.0], dtype=dtype)
    assert_close(out, want,
                 what="masked_mean(x with a kept inf, NaN, -inf in rows 0-2, mask, 1); row 3 empty",
                 hint="a kept inf or NaN is part of the mean, as in torch.mean: only an empty slice "
                      "is 0. nan_to_num (or an isfinite guard) on the result turns inf into "
                      "finfo.max or 0 and hides NaN; divide by count.clamp_min(1) instead")


def test_masked_mean_full_mask_is_the_plain_mean():
    x = randn(3, 5, 2, seed=22)
    mask = torch.ones(3, 5, 2, dtype=torch.bool)
    out = masked_mean(x, mask, 1)
    assert_close(out, x.mean(1), what="masked_mean(x, all-True mask, 1)")


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
def test_masked_mean_over_any_dim(dim):
    gen = torch.Generator().manual_seed(23)
    x = randn(3, 5, 7, seed=24)
    mask = torch.rand(3, 5, 7, generator=gen) < 0.6
    out = masked_mean(x, mask, dim)
    assert_close(out, nan_masked_mean(x, mask, dim), what=f"masked_mean(x (3, 5, 7), mask, {dim})",
                 hint="reduce over the dim you were given (negative dims count from the end); "
                      "the result drops that dim")


@given(shape=shapes(1, 3, 0, 5), dim_pick=st.integers(0, 5),
       p=st.sampled_from([0.0, 0.3, 0.7, 1.0]), seed=SEEDS)
def test_masked_mean_property(shape, dim_pick, p, seed):
    dim = dim_pick % len(shape) - (len(shape) if dim_pick >= len(shape) else 0)
    gen = torch.Generator().manual_seed(seed)
    x = randn(*shape, seed=seed + 1)
    mask = torch.rand(*shape, generator=gen) < p
    out = masked_mean(x, mask, dim)
    assert_close(out, nan_masked_mean(x, mask, dim),
                 what=f"masked_mean(x {tuple(shape)}, mask ({int(mask.sum())} True), dim={dim})",
                 hint="sum of kept entries / number kept; an empty slice (also a size-0 dim) gives 0")


def test_masked_mean_float64_is_exact():
    x = randn(4, 3, seed=25, dtype=torch.float64) * 1e3 + 1.0 / 3.0
    mask = torch.tensor([[True, False, True], [False, False, True], [True, True, True], [False, True, False]])
    out = masked_mean(x, mask, 1)
    assert_close(out, loop_masked_mean(x, mask), what="masked_mean(float64 x, mask, 1)", **TIGHT64,
                 hint="divide by exactly the count (mask.sum(dim), clamped to 1 for empty slices), "
                      "not count + eps, and stay in float64 (no .float() on x or the count)")


@pytest.mark.parametrize("dtype", HALF_DTYPES)
def test_masked_mean_keeps_half_dtypes(dtype):
    x = randn(3, 5, seed=30, dtype=dtype)
    mask = torch.tensor([[True, False, True, True, False],
                         [False, False, False, False, False],
                         [True, True, True, True, True]])
    out = masked_mean(x, mask, 1)
    assert_dtype_kept(out, x, f"masked_mean(x of {dtype}, mask, 1)")
    assert_close(out, nan_masked_mean(x.double(), mask, 1).to(dtype), **tolerance(dtype),
                 what=f"masked_mean(x of {dtype}, mask, 1)")


def test_masked_mean_half_sum_may_overflow_the_dtype():
    # float16 mean pooling over a long sequence: 700 values near 100 sum to ~7e4, beyond
    # float16's largest (65504); their mean, 100, is not
    x = (100 + randn(2, 700, seed=33)).to(torch.float16)
    mask = torch.ones(2, 700, dtype=torch.bool)
    mask[1, ::2] = False
    out = masked_mean(x, mask, 1)
    assert_close(out, nan_masked_mean(x.double(), mask, 1).to(torch.float16), **tolerance(torch.float16),
                 what="masked_mean(float16 x (2, 700) near 100, mask, 1)",
                 hint="a float16 sum of 700 values near 100 overflows to inf: accumulate half "
                      "dtypes in float32 (sum(dim, dtype=torch.float32)), divide, then cast back "
                      "to x.dtype, as torch.mean does")
    # the count too: 70000 kept entries are more than float16 can count (65504), and a count
    # summed in float16 is inf, so the mean would come out 0
    x = torch.full((1, 70000), 0.5, dtype=torch.float16)
    out = masked_mean(x, torch.ones(1, 70000, dtype=torch.bool), 1)
    assert_close(out, torch.tensor([0.5], dtype=torch.float16), **tolerance(torch.float16),
                 what="masked_mean(float16 x (1, 70000) all 0.5, a full mask, 1)",
                 hint="count the kept entries in an integer (mask.sum(dim), int64) or in float32, "
                      "not in x's dtype: a float16 count of 70000 entries is inf (float16's "
                      "largest is 65504)")
    # bfloat16 too (8 significant bits): 257 ones and one 2 sum to 259, which bfloat16 rounds to
    # 260; the mean of the 258 kept values is 259 / 258, 1.0 in bfloat16 (260 / 258 is 1.0078)
    x = torch.full((1, 300), 1.0, dtype=torch.bfloat16)
    x[0, 0] = 2.0
    mask = torch.zeros(1, 300, dtype=torch.bool)
    mask[0, :258] = True
    out = masked_mean(x, mask, 1)
    assert_close(out, torch.tensor([259 / 258]).to(torch.bfloat16), rtol=0, atol=0,
                 what="masked_mean(bfloat16 x (1, 300), 258 kept: one 2.0 and 257 ones, 1)",
                 hint="a bfloat16 sum of these 258 values rounds 259 to 260 (bfloat16 keeps 8 "
                      "significant bits) before the division: accumulate bfloat16 in float32 as "
                      "well, not only float16 (sum(dim, dtype=torch.float32)), divide, then cast back")


def test_masked_mean_expanded_mask():
    gen = torch.Generator().manual_seed(31)
    x = randn(3, 5, 4, seed=32)
    mask2d = torch.rand(3, 5, generator=gen) < 0.5
    mask2d[1] = False  # one empty sequence
    mask = mask2d[..., None].expand_as(x)  # stride 0 along C, as the docstring suggests
    out = masked_mean(x, mask, 1)
    assert_close(out, nan_masked_mean(x, mask.contiguous(), 1),
                 what="masked_mean(x (3, 5, 4), mask[..., None].expand_as(x), 1)",
                 hint="an expanded mask is a stride-0 view: use .reshape, never .view, and do not "
                      "write into it")


def test_masked_mean_non_contiguous_inputs_are_left_alone():
    gen = torch.Generator().manual_seed(26)
    x = non_contiguous(randn(4, 6, 3, seed=27))
    mask = non_contiguous(torch.rand(4, 6, 3, generator=gen) < 0.5)
    with unchanged(x, mask, names=["x", "mask"]):
        out = masked_mean(x, mask, 1)
    assert_close(out, nan_masked_mean(x.contiguous(), mask.contiguous(), 1),
                 what="masked_mean(non-contiguous x, non-contiguous mask, 1)")


GRAD_MASKS = {
    "with an all-False row": [[True, False, True, True, False],
                              [False, False, False, False, False],  # empty slice: gradient 0, not NaN
                              [True, True, True, True, True]],
    # every slice empty: a shortcut `if not mask.any(): return torch.zeros(...)` cuts the graph
    "all False": [[False] * 5] * 3,
}


@pytest.mark.parametrize("case", list(GRAD_MASKS))
def test_masked_mean_gradient_is_mask_over_count(case):
    x = randn(3, 5, seed=28, dtype=torch.float64)
    mask = torch.tensor(GRAD_MASKS[case])
    out = masked_mean(x.detach().clone().requires_grad_(), mask, 1)
    if not out.requires_grad:
        fail(f"masked_mean(x that requires grad, mask {case}, 1): the result does not require grad "
             f"(no graph back to x)",
             hint="differentiable also where every slice is empty: the gradient there is 0, so "
                  "compute it with the same where/sum/divide (a shortcut torch.zeros(...) has no graph)")
    assert_grads_match(lambda x_: masked_mean(x_, mask, 1), lambda x_: loop_masked_mean(x_, mask), x,
                       what=f"masked_mean(x, mask {case}, 1) gradient",
                       hint="each kept entry gets upstream / count, masked-out entries and empty "
                            "slices get 0: torch.where(count == 0, 0, total / count) still back-"
                            "propagates 0 * (1 / 0) = NaN into x * mask; clamp the count to 1 instead")


# ------------------------------------------------------------------------ every function

ON_DEVICE = {  # name -> (call, inputs); the meta device stands in for a GPU
    "gather_rows(x (3, 5, 2), idx (3, 4))":
        (gather_rows, lambda: (randn(3, 5, 2, seed=50), random_idx(3, 5, 4, seed=51))),
    "last_token(x (3, 5, 2), lengths [2, 5, 1])":
        (last_token, lambda: (randn(3, 5, 2, seed=52), torch.tensor([2, 5, 1]))),
    "masked_mean(x (3, 5), mask, 1)":
        (lambda x, m: masked_mean(x, m, 1), lambda: (randn(3, 5, seed=53), torch.arange(15).reshape(3, 5) % 3 == 0)),
    # the empty paths too: a shortcut for empty inputs must build its zeros on x's device
    "gather_rows(x (0, 5, 2), idx (0, 4))":
        (gather_rows, lambda: (randn(0, 5, 2, seed=54), torch.zeros(0, 4, dtype=torch.int64))),
    "last_token(x (0, 5, 2), lengths (0,))":
        (last_token, lambda: (randn(0, 5, 2, seed=56), torch.zeros(0, dtype=torch.int64))),
    "masked_mean(x (2, 0, 3), mask, 1)":
        (lambda x, m: masked_mean(x, m, 1), lambda: (randn(2, 0, 3, seed=55), torch.zeros(2, 0, 3, dtype=torch.bool))),
}


@pytest.mark.parametrize("name", list(ON_DEVICE))
def test_results_stay_on_the_inputs_device(name):
    fn, make = ON_DEVICE[name]
    inputs = make()
    assert_on_input_device(lambda: fn(*inputs), lambda: fn(*(t.to("meta") for t in inputs)),
                           what=f"{name} on the meta device",
                           hint="build helper tensors on the inputs' device: torch.arange(B, "
                                "device=x.device); a bare torch.arange(B) is a CPU tensor, and "
                                "CPU offsets + GPU lengths fail")


# name -> (call, x's shape, the other input): x has no elements. B = 0 (no batch element at all)
# is left out: a loop over the batch that fills a preallocated result has nothing to attach there
EMPTY_ON_GRAPH = {
    "gather_rows(x (2, 3, 0), idx (2, 4))": (gather_rows, (2, 3, 0), torch.tensor([[0, 2, 1, 2], [1, 1, 0, 2]])),
    "gather_rows(x (2, 3, 2), idx (2, 0))": (gather_rows, (2, 3, 2), torch.zeros(2, 0, dtype=torch.int64)),
    "last_token(x (2, 4, 0), lengths [4, 1])": (last_token, (2, 4, 0), torch.tensor([4, 1])),
    "masked_mean(x (2, 0, 3), mask, 1)": (lambda x, m: masked_mean(x, m, 1), (2, 0, 3), torch.zeros(2, 0, 3, dtype=torch.bool)),
}


@pytest.mark.parametrize("name", list(EMPTY_ON_GRAPH))
def test_empty_inputs_stay_on_the_graph(name):
    # an empty batch reaches the loss like any other: backward must work through it
    fn, shape, other = EMPTY_ON_GRAPH[name]
    x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    out = fn(x, other)
    if not out.requires_grad:
        fail(f"{name} with x requiring grad: the result is not on x's graph (requires_grad is "
             f"False), so backward through it fails; the contract says it is differentiable",
             hint="no special case for empty inputs: the indexing (or the masked sum and count) "
                  "already gives the right empty or zero result, of x's dtype and on the graph; "
                  "a fresh x.new_zeros(...) / torch.zeros(...) is not")
    out.sum().backward()
    assert_close(x.grad, torch.zeros(shape, dtype=torch.float64), what=f"{name}: x.grad after out.sum().backward()")
