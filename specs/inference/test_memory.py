"""Specs for katas/inference/memory.py (day 25): kv_cache_bytes, matmul_flops,
arithmetic_intensity, roofline_time, decode_step_cost.

FLOPs are compared with torch.utils.flop_counter.FlopCounterMode (harness.budgets.count_flops)
on real products and on a small decoder written here as the stub describes it; bytes with
the nbytes of real tensors (torch.empty caches, the decoder's weights and cache). Counts are
integers and must match exactly; times and intensities are floats compared with rtol 1e-9.
The H100 figures are the stub's H100 constant: 989.5e12 FLOP/s dense BF16, 3.35e12 bytes/s.

Contract -> specs:
- matmul_flops "2 per multiply-add" vs FlopCounterMode: test_matmul_flops_* ; "an exact int":
  test_counts_are_exact_ints, test_matmul_flops_large (odd factors beyond 2**53)
- kv_cache_bytes mha/gqa/mqa/mla vs real tensors, defaults kind="mha", dtype_bytes=2:
  test_*_cache_bytes_match_real_tensors, test_defaults_*, test_named_models,
  test_cache_shrinks_by_hq_over_hkv; "n_kv_heads is ignored" (mha, mqa):
  test_mha_and_mqa_ignore_n_kv_heads (not validated there either: one that does not divide n_heads); "exact int beyond 2**53": test_counts_are_exact_ints,
  test_cache_bytes_exact_beyond_2_53 (every kind's count past 2**53, mqa and mla too); ValueError for an unknown kind / a missing argument:
  test_unknown_kind_raises, test_missing_arguments_raise; only None is missing (an explicit
  qk_rope_head_dim=0 is given): test_mla_without_a_rope_key_is_a_given_zero; kv_lora_rank=0 too:
  test_mla_zero_rank_is_a_given_zero
- an explicit dtype_bytes=0 gives 0 (not the default 2): test_explicit_zero_dtype_bytes_gives_zero
- arithmetic_intensity, roofline_time "the larger", floats: test_arithmetic_intensity,
  test_roofline_time_*, test_intensity_and_time_are_floats
- decode_step_cost flops vs FlopCounterMode, bytes vs real tensors, linear in context, a tuple
  of two ints (exact beyond 2**53 too), memory-bound on H100: test_decode_*, test_counts_are_exact_ints
"""

import dataclasses
import math

import pytest
import torch
import torch.nn as nn
from hypothesis import given, strategies as st

from harness.budgets import count_flops
from harness.checks import SpecFailure, assert_raises, randn
from harness.edges import assert_exact_type
from katas.inference.memory import (H100, ModelConfig, arithmetic_intensity, decode_step_cost, kv_cache_bytes,
                                    matmul_flops, roofline_time)

DTYPE_BYTES = {torch.float32: 4, torch.bfloat16: 2, torch.float16: 2, torch.int8: 1}

HINT_FLOP = ("a multiply-add is 2 FLOPs (one multiply, one add): (m, k) @ (k, n) has m * n outputs of k "
             "multiply-adds each, 2 * m * n * k FLOPs, which is what FlopCounterMode and peak FLOP/s count")
HINT_KV = ("every layer caches a key AND a value vector (head_dim elements each) per kv head per token: "
           "2 * batch * seq_len * n_layers * kv_heads * head_dim * dtype_bytes, with kv_heads = n_heads "
           "(mha), n_kv_heads (gqa) or 1 (mqa)")
HINT_MLA = ("MLA caches kv_lora_rank + qk_rope_head_dim elements per token and layer (the latent and the "
            "shared rope key), nothing per head and no separate values: "
            "batch * seq_len * n_layers * (kv_lora_rank + qk_rope_head_dim) * dtype_bytes")


def half_or_double_hint(got, expected, base):
    if isinstance(got, (int, float)) and expected and got * 2 == expected:
        return "you count exactly half: " + base
    if isinstance(got, (int, float)) and expected and got == expected * 2:
        return "you count exactly twice as much: " + base
    return base


def exact(got, expected, what, hint):
    if not isinstance(got, (int, float)) or isinstance(got, bool) or got != expected:
        raise SpecFailure(f"{what}: got {got!r}, expected {expected!r}\n  hint: "
                          + half_or_double_hint(got, expected, hint))


def close(got, expected, what, hint):
    if not isinstance(got, (int, float)) or isinstance(got, bool) or not math.isclose(got, expected, rel_tol=1e-9):
        raise SpecFailure(f"{what}: got {got!r}, expected {expected!r} (rtol 1e-9)\n  hint: {hint}")


# --------------------------------------------------------------------- matmul_flops

