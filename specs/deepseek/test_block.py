"""Specs for katas/deepseek/block.py (day 31): DecoderLayer.

References: golden fixtures from Hugging Face transformers' DeepseekV3DecoderLayer and
DeepseekV2DecoderLayer on the same weights (scripts/make_deepseek_fixtures.py: layer 0 dense,
layer 1 MoE, V3 and V2 routing, tokens at positions 3..8), and an independent float64 decoder
written from the equations (specs/deepseek/_model_reference.py: naive MLA, a per-token loop
for the experts). Sizes all differ (hidden 48, dense MLP 64, 4 heads, query latent 40, KV
latent 24, nope 12, rope 8, value 10, 8 experts of width 16 in 4 groups, 2 per token).
Tolerances: rtol = atol = 1e-4 against the fixture (HF normalises and routes in float32);
float64 against the reference rtol = atol = 2e-5 (routing weights are float32 in every
implementation, and V2 scales them by 16). Inputs whose routing is a near-tie (a margin below
1e-5 between the last chosen and the first rejected expert or group) are skipped.

Contract-to-spec map:
- submodule names / state_dict keys and shapes (dense and MoE, V2/V3, no q compression),
  every weight an nn.Parameter (not a buffer), only e_score_correction_bias a buffer:
  test_state_dict_keys_and_shapes
- dense iff layer_idx < first_k_dense_replace (k = 0..3, k beyond the layers):
  test_dense_for_the_first_*, test_the_switch_changes_the_output
- pre-norm residuals on the un-normalised stream: test_residuals_carry_x_*
- values vs HF and the reference (float32/float64, positions): test_layer_matches_*
- cache and start_pos passed on (prefill + decode, chunks); cache=None afterwards uses no cache (none
  kept on the layer): test_decoding_with_the_cache_*
- shapes, x's dtype, non-contiguous x left alone: test_shapes_dtypes_and_inputs_left_alone
- gradients: test_gradients_match_the_reference
- eps = config.rms_norm_eps (0.5, and an explicit 0.0): test_norms_use_the_configs_eps,
  test_an_explicit_zero_eps_is_used
"""

import dataclasses

import pytest
import torch
from hypothesis import assume, given, strategies as st

from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_parameters_like, non_contiguous,
                            randn, unchanged)
from katas.deepseek.block import DecoderLayer
from katas.deepseek.config import DeepSeekConfig
from katas.mla.attention import MLACache
from specs.deepseek import _model_reference as ref

FIXTURE = ref.load_fixture()
SEEDS = st.integers(0, 2**31 - 1)
FIXTURE_TOL = dict(rtol=1e-4, atol=1e-4)
REF_TOL = {torch.float64: dict(rtol=2e-5, atol=2e-5), torch.float32: dict(rtol=1e-4, atol=1e-4)}
MIN_MARGIN = 1e-5

HINT_SWITCH = ("layers 0 .. first_k_dense_replace - 1 are dense, every later layer is MoE: "
               "dense exactly when layer_idx < first_k_dense_replace (first_k_dense_replace = 0: "
               "no dense layer at all)")
HINT_LAYER = ("pre-norm: h = x + self_attn(input_layernorm(x)), out = h + mlp(post_attention_layernorm(h)); "
              "mlp is Expert(hidden_size, intermediate_size) for layer_idx < first_k_dense_replace, "
              "MoE(config) after; both norms RMSNorm(hidden_size, eps=config.rms_norm_eps)")
HINT_RESIDUAL = ("the residual adds each sub-block's output to the UN-normalised stream: h = x + attn(norm1(x)), "
                 "out = h + mlp(norm2(h)); do not add the normalised x, and do not normalise the sum")
KEYS_HINT = ("names as in Hugging Face's DeepseekV3DecoderLayer: input_layernorm, self_attn "
             "(MultiHeadLatentAttention(config)), post_attention_layernorm, mlp (dense: "
             "gate_proj/up_proj/down_proj of width intermediate_size; MoE: gate, experts, shared_experts)")


def config(name: str = "v3", **changes) -> DeepSeekConfig:
    """The fixture's config `name` (fields DeepSeekConfig does not have are left out)."""
    fields = {f.name for f in dataclasses.fields(DeepSeekConfig)}
    return DeepSeekConfig(**{k: v for k, v in {**FIXTURE["configs"][name], **changes}.items() if k in fields})


