"""Specs for katas/mla/attention.py (day 28): MLACache and MultiHeadLatentAttention.

References: golden fixtures from Hugging Face transformers' DeepseekV3Attention on the same
weights (scripts/make_mla_fixtures.py: query compression on and off, tokens at positions
0.., 3.. and 6..), and an independent float64 naive MLA written from the equations
(specs/mla/_reference.py). Sizes all differ (hidden 48, 4 heads, query latent 40, KV latent 24,
nope 12, rope 8, value 10). Tolerances: float64 rtol = atol = 1e-5 (the fixture is accurate to
~1e-7: HF normalises in float32); float32 rtol = atol = 1e-4. Decode FLOPs are counted with
harness.budgets.count_flops (deterministic). A forward without a cache only sees position
differences (RoPE), so positions are really tested by decoding through the cache (prefill 7 +
5 steps, chunked prefill) and by the cached rope keys. CUDA budgets (skipped without a GPU) compare the
latent cache's bytes and the absorbed decode step's time with the naive path, as ratios.

Contract-to-spec map:
- state_dict = HF's (o_proj added, no bias), every weight an nn.Parameter (no buffers):
  state_dict_is_hugging_faces
- scores, scale 1/sqrt(nope + rope), causal, heads concatenated, o_proj: matches_hugging_face_*,
  matches_the_formula, default_arguments_*; large scores (also prefill + decode through a cache;
  torch's default dtype set to float64 there, a float32 module stays float32): large_scores_do_not_overflow
- "every step computed in that dtype" (float64 to 1e-10, also through a cache and single-token
  decode steps): float64_is_computed_in_float64
- parameters read at every call (W_UK / W_UV not kept from __init__ or a first call: .double(),
  load_state_dict afterwards): weights_are_read_at_every_call
- absorbed == naive (float64 rounding): absorbed_equals_naive*, fewer FLOPs (single tokens and
  2-token chunks: the absorbed path for any T): absorbed_decode_*; without a cache too:
  absorbed_forward_without_a_cache_never_expands_the_latents
- MLACache: zeros, dtype (default float32, also under a float64 default dtype), device (None: the
  default device): fresh_cache_*;
  only c_kv and k_rope, size independent of heads: cache_holds_*; update returns prefixes, rows :B only:
  cache_update_returns_the_prefix_* (a tuple; also after a rewind to an earlier start_pos),
  cache_update_with_a_smaller_batch_*; ValueError for
  start_pos + T > max_len and B > batch_size, the cache left as it was:
  cache_update_returns_the_prefix_and_rejects_overflow
- decoding through the cache (prefill 7 + 5, chunks, B < batch_size): prefill_7_*, chunked_* (then the used
  cache reused for a new sequence at an explicit start_pos=0),
  decode_with_a_cache_made_for_a_bigger_batch; "attend to every cached position 0 .. start_pos +
  T - 1" (not max_len): decode_cost_grows_with_the_context_not_with_max_len
- device of x for positions/masks (also after a CPU call, then .to("meta")): forward_on_the_meta_device; gradients, non-contiguous x
"""

import math

import pytest
import torch
from hypothesis import given, strategies as st

from harness.budgets import count_flops, gpu, time_ratio
from harness.checks import (SpecFailure, assert_close, assert_parameters_like, assert_raises, non_contiguous,
                            randn, unchanged)
from harness.edges import default_dtype
from katas.mla.attention import MLACache, MultiHeadLatentAttention
from katas.mla.components import MLAConfig
from specs.mla._reference import (SMALL, dims, expected_shapes, load_fixture, near, random_state_dict,
                                  ref_attention, ref_parts, ref_rope_half)

SEEDS = st.integers(0, 2**31 - 1)
FIXTURE = load_fixture()
TOL = {torch.float64: dict(rtol=1e-5, atol=1e-5), torch.float32: dict(rtol=1e-4, atol=1e-4)}
CONFIGS = [dict(SMALL), dict(SMALL, q_lora_rank=0), dict(SMALL, q_lora_rank=None)]
CONFIG_IDS = ["q_lora_rank=40", "q_lora_rank=0", "q_lora_rank=None"]

HINT_STALE = ("read kv_b_proj.weight (and every parameter) at every call: W_UK / W_UV kept on the module "
              "from __init__ or an earlier call still hold the old dtype (.double() replaces the storage) "
              "or the old values (load_state_dict)")
HINT_ATTN = ("per head: scores = (q_nope . k_nope + q_rope . k_rope) / sqrt(nope + rope), causal "
             "(position m sees n <= m), softmax over the keys, @ v; heads concatenated head after "
             "head ((B, T, H * v_head_dim)), then o_proj")
HINT_SCALE = ("softmax_scale is 1 / sqrt(qk_nope_head_dim + qk_rope_head_dim): the query/key width "
              "is nope + rope (DeepSeek: qk_head_dim ** -0.5), not the nope part alone")
HINT_POS = ("x's tokens sit at positions start_pos .. start_pos + T - 1: rotate q_rope and k_rope "
            "with torch.arange(start_pos, start_pos + T), not from 0")
HINT_ABSORB = ("absorbed path: W = kv_b_proj.weight.view(H, nope + v, r); W_UK = W[:, :nope] "
               "(H, nope, r), W_UV = W[:, nope:] (H, v, r); q_latent = q_nope @ W_UK[h] (T, r); "
               "scores = q_latent @ c_kv^T + q_rope @ k_rope^T; out = (probs @ c_kv) @ W_UV[h]^T. "
               "A reshape is not a transpose: use .transpose / .mT or an einsum")