@given(m=st.integers(1, 48), n=st.integers(1, 48), k=st.integers(1, 48), seed=st.integers(0, 2**31 - 1))
def test_matmul_flops_match_flop_counter(m, n, k, seed):
    got = matmul_flops(m, n, k)
    a, b = randn(m, k, seed=seed % 100_000), randn(k, n, seed=seed % 100_000 + 1)
    exact(got, count_flops(torch.matmul, a, b), f"matmul_flops({m}, {n}, {k}) vs FlopCounterMode on "
          f"({m}, {k}) @ ({k}, {n})", HINT_FLOP)


@pytest.mark.parametrize("B,T,d_in,d_out", [(1, 1, 1, 1), (2, 7, 5, 3), (3, 11, 16, 13)])
def test_matmul_flops_of_a_linear_layer(B, T, d_in, d_out):
    got = matmul_flops(B * T, d_out, d_in)
    layer = nn.Linear(d_in, d_out, bias=False)
    exact(got, count_flops(layer, randn(B, T, d_in, seed=1)),
          f"matmul_flops({B * T}, {d_out}, {d_in}) vs FlopCounterMode on nn.Linear({d_in}, {d_out}) of x "
          f"{(B, T, d_in)}", HINT_FLOP + "; a Linear on (B, T, d_in) is a (B*T, d_in) @ (d_in, d_out) product")


def test_matmul_flops_large():
    got = matmul_flops(4096, 4096, 4096)
    exact(got, 2 * 4096**3, "matmul_flops(4096, 4096, 4096)",
          HINT_FLOP + "; return an exact int (no floats, no rounding)")
    # odd factors whose product passes 2**53: int(2.0 * m * n * k) has the right type but a rounded value
    m, n, k = 100_003, 1_000_003, 99_991
    got = matmul_flops(m, n, k)
    exact(got, 2 * m * n * k, f"matmul_flops({m}, {n}, {k}) (about {2 * m * n * k:.2e}, more than 2**53)",
          HINT_FLOP + "; compute with ints only: a float factor (2.0) rounds counts above 2**53, and int() of "
          "the rounded float keeps the error")


# --------------------------------------------------------------------- kv_cache_bytes

def real_kv_bytes(batch, seq_len, n_layers, kv_heads, head_dim, dtype):
    """The bytes of an actual per-layer K and V cache."""
    total = 0
    for _ in range(n_layers):
        keys = torch.empty(batch, kv_heads, seq_len, head_dim, dtype=dtype)
        values = torch.empty(batch, kv_heads, seq_len, head_dim, dtype=dtype)
        total += keys.nbytes + values.nbytes
    return total


def real_mla_bytes(batch, seq_len, n_layers, kv_lora_rank, rope_dim, dtype):
    total = 0
    for _ in range(n_layers):
        latent = torch.empty(batch, seq_len, kv_lora_rank, dtype=dtype)
        rope_key = torch.empty(batch, seq_len, rope_dim, dtype=dtype)
        total += latent.nbytes + rope_key.nbytes
    return total


KV_CASES = [(1, 1, 1, 1, 1), (2, 7, 3, 4, 8), (3, 13, 2, 6, 5), (1, 31, 4, 8, 16)]
KV_IDS = ["tiny", "b2-t7", "b3-t13", "b1-t31"]
DTYPES = [torch.bfloat16, torch.float32, torch.int8]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("case", KV_CASES, ids=KV_IDS)
def test_mha_cache_bytes_match_real_tensors(case, dtype):
    batch, seq_len, n_layers, n_heads, head_dim = case
    got = kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, dtype_bytes=DTYPE_BYTES[dtype], kind="mha")
    exact(got, real_kv_bytes(batch, seq_len, n_layers, n_heads, head_dim, dtype),
          f"kv_cache_bytes({batch}, {seq_len}, n_layers={n_layers}, n_heads={n_heads}, head_dim={head_dim}, "
          f"dtype_bytes={DTYPE_BYTES[dtype]}, kind='mha') vs {n_layers} layer(s) of real {dtype} K and V tensors",
          HINT_KV)


@pytest.mark.parametrize("n_heads,n_kv_heads", [(4, 2), (8, 1), (6, 3), (5, 5)])
def test_gqa_cache_bytes_match_real_tensors(n_heads, n_kv_heads):
    got = kv_cache_bytes(2, 9, 3, n_heads, 4, n_kv_heads=n_kv_heads, dtype_bytes=2, kind="gqa")
    exact(got, real_kv_bytes(2, 9, 3, n_kv_heads, 4, torch.bfloat16),
          f"kv_cache_bytes(2, 9, n_layers=3, n_heads={n_heads}, head_dim=4, n_kv_heads={n_kv_heads}, "
          f"dtype_bytes=2, kind='gqa') vs real bf16 K and V tensors of {n_kv_heads} kv heads",
          "GQA caches n_kv_heads heads, not n_heads; " + HINT_KV)


