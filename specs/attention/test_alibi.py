"""Specs for katas/attention/alibi.py (day 17): alibi_slopes, alibi_bias, alibi_attention,
linear_bias_attention (LeetGPU's single-slope form).

Contract -> specs:
- slopes: powers of two 2^(-8i/n), the paper's interleaving otherwise, float32: test_slopes_*
- alibi_bias = -m_h (i - j), top-left, no masking, float32: test_alibi_bias_*
- slopes and bias are new tensors at every call (a caller's in-place write does not reach a later call):
  test_slopes_and_bias_are_fresh_tensors
- alibi_attention: heads at dim -3, any batch dims, L != S, causal top-left, default causal, gradients,
  inputs untouched: test_alibi_attention_*; causal keys hidden for good (an additive -1e4 mask is undone by
  the bias +slope (j - i) far ahead): test_alibi_attention_causal_mask_hides_far_future_keys; "computed in q's dtype" (float64, 12 and 16 heads):
  test_alibi_attention_float64_is_computed_in_float64 (D = 3: a float32 scale 1/sqrt(D) shows too; after a float32 call of the same sizes: no bias kept by size); "on q's device" (meta, also an output buffer on
  the CPU, and a bias kept from a CPU call): test_alibi_attention_on_q_device
- linear_bias_attention: alpha (i - j) not (j - i), any alpha in [-1, 1] incl. 0, batched, no mask:
  test_linear_bias_*; float64 (also after a float32 call of the same sizes: no table cached) / device:
  test_linear_bias_attention_float64_is_computed_in_float64,
  test_linear_bias_attention_on_q_device (a table kept from a CPU call too); ALiBi = linear bias per head: test_linear_bias_equals_alibi_*
- large scores (+-100, +-300) in both attentions: test_large_scores_stay_finite
- every dtype under a float64 default dtype (slopes and bias values under a bfloat16 one too):
  test_dtypes_under_a_float64_default_dtype
- "empty sizes" (a batch dim of 0, L = 0) in both attentions, float32 and float64: test_empty_sizes
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_kept_state_follows_the_device, assert_on_input_device,
                            non_contiguous, randn, unchanged)
from harness.edges import default_dtype
from katas.attention.alibi import alibi_attention, alibi_bias, alibi_slopes, linear_bias_attention

SEEDS = st.integers(0, 2**31 - 1)
INF = float("inf")

HINT_POW2 = "for a power of two n, slope i (i = 1..n) is 2 ** (-8 * i / n): 8 heads give 1/2, 1/4, ..., 1/256"
HINT_NON_POW2 = ("for n not a power of two, take p = 2 ** floor(log2(n)): the p slopes of a p-head model, "
                 "then every other slope (the 1st, 3rd, 5th, ...) of a 2p-head model, n - p of them; "
                 "12 heads end with 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5")
HINT_BIAS = ("bias[h, i, j] = -slope[h] * (i - j): zero on the diagonal, NEGATIVE for keys in the past "
             "(j < i), growing with the distance i - j, not with the absolute position i or j")
HINT_ATTN = ("softmax(q k^T / sqrt(D) + bias) v with bias[h] = -slope[h] * (i - j) for head h = the "
             "dim -3 index of q; causal=True also hides keys j > i (top-left: query i sees keys 0..i)")
HINT_LINEAR = ("scores + alpha * (i - j) where i indexes the queries (rows) and j the keys (columns): "
               "torch.arange(M)[:, None] - torch.arange(N)[None, :], not (j - i); no mask")


def paper_slopes(n):
    """Independent answer, the paper's rule in closed form: for p = 2^floor(log2 n), slopes
    2^(-8 i / p) for i = 1..p, then 2^(-8 (2i - 1) / (2p)) (the odd ones of a 2p-head model)
    for i = 1..n - p."""
    p = 1
    while p * 2 <= n:
        p *= 2
    return ([2.0 ** (-8.0 * i / p) for i in range(1, p + 1)]
             + [2.0 ** (-4.0 * (2 * i - 1) / p) for i in range(1, n - p + 1)])


def bias_loops(n, L, S):
    """Independent answer: -m_h * (i - j), entry by entry."""
    m = paper_slopes(n)
    return torch.tensor([[[-m[h] * (i - j) for j in range(S)] for i in range(L)] for h in range(n)],
                        dtype=torch.float64).reshape(n, L, S)


def reference_alibi(q, k, v, causal):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = bias_loops(H, L, S).to(q.dtype)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), -INF)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)


def reference_linear(q, k, v, alpha):
    M, N = q.shape[-2], k.shape[-2]
    bias = torch.tensor([[alpha * (i - j) for j in range(N)] for i in range(M)], dtype=q.dtype).reshape(M, N)
    return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)


def qkv(lead, L, S, D, Dv, seed=0, dtype=torch.float32):
    return (randn(*lead, L, D, seed=seed, dtype=dtype), randn(*lead, S, D, seed=seed + 1, dtype=dtype),
            randn(*lead, S, Dv, seed=seed + 2, dtype=dtype))


# ------------------------------------------------------------------------ alibi_slopes

# The paper's values written out as exponents of 2.
PAPER_EXPONENTS = {
    8: [-1, -2, -3, -4, -5, -6, -7, -8],
    12: [-1, -2, -3, -4, -5, -6, -7, -8, -0.5, -1.5, -2.5, -3.5],
    16: [-0.5 * i for i in range(1, 17)],
}


@pytest.mark.parametrize("n", [8, 12, 16])
def test_slopes_of_the_paper(n):
    expected = torch.tensor([2.0 ** e for e in PAPER_EXPONENTS[n]], dtype=torch.float32)
    assert_close(alibi_slopes(n), expected, what=f"alibi_slopes({n})",
                 hint=HINT_POW2 if n in (8, 16) else HINT_NON_POW2)


@pytest.mark.parametrize("n", [1, 2, 4, 32])
def test_slopes_for_powers_of_two(n):
    expected = torch.tensor([2.0 ** (-8.0 * i / n) for i in range(1, n + 1)], dtype=torch.float32)
    assert_close(alibi_slopes(n), expected, what=f"alibi_slopes({n})", hint=HINT_POW2)


@pytest.mark.parametrize("n", [3, 5, 6, 7, 10, 20, 24, 40])
def test_slopes_for_other_head_counts(n):
    expected = torch.tensor(paper_slopes(n), dtype=torch.float32)
    assert_close(alibi_slopes(n), expected, what=f"alibi_slopes({n})", hint=HINT_NON_POW2)


@given(n=st.integers(1, 64))
def test_slopes_property(n):
    slopes = alibi_slopes(n)
    assert_close(slopes, torch.tensor(paper_slopes(n), dtype=torch.float32), what=f"alibi_slopes({n})",
                 hint=HINT_POW2 if n & (n - 1) == 0 else HINT_NON_POW2)


# ------------------------------------------------------------------------ alibi_bias

@pytest.mark.parametrize("n,L,S", [(8, 5, 5), (12, 4, 7), (4, 7, 3), (1, 1, 1), (3, 6, 6), (16, 2, 9)])
def test_alibi_bias_is_minus_slope_times_relative_position(n, L, S):
    out = alibi_bias(n, L, S)
    assert_close(out, bias_loops(n, L, S).float(), what=f"alibi_bias({n}, {L}, {S})", hint=HINT_BIAS)


def test_alibi_bias_penalises_distance_not_position():
    out = alibi_bias(8, 4, 4)
    # head 0 has slope 1/2: the diagonal is 0 everywhere, one step back costs 1/2, two cost 1.
    expected = torch.tensor([[0.0, 0.5, 1.0, 1.5],
                             [-0.5, 0.0, 0.5, 1.0],
                             [-1.0, -0.5, 0.0, 0.5],
                             [-1.5, -1.0, -0.5, 0.0]])
    assert_close(out[0], expected, what="alibi_bias(8, 4, 4)[0] (slope 1/2)", hint=HINT_BIAS)


@given(n=st.integers(1, 16), L=st.integers(1, 9), S=st.integers(1, 9))
def test_alibi_bias_property(n, L, S):
    out = alibi_bias(n, L, S)
    assert_close(out, bias_loops(n, L, S).float(), what=f"alibi_bias({n}, {L}, {S})", hint=HINT_BIAS)


def test_slopes_and_bias_are_fresh_tensors():
    """The caller owns what it gets: an lru_cache'd maker hands out one tensor to every caller."""
    hint = ("return a new tensor at every call: an lru_cache (or dict) on alibi_slopes / alibi_bias hands the "
            "same tensor to every caller, and one caller's in-place write (bias.masked_fill_(mask, -inf), "
            "slopes.mul_(...)) changes what the next call returns; cache the Python list of slopes if you like, "
            "or return cached.clone()")
    alibi_slopes(12).fill_(7.0)
    assert_close(alibi_slopes(12), torch.tensor(paper_slopes(12), dtype=torch.float32),
                 what="alibi_slopes(12) after a caller wrote into an earlier alibi_slopes(12)", hint=hint)
    alibi_bias(4, 3, 5).fill_(7.0)
    assert_close(alibi_bias(4, 3, 5), bias_loops(4, 3, 5).float(),
                 what="alibi_bias(4, 3, 5) after a caller wrote into an earlier alibi_bias(4, 3, 5)", hint=hint)


