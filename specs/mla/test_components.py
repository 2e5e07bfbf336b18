"""Specs for katas/mla/components.py (day 27): rope_interleaved and MLAProjections.

References: an independent float64 formula written here (RoPE as complex multiplication of the
pairs (2i, 2i+1), F.linear on the same weights), and golden fixtures from Hugging Face
transformers' DeepseekV3Attention (scripts/make_mla_fixtures.py, specs/mla/fixtures/mla_tiny.pt)
with query compression on (q_lora_rank 40) and off (None). Sizes all differ (hidden 48, 4 heads,
query latent 40, KV latent 24, nope 12, rope 8, value 10) so no mis-split can hide.
Tolerances: float64 rtol = atol = 1e-5; float32 rtol = atol = 1e-4.

Contract-to-spec map:
- submodule names/shapes, no bias, no q_a_* when q_lora_rank 0/None, norm weights ones, every
  weight an nn.Parameter (RMSNorm's scale not a buffer): submodules_have_deepseek_names_and_shapes
- RMSNorm default eps 1e-6, explicit eps (0.0 too; 0.1 in float64 to 1e-10: no float32 eps tensor),
  "computed in x's dtype" (float64 to 1e-7):
  rms_norm_default_eps_and_explicit_eps (eps=0 at x ~ 1e-10 too: no hidden floor);
  "both RMSNorms use config.rms_norm_eps": norm_eps_comes_from_the_config
- rope_interleaved: interleaved pairs, theta, default theta, position 0, relative positions,
  broadcast positions, non-contiguous, gradient: rope_interleaved_*; "compute in x's dtype":
  rope_interleaved_float64_is_computed_in_float64 (theta 12345.6 and positions past 2**24 too:
  no float32 theta tensor, no positions.float()), projections_in_float64_rotate_in_float64 (also
  after a float32 call then .double(): no frequency table cached on the module);
  any positions (70000 too: no capped table) / T = 0 (float32 and float64): rope_interleaved_arbitrary_positions_and_empty_input; device of x:
  rope_interleaved_stays_on_the_input_device, projections_on_the_meta_device (after a CPU call)
- queries / latent / expand_kv formulas, head layout, float32/float64, HF fixtures:
  projections_match_* (each returns a tuple, not a list: check_parts); each token's own position: projections_use_each_tokens_own_position
- decoupled RoPE (c_kv and q_nope position-free; rope key from x, shared): latent_is_the_same_*,
  rope_key_comes_from_the_hidden_state_*
- non-contiguous inputs, gradients to x and every weight: non_contiguous_*, gradients_*
"""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_on_input_device,
                            assert_parameters_like, non_contiguous, on_meta, randn, unchanged)
from harness.edges import assert_dtype_kept
from katas.mla.components import MLAConfig, MLAProjections, RMSNorm, rope_interleaved
from specs.mla._reference import (SMALL, expected_shapes, load_fixture, near, random_state_dict,
                                  ref_parts, ref_rms, ref_rope, ref_rope_half)

SEEDS = st.integers(0, 2**31 - 1)
FIXTURE = load_fixture()
TOL = {torch.float64: dict(rtol=1e-5, atol=1e-5), torch.float32: dict(rtol=1e-4, atol=1e-4)}

HINT_PAIRS = ("DeepSeek rotates INTERLEAVED pairs: a, b = x[..., 0::2], x[..., 1::2]; "
              "out[..., 0::2] = a*cos - b*sin, out[..., 1::2] = b*cos + a*sin, with angle "
              "position * theta^(-2i/d) for pair i")
HINT_HALF = ("that is rotate-half (pairs i and i + d/2, Llama in Hugging Face); DeepSeek pairs "
             "neighbouring channels (2i, 2i+1): " + HINT_PAIRS)
HINT_Q = ("q = q_b_proj(q_a_layernorm(q_a_proj(x))) (or q_proj(x) without query compression); "
          "view(B, T, H, nope + rope).transpose(1, 2); split into [nope | rope]; RoPE on the rope "
          "part only, at `positions`, with theta = config.rope_theta")
HINT_LATENT = ("kv_a_proj_with_mqa(x) split into [kv_lora_rank | rope]: c_kv = kv_a_layernorm(first "
               "part), no RoPE; k_rope = RoPE(last part) at `positions` (theta = config.rope_theta), "
               "one (B, T, rope) key shared by all heads")
HINT_EXPAND = ("kv_b_proj(c_kv).view(B, S, H, nope + v_head_dim).transpose(1, 2), split into "
               "[nope | v_head_dim]; no norm here (it belongs to the latent, before kv_b_proj)")


# ------------------------------------------------------------------------ helpers