@pytest.mark.parametrize("n_heads", [1, 4, 7])
def test_mqa_cache_bytes_match_real_tensors(n_heads):
    got = kv_cache_bytes(3, 5, 2, n_heads, 8, dtype_bytes=4, kind="mqa")
    exact(got, real_kv_bytes(3, 5, 2, 1, 8, torch.float32),
          f"kv_cache_bytes(3, 5, n_layers=2, n_heads={n_heads}, head_dim=8, dtype_bytes=4, kind='mqa') vs real "
          f"float32 K and V tensors of one head", "MQA caches one key and one value head; " + HINT_KV)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float32], ids=str)
@pytest.mark.parametrize("rank,rope", [(8, 4), (16, 2), (5, 3)])
def test_mla_cache_bytes_match_real_tensors(rank, rope, dtype):
    got = kv_cache_bytes(2, 11, 3, 4, 16, dtype_bytes=DTYPE_BYTES[dtype], kind="mla", kv_lora_rank=rank,
                         qk_rope_head_dim=rope)
    exact(got, real_mla_bytes(2, 11, 3, rank, rope, dtype),
          f"kv_cache_bytes(2, 11, n_layers=3, n_heads=4, head_dim=16, dtype_bytes={DTYPE_BYTES[dtype]}, "
          f"kind='mla', kv_lora_rank={rank}, qk_rope_head_dim={rope}) vs real latent and rope-key tensors",
          HINT_MLA)


def test_defaults_are_mha_in_two_byte_elements():
    # Llama-2-7B: 32 layers, 32 heads of 128, a 4096-token context in bf16:
    # 2 (K and V) * 4096 * 32 * 32 * 128 * 2 bytes = 2 GiB
    got = kv_cache_bytes(1, 4096, 32, 32, 128)
    exact(got, 2 * 1024**3, "kv_cache_bytes(1, 4096, 32, 32, 128) (defaults: kind='mha', dtype_bytes=2; "
          "Llama-2-7B at 4096 tokens)", "defaults kind='mha' and dtype_bytes=2; " + HINT_KV)


def test_named_models():
    # Llama-3-8B: 32 layers, 8 kv heads of 128 (GQA), 8192 tokens, bf16: 2 * 8192 * 32 * 8 * 128 * 2 = 1 GiB
    got = kv_cache_bytes(1, 8192, 32, 32, 128, n_kv_heads=8, kind="gqa")
    exact(got, 1024**3, "kv_cache_bytes(1, 8192, 32, 32, 128, n_kv_heads=8, kind='gqa') (Llama-3-8B)", HINT_KV)
    # DeepSeek-V3: 61 layers, kv_lora_rank 512 + rope 64 per token and layer, bf16: 61 * 576 * 2 bytes per token
    got = kv_cache_bytes(1, 1, 61, 128, 128, kind="mla", kv_lora_rank=512, qk_rope_head_dim=64)
    exact(got, 70_272, "kv_cache_bytes(1, 1, 61, 128, 128, kind='mla', kv_lora_rank=512, qk_rope_head_dim=64) "
          "(DeepSeek-V3, one token)", HINT_MLA)


@given(batch=st.integers(1, 4), seq_len=st.integers(1, 64), n_layers=st.integers(1, 8), n_kv=st.integers(1, 8),
       group=st.integers(1, 8), head_dim=st.integers(1, 64), dtype_bytes=st.sampled_from([1, 2, 4]))
def test_cache_shrinks_by_hq_over_hkv(batch, seq_len, n_layers, n_kv, group, head_dim, dtype_bytes):
    n_heads = n_kv * group
    args = (batch, seq_len, n_layers, n_heads, head_dim)
    mha = kv_cache_bytes(*args, dtype_bytes=dtype_bytes, kind="mha")
    gqa = kv_cache_bytes(*args, n_kv_heads=n_kv, dtype_bytes=dtype_bytes, kind="gqa")
    mqa = kv_cache_bytes(*args, dtype_bytes=dtype_bytes, kind="mqa")
    expected = 2 * batch * seq_len * n_layers * n_heads * head_dim * dtype_bytes
    exact(mha, expected, f"kv_cache_bytes{args} kind='mha', dtype_bytes={dtype_bytes}", HINT_KV)
    exact(gqa * group, mha, f"kv_cache_bytes{args} kind='gqa', n_kv_heads={n_kv}, times Hq/Hkv = {group}, vs "
          f"kind='mha'", "GQA's cache is n_heads / n_kv_heads times smaller than MHA's; " + HINT_KV)
    exact(mqa * n_heads, mha, f"kv_cache_bytes{args} kind='mqa', times n_heads = {n_heads}, vs kind='mha'",
          "MQA's cache is n_heads times smaller than MHA's; " + HINT_KV)


