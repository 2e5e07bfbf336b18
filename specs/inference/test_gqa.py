"""Specs for katas/inference/gqa.py (day 23): grouped_query_attention and GroupedQueryAttention.

Values are compared with F.scaled_dot_product_attention(..., enable_gqa=True) (and, for the
grouping, with a loop over query heads written out here). Tolerances: harness.checks'
defaults (float32 rtol 1e-4 / atol 1e-5, float64 rtol 1e-7 / atol 1e-9); gradients are
compared in float64. The budget lists every tensor the learner's function allocates
(harness.budgets.allocations): deterministic, no timing.

Contract -> specs:
- "query head h reads kv head h // G", equal to SDPA(enable_gqa=True), L != S, MHA and MQA
  ends, any shapes: test_matches_sdpa_*, test_query_head_h_reads_kv_head_h_over_G,
  test_kv_heads_equal_query_heads_*, test_one_kv_head_*, test_matches_sdpa_property
- "is_causal=False by default", top-left causal: test_is_not_causal_by_default, CASES with L != S (and L or S = 4099)
- "computed in q's dtype" (float64 to 1e-12, D = 3 so a float32 scale shows): test_float64
- large scores (hundreds; and near -1e35 against a finite mask fill): test_large_scores_do_not_overflow
  (the scores in the hundreds with torch's default dtype set to float64: float32 stays float32);
  these two and the device spec also at G = 1 and Hkv = 1 (a fast path for MHA or MQA); any device (default device set to meta first, a clash judged on the meta device):
  test_runs_on_the_inputs_device (a mask kept in a module-level cache from a CPU call: rerun on meta)
- gradients to q, k, v: test_gradients_match_sdpa; non-contiguous inputs: test_non_contiguous_*,
  test_heads_from_a_transpose
- ValueError unless Hq is a multiple of Hkv (also Hq < Hkv): test_hq_not_a_multiple_of_hkv_is_refused
- off limits SDPA / repeat_interleave: test_writes_its_own; no K/V copy per query head (Hkv = 1 too: a
  broadcasting matmul copies K Hq times): test_no_copy_of_k_or_v_per_query_head
- module: state_dict keys, Llama head layout, causal by default, is_causal flag, float64,
  gradients, meta device (also a model called on the CPU, then moved: no mask kept on the module):
  test_state_dict_*, test_module_*
"""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch.func import functional_call

from harness.budgets import allocations
from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_kept_state_follows_the_device,
                            assert_on_input_device, assert_raises, forbid, non_contiguous, randn, unchanged)
from harness.edges import TIGHT64, default_dtype
from katas.inference.gqa import GroupedQueryAttention, grouped_query_attention

SEEDS = st.integers(0, 2**31 - 1)

FORBIDDEN = (F.scaled_dot_product_attention, torch.repeat_interleave, torch.Tensor.repeat_interleave)
FORBIDDEN_ATEN = {
    "_scaled_dot_product_attention_math": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention_for_cpu": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_efficient_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_cudnn_attention": "a built-in scaled_dot_product_attention kernel",
    "repeat_interleave": "repeat_interleave",
}

HINT_GROUP = ("query head h reads kv head h // G (G = Hq // Hkv): the G CONSECUTIVE query heads "
              "j*G .. j*G+G-1 share kv head j. Tiling (k.repeat(1, G, 1, 1), or viewing q as "
              "(B, G, Hkv, L, D)) gives head h kv head h % Hkv instead; view q as (B, Hkv, G, L, D)")
HINT_ATTN = ("softmax(q k^T / sqrt(D)) v per query head, scaled by 1/sqrt(D) before the softmax, "
             "softmax over the keys (last dim); " + HINT_GROUP)
HINT_CAUSAL = ("is_causal=True: query i sees key j when j <= i, aligned top-left like "
               "F.scaled_dot_product_attention (torch.ones(L, S, dtype=torch.bool).tril()), "
               "also when L != S")
HINT_COPY = ("never build K or V for every query head: repeat_interleave, expand(...).reshape(...) "
             "and torch.matmul broadcasting a size-1 group dim (q.view(B, Hkv, G, L, D) @ "
             "k[:, :, None].transpose(-2, -1)) all copy K G times. Fold the group into the query "
             "axis instead: q.reshape(B, Hkv, G * L, D) @ k.transpose(-2, -1) reads K as it is")


def sdpa(q, k, v, is_causal=False):
    return F.scaled_dot_product_attention(q, k, v, is_causal=is_causal, enable_gqa=True)