KEYS_HINT = ("submodules q_a_proj, q_a_layernorm, q_b_proj (or q_proj when q_lora_rank is 0/None), "
             "kv_a_proj_with_mqa, kv_a_layernorm, kv_b_proj; nn.Linear(..., bias=False); the "
             "RMSNorms sit on the latents (sizes q_lora_rank and kv_lora_rank)")


def load(module, sd, what):
    try:
        module.load_state_dict(sd)
    except RuntimeError as err:
        if isinstance(err, NotImplementedError):
            raise
        raise SpecFailure(f"{what}.load_state_dict(DeepSeek-named weights) failed: "
                          f"{str(err).splitlines()[0][:400]}\n  hint: {KEYS_HINT}") from None
    return module


def build(cfg, sd, dtype):
    module = MLAProjections(MLAConfig(**cfg))
    return load(module.to(dtype), {k: v.to(dtype) for k, v in sd.items()}, f"MLAProjections({cfg_name(cfg)})")


def cfg_name(cfg) -> str:
    return f"q_lora_rank={cfg['q_lora_rank']}"


def rope_hint(out, raw, positions, theta, base_hint):
    """The hint for the mistake a wrong rotated output looks like."""
    if near(out, ref_rope_half(raw, positions, theta)):
        return HINT_HALF
    if near(out, raw):
        return ("no rotation was applied (or every token was rotated as if at position 0): "
                "rotate by `positions`; " + base_hint)
    if theta != 10000.0 and near(out, ref_rope(raw, positions, 10000.0)):
        return f"rotated with theta 10000; this config has rope_theta {theta}: use config.rope_theta"
    if near(out, ref_rope(raw, positions, theta), tol=1e-3):
        return ("close but not within tolerance: compute the angles in x's dtype "
                "(torch.arange(0, d, 2) / d is float32 unless you pass dtype=)")
    return base_hint


def pair(out, what):
    """The contract's return type: a tuple of two tensors (a list is not a tuple)."""
    if not (isinstance(out, tuple) and len(out) == 2):
        raise SpecFailure(f"{what} returned {type(out).__name__}"
                          f"{' of length ' + str(len(out)) if isinstance(out, (list, tuple)) else ''}; the "
                          f"contract returns a tuple of two tensors\n  hint: return a, b (not [a, b])")
    return out


def check_parts(module, cfg, sd, x, positions, dtype, what, which=("queries", "latent", "expand")):
    """Compare queries / latent / expand_kv of `module` with the formula on the same weights."""
    ref = ref_parts({k: v.double() for k, v in sd.items()}, cfg, x.double(), positions)
    tol = TOL[dtype]
    if "queries" in which:
        q_nope, q_rope = pair(module.queries(x, positions), f"{what}.queries(x, positions)")
        assert_close(q_nope, ref["q_nope"].to(dtype), **tol, what=f"{what}.queries(x, positions)[0] (q_nope)",
                     hint=HINT_Q)
        raw = _raw_q_rope(sd, cfg, x, dtype)
        assert_close(q_rope, ref["q_rope"].to(dtype), **tol, what=f"{what}.queries(x, positions)[1] (q_rope)",
                     hint=rope_hint(q_rope, raw, positions, cfg["rope_theta"], HINT_Q))
    if "latent" in which:
        c_kv, k_rope = pair(module.latent(x, positions), f"{what}.latent(x, positions)")
        assert_close(c_kv, ref["c_kv"].to(dtype), **tol, what=f"{what}.latent(x, positions)[0] (c_kv)",
                     hint=latent_hint(c_kv, sd, cfg, x, positions))
        raw = F.linear(x.double(), sd["kv_a_proj_with_mqa.weight"].double())[..., cfg["kv_lora_rank"]:]
        assert_close(k_rope, ref["k_rope"].to(dtype), **tol, what=f"{what}.latent(x, positions)[1] (k_rope)",
                     hint=rope_hint(k_rope, raw, positions, cfg["rope_theta"], HINT_LATENT))
    if "expand" in which:
        k_nope, v = pair(module.expand_kv(ref["c_kv"].to(dtype)), f"{what}.expand_kv(c_kv)")
        assert_close(k_nope, ref["k_nope"].to(dtype), **tol, what=f"{what}.expand_kv(c_kv)[0] (k_nope)",
                     hint=HINT_EXPAND)
        assert_close(v, ref["v"].to(dtype), **tol, what=f"{what}.expand_kv(c_kv)[1] (v)", hint=HINT_EXPAND)


def _raw_q_rope(sd, cfg, x, dtype):
    ref = ref_parts({k: v.double() for k, v in sd.items()}, cfg, x.double(),
                    torch.zeros(x.shape[1], dtype=torch.int64), rope=lambda t, p, th: t)
    return ref["q_rope"]