# --------------------------------------------------------------------- intensity and rooflines

def test_arithmetic_intensity():
    close(arithmetic_intensity(10, 4), 2.5, "arithmetic_intensity(10, 4)", "flops / bytes")
    # a bf16 (n, n) @ (n, n) product: 2 n^3 FLOPs over 3 n^2 elements of 2 bytes: n / 3 FLOP/byte
    n = 4096
    close(arithmetic_intensity(2 * n**3, 3 * n * n * 2), n / 3, "arithmetic_intensity(2 * 4096**3, 3 * 4096**2 * 2)",
          "flops / bytes, a float")


def test_roofline_time_compute_bound():
    got = roofline_time(8e12, 1e9, 1e15, 1e12)  # 8 ms of compute, 1 ms of memory
    close(got, 8e-3, "roofline_time(8e12 FLOPs, 1e9 bytes, peak 1e15 FLOP/s, 1e12 bytes/s)",
          "compute and memory overlap: the time is the LARGER of flops / peak_flops and bytes / bandwidth "
          "(not their sum)")


def test_roofline_time_memory_bound():
    got = roofline_time(1e12, 5e9, 1e15, 1e12)  # 1 ms of compute, 5 ms of memory
    close(got, 5e-3, "roofline_time(1e12 FLOPs, 5e9 bytes, peak 1e15 FLOP/s, 1e12 bytes/s)",
          "compute and memory overlap: the time is the LARGER of flops / peak_flops and bytes / bandwidth "
          "(not their sum)")


@given(flops=st.floats(1.0, 1e18), nbytes=st.floats(1.0, 1e15), peak=st.floats(1e9, 1e16),
       bandwidth=st.floats(1e9, 1e14))
def test_roofline_time_property(flops, nbytes, peak, bandwidth):
    got = roofline_time(flops, nbytes, peak, bandwidth)
    close(got, max(flops / peak, nbytes / bandwidth), f"roofline_time({flops!r}, {nbytes!r}, {peak!r}, {bandwidth!r})",
          "max(flops / peak_flops, bytes / bandwidth)")


def test_prefill_is_compute_bound_and_decode_memory_bound_on_h100():
    d, T = 4096, 4096  # one (d, d) bf16 weight applied to a 4096-token prefill, then to one token
    prefill_flops = matmul_flops(T, d, d)
    prefill_bytes = 2 * (d * d + 2 * T * d)  # weight, input and output activations
    decode_flops = matmul_flops(1, d, d)
    decode_bytes = 2 * (d * d + 2 * d)
    ridge = H100.peak_flops / H100.bandwidth
    assert (H100.peak_flops, H100.bandwidth) == (989.5e12, 3.35e12), (
        f"H100 is given data (989.5e12 FLOP/s, 3.35e12 bytes/s); it reads {H100}: put it back")
    exact(prefill_flops, 2 * T * d * d, f"matmul_flops({T}, {d}, {d})", HINT_FLOP)
    intensity = arithmetic_intensity(prefill_flops, prefill_bytes)
    assert intensity > ridge, (
        f"a {T}-token prefill through a ({d}, {d}) bf16 weight: arithmetic_intensity = {intensity!r} FLOP/byte, "
        f"expected above the H100 ridge point {ridge:.1f} (compute-bound)")
    close(roofline_time(prefill_flops, prefill_bytes, H100.peak_flops, H100.bandwidth), prefill_flops / H100.peak_flops,
          "roofline_time of the prefill on H100 (compute-bound: flops / peak_flops)", "max(compute time, memory time)")
    intensity = arithmetic_intensity(decode_flops, decode_bytes)
    assert intensity < ridge, (
        f"one token through a ({d}, {d}) bf16 weight: arithmetic_intensity = {intensity!r} FLOP/byte, "
        f"expected below the H100 ridge point {ridge:.1f} (memory-bound)")
    close(roofline_time(decode_flops, decode_bytes, H100.peak_flops, H100.bandwidth), decode_bytes / H100.bandwidth,
          "roofline_time of the one-token step on H100 (memory-bound: bytes / bandwidth)",
          "max(compute time, memory time)")


# --------------------------------------------------------------------- decode_step_cost

