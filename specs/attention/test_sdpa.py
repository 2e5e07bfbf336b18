"""Specs for katas/attention/sdpa.py (days 15-16): scaled_dot_product_attention.

Contract -> specs:
- "softmax over the KEYS", shapes L != S, any batch dims, dtype of q: test_matches_torch_*,
  test_weights_over_the_keys_sum_to_one, hypothesis test_matches_torch_on_random_settings
- "scale: None means 1/sqrt(E)", "only None means not given" (scale=0.0, also with is_causal):
  test_default_scale_*, test_explicit_scale_* (negative too), test_scale_zero_is_a_scale_not_the_default
- "computed in q's dtype" (float64, float64 float mask; then float32 is_causal at the same sizes: no mask kept
  by size in the first call's dtype): test_float64_is_computed_in_float64
- bool mask True = attend, float mask added after scaling, broadcast shapes: test_bool_mask_*,
  test_float_mask_*, test_adding_a_constant_*
- is_causal top-left (also L or S of 4099), default False: test_is_causal_*, test_causal_first_query_*
- fully masked row -> zeros, and zero gradient: test_fully_masked_*, test_padded_batch_*,
  test_fully_masked_row_has_zero_gradient; a row of finite -1e9 biases is not masked:
  test_finite_very_negative_float_row_is_not_masked
- large scores (+-100..300 in float32; no mask, causal, bool mask): test_large_scores_stay_finite; "either sign" (rows near
  -150, hidden keys holding the largest scores): test_rows_of_very_negative_scores,
  test_bool_mask_hiding_the_largest_scores; a hidden key's weight is 0 whatever the scale (allowed
  scores at -2e9, below a finite -1e9 fill): test_bool_mask_hides_keys_below_any_finite_fill
- "any device: helpers on q.device" (meta; also a causal mask kept from a CPU call): test_works_on_q_device
- empty sizes (batch 0, L 0, S 0), float32 and float64, with and without is_causal: test_empty_sizes; q's dtype under a float64 default: test_dtype_of_q_under_*
- gradients (also S = 1, a shortcut's case): test_gradcheck_float64, test_gradients_match_torch
- inputs untouched, non-contiguous (attn_mask and is_causal), built-ins off limits: test_non_contiguous_*,
  test_float_mask_is_left_alone, test_writes_its_own_attention
"""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_kept_state_follows_the_device,
                            assert_on_input_device, forbid, gradcheck, non_contiguous, randn, unchanged)
from harness.edges import default_dtype, very_negative
from katas.attention.sdpa import scaled_dot_product_attention as sdpa

SEEDS = st.integers(0, 2**31 - 1)
INF = float("inf")

FORBIDDEN = (F.scaled_dot_product_attention, F.multi_head_attention_forward)
FORBIDDEN_ATEN = {
    "_safe_softmax": "torch._safe_softmax (the masked-row helper inside F.scaled_dot_product_attention)",
    "_scaled_dot_product_attention_math": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention_for_cpu": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_efficient_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_cudnn_attention": "a built-in scaled_dot_product_attention kernel",
    "_native_multi_head_attention": "the built-in multi-head attention kernel",
}

HINT_SCALE = "the default scale is 1 / sqrt(E) (E = q.shape[-1]), not 1 / E; an explicit scale= replaces it"
HINT_KEYS = ("softmax over the KEYS (the last dim of q @ k^T, size S): each query's weights "
             "sum to 1; softmax over dim -2 normalises over the queries instead")
HINT_BOOL = ("a bool mask says True = attend: keep the scores where the mask is True and put "
             "-inf where it is False (masked_fill(~mask, -inf)), not the other way round")
HINT_FLOAT = "a float mask is added to the scaled scores before the softmax (-inf entries hide a key)"
HINT_CAUSAL = ("is_causal aligns the mask top-left like torch: query i sees keys j <= i, "
               "i.e. torch.ones(L, S).tril(); tril(diagonal=S - L) aligns it bottom-right")
HINT_EMPTY = ("a row with every key masked is softmax(-inf, ..., -inf) = 0/0 = NaN (or, with a "
              "large finite negative like -1e9, a uniform average of v): torch returns zeros for "
              "such a row; find rows whose scores are all -inf and set their weights to 0")


def ref(q, k, v, **kwargs):
    return F.scaled_dot_product_attention(q, k, v, **kwargs)