def latent_hint(c_kv, sd, cfg, x, positions):
    r = cfg["kv_lora_rank"]
    raw = F.linear(x.double(), sd["kv_a_proj_with_mqa.weight"].double())[..., :r]
    normed = ref_rms(raw, sd["kv_a_layernorm.weight"].double(), cfg["rms_norm_eps"])
    if near(c_kv, ref_rope(normed, positions, cfg["rope_theta"])) or near(
            c_kv, ref_rms(ref_rope(raw, positions, cfg["rope_theta"]), sd["kv_a_layernorm.weight"].double(),
                          cfg["rms_norm_eps"])):
        return ("RoPE was applied to the compressed latent: c_kv gets NO rotation (the rotation could "
                "not pass through kv_b_proj); only the separate rope key k_rope is rotated")
    if near(c_kv, raw):
        return "c_kv is not normalised: apply kv_a_layernorm to the latent (before kv_b_proj); " + HINT_LATENT
    return HINT_LATENT


CONFIGS = [dict(SMALL), dict(SMALL, q_lora_rank=0), dict(SMALL, q_lora_rank=None)]
CONFIG_IDS = ["q_lora_rank=40", "q_lora_rank=0", "q_lora_rank=None"]


# ------------------------------------------------------------------------ submodules

@pytest.mark.parametrize("cfg", CONFIGS, ids=CONFIG_IDS)
def test_submodules_have_deepseek_names_and_shapes(cfg):
    module = MLAProjections(MLAConfig(**cfg))
    got = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    want = expected_shapes(cfg)
    missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
    hint = KEYS_HINT
    if any(k.startswith("q_a_") or k.startswith("q_b_") for k in extra) and not cfg["q_lora_rank"]:
        hint = ("q_lora_rank is 0/None: no query compression, so no q_a_proj, q_a_layernorm or "
                "q_b_proj at all (test `if config.q_lora_rank:`, which is False for 0 and None); "
                "build q_proj only")
    if missing or extra:
        raise SpecFailure(f"MLAProjections({cfg_name(cfg)}).state_dict(): missing keys {missing}, "
                          f"unexpected keys {extra}\n  hint: {hint}")
    for key, shape in want.items():
        shape_hint = KEYS_HINT
        if key == "kv_a_proj_with_mqa.weight":
            shape_hint = ("kv_a_proj_with_mqa outputs kv_lora_rank + qk_rope_head_dim: the latent and ONE "
                          "rope key shared by all heads (not one per head)")
        elif "layernorm" in key:
            shape_hint = ("the RMSNorm normalises the latent, between the down- and the up-projection: "
                          "q_a_layernorm = RMSNorm(q_lora_rank), kv_a_layernorm = RMSNorm(kv_lora_rank)")
        assert_close(got[key], want[key], what=f"MLAProjections({cfg_name(cfg)}): {key} shape",
                     hint=shape_hint)
    for key in [k for k in want if "layernorm" in k]:
        assert_close(module.state_dict()[key], torch.ones(want[key]), what=f"a fresh {key}",
                     hint="RMSNorm's weight starts at ones")
    assert_parameters_like(module, want, what=f"MLAProjections({cfg_name(cfg)})", like="DeepSeek's attention",
                           hint="every weight is an nn.Parameter: RMSNorm's scale too (self.weight = "
                                "nn.Parameter(torch.ones(dim)), not a buffer), so an optimizer trains it")


# ------------------------------------------------------------------------ rope_interleaved

@given(lead=st.lists(st.integers(1, 3), min_size=0, max_size=2), T=st.integers(1, 6),
       half=st.integers(1, 6), start=st.integers(0, 30), theta=st.sampled_from([10000.0, 500.0]),
       seed=SEEDS)
def test_rope_interleaved_matches_complex_rotation(lead, T, half, start, theta, seed):
    x = randn(*lead, T, 2 * half, seed=seed, dtype=torch.float64)
    positions = torch.arange(start, start + T)
    out = rope_interleaved(x, positions, theta)
    assert_close(out, ref_rope(x, positions, theta), **TOL[torch.float64],
                 what=f"rope_interleaved(x {tuple(x.shape)}, positions {start}..{start + T - 1}, {theta})",
                 hint=rope_hint(out, x, positions, theta, HINT_PAIRS))


