"""Specs for katas/attention/masks.py (day 17): causal_mask, padding_mask, sliding_window_mask,
sliding_window_attention (banded, O(T * window) memory).

Contract -> specs:
- causal_mask top-left for L != S, bool: test_causal_mask_*
- no size cap (L, S past 1024; padding S = 4099) and a new tensor at each call (causal, window and padding masks):
  test_masks_have_no_size_cap_and_are_fresh
- sliding_window_attention has no size cap either (T = 4099, causal and not): test_sliding_window_attention_has_no_size_cap
- padding_mask True on the first lengths[b], any lengths in [0, S], non-contiguous: test_padding_mask_*;
  "same device as lengths" (meta; B = 0 and S = 0 too): test_padding_mask_same_device_as_lengths; B = 0, S = 0: test_padding_mask_empty_sizes
- sliding_window_mask causal i - window < j <= i, bidirectional |i - j| <= window, default causal:
  test_causal_sliding_window_mask, test_bidirectional_*, test_*_by_default, test_causal_window_counts_*, property
- sliding_window_attention = masked SDPA, any batch dims, window >= T plain: test_sliding_window_attention_*,
  test_window_at_least_T_*; T = 0 (float32 and float64): test_sliding_window_attention_empty_T; float64 accuracy:
  test_sliding_window_attention_float64_accuracy (D = 5, window 1, 6 and = T; then float32 at the same sizes: nothing kept in float64); scores +100/+300/-150 (no max shift, online max from 0;
  window 5 and = T): test_sliding_window_attention_extreme_scores; non-contiguous (window 4 and = T, causal and not);
  gradients (window 1, 4 and = T; T = 1), inputs untouched, SDPA off limits
- q's dtype under a float64 default dtype (window 1, 5 and = T): test_sliding_window_attention_dtype_under_*
- budget T * window, no (T, T) tensor: test_peak_memory_grows_linearly_with_T (ratio < 2.5),
  test_no_T_by_T_tensor_is_built; work T * window (FLOPs): test_flops_grow_linearly_with_T
- "helpers on q.device" (meta; window 1, 5 and = T: out = v and plain-attention shortcuts; a mask kept from a
  CPU call): test_sliding_window_attention_on_q_device
- "L or S of 0: an empty mask": test_causal_mask_empty_sizes, test_sliding_window_mask_empty
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.budgets import allocations, count_flops, peak_bytes
from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_kept_state_follows_the_device,
                            assert_on_input_device, forbid, non_contiguous, randn, unchanged)
from harness.edges import default_dtype
from katas.attention.masks import causal_mask, padding_mask, sliding_window_attention, sliding_window_mask

SEEDS = st.integers(0, 2**31 - 1)

HINT_CAUSAL = ("True where key j <= query i, top-left aligned like sdpa's is_causal: "
               "torch.ones(L, S, dtype=torch.bool).tril(), whatever L and S are")
HINT_PAD = ("row b is True on positions 0 .. lengths[b]-1 (real tokens) and False on the padding "
            "after them: compare torch.arange(S) with lengths[:, None]")
HINT_WINDOW_CAUSAL = ("causal window: query i sees key j when i - window < j <= i, i.e. exactly "
                      "`window` keys (itself and the window - 1 before it); check both ends for an "
                      "off-by-one (<= vs <)")
HINT_WINDOW_BIDI = ("bidirectional window: query i sees key j when |i - j| <= window, i.e. window "
                    "keys on each side plus itself (2 * window + 1); check for an off-by-one (<= vs <)")
HINT_ATTN = ("softmax(q k^T / sqrt(D)) v where the sliding window allows, -inf elsewhere; every "
             "block of queries needs the keys of its own windows, not only the keys of its own block")


def window_mask_loops(L, window, causal):
    """Independent answer: the rule written out entry by entry."""
    rows = [[(i - window < j <= i) if causal else abs(i - j) <= window for j in range(L)]
            for i in range(L)]
    return torch.tensor(rows, dtype=torch.bool).reshape(L, L)


def reference_attention(q, k, v, window, causal):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=window_mask_loops(q.shape[-2], window, causal))


def qkv(batch, T, D, Dv, seed=0, dtype=torch.float32):
    return (randn(*batch, T, D, seed=seed, dtype=dtype), randn(*batch, T, D, seed=seed + 1, dtype=dtype),
            randn(*batch, T, Dv, seed=seed + 2, dtype=dtype))


def mode(causal):
    return "causal" if causal else "bidirectional"


# ------------------------------------------------------------------------ causal_mask

@pytest.mark.parametrize("L,S", [(1, 1), (4, 4), (3, 7), (7, 3), (1, 5), (5, 1), (13, 11)])
def test_causal_mask_is_top_left_lower_triangle(L, S):
    expected = torch.tensor([[j <= i for j in range(S)] for i in range(L)], dtype=torch.bool).reshape(L, S)
    assert_close(causal_mask(L, S), expected, what=f"causal_mask({L}, {S})", hint=HINT_CAUSAL)


@pytest.mark.parametrize("which", ["causal", "window", "padding"])
def test_masks_have_no_size_cap_and_are_fresh(which):
    """Any L and S: a mask precomputed once at module level (nanoGPT's tril of block_size = 1024)
    and sliced comes back too small past its size. And each call returns a new tensor: a caller
    may change it in place (mask &= keep), which must not reach the next call's mask."""
    L, S = {"causal": (1500, 3), "window": (1030, 1030), "padding": (4, 4099)}[which]
    i, j = torch.arange(L)[:, None], torch.arange(S)[None, :]
    if which == "causal":
        call, make, expected = f"causal_mask({L}, {S})", lambda: causal_mask(L, S), j <= i
    elif which == "padding":
        lengths = torch.tensor([S, 3, 0, S - 1])
        call, make = f"padding_mask(lengths {lengths.tolist()}, {S})", lambda: padding_mask(lengths, S)
        expected = j < lengths[:, None]
    else:
        call, make = f"sliding_window_mask({L}, 3)", lambda: sliding_window_mask(L, 3)
        expected = (j <= i) & (j > i - 3)
    first = make()
    assert_close(first, expected, what=call,
                 hint="no size cap: build the mask for this call's sizes (torch.ones(L, S, dtype=torch.bool).tril(), "
                      "or positions torch.arange(L)), not a slice of one precomputed at a fixed size")
    first.fill_(False)  # the caller's in-place change
    assert_close(make(), expected, what=f"{call} after the previous result was changed in place",
                 hint="return a new tensor at each call, not a view of a mask (or positions) kept at module level")


def test_causal_mask_matches_sdpa_is_causal():
    q, k, v = randn(2, 3, 4, seed=1), randn(2, 6, 4, seed=2), randn(2, 6, 5, seed=3)
    mask = causal_mask(3, 6)
    assert_close(F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
                 F.scaled_dot_product_attention(q, k, v, is_causal=True),
                 what="F.scaled_dot_product_attention(q (2, 3, 4), k (2, 6, 4), attn_mask=causal_mask(3, 6)) "
                      "vs is_causal=True", hint=HINT_CAUSAL)


# ------------------------------------------------------------------------ padding_mask

@pytest.mark.parametrize("lengths,S", [([3, 1, 5], 5), ([0, 2], 4), ([7], 7), ([1, 1, 1, 1], 1),
                                       ([0], 3), ([2, 11, 5], 13)])
def test_padding_mask_marks_the_real_tokens(lengths, S):
    lens = torch.tensor(lengths, dtype=torch.int64)
    expected = torch.tensor([[s < n for s in range(S)] for n in lengths], dtype=torch.bool).reshape(len(lengths), S)
    with unchanged(lens, names=["lengths"]):
        out = padding_mask(lens, S)
    assert_close(out, expected, what=f"padding_mask(tensor({lengths}), {S})", hint=HINT_PAD)


def test_padding_mask_hides_padded_keys_from_attention():
    lens = torch.tensor([2, 4])
    mask = padding_mask(lens, 4)
    q, k, v = randn(2, 3, 5, 4, seed=4), randn(2, 3, 4, 4, seed=5), randn(2, 3, 4, 2, seed=6)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :])
    expected = torch.stack([F.scaled_dot_product_attention(q[b], k[b, :, :n], v[b, :, :n])
                            for b, n in enumerate(lens.tolist())])
    assert_close(out, expected, what="attention with attn_mask=padding_mask(tensor([2, 4]), 4)[:, None, None, :]",
                 hint="attending with the mask must equal attending over the first lengths[b] keys only; " + HINT_PAD)