def qkv(batch, L, S, E, Ev, seed=0, dtype=torch.float32):
    return (randn(*batch, L, E, seed=seed, dtype=dtype), randn(*batch, S, E, seed=seed + 1, dtype=dtype),
            randn(*batch, S, Ev, seed=seed + 2, dtype=dtype))


def random_bool_mask(shape, seed, p=0.5):
    """A random bool mask in which every row keeps at least one key (no fully masked rows)."""
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(shape, generator=gen) < p
    first = torch.randint(0, shape[-1], shape[:-1], generator=gen)
    return mask | F.one_hot(first, shape[-1]).bool()


def random_float_mask(shape, seed, dtype=torch.float32):
    """Random additive biases with some -inf entries, every row keeping a finite one."""
    gen = torch.Generator().manual_seed(seed)
    bias = torch.randn(shape, generator=gen, dtype=dtype)
    keep = random_bool_mask(shape, seed + 7)
    return bias.masked_fill(~keep, -INF)


def desc(batch, L, S, E, Ev):
    return f"q {(*batch, L, E)}, k {(*batch, S, E)}, v {(*batch, S, Ev)}"


# (batch, L, S, E, Ev): L != S both ways, sizes 1 and primes, no batch / one / two batch dims.
SHAPES = [((), 5, 7, 4, 3), ((2,), 3, 5, 8, 8), ((2, 3), 7, 4, 5, 2), ((1,), 1, 6, 4, 5),
          ((3,), 6, 1, 3, 4), ((2, 1), 11, 13, 16, 7), ((), 1, 1, 2, 1)]


def _ids(case):
    return f"b{case[0]}-L{case[1]}-S{case[2]}-E{case[3]}-Ev{case[4]}"


# ------------------------------------------------------------------------ no mask

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("case", SHAPES, ids=_ids)
def test_matches_torch_without_mask(case, dtype):
    q, k, v = qkv(*case, seed=1, dtype=dtype)
    out = sdpa(q, k, v)
    assert_close(out, ref(q, k, v), what=f"scaled_dot_product_attention({desc(*case)})",
                 hint=HINT_SCALE + "; and " + HINT_KEYS)


def test_default_scale_is_one_over_sqrt_e():
    q, k, v = qkv((2,), 4, 6, 16, 3, seed=2)
    out = sdpa(q, k, v)
    assert_close(out, ref(q, k, v, scale=1 / math.sqrt(16)),
                 what=f"scaled_dot_product_attention({desc((2,), 4, 6, 16, 3)})", hint=HINT_SCALE)


@pytest.mark.parametrize("scale", [0.3, 1.0, 2.5, -0.5])
def test_explicit_scale_replaces_the_default(scale):
    q, k, v = qkv((2,), 4, 6, 9, 3, seed=3)
    out = sdpa(q, k, v, scale=scale)
    assert_close(out, ref(q, k, v, scale=scale), what=f"scaled_dot_product_attention(..., scale={scale})",
                 hint="multiply q @ k^T by `scale` when it is given, instead of 1 / sqrt(E); any "
                      "float, a negative one too (sqrt(scale) on q and k each fails there)")


def test_weights_over_the_keys_sum_to_one():
    """With v all ones, every output entry is the sum of that query's weights: exactly 1."""
    q, k = 3 * randn(2, 5, 4, seed=4), randn(2, 7, 4, seed=5)
    ones = torch.ones(2, 7, 3)
    out = sdpa(q, k, ones)
    assert_close(out, torch.ones(2, 5, 3), what="scaled_dot_product_attention(q (2, 5, 4), k (2, 7, 4), v=ones)",
                 hint="every query's weights must sum to 1 over the keys; " + HINT_KEYS)


# ------------------------------------------------------------------------ masks

# (batch, L, S, mask shape): masks broadcastable to (..., L, S)
MASK_CASES = [((), 5, 7, (5, 7)), ((2,), 4, 6, (4, 6)), ((2, 3), 5, 4, (2, 1, 5, 4)),
              ((2, 3), 3, 7, (2, 1, 1, 7)), ((2,), 6, 5, (5,)), ((3,), 1, 4, (3, 1, 4)),
              ((2, 2), 7, 7, (1, 7, 7))]