def test_rope_interleaved_pairs_neighbouring_channels():
    # one nonzero channel, 0: interleaved moves it into channel 1 only; rotate-half into channel 4
    x = torch.zeros(1, 8, dtype=torch.float64)
    x[0, 0] = 1.0
    out = rope_interleaved(x, torch.tensor([1]), 10000.0)
    expected = torch.zeros(1, 8, dtype=torch.float64)
    expected[0, 0], expected[0, 1] = math.cos(1.0), math.sin(1.0)
    assert_close(out, expected, **TOL[torch.float64], what="rope_interleaved(e_0 of size 8, positions [1])",
                 hint=rope_hint(out, x, torch.tensor([1]), 10000.0, HINT_PAIRS))


def test_rope_interleaved_default_theta_and_position_zero():
    x = randn(3, 4, 6, seed=5, dtype=torch.float64)
    positions = torch.tensor([0, 1, 2, 3])
    out = rope_interleaved(x, positions)
    assert_close(out, ref_rope(x, positions, 10000.0), **TOL[torch.float64],
                 what="rope_interleaved(x, positions) with the default theta", hint=HINT_PAIRS)
    assert_close(out[:, 0], x[:, 0], what="rope_interleaved(...) at position 0",
                 hint="position 0 turns by angle 0: the identity")


@given(half=st.integers(1, 6), m=st.integers(0, 40), n=st.integers(0, 40), shift=st.integers(0, 20),
       seed=SEEDS)
def test_rope_interleaved_scores_depend_on_relative_position(half, m, n, shift, seed):
    q, k = randn(2 * half, seed=seed, dtype=torch.float64), randn(2 * half, seed=seed + 1, dtype=torch.float64)
    def score(a, b):
        return (rope_interleaved(q[None], torch.tensor([a])) * rope_interleaved(k[None], torch.tensor([b]))).sum()
    assert_close(score(m + shift, n + shift), score(m, n), rtol=1e-5, atol=1e-4,
                 what=f"rope(q, {m + shift}) . rope(k, {n + shift}) vs rope(q, {m}) . rope(k, {n})",
                 hint="both vectors must turn by the same angles per pair: " + HINT_PAIRS)


def test_rope_interleaved_float32_and_broadcast_positions():
    x = randn(2, 3, 8, seed=1)
    positions = torch.tensor([[4, 7, 9], [0, 2, 30]])  # (B, T): a position per token
    out = rope_interleaved(x, positions, 10000.0)
    assert_close(out, ref_rope(x, positions, 10000.0), **TOL[torch.float32],
                 what="rope_interleaved(float32 x (2, 3, 8), positions (2, 3))",
                 hint="positions broadcast against x.shape[:-1]; the output keeps x's shape and dtype")


def test_rope_interleaved_non_contiguous_input_left_alone():
    x = non_contiguous(randn(2, 4, 5, 8, seed=2, dtype=torch.float64))
    positions = torch.arange(3, 8)
    with unchanged(x, positions, names=["x", "positions"]):
        out = rope_interleaved(x, positions, 500.0)
    assert_close(out, ref_rope(x, positions, 500.0), **TOL[torch.float64],
                 what="rope_interleaved(non-contiguous x, positions 3..7, 500.0)",
                 hint="reshape (not view) works on strided inputs; " + HINT_PAIRS)


def test_rope_interleaved_gradient():
    x = randn(2, 3, 4, 8, seed=3, dtype=torch.float64)
    positions = torch.arange(5, 9)
    assert_grads_match(lambda t: rope_interleaved(t, positions, 10000.0),
                       lambda t: ref_rope(t, positions, 10000.0), x,
                       what="rope_interleaved gradient w.r.t. x", rtol=1e-5, atol=1e-5,
                       hint="build the output from x with differentiable ops (no in-place writes into x)")


# float64 all the way: float32 angles (arange(0, d, 2) / d without dtype=, a complex64 table)
# miss the float64 formula by ~1e-6 at position ~1000
TIGHT = dict(rtol=1e-10, atol=1e-10)
HINT_F64 = ("compute the angles in x's dtype: torch.arange(0, d, 2, dtype=x.dtype, device=x.device), "
            "positions.to(x.dtype); no float32 / complex64 table for float64 inputs (and an RMSNorm "
            "that normalises in x's dtype, without a float32 upcast)")