class Decoder(nn.Module):
    """The stub's decoder, with a preallocated cache, to be measured (not trained)."""

    def __init__(self, c: ModelConfig, max_len: int, dtype=torch.float32):
        super().__init__()
        self.c = c
        q_dim, kv_dim = c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim
        self.embed = nn.Embedding(c.vocab, c.d_model)
        self.layers = nn.ModuleList(nn.ModuleDict(dict(
            q=nn.Linear(c.d_model, q_dim, bias=False), k=nn.Linear(c.d_model, kv_dim, bias=False),
            v=nn.Linear(c.d_model, kv_dim, bias=False), o=nn.Linear(q_dim, c.d_model, bias=False),
            up=nn.Linear(c.d_model, c.d_ff, bias=False), down=nn.Linear(c.d_ff, c.d_model, bias=False),
        )) for _ in range(c.n_layers))
        self.lm_head = nn.Linear(c.d_model, c.vocab, bias=False)
        self.to(dtype)
        shape = (1, c.n_kv_heads, max_len, c.head_dim)
        self.keys = [randn(*shape, seed=i).to(dtype) for i in range(c.n_layers)]
        self.values = [randn(*shape, seed=100 + i).to(dtype) for i in range(c.n_layers)]

    def matrices(self):
        """Every weight matrix a decode step reads (not the embedding)."""
        return [lin.weight for layer in self.layers for lin in layer.values()] + [self.lm_head.weight]

    @torch.no_grad()
    def step(self, token: int, pos: int):
        """Decode the token at position `pos`: it attends to pos + 1 keys per layer."""
        c = self.c
        G = c.n_heads // c.n_kv_heads
        x = self.embed(torch.tensor([[token]]))  # (1, 1, d_model)
        for layer, keys, values in zip(self.layers, self.keys, self.values):
            q = layer["q"](x).view(1, c.n_kv_heads, G, c.head_dim)
            keys[:, :, pos] = layer["k"](x).view(1, c.n_kv_heads, c.head_dim)
            values[:, :, pos] = layer["v"](x).view(1, c.n_kv_heads, c.head_dim)
            K, V = keys[:, :, :pos + 1], values[:, :, :pos + 1]
            w = torch.softmax(q @ K.transpose(-2, -1) / c.head_dim**0.5, dim=-1)  # (1, Hkv, G, context)
            x = x + layer["o"]((w @ V).reshape(1, 1, c.n_heads * c.head_dim))
            x = x + layer["down"](torch.relu(layer["up"](x)))
        return self.lm_head(x)


CONFIGS = {
    "mha": ModelConfig(d_model=16, n_layers=2, n_heads=4, n_kv_heads=4, head_dim=4, d_ff=40, vocab=37, dtype_bytes=4),
    "gqa": ModelConfig(d_model=20, n_layers=3, n_heads=6, n_kv_heads=2, head_dim=3, d_ff=31, vocab=11, dtype_bytes=4),
    "mqa": ModelConfig(d_model=12, n_layers=1, n_heads=5, n_kv_heads=1, head_dim=7, d_ff=24, vocab=50, dtype_bytes=4),
}
HINT_DECODE = ("per layer: x @ W_q, x @ W_k, x @ W_v, out @ W_o, x @ W_up, h @ W_down for ONE token, plus "
               "for each of the n_heads query heads q_h @ K^T and weights @ V over `context` keys "
               "(head_dim multiply-adds per key each); then x @ W_lm; 2 FLOPs per multiply-add. Use "
               "n_heads * head_dim for the attention width (it need not equal d_model) and n_kv_heads * "
               "head_dim for k and v")
HINT_DECODE_BYTES = ("bytes = every weight matrix read once (W_q, W_k, W_v, W_o, W_up, W_down per layer and "
                     "W_lm, not the embedding) + the K AND V cache of `context` positions and n_kv_heads heads "
                     "in every layer, times dtype_bytes")


@pytest.mark.parametrize("context", [1, 7, 16])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_decode_flops_match_flop_counter(name, context):
    c = CONFIGS[name]
    got, _ = decode_step_cost(c, context)
    model = Decoder(c, max_len=16)
    exact(got, count_flops(model.step, 3, context - 1),
          f"decode_step_cost({c}, context={context})[0] vs FlopCounterMode on that decoder's step", HINT_DECODE)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16], ids=str)
@pytest.mark.parametrize("context", [1, 9])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_decode_bytes_match_real_tensors(name, context, dtype):
    c = dataclasses.replace(CONFIGS[name], dtype_bytes=DTYPE_BYTES[dtype])
    _, got = decode_step_cost(c, context)
    model = Decoder(c, max_len=16, dtype=dtype)
    weights = sum(w.nbytes for w in model.matrices())
    cache = sum(t[:, :, :context].numel() * t.element_size() for t in model.keys + model.values)
    exact(got, weights + cache, f"decode_step_cost({c}, context={context})[1] vs the decoder's weight matrices "
          f"({weights:,} bytes) + its K and V cache over {context} positions ({cache:,} bytes)", HINT_DECODE_BYTES)