def _mask_ids(case):
    return f"b{case[0]}-L{case[1]}-S{case[2]}-mask{case[3]}"


@pytest.mark.parametrize("case", MASK_CASES, ids=_mask_ids)
def test_bool_mask_true_means_attend(case):
    batch, L, S, mshape = case
    q, k, v = qkv(batch, L, S, 4, 3, seed=6)
    mask = random_bool_mask(mshape, seed=7)
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what=f"scaled_dot_product_attention({desc(batch, L, S, 4, 3)}, bool attn_mask {mshape})",
                 hint=HINT_BOOL)


def test_bool_mask_hides_exactly_the_false_keys():
    """Query 0 may see only key 2, query 1 every key but key 2: the output tells which."""
    q, k = randn(2, 4, seed=8), randn(4, 4, seed=9)
    v = torch.eye(4)  # output row = that query's weights over the 4 keys
    mask = torch.tensor([[False, False, True, False], [True, True, False, True]])
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what="scaled_dot_product_attention(q (2, 4), k (4, 4), v = eye(4), attn_mask "
                      "[[F, F, T, F], [T, T, F, T]]) (row = the weights)",
                 hint=HINT_BOOL)


@pytest.mark.parametrize("case", MASK_CASES, ids=_mask_ids)
def test_float_mask_is_added_to_the_scores(case):
    batch, L, S, mshape = case
    q, k, v = qkv(batch, L, S, 4, 3, seed=10)
    mask = random_float_mask(mshape, seed=11)
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what=f"scaled_dot_product_attention({desc(batch, L, S, 4, 3)}, float attn_mask {mshape})",
                 hint=HINT_FLOAT + "; after the scaling, not scaled with them")


def test_float_mask_with_custom_scale():
    q, k, v = qkv((2,), 5, 6, 4, 3, seed=12)
    mask = random_float_mask((5, 6), seed=13)
    out = sdpa(q, k, v, attn_mask=mask, scale=0.7)
    assert_close(out, ref(q, k, v, attn_mask=mask, scale=0.7),
                 what="scaled_dot_product_attention(..., float attn_mask (5, 6), scale=0.7)",
                 hint="scores = q @ k^T * scale + mask: the mask is added after scaling")


# ------------------------------------------------------------------------ causal

@pytest.mark.parametrize("L,S", [(4, 4), (3, 7), (1, 5), (7, 3), (6, 1), (5, 6), (2, 4099), (4099, 2)])
def test_is_causal_is_aligned_top_left(L, S):
    """Also past any size cap (4099: a tril table made once at import, _TRIL[:L, :S], is too small)."""
    q, k, v = qkv((2,), L, S, 4, 3, seed=14)
    out = sdpa(q, k, v, is_causal=True)
    expected = ref(q, k, v, attn_mask=torch.ones(L, S, dtype=torch.bool).tril())
    assert_close(out, expected, what=f"scaled_dot_product_attention(q (2, {L}, 4), k (2, {S}, 4), is_causal=True)",
                 hint=HINT_CAUSAL)
    assert_close(out, ref(q, k, v, is_causal=True), what="  ... vs F.scaled_dot_product_attention(is_causal=True)",
                 hint=HINT_CAUSAL)


def test_causal_first_query_sees_only_the_first_key():
    q, k = randn(3, 4, seed=15), randn(5, 4, seed=16)
    v = torch.arange(5.0)[:, None] * torch.ones(5, 2)  # key j carries the value j
    out = sdpa(q, k, v, is_causal=True)
    assert_close(out[0], torch.zeros(2), what="scaled_dot_product_attention(q (3, 4), k (5, 4), is_causal=True)[0]",
                 hint="query 0 may only see key 0 (value 0 here). " + HINT_CAUSAL)


def test_is_causal_defaults_to_false():
    q, k, v = qkv((2,), 4, 4, 4, 3, seed=17)
    out = sdpa(q, k, v, None)
    assert_close(out, ref(q, k, v), what="scaled_dot_product_attention(q, k, v, None) (is_causal default)",
                 hint="is_causal=False by default: every query sees every key")


# ------------------------------------------------------------------------ fully masked rows