def test_rope_interleaved_float64_is_computed_in_float64():
    x = randn(2, 5, 16, seed=30, dtype=torch.float64)
    positions = torch.arange(1000, 1005)
    out = rope_interleaved(x, positions, 10000.0)
    assert_close(out, ref_rope(x, positions, 10000.0), **TIGHT,
                 what="rope_interleaved(float64 x (2, 5, 16), positions 1000..1004)", hint=HINT_F64)
    # a theta float32 cannot hold: torch.tensor(theta) is a float32 scalar (~1e-6 off at p = 1000)
    out = rope_interleaved(x, positions, 12345.6)
    assert_close(out, ref_rope(x, positions, 12345.6), **TIGHT,
                 what="rope_interleaved(float64 x (2, 5, 16), positions 1000..1004, theta=12345.6)",
                 hint="keep theta a Python float (or a tensor of x's dtype): torch.tensor(theta) is float32, "
                      "and 12345.6 rounds to 12345.5996 there; " + HINT_F64)
    # positions float32 cannot hold (2**24 + 1 rounds to 2**24): positions.float() turns them by ~1 rad off
    # (float64 itself is ~1e-8 off in the angle at 3e7, hence atol 1e-6)
    big = torch.tensor([2**24 + 1, 2**25 + 3, 5, 2**24 + 3, 2**25 - 1])
    out = rope_interleaved(x, big, 10000.0)
    assert_close(out, ref_rope(x, big, 10000.0), rtol=0, atol=1e-6,
                 what="rope_interleaved(float64 x (2, 5, 16), positions [2**24 + 1, 2**25 + 3, 5, 2**24 + 3, 2**25 - 1])",
                 hint="convert the int64 positions straight to x's dtype (positions.to(x.dtype)): through "
                      "float32 (positions.float()) positions past 2**24 round to a neighbour")


def test_rope_interleaved_arbitrary_positions_and_empty_input():
    x = randn(3, 6, 6, seed=31, dtype=torch.float64)
    # any positions, not a range from positions[0]; 70000 lies past any table cached with a
    # size cap (a freqs_cis precomputed for 4096 positions at import, indexed or clamped)
    positions = torch.tensor([7, 0, 3, 3, 12, 70000])
    assert_close(rope_interleaved(x, positions), ref_rope(x, positions), **TOL[torch.float64],
                 what="rope_interleaved(x, positions [7, 0, 3, 3, 12, 70000])",
                 hint="each vector turns by ITS OWN position: do not rebuild a range from positions[0], "
                      "and compute the angles from the positions given (no table with a size cap)")
    for dtype in (torch.float32, torch.float64):  # an early return of torch.empty(x.shape) is float32
        empty = randn(2, 0, 8, seed=32, dtype=dtype)
        out = rope_interleaved(empty, torch.arange(0))
        assert_close(tuple(out.shape), (2, 0, 8), what="rope_interleaved(x of shape (2, 0, 8), arange(0)).shape")
        assert_dtype_kept(out, empty, f"rope_interleaved({dtype} x of shape (2, 0, 8), ...)")


def test_rope_interleaved_stays_on_the_input_device():
    x, positions = randn(2, 3, 8, seed=33, dtype=torch.float64), torch.arange(3)
    assert_on_input_device(lambda: rope_interleaved(x, positions),
                           lambda: rope_interleaved(x.to("meta"), positions.to("meta")),
                           what="rope_interleaved(x on the meta device, positions on meta)",
                           hint="build the frequencies on x's device: torch.arange(0, d, 2, dtype=x.dtype, "
                                "device=x.device)")


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_rms_norm_default_eps_and_explicit_eps(dtype):
    x = randn(3, 6, seed=33, dtype=dtype) * 1e-3  # mean(x^2) ~ 1e-6: eps is visible
    norm = RMSNorm(6).to(dtype)
    assert_close(norm(x), ref_rms(x, torch.ones(6, dtype=dtype), 1e-6), what=f"RMSNorm(6)(x of size 1e-3, {dtype})",
                 hint="the default eps is 1e-6, inside the sqrt: x / sqrt(mean(x^2) + eps) * weight, "
                      "computed in x's dtype (no .float() upcast for a float64 x)")
    norm = RMSNorm(6, eps=0.0).to(dtype)
    assert_close(norm(x), ref_rms(x, torch.ones(6, dtype=dtype), 0.0), what=f"RMSNorm(6, eps=0.0)(x, {dtype})",
                 hint="eps=0.0 is a value, not 'not given': use the eps you were passed")
    tiny = x * 1e-7  # mean(x^2) ~ 1e-20: a hidden floor (clamp_min(1e-12), max(eps, 1e-12)) shows
    assert_close(norm(tiny), ref_rms(tiny, torch.ones(6, dtype=dtype), 0.0),
                 what=f"RMSNorm(6, eps=0.0)(x of size 1e-10, {dtype})",
                 hint="with eps=0.0 the result is x / sqrt(mean(x^2)) exactly: no floor of your own on the "
                      "mean or on eps (clamp_min(1e-12), max(eps, 1e-12))")
    if dtype == torch.float64:  # eps = 0.1, which float32 cannot hold: no torch.tensor(eps) (float32)
        norm, y = RMSNorm(6, eps=0.1).double(), x * 300
        assert_close(norm(y), ref_rms(y, torch.ones(6, dtype=dtype), 0.1), **TIGHT,
                     what="RMSNorm(6, eps=0.1).double()(float64 x of size 0.3), to 1e-10",
                     hint="add the float eps itself in x's dtype: torch.tensor(eps) is float32 and "
                          "rounds 0.1 in a float64 computation")