def test_decode_flops_grow_linearly_with_context():
    c = CONFIGS["gqa"]
    costs = {T: decode_step_cost(c, T)[0] for T in (100, 200, 400)}
    per_token = 2 * 2 * c.n_layers * c.n_heads * c.head_dim  # scores and values, 2 FLOPs per multiply-add
    exact(costs[200] - costs[100], per_token * 100,
          f"decode_step_cost({c}, 200)[0] - decode_step_cost(..., 100)[0] (the attention over 100 more keys)",
          "each extra key costs 2 * head_dim FLOPs for its score and 2 * head_dim for its value, per query "
          "head and layer: the step's FLOPs grow linearly with the context")
    exact(costs[400] - costs[200], 2 * (costs[200] - costs[100]),
          f"decode_step_cost({c}, ...)[0]: growth from 200 to 400 keys vs from 100 to 200",
          "a cached decode step is linear in the context, not quadratic")


def test_decode_is_memory_bound_on_h100():
    # an 8B-class model (32 layers, d_model 4096, 32 query heads and 8 kv heads of 128, d_ff 14336,
    # a 128256-token vocabulary) in bf16, decoding at a 4096-token context
    c = ModelConfig(d_model=4096, n_layers=32, n_heads=32, n_kv_heads=8, head_dim=128, d_ff=14336, vocab=128256)
    flops, nbytes = decode_step_cost(c, 4096)
    weights = 32 * (4096 * 4096 * 2 + 4096 * 1024 * 2 + 4096 * 14336 * 2) + 4096 * 128256
    expected_bytes = 2 * weights + 2 * 4096 * 32 * 8 * 128 * 2
    expected_flops = 2 * weights + 32 * 32 * 2 * 2 * 128 * 4096
    exact(flops, expected_flops, f"decode_step_cost(8B-class config, context=4096)[0]", HINT_DECODE)
    exact(nbytes, expected_bytes, f"decode_step_cost(8B-class config, context=4096)[1]", HINT_DECODE_BYTES)
    ridge = H100.peak_flops / H100.bandwidth
    intensity = arithmetic_intensity(flops, nbytes)
    assert intensity < ridge, (
        f"batch-1 decode of an 8B-class model: arithmetic_intensity = {intensity!r} FLOP/byte, expected below "
        f"the H100 ridge point {ridge:.1f} (memory-bound: about 1 FLOP per byte)")
    close(roofline_time(flops, nbytes, H100.peak_flops, H100.bandwidth), nbytes / H100.bandwidth,
          "roofline_time of that decode step on H100 (memory-bound: bytes / bandwidth, about 4.7 ms)",
          "max(compute time, memory time)")


# --------------------------------------------------------------------- types, ignored and missing arguments

def test_counts_are_exact_ints():
    assert_exact_type(matmul_flops(3, 5, 7), int, "matmul_flops(3, 5, 7)")
    for kind, extra in [("mha", {}), ("gqa", dict(n_kv_heads=2)), ("mqa", {}),
                        ("mla", dict(kv_lora_rank=8, qk_rope_head_dim=4))]:
        shown = ", ".join(f"{k}={v}" for k, v in extra.items())
        assert_exact_type(kv_cache_bytes(2, 9, 3, 4, 8, kind=kind, **extra), int,
                          f"kv_cache_bytes(2, 9, 3, 4, 8, kind={kind!r}{', ' + shown if shown else ''})")
    c = CONFIGS["gqa"]
    result = decode_step_cost(c, 7)
    if type(result) is not tuple or len(result) != 2:
        raise SpecFailure(f"decode_step_cost({c}, 7) returned {result!r}; the contract says a tuple "
                          f"(flops, bytes)\n  hint: return flops, nbytes")
    assert_exact_type(result[0], int, f"decode_step_cost({c}, 7)[0] (flops)")
    assert_exact_type(result[1], int, f"decode_step_cost({c}, 7)[1] (bytes)")
    # a config with odd sizes whose counts pass 2**53, against the stub's formula written out here
    c = ModelConfig(d_model=1_000_003, n_layers=61, n_heads=99, n_kv_heads=11, head_dim=193, d_ff=10_000_019,
                    vocab=129_281, dtype_bytes=1)
    ctx = 10_000_000_019  # the attention FLOPs pass 2**53
    q, kv = c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim
    weights = c.n_layers * (c.d_model * (q + 2 * kv) + q * c.d_model + 2 * c.d_model * c.d_ff) + c.d_model * c.vocab
    flops = 2 * weights + c.n_layers * c.n_heads * 4 * ctx * c.head_dim
    nbytes = weights + c.n_layers * 2 * ctx * kv
    got = decode_step_cost(c, ctx)
    for i, (name, expected, hint) in enumerate([("flops", flops, HINT_DECODE), ("bytes", nbytes, HINT_DECODE_BYTES)]):
        exact(got[i], expected, f"decode_step_cost({c}, {ctx})[{i}] ({name}, above 2**53)",
              "compute with ints only: a float anywhere (a ratio n_kv_heads / n_heads, a 2.0) rounds counts above "
              "2**53, and int() of the rounded float keeps the error; " + hint)