def test_padding_mask_non_contiguous_lengths():
    lens = non_contiguous(torch.tensor([4, 0, 2, 3]))
    out = padding_mask(lens, 5)
    expected = torch.arange(5)[None, :] < torch.tensor([4, 0, 2, 3])[:, None]
    assert_close(out, expected, what="padding_mask(non-contiguous lengths [4, 0, 2, 3], 5)", hint=HINT_PAD)


# ------------------------------------------------------------------------ sliding_window_mask

WINDOW_CASES = [(1, 1), (5, 1), (5, 2), (7, 3), (8, 8), (6, 10), (13, 4), (2, 1)]


@pytest.mark.parametrize("L,window", WINDOW_CASES)
def test_causal_sliding_window_mask(L, window):
    out = sliding_window_mask(L, window, causal=True)
    assert_close(out, window_mask_loops(L, window, True), what=f"sliding_window_mask({L}, {window}, causal=True)",
                 hint=HINT_WINDOW_CAUSAL)


@pytest.mark.parametrize("L,window", WINDOW_CASES)
def test_bidirectional_sliding_window_mask(L, window):
    out = sliding_window_mask(L, window, causal=False)
    assert_close(out, window_mask_loops(L, window, False), what=f"sliding_window_mask({L}, {window}, causal=False)",
                 hint=HINT_WINDOW_BIDI)