def layer_weights(name: str, layer_idx: int) -> dict:
    prefix = f"model.layers.{layer_idx}."
    return {k[len(prefix):]: v for k, v in FIXTURE["state_dicts"][name].items() if k.startswith(prefix)}


def build(c: DeepSeekConfig, layer_idx: int, weights: dict, dtype=torch.float64) -> DecoderLayer:
    """DecoderLayer(c, layer_idx) with `weights` loaded (strict), in dtype and eval mode."""
    __tracebackhide__ = True
    layer = DecoderLayer(c, layer_idx).to(dtype)  # before loading: float64 weights stay exact
    try:
        layer.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        raise SpecFailure(f"DecoderLayer(config, {layer_idx}).load_state_dict(reference weights) failed:\n  "
                          + str(err).strip().replace("\n", "\n  ")[:1500] + f"\n  hint: {KEYS_HINT}") from None
    return layer.eval()


def kind(layer_keys) -> str:
    if "mlp.gate_proj.weight" in layer_keys:
        return "dense"
    if "mlp.gate.weight" in layer_keys:
        return "MoE"
    return "neither (no mlp.gate_proj.weight nor mlp.gate.weight)"


def reference(weights: dict, c, layer_idx, x, start_pos=0):
    """(output, smallest routing margin) of the independent float64 layer."""
    margins = []
    out = ref.layer({k: v.double() for k, v in weights.items()}, c, layer_idx, x.double(), start_pos,
                    margins=margins)
    return out, min(margins, default=float("inf"))


# ------------------------------------------------------------------------ structure

@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_dense_for_the_first_first_k_dense_replace_layers_moe_after(k):
    c = config(first_k_dense_replace=k)
    for layer_idx in range(c.num_hidden_layers):
        got = kind(DecoderLayer(c, layer_idx).state_dict())
        expected = "dense" if layer_idx < k else "MoE"
        if got != expected:
            raise SpecFailure(f"DecoderLayer(config with first_k_dense_replace={k}, layer_idx={layer_idx}) "
                              f"built a {got} mlp, expected {expected}\n  hint: {HINT_SWITCH}")


@pytest.mark.parametrize("name,layer_idx", [("v3", 0), ("v3", 1), ("v3_no_q_lora", 2), ("v2", 1)])
def test_state_dict_keys_and_shapes(name, layer_idx):
    layer = DecoderLayer(config(name), layer_idx)
    mine = {k: tuple(v.shape) for k, v in layer.state_dict().items()}
    expected = ref.layer_shapes(config(name), layer_idx)
    assert expected == {k: tuple(v.shape) for k, v in layer_weights(name, layer_idx).items()}
    missing, unexpected = sorted(set(expected) - set(mine)), sorted(set(mine) - set(expected))
    wrong = sorted(k for k in set(mine) & set(expected) if mine[k] != expected[k])
    if missing or unexpected or wrong:
        raise SpecFailure(
            f"DecoderLayer({name} config, layer_idx={layer_idx}).state_dict() differs from DeepSeek's:\n"
            f"  missing {missing[:8]}{' ...' if len(missing) > 8 else ''}\n"
            f"  unexpected {unexpected[:8]}{' ...' if len(unexpected) > 8 else ''}\n"
            + "".join(f"  {k}: shape {mine[k]}, expected {expected[k]}\n" for k in wrong[:8])
            + f"  hint: {KEYS_HINT}; {HINT_SWITCH}")
    # every weight trains: a scale kept as a buffer has the right key but no optimizer sees it
    assert_parameters_like(layer, {k: s for k, s in expected.items() if not k.endswith("e_score_correction_bias")},
                           what=f"DecoderLayer({name} config, layer_idx={layer_idx})", like="DeepSeek's DecoderLayer",
                           hint="every weight (norm scales included) is an nn.Parameter; only the gate's "
                                "e_score_correction_bias is a buffer")


# ------------------------------------------------------------------------ values

@pytest.mark.parametrize("layer_idx", [0, 1], ids=["dense", "moe"])
def test_residuals_carry_x_when_the_sub_blocks_output_zero(layer_idx):
    weights = {k: (torch.zeros_like(v) if k.endswith(("o_proj.weight", "down_proj.weight")) else v)
               for k, v in layer_weights("v3", layer_idx).items()}
    layer = build(config("v3"), layer_idx, weights)
    x = randn(2, 4, 48, seed=3, dtype=torch.float64) * 3.0
    with torch.no_grad():
        out = layer(x)
    assert_close(out, x, rtol=1e-12, atol=1e-12,
                 what=f"DecoderLayer(v3 config, {layer_idx})(x) with o_proj and every down_proj zeroed "
                      "(attention and MLP both output 0)",
                 hint=HINT_RESIDUAL)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,layer_idx", [("v3", 0), ("v3", 1), ("v2", 0), ("v2", 1)],
                         ids=["v3-dense", "v3-moe", "v2-dense", "v2-moe"])