# ------------------------------------------------------------------------ alibi_attention

# (lead dims incl. heads, L, S, D, Dv)
ALIBI_CASES = [((8,), 6, 6, 4, 3), ((2, 8), 7, 7, 8, 5), ((2, 12), 5, 5, 4, 4), ((3, 2, 4), 9, 9, 2, 3),
               ((2, 6), 3, 7, 4, 2), ((2, 4), 7, 3, 4, 2), ((1, 1), 1, 1, 3, 1), ((2, 16), 13, 13, 4, 3)]


def _alibi_ids(case):
    return f"lead{case[0]}-L{case[1]}-S{case[2]}-D{case[3]}-Dv{case[4]}"


@pytest.mark.parametrize("causal", [True, False], ids=lambda c: "causal" if c else "bidirectional")
@pytest.mark.parametrize("case", ALIBI_CASES, ids=_alibi_ids)
def test_alibi_attention_matches_biased_sdpa(case, causal):
    lead, L, S, D, Dv = case
    q, k, v = qkv(lead, L, S, D, Dv, seed=1)
    q, k = 2 * q, 2 * k  # scores of the same order as the bias
    out = alibi_attention(q, k, v, causal)
    assert_close(out, reference_alibi(q, k, v, causal),
                 what=f"alibi_attention(q {(*lead, L, D)}, k {(*lead, S, D)}, v {(*lead, S, Dv)}, causal={causal})",
                 hint=HINT_ATTN)


