"""Specs for katas/mla/latent.py (day 26): low-rank factors and the latent KV cache.

low_rank_factorize is checked against Eckart–Young with singular values from
torch.linalg.svdvals in float64 (tolerance 1e-8 relative to ||W||, float32: 1e-4), and through
matrices built to be exactly low-rank. The cache arithmetic is checked against DeepSeek-V2's
and V3's published dimensions (config.json) and the V2 paper's 2·n_h·d_h vs (d_c + d_h^R).

Contract-to-spec map:
- "-> (A, B)" a tuple; "best rank-`rank`", Eckart–Young errors, shapes, W's dtype: shapes_and_best_error,
  eckart_young, keeps_the_largest, recovers_an_exactly_low_rank (also at a rank above W's own: zero singular
  values, no division by them), float32
- "any batch dims": m, n from the last two dims (rank > batch size, empty batch: shapes and W's dtype):
  reads_m_n
- "1 <= rank <= min(m, n), else ValueError" (batched too): rejects_a_rank_out_of_range
- "W must not be modified", any layout: non-contiguous W / W.T / a strided (2, 3, 5, 4) stack:
  non_contiguous_input_left_alone
- formulas of mha/mla/decompressed/cache_ratio/popular_ratio/mla_cache_bytes: *_formula, *_deepseek
- "(all ints)" / "-> float": cache_counts_are_ints_and_ratios_floats, popular_ratio_is_a_true_division
- mla_cache_bytes an exact int (integers only, beyond 2**53 too): mla_cache_bytes_is_an_exact_int_beyond_2_53
- mla_cache_bytes defaults, positional batch_size, seq_len 0, an explicit batch_size=0 or bytes_per_element=0,
  bytes_per_element=1:
  mla_cache_bytes_zero_tokens_and_one_byte_elements, v3_at_128k_tokens
- "Inputs must not be modified" for config (no key popped or set): mla_cache_bytes_per_token
- "num_hidden_layers" (V3's config.json with num_nextn_predict_layers 1: MTP not counted):
  mla_cache_bytes_per_token, v3_at_128k_tokens (V3 dict)
"""

import math

import pytest
import torch
from hypothesis import given, strategies as st

from harness.checks import SpecFailure, assert_close, assert_raises, non_contiguous, randn, unchanged
from harness.edges import assert_exact_type
from katas.mla.latent import (cache_ratio, decompressed_cache_elements, low_rank_factorize,
                              mha_cache_elements, mla_cache_bytes, mla_cache_elements,
                              popular_ratio)

SEEDS = st.integers(0, 2**31 - 1)

# DeepSeek's config.json values (deepseek-ai/DeepSeek-V2 and DeepSeek-V3 on the Hub).
V2 = dict(num_hidden_layers=60, hidden_size=5120, num_attention_heads=128, q_lora_rank=1536,
          kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128)
# V3's config.json also lists its multi-token-prediction module (num_nextn_predict_layers 1) and
# its dense first layers: neither changes the decoder's cache (61 layers of 576).
V3 = dict(num_hidden_layers=61, hidden_size=7168, num_attention_heads=128, q_lora_rank=1536,
          kv_lora_rank=512, qk_nope_head_dim=128, qk_rope_head_dim=64, v_head_dim=128,
          num_nextn_predict_layers=1, first_k_dense_replace=3)
# untouched copies (an implementation that pops a key from V2 or V3 changes them for later specs)
PRISTINE = {"V2": tuple(V2.items()), "V3": tuple(V3.items())}

HINT_SVD = ("U, S, Vh = torch.linalg.svd(W, full_matrices=False); keep the FIRST `rank` columns "
            "of U, values of S (the largest: svd sorts them in descending order) and rows of Vh, "
            "and put S into the product: A @ B must equal U_r @ diag(S_r) @ Vh_r")
HINT_MLA = ("MLA caches, per token and layer, the latent c_kv (kv_lora_rank values) AND the "
            "decoupled rope key k_rope (qk_rope_head_dim values); both are shared by every head")
HINT_BYTES = ("num_hidden_layers * batch * tokens * (kv_lora_rank + qk_rope_head_dim) * "
              "bytes_per_element: no head count (the latent is shared by all heads), no per-head K/V "
              "(MLA never caches the decompressed keys and values), and no extra layer for the "
              "multi-token-prediction module (num_nextn_predict_layers)")