def test_sliding_window_mask_is_causal_by_default():
    out = sliding_window_mask(6, 2)
    assert_close(out, window_mask_loops(6, 2, True), what="sliding_window_mask(6, 2) (causal default)",
                 hint="causal=True by default; " + HINT_WINDOW_CAUSAL)


def test_causal_window_counts_exactly_window_keys():
    L, window = 9, 3
    out = sliding_window_mask(L, window, causal=True)
    counts = out.sum(-1)
    expected = torch.clamp(torch.arange(L) + 1, max=window)
    assert_close(counts, expected, what=f"sliding_window_mask({L}, {window}, causal=True).sum(-1) (keys per query)",
                 hint=HINT_WINDOW_CAUSAL)


@given(L=st.integers(1, 20), window=st.integers(1, 22), causal=st.booleans())
def test_sliding_window_mask_property(L, window, causal):
    out = sliding_window_mask(L, window, causal)
    assert_close(out, window_mask_loops(L, window, causal),
                 what=f"sliding_window_mask({L}, {window}, causal={causal})",
                 hint=HINT_WINDOW_CAUSAL if causal else HINT_WINDOW_BIDI)


def test_large_window_is_causal_or_full():
    assert_close(sliding_window_mask(7, 7, causal=True), torch.ones(7, 7, dtype=torch.bool).tril(),
                 what="sliding_window_mask(7, 7, causal=True)", hint="window >= L gives the plain causal mask")
    assert_close(sliding_window_mask(7, 6, causal=False), torch.ones(7, 7, dtype=torch.bool),
                 what="sliding_window_mask(7, 6, causal=False)",
                 hint="|i - j| <= 6 holds for every pair when L = 7: everything is allowed")


# ------------------------------------------------------------------------ sliding_window_attention