def test_alibi_attention_is_causal_by_default():
    q, k, v = qkv((2, 4), 6, 6, 4, 3, seed=2)
    out = alibi_attention(q, k, v)
    assert_close(out, reference_alibi(q, k, v, True), what="alibi_attention(q, k, v) (causal default)",
                 hint="causal=True by default; " + HINT_ATTN)


def test_alibi_attention_prefers_near_keys():
    """With equal scores the bias alone decides: the last query's weights fall off with distance."""
    H, T = 4, 6
    q = torch.zeros(H, T, 4)
    k = randn(H, T, 4, seed=3)
    v = torch.eye(T).expand(H, T, T)  # output row = the query's weights over the keys
    out = alibi_attention(q, k, v, causal=True)
    m = torch.tensor(paper_slopes(H))
    dist = torch.arange(T - 1, -1, -1.0)  # distances of keys 0..T-1 from query T-1
    expected = torch.exp(-m[:, None] * dist) / torch.exp(-m[:, None] * dist).sum(-1, keepdim=True)
    assert_close(out[:, -1], expected, what="alibi_attention(q = 0, k, v = eye)[:, -1] (the last query's weights)",
                 hint="with q = 0 the weights are softmax(-slope * (i - j)): the nearest key weighs most; "
                      + HINT_BIAS)


def test_alibi_attention_causal_mask_hides_far_future_keys():
    """ALiBi's bias is POSITIVE for future keys (+slope * (j - i)): a finite additive mask such as
    -1e4 is cancelled once slope * (j - i) reaches 1e4 (8 heads: head 0 has slope 1/2, j > 20000)."""
    H, S = 8, 20_010
    q, k = torch.zeros(H, 1, 1), torch.zeros(H, S, 1)
    v = torch.zeros(H, S, 1)
    v[:, 1:] = 1.0  # query 0 sees key 0 alone: the output is v[key 0] = 0, any leak shows
    out = alibi_attention(q, k, v, causal=True)
    assert_close(out, torch.zeros(H, 1, 1),
                 what=f"alibi_attention(q = 0 (8, 1, 1), k = 0 (8, {S}, 1), v = [0, 1, 1, ...], causal=True)",
                 hint="hide the future keys for good: masked_fill(mask, float('-inf')) (or torch.where); an "
                      "additive -1e4 (or -10000 * mask) is undone by ALiBi's own bias +slope * (j - i), which "
                      "reaches 1e4 at distance 2e4 for a slope of 1/2")