# ------------------------------------------------------------------------ projections vs formula

@pytest.mark.parametrize("cfg", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_projections_match_the_formula(cfg, dtype):
    sd = random_state_dict(cfg, seed=7)
    module = build(cfg, sd, dtype)
    x = randn(2, 5, cfg["hidden_size"], seed=8, dtype=dtype)
    check_parts(module, cfg, sd, x, torch.arange(6, 11), dtype, f"MLAProjections({cfg_name(cfg)}, {dtype})")


@given(B=st.integers(1, 3), T=st.integers(1, 7), start=st.integers(0, 30), seed=SEEDS,
       which=st.sampled_from([0, 1, 2]), theta=st.sampled_from([10000.0, 1000.0]))
def test_projections_match_the_formula_everywhere(B, T, start, seed, which, theta):
    cfg = dict(CONFIGS[which], rope_theta=theta)
    sd = random_state_dict(cfg, seed=seed)
    module = build(cfg, sd, torch.float64)
    x = randn(B, T, cfg["hidden_size"], seed=seed + 1, dtype=torch.float64)
    check_parts(module, cfg, sd, x, torch.arange(start, start + T), torch.float64,
                f"MLAProjections({cfg_name(cfg)}, rope_theta={theta})")


@pytest.mark.parametrize("name", ["q_lora", "no_q_lora"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_projections_match_hugging_face_deepseek_v3(name, dtype):
    cfg, sd = FIXTURE["configs"][name], FIXTURE["state_dicts"][name]
    case = FIXTURE["cases"][name][0]
    module = MLAProjections(MLAConfig(**cfg))
    parts_sd = {k: v for k, v in sd.items() if not k.startswith("o_proj")}
    load(module.to(dtype), {k: v.to(dtype) for k, v in parts_sd.items()}, f"MLAProjections({cfg_name(cfg)})")
    x, start = case["x"].to(dtype), case["start_pos"]
    positions = torch.arange(start, start + x.shape[1])
    exp, tol = case["components"], TOL[dtype]
    what = f"MLAProjections({cfg_name(cfg)}, {dtype}) vs HF DeepseekV3Attention"
    q_nope, q_rope = module.queries(x, positions)
    raw_sd = {k: v.double() for k, v in parts_sd.items()}
    assert_close(q_nope, exp["q_nope"].to(dtype), **tol, what=f"{what}: q_nope", hint=HINT_Q)
    assert_close(q_rope, exp["q_rope"].to(dtype), **tol, what=f"{what}: q_rope",
                 hint=rope_hint(q_rope, _raw_q_rope(raw_sd, cfg, x, dtype), positions, cfg["rope_theta"], HINT_Q))
    c_kv, k_rope = module.latent(x, positions)
    assert_close(c_kv, exp["c_kv"].to(dtype), **tol, what=f"{what}: c_kv",
                 hint=latent_hint(c_kv, raw_sd, cfg, x, positions))
    raw = F.linear(x.double(), raw_sd["kv_a_proj_with_mqa.weight"])[..., cfg["kv_lora_rank"]:]
    assert_close(k_rope, exp["k_rope"].to(dtype), **tol, what=f"{what}: k_rope",
                 hint=rope_hint(k_rope, raw, positions, cfg["rope_theta"], HINT_LATENT))
    k_nope, v = module.expand_kv(exp["c_kv"].to(dtype))
    assert_close(k_nope, exp["k_nope"].to(dtype), **tol, what=f"{what}: expand_kv(c_kv)[0]", hint=HINT_EXPAND)
    assert_close(v, exp["v"].to(dtype), **tol, what=f"{what}: expand_kv(c_kv)[1]", hint=HINT_EXPAND)


# ------------------------------------------------------------------------ decoupled RoPE

def test_latent_is_the_same_at_every_position():
    cfg = dict(SMALL)
    module = build(cfg, random_state_dict(cfg, seed=9), torch.float64)
    x = randn(2, 4, 48, seed=10, dtype=torch.float64)
    c0, _ = module.latent(x, torch.arange(0, 4))
    c1, _ = module.latent(x, torch.arange(17, 21))
    assert_close(c1, c0, what="latent(x, positions 17..20)[0] vs latent(x, positions 0..3)[0] (c_kv)",
                 hint="c_kv carries no position: RoPE goes on the separate rope key only (RoPE on the "
                      "latent could not be absorbed into kv_b_proj)")
    q0, _ = module.queries(x, torch.arange(0, 4))
    q1, _ = module.queries(x, torch.arange(17, 21))
    assert_close(q1, q0, what="queries(x, positions 17..20)[0] vs positions 0..3 (q_nope)",
                 hint="q_nope carries no position: RoPE goes on q_rope only")


def test_rope_key_comes_from_the_hidden_state_and_is_shared_by_heads():
    cfg = dict(SMALL)
    sd = random_state_dict(cfg, seed=11)
    module = build(cfg, sd, torch.float64)
    x = randn(3, 5, 48, seed=12, dtype=torch.float64)
    positions = torch.arange(2, 7)
    _, k_rope = module.latent(x, positions)
    assert_close(tuple(k_rope.shape), (3, 5, cfg["qk_rope_head_dim"]), what="latent(x (3, 5, 48), ...)[1].shape",
                 hint="ONE rope key per token (B, T, qk_rope_head_dim), shared by every head: no head dim")
    # change everything the latent path owns: the rope key must not move
    changed = dict(sd)
    w = sd["kv_a_proj_with_mqa.weight"].clone()
    w[: cfg["kv_lora_rank"]] = randn(cfg["kv_lora_rank"], 48, seed=13, dtype=torch.float64)
    changed["kv_a_proj_with_mqa.weight"] = w
    changed["kv_a_layernorm.weight"] = 2.0 + sd["kv_a_layernorm.weight"]
    changed["kv_b_proj.weight"] = -sd["kv_b_proj.weight"]
    module2 = build(cfg, changed, torch.float64)
    _, k_rope2 = module2.latent(x, positions)
    assert_close(k_rope2, k_rope, what="latent(...)[1] (k_rope) after changing the latent's weights only",
                 hint="k_rope = RoPE(the LAST qk_rope_head_dim outputs of kv_a_proj_with_mqa(x)): it comes "
                      "from the hidden state, not from c_kv, kv_a_layernorm or kv_b_proj")


def test_norm_eps_comes_from_the_config():
    cfg = dict(SMALL, rms_norm_eps=0.5)  # large enough to change every value
    sd = random_state_dict(cfg, seed=14)
    module = build(cfg, sd, torch.float64)
    x = randn(2, 3, 48, seed=15, dtype=torch.float64)
    check_parts(module, cfg, sd, x, torch.arange(3), torch.float64, "MLAProjections(rms_norm_eps=0.5)",
                which=("queries", "latent"))


def test_projections_in_float64_rotate_in_float64():
    cfg = dict(SMALL)
    sd = random_state_dict(cfg, seed=34)
    module = build(cfg, sd, torch.float64)
    x = randn(1, 6, 48, seed=35, dtype=torch.float64)
    positions = torch.arange(50, 56)
    ref = ref_parts({k: v.double() for k, v in sd.items()}, cfg, x, positions)
    assert_close(module.queries(x, positions)[1], ref["q_rope"], **TIGHT,
                 what="MLAProjections(...).double().queries(x float64, positions 50..55)[1] (q_rope)", hint=HINT_F64)
    assert_close(module.latent(x, positions)[1], ref["k_rope"], **TIGHT,
                 what="MLAProjections(...).double().latent(x float64, positions 50..55)[1] (k_rope)", hint=HINT_F64)
    # the same after a float32 call: nothing the first call computed may stay on the module
    warm = build(cfg, sd, torch.float32)
    warm.queries(x.float(), positions), warm.latent(x.float(), positions)
    warm = load(warm.double(), {k: v.double() for k, v in sd.items()}, "MLAProjections(...)")
    got = (warm.queries(x, positions)[1], warm.latent(x, positions)[1])
    assert_close(got, (ref["q_rope"], ref["k_rope"]), **TIGHT,
                 what="MLAProjections(...) called once in float32, then .double(): (q_rope, k_rope) of "
                      "x float64, positions 50..55",
                 hint="do not cache RoPE's frequencies on the module at the first call as a plain attribute: "
                      ".double() converts parameters and buffers only, so a float32 table stays float32; "
                      + HINT_F64)


def test_projections_use_each_tokens_own_position():
    cfg = dict(SMALL)
    sd = random_state_dict(cfg, seed=36)
    module = build(cfg, sd, torch.float64)
    x = randn(2, 4, 48, seed=37, dtype=torch.float64)
    positions = torch.tensor([9, 2, 2, 30])
    check_parts(module, cfg, sd, x, positions, torch.float64, "MLAProjections (positions [9, 2, 2, 30])",
                which=("queries", "latent"))


def test_projections_on_the_meta_device():
    # everything made inside the methods must follow x's device (a table on the CPU fails here)
    module = MLAProjections(MLAConfig(**SMALL))
    cpu_x = randn(2, 3, 48, seed=38)  # a CPU call first: nothing it computed may stay behind after .to("meta")
    module.queries(cpu_x, torch.arange(4, 7)), module.latent(cpu_x, torch.arange(4, 7))
    module.to("meta")
    x = torch.empty(2, 3, 48, device="meta")
    positions = torch.arange(4, 7, device="meta")
    # on meta itself, not the cheap probe (assert_on_input_device): a table kept in a plain
    # attribute stays on the CPU with a CPU module, and only .to("meta") leaves it behind
    outs = on_meta(lambda: module.queries(x, positions) + module.latent(x, positions),
                   what="MLAProjections on the meta device: queries/latent",
                   hint="build RoPE's frequencies from x (device=x.device, dtype=x.dtype) at every call, not "
                        "as a CPU tensor, nor a table cached on the module at an earlier call (a plain attribute "
                        "that .to() does not move)")
    if outs is None:
        return  # the code reads data: the meta device cannot judge it
    shapes = [tuple(o.shape) for o in outs]
    assert shapes == [(2, 4, 3, 12), (2, 4, 3, 8), (2, 3, 24), (2, 3, 8)] and all(
        o.device.type == "meta" for o in outs), f"MLAProjections on meta: got shapes {shapes}"


# ------------------------------------------------------------------------ inputs, gradients

def test_non_contiguous_inputs_are_left_alone():
    cfg = dict(SMALL)
    sd = random_state_dict(cfg, seed=16)
    module = build(cfg, sd, torch.float64)
    x = non_contiguous(randn(2, 3, 48, seed=17, dtype=torch.float64))
    positions = torch.arange(1, 4)
    with unchanged(x, positions, names=["x", "positions"]):
        check_parts(module, cfg, sd, x, positions, torch.float64, "MLAProjections (non-contiguous x)",
                    which=("queries", "latent"))
    c_kv = non_contiguous(randn(2, 6, 24, seed=18, dtype=torch.float64))
    with unchanged(c_kv, names=["c_kv"]):
        k_nope, v = module.expand_kv(c_kv)
    ref = F.linear(c_kv, sd["kv_b_proj.weight"]).reshape(2, 6, 4, 22).permute(0, 2, 1, 3)
    assert_close(k_nope, ref[..., :12], **TOL[torch.float64], what="expand_kv(non-contiguous c_kv)[0]",
                 hint=HINT_EXPAND)
    assert_close(v, ref[..., 12:], **TOL[torch.float64], what="expand_kv(non-contiguous c_kv)[1]",
                 hint=HINT_EXPAND)


@pytest.mark.parametrize("cfg", [CONFIGS[0], CONFIGS[2]], ids=[CONFIG_IDS[0], CONFIG_IDS[2]])
def test_gradients_reach_x_and_every_weight(cfg):
    sd = random_state_dict(cfg, seed=19)
    module = build(cfg, sd, torch.float64)
    x = randn(2, 4, 48, seed=20, dtype=torch.float64, requires_grad=True)
    positions = torch.arange(3, 7)
    q_nope, q_rope = module.queries(x, positions)
    c_kv, k_rope = module.latent(x, positions)
    k_nope, v = module.expand_kv(c_kv)
    gen = torch.Generator().manual_seed(21)
    outs = [q_nope, q_rope, c_kv, k_rope, k_nope, v]
    weights = [torch.randn(o.shape, generator=gen, dtype=torch.float64) for o in outs]
    loss = sum((o * w).sum() for o, w in zip(outs, weights))
    names = sorted(expected_shapes(cfg))
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(loss, [x] + [params[n] for n in names])

    ref_sd = {n: sd[n].clone().requires_grad_() for n in names}
    xr = x.detach().clone().requires_grad_()
    ref = ref_parts(ref_sd, cfg, xr, positions)
    ref_loss = sum((ref[k] * w).sum() for k, w in zip(["q_nope", "q_rope", "c_kv", "k_rope", "k_nope", "v"], weights))
    ref_grads = torch.autograd.grad(ref_loss, [xr] + [ref_sd[n] for n in names])
    for name, g, r in zip(["x"] + names, grads, ref_grads):
        assert_close(g, r, **TOL[torch.float64], what=f"d(loss)/d({name}) ({cfg_name(cfg)})",
                     hint="every output must be a differentiable function of x and the weights "
                          "(no .detach(), no torch.no_grad(), no in-place writes)")