def test_fully_masked_bool_row_gives_zeros():
    q, k, v = qkv((2,), 3, 5, 4, 3, seed=18)
    mask = torch.ones(3, 5, dtype=torch.bool)
    mask[1] = False
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out[:, 1], torch.zeros(2, 3),
                 what="scaled_dot_product_attention(..., bool attn_mask whose row 1 is all False)[:, 1]",
                 hint=HINT_EMPTY)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what="scaled_dot_product_attention(..., bool attn_mask whose row 1 is all False)",
                 hint="the other rows are ordinary attention")


def test_fully_masked_float_row_gives_zeros():
    q, k, v = qkv((), 4, 3, 5, 2, seed=19)
    mask = torch.zeros(4, 3)
    mask[0] = -INF
    mask[2, 1] = -INF
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out[0], torch.zeros(2),
                 what="scaled_dot_product_attention(..., float attn_mask whose row 0 is all -inf)[0]",
                 hint=HINT_EMPTY)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what="scaled_dot_product_attention(..., float attn_mask whose row 0 is all -inf)",
                 hint="the other rows are ordinary attention")


def test_finite_very_negative_float_row_is_not_masked():
    """A float mask row of -1e9 on every key is a (large, finite) additive bias, not a mask:
    torch gives that row the softmax of its scores, here a uniform average of v. Only rows
    of all -inf (or all False) are fully masked."""
    q, k, v = qkv((2,), 4, 5, 3, 2, seed=50)
    mask = torch.zeros(4, 5)
    mask[1] = -1e9
    mask[3, 2] = -INF
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what="scaled_dot_product_attention(..., float attn_mask whose row 1 is -1e9 on every key)",
                 hint="find fully masked rows by -inf (scores == -inf).all(-1), not by a threshold "
                      "such as scores <= -1e8: a finite bias of -1e9 leaves an ordinary softmax row")


def test_padded_batch_element_gives_zeros_not_nan():
    """A key-padding mask (B, 1, 1, S) in which batch element 1 has no real key at all."""
    q, k, v = qkv((2, 2), 3, 4, 4, 3, seed=20)
    mask = torch.tensor([[True, True, False, False], [False, False, False, False]]).view(2, 1, 1, 4)
    out = sdpa(q, k, v, attn_mask=mask)
    assert_close(out, ref(q, k, v, attn_mask=mask),
                 what="scaled_dot_product_attention(..., key-padding mask (2, 1, 1, 4), element 1 all False)",
                 hint=HINT_EMPTY)


# ------------------------------------------------------------------------ properties

@st.composite
def attention_case(draw):
    batch = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    L, S = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    E, Ev = draw(st.integers(1, 8)), draw(st.integers(1, 5))
    kind = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    scale = draw(st.one_of(st.none(), st.floats(0.05, 3.0)))
    return batch, L, S, E, Ev, kind, scale


@given(case=attention_case(), seed=SEEDS)
def test_matches_torch_on_random_settings(case, seed):
    batch, L, S, E, Ev, kind, scale = case
    q, k, v = qkv(batch, L, S, E, Ev, seed=seed % 10_000)
    kwargs = {"scale": scale}
    if kind == "bool":
        kwargs["attn_mask"] = random_bool_mask((L, S), seed)
    elif kind == "float":
        kwargs["attn_mask"] = random_float_mask((L, S), seed)
    elif kind == "causal":
        kwargs["is_causal"] = True
    out = sdpa(q, k, v, **kwargs)
    hint = {"none": HINT_SCALE + "; " + HINT_KEYS, "bool": HINT_BOOL, "float": HINT_FLOAT,
            "causal": HINT_CAUSAL}[kind]
    shown = ", ".join(f"{n}={'<mask>' if n == 'attn_mask' else val}" for n, val in kwargs.items())
    assert_close(out, ref(q, k, v, **kwargs),
                 what=f"scaled_dot_product_attention({desc(batch, L, S, E, Ev)}, {kind}: {shown})",
                 hint=hint)


@given(seed=SEEDS, shift=st.integers(-20, 20))
def test_adding_a_constant_to_the_float_mask_changes_nothing(seed, shift):
    """Softmax over the keys ignores a per-query constant; a softmax over queries would not."""
    q, k, v = qkv((2,), 4, 5, 3, 2, seed=seed % 10_000)
    bias = randn(4, 5, seed=seed % 10_000 + 3)
    row_shift = torch.arange(4.0)[:, None] * shift  # a different constant for every query
    out = sdpa(q, k, v, attn_mask=bias + row_shift)
    assert_close(out, ref(q, k, v, attn_mask=bias), what="scaled_dot_product_attention(..., mask + per-query constant)",
                 rtol=1e-4, atol=1e-5, hint=HINT_KEYS)