def test_alibi_attention_float64():
    q, k, v = qkv((2, 4), 5, 5, 4, 3, seed=4, dtype=torch.float64)
    out = alibi_attention(q, k, v, causal=True)
    assert_close(out, reference_alibi(q, k, v, True), what="alibi_attention(float64 q (2, 4, 5, 4))",
                 rtol=1e-5, atol=1e-6, hint="the output keeps q's dtype; move the bias to q's dtype and device")


@given(heads=st.integers(1, 12), batch=st.lists(st.integers(1, 2), max_size=2), L=st.integers(1, 8),
       S=st.integers(1, 8), causal=st.booleans(), seed=SEEDS)
def test_alibi_attention_property(heads, batch, L, S, causal, seed):
    lead = (*batch, heads)
    q, k, v = qkv(lead, L, S, 4, 3, seed=seed % 10_000)
    out = alibi_attention(q, k, v, causal)
    assert_close(out, reference_alibi(q, k, v, causal),
                 what=f"alibi_attention(q {(*lead, L, 4)}, k {(*lead, S, 4)}, causal={causal})", hint=HINT_ATTN)


@pytest.mark.parametrize("causal", [True, False], ids=lambda c: "causal" if c else "bidirectional")
def test_alibi_attention_gradients(causal):
    q, k, v = qkv((2, 4), 5, 5, 4, 3, seed=5)
    assert_grads_match(lambda q, k, v: alibi_attention(q, k, v, causal),
                       lambda q, k, v: reference_alibi(q, k, v, causal), q, k, v,
                       what=f"alibi_attention(..., causal={causal}) gradient",
                       hint="build the result from differentiable ops; the bias itself needs no gradient")


def test_alibi_attention_non_contiguous_inputs_are_left_alone():
    q, k, v = (non_contiguous(t) for t in qkv((2, 4), 6, 6, 4, 3, seed=6))
    with unchanged(q, k, v, names=["q", "k", "v"]):
        out = alibi_attention(q, k, v, causal=True)
    assert_close(out, reference_alibi(q.contiguous(), k.contiguous(), v.contiguous(), True),
                 what="alibi_attention(non-contiguous q, k, v)", hint=HINT_ATTN)


# ------------------------------------------------------------------------ linear_bias_attention

# LeetGPU's shapes: q (M, d), k (N, d), v (N, dv), no batch dims
LINEAR_CASES = [(4, 4, 8, 8), (5, 7, 4, 3), (7, 3, 6, 2), (1, 6, 4, 4), (6, 1, 4, 5), (13, 11, 16, 7)]


@pytest.mark.parametrize("alpha", [0.5, -0.5, 1.0, -1.0, 0.0, 0.37])
@pytest.mark.parametrize("M,N,d,dv", LINEAR_CASES)
def test_linear_bias_attention_leetgpu_shapes(M, N, d, dv, alpha):
    q, k, v = qkv((), M, N, d, dv, seed=7)
    out = linear_bias_attention(q, k, v, alpha)
    assert_close(out, reference_linear(q, k, v, alpha),
                 what=f"linear_bias_attention(q ({M}, {d}), k ({N}, {d}), v ({N}, {dv}), alpha={alpha})",
                 hint=HINT_LINEAR)


def test_linear_bias_sign_of_i_minus_j():
    """alpha > 0 favours keys with small j (i - j large); with q = 0 the weights show it."""
    M, N = 3, 4
    q, k = torch.zeros(M, 2), randn(N, 2, seed=8)
    v = torch.eye(N)  # output row = the weights
    out = linear_bias_attention(q, k, v, 1.0)
    bias = torch.arange(M, dtype=torch.float32)[:, None] - torch.arange(N, dtype=torch.float32)[None, :]
    expected = torch.exp(bias) / torch.exp(bias).sum(-1, keepdim=True)
    assert_close(out, expected, what="linear_bias_attention(q = 0 (3, 2), k (4, 2), v = eye(4), alpha=1.0)",
                 hint=HINT_LINEAR)