# ------------------------------------------------------------------------ low_rank_factorize

def singular_values(W: torch.Tensor) -> torch.Tensor:
    return torch.linalg.svdvals(W.double())


def check_factors(W, rank, A, B, what):
    """Shapes, dtype, and Eckart–Young: Frobenius and spectral errors of A @ B."""
    m, n = W.shape[-2:]
    batch = tuple(W.shape[:-2])
    assert_close(tuple(A.shape), batch + (m, rank), what=f"{what}: A.shape",
                 hint="A is (..., m, rank): the first `rank` left singular vectors (scaled)")
    assert_close(tuple(B.shape), batch + (rank, n), what=f"{what}: B.shape",
                 hint="B is (..., rank, n): the first `rank` rows of Vh (scaled)")
    assert A.dtype == W.dtype and B.dtype == W.dtype, (
        f"{what}: A, B dtypes {A.dtype}, {B.dtype}; expected W's dtype {W.dtype}")
    S = singular_values(W)
    residual = (W.double() - A.double() @ B.double())
    scale = S[..., :1].clamp_min(1e-30)  # ||W||_2, for a relative tolerance
    tol = 1e-8 if W.dtype == torch.float64 else 1e-4
    frob = torch.linalg.matrix_norm(residual, ord="fro")
    expected_frob = S[..., rank:].pow(2).sum(-1).sqrt()
    assert_close(frob / scale[..., 0], expected_frob / scale[..., 0], rtol=0, atol=tol,
                 what=f"{what}: ||W - A @ B||_F / ||W||_2 (Eckart–Young: sqrt of the sum of the "
                      f"discarded squared singular values)", hint=HINT_SVD)
    spectral = torch.linalg.matrix_norm(residual, ord=2)
    expected_spec = S[..., rank] if rank < S.shape[-1] else torch.zeros_like(S[..., 0])
    assert_close(spectral / scale[..., 0], expected_spec / scale[..., 0], rtol=0, atol=tol,
                 what=f"{what}: ||W - A @ B||_2 / ||W||_2 (Eckart–Young: the next singular value)",
                 hint=HINT_SVD)


@pytest.mark.parametrize("shape,rank", [((1, 1), 1), ((5, 3), 2), ((3, 7), 3), ((13, 11), 1),
                                        ((4, 4), 4), ((2, 3, 6, 5), 2), ((1, 7, 2), 1)])
def test_low_rank_factorize_shapes_and_best_error(shape, rank):
    W = randn(*shape, seed=sum(shape) + rank, dtype=torch.float64)
    result = low_rank_factorize(W, rank)
    assert isinstance(result, tuple) and len(result) == 2, (
        f"low_rank_factorize(W of shape {shape}, {rank}) returned {type(result).__name__}; the contract "
        f"returns the tuple (A, B): return A, B")
    A, B = result
    check_factors(W, rank, A, B, f"low_rank_factorize(W of shape {shape}, {rank})")


@given(m=st.integers(1, 9), n=st.integers(1, 9), data=st.data(), batched=st.booleans(), seed=SEEDS)
def test_low_rank_factorize_eckart_young(m, n, data, batched, seed):
    rank = data.draw(st.integers(1, min(m, n)), label="rank")
    shape = ((2,) if batched else ()) + (m, n)
    W = randn(*shape, seed=seed, dtype=torch.float64)
    A, B = low_rank_factorize(W, rank)
    check_factors(W, rank, A, B, f"low_rank_factorize(W of shape {shape}, {rank})")