HINT_CACHE = ("MLACache holds only c_kv (B, max_len, kv_lora_rank), the NORMALISED latent "
              "(kv_a_layernorm applied), and k_rope (B, max_len, qk_rope_head_dim), the ROTATED "
              "rope key; keys and values are recomputed from them at every step (naive) or never "
              "materialised (absorbed)")
HINT_DECODE = ("with a cache, store the new tokens at start_pos.. (cache.update), attend to every "
               "cached position 0 .. start_pos + T - 1 with the causal rule key <= query position, "
               "and rotate the new tokens at positions start_pos + t (not from 0)")
KEYS_HINT = ("subclass MLAProjections (q_a_proj, q_a_layernorm, q_b_proj or q_proj, "
             "kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj) and add o_proj = "
             "nn.Linear(H * v_head_dim, hidden_size, bias=False)")


# ------------------------------------------------------------------------ helpers

def cfg_name(cfg) -> str:
    return f"q_lora_rank={cfg['q_lora_rank']}"


def build(cfg, sd, dtype=torch.float64):
    # converted BEFORE loading: float64 weights loaded into float32 parameters would be rounded
    module = MultiHeadLatentAttention(MLAConfig(**cfg)).to(dtype)
    try:
        module.load_state_dict({k: v.to(dtype) for k, v in sd.items()})
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        raise SpecFailure(f"MultiHeadLatentAttention({cfg_name(cfg)}).load_state_dict(DeepSeek-named "
                          f"weights) failed: {str(err).splitlines()[0][:400]}\n  hint: {KEYS_HINT}") from None
    return module.to(dtype)


def run(module, x, what, **kwargs):
    """module(x, **kwargs), turning a shape error into a message about the likely cause."""
    try:
        return module(x, **kwargs)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        hint = HINT_ABSORB if kwargs.get("absorb") else HINT_ATTN
        raise SpecFailure(f"{what} raised RuntimeError: {str(err).splitlines()[0][:300]}\n"
                          f"  hint: {hint}") from None


def diagnose(out, sd, cfg, x, start_pos, absorb=False):
    """The hint for the mistake a wrong output looks like."""
    sd, x = {k: v.double() for k, v in sd.items()}, x.double()
    H, nope, rdim, vd, r = dims(cfg)
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        return f"return (B, T, hidden_size) = {tuple(x.shape)}; " + HINT_ATTN
    if near(out, ref_attention(sd, cfg, x, start_pos, scale=1 / math.sqrt(nope))):
        return HINT_SCALE
    if start_pos > 0 and near(out, ref_attention(sd, cfg, x, positions=torch.arange(x.shape[1]))):
        return HINT_POS
    if near(out, ref_attention(sd, cfg, x, start_pos, rope=ref_rope_half)):
        return "RoPE on rotate-half pairs: DeepSeek rotates interleaved pairs (2i, 2i+1) (rope_interleaved)"
    if x.shape[1] > 1 and near(out, ref_attention(sd, cfg, x, start_pos, causal=False)):
        return "no causal mask: position m must not see the keys of later positions n > m"
    return HINT_ABSORB if absorb else HINT_ATTN


def check_output(module, sd, cfg, x, start_pos, absorb, dtype, what, expected=None):
    out = run(module, x, what, start_pos=start_pos, absorb=absorb)
    if expected is None:
        expected = ref_attention({k: v.double() for k, v in sd.items()}, cfg, x.double(), start_pos)
    assert_close(out, expected.to(dtype), **TOL[dtype], what=what,
                 hint=diagnose(out, sd, cfg, x, start_pos, absorb))


def cache_tensors(cache) -> list[torch.Tensor]:
    """Every tensor the cache object holds (attributes, and lists/tuples/dicts of them)."""
    found = []

    def walk(value, depth):
        if isinstance(value, torch.Tensor):
            found.append(value)
        elif depth > 3:
            return
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)

    walk(vars(cache), 0)
    return found


def cache_bytes(cache) -> int:
    storages = {}
    for t in cache_tensors(cache):
        storages[t.untyped_storage().data_ptr()] = t.untyped_storage().nbytes()
    return sum(storages.values())


def require_cache_fields(cache, what):
    missing = [name for name in ("c_kv", "k_rope") if not isinstance(getattr(cache, name, None), torch.Tensor)]
    if missing:
        raise SpecFailure(f"{what} has no tensor attribute(s) {missing}\n  hint: {HINT_CACHE}")


# ------------------------------------------------------------------------ the module

@pytest.mark.parametrize("cfg", CONFIGS, ids=CONFIG_IDS)
def test_state_dict_is_hugging_faces(cfg):
    module = MultiHeadLatentAttention(MLAConfig(**cfg))
    got = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    want = expected_shapes(cfg, with_o_proj=True)
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    if missing or extra:
        raise SpecFailure(f"MultiHeadLatentAttention({cfg_name(cfg)}).state_dict(): missing keys {missing}, "
                          f"unexpected keys {extra}\n  hint: {KEYS_HINT}")
    for key, shape in want.items():
        assert_close(got[key], shape, what=f"MultiHeadLatentAttention({cfg_name(cfg)}): {key} shape",
                     hint=KEYS_HINT)
    assert_parameters_like(module, want, what=f"MultiHeadLatentAttention({cfg_name(cfg)})",
                           like="DeepSeek's attention", hint="every weight is an nn.Parameter (RMSNorm's "
                           "scale too, not a buffer), so an optimizer trains it")


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("name", ["q_lora", "no_q_lora"])
def test_matches_hugging_face_deepseek_v3(name, dtype, absorb):
    cfg, sd = FIXTURE["configs"][name], FIXTURE["state_dicts"][name]
    module = build(cfg, sd, dtype)
    for case in FIXTURE["cases"][name]:
        x, start = case["x"].to(dtype), case["start_pos"]
        check_output(module, sd, cfg, x, start, absorb, dtype, expected=case["out"],
                     what=f"MultiHeadLatentAttention({cfg_name(cfg)}, {dtype})(x {tuple(x.shape)}, "
                          f"start_pos={start}, absorb={absorb}) vs HF DeepseekV3Attention")