def test_layer_matches_hugging_face(name, layer_idx, dtype):
    case = FIXTURE["layers"][name]
    layer = build(config(name), layer_idx, layer_weights(name, layer_idx), dtype)
    x = case["x"].to(dtype)
    with torch.no_grad():
        out = layer(x, start_pos=case["start_pos"])
    assert_close(out, case["out"][layer_idx].to(dtype), **FIXTURE_TOL,
                 what=f"DecoderLayer({name} config, {layer_idx})(x {tuple(x.shape)} {dtype}, "
                      f"start_pos={case['start_pos']}) vs Hugging Face's {'dense' if layer_idx == 0 else 'MoE'} layer",
                 hint=HINT_LAYER)


@pytest.mark.parametrize("k,layer_idx", [(2, 1), (1, 1), (0, 0), (3, 2)])
def test_the_switch_changes_the_output(k, layer_idx):
    c = config("v3", first_k_dense_replace=k)
    weights = ref.random_weights(ref.layer_shapes(c, layer_idx), seed=10 + k)
    layer = DecoderLayer(c, layer_idx).double()  # before loading: float64 weights stay exact
    try:
        layer.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        raise SpecFailure(f"DecoderLayer(config with first_k_dense_replace={k}, layer_idx={layer_idx}) cannot load "
                          f"a {'dense' if ref.is_dense(c, layer_idx) else 'MoE'} layer's weights:\n  "
                          + str(err).strip().splitlines()[0][:300] + f"\n  hint: {HINT_SWITCH}") from None
    layer = layer.eval()
    x = randn(2, 5, c.hidden_size, seed=k, dtype=torch.float64)
    with torch.no_grad():
        out = layer(x)
    expected, _ = reference(weights, c, layer_idx, x)
    assert_close(out, expected, **REF_TOL[torch.float64],
                 what=f"DecoderLayer(config with first_k_dense_replace={k}, layer_idx={layer_idx})(x (2, 5, 48))",
                 hint=f"{HINT_SWITCH}; {HINT_LAYER}")


@given(seed=SEEDS, B=st.integers(1, 3), T=st.integers(1, 6), start_pos=st.integers(0, 9),
       style=st.sampled_from(["v3", "v2", "v3_no_q_lora"]), layer_idx=st.integers(0, 2))
def test_layer_matches_the_reference(seed, B, T, start_pos, style, layer_idx):
    c = config(style)
    weights = ref.random_weights(ref.layer_shapes(c, layer_idx), seed=seed)
    layer = build(c, layer_idx, weights)
    x = randn(B, T, c.hidden_size, seed=seed + 1, dtype=torch.float64)
    with torch.no_grad():
        out = layer(x, start_pos=start_pos)
    expected, margin = reference(weights, c, layer_idx, x, start_pos)
    assume(margin > MIN_MARGIN)
    assert_close(out, expected, **REF_TOL[torch.float64],
                 what=f"DecoderLayer({style} config, {layer_idx})(x ({B}, {T}, 48), start_pos={start_pos})",
                 hint=HINT_LAYER)


# ------------------------------------------------------------------------ the latent cache