@pytest.mark.parametrize("lead", [(2,), (2, 3)])
def test_linear_bias_attention_batched(lead):
    q, k, v = qkv(lead, 5, 6, 4, 3, seed=9)
    out = linear_bias_attention(q, k, v, -0.7)
    assert_close(out, reference_linear(q, k, v, -0.7),
                 what=f"linear_bias_attention(q {(*lead, 5, 4)}, k {(*lead, 6, 4)}, alpha=-0.7)",
                 hint="batch dims come first; i and j index the last two dims of the scores; " + HINT_LINEAR)


@given(M=st.integers(1, 9), N=st.integers(1, 9), d=st.integers(1, 8), alpha=st.floats(-1.0, 1.0),
       seed=SEEDS)
def test_linear_bias_attention_property(M, N, d, alpha, seed):
    q, k, v = qkv((), M, N, d, 3, seed=seed % 10_000)
    out = linear_bias_attention(q, k, v, alpha)
    assert_close(out, reference_linear(q, k, v, alpha),
                 what=f"linear_bias_attention(q ({M}, {d}), k ({N}, {d}), alpha={alpha!r})", hint=HINT_LINEAR)


def test_linear_bias_attention_float64_and_gradients():
    q, k, v = qkv((), 5, 6, 4, 3, seed=10, dtype=torch.float64)
    out = linear_bias_attention(q, k, v, 0.25)
    assert_close(out, reference_linear(q, k, v, 0.25), what="linear_bias_attention(float64 q (5, 4), alpha=0.25)",
                 rtol=1e-5, atol=1e-6, hint="the output keeps q's dtype; " + HINT_LINEAR)
    assert_grads_match(lambda q, k, v: linear_bias_attention(q, k, v, 0.25),
                       lambda q, k, v: reference_linear(q, k, v, 0.25), q, k, v,
                       what="linear_bias_attention(..., alpha=0.25) gradient", rtol=1e-5, atol=1e-6,
                       hint="build the result from differentiable ops")


def test_linear_bias_attention_non_contiguous_inputs_are_left_alone():
    q, k, v = (non_contiguous(t) for t in qkv((), 6, 5, 4, 3, seed=11))
    with unchanged(q, k, v, names=["q", "k", "v"]):
        out = linear_bias_attention(q, k, v, 0.6)
    assert_close(out, reference_linear(q.contiguous(), k.contiguous(), v.contiguous(), 0.6),
                 what="linear_bias_attention(non-contiguous q, k, v, alpha=0.6)", hint=HINT_LINEAR)


def test_linear_bias_equals_alibi_per_head_without_mask():
    """ALiBi without a mask is linear_bias_attention with alpha = -slope for each head."""
    q, k, v = qkv((4,), 5, 6, 4, 3, seed=12)
    out = alibi_attention(q, k, v, causal=False)
    m = paper_slopes(4)
    expected = torch.stack([reference_linear(q[h], k[h], v[h], -m[h]) for h in range(4)])
    assert_close(out, expected, what="alibi_attention(q (4, 5, 4), k (4, 6, 4), causal=False)",
                 hint="without a mask, head h is linear-bias attention with alpha = -slope[h]; " + HINT_ATTN)


# ------------------------------------------------------------------------ dtype, device, large scores

@pytest.mark.parametrize("heads", [12, 16])
def test_alibi_attention_float64_is_computed_in_float64(heads):
    """12 heads: slopes like 2^-0.5 and 2^-1.5 are not exact in float32; 16 heads (a power
    of two, 2^-0.5 again) for a separate power-of-two path."""
    for causal in (True, False):
        q, k, v = qkv((2, heads), 7, 7, 3, 3, seed=13, dtype=torch.float64)  # D = 3: 1/sqrt(3) is not a float32
        alibi_attention(q.float(), k.float(), v.float(), causal)  # a float32 call first: nothing it built may be reused
        out = alibi_attention(q, k, v, causal)
        assert out.dtype == torch.float64, f"alibi_attention(float64 q, k, v) returned {out.dtype}"
        assert_close(out, reference_alibi(q, k, v, causal), rtol=1e-11, atol=1e-12,
                     what=f"alibi_attention(float64 q (2, {heads}, 7, 3), causal={causal})",
                     hint="for float64 inputs build the bias in float64: alibi_bias(...) is float32, and "
                          "2^-0.5 rounded to float32 is off by ~1e-8; compute the slopes and i - j in q.dtype; the scale 1 / sqrt(D) too (a Python float, not torch.tensor(D ** -0.5), which is float32); a bias cached at an earlier float32 call of the same sizes (keyed without the dtype) and .to(float64)'d is still float32-rounded")