# (batch, T, D, Dv, window): one block and many, windows of 1, small, T - 1, T and above T
ATTN_CASES = [((), 7, 4, 3, 2), ((2,), 13, 8, 5, 3), ((2, 3), 11, 4, 4, 1), ((1,), 40, 6, 3, 5),
              ((2,), 70, 4, 2, 9), ((3,), 9, 5, 5, 8), ((), 1, 3, 2, 1), ((2,), 67, 8, 4, 16)]


def _attn_ids(case):
    return f"b{case[0]}-T{case[1]}-D{case[2]}-Dv{case[3]}-w{case[4]}"


@pytest.mark.parametrize("causal", [True, False], ids=mode)
@pytest.mark.parametrize("case", ATTN_CASES, ids=_attn_ids)
def test_sliding_window_attention_matches_masked_sdpa(case, causal):
    batch, T, D, Dv, window = case
    q, k, v = qkv(batch, T, D, Dv, seed=7)
    out = sliding_window_attention(q, k, v, window, causal)
    assert_close(out, reference_attention(q, k, v, window, causal),
                 what=f"sliding_window_attention(q {(*batch, T, D)}, v {(*batch, T, Dv)}, window={window}, "
                      f"causal={causal})",
                 hint=(HINT_WINDOW_CAUSAL if causal else HINT_WINDOW_BIDI) + "; " + HINT_ATTN)


def test_sliding_window_attention_float64():
    q, k, v = qkv((2,), 37, 4, 3, seed=8, dtype=torch.float64)
    out = sliding_window_attention(q, k, v, 5, causal=True)
    assert_close(out, reference_attention(q, k, v, 5, True),
                 what="sliding_window_attention(float64 q (2, 37, 4), window=5)", hint=HINT_ATTN)


def test_sliding_window_attention_is_causal_by_default():
    q, k, v = qkv((2,), 12, 4, 3, seed=9)
    out = sliding_window_attention(q, k, v, 3)
    assert_close(out, reference_attention(q, k, v, 3, True),
                 what="sliding_window_attention(q, k, v, 3) (causal default)",
                 hint="causal=True by default; " + HINT_WINDOW_CAUSAL)


def banded_reference(q, k, v, window, causal):
    """Sliding-window attention by shifting k and v, one offset at a time: O(T * window),
    so a long sequence (past any precomputed table) costs next to nothing."""
    T = q.shape[-2]
    offsets = range(-window + 1, 1) if causal else range(-window, window + 1)
    scores, values = [], []
    for o in offsets:
        idx = torch.arange(T) + o
        valid = (idx >= 0) & (idx < T)
        idx = idx.clamp(0, T - 1)
        scores.append(((q * k[..., idx, :]).sum(-1) / q.shape[-1] ** 0.5).masked_fill(~valid, float("-inf")))
        values.append(v[..., idx, :])
    weights = torch.stack(scores, -1).softmax(-1)  # (..., T, W)
    return (weights.unsqueeze(-1) * torch.stack(values, -2)).sum(-2)


@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_sliding_window_attention_has_no_size_cap(causal):
    """T = 4099, past a positions table (torch.arange(1024), 2048, 4096) made once at import."""
    T, window = 4099, 2
    q, k, v = qkv((), T, 2, 1, seed=30)
    out = sliding_window_attention(q, k, v, window, causal)
    assert_close(out, banded_reference(q, k, v, window, causal),
                 what=f"sliding_window_attention(q ({T}, 2), v ({T}, 1), window={window}, causal={causal})",
                 hint="no size cap: build positions for this call's T (torch.arange(T, device=q.device)), "
                      "not a slice of a table precomputed at a fixed size")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
@pytest.mark.parametrize("extra", [0, 1, 5])
def test_window_at_least_T_is_plain_attention(causal, extra):
    T = 10
    q, k, v = qkv((2, 2), T, 4, 3, seed=10)
    out = sliding_window_attention(q, k, v, T + extra, causal)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    assert_close(out, expected, what=f"sliding_window_attention(q (2, 2, {T}, 4), window={T + extra}, causal={causal})",
                 hint="a window as long as the sequence hides nothing beyond the causal rule: plain "
                      + ("causal attention" if causal else "full attention"))