# ------------------------------------------------------------------------ gradients

def test_gradcheck_float64():
    q, k, v = qkv((2,), 3, 4, 3, 2, seed=21, dtype=torch.float64)
    mask = random_bool_mask((3, 4), seed=22)

    def attend(q, k, v):
        return sdpa(q, k, v, attn_mask=mask)

    gradcheck(attend, q, k, v, what="scaled_dot_product_attention(q, k, v, bool mask) backward",
              hint="build the result from differentiable torch ops only (no .item(), no .detach())")


@pytest.mark.parametrize("kind", ["none", "bool", "float", "causal", "S1", "S1 causal"])
def test_gradients_match_torch(kind):
    """S = 1 (one key, weight exactly 1: the output is v on every row) is a natural shortcut; there
    q and k get a zero gradient (a shortcut may give them none), so only v's is compared."""
    q, k, v = qkv((2, 2), 4, 1 if kind.startswith("S1") else 5, 3, 2, seed=23)
    kwargs = {"none": {}, "bool": {"attn_mask": random_bool_mask((4, 5), 24)},
              "float": {"attn_mask": random_float_mask((4, 5), 25)}, "causal": {"is_causal": True},
              "S1": {}, "S1 causal": {"is_causal": True}}[kind]
    if kind.startswith("S1"):
        assert_grads_match(lambda v: sdpa(q, k, v, **kwargs), lambda v: ref(q, k, v, **kwargs), v,
                           what=f"scaled_dot_product_attention gradient of v (S = 1, {kwargs or 'no mask'})",
                           hint="with one key the output is v on every row, but it must stay connected to "
                                "v: no .detach(), no torch.no_grad() in a shortcut")
        return
    assert_grads_match(lambda q, k, v: sdpa(q, k, v, **kwargs), lambda q, k, v: ref(q, k, v, **kwargs),
                       q, k, v, what=f"scaled_dot_product_attention gradient ({kind} mask)",
                       hint="the forward must match F.scaled_dot_product_attention; use differentiable ops")


# ------------------------------------------------------------------------ inputs

def test_non_contiguous_inputs_are_left_alone():
    q, k, v = (non_contiguous(t) for t in qkv((2, 3), 5, 4, 4, 3, seed=26))
    mask = non_contiguous(random_bool_mask((5, 4), seed=27))
    with unchanged(q, k, v, mask, names=["q", "k", "v", "attn_mask"]):
        out = sdpa(q, k, v, attn_mask=mask)
        causal = sdpa(q, k, v, is_causal=True)  # a separate causal path takes any layout too
    hint = "x.view needs a contiguous tensor: use .reshape (or q @ k.transpose(-2, -1) on the batch dims as they are)"
    assert_close(out, ref(q.contiguous(), k.contiguous(), v.contiguous(), attn_mask=mask.contiguous()),
                 what="scaled_dot_product_attention(non-contiguous q, k, v, attn_mask)", hint=hint)
    assert_close(causal, ref(q.contiguous(), k.contiguous(), v.contiguous(), is_causal=True),
                 what="scaled_dot_product_attention(non-contiguous q, k, v, is_causal=True)", hint=hint)


def test_float_mask_is_left_alone():
    q, k, v = qkv((2,), 3, 4, 4, 3, seed=28)
    mask = random_float_mask((3, 4), seed=29)
    with unchanged(q, k, v, mask, names=["q", "k", "v", "attn_mask"]):
        sdpa(q, k, v, attn_mask=mask, scale=0.5)


def test_writes_its_own_attention():
    q, k, v = qkv((2,), 3, 4, 4, 3, seed=30)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        sdpa(q, k, v, attn_mask=random_bool_mask((3, 4), seed=31))
        sdpa(q, k, v, is_causal=True)


# ------------------------------------------------------------------------ edge cases