def test_low_rank_factorize_keeps_the_largest_singular_values():
    # singular values 10, 5, 1, 0.1: the best rank-2 error is sqrt(1 + 0.01), not sqrt(100 + 25)
    gen = torch.Generator().manual_seed(3)
    U, _ = torch.linalg.qr(torch.randn(6, 4, generator=gen, dtype=torch.float64))
    V, _ = torch.linalg.qr(torch.randn(5, 4, generator=gen, dtype=torch.float64))
    W = U @ torch.diag(torch.tensor([10.0, 5.0, 1.0, 0.1], dtype=torch.float64)) @ V.T
    A, B = low_rank_factorize(W, 2)
    assert_close(torch.linalg.matrix_norm(W - A @ B).item(), pytest.approx(math.sqrt(1.01), rel=1e-9),
                 what="low_rank_factorize(W with singular values 10, 5, 1, 0.1, 2): ||W - A @ B||_F",
                 hint=HINT_SVD)
    assert_close(A @ B, U[:, :2] @ torch.diag(torch.tensor([10.0, 5.0], dtype=torch.float64)) @ V[:, :2].T,
                 what="low_rank_factorize(W, 2): A @ B", hint=HINT_SVD)


@given(m=st.integers(1, 8), n=st.integers(1, 8), data=st.data(), seed=SEEDS)
def test_low_rank_factorize_recovers_an_exactly_low_rank_matrix(m, n, data, seed):
    # W = P @ Q has rank r: its best rank-r approximation is W itself (like W_UKV @ W_DKV in MLA)
    r = data.draw(st.integers(1, min(m, n)), label="rank")
    P, Q = randn(m, r, seed=seed, dtype=torch.float64), randn(r, n, seed=seed + 1, dtype=torch.float64)
    W = P @ Q
    A, B = low_rank_factorize(W, r)
    assert_close(A @ B, W, rtol=1e-7, atol=1e-9, what=f"low_rank_factorize(P @ Q of rank {r}, {r}): A @ B",
                 hint="a rank-r matrix is its own best rank-r approximation; " + HINT_SVD)
    full = min(m, n)  # a rank above W's own: the extra singular values are 0 (no division by them)
    A, B = low_rank_factorize(W, full)
    assert_close(A @ B, W, rtol=1e-7, atol=1e-9, what=f"low_rank_factorize(P @ Q of rank {r}, {full}): A @ B",
                 hint="W has rank r < the rank asked for: its singular values beyond r are 0, and A @ B is W "
                      "itself; factors that divide by a singular value (U = W V / S, from an eigendecomposition "
                      "of W^T W) give nan there: take U, S, Vh from torch.linalg.svd")


@pytest.mark.parametrize("rank", [1, 3])
def test_low_rank_factorize_float32(rank):
    W = randn(9, 6, seed=rank)
    A, B = low_rank_factorize(W, rank)
    check_factors(W, rank, A, B, f"low_rank_factorize(W float32 (9, 6), {rank})")


def test_low_rank_factorize_non_contiguous_input_left_alone():
    W = non_contiguous(randn(7, 5, seed=11, dtype=torch.float64))
    with unchanged(W, names=["W"]):
        A, B = low_rank_factorize(W, 2)
    check_factors(W, 2, A, B, "low_rank_factorize(non-contiguous W, 2)")
    Wt = randn(5, 8, seed=12, dtype=torch.float64).T  # a transposed view
    with unchanged(Wt, names=["W.T"]):
        A, B = low_rank_factorize(Wt, 3)
    check_factors(Wt, 3, A, B, "low_rank_factorize(W.T, 3)")
    # two batch dims in a strided layout: W.view(-1, m, n) cannot merge them (a 2-D W always views)
    Wb = non_contiguous(randn(2, 3, 5, 4, seed=13, dtype=torch.float64))
    with unchanged(Wb, names=["W"]):
        try:
            A, B = low_rank_factorize(Wb, 3)
        except RuntimeError as err:
            raise SpecFailure(f"low_rank_factorize(non-contiguous W of shape (2, 3, 5, 4), 3) raised RuntimeError: "
                              f"{str(err).splitlines()[0]}\n  hint: a batched W may be non-contiguous (a permuted "
                              f"or transposed stack): flatten its batch dims with reshape, not view, or pass the "
                              f"(..., m, n) tensor to torch.linalg.svd as it is") from None
    check_factors(Wb, 3, A, B, "low_rank_factorize(non-contiguous W of shape (2, 3, 5, 4), 3)")


@pytest.mark.parametrize("shape,rank", [((4, 6), 0), ((4, 6), 5), ((4, 6), -1), ((6, 7, 2), 3),
                                        ((2, 3, 5, 4), 5)])