@given(T=st.integers(1, 80), window=st.integers(1, 85), causal=st.booleans(),
       batch=st.lists(st.integers(1, 2), max_size=2), seed=SEEDS)
def test_sliding_window_attention_property(T, window, causal, batch, seed):
    q, k, v = qkv(tuple(batch), T, 4, 3, seed=seed % 10_000)
    out = sliding_window_attention(q, k, v, window, causal)
    assert_close(out, reference_attention(q, k, v, window, causal),
                 what=f"sliding_window_attention(q {(*batch, T, 4)}, window={window}, causal={causal})",
                 hint=(HINT_WINDOW_CAUSAL if causal else HINT_WINDOW_BIDI) + "; " + HINT_ATTN)


@pytest.mark.parametrize("T,window", [(23, 1), (23, 4), (23, 23), (1, 3)],
                         ids=["window1", "window4", "window-T", "T1"])
@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_sliding_window_attention_gradients(causal, T, window):
    """window = 1 (causal: each query sees itself only) and T = 1 are natural shortcuts (out = v);
    there every weight is exactly 1, q and k get a zero gradient (a shortcut may give them none),
    so only v's gradient is compared."""
    q, k, v = qkv((2,), T, 4, 3, seed=11)
    what = f"sliding_window_attention(q (2, {T}, 4), window={window}, causal={causal}) gradient"
    hint = ("build the result from differentiable ops (slicing, matmul, softmax, cat), in every path (a "
            "window >= T plain-attention shortcut, or an out = v one, too: no torch.no_grad(), no .detach())")
    if T == 1 or (causal and window == 1):
        assert_grads_match(lambda v: sliding_window_attention(q, k, v, window, causal),
                           lambda v: reference_attention(q, k, v, window, causal), v,
                           what=what + " (v's)", hint=hint)
        return
    assert_grads_match(lambda q, k, v: sliding_window_attention(q, k, v, window, causal),
                       lambda q, k, v: reference_attention(q, k, v, window, causal), q, k, v,
                       what=what, hint=hint)


def test_sliding_window_attention_non_contiguous_inputs_are_left_alone():
    q, k, v = (non_contiguous(t) for t in qkv((2, 2), 19, 4, 3, seed=12))
    for window, causal in ((4, False), (19, False), (4, True), (19, True)):  # window = T: a shortcut too
        with unchanged(q, k, v, names=["q", "k", "v"]):
            out = sliding_window_attention(q, k, v, window, causal)
        assert_close(out, reference_attention(q.contiguous(), k.contiguous(), v.contiguous(), window, causal),
                     what=f"sliding_window_attention(non-contiguous q, k, v, window={window}, causal={causal})",
                     hint=HINT_ATTN + "; .view needs a contiguous tensor (in every path: causal or not, "
                          "window < T or not): use .reshape")


def test_sliding_window_attention_writes_its_own():
    q, k, v = qkv((2,), 20, 4, 3, seed=13)
    with forbid(F.scaled_dot_product_attention,
                aten={"_safe_softmax": "F.scaled_dot_product_attention (seen as its aten._safe_softmax)"}):
        sliding_window_attention(q, k, v, 4, causal=True)
        sliding_window_attention(q, k, v, 4, causal=False)


# ------------------------------------------------------------------------ memory budget

BUDGET_WINDOW, BUDGET_D = 16, 8