def test_cache_bytes_exact_beyond_2_53():
    """Odd factors whose product passes 2**53 for EVERY kind (mqa's and mla's smaller caches
    included): a float anywhere on the way rounds the count."""
    batch, seq_len, n_layers, n_heads, head_dim, n_kv = 999_983, 1_000_003, 61, 99, 193, 11
    args = (batch, seq_len, n_layers, n_heads, head_dim)
    per = batch * seq_len * n_layers
    cases = [("mha", {}, 2 * per * n_heads * head_dim), ("gqa", dict(n_kv_heads=n_kv), 2 * per * n_kv * head_dim),
             ("mqa", {}, 2 * per * head_dim), ("mla", dict(kv_lora_rank=511, qk_rope_head_dim=63), per * 574)]
    for kind, extra, expected in cases:
        got = kv_cache_bytes(*args, dtype_bytes=1, kind=kind, **extra)
        exact(got, expected, f"kv_cache_bytes{args}, dtype_bytes=1, kind={kind!r}, {extra} (about "
              f"{expected:.2e} bytes, more than 2**53)",
              "compute with ints only: a division (n_kv_heads / n_heads) or a float factor turns the count "
              "into a float, which cannot hold every integer above 2**53; " + HINT_KV)
        assert_exact_type(got, int, f"kv_cache_bytes{args}, dtype_bytes=1, kind={kind!r}")


def test_mha_and_mqa_ignore_n_kv_heads():
    got = kv_cache_bytes(2, 9, 3, 6, 4, n_kv_heads=2, kind="mha")
    exact(got, real_kv_bytes(2, 9, 3, 6, 4, torch.bfloat16),
          "kv_cache_bytes(2, 9, n_layers=3, n_heads=6, head_dim=4, n_kv_heads=2, kind='mha')",
          "kind='mha' caches all n_heads heads: n_kv_heads is ignored there, even when given")
    got = kv_cache_bytes(2, 9, 3, 6, 4, n_kv_heads=2, kind="mqa")
    exact(got, real_kv_bytes(2, 9, 3, 1, 4, torch.bfloat16),
          "kv_cache_bytes(2, 9, n_layers=3, n_heads=6, head_dim=4, n_kv_heads=2, kind='mqa')",
          "kind='mqa' caches ONE key and one value head: n_kv_heads is ignored there, even when given")
    # ignored means not checked either: an n_kv_heads that does not divide n_heads changes nothing
    for kind, heads in [("mha", 6), ("mqa", 1)]:
        try:
            got = kv_cache_bytes(2, 9, 3, 6, 4, n_kv_heads=4, kind=kind)
        except ValueError as err:
            raise SpecFailure(f"kv_cache_bytes(2, 9, n_layers=3, n_heads=6, head_dim=4, n_kv_heads=4, kind={kind!r}) "
                              f"raised ValueError({err}); the contract says n_kv_heads is ignored for {kind!r}\n"
                              f"  hint: validate n_kv_heads only where it is used (kind='gqa')") from None
        exact(got, real_kv_bytes(2, 9, 3, heads, 4, torch.bfloat16),
              f"kv_cache_bytes(2, 9, n_layers=3, n_heads=6, head_dim=4, n_kv_heads=4, kind={kind!r})",
              f"kind={kind!r}: n_kv_heads is ignored there, even when given")


@pytest.mark.parametrize("kind", ["MHA", "gqa ", "mla2", "latent"])
def test_unknown_kind_raises(kind):
    assert_raises(ValueError, kv_cache_bytes, 1, 8, 2, 4, 8, n_kv_heads=2, kind=kind, kv_lora_rank=4,
                  qk_rope_head_dim=2, contract="ValueError naming the problem for an unknown kind (never "
                  "silently fall back to another kind)", mentions=(kind,),
                  what=f"kv_cache_bytes(1, 8, 2, 4, 8, n_kv_heads=2, kind={kind!r}, ...)",
                  hint="check kind against 'mha', 'gqa', 'mqa', 'mla' first and raise ValueError(f\"unknown "
                       "kind {kind!r}\"); an else branch that computes MHA hides a typo")