def test_low_rank_factorize_rejects_a_rank_out_of_range(shape, rank):
    W = randn(*shape, seed=0)
    assert_raises(ValueError, low_rank_factorize, W, rank,
                  contract="1 <= rank <= min(m, n) (m, n: the LAST two dims of W), else ValueError",
                  what=f"low_rank_factorize(W of shape {shape}, {rank})",
                  hint="m, n = W.shape[-2:] (batch dims come first); check the rank before the SVD")


@pytest.mark.parametrize("shape,rank", [((2, 5, 4), 3), ((3, 1, 6, 6), 6), ((0, 4, 3), 2)])
def test_low_rank_factorize_reads_m_n_from_the_last_two_dims(shape, rank):
    # a rank above a batch size is fine: only the matrix dims bound it; an empty batch is allowed
    W = randn(*shape, seed=5, dtype=torch.float64)
    A, B = low_rank_factorize(W, rank)
    if W.numel():
        check_factors(W, rank, A, B, f"low_rank_factorize(W of shape {shape}, {rank})")
    else:
        # empty A and B of the right shape AND of W's dtype (float64 here: an early return of
        # torch.zeros(...) without dtype= is float32)
        hint = "an empty batch gives empty factors of W's dtype (torch.linalg.svd handles it; or W.new_zeros)"
        assert_close(A, torch.zeros(*shape[:-2], shape[-2], rank, dtype=W.dtype), what=f"low_rank_factorize(W "
                     f"float64 of shape {shape}, {rank}): A", hint=hint)
        assert_close(B, torch.zeros(*shape[:-2], rank, shape[-1], dtype=W.dtype), what=f"low_rank_factorize(W "
                     f"float64 of shape {shape}, {rank}): B", hint=hint)


# ------------------------------------------------------------------------ cache arithmetic

def test_cache_counts_are_ints_and_ratios_floats():
    for value, what in [(mha_cache_elements(128, 128), "mha_cache_elements(128, 128)"),
                        (mla_cache_elements(512, 64), "mla_cache_elements(512, 64)"),
                        (decompressed_cache_elements(128, 128, 64, 128),
                         "decompressed_cache_elements(128, 128, 64, 128)"),
                        (mla_cache_bytes(V3, 7), "mla_cache_bytes(V3, 7)"),
                        (mla_cache_bytes(V3, 7, batch_size=2, bytes_per_element=1),
                         "mla_cache_bytes(V3, 7, batch_size=2, bytes_per_element=1)")]:
        assert_exact_type(value, int, what)
    assert_exact_type(cache_ratio(4, 8, 16, 8), float, "cache_ratio(4, 8, 16, 8)")
    assert_exact_type(popular_ratio(1024, 512), float, "popular_ratio(1024, 512)")


@pytest.mark.parametrize("hidden,rank", [(1000, 512), (7168, 1536), (5, 2)])
def test_popular_ratio_is_a_true_division(hidden, rank):
    assert_close(popular_ratio(hidden, rank), pytest.approx(2 * hidden / rank, rel=1e-12),
                 what=f"popular_ratio({hidden}, {rank})",
                 hint="2 * hidden_size / kv_lora_rank with /, not //: the ratio need not be whole")


def test_mla_cache_bytes_zero_tokens_and_one_byte_elements():
    assert_close(mla_cache_bytes(V3, 0), 0, what="mla_cache_bytes(V3, 0): an empty cache")
    assert_close(mla_cache_bytes(V2, 10, bytes_per_element=1), 60 * 576 * 10,
                 what="mla_cache_bytes(V2, 10, bytes_per_element=1) (FP8)", hint=HINT_BYTES)
    assert_close(mla_cache_bytes(V2, 10, 5), 60 * 576 * 10 * 5 * 2,
                 what="mla_cache_bytes(V2, 10, 5): batch_size passed by position", hint=HINT_BYTES)
    assert_close(mla_cache_bytes(V2, 10, batch_size=0), 0,
                 what="mla_cache_bytes(V2, 10, batch_size=0): no sequence at all",
                 hint="an explicit batch_size=0 is a value, not 'not given': no `batch_size or 1`")
    assert_close(mla_cache_bytes(V2, 10, 5, bytes_per_element=0), 0,
                 what="mla_cache_bytes(V2, 10, 5, bytes_per_element=0): zero-byte elements",
                 hint="an explicit bytes_per_element=0 is a value, not 'not given': no `bytes_per_element or 2`")