def qkv(B, Hq, Hkv, L, S, D, Dv, seed=0, dtype=torch.float32):
    return (randn(B, Hq, L, D, seed=seed, dtype=dtype), randn(B, Hkv, S, D, seed=seed + 1, dtype=dtype),
            randn(B, Hkv, S, Dv, seed=seed + 2, dtype=dtype))


def call_name(q, k, v, is_causal):
    return (f"grouped_query_attention(q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}, "
            f"is_causal={is_causal})")


def hint_for(out, q, k, v, is_causal):
    """The likely mistake behind a wrong output: tiling the kv heads, or the causal rule."""
    Hq, Hkv = q.shape[1], k.shape[1]
    if isinstance(out, torch.Tensor) and out.shape == (*q.shape[:-1], v.shape[-1]) and 1 < Hkv < Hq:
        tiled = F.scaled_dot_product_attention(q, k.repeat(1, Hq // Hkv, 1, 1), v.repeat(1, Hq // Hkv, 1, 1),
                                               is_causal=is_causal)
        if torch.allclose(out, tiled, rtol=1e-4, atol=1e-5):
            return "your output equals the TILED grouping (head h reading kv head h % Hkv); " + HINT_GROUP
    return (HINT_CAUSAL + "; " if is_causal else "") + HINT_ATTN


def check(q, k, v, is_causal, *, default=False):
    out = grouped_query_attention(q, k, v) if default else grouped_query_attention(q, k, v, is_causal)
    expected = sdpa(q.contiguous(), k.contiguous(), v.contiguous(), is_causal)
    name = call_name(q, k, v, is_causal) + (" (is_causal left at its default)" if default else "")
    assert_close(out, expected, what=name, hint=hint_for(out, q, k, v, is_causal))


# --------------------------------------------------------------------- grouped_query_attention

# (B, Hq, Hkv, L, S, D, Dv): groups of 1 (MHA), of Hq (MQA), primes, single tokens, L != S
CASES = [(1, 4, 2, 5, 5, 8, 8), (2, 6, 3, 7, 7, 4, 4), (2, 6, 2, 3, 11, 5, 3), (1, 8, 4, 1, 13, 8, 8),
         (3, 9, 3, 11, 4, 2, 6), (2, 7, 1, 5, 9, 3, 3), (1, 10, 5, 13, 13, 7, 2), (2, 12, 4, 2, 17, 16, 16),
         (1, 2, 1, 2, 4099, 2, 2), (1, 2, 2, 4099, 2, 2, 2)]  # past a size cap (a tril table made at import)


def _ids(case):
    B, Hq, Hkv, L, S, D, Dv = case
    return f"B{B}-Hq{Hq}-Hkv{Hkv}-L{L}-S{S}-D{D}-Dv{Dv}"


@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_matches_sdpa_with_enable_gqa(case, is_causal):
    check(*qkv(*case, seed=3), is_causal)


def test_is_not_causal_by_default():
    check(*qkv(2, 6, 2, 5, 5, 4, 4, seed=4), False, default=True)


def test_query_head_h_reads_kv_head_h_over_G():
    """Written out head by head: no built-in, no broadcasting."""
    B, Hq, Hkv, L, S, D = 2, 6, 3, 4, 5, 4
    G = Hq // Hkv
    q, k, v = qkv(B, Hq, Hkv, L, S, D, D, seed=5)
    k = k + 3.0 * torch.arange(Hkv, dtype=k.dtype)[None, :, None, None]  # every kv head distinct
    v = v + 10.0 * torch.arange(Hkv, dtype=v.dtype)[None, :, None, None]
    out = grouped_query_attention(q, k, v)
    heads = [torch.softmax(q[:, h] @ k[:, h // G].transpose(-2, -1) / math.sqrt(D), dim=-1) @ v[:, h // G]
             for h in range(Hq)]
    assert_close(out, torch.stack(heads, dim=1), what=call_name(q, k, v, False) + " vs a loop over query heads",
                 hint=hint_for(out, q, k, v, False))


def test_kv_heads_equal_query_heads_is_multi_head_attention():
    q, k, v = qkv(2, 5, 5, 6, 7, 4, 3, seed=6)
    out = grouped_query_attention(q, k, v, is_causal=True)
    assert_close(out, F.scaled_dot_product_attention(q, k, v, is_causal=True),
                 what=call_name(q, k, v, True) + " with Hkv = Hq (plain multi-head attention)",
                 hint="with G = 1 every query head has its own kv head: head h reads kv head h; " + HINT_ATTN)


def test_one_kv_head_is_multi_query_attention():
    q, k, v = qkv(2, 6, 1, 5, 8, 4, 4, seed=7)
    out = grouped_query_attention(q, k, v, is_causal=True)
    expected = F.scaled_dot_product_attention(q, k.expand(2, 6, 8, 4), v.expand(2, 6, 8, 4), is_causal=True)
    assert_close(out, expected, what=call_name(q, k, v, True) + " with Hkv = 1 (multi-query attention)",
                 hint="with one kv head every query head reads the same K and V; " + HINT_ATTN)


@given(B=st.integers(1, 2), Hkv=st.integers(1, 3), G=st.integers(1, 4), L=st.integers(1, 9),
       S=st.integers(1, 11), D=st.integers(1, 8), Dv=st.integers(1, 8), is_causal=st.booleans(), seed=SEEDS)
def test_matches_sdpa_property(B, Hkv, G, L, S, D, Dv, is_causal, seed):
    check(*qkv(B, Hkv * G, Hkv, L, S, D, Dv, seed=seed % 100_000), is_causal)


# Hkv of 6 query heads: groups of 3, of 1 (MHA) and one kv head (MQA): a fast path for
# G = 1 or Hkv = 1, if any, must meet every edge spec too
EDGE_HKV = [2, 6, 1]


@pytest.mark.parametrize("Hkv", EDGE_HKV)
@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_float64(is_causal, Hkv):
    # D = 3: 1/sqrt(3) is not a float32 number, so a float32 scale (torch.tensor(D).sqrt()) shows
    q, k, v = qkv(2, 6, Hkv, 5, 7, 3, 4, seed=8, dtype=torch.float64)
    out = grouped_query_attention(q, k, v, is_causal)
    assert_close(out, sdpa(q, k, v, is_causal), what=call_name(q, k, v, is_causal) + " in float64",
                 hint="compute in the inputs' dtype (no .float(), no float32 constants or buffers such as "
                      "torch.tensor(D).sqrt() for the scale: use math.sqrt(D)): float64 "
                      "is compared to 1e-12, on every path (G = 1 and Hkv = 1 included); " + HINT_ATTN, **TIGHT64)


@pytest.mark.parametrize("Hkv", EDGE_HKV)
@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_large_scores_do_not_overflow(is_causal, Hkv):
    q, k, v = qkv(2, 6, Hkv, 5, 7, 4, 4, seed=30)
    q = q * 60  # scores in the hundreds: exp(score) is inf in float32
    with default_dtype(torch.float64):  # float32 inputs stay float32: a mask built without dtype= must not promote
        out = grouped_query_attention(q, k, v, is_causal)
    assert_close(out, sdpa(q, k, v, is_causal),
                 what=call_name(q, k, v, is_causal) + " with q * 60 (scores ~ 100s), torch's default dtype float64",
                 hint="subtract each row's max before exp (torch.softmax does) on every path (G = 1 and Hkv = 1 "
                      "included): exp(100) overflows float32 and inf / inf is NaN; and keep q's dtype: an additive "
                      "mask made with torch.full((L, S), float('-inf')) without dtype= follows torch's default dtype "
                      "(float64 here) and promotes float32 scores (use a bool mask and masked_fill, or dtype=q.dtype)",
                 rtol=1e-4, atol=1e-4)
    # every score from -1e35 (key 0, the largest) down: finite float32, all of a row's weight on key 0;
    # a causal mask filled with -1e4 or -1e9 instead of -inf outweighs every visible key
    q, k = q / 200, k * 0.3
    q[..., -1], k[..., -1] = 1.0, -2e35 * (1 + torch.arange(7.0) / 7)
    out = grouped_query_attention(q, k, v, is_causal)
    assert_close(out, sdpa(q.double(), k.double(), v.double(), is_causal).float(), rtol=1e-4, atol=1e-4,
                 what=call_name(q, k, v, is_causal) + " with every score near -1e35",
                 hint="mask with -inf (masked_fill(~allowed, float('-inf'))), not a finite -1e4 / -1e9: the "
                      "masked keys then outweigh visible scores below it (on every path: G = 1 and Hkv = 1 too)")


HINT_DEVICE = ("build helper tensors (the causal mask, an arange) on q's device: torch.ones(L, S, dtype=torch.bool, "
               "device=q.device); on a GPU a CPU mask fails the same way")


@pytest.mark.parametrize("Hkv", [3, 6, 1])
def test_runs_on_the_inputs_device(Hkv):
    q, k, v = qkv(2, 6, Hkv, 5, 7, 4, 3, seed=17)
    for is_causal in (False, True):
        assert_on_input_device(lambda: grouped_query_attention(q, k, v, is_causal),
                               lambda: grouped_query_attention(*(t.to("meta") for t in (q, k, v)), is_causal),
                               what=f"grouped_query_attention(meta q (2, 6, 5, 4), k (2, {Hkv}, 7, 4), v (2, {Hkv}, 7, 3), "
                                    f"is_causal={is_causal})", hint=HINT_DEVICE)
    assert_kept_state_follows_the_device(  # a mask kept from the CPU calls above, reused on another device?
        lambda: grouped_query_attention(*(t.to("meta") for t in (q, k, v)), True), grouped_query_attention,
        what=f"grouped_query_attention(q (2, 6, 5, 4), k (2, {Hkv}, 7, 4), v (2, {Hkv}, 7, 3), is_causal=True) "
             "called on the CPU, then on meta inputs of the same shapes",
        hint="do not keep the causal mask in a module-level cache keyed by shape only: it stays on the device "
             "of the first call; build it at every call on q's device (it is tiny)")


@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_gradients_match_sdpa(is_causal):
    q, k, v = qkv(2, 6, 2, 4, 5, 3, 4, seed=9, dtype=torch.float64)
    assert_grads_match(lambda q, k, v: grouped_query_attention(q, k, v, is_causal),
                       lambda q, k, v: sdpa(q, k, v, is_causal), q, k, v,
                       what=call_name(q, k, v, is_causal) + " gradient",
                       hint="build the output from differentiable tensor ops; a kv head's gradient sums "
                            "the contributions of its G query heads, which autograd does for you when "
                            "you reshape q instead of copying K and V")


def test_non_contiguous_inputs_are_left_alone():
    q, k, v = (non_contiguous(t) for t in qkv(2, 6, 3, 5, 7, 4, 4, seed=10))
    with unchanged(q, k, v, names=["q", "k", "v"]):
        out = grouped_query_attention(q, k, v, is_causal=True)
    assert_close(out, sdpa(q.contiguous(), k.contiguous(), v.contiguous(), True),
                 what=call_name(q, k, v, True) + " with non-contiguous q, k, v",
                 hint="use reshape (which copies when it must), not view, on inputs that may be strided")


def test_heads_from_a_transpose():
    """The layout a module produces: (B, T, H, D).transpose(1, 2)."""
    x = randn(2, 7, 6, 4, seed=11)
    kx, vx = randn(2, 9, 2, 4, seed=12), randn(2, 9, 2, 5, seed=13)
    q, k, v = x.transpose(1, 2), kx.transpose(1, 2), vx.transpose(1, 2)
    check(q, k, v, True)


@pytest.mark.parametrize("Hq,Hkv", [(5, 2), (7, 3), (6, 4), (2, 4), (3, 6)])
def test_hq_not_a_multiple_of_hkv_is_refused(Hq, Hkv):
    q, k, v = qkv(1, Hq, Hkv, 3, 3, 4, 4, seed=14)
    assert_raises(ValueError, grouped_query_attention, q, k, v,
                  contract="Hq must be a multiple of Hkv: otherwise raise ValueError (also when Hq < Hkv)",
                  what=f"grouped_query_attention(q with Hq={Hq} heads, k and v with Hkv={Hkv})",
                  hint="check Hq % Hkv != 0 first and raise ValueError naming both head counts; a mapping "
                       "such as h * Hkv // Hq runs without error on head counts GQA does not define")


def test_writes_its_own():
    q, k, v = qkv(2, 6, 2, 4, 5, 4, 4, seed=15)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        grouped_query_attention(q, k, v)
        grouped_query_attention(q, k, v, is_causal=True)


# --------------------------------------------------------------------- budget: no K/V copies

B_, HQ_, HKV_, S_, D_ = 2, 10, 2, 96, 16
G_ = HQ_ // HKV_
COPY_ELEMENTS = B_ * G_ * S_ * D_  # one kv head's K (or V) repeated for its G query heads


def _elements(a):
    return max(math.prod(a.shape), a.nbytes // torch.empty((), dtype=a.dtype).element_size())


@pytest.mark.parametrize("layout,Hkv", [("contiguous", HKV_), ("transposed", HKV_), ("contiguous", 1)],
                         ids=["contiguous", "transposed", "one-kv-head"])
@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
@pytest.mark.parametrize("L", [1, 3])
def test_no_copy_of_k_or_v_per_query_head(L, is_causal, layout, Hkv):
    q, k, v = qkv(B_, HQ_, Hkv, L, S_, D_, D_, seed=16)
    if layout == "transposed":  # (B, T, H, D) memory, as a module's projections give
        q, k, v = (t.transpose(1, 2).contiguous().transpose(1, 2) for t in (q, k, v))
    copy = B_ * (HQ_ // Hkv) * S_ * D_  # with Hkv = 1 every query head shares K: a broadcast matmul copies it Hq times
    found = [a for a in allocations(grouped_query_attention, q, k, v, is_causal) if _elements(a) >= copy]
    if found:
        raise SpecFailure(
            f"{call_name(q, k, v, is_causal)} ({layout} inputs) allocated {len(found)} tensor(s) of at least "
            f"B*G*S*D = {copy:,} elements (K itself has {B_ * Hkv * S_ * D_:,}), first "
            f"{found[0]}: a copy of K or V for every query head, the memory GQA exists to save\n"
            f"  hint: {HINT_COPY}")


# --------------------------------------------------------------------- GroupedQueryAttention

HINT_MODULE = ("q_proj, k_proj, v_proj, o_proj are nn.Linear(..., bias=False); split heads with "
               ".view(B, T, heads, head_dim).transpose(1, 2) (n_heads for q, n_kv_heads for k and v); "
               "grouped_query_attention; merge with .transpose(1, 2).reshape(B, T, n_heads * head_dim); "
               "o_proj")


def weights(d_model, n_heads, n_kv_heads, seed=0, dtype=torch.float32):
    hd = d_model // n_heads
    gen = torch.Generator().manual_seed(seed)
    shapes = {"q_proj.weight": (n_heads * hd, d_model), "k_proj.weight": (n_kv_heads * hd, d_model),
              "v_proj.weight": (n_kv_heads * hd, d_model), "o_proj.weight": (d_model, n_heads * hd)}
    return {name: torch.randn(shape, generator=gen, dtype=dtype) / shape[1] ** 0.5 for name, shape in shapes.items()}


def reference_module(x, W, n_heads, n_kv_heads, is_causal=True):
    B, T, _ = x.shape
    hd = W["q_proj.weight"].shape[0] // n_heads
    q = (x @ W["q_proj.weight"].T).view(B, T, n_heads, hd).transpose(1, 2)
    k = (x @ W["k_proj.weight"].T).view(B, T, n_kv_heads, hd).transpose(1, 2)
    v = (x @ W["v_proj.weight"].T).view(B, T, n_kv_heads, hd).transpose(1, 2)
    out = sdpa(q, k, v, is_causal)
    return out.transpose(1, 2).reshape(B, T, n_heads * hd) @ W["o_proj.weight"].T


def loaded(d_model, n_heads, n_kv_heads, W):
    mine = GroupedQueryAttention(d_model, n_heads, n_kv_heads).to(next(iter(W.values())).dtype)
    try:
        mine.load_state_dict(W)
    except RuntimeError as err:
        raise SpecFailure(
            f"GroupedQueryAttention({d_model}, {n_heads}, {n_kv_heads}).load_state_dict(weights with keys "
            f"{ {k: tuple(w.shape) for k, w in W.items()} }) failed: {str(err).splitlines()[0][:300]}\n"
            f"  hint: {HINT_MODULE}") from None
    return mine


# (d_model, n_heads, n_kv_heads, B, T)
MODULE_CASES = [(8, 4, 2, 2, 5), (12, 6, 3, 1, 7), (10, 5, 1, 2, 3), (8, 2, 2, 3, 1), (14, 7, 7, 1, 11),
                (24, 6, 2, 2, 13)]


@pytest.mark.parametrize("d_model,n_heads,n_kv_heads", [(8, 4, 2), (12, 6, 3), (10, 5, 1), (14, 7, 7)])
def test_state_dict_keys_and_shapes(d_model, n_heads, n_kv_heads):
    mine = GroupedQueryAttention(d_model, n_heads, n_kv_heads)
    got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in weights(d_model, n_heads, n_kv_heads).items()}
    assert got == expected, (
        f"GroupedQueryAttention({d_model}, {n_heads}, {n_kv_heads}).state_dict() has {got}, expected "
        f"{expected}\n  hint: head_dim = d_model // n_heads; k_proj and v_proj project to n_kv_heads * "
        f"head_dim channels only (that is the saving); every projection is nn.Linear(..., bias=False)")


@pytest.mark.parametrize("case", MODULE_CASES, ids=lambda c: f"d{c[0]}-H{c[1]}-Hkv{c[2]}-B{c[3]}-T{c[4]}")
def test_module_matches_reference(case):
    d_model, n_heads, n_kv_heads, B, T = case
    W = weights(d_model, n_heads, n_kv_heads, seed=20)
    mine = loaded(d_model, n_heads, n_kv_heads, W)
    x = randn(B, T, d_model, seed=21)
    with torch.no_grad():
        out = mine(x)
    assert_close(out, reference_module(x, W, n_heads, n_kv_heads, True),
                 what=f"GroupedQueryAttention({d_model}, {n_heads}, {n_kv_heads})(x {(B, T, d_model)}) "
                      f"(causal by default)", hint="causal by default; " + HINT_MODULE)


@pytest.mark.parametrize("is_causal", [False, True], ids=["full", "causal"])
def test_module_is_causal_flag(is_causal):
    W = weights(12, 6, 2, seed=22)
    mine = loaded(12, 6, 2, W)
    x = randn(2, 6, 12, seed=23)
    with torch.no_grad():
        out = mine(x, is_causal=is_causal)
    assert_close(out, reference_module(x, W, 6, 2, is_causal),
                 what=f"GroupedQueryAttention(12, 6, 2)(x (2, 6, 12), is_causal={is_causal})", hint=HINT_MODULE)


def test_module_float64_and_input_left_alone():
    W = weights(8, 4, 2, seed=24, dtype=torch.float64)
    mine = loaded(8, 4, 2, W)
    x = non_contiguous(randn(2, 5, 8, seed=25, dtype=torch.float64))
    with unchanged(x, names=["x"]), torch.no_grad():
        out = mine(x)
    assert_close(out, reference_module(x, W, 4, 2), what="GroupedQueryAttention(8, 4, 2) in float64 "
                 "(non-contiguous x (2, 5, 8))", hint=HINT_MODULE)


def test_module_gradients_match_reference():
    W = weights(12, 6, 2, seed=26, dtype=torch.float64)
    mine = loaded(12, 6, 2, W)
    x = randn(2, 5, 12, seed=27, dtype=torch.float64)
    names = list(W)

    def learner(x, *ws):
        return functional_call(mine, dict(zip(names, ws)), (x,))

    def reference(x, *ws):
        return reference_module(x, dict(zip(names, ws)), 6, 2)

    assert_grads_match(learner, reference, x, *W.values(),
                       what="GroupedQueryAttention(12, 6, 2) gradient (inputs: x, then "
                            + ", ".join(names) + ")", hint=HINT_MODULE)


def test_module_on_the_meta_device():
    mine = loaded(12, 6, 2, weights(12, 6, 2, seed=31))
    x = randn(2, 5, 12, seed=32)
    with torch.no_grad():
        assert_on_input_device(lambda: mine(x), lambda: mine.to("meta")(x.to("meta")),
                               what="GroupedQueryAttention(12, 6, 2).to('meta')(meta x (2, 5, 12))", hint=HINT_DEVICE)
        # a model that ran on the CPU, then moved (.to(device)): nothing made at that first call may stay behind
        moved = loaded(12, 6, 2, weights(12, 6, 2, seed=31))
        moved(x)
        assert_kept_state_follows_the_device(
            lambda: moved.to("meta")(x.to("meta")), type(moved), moved,
            what="GroupedQueryAttention(12, 6, 2) called once on the CPU (T = 5), then moved with .to('meta') and "
                 "called again (T = 5)",
            hint="do not keep the causal mask on the module (a plain attribute) or in a module-level cache made at "
                 "an earlier call: .to(device) moves parameters and buffers only; build it in forward on x's "
                 "device (or register_buffer it)")


def test_module_writes_its_own():
    mine = loaded(12, 6, 2, weights(12, 6, 2, seed=28))
    x = randn(2, 4, 12, seed=29)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN), torch.no_grad():
        mine(x)
        mine(x, is_causal=False)
    held = [n or "the module itself" for n, m in mine.named_modules() if isinstance(m, nn.MultiheadAttention)]
    assert not held, f"GroupedQueryAttention holds an nn.MultiheadAttention ({held}): write it from nn.Linear"