@pytest.mark.parametrize("kind,extra,missing", [
    ("gqa", {}, "n_kv_heads"), ("mla", dict(qk_rope_head_dim=64), "kv_lora_rank"),
    ("mla", dict(kv_lora_rank=512), "qk_rope_head_dim")])
def test_missing_arguments_raise(kind, extra, missing):
    shown = "".join(f", {k}={v}" for k, v in extra.items())
    assert_raises(ValueError, kv_cache_bytes, 1, 8, 2, 4, 8, kind=kind, **extra,
                  contract=f"ValueError for kind={kind!r} without {missing}", mentions=(missing,),
                  what=f"kv_cache_bytes(1, 8, 2, 4, 8, kind={kind!r}{shown})",
                  hint=f"kind={kind!r} needs {missing}: raise ValueError naming it instead of defaulting "
                       f"(n_kv_heads = n_heads would silently compute MHA)")


def test_mla_without_a_rope_key_is_a_given_zero():
    """qk_rope_head_dim=0 (a latent cache with no decoupled rope key) is given, not missing:
    `if not qk_rope_head_dim` reads an explicit 0 as None."""
    try:
        got = kv_cache_bytes(2, 11, 3, 4, 16, kind="mla", kv_lora_rank=8, qk_rope_head_dim=0)
    except ValueError as err:
        raise SpecFailure(f"kv_cache_bytes(2, 11, n_layers=3, n_heads=4, head_dim=16, kind='mla', kv_lora_rank=8, "
                          f"qk_rope_head_dim=0) raised ValueError({err}); 0 is a given value (no rope key), only "
                          f"None is missing\n  hint: test `qk_rope_head_dim is None`, not `not qk_rope_head_dim`: "
                          f"an explicit 0 is falsy") from None
    exact(got, real_mla_bytes(2, 11, 3, 8, 0, torch.bfloat16),
          "kv_cache_bytes(2, 11, n_layers=3, n_heads=4, head_dim=16, kind='mla', kv_lora_rank=8, qk_rope_head_dim=0) "
          "vs real latent tensors (no rope key)", HINT_MLA)


def test_mla_zero_rank_is_a_given_zero():
    """The same rule for kv_lora_rank: only None is missing, so kv_lora_rank=0 is sized (the
    rope key alone) however odd; `not kv_lora_rank or qk_rope_head_dim is None` refuses it."""
    try:
        got = kv_cache_bytes(2, 11, 3, 4, 16, kind="mla", kv_lora_rank=0, qk_rope_head_dim=8)
    except ValueError as err:
        raise SpecFailure(f"kv_cache_bytes(2, 11, n_layers=3, n_heads=4, head_dim=16, kind='mla', kv_lora_rank=0, "
                          f"qk_rope_head_dim=8) raised ValueError({err}); 'without' means None, and 0 is a given "
                          f"value\n  hint: test `kv_lora_rank is None`, not `not kv_lora_rank`") from None
    exact(got, real_mla_bytes(2, 11, 3, 0, 8, torch.bfloat16),
          "kv_cache_bytes(2, 11, n_layers=3, n_heads=4, head_dim=16, kind='mla', kv_lora_rank=0, qk_rope_head_dim=8) "
          "vs real tensors (the rope key alone)", HINT_MLA)


@pytest.mark.parametrize("kind,extra", [("mha", {}), ("gqa", dict(n_kv_heads=2)), ("mqa", {}),
                                        ("mla", dict(kv_lora_rank=8, qk_rope_head_dim=4))])
def test_explicit_zero_dtype_bytes_gives_zero(kind, extra):
    shown = "".join(f", {k}={v}" for k, v in extra.items())
    exact(kv_cache_bytes(2, 9, 3, 4, 8, dtype_bytes=0, kind=kind, **extra), 0,
          f"kv_cache_bytes(2, 9, 3, 4, 8, dtype_bytes=0, kind={kind!r}{shown})",
          "an explicit dtype_bytes=0 is a value (zero bytes per element), not 'not given': no `dtype_bytes or 2`; "
          "only an omitted dtype_bytes takes the default 2")


def test_intensity_and_time_are_floats():
    got = arithmetic_intensity(8, 4)
    close(got, 2.0, "arithmetic_intensity(8, 4)", "flops / bytes")
    assert_exact_type(got, float, "arithmetic_intensity(8, 4)")
    got = roofline_time(8, 4, 2, 2)
    close(got, 4.0, "roofline_time(8, 4, 2, 2)", "max(flops / peak_flops, bytes / bandwidth)")
    assert_exact_type(got, float, "roofline_time(8, 4, 2, 2)")