@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_peak_memory_grows_linearly_with_T(causal):
    peaks = {}
    for T in (256, 512):
        q, k, v = qkv((), T, BUDGET_D, BUDGET_D, seed=14)
        peaks[T] = peak_bytes(sliding_window_attention, q, k, v, BUDGET_WINDOW, causal)
    ratio = peaks[512] / max(peaks[256], 1)
    if ratio >= 2.5:
        raise SpecFailure(
            f"sliding_window_attention(q (T, {BUDGET_D}), window={BUDGET_WINDOW}, causal={causal}): peak memory "
            f"{peaks[256]:,} bytes at T=256 and {peaks[512]:,} at T=512, a ratio of {ratio:.2f}; the budget is "
            f"below 2.5 (memory growing with T * window doubles, T x T scores quadruple)\n  hint: never build "
            f"(T, T) scores, weights or masks; process the queries in blocks of a fixed size (not T / 8: "
            f"such blocks grow with T) and give each block only the keys within `window` of it")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_flops_grow_linearly_with_T(causal):
    """Work grows with T * window too: a block of queries multiplied by all T keys (then
    masked) keeps memory linear but does T^2 work."""
    flops = {}
    for T in (256, 512):
        q, k, v = qkv((), T, BUDGET_D, BUDGET_D, seed=20)
        flops[T] = count_flops(sliding_window_attention, q, k, v, BUDGET_WINDOW, causal)
    if flops[256] == 0:
        return  # no matmul-class op at all (elementwise products): nothing to measure
    ratio = flops[512] / flops[256]
    if ratio >= 2.5:
        raise SpecFailure(
            f"sliding_window_attention(q (T, {BUDGET_D}), window={BUDGET_WINDOW}, causal={causal}): "
            f"{flops[256]:,} matmul FLOPs at T=256 and {flops[512]:,} at T=512, a ratio of {ratio:.2f}; the "
            f"budget is below 2.5 (work growing with T * window doubles, all T keys per query quadruple)"
            f"\n  hint: give each block of queries only the keys its windows reach, k[..., lo:hi, :] with "
            f"lo = start - window + 1 (causal) or start - window, not all of k with a mask")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_no_T_by_T_tensor_is_built(causal):
    T = 512
    q, k, v = qkv((), T, BUDGET_D, BUDGET_D, seed=15)
    found = [a for a in allocations(sliding_window_attention, q, k, v, BUDGET_WINDOW, causal)
             if a.shape.count(T) >= 2]
    if found:
        raise SpecFailure(
            f"sliding_window_attention(q ({T}, {BUDGET_D}), window={BUDGET_WINDOW}, causal={causal}) built "
            f"{len(found)} tensor(s) with two dims of size T={T}, first {found[0]}: that is "
            f"O(T^2) memory, whatever the window\n  hint: only the scores of a query against its own "
            f"window of keys are needed (at most 2 * window + 1 per query)")


# ------------------------------------------------------------------------ edge cases

def test_padding_mask_same_device_as_lengths():
    """Every helper must be built on lengths.device: probed with the default device set to
    meta, a clash judged on the meta device (no data)."""
    for lens, S in ((torch.tensor([3, 1, 0]), 5), (torch.tensor([0, 0]), 0), (torch.zeros(0, dtype=torch.long), 4)):
        # B = 0 and S = 0 too: an empty-input shortcut builds its result there as well
        assert_on_input_device(lambda: padding_mask(lens, S), lambda: padding_mask(lens.to("meta"), S),
                               what=f"padding_mask(lengths {tuple(lens.shape)} on the meta device, {S})",
                               hint="the result lives on lengths.device (in every path, an empty one too): "
                                    "torch.arange(S, device=lengths.device) < lengths[:, None]")


@pytest.mark.parametrize("lengths,S", [([], 4), ([0, 0], 0), ([], 0)], ids=["B0", "S0", "B0-S0"])
def test_padding_mask_empty_sizes(lengths, S):
    lens = torch.tensor(lengths, dtype=torch.int64)
    out = padding_mask(lens, S)
    assert_close(out, torch.zeros(len(lengths), S, dtype=torch.bool),
                 what=f"padding_mask(tensor({lengths}), {S})",
                 hint="B = 0 gives a (0, S) mask and S = 0 a (B, 0) one: a comparison of "
                      "torch.arange(S) with lengths[:, None] handles both; stacking per-row masks fails on B = 0")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_sliding_window_attention_empty_T(causal, dtype):
    q, k, v = qkv((2, 3), 0, 4, 5, seed=16, dtype=dtype)
    out = sliding_window_attention(q, k, v, 3, causal)
    assert_close(out, torch.zeros(2, 3, 0, 5, dtype=dtype), what=f"sliding_window_attention({dtype} q (2, 3, 0, 4), "
                 f"v (2, 3, 0, 5), window=3, causal={causal})",
                 hint="T = 0 returns an empty (..., 0, Dv) tensor of q's dtype: torch.cat of an empty list of "
                      "blocks raises, and an early torch.zeros(...) without dtype= is float32: use q.new_zeros(...)")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