def test_linear_bias_attention_float64_is_computed_in_float64():
    q, k, v = qkv((), 9, 11, 3, 3, seed=14, dtype=torch.float64)  # D = 3: 1/sqrt(3) is not a float32
    linear_bias_attention(q.float(), k.float(), v.float(), 0.37)  # a float32 call first: nothing it built may be reused
    out = linear_bias_attention(q, k, v, 0.37)
    assert out.dtype == torch.float64, f"linear_bias_attention(float64 q, k, v) returned {out.dtype}"
    assert_close(out, reference_linear(q, k, v, 0.37), rtol=1e-11, atol=1e-12,
                 what="linear_bias_attention(float64 q (9, 3), k (11, 3), alpha=0.37)",
                 hint="build alpha * (i - j) in q.dtype at every call: a float32 position table "
                      "(torch.arange(...).float(), or one cached at an earlier float32 call with the same M, N) "
                      "rounds 0.37 * (i - j) to float32; so does torch.tensor(alpha), and torch.tensor(D ** -0.5) rounds the scale")


_DEVICE_HINT = ("build every helper tensor (positions, slopes, mask, an output buffer) on q.device: "
                "torch.arange(L, device=q.device), torch.empty(..., device=q.device)")
_KEPT_HINT = ("a bias, position table or mask kept between calls in a module-level dict or lru_cache keyed by "
              "sizes only stays on the device of its first call: build it at every call on q.device, move it "
              "there (.to(q.device)), or key the cache by device and dtype too")


@pytest.mark.parametrize("causal", [True, False], ids=lambda c: "causal" if c else "bidirectional")
def test_alibi_attention_on_q_device(causal):
    """Every helper tensor must be built on q.device: probed with the default device set to
    meta, a clash judged on the meta device (shapes only)."""
    q, k, v = qkv((2, 4), 5, 6, 4, 3, seed=15)
    assert_on_input_device(lambda: alibi_attention(q, k, v, causal),
                           lambda: alibi_attention(*(t.to("meta") for t in (q, k, v)), causal),
                           what=f"alibi_attention(q, k, v on meta, causal={causal})", hint=_DEVICE_HINT)
    assert_kept_state_follows_the_device(lambda: alibi_attention(*(t.to("meta") for t in (q, k, v)), causal),
                                         alibi_attention, hint=_KEPT_HINT,
                                         what=f"alibi_attention(q, k, v, causal={causal}) called on the CPU, "
                                              f"then on meta inputs of the same shapes")


def test_linear_bias_attention_on_q_device():
    q, k, v = qkv((3,), 5, 6, 4, 2, seed=16)
    assert_on_input_device(lambda: linear_bias_attention(q, k, v, 0.5),
                           lambda: linear_bias_attention(*(t.to("meta") for t in (q, k, v)), 0.5),
                           what="linear_bias_attention(q, k, v on meta, 0.5)", hint=_DEVICE_HINT)
    assert_kept_state_follows_the_device(lambda: linear_bias_attention(*(t.to("meta") for t in (q, k, v)), 0.5),
                                         linear_bias_attention, hint=_KEPT_HINT,
                                         what="linear_bias_attention(q, k, v, 0.5) called on the CPU, then on "
                                              "meta inputs of the same shapes")


def _large(lead, L, S, size, seed):
    q, k = randn(*lead, L, 4, seed=seed), randn(*lead, S, 4, seed=seed + 1)
    q = q / q.norm(dim=-1, keepdim=True) * size * 2  # scores q.k / sqrt(4) up to +-size
    k = k / k.norm(dim=-1, keepdim=True)
    return q, k, randn(*lead, S, 3, seed=seed + 2)


@pytest.mark.parametrize("size", [100.0, 300.0])
def test_large_scores_stay_finite(size):
    q, k, v = _large((2, 4), 6, 6, size, seed=17)
    for causal in (True, False):
        out = alibi_attention(q, k, v, causal)
        expected = reference_alibi(q.double(), k.double(), v.double(), causal).float()
        assert_close(out, expected, rtol=1e-4, atol=1e-4,
                     what=f"alibi_attention(q, k, v, causal={causal}) with scores up to +-{size:g}",
                     hint="exp(100) overflows float32: subtract each row's max before exp (torch.softmax does)")
    q, k, v = _large((), 5, 7, size, seed=18)
    out = linear_bias_attention(q, k, v, 0.5)
    assert_close(out, reference_linear(q.double(), k.double(), v.double(), 0.5).float(), rtol=1e-4, atol=1e-4,
                 what=f"linear_bias_attention(q, k, v, alpha=0.5) with scores up to +-{size:g}",
                 hint="exp(100) overflows float32: subtract each row's max before exp (torch.softmax does)")