def test_mla_cache_bytes_is_an_exact_int_beyond_2_53():
    """Odd sizes whose byte count passes 2**53: a float factor (2.0, float(bytes_per_element))
    rounds it, and int() of the rounded float keeps the error."""
    config = dict(V3, kv_lora_rank=511, qk_rope_head_dim=63)
    seq_len, batch = 1_000_000_007, 999_983
    expected = 61 * batch * seq_len * 574  # about 3.5e19 bytes at one byte per element
    got = mla_cache_bytes(config, seq_len, batch_size=batch, bytes_per_element=1)
    assert_exact_type(got, int, f"mla_cache_bytes(config, {seq_len}, batch_size={batch}, bytes_per_element=1)")
    if got != expected:
        raise SpecFailure(f"mla_cache_bytes(V3 with kv_lora_rank=511, qk_rope_head_dim=63, {seq_len}, batch_size={batch}, "
                          f"bytes_per_element=1) = {got}, expected {expected} (off by {got - expected}); the "
                          f"contract says an int, which should be the exact count\n  hint: multiply ints only: "
                          f"a float anywhere on the way cannot hold every integer above 2**53")


def test_mha_cache_elements_deepseek_v2():
    assert_close(mha_cache_elements(128, 128), 32768, what="mha_cache_elements(128, 128)",
                 hint="a key and a value of head_dim for each of the heads: 2 * 128 * 128")


@given(h=st.integers(1, 256), d=st.integers(1, 256))
def test_mha_cache_elements_formula(h, d):
    assert_close(mha_cache_elements(h, d), 2 * h * d, what=f"mha_cache_elements({h}, {d})",
                 hint="2 * num_heads * head_dim: K and V")


def test_mla_cache_elements_deepseek():
    assert_close(mla_cache_elements(512, 64), 576, what="mla_cache_elements(512, 64)", hint=HINT_MLA)


@given(r=st.integers(1, 2048), rope=st.integers(1, 256))
def test_mla_cache_elements_formula(r, rope):
    assert_close(mla_cache_elements(r, rope), r + rope, what=f"mla_cache_elements({r}, {rope})",
                 hint=HINT_MLA)


def test_decompressed_cache_elements_deepseek():
    assert_close(decompressed_cache_elements(128, 128, 64, 128), 40960,
                 what="decompressed_cache_elements(128, 128, 64, 128)",
                 hint="every head's key (nope + rope = 192) and value (128): 128 * 192 + 128 * 128")


@given(h=st.integers(1, 64), nope=st.integers(1, 64), rope=st.integers(1, 64), v=st.integers(1, 64))
def test_decompressed_cache_elements_formula(h, nope, rope, v):
    assert_close(decompressed_cache_elements(h, nope, rope, v), h * (nope + rope) + h * v,
                 what=f"decompressed_cache_elements({h}, {nope}, {rope}, {v})",
                 hint="num_heads * (qk_nope_head_dim + qk_rope_head_dim) + num_heads * v_head_dim; "
                      "the rope part is repeated in every head once decompressed")


def test_decompressed_cache_is_bigger_than_mha_for_deepseek():
    naive = decompressed_cache_elements(128, 128, 64, 128)
    assert naive > mha_cache_elements(128, 128) > 50 * mla_cache_elements(512, 64), (
        f"decompressed {naive}, MHA {mha_cache_elements(128, 128)}, MLA {mla_cache_elements(512, 64)}: "
        "expected 40,960 > 32,768 > 50 * 576")


def test_cache_ratio_deepseek_v2():
    assert_close(cache_ratio(128, 128, 512, 64), pytest.approx(32768 / 576, rel=1e-12),
                 what="cache_ratio(128, 128, 512, 64)",
                 hint="MHA's 2 * 128 * 128 = 32,768 over MLA's 512 + 64 = 576: about 56.9")
    assert round(cache_ratio(128, 128, 512, 64), 1) == 56.9