@pytest.mark.parametrize("window", [1, 6, 45], ids=["window1", "window6", "window-T"])
def test_sliding_window_attention_float64_accuracy(causal, window):
    """D = 5: 1 / sqrt(5) is not a float32 number (1 / sqrt(4) would hide a float32 scale);
    window = T takes any plain-attention shortcut, window = 1 any "each query sees itself" one."""
    q, k, v = qkv((2,), 45, 5, 3, seed=17, dtype=torch.float64)
    out = sliding_window_attention(q, k, v, window, causal)
    assert out.dtype == torch.float64, f"sliding_window_attention(float64 q, k, v) returned {out.dtype}"
    assert_close(out, reference_attention(q, k, v, window, causal), rtol=1e-11, atol=1e-12,
                 what=f"sliding_window_attention(float64 q (2, 45, 5), window={window}, causal={causal})",
                 hint="compute in the inputs' dtype: a float32 detour (.float(), a float32 table, a scale "
                      "made as torch.tensor(D).rsqrt()) loses float64 accuracy; use 1 / math.sqrt(D)")
    q, k, v = q.float(), k.float(), v.float()  # float32 after the float64 call of the same sizes
    kept = ("a mask or bias kept from an earlier call (keyed by sizes, not dtype) promotes the float32 scores to "
            "float64: build it at every call (bool, or with dtype=q.dtype), or put q.dtype in the key")
    try:
        out = sliding_window_attention(q, k, v, window, causal)
    except RuntimeError as e:
        pytest.fail(f"sliding_window_attention(float32 q (2, 45, 5), window={window}, causal={causal}), called after "
                    f"a float64 call of the same sizes, raised {e!r}: {kept}")
    assert out.dtype == torch.float32, (f"sliding_window_attention(float32 q, k, v), called after a float64 call of "
                                        f"the same sizes, returned {out.dtype}: {kept}")
    assert_close(out, reference_attention(q, k, v, window, causal),
                 what=f"sliding_window_attention(float32 q (2, 45, 5), window={window}, causal={causal}) after float64",
                 hint=kept)


def _aligned(T, D, score, seed):
    """q, k whose every score q_i . k_j / sqrt(D) is close to `score`."""
    u = torch.ones(D) / D ** 0.5
    q = u * (score * D ** 0.5) + 0.05 * randn(2, T, D, seed=seed)
    k = u + 0.05 * randn(2, T, D, seed=seed + 1)
    return q, k, randn(2, T, 3, seed=seed + 2)


@pytest.mark.parametrize("score", [100.0, -150.0, 300.0], ids=["plus100", "minus150", "plus300"])
@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_sliding_window_attention_extreme_scores(score, causal):
    q, k, v = _aligned(70, 4, score, seed=18)
    for window in (5, 70):  # window = T: a plain-attention shortcut needs the max shift too
        out = sliding_window_attention(q, k, v, window, causal)
        expected = reference_attention(q.double(), k.double(), v.double(), window, causal).float()
        assert_close(out, expected, rtol=1e-4, atol=1e-4,
                     what=f"sliding_window_attention(q, k (2, 70, 4), window={window}, causal={causal}) with every "
                          f"score near {score:g}",
                     hint="exp(100) overflows float32 and exp(-150) underflows to 0: subtract each row's max "
                          "before exp, and start a running (online) max at -inf, not 0")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