@pytest.mark.parametrize("falsy", [0.0, 0])
def test_scale_zero_is_a_scale_not_the_default(falsy):
    """scale=0.0 makes every score 0: each query averages the values uniformly."""
    q, k, v = qkv((2,), 3, 5, 4, 2, seed=32)
    out = sdpa(q, k, v, scale=falsy)
    hint = ("only scale=None means 'not given': `scale or 1 / sqrt(E)` replaces an "
            "explicit 0.0; write `if scale is None: scale = ...`")
    assert_close(out, v.mean(dim=-2, keepdim=True).expand(2, 3, 2),
                 what=f"scaled_dot_product_attention(q (2, 3, 4), k (2, 5, 4), v, scale={falsy!r})", hint=hint)
    # with is_causal (a separate path, maybe): query i averages keys 0..i uniformly
    causal = sdpa(q, k, v, scale=falsy, is_causal=True)
    expected = v[:, :3].cumsum(dim=-2) / torch.arange(1, 4, dtype=v.dtype)[:, None]
    assert_close(causal, expected, hint=hint,
                 what=f"scaled_dot_product_attention(q (2, 3, 4), k (2, 5, 4), v, scale={falsy!r}, is_causal=True)")


@pytest.mark.parametrize("size", [100.0, 300.0])
def test_large_scores_stay_finite(size):
    """Scores of +-100 and more in float32: exp(100) overflows unless the row max is subtracted."""
    q = randn(2, 4, 6, 4, seed=33)
    k = randn(2, 4, 7, 4, seed=34)
    q = q / q.norm(dim=-1, keepdim=True) * size
    k = k / k.norm(dim=-1, keepdim=True)
    v = randn(2, 4, 7, 3, seed=35)
    mask = random_bool_mask((6, 7), seed=49)
    for kwargs, shown in (({}, ""), ({"is_causal": True}, ", is_causal=True"), ({"attn_mask": mask}, ", bool attn_mask")):
        out = sdpa(q, k, v, scale=1.0, **kwargs)
        expected = ref(q.double(), k.double(), v.double(), scale=1.0, **kwargs).float()
        assert_close(out, expected, rtol=1e-4, atol=1e-4,
                     what=f"scaled_dot_product_attention(q, k, v, scale=1.0{shown}) with scores up to +-{size:g}",
                     hint="exp(100) overflows float32 (inf / inf = NaN): subtract each row's max score "
                          "before exp (in the masked path too), or use torch.softmax, which does")


def test_float64_is_computed_in_float64():
    q, k, v = qkv((2, 3), 5, 6, 7, 4, seed=36, dtype=torch.float64)
    bool_mask = random_bool_mask((5, 6), seed=37)
    float_mask = random_float_mask((5, 6), seed=38, dtype=torch.float64)
    for kwargs, shown in (({}, ""), ({"attn_mask": bool_mask}, ", bool attn_mask"),
                          ({"attn_mask": float_mask}, ", float64 attn_mask"), ({"is_causal": True}, ", is_causal=True")):
        out = sdpa(q, k, v, **kwargs)
        assert out.dtype == torch.float64, (
            f"scaled_dot_product_attention(float64 q, k, v{shown}) returned {out.dtype}; it keeps q's dtype")
        assert_close(out, ref(q, k, v, **kwargs), what=f"scaled_dot_product_attention(float64 q, k, v{shown})",
                     rtol=1e-11, atol=1e-12,
                     hint="compute in q's dtype: a .float() (or a float32 mask or table) on the way "
                          "loses float64 accuracy; a float mask may be float64 too, not only float32")
    q, k, v = qkv((2,), 9, 19, 3, 2, seed=39, dtype=torch.float64)  # sizes no other spec uses: float64 first,
    sdpa(q, k, v, is_causal=True)                                     # then float32 at the same sizes
    q, k, v = q.float(), k.float(), v.float()
    kept = ("a causal mask kept from an earlier call (keyed by sizes, not dtype) promotes the float32 scores to "
            "float64; build it at every call (bool, or with dtype=q.dtype), or put q.dtype in the key")
    try:
        out = sdpa(q, k, v, is_causal=True)
    except RuntimeError as e:
        pytest.fail(f"scaled_dot_product_attention(float32 q, k, v, is_causal=True), called after a float64 call "
                    f"of the same sizes, raised {e!r}: {kept}")
    assert out.dtype == torch.float32, (
        f"scaled_dot_product_attention(float32 q, k, v, is_causal=True), called after a float64 call of the same "
        f"sizes, returned {out.dtype}: {kept}")
    assert_close(out, ref(q, k, v, is_causal=True),
                 what="scaled_dot_product_attention(float32 q, k, v, is_causal=True) after float64 calls")