@given(h=st.integers(1, 128), d=st.integers(1, 256), r=st.integers(1, 1024), rope=st.integers(1, 128))
def test_cache_ratio_formula(h, d, r, rope):
    assert_close(cache_ratio(h, d, r, rope), pytest.approx(2 * h * d / (r + rope), rel=1e-12),
                 what=f"cache_ratio({h}, {d}, {r}, {rope})",
                 hint="(2 * num_heads * head_dim) / (kv_lora_rank + qk_rope_head_dim)")


def test_popular_ratio_is_28_for_v3():
    assert_close(popular_ratio(7168, 512), pytest.approx(28.0), what="popular_ratio(7168, 512)",
                 hint="2 * hidden_size / kv_lora_rank: K and V over all heads (width hidden_size "
                      "each) against the latent alone")
    assert_close(popular_ratio(5120, 512), pytest.approx(20.0), what="popular_ratio(5120, 512) (V2)")


def test_popular_ratio_leaves_the_rope_key_out_and_differs_from_the_true_ratio():
    popular = popular_ratio(V3["hidden_size"], V3["kv_lora_rank"])
    true = cache_ratio(V3["num_attention_heads"], V3["v_head_dim"], V3["kv_lora_rank"],
                       V3["qk_rope_head_dim"])
    assert popular == pytest.approx(28.0) and true == pytest.approx(56.888, abs=1e-3), (
        f"popular_ratio -> {popular}, cache_ratio -> {true}; expected 28.0 and 56.9 for DeepSeek-V3: "
        "the 28x compares with K/V of width hidden_size (7168) and forgets the rope key; the true "
        "ratio compares 128 heads of 128 (32,768) with 512 + 64")


@pytest.mark.parametrize("config,name", [(V3, "V3"), (V2, "V2")])
def test_mla_cache_bytes_per_token(config, name):
    layers = config["num_hidden_layers"]
    config = dict(PRISTINE[name])
    mine = dict(config)
    assert_close(mla_cache_bytes(mine, 1), layers * 576 * 2,
                 what=f"mla_cache_bytes(DeepSeek-{name} config, seq_len=1)", hint=HINT_BYTES)
    if mine != config:
        changed = sorted(k for k in config.keys() | mine.keys() if config.get(k, "absent") != mine.get(k, "absent"))
        raise SpecFailure(f"mla_cache_bytes(DeepSeek-{name} config, 1) changed the caller's config dict (keys "
                          f"{changed}); the contract says inputs must not be modified\n  hint: read the keys you "
                          f"need (config['num_hidden_layers'], ...) and skip the others; do not pop or set keys "
                          f"(e.g. to drop num_nextn_predict_layers)")


def test_mla_cache_bytes_v3_at_128k_tokens():
    # 61 layers * 576 * 2 bytes = 70,272 bytes per token: about 8.6 GiB for 131,072 tokens
    assert_close(mla_cache_bytes(V3, 131072), 61 * 576 * 2 * 131072,
                 what="mla_cache_bytes(DeepSeek-V3 config, 131072)", hint=HINT_BYTES)
    assert_close(mla_cache_bytes(V3, 1000, batch_size=3, bytes_per_element=4), 61 * 576 * 4 * 3000,
                 what="mla_cache_bytes(V3, 1000, batch_size=3, bytes_per_element=4)", hint=HINT_BYTES)


@given(heads=st.integers(1, 256), nope=st.integers(1, 256), v=st.integers(1, 256),
       hidden=st.integers(64, 8192), layers=st.integers(1, 100), r=st.integers(1, 1024),
       rope=st.integers(1, 128), seq=st.integers(1, 5000), batch=st.integers(1, 8))
def test_mla_cache_bytes_depends_on_latent_and_rope_only(heads, nope, v, hidden, layers, r, rope,
                                                        seq, batch):
    config = dict(num_hidden_layers=layers, hidden_size=hidden, num_attention_heads=heads,
                  q_lora_rank=0, kv_lora_rank=r, qk_nope_head_dim=nope, qk_rope_head_dim=rope,
                  v_head_dim=v)
    assert_close(mla_cache_bytes(config, seq, batch_size=batch), layers * batch * seq * (r + rope) * 2,
                 what=f"mla_cache_bytes({config}, {seq}, batch_size={batch})", hint=HINT_BYTES)