@pytest.mark.parametrize("window", [1, 5, 40], ids=["window1", "window5", "window-T"])
def test_sliding_window_attention_dtype_under_a_float64_default_dtype(causal, window):
    q, k, v = qkv((2,), 40, 4, 3, seed=19)
    with default_dtype(torch.float64):
        out = sliding_window_attention(q, k, v, window, causal)
    assert_close(out, reference_attention(q, k, v, window, causal),
                 what=f"sliding_window_attention(float32 q (2, 40, 4), window={window}, causal={causal}) under "
                      f"torch.set_default_dtype(torch.float64)",
                 hint="the output keeps the inputs' dtype: accumulators and masks made with torch.zeros(...) "
                      "/ torch.full(...) without dtype= follow the default dtype; use dtype=q.dtype "
                      "(or q.new_zeros)")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_sliding_window_attention_on_q_device(causal):
    """On the meta device (shapes only) every helper tensor (positions, masks, accumulators)
    must be built on q.device: torch.arange(T) lands on the CPU and fails next to GPU scores."""
    q, k, v = qkv((2, 3), 40, 4, 5, seed=21)
    hint = ("build every helper tensor on q.device: torch.arange(T, device=q.device), an output buffer with "
            "q.new_zeros(...) (or collect the blocks and torch.cat them)")
    for window in (1, 5, 40):  # window >= T (plain attention), 1 (out = v): shortcuts build helpers too
        assert_on_input_device(
            lambda: sliding_window_attention(q, k, v, window, causal),
            lambda: sliding_window_attention(*(t.to("meta") for t in (q, k, v)), window, causal),
            what=f"sliding_window_attention(q, k, v (T = 40) on the meta device, window={window}, causal={causal})",
            hint=hint + ("; a mask such as sliding_window_mask(T, ...) is built on the CPU: pass "
                         "is_causal=True, or build it on q.device" if window == 40 else ""))
    assert_kept_state_follows_the_device(
        lambda: [sliding_window_attention(*(t.to("meta") for t in (q, k, v)), window, causal) for window in (1, 5, 40)],
        sliding_window_attention,
        what=f"sliding_window_attention(q, k, v (T = 40), window 1, 5, 40, causal={causal}) called on the CPU, then "
             f"on meta inputs of the same shapes",
        hint="a mask or position table kept between calls in a module-level dict or lru_cache keyed by (T, window) "
             "only stays on the device of its first call: build it at every call on q.device, or key it by "
             "device too")
    # on_meta takes a block written into a CPU buffer on a line with float("-inf") for code
    # that reads data: CPU inputs with the default device set to meta must give a CPU output
    try:
        with torch.device("meta"):
            out = sliding_window_attention(q, k, v, 5, causal)
    except (RuntimeError, NotImplementedError) as err:
        if "meta" not in str(err).lower():
            raise
        return  # a helper on meta met the CPU inputs: judged (or not judgeable) above
    if out.device.type != "cpu":
        raise SpecFailure(f"sliding_window_attention(q, k, v on the CPU, window=5, causal={causal}) with the "
                          f"default device set to meta returned its output on {out.device}: it was built on "
                          f"the default device, not q.device\n  hint: {hint}")


@pytest.mark.parametrize("L,S", [(0, 4), (3, 0), (0, 0)])
def test_causal_mask_empty_sizes(L, S):
    out = causal_mask(L, S)
    assert_close(out, torch.zeros(L, S, dtype=torch.bool), what=f"causal_mask({L}, {S})",
                 hint="L = 0 or S = 0 gives an empty (L, S) bool mask: torch.tensor of an empty list of "
                      "rows has shape (0,), not (0, S); build it with torch.ones(L, S, dtype=torch.bool).tril()")


@pytest.mark.parametrize("causal", [True, False], ids=mode)
def test_sliding_window_mask_empty(causal):
    out = sliding_window_mask(0, 3, causal)
    assert_close(out, torch.zeros(0, 0, dtype=torch.bool), what=f"sliding_window_mask(0, 3, causal={causal})",
                 hint="L = 0 gives an empty (0, 0) bool mask: compare torch.arange(L)[:, None] with "
                      "torch.arange(L)[None, :] rather than building a list of rows")