@pytest.mark.parametrize("kind", ["float", "bool", "padding"])
def test_fully_masked_row_has_zero_gradient(kind):
    """torch's gradient through a fully masked row is 0; a NaN hidden by masked_fill after the
    softmax comes back in the backward and poisons every gradient it touches."""
    q, k, v = qkv((2,), 4, 5, 3, 2, seed=39)
    if kind == "float":
        mask = random_float_mask((4, 5), seed=40)
        mask[2] = -INF
    elif kind == "bool":
        mask = random_bool_mask((4, 5), seed=40)
        mask[1] = False
    else:
        mask = torch.tensor([[True, True, True, False, False], [False] * 5]).view(2, 1, 5)
    assert_grads_match(lambda q, k, v: sdpa(q, k, v, attn_mask=mask),
                       lambda q, k, v: ref(q, k, v, attn_mask=mask), q, k, v,
                       what=f"scaled_dot_product_attention gradient with a fully masked row ({kind} mask)",
                       hint="replace the scores of a fully masked row by 0 BEFORE the softmax (then "
                            "zero its weights): softmax of all -inf is NaN, and the NaN flows into the "
                            "backward even when the forward hides it")


@pytest.mark.parametrize("batch,L,S", [((0,), 3, 4), ((2, 0), 3, 4), ((2,), 0, 4), ((2,), 3, 0)],
                         ids=["batch0", "batch-2x0", "L0", "S0"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_empty_sizes(batch, L, S, dtype):
    q, k, v = qkv(batch, L, S, 4, 3, seed=41, dtype=dtype)
    hint = ("size-0 dims must flow through: with S = 0 every row is fully masked and "
            "returns zeros; a reduction such as amax over an empty key dim raises; an early "
            "return keeps q's dtype and device: q.new_zeros(...), not torch.zeros(...)")
    for kwargs in ({}, {"is_causal": True}):  # a separate causal path must handle them too
        out = sdpa(q, k, v, **kwargs)
        assert_close(out, ref(q, k, v, **kwargs), hint=hint,
                     what=f"scaled_dot_product_attention({desc(batch, L, S, 4, 3)}, {dtype}"
                          f"{', is_causal=True' if kwargs else ''})")


@pytest.mark.parametrize("kind", ["causal", "bool"])
def test_dtype_of_q_under_a_float64_default_dtype(kind):
    """A helper mask made with torch.zeros(L, S) (no dtype) is float64 under this default and
    promotes float32 scores."""
    q, k, v = qkv((2,), 4, 5, 3, 2, seed=42)
    kwargs = {"is_causal": True} if kind == "causal" else {"attn_mask": random_bool_mask((4, 5), seed=43)}
    with default_dtype(torch.float64):
        out = sdpa(q, k, v, **kwargs)
    assert_close(out, ref(q, k, v, **kwargs),
                 what=f"scaled_dot_product_attention(float32 q, k, v, {kind} mask) under "
                      f"torch.set_default_dtype(torch.float64)",
                 hint="the output has q's dtype: build helper masks as bool, or with dtype=q.dtype "
                      "(torch.zeros(L, S) follows the default dtype)")


def test_bool_mask_hiding_the_largest_scores():
    """The hidden keys hold each row's largest scores (+150, +200), the allowed ones -100 and
    below: a softmax over every key underflows the allowed weights to 0, so zeroing the hidden
    weights afterwards and renormalising divides zeros. The mask goes in before the softmax."""
    q = torch.tensor([1.0, 0.9, 0.8]).view(1, 3, 1).repeat(2, 1, 1)
    k = torch.tensor([200.0, -100.0, 150.0, -101.0, -102.0, -120.0]).view(1, 6, 1).repeat(2, 1, 1)
    v = randn(2, 6, 3, seed=44)
    mask = torch.tensor([False, True, False, True, True, True])
    out = sdpa(q, k, v, attn_mask=mask, scale=1.0)
    expected = ref(q.double(), k.double(), v.double(), attn_mask=mask, scale=1.0).float()
    assert_close(out, expected, what="scaled_dot_product_attention(q (2, 3, 1), k (2, 6, 1), v, bool attn_mask "
                 "(6,) hiding the keys of scores +200 and +150, scale=1.0)", rtol=1e-4, atol=1e-5,
                 hint="hide the keys BEFORE the softmax (masked_fill(~mask, -inf) on the scores): "
                      "softmax over every key, then zeroing the hidden weights and renormalising, "
                      "divides weights that underflowed to 0 when a hidden key dominates the row")


def test_bool_mask_hides_keys_below_any_finite_fill():
    """scale=2e9 puts the allowed keys' scores at -2e9 and -4e9: a hidden key filled with a
    finite -1e9 (a common stand-in for -inf) then holds the row's largest score and takes all
    the weight. A hidden key must be -inf (or left out), below every finite score."""
    q = torch.ones(1, 2, 1)
    k = torch.tensor([-1.0, -2.0, 3.0]).view(1, 3, 1)
    v = torch.tensor([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]).view(1, 3, 2)
    mask = torch.tensor([True, True, False])
    out = sdpa(q, k, v, attn_mask=mask, scale=2e9)
    expected = ref(q.double(), k.double(), v.double(), attn_mask=mask, scale=2e9).float()
    assert_close(out, expected, what="scaled_dot_product_attention(q (1, 2, 1), k (1, 3, 1), v, bool attn_mask "
                 "(3,) hiding key 2, scale=2e9: allowed scores -2e9 and -4e9)", rtol=1e-4, atol=1e-5,
                 hint="fill hidden keys with -inf (masked_fill(~mask, float('-inf'))), not a finite "
                      "value such as -1e9 or -1e4: any finite fill can sit above the allowed scores "
                      "(a large scale), and then a hidden key's weight is not 0")


def test_rows_of_very_negative_scores():
    """A float mask near -150 makes every score of a row very negative (a legal additive
    bias): the row max is about -150 and exp(-150) underflows float32, so the max must be
    subtracted as it is, not clamped at 0."""
    q, k, v = qkv((2,), 4, 5, 3, 2, seed=45)
    mask = very_negative(randn(4, 5, seed=46))
    out = sdpa(q, k, v, attn_mask=mask)
    expected = ref(q.double(), k.double(), v.double(), attn_mask=mask.double()).float()
    assert_close(out, expected, what="scaled_dot_product_attention(q (2, 4, 3), k (2, 5, 3), v, float attn_mask "
                 "(4, 5) near -150)", rtol=1e-4, atol=1e-5,
                 hint="subtract each row's own max score, whatever its sign: a max clamped at 0 "
                      "(to avoid the -inf max of a fully masked row) leaves exp(-150) = 0 and 0 / 0; "
                      "handle fully masked rows separately")


@pytest.mark.parametrize("kind", ["causal", "bool", "S0"])
def test_works_on_q_device(kind):
    """On the meta device (shapes only) every helper tensor must be built on q.device: a
    causal mask made with torch.ones(L, S), or an early torch.zeros(...) for S = 0, lands
    on the CPU and fails next to GPU scores."""
    q, k, v = qkv((2, 3), 5, 0 if kind == "S0" else 6, 4, 3, seed=47)
    mask = random_bool_mask((5, 6), seed=48)
    kwargs = {"is_causal": True} if kind == "causal" else {} if kind == "S0" else {"attn_mask": mask}
    meta_kwargs = {"attn_mask": mask.to("meta")} if kind == "bool" else kwargs
    assert_on_input_device(
        lambda: sdpa(q, k, v, **kwargs),
        lambda: sdpa(*(t.to("meta") for t in (q, k, v)), **meta_kwargs),
        what=f"scaled_dot_product_attention(q, k, v on the meta device, {kind} mask)",
        hint="build every helper tensor (the causal mask, an early result) on q.device: torch.ones(L, S, "
             "dtype=torch.bool, device=q.device), q.new_zeros(...)")
    if kind == "causal":  # a mask kept from the CPU call above?
        assert_kept_state_follows_the_device(
            lambda: sdpa(*(t.to("meta") for t in (q, k, v)), is_causal=True), sdpa,
            what="scaled_dot_product_attention(q, k, v on the meta device, is_causal=True) after a call on the "
                 "CPU with the same L, S",
            hint="a causal mask cached by (L, S) alone is reused on another device (on a GPU: a device error): "
                 "build it on q.device at every call, or key the cache by device too")