@given(B=st.integers(1, 3), T=st.integers(1, 7), start=st.integers(0, 25), which=st.sampled_from([0, 1, 2]),
       absorb=st.booleans(), seed=SEEDS)
def test_matches_the_formula(B, T, start, which, absorb, seed):
    cfg = CONFIGS[which]
    sd = random_state_dict(cfg, seed, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(B, T, 48, seed=seed + 1, dtype=torch.float64)
    check_output(module, sd, cfg, x, start, absorb, torch.float64,
                 what=f"MultiHeadLatentAttention({cfg_name(cfg)})(x {tuple(x.shape)}, start_pos={start}, "
                      f"absorb={absorb})")


def test_default_arguments_are_a_plain_causal_forward():
    cfg = CONFIGS[0]
    sd = random_state_dict(cfg, 3, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(2, 6, 48, seed=4, dtype=torch.float64)
    out = module(x)
    assert_close(out, ref_attention(sd, cfg, x, 0), **TOL[torch.float64],
                 what="MultiHeadLatentAttention(config)(x): cache=None, start_pos=0, absorb=False",
                 hint=diagnose(out, sd, cfg, x, 0))


@given(B=st.integers(1, 3), T=st.integers(1, 6), start=st.integers(0, 20), which=st.sampled_from([0, 2]),
       seed=SEEDS)
def test_absorbed_equals_naive(B, T, start, which, seed):
    cfg = CONFIGS[which]
    module = build(cfg, random_state_dict(cfg, seed, with_o_proj=True))
    x = randn(B, T, 48, seed=seed + 2, dtype=torch.float64)
    naive = run(module, x, "forward(x, absorb=False)", start_pos=start, absorb=False)
    absorbed = run(module, x, "forward(x, absorb=True)", start_pos=start, absorb=True)
    assert_close(absorbed, naive, **TOL[torch.float64],
                 what=f"forward(x {tuple(x.shape)}, start_pos={start}, absorb=True) vs absorb=False",
                 hint=HINT_ABSORB)


# ------------------------------------------------------------------------ decoding with the cache

@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
@pytest.mark.parametrize("cfg", [CONFIGS[0], CONFIGS[1]], ids=CONFIG_IDS[:2])
def test_prefill_7_then_5_decode_steps_equal_a_full_forward_of_12(cfg, absorb):
    sd = random_state_dict(cfg, 5, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(2, 12, 48, seed=6, dtype=torch.float64)
    cache = MLACache(MLAConfig(**cfg), 2, 16, dtype=torch.float64)
    with torch.no_grad():
        steps = [run(module, x[:, :7], "prefill forward(x[:, :7], cache, start_pos=0)", cache=cache,
                     start_pos=0, absorb=absorb)]
        for t in range(7, 12):
            steps.append(run(module, x[:, t:t + 1], f"decode forward(x[:, {t}:{t + 1}], cache, start_pos={t})",
                             cache=cache, start_pos=t, absorb=absorb))
    full = ref_attention(sd, cfg, x, 0)
    assert_close(steps[0], full[:, :7], **TOL[torch.float64],
                 what=f"prefill of 7 with a cache (absorb={absorb}) vs a full forward's first 7",
                 hint=diagnose(steps[0], sd, cfg, x[:, :7], 0, absorb))
    for t, out in zip(range(7, 12), steps[1:]):
        assert_close(out, full[:, t:t + 1], **TOL[torch.float64],
                     what=f"decode step at start_pos={t} (absorb={absorb}) vs the full forward's position {t}",
                     hint=HINT_DECODE)


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_chunked_prefill_equals_a_full_forward(absorb):
    cfg = CONFIGS[2]
    sd = random_state_dict(cfg, 7, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(3, 11, 48, seed=8, dtype=torch.float64)
    cache = MLACache(MLAConfig(**cfg), 3, 13, dtype=torch.float64)
    outs, start = [], 0
    with torch.no_grad():
        for size in (4, 3, 1, 3):  # chunks of several tokens at start_pos > 0 need the causal rule too
            outs.append(run(module, x[:, start:start + size], f"forward(chunk at start_pos={start})",
                            cache=cache, start_pos=start, absorb=absorb))
            start += size
    full = ref_attention(sd, cfg, x, 0)
    assert_close(torch.cat(outs, dim=1), full, **TOL[torch.float64],
                 what=f"chunks of 4, 3, 1, 3 tokens through the cache (absorb={absorb}) vs one forward of 11",
                 hint=HINT_DECODE + "; inside a chunk, token start_pos + t sees cached positions "
                                    "<= start_pos + t only")
    # the same cache reused for a new sequence: start_pos=0 (explicit) means position 0 again
    y = randn(3, 5, 48, seed=9, dtype=torch.float64)
    what = (f"a new sequence of 5 through the cache (max_len 13) used for 11 tokens, start_pos=0 (absorb={absorb}) "
            "vs one forward of it")
    hint = ("start_pos is the caller's word: start_pos=0 stores the tokens at positions 0.. and attends to "
            "positions 0 .. T - 1 only, whatever the cache held before; keep no position counter of your "
            "own (on the cache or the module) that an explicit 0 would fall back to")
    with torch.no_grad():
        try:
            out = run(module, y, "forward(a new sequence y, the used cache, start_pos=0)", cache=cache, start_pos=0,
                      absorb=absorb)
        except ValueError as err:
            raise SpecFailure(f"{what} raised ValueError: {str(err)[:300]}\n  hint: {hint}") from None
    assert_close(out, ref_attention(sd, cfg, y, 0), **TOL[torch.float64], what=what, hint=hint)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("cfg", [CONFIGS[0], CONFIGS[2]], ids=[CONFIG_IDS[0], CONFIG_IDS[2]])
def test_cache_holds_the_normalised_latent_and_the_rotated_rope_key(cfg, dtype):
    sd = random_state_dict(cfg, 9, with_o_proj=True)
    module = build(cfg, sd, dtype)
    cache = MLACache(MLAConfig(**cfg), 2, 10, dtype=dtype)
    x = randn(2, 6, 48, seed=10, dtype=dtype)
    with torch.no_grad():
        run(module, x[:, :4], "forward(x[:, :4], cache, start_pos=0)", cache=cache, start_pos=0)
        run(module, x[:, 4:], "forward(x[:, 4:], cache, start_pos=4)", cache=cache, start_pos=4, absorb=True)
    require_cache_fields(cache, "MLACache")
    H, nope, rdim, vd, r = dims(cfg)
    assert_close(tuple(cache.c_kv.shape), (2, 10, r), what="MLACache(config, 2, 10).c_kv.shape", hint=HINT_CACHE)
    assert_close(tuple(cache.k_rope.shape), (2, 10, rdim), what="MLACache(config, 2, 10).k_rope.shape",
                 hint=HINT_CACHE)
    assert cache.c_kv.dtype == dtype and cache.k_rope.dtype == dtype, (
        f"MLACache(..., dtype={dtype}) holds {cache.c_kv.dtype} and {cache.k_rope.dtype}")
    ref = ref_parts({k: v.double() for k, v in sd.items()}, cfg, x.double(), torch.arange(6))
    raw = torch.nn.functional.linear(x.double(), sd["kv_a_proj_with_mqa.weight"].double())
    hint = HINT_CACHE
    if near(cache.c_kv[:, :6], raw[..., :r]):
        hint = "the cached latent is not normalised: store kv_a_layernorm(latent), what latent() returns"
    assert_close(cache.c_kv[:, :6], ref["c_kv"].to(dtype), **TOL[dtype],
                 what="cache.c_kv[:, :6] after forwards of 4 and 2 tokens", hint=hint)
    hint = HINT_CACHE
    if near(cache.k_rope[:, :6], raw[..., r:]):
        hint = "the cached rope key is not rotated: store RoPE(k_rope) at its position, what latent() returns"
    assert_close(cache.k_rope[:, :6], ref["k_rope"].to(dtype), **TOL[dtype],
                 what="cache.k_rope[:, :6] after forwards of 4 and 2 tokens", hint=hint)


@pytest.mark.parametrize("heads", [4, 8])
def test_cache_holds_nothing_else_and_does_not_grow_with_heads(heads):
    cfg = dict(SMALL, num_attention_heads=heads)
    config = MLAConfig(**cfg)
    cache = MLACache(config, 3, 20)
    expected = 3 * 20 * (cfg["kv_lora_rank"] + cfg["qk_rope_head_dim"]) * 4
    module = MultiHeadLatentAttention(config)
    with torch.no_grad():
        run(module, randn(3, 5, 48, seed=11), "forward(x, cache, start_pos=0)", cache=cache, start_pos=0)
        run(module, randn(3, 1, 48, seed=12), "forward(x, cache, start_pos=5)", cache=cache, start_pos=5,
            absorb=True)
    require_cache_fields(cache, f"MLACache(config with {heads} heads, 3, 20)")
    got = cache_bytes(cache)
    assert got == expected, (
        f"MLACache(config with {heads} heads, batch 3, max_len 20) holds {got} bytes of tensors "
        f"({[tuple(t.shape) for t in cache_tensors(cache)]}); expected {expected} = 3 * 20 * "
        f"(kv_lora_rank {cfg['kv_lora_rank']} + qk_rope_head_dim {cfg['qk_rope_head_dim']}) * 4 bytes, "
        f"the same for any number of heads\n  hint: {HINT_CACHE}")


def test_cache_update_returns_the_prefix_and_rejects_overflow():
    config = MLAConfig(**SMALL)
    cache = MLACache(config, 2, 6, dtype=torch.float64)
    c1, k1 = randn(2, 4, 24, seed=13, dtype=torch.float64), randn(2, 4, 8, seed=14, dtype=torch.float64)
    c2, k2 = randn(2, 1, 24, seed=15, dtype=torch.float64), randn(2, 1, 8, seed=16, dtype=torch.float64)
    with unchanged(c1, k1, names=["c_kv", "k_rope"]):
        cache.update(c1, k1, 0)
    out = cache.update(c2, k2, 4)
    assert isinstance(out, tuple) and len(out) == 2, (
        f"MLACache.update(c_kv, k_rope, 4) returned {type(out).__name__}; the contract returns the tuple "
        f"(c_kv_all, k_rope_all)\n  hint: return a, b (not [a, b])")
    c_all, k_all = out
    assert_close(c_all, torch.cat([c1, c2], dim=1), what="update(c_kv, k_rope, 4)[0] after update(..., 0) of 4",
                 hint="return the cached positions 0 .. start_pos + T - 1 (here 5 of them)")
    assert_close(k_all, torch.cat([k1, k2], dim=1), what="update(c_kv, k_rope, 4)[1] after update(..., 0) of 4",
                 hint="return the cached positions 0 .. start_pos + T - 1 (here 5 of them)")
    # a rewind (a rejected draft token, a regenerated step): store at start_pos 2 and return
    # positions 0 .. 2, not everything ever written
    c3, k3 = randn(2, 1, 24, seed=19, dtype=torch.float64), randn(2, 1, 8, seed=20, dtype=torch.float64)
    c_all, k_all = cache.update(c3, k3, 2)
    assert_close((c_all, k_all), (torch.cat([c1[:, :2], c3], dim=1), torch.cat([k1[:, :2], k3], dim=1)),
                 what="update(1 token, start_pos=2) after 5 cached positions -> (c_kv, k_rope)",
                 hint="store at start_pos and return positions 0 .. start_pos + T - 1 (3 of them): the "
                      "prefix follows start_pos, not a count of the positions ever written")
    before = (cache.c_kv.clone(), cache.k_rope.clone())
    assert_raises(ValueError, cache.update, randn(2, 2, 24, seed=17, dtype=torch.float64),
                  randn(2, 2, 8, seed=18, dtype=torch.float64), 5,
                  contract="ValueError if start_pos + T > max_len or B > batch_size",
                  what="MLACache(config, 2, 6).update(2 tokens, start_pos=5)")
    assert_raises(ValueError, cache.update, randn(3, 1, 24, seed=17, dtype=torch.float64),
                  randn(3, 1, 8, seed=18, dtype=torch.float64), 0,
                  contract="ValueError if start_pos + T > max_len or B > batch_size",
                  what="MLACache(config, batch_size=2, 6).update(a batch of 3, start_pos=0)",
                  hint="check B = c_kv.shape[0] against the cache's batch_size before writing: "
                       "self.c_kv[:B] silently stops at batch_size rows")
    assert_close((cache.c_kv, cache.k_rope), before, rtol=0, atol=0,
                 what="(cache.c_kv, cache.k_rope) after the two updates that raised ValueError",
                 hint="the contract raises before anything is written: check start_pos + T and B first, then "
                      "store (a cache half-written by a rejected update feeds the next decode step)")


def test_fresh_cache_is_zeros_of_the_given_dtype_and_device():
    config = MLAConfig(**SMALL)
    for kwargs, dtype in [({}, torch.float32), ({"dtype": torch.float64}, torch.float64)]:
        cache = MLACache(config, 3, 5, **kwargs)
        require_cache_fields(cache, f"MLACache(config, 3, 5, {kwargs})")
        for name, width in [("c_kv", 24), ("k_rope", 8)]:
            t = getattr(cache, name)
            assert_close(t, torch.zeros(3, 5, width, dtype=dtype), what=f"MLACache(config, 3, 5, "
                         f"**{kwargs}).{name} when fresh", hint="zeros of (batch_size, max_len, width) in "
                         "the given dtype (default float32): torch.zeros(..., dtype=dtype, device=device)")
    with default_dtype(torch.float64):  # dtype=torch.float32 is the signature's default, not torch's
        cache = MLACache(config, 2, 4)
    assert cache.c_kv.dtype == cache.k_rope.dtype == torch.float32, (
        f"MLACache(config, 2, 4) made under torch.set_default_dtype(torch.float64) holds {cache.c_kv.dtype} / "
        f"{cache.k_rope.dtype}, expected float32: the dtype argument defaults to torch.float32\n  hint: "
        "keep the signature's dtype=torch.float32 (not dtype=None) and pass it to torch.zeros")
    cache = MLACache(config, 2, 4, dtype=torch.float64, device="meta")
    assert cache.c_kv.device.type == "meta" and cache.k_rope.device.type == "meta", (
        f"MLACache(..., device='meta') allocated on {cache.c_kv.device} / {cache.k_rope.device}: "
        "pass device= to torch.zeros")
    with torch.device("meta"):  # device=None: the default device (here meta), not the CPU
        cache = MLACache(config, 2, 4)
    assert cache.c_kv.device.type == "meta" and cache.k_rope.device.type == "meta", (
        f"MLACache(config, 2, 4) made with the default device set to meta allocated on {cache.c_kv.device} / "
        f"{cache.k_rope.device}; device=None means the default device\n  hint: pass device=device to "
        f"torch.zeros as it is (`device or 'cpu'` pins the cache to the CPU)")


def test_cache_update_with_a_smaller_batch_touches_rows_up_to_b_only():
    config = MLAConfig(**SMALL)
    cache = MLACache(config, 3, 6, dtype=torch.float64)
    c, k = randn(2, 3, 24, seed=41, dtype=torch.float64), randn(2, 3, 8, seed=42, dtype=torch.float64)
    c_all, k_all = cache.update(c, k, 1)
    assert_close(tuple(c_all.shape), (2, 4, 24), what="MLACache(config, 3, 6).update(batch of 2, 3 tokens, "
                 "start_pos=1)[0].shape", hint="return rows :B (the caller's batch), positions :start_pos + T")
    assert_close(tuple(k_all.shape), (2, 4, 8), what="...update(batch of 2, ...)[1].shape",
                 hint="return rows :B (the caller's batch), positions :start_pos + T")
    assert_close(c_all[:, 1:], c, what="update(...)[0][:, 1:] (the stored tokens)")
    assert_close(k_all[:, 1:], k, what="update(...)[1][:, 1:] (the stored tokens)")
    assert_close(cache.c_kv[2], torch.zeros(6, 24, dtype=torch.float64),
                 what="cache.c_kv[2] after an update with a batch of 2", hint="write rows :B only")


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_decode_with_a_cache_made_for_a_bigger_batch(absorb):
    cfg = CONFIGS[0]
    sd = random_state_dict(cfg, 43, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(2, 6, 48, seed=44, dtype=torch.float64)
    cache = MLACache(MLAConfig(**cfg), 3, 8, dtype=torch.float64)  # made for 3, used with 2
    with torch.no_grad():
        outs = [run(module, x[:, :4], "forward(x[:, :4], cache of batch 3, start_pos=0)", cache=cache,
                    start_pos=0, absorb=absorb)]
        for t in (4, 5):
            outs.append(run(module, x[:, t:t + 1], f"forward(x[:, {t}:{t + 1}], cache of batch 3, start_pos={t})",
                            cache=cache, start_pos=t, absorb=absorb))
    assert_close(torch.cat(outs, 1), ref_attention(sd, cfg, x, 0), **TOL[torch.float64],
                 what=f"prefill 4 + 2 decode steps of a batch of 2 through a cache made for 3 (absorb={absorb})",
                 hint="a cache for batch_size sequences serves any B <= batch_size: use rows :B of it")


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_float64_is_computed_in_float64(absorb):
    cfg = CONFIGS[0]
    sd = random_state_dict(cfg, 48, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(2, 5, 48, seed=49, dtype=torch.float64)
    out = run(module, x, f"forward(x, start_pos=3, absorb={absorb})", start_pos=3, absorb=absorb)
    assert_close(out, ref_attention(sd, cfg, x, 3), rtol=1e-10, atol=1e-10,
                 what=f"float64 forward(x (2, 5, 48), start_pos=3, absorb={absorb}) vs a float64 reference",
                 hint="compute every step in the module's dtype: no softmax(..., dtype=torch.float32), no "
                      "float32 scale tensor (torch.tensor(d).rsqrt()): use a Python float "
                      "(nope + rope) ** -0.5")
    cache = MLACache(MLAConfig(**cfg), 2, 5, dtype=torch.float64)  # the cached and single-token paths too
    with torch.no_grad():
        outs = [run(module, x[:, :3], f"forward(x[:, :3], cache, start_pos=0, absorb={absorb})", cache=cache,
                    start_pos=0, absorb=absorb)]
        outs += [run(module, x[:, t:t + 1], f"forward(x[:, {t}:{t + 1}], cache, start_pos={t}, absorb={absorb})",
                     cache=cache, start_pos=t, absorb=absorb) for t in (3, 4)]
    assert_close(torch.cat(outs, 1), ref_attention(sd, cfg, x, 0), rtol=1e-10, atol=1e-10,
                 what=f"float64 prefill of 3 + 2 decode steps through an MLACache (absorb={absorb}) vs a float64 "
                      f"reference", hint="every path (with a cache, single-token decode steps) computes in the "
                      "module's dtype: no float32 softmax in a decode branch")


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_weights_are_read_at_every_call(absorb):
    # kv_b_proj.weight split into W_UK / W_UV once (at __init__ or the first call) and kept on the module
    # is stale after .double() (a view of the old float32 storage) and after load_state_dict (a copy)
    cfg = CONFIGS[0]
    module = build(cfg, random_state_dict(cfg, 50, with_o_proj=True), dtype=torch.float32)
    with torch.no_grad():
        run(module, randn(2, 3, 48, seed=51), f"float32 forward(x, absorb={absorb})", absorb=absorb)
    sd = random_state_dict(cfg, 52, with_o_proj=True)
    module.double()
    module.load_state_dict(sd)
    x = randn(2, 3, 48, seed=53, dtype=torch.float64)
    what = f"forward(x, start_pos=1, absorb={absorb}) after a float32 call, .double() and load_state_dict(new weights)"
    try:
        out = module(x, start_pos=1, absorb=absorb)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        raise SpecFailure(f"{what} raised RuntimeError: {str(err).splitlines()[0][:300]}\n  hint: {HINT_STALE}") from None
    assert_close(out, ref_attention(sd, cfg, x, 1), rtol=1e-10, atol=1e-10, what=what + " vs a float64 reference",
                 hint=HINT_STALE)


@given(B=st.integers(1, 2), T=st.integers(1, 5), start=st.integers(0, 9), seed=SEEDS)
def test_absorbed_equals_naive_to_float64_rounding(B, T, start, seed):
    cfg = CONFIGS[0]
    module = build(cfg, random_state_dict(cfg, seed, with_o_proj=True))
    x = randn(B, T, 48, seed=seed + 3, dtype=torch.float64)
    naive = run(module, x, "forward(x, absorb=False)", start_pos=start, absorb=False)
    absorbed = run(module, x, "forward(x, absorb=True)", start_pos=start, absorb=True)
    assert_close(absorbed, naive, rtol=1e-10, atol=1e-10,
                 what=f"float64 forward(x {tuple(x.shape)}, start_pos={start}, absorb=True) vs absorb=False",
                 hint="the absorbed path is the same computation reassociated: in float64 it agrees to "
                      "~1e-13; compute every step in the module's dtype; " + HINT_ABSORB)


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_large_scores_do_not_overflow(absorb):
    cfg = CONFIGS[0]
    sd = random_state_dict(cfg, 45, with_o_proj=True)
    sd["q_b_proj.weight"] = sd["q_b_proj.weight"] * 10  # scores of a few hundred
    sd["kv_b_proj.weight"] = sd["kv_b_proj.weight"] * 10
    module = build(cfg, sd, torch.float32)
    x = randn(2, 6, 48, seed=46)
    with default_dtype(torch.float64):  # a float32 module stays float32 whatever torch's default dtype
        out = run(module, x, f"forward(x, absorb={absorb}) with scores ~300", absorb=absorb)
    expected = ref_attention(sd, cfg, x.double(), 0).float()
    assert_close(out, expected, rtol=1e-3, atol=1e-3,
                 what=f"float32 forward(x, absorb={absorb}) with attention scores of a few hundred "
                      "(torch's default dtype set to float64)",
                 hint="exp(300) overflows float32: subtract the row max before exp (or use "
                      "torch.softmax); mask with -inf, not by multiplying; and keep the module's dtype: a mask or "
                      "table built without dtype= (torch.zeros / torch.full) follows torch's default dtype "
                      "(float64 here) and promotes float32 scores: masked_fill with a bool mask")
    cache = MLACache(MLAConfig(**cfg), 2, 6)  # the cached and single-token paths too
    with torch.no_grad(), default_dtype(torch.float64):
        outs = [run(module, x[:, :4], f"forward(x[:, :4], cache, start_pos=0, absorb={absorb})", cache=cache,
                    start_pos=0, absorb=absorb)]
        outs += [run(module, x[:, t:t + 1], f"forward(x[:, {t}:{t + 1}], cache, start_pos={t}, absorb={absorb})",
                     cache=cache, start_pos=t, absorb=absorb) for t in (4, 5)]
    assert_close(torch.cat(outs, 1), expected, rtol=1e-3, atol=1e-3,
                 what=f"float32 prefill of 4 + 2 decode steps through an MLACache (absorb={absorb}), scores ~300",
                 hint="every path (single-token decode steps included) subtracts the row max before exp")


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_forward_on_the_meta_device(absorb):
    # positions and the causal mask must be built on x's device (a CPU arange fails here)
    config = MLAConfig(**SMALL)
    module = MultiHeadLatentAttention(config)
    with torch.no_grad():  # a CPU call first: nothing it built (a mask, a table) may stay behind after .to("meta")
        module(randn(2, 3, 48, seed=60), start_pos=2, absorb=absorb)
        module(randn(2, 1, 48, seed=61), cache=MLACache(config, 2, 6), start_pos=3, absorb=absorb)
    module.to("meta")
    x = torch.empty(2, 3, 48, device="meta")
    cache = MLACache(config, 2, 6, device="meta")
    try:
        outs = [module(x, start_pos=2, absorb=absorb), module(x, cache=cache, start_pos=0, absorb=absorb),
                module(x[:, :1], cache=cache, start_pos=3, absorb=absorb)]
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure(f"MultiHeadLatentAttention on the meta device (absorb={absorb}) raised {err}\n"
                          "  hint: build positions and masks on x's device: torch.arange(..., "
                          "device=x.device), at every call (a mask kept on the module from an earlier CPU "
                          "call is a plain attribute: .to('meta') leaves it on the CPU)") from None
    shapes = [tuple(o.shape) for o in outs]
    assert shapes == [(2, 3, 48), (2, 3, 48), (2, 1, 48)], f"forward on meta: got shapes {shapes}"


@pytest.mark.parametrize("T", [1, 2], ids=["one-token", "two-token-chunk"])
def test_absorbed_decode_needs_fewer_flops_at_long_context(T):
    cfg = dict(SMALL)
    config = MLAConfig(**cfg)
    module = MultiHeadLatentAttention(config)
    cache = MLACache(config, 1, 2048 + T)
    x = randn(1, T, 48, seed=19)

    def step(context, absorb):  # one decode step with `context` tokens already cached
        with torch.no_grad():
            return count_flops(module, x, cache=cache, start_pos=context, absorb=absorb)

    naive = {n: step(n, False) for n in (1024, 2048)}
    absorbed = {n: step(n, True) for n in (1024, 2048)}
    H, nope, rdim, vd, r = dims(cfg)
    per_naive = (naive[2048] - naive[1024]) / 1024
    per_absorbed = (absorbed[2048] - absorbed[1024]) / 1024
    assert absorbed[2048] < naive[2048] / 2 and per_absorbed < per_naive / 2, (
        f"FLOPs of a step of {T} token(s) at 2048 cached tokens: absorbed {absorbed[2048]:,}, naive "
        f"{naive[2048]:,}; per extra cached token: absorbed {per_absorbed:.0f}, naive {per_naive:.0f}. "
        f"The absorbed path "
        f"should cost about 2*H*(2r + rope) = {2 * H * (2 * r + rdim)} per cached token, the naive one "
        f"about 2*r*H*(nope + v) = {2 * r * H * (nope + vd)} more (it expands every cached latent)\n"
        f"  hint: with absorb=True never call kv_b_proj / expand_kv on the cache, whatever T is (not "
        f"only for single-token steps): " + HINT_ABSORB)


def test_absorbed_forward_without_a_cache_never_expands_the_latents():
    """absorb=True with cache=None: every query meets every latent (r + rope wide), never keys
    and values expanded from them (nope + rope and v wide): the quadratic term of the FLOPs."""
    cfg = dict(SMALL)
    module = MultiHeadLatentAttention(MLAConfig(**cfg))
    H, nope, rdim, vd, r = dims(cfg)
    flops = {}
    for T in (16, 32):
        with torch.no_grad():
            flops[T] = count_flops(module, randn(1, T, 48, seed=T), absorb=True)
    per_pair = (flops[32] - 2 * flops[16]) / (2 * 16 ** 2)  # FLOPs per (query, key) pair
    absorbed, naive = 2 * H * (2 * r + rdim), 2 * H * (nope + rdim + vd)
    assert abs(per_pair - absorbed) < abs(per_pair - naive), (
        f"forward(x (1, T, 48), cache=None, absorb=True) costs {per_pair:.0f} FLOPs per (query, key) "
        f"pair (from T = 16 and 32): the absorbed path costs 2*H*(2r + rope) = {absorbed}, the naive "
        f"one 2*H*(nope + rope + v) = {naive}\n  hint: absorb=True means the absorbed path with or "
        f"without a cache: " + HINT_ABSORB)


@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_decode_cost_grows_with_the_context_not_with_max_len(absorb):
    config = MLAConfig(**SMALL)
    module = MultiHeadLatentAttention(config)
    x = randn(1, 1, 48, seed=47)
    flops = {}
    for max_len in (32, 512):
        cache = MLACache(config, 1, max_len)
        with torch.no_grad():
            flops[max_len] = count_flops(module, x, cache=cache, start_pos=16, absorb=absorb)
    assert flops[32] == flops[512], (
        f"a decode step at start_pos=16 (absorb={absorb}) costs {flops[32]:,} FLOPs with a cache of "
        f"max_len 32 and {flops[512]:,} with max_len 512; attend to the cached prefix only\n  hint: use "
        f"what cache.update returns (positions 0 .. start_pos + T - 1), not the whole preallocated cache")


# ------------------------------------------------------------------------ gradients and inputs

@pytest.mark.parametrize("absorb", [False, True], ids=["naive", "absorbed"])
def test_gradients_match_the_formula(absorb):
    cfg = CONFIGS[0]
    sd = random_state_dict(cfg, 20, with_o_proj=True)
    module = build(cfg, sd)
    x = randn(2, 5, 48, seed=21, dtype=torch.float64, requires_grad=True)
    out = run(module, x, f"forward(x, start_pos=2, absorb={absorb})", start_pos=2, absorb=absorb)
    w = randn(*out.shape, seed=22, dtype=torch.float64)
    names = sorted(sd)
    params = dict(module.named_parameters())
    grads = torch.autograd.grad((out * w).sum(), [x] + [params[n] for n in names])
    ref_sd = {n: sd[n].clone().requires_grad_() for n in names}
    xr = x.detach().clone().requires_grad_()
    ref_out = ref_attention(ref_sd, cfg, xr, 2)
    ref_grads = torch.autograd.grad((ref_out * w).sum(), [xr] + [ref_sd[n] for n in names])
    for name, g, r in zip(["x"] + names, grads, ref_grads):
        assert_close(g, r, **TOL[torch.float64], what=f"d(loss)/d({name}) (absorb={absorb})",
                     hint="the output must be a differentiable function of x and every weight "
                          "(no .detach(), no torch.no_grad() inside forward)")


def test_non_contiguous_input_is_left_alone():
    cfg = CONFIGS[0]
    sd = random_state_dict(cfg, 23, with_o_proj=True)
    module = build(cfg, sd)
    x = non_contiguous(randn(2, 5, 48, seed=24, dtype=torch.float64))
    for absorb in (False, True):
        with unchanged(x, names=["x"]):
            check_output(module, sd, cfg, x, 1, absorb, torch.float64,
                         what=f"forward(non-contiguous x, start_pos=1, absorb={absorb})")
        cache = MLACache(MLAConfig(**cfg), 2, 8, dtype=torch.float64)
        with unchanged(x, names=["x"]), torch.no_grad():
            run(module, x, "forward(x, cache, start_pos=0)", cache=cache, start_pos=0, absorb=absorb)


# ------------------------------------------------------------------------ CUDA budgets

BIG = dict(hidden_size=2048, num_attention_heads=32, q_lora_rank=512, kv_lora_rank=256, qk_nope_head_dim=64,
           qk_rope_head_dim=32, v_head_dim=64, rms_norm_eps=1e-6, rope_theta=10000.0,
           max_position_embeddings=32768)


@gpu
def test_cuda_latent_cache_bytes_are_a_fraction_of_full_kv():
    config = MLAConfig(**BIG)
    B, L = 4, 8192
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    cache = MLACache(config, B, L, dtype=torch.bfloat16, device="cuda")
    torch.cuda.synchronize()
    used = torch.cuda.memory_allocated() - before
    H, nope, rdim, vd, r = dims(BIG)
    full = B * L * H * (nope + rdim + vd) * 2  # per-head K (nope + rope) and V, bf16
    ratio, expected = used / full, (r + rdim) / (H * (nope + rdim + vd))
    assert ratio <= 1.05 * expected, (
        f"MLACache on CUDA: {used:,} bytes, {ratio:.4f} of a full per-head K/V cache ({full:,}); expected "
        f"about {expected:.4f} = (kv_lora_rank + rope) / (H * (nope + rope + v))\n  hint: {HINT_CACHE}")
    del cache


@gpu
def test_cuda_absorbed_decode_is_faster_than_naive_at_long_context():
    config = MLAConfig(**BIG)
    module = MultiHeadLatentAttention(config).cuda()
    B, L = 8, 16384
    cache = MLACache(config, B, L + 1, device="cuda")
    x = torch.randn(B, 1, BIG["hidden_size"], device="cuda")

    def naive():
        with torch.no_grad():
            module(x, cache=cache, start_pos=L, absorb=False)

    def absorbed():
        with torch.no_grad():
            module(x, cache=cache, start_pos=L, absorb=True)

    ratio = time_ratio(absorbed, naive)
    assert ratio < 0.5, (
        f"one decode step at {L} cached tokens (batch {B}, {BIG['num_attention_heads']} heads): absorbed "
        f"takes {ratio:.2f}x the naive path's time; expected < 0.5 (it reads {L} latents of "
        f"{BIG['kv_lora_rank'] + BIG['qk_rope_head_dim']} instead of expanding them into per-head K and V)"
        f"\n  hint: " + HINT_ABSORB)