@pytest.mark.parametrize("chunks", [(7, 1, 1, 1, 1, 1), (4, 3, 5)], ids=["prefill7+5x1", "4+3+5"])
@pytest.mark.parametrize("name,layer_idx", [("v3", 0), ("v3", 1), ("v2", 2)])
def test_decoding_with_the_cache_equals_the_full_forward(name, layer_idx, chunks):
    c = config(name)
    layer = build(c, layer_idx, layer_weights(name, layer_idx))
    x = randn(2, 12, 48, seed=layer_idx, dtype=torch.float64)
    cache = MLACache(c, 2, 12, dtype=torch.float64)
    outs, start = [], 0
    with torch.no_grad():
        for n in chunks:
            outs.append(layer(x[:, start:start + n], cache=cache, start_pos=start))
            start += n
        full = layer(x)
    assert_close(torch.cat(outs, dim=1), full, **REF_TOL[torch.float64],
                 what=f"DecoderLayer({name} config, {layer_idx}) fed chunks {chunks} with an MLACache vs one "
                      "forward of all 12 tokens",
                 hint="forward(x, cache, start_pos) must hand both to self_attn (self_attn(norm(x), cache=cache, "
                      "start_pos=start_pos)): the new tokens' latents go into the cache at start_pos and the "
                      "attention sees every cached position")
    # after the cached calls, cache=None at start_pos 7 attends among x's own 5 tokens (nothing kept)
    with torch.no_grad():
        tail = layer(x[:, 7:], start_pos=7)
    expected, margin = reference(layer_weights(name, layer_idx), c, layer_idx, x[:, 7:], 7)
    assert margin > MIN_MARGIN  # fixed inputs: checked once
    assert_close(tail, expected, **REF_TOL[torch.float64],
                 what=f"DecoderLayer({name} config, {layer_idx}): after decoding with an MLACache, "
                      "layer(x[:, 7:], start_pos=7) with cache=None",
                 hint="cache=None means no cache: the T tokens of x attend among themselves, causally; keep "
                      "no cache (or anything else) on the layer between calls")


# ------------------------------------------------------------------------ shapes, dtypes, inputs

@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("B,T", [(1, 1), (3, 7), (2, 13)])
def test_shapes_dtypes_and_inputs_left_alone(B, T, dtype):
    c = config("v3")
    weights = layer_weights("v3", 1)
    layer = build(c, 1, weights, dtype)
    x = non_contiguous(randn(B, T, 48, seed=B * T, dtype=dtype))
    with unchanged(x, names=["x"]), torch.no_grad():
        out = layer(x)
    expected, margin = reference({k: v.to(dtype) for k, v in weights.items()}, c, 1, x)
    assert margin > MIN_MARGIN  # fixed inputs: checked once
    assert_close(out, expected.to(dtype), **REF_TOL[dtype],
                 what=f"DecoderLayer(v3 config, 1)(non-contiguous x ({B}, {T}, 48) {dtype})", hint=HINT_LAYER)


@pytest.mark.parametrize("name,layer_idx", [("v3", 0), ("v3", 1), ("v2", 1)], ids=["v3-dense", "v3-moe", "v2-moe"])
def test_gradients_match_the_reference(name, layer_idx):
    c = config(name)
    weights = layer_weights(name, layer_idx)
    layer = build(c, layer_idx, weights)
    x = randn(2, 5, 48, seed=7, dtype=torch.float64)
    sd = {k: v.double() for k, v in weights.items()}
    assert_grads_match(lambda t: layer(t, start_pos=2), lambda t: ref.layer(sd, c, layer_idx, t, 2), x,
                       **REF_TOL[torch.float64],
                       what=f"DecoderLayer({name} config, {layer_idx}) d out / d x",
                       hint="keep everything differentiable: no .detach() or torch.no_grad() in forward "
                            "(the routing weights carry gradient to the gate; only the choice is discrete)")


def test_norms_use_the_configs_eps():
    c = dataclasses.replace(config("v3"), rms_norm_eps=0.5)
    weights = layer_weights("v3", 0)
    layer = build(c, 0, weights)
    x = randn(1, 3, 48, seed=9, dtype=torch.float64)
    with torch.no_grad():
        out = layer(x)
    expected, _ = reference(weights, c, 0, x)
    assert_close(out, expected, **REF_TOL[torch.float64], what="DecoderLayer(config with rms_norm_eps=0.5, 0)(x)",
                 hint="both RMSNorms take eps=config.rms_norm_eps")


@pytest.mark.parametrize("layer_idx", [0, 1], ids=["dense", "moe"])
def test_an_explicit_zero_eps_is_used(layer_idx):
    # activations of size 1e-3: mean(x^2) ~ 1e-6, so eps 0 and the default 1e-6 differ visibly
    c = dataclasses.replace(config("v3"), rms_norm_eps=0.0)
    weights = layer_weights("v3", layer_idx)
    layer = build(c, layer_idx, weights)
    x = randn(1, 4, 48, seed=10, dtype=torch.float64) * 1e-3
    with torch.no_grad():
        out = layer(x)
    expected, margin = reference(weights, c, layer_idx, x)
    assert margin > MIN_MARGIN
    assert_close(out, expected, **REF_TOL[torch.float64],
                 what=f"DecoderLayer(config with rms_norm_eps=0.0, {layer_idx})(x of size 1e-3)",
                 hint="rms_norm_eps=0.0 is a value: pass config.rms_norm_eps as it is (no `or 1e-6`)")