def test_dtypes_under_a_float64_default_dtype():
    """torch.tensor(list) and torch.arange(n) / n follow the default dtype: the contract does not."""
    q, k, v = qkv((2, 6), 5, 5, 4, 3, seed=19)
    with default_dtype(torch.float64):
        slopes, bias = alibi_slopes(6), alibi_bias(6, 5, 5)
        out_alibi = alibi_attention(q, k, v, causal=True)
        out_linear = linear_bias_attention(q[0, 0], k[0, 0], v[0, 0], 0.3)
    hint = ("the contract fixes the dtypes: slopes and bias float32, attention outputs in q's dtype; "
            "torch.tensor(python floats) and torch.arange(n) / n follow torch.get_default_dtype(): give dtype=")
    assert_close(slopes, torch.tensor(paper_slopes(6), dtype=torch.float32),
                 what="alibi_slopes(6) under torch.set_default_dtype(torch.float64)", hint=hint)
    assert_close(bias, bias_loops(6, 5, 5).float(), what="alibi_bias(6, 5, 5) under a float64 default dtype",
                 hint=hint)
    assert_close(out_alibi, reference_alibi(q, k, v, True),
                 what="alibi_attention(float32 q (2, 6, 5, 4)) under a float64 default dtype", hint=hint)
    assert_close(out_linear, reference_linear(q[0, 0], k[0, 0], v[0, 0], 0.3),
                 what="linear_bias_attention(float32 q (5, 4), alpha=0.3) under a float64 default dtype", hint=hint)
    with default_dtype(torch.bfloat16):  # torch.tensor(slopes).float() rounds 2^-0.5 to bfloat16 first
        slopes, bias = alibi_slopes(12), alibi_bias(12, 3, 4)
    hint = ("torch.tensor(list_of_floats) follows the default dtype, here bfloat16 (8 bits of mantissa): "
            "a later .float() cannot bring the lost bits back; build it with dtype=torch.float32")
    assert_close(slopes, torch.tensor(paper_slopes(12), dtype=torch.float32),
                 what="alibi_slopes(12) under torch.set_default_dtype(torch.bfloat16)", hint=hint)
    assert_close(bias, bias_loops(12, 3, 4).float(), what="alibi_bias(12, 3, 4) under a bfloat16 default dtype",
                 hint=hint)


@pytest.mark.parametrize("lead,L", [((0, 4), 5), ((2, 0, 4), 3), ((2, 4), 0)], ids=["batch0", "batch-2x0", "L0"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_empty_sizes(lead, L, dtype):
    """A size-0 batch dim or no queries at all flow through to an empty output of q's dtype."""
    q, k, v = qkv(lead, L, 6, 4, 3, seed=20, dtype=dtype)
    for causal in (True, False):
        out = alibi_attention(q, k, v, causal)
        assert_close(out, torch.zeros(*lead, L, 3, dtype=dtype), what=f"alibi_attention({dtype} q {(*lead, L, 4)}, "
                     f"k {(*lead, 6, 4)}, v {(*lead, 6, 3)}, causal={causal})",
                     hint="size-0 dims must flow through: reshape(-1, H, L, D) cannot infer -1 from 0 "
                          "elements; broadcast the (H, L, S) bias over the leading dims instead of flattening them; "
                          "an early return keeps q's dtype and device: q.new_zeros(...), not torch.zeros(...)")
    q, k, v = qkv(lead[:-1], L, 6, 4, 3, seed=21, dtype=dtype)
    out = linear_bias_attention(q, k, v, 0.5)
    assert_close(out, torch.zeros(*lead[:-1], L, 3, dtype=dtype), what=f"linear_bias_attention({dtype} q "
                 f"{(*lead[:-1], L, 4)}, k {(*lead[:-1], 6, 4)}, alpha=0.5)",
                 hint="size-0 dims must flow through: keep the leading dims as they are (no reshape(-1, ...)); an "
                      "early return keeps q's dtype and device: q.new_zeros(...), not torch.zeros(...)")
