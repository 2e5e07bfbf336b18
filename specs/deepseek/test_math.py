"""Specs for katas/deepseek/math.py (day 32): DeepSeekMath-7B, a Llama-style decoder
(count_parameters, Attention, DecoderLayer, DeepSeekMathModel, DeepSeekMathForCausalLM).

References:
- a golden fixture from Hugging Face transformers' LlamaForCausalLM on the same weights
  (scripts/make_math_fixtures.py; specs/deepseek/fixtures/math_tiny.pt): three tiny configs
  (vocab 67, hidden 32, MLP 40, 2 layers, 4 query heads with 2 KV heads "gqa", 4 "mha" and 1
  "mqa", max_position_embeddings 48, rope_theta 500); logits for default positions, for
  explicit per-row position_ids with gaps, for rope_theta 10000 and rms_norm_eps 0.25 (same
  weights), a single token; layer 0's and its attention's inputs and outputs; the final
  hidden states. Tolerance rtol = atol = 1e-4 (HF runs its norms, RoPE tables and softmax in
  float32); the float64 model against itself (cache vs full forward) 1e-10.
- RoPE tables for the layer specs computed here from theta_i = theta^(-2i/head_dim).
- parameter shapes written here from the architecture (spec_shapes), for tiny configs and for
  DeepSeekMath-7B on the meta device.
- the published numbers, checked against deepseek-ai/deepseek-math-7b-base's config.json
  (https://huggingface.co/deepseek-ai/deepseek-math-7b-base/blob/main/config.json:
  LlamaForCausalLM, hidden_size 4096, intermediate_size 11008, num_hidden_layers 30,
  num_attention_heads 32, num_key_value_heads 32, vocab_size 102400, max_position_embeddings
  4096, rms_norm_eps 1e-06, rope_theta 10000.0, tie_word_embeddings false, hidden_act silu,
  rope_scaling null). The closed form gives 6,910,365,696 parameters: the model is published
  as "7B", and its Hugging Face repository holds two bfloat16 shards of 9.97 GB and 3.85 GB
  (13.8 GB in all; 2 bytes x 6,910,365,696 = 13.82 GB). No exact published count was found.
- gradients against central finite differences in float64 (one random direction over every
  weight at once).

Contract-to-spec map:
- the config's defaults are the published numbers, count 6,910,365,696 as a Python int (not 6910365696.0;
  exact past 2**53 too, with a 2**42 + 1-token vocabulary):
  test_deepseek_math_7b_is_the_published_config_and_count
- count_parameters closed form, every block, GQA's smaller k/v, untied head:
  test_count_parameters_matches_the_architecture (hypothesis), test_models_have_the_counted_parameters,
  test_the_7b_model_built_on_the_meta_device; "build no module, allocate no tensor":
  test_count_parameters_builds_nothing
- state_dict keys = HF's, k/v with num_key_value_heads heads: test_state_dict_keys_and_shapes
- untied lm_head: test_lm_head_is_its_own_matrix
- logits vs HF (GQA, MHA, MQA; rotate-half RoPE; theta; eps; one token), float32 and float64:
  test_logits_match_hugging_face
- DeepSeekMathModel returns the normalised hidden states: test_deepseek_math_model_*
- DecoderLayer (pre-norm, SwiGLU), Attention (cos/sin rows per token, GQA head h -> h // G, scale;
  causal even at scores ~1e10: no finite mask; float64 cos/sin on a float32 Attention used in x's
  dtype): test_decoder_layer_*, test_attention_*; an explicit
  rms_norm_eps=0.0 in the layer norms and the final norm: test_an_explicit_zero_eps_is_used
- explicit position_ids (B, T) with gaps, per row; (1, T) shared; positions only rotate:
  test_logits_match_hugging_face[gqa-positions], test_position_ids_shared_by_every_row
- cache: default positions continue (never restart), bottom-right mask, chunks:
  test_decoding_through_the_cache_equals_the_full_forward; start = cache[0].length of the cache
  passed in (two caches in turn): test_two_caches_used_in_turn_*; a chunk after a cached prefix with
  explicit positions: test_a_chunk_after_a_cached_prefix_with_explicit_positions
- make_cache: a list (not a tuple) of one KVCache per layer, n_kv heads, model dtype/device, empty:
  test_make_cache_gives_one_kv_cache_per_layer; overflow: test_more_tokens_than_the_cache_holds_raise
- errors: bad configs (4 constructors, n = 0 and negative n, n_kv too; H not a multiple of n with an
  even head_dim (36, 8); the two model classes allocate nothing first):
  test_bad_configs_raise; positions out of range, given or default (after a cache and without
  one), cache untouched, the message naming the default position past a cache longer than the limit:
  test_positions_out_of_range_raise; wrong position_ids shape:
  test_position_ids_of_another_shape_raise (both with a cache and without one)
- differentiable: test_gradients_match_finite_differences
- inputs unchanged, non-contiguous inputs, train mode = eval mode: test_inputs_are_not_modified_*
- any device (also after CPU calls, then .to("meta")): test_forward_builds_its_tensors_on_the_models_device
"""

import copy
import dataclasses
import math
from pathlib import Path

import pytest
import torch
from hypothesis import given, strategies as st

from harness.budgets import PeakMemory, allocations
from harness.checks import (SpecFailure, assert_close, assert_kept_state_follows_the_device, assert_on_input_device,
                            assert_raises, forbid, non_contiguous, tensors_held, unchanged)
from katas.deepseek.math import (DEEPSEEK_MATH_7B, Attention, DecoderLayer, DeepSeekMathConfig,
                                 DeepSeekMathForCausalLM, DeepSeekMathModel, count_parameters)
from katas.inference.kv_cache import KVCache

FIXTURE = torch.load(Path(__file__).parent / "fixtures" / "math_tiny.pt", weights_only=True)
WEIGHTS = {name: {k: v.float() for k, v in sd.items()} for name, sd in FIXTURE["state_dicts"].items()}
CASES = FIXTURE["cases"]
BASE = CASES[0]                       # gqa, ids (2, 9), default positions, with layer 0's tensors
GAPS = CASES[1]                       # gqa, the same ids, explicit position_ids with gaps per row
FIXTURE_TOL = dict(rtol=1e-4, atol=1e-4)
TOL64 = dict(rtol=1e-10, atol=1e-10)

# deepseek-ai/deepseek-math-7b-base's config.json, the fields DeepSeekMathConfig keeps
PUBLISHED = dict(vocab_size=102400, hidden_size=4096, intermediate_size=11008, num_hidden_layers=30,
                 num_attention_heads=32, num_key_value_heads=32, max_position_embeddings=4096,
                 rms_norm_eps=1e-6, rope_theta=10000.0)
PUBLISHED_COUNT = 6_910_365_696

KEYS_HINT = ("names as in Hugging Face's LlamaForCausalLM: model.embed_tokens, model.layers.{i}."
             "{input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm, mlp.{gate,up,down}_proj}, "
             "model.norm, lm_head; k_proj and v_proj have num_key_value_heads * head_dim rows")
HINT_MODEL = ("logits = lm_head(norm(layers(embed_tokens(ids)))); each layer h = x + self_attn(input_layernorm(x)), "
              "out = h + mlp(post_attention_layernorm(h)); RoPE rotate-half (apply_rope(..., interleaved=False)) on "
              "q and k with tables from rope_cache(head_dim, max_position_embeddings, base=config.rope_theta); "
              "query head h reads KV head h // (num_attention_heads // num_key_value_heads)")
HINT_CACHE = ("with a cache the new tokens sit after the start = cache[0].length cached ones: default positions "
              "start .. start + T - 1 (not 0 .. T - 1), keys and values from cache.update(k, v), and the causal "
              "mask aligned bottom-right: torch.ones(T, S, dtype=torch.bool).tril(S - T)")


def config(name: str = "gqa", **changes) -> DeepSeekMathConfig:
    return DeepSeekMathConfig(**{**FIXTURE["configs"][name], **changes})


def build(c: DeepSeekMathConfig, weights: dict, dtype=torch.float64) -> DeepSeekMathForCausalLM:
    """DeepSeekMathForCausalLM(c) with `weights` loaded (strict), in dtype and eval mode."""
    __tracebackhide__ = True
    model = DeepSeekMathForCausalLM(c)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        raise SpecFailure("DeepSeekMathForCausalLM(config).load_state_dict(Hugging Face's weights) failed:\n  "
                          + str(err).strip().replace("\n", "\n  ")[:1500] + f"\n  hint: {KEYS_HINT}") from None
    return model.to(dtype).eval()


def loaded(name: str = "gqa", dtype=torch.float64, **changes) -> DeepSeekMathForCausalLM:
    return build(config(name, **changes), WEIGHTS[name], dtype)


def sub_weights(name: str, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in WEIGHTS[name].items() if k.startswith(prefix)}


def load_part(module, weights: dict, what: str):
    __tracebackhide__ = True
    try:
        module.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        raise SpecFailure(f"{what}.load_state_dict(Hugging Face's weights) failed:\n  "
                          + str(err).strip().replace("\n", "\n  ")[:1500] + f"\n  hint: {KEYS_HINT}") from None
    return module.double().eval()


def rope_rows(positions: torch.Tensor, head_dim: int, theta: float):
    """cos, sin (B, T, head_dim/2) in float64: cos/sin(p * theta^(-2i/head_dim))."""
    inv = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = positions.to(torch.float64)[..., None] * inv
    return angles.cos(), angles.sin()


def spec_shapes(c) -> dict[str, tuple[int, ...]]:
    """Every parameter of the architecture, Hugging Face's names (written from the contract)."""
    H, hd = c.hidden_size, c.hidden_size // c.num_attention_heads
    q, kv, ff = c.num_attention_heads * hd, c.num_key_value_heads * hd, c.intermediate_size
    shapes = {"model.embed_tokens.weight": (c.vocab_size, H)}
    for i in range(c.num_hidden_layers):
        p = f"model.layers.{i}."
        shapes.update({p + "input_layernorm.weight": (H,), p + "self_attn.q_proj.weight": (q, H),
                       p + "self_attn.k_proj.weight": (kv, H), p + "self_attn.v_proj.weight": (kv, H),
                       p + "self_attn.o_proj.weight": (H, q), p + "post_attention_layernorm.weight": (H,),
                       p + "mlp.gate_proj.weight": (ff, H), p + "mlp.up_proj.weight": (ff, H),
                       p + "mlp.down_proj.weight": (H, ff)})
    shapes.update({"model.norm.weight": (H,), "lm_head.weight": (c.vocab_size, H)})
    return shapes


def spec_count(c) -> int:
    return sum(math.prod(s) for s in spec_shapes(c).values())


def make_cache(model, batch_size, max_len):
    __tracebackhide__ = True
    cache = model.make_cache(batch_size, max_len)
    n_layers = len(model.model.layers)
    if not isinstance(cache, list) or len(cache) != n_layers:  # a list, as promised (not a tuple)
        raise SpecFailure(f"make_cache({batch_size}, {max_len}) returned {type(cache).__name__}"
                          f"{' of length ' + str(len(cache)) if isinstance(cache, (list, tuple)) else ''}; "
                          f"expected a list of {n_layers} KVCache, one per layer")
    return cache


def case_id(case) -> str:
    changes = "".join(f"-{k}={v:g}" for k, v in case["changes"].items())
    kind = "-positions" if case["position_ids"] is not None else ""
    return f"{case['config']}{kind}{changes}-{tuple(case['input_ids'].shape)}"


# ------------------------------------------------------------------------ the config and the count

def test_deepseek_math_7b_is_the_published_config_and_count():
    fields = {f.name: getattr(DEEPSEEK_MATH_7B, f.name) for f in dataclasses.fields(DeepSeekMathConfig)}
    assert fields == PUBLISHED, (f"DEEPSEEK_MATH_7B is {fields}; deepseek-math-7b-base's config.json says "
                                 f"{PUBLISHED}: leave the given config as it is")
    assert spec_count(DEEPSEEK_MATH_7B) == PUBLISHED_COUNT  # the spec's own shapes agree
    got = count_parameters(DEEPSEEK_MATH_7B)
    if type(got) is not int:  # 6910365696.0 compares equal to the int
        raise SpecFailure(
            f"count_parameters(DEEPSEEK_MATH_7B) returned {type(got).__name__} {got!r}; the contract says a "
            "Python int\n  hint: head_dim = hidden_size // num_attention_heads (a / makes a float, and so "
            "does every product with it); no float, numpy or tensor arithmetic")
    if got != PUBLISHED_COUNT:
        raise SpecFailure(
            f"count_parameters(DEEPSEEK_MATH_7B) = {got:,}, expected {PUBLISHED_COUNT:,} ({got - PUBLISHED_COUNT:+,}): "
            f"2 * vocab * H (embed_tokens and the untied lm_head) + 30 layers * (q, k, v, o: 4 * H * H with "
            f"32 KV heads; gate, up, down: 3 * H * 11008; two norms: 2 * H) + H (final norm)")
    # the published checkpoint: 9.97 GB + 3.85 GB of bfloat16 (2 bytes a parameter)
    assert abs(2 * got / 1e9 - (9.97 + 3.85)) < 0.01 and round(got / 1e9, 2) == 6.91
    # past 2**53 a float no longer holds every int: int(2.0 * vocab * H + ...) rounds there
    huge = dataclasses.replace(DEEPSEEK_MATH_7B, vocab_size=2**42 + 1, hidden_size=4098, num_attention_heads=1,
                               num_key_value_heads=1)  # one head of 4098: a count that is not a multiple of 8
    got, want = count_parameters(huge), spec_count(huge)
    if got != want or type(got) is not int:
        raise SpecFailure(
            f"count_parameters(replace(DEEPSEEK_MATH_7B, vocab_size=2**42 + 1, hidden_size=4098, one head)) = "
            f"{got!r}, expected {want:,} (a count past 2**53)\n  hint: keep every step in Python ints (no 2.0 *, no / then int()): "
            f"float64 rounds integers above 2**53")


def tiny_configs():
    @st.composite
    def draw(draw):
        n_kv = draw(st.integers(1, 4))
        n = n_kv * draw(st.integers(1, 4))
        head_dim = 2 * draw(st.integers(1, 6))
        return DeepSeekMathConfig(vocab_size=draw(st.integers(1, 300)), hidden_size=n * head_dim,
                                  intermediate_size=draw(st.integers(1, 100)),
                                  num_hidden_layers=draw(st.integers(0, 5)), num_attention_heads=n,
                                  num_key_value_heads=n_kv, max_position_embeddings=draw(st.integers(1, 64)))
    return draw()


@given(c=tiny_configs())
def test_count_parameters_matches_the_architecture(c):
    got, expected = count_parameters(c), spec_count(c)
    if got != expected:
        raise SpecFailure(
            f"count_parameters({c}) = {got!r}, expected {expected:,} ({got - expected:+,})\n  hint: embed_tokens "
            "and lm_head (vocab x H each, untied), per layer q_proj and o_proj (n * head_dim x H), k_proj and "
            "v_proj (num_key_value_heads * head_dim x H: not num_attention_heads), gate/up/down (3 x "
            "intermediate x H) and two norms (H each), then the final norm (H)")


@pytest.mark.parametrize("name,changes", [("gqa", {}), ("mha", {}), ("mqa", {}),
                                          ("gqa", dict(num_hidden_layers=3, intermediate_size=7))],
                         ids=["gqa", "mha", "mqa", "gqa-3-layers"])
def test_models_have_the_counted_parameters(name, changes):
    c = config(name, **changes)
    model = DeepSeekMathForCausalLM(c)
    n = sum(p.numel() for p in model.parameters())
    expected = spec_count(c)
    assert n == expected, (f"DeepSeekMathForCausalLM({c}) has {n:,} parameters, expected {expected:,} "
                           f"({n - expected:+,})\n  hint: {KEYS_HINT}")
    got = count_parameters(c)
    assert got == expected, f"count_parameters({c}) = {got!r}, but the model has {expected:,} parameters"


def test_count_parameters_builds_nothing():
    with forbid("torch.nn.Module.__init__"):
        count_parameters(DEEPSEEK_MATH_7B)
    made = allocations(count_parameters, DEEPSEEK_MATH_7B)
    if made:
        raise SpecFailure(f"count_parameters(DEEPSEEK_MATH_7B) made {len(made)} tensor(s) (first: {made[0]}); the "
                          "contract says arithmetic on the config's ints only\n  hint: multiply Python ints")


# ------------------------------------------------------------------------ structure

@pytest.mark.parametrize("name", ["gqa", "mha", "mqa"])
def test_state_dict_keys_and_shapes(name):
    model = DeepSeekMathForCausalLM(config(name))
    mine = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in WEIGHTS[name].items()}
    missing, unexpected = sorted(set(expected) - set(mine)), sorted(set(mine) - set(expected))
    wrong = sorted(k for k in set(mine) & set(expected) if mine[k] != expected[k])
    if missing or unexpected or wrong:
        raise SpecFailure(
            f"DeepSeekMathForCausalLM({name} config: {config(name).num_attention_heads} heads, "
            f"{config(name).num_key_value_heads} KV heads).state_dict() differs from Hugging Face's LlamaForCausalLM:\n"
            f"  missing {missing[:8]}{' ...' if len(missing) > 8 else ''}\n"
            f"  unexpected {unexpected[:8]}{' ...' if len(unexpected) > 8 else ''}\n"
            + "".join(f"  {k}: shape {mine[k]}, expected {expected[k]}\n" for k in wrong[:8])
            + f"  hint: {KEYS_HINT} (the RoPE tables are buffers with persistent=False)")


def test_lm_head_is_its_own_matrix():
    model = DeepSeekMathForCausalLM(config("gqa"))
    head, embed = model.lm_head.weight, model.model.embed_tokens.weight
    if head is embed or head.data_ptr() == embed.data_ptr():
        raise SpecFailure("DeepSeekMathForCausalLM: lm_head.weight is embed_tokens.weight (tied); DeepSeekMath keeps "
                          "two matrices (tie_word_embeddings false): lm_head = nn.Linear(hidden_size, vocab_size, "
                          "bias=False) with its own weight")


# ------------------------------------------------------------------------ values vs Hugging Face

@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_logits_match_hugging_face(case, dtype):
    model = loaded(case["config"], dtype, **case["changes"])
    with torch.no_grad():
        out = model(case["input_ids"], position_ids=case["position_ids"])
    c = config(case["config"], **case["changes"])
    given_positions = "" if case["position_ids"] is None else f", position_ids {case['position_ids'].tolist()}"
    assert_close(out, case["logits"].to(dtype), **FIXTURE_TOL,
                 what=f"DeepSeekMathForCausalLM({case['config']} config: {c.num_attention_heads} heads, "
                      f"{c.num_key_value_heads} KV heads, rope_theta {c.rope_theta:g}, rms_norm_eps {c.rms_norm_eps:g})"
                      f"(ids {tuple(case['input_ids'].shape)}{given_positions}) in {dtype} vs Hugging Face's "
                      "LlamaForCausalLM", hint=HINT_MODEL)


def test_deepseek_math_model_returns_the_final_hidden_states():
    model = load_part(DeepSeekMathModel(config("gqa")), sub_weights("gqa", "model."), "DeepSeekMathModel(config)")
    with torch.no_grad():
        out = model(BASE["input_ids"])
    assert_close(out, BASE["hidden"].double(), **FIXTURE_TOL, what="DeepSeekMathModel(gqa config)(ids (2, 9))",
                 hint="embed_tokens, every layer in order, then the final norm (what lm_head reads)")


def test_decoder_layer_matches_hugging_face():
    c = config("gqa")
    layer = load_part(DecoderLayer(c), sub_weights("gqa", "model.layers.0."), "DecoderLayer(config)")
    cos, sin = rope_rows(torch.arange(9).expand(2, 9), c.hidden_size // c.num_attention_heads, c.rope_theta)
    with torch.no_grad():
        out = layer(BASE["layer0_in"].double(), cos, sin)
    assert_close(out, BASE["layer0_out"].double(), **FIXTURE_TOL,
                 what="DecoderLayer(gqa config)(x (2, 9, 32), cos, sin) vs Hugging Face's layer 0",
                 hint="pre-norm: h = x + self_attn(input_layernorm(x), cos, sin, cache); "
                      "return h + mlp(post_attention_layernorm(h)); both norms with eps=config.rms_norm_eps")


def test_an_explicit_zero_eps_is_used():
    # activations of size 1e-4: mean(x^2) ~ 1e-8, so eps 0 and a default 1e-6 differ by far.
    # With eps = 0 an RMSNorm is x / sqrt(mean(x^2)) * weight, computed here.
    c = config("gqa", rms_norm_eps=0.0)
    hint = "rms_norm_eps=0.0 is a value: pass config.rms_norm_eps as it is to every RMSNorm (no `or 1e-6`)"

    def rms(t, w):
        return t / t.pow(2).mean(-1, keepdim=True).sqrt() * w

    weights = sub_weights("gqa", "model.layers.0.")
    layer = load_part(DecoderLayer(c), weights, "DecoderLayer(config)")
    cos, sin = rope_rows(torch.arange(9).expand(2, 9), c.hidden_size // c.num_attention_heads, c.rope_theta)
    x = BASE["layer0_in"].double() * 1e-4
    with torch.no_grad():
        out = layer(x, cos, sin)
        h = x + layer.self_attn(rms(x, weights["input_layernorm.weight"].double()), cos, sin)
        expected = h + layer.mlp(rms(h, weights["post_attention_layernorm.weight"].double()))
    assert_close(out, expected, rtol=1e-6, atol=1e-6, hint=hint,
                 what="DecoderLayer(gqa config with rms_norm_eps=0.0)(x of size 1e-4, cos, sin) vs its own "
                      "self_attn and mlp around eps-free norms")
    # the final norm: with every o_proj and down_proj zero, the layers add nothing
    model_weights = {k: (torch.zeros_like(v) if k.endswith(("o_proj.weight", "down_proj.weight")) else v)
                     for k, v in sub_weights("gqa", "model.").items()}
    model_weights["embed_tokens.weight"] = model_weights["embed_tokens.weight"] * 1e-4
    model = load_part(DeepSeekMathModel(c), model_weights, "DeepSeekMathModel(config)")
    ids = BASE["input_ids"]
    with torch.no_grad():
        out = model(ids)
    expected = rms(model_weights["embed_tokens.weight"].double()[ids], model_weights["norm.weight"].double())
    assert_close(out, expected, rtol=1e-6, atol=1e-6, hint=hint,
                 what="DeepSeekMathModel(gqa config with rms_norm_eps=0.0, embeddings of size 1e-4, every "
                      "o_proj and down_proj zero)(ids): the final norm of the embeddings")


def test_attention_matches_hugging_face():
    c = config("gqa")
    attn = load_part(Attention(c), sub_weights("gqa", "model.layers.0.self_attn."), "Attention(config)")
    cos, sin = rope_rows(torch.arange(9).expand(2, 9), c.hidden_size // c.num_attention_heads, c.rope_theta)
    with torch.no_grad():
        out = attn(BASE["attn0_in"].double(), cos, sin)
    assert_close(out, BASE["attn0_out"].double(), **FIXTURE_TOL,
                 what="Attention(gqa config: 4 heads, 2 KV heads)(x (2, 9, 32), cos, sin) vs Hugging Face's",
                 hint="q from q_proj in 4 heads, k and v in 2; rotate-half RoPE with row b, token t of cos/sin; "
                      "query head h reads KV head h // 2; scale 1/sqrt(head_dim); causal; o_proj")
    # Causal for any x: with inputs 1e5 times larger the scores reach ~1e10, far below any
    # finite mask value a learner might add (-1e4, -1e9); the first 4 tokens must still see
    # nothing after them.
    x = BASE["attn0_in"].double() * 1e5
    with torch.no_grad():
        full, prefix = attn(x, cos, sin), attn(x[:, :4], cos[:, :4], sin[:, :4])
    assert_close(full[:, :4], prefix, **TOL64,
                 what="Attention(x * 1e5, cos, sin)[:, :4] vs Attention of the first 4 tokens alone",
                 hint="mask the future keys out entirely (a bool attn_mask, or -inf), not with a large "
                      "finite negative number: scores of large inputs lie further down than -1e4 or -1e9")
    # "cos, sin: any float dtype, used in x's dtype": float64 tables on a float32 Attention
    attn32, x32 = copy.deepcopy(attn).float(), BASE["attn0_in"].float()
    with torch.no_grad():
        try:
            mixed = attn32(x32, cos, sin)
        except RuntimeError as err:
            raise SpecFailure(f"float32 Attention(x, cos, sin) with float64 cos/sin raised {err!s:.200}\n  hint: "
                              "cos and sin come in any float dtype: use them in x's dtype (cos.to(x.dtype)), "
                              "as apply_rope does") from None
        same = attn32(x32, cos.float(), sin.float())
    assert_close(mixed, same, rtol=1e-5, atol=1e-6,
                 what="float32 Attention(x, float64 cos, float64 sin) vs the same with float32 cos/sin",
                 hint="cos and sin come in any float dtype: use them in x's dtype (cos.to(x.dtype)), as "
                      "apply_rope does; the result is x's dtype")


def test_attention_rotates_each_row_with_its_own_table_rows():
    c = config("gqa")
    attn = load_part(Attention(c), sub_weights("gqa", "model.layers.0.self_attn."), "Attention(config)")
    hd = c.hidden_size // c.num_attention_heads
    x = BASE["attn0_in"].double()
    positions = GAPS["position_ids"]
    cos, sin = rope_rows(positions, hd, c.rope_theta)
    with torch.no_grad():
        both = attn(x, cos, sin)
        second = attn(x[1:], cos[1:], sin[1:])
    assert_close(both[1:], second, **TOL64, what="Attention(x, cos, sin)[1] vs Attention(x[1:], cos[1:], sin[1:])",
                 hint="cos and sin are (B, T, head_dim/2): rotate sequence b with cos[b], sin[b] "
                      "(apply_rope(q[b], cos[b], sin[b])), not with row 0's tables")


# ------------------------------------------------------------------------ positions and the cache

def test_position_ids_shared_by_every_row():
    model = loaded("gqa")
    ids, row = GAPS["input_ids"], GAPS["position_ids"][:1]            # (1, 9): shared by both rows
    with torch.no_grad():
        shared = model(ids, position_ids=row)
        expanded = model(ids, position_ids=row.expand(2, 9))
        first = model(ids[:1], position_ids=row)
    assert_close(first, GAPS["logits"][:1].double(), **FIXTURE_TOL,
                 what="row 0 with its position_ids (1, 9) vs Hugging Face", hint=HINT_MODEL)
    assert_close(shared, expanded, **TOL64, what="model(ids (2, 9), position_ids (1, 9)) vs the same positions "
                 "expanded to (2, 9)", hint="position_ids of shape (1, T) apply to every row (expand them to (B, T))")


CHUNKS = [(1,) * 9, (4, 5), (5, 1, 1, 2)]


@pytest.mark.parametrize("chunks", CHUNKS, ids=["9x1", "4+5", "5+1+1+2"])
@pytest.mark.parametrize("name", ["gqa", "mqa"])
def test_decoding_through_the_cache_equals_the_full_forward(name, chunks):
    model = loaded(name)
    ids = BASE["input_ids"]                                            # (2, 9)
    cache = make_cache(model, 2, 9)
    outs, start = [], 0
    with torch.no_grad():
        for n in chunks:
            outs.append(model(ids[:, start:start + n], cache=cache))
            start += n
        full = model(ids)
    assert_close(torch.cat(outs, dim=1), full, **TOL64,
                 what=f"DeepSeekMathForCausalLM({name} config) fed chunks {chunks} through make_cache(2, 9) (default "
                      "positions) vs one forward of all 9 tokens", hint=HINT_CACHE)


def test_two_caches_used_in_turn_each_continue_from_their_own_length():
    model = loaded("gqa")
    ids = BASE["input_ids"]                                            # (2, 9): row 0 in cache a, row 1 in b
    caches = make_cache(model, 1, 9), make_cache(model, 1, 9)
    steps = [(0, 0, 5), (1, 0, 3), (0, 5, 6), (1, 3, 9), (0, 6, 9)]    # (row, from, to), interleaved
    outs = [[], []]
    with torch.no_grad():
        for row, a, b in steps:
            outs[row].append(model(ids[row:row + 1, a:b], cache=caches[row]))
        full = model(ids)
    for row in (0, 1):
        assert_close(torch.cat(outs[row], dim=1)[0], full[row], **TOL64,
                     what=f"row {row} of ids (2, 9) decoded through its own make_cache(1, 9), in turn with "
                          f"the other row's cache (steps (row, from, to) {steps}) vs one forward of all 9 tokens",
                     hint="the default positions start at cache[0].length, the length of the cache PASSED IN: "
                          "never a counter kept in the model (another cache, another conversation, has its own)")


def test_a_chunk_after_a_cached_prefix_with_explicit_positions():
    model = loaded("gqa")
    ids, positions = GAPS["input_ids"], GAPS["position_ids"]
    cache = make_cache(model, 2, 9)
    with torch.no_grad():
        head = model(ids[:, :4], position_ids=positions[:, :4], cache=cache)
        tail = model(ids[:, 4:], position_ids=positions[:, 4:], cache=cache)
    assert_close(torch.cat([head, tail], 1), GAPS["logits"].double(), **FIXTURE_TOL,
                 what=f"4 tokens then 5 through a cache with position_ids {positions.tolist()} vs Hugging Face's "
                      "full forward with those position_ids",
                 hint="explicit position_ids rotate the tokens (each row its own); the cache order alone sets "
                      "which keys a token sees (bottom-right causal mask), whatever the positions")


def test_make_cache_gives_one_kv_cache_per_layer():
    c = config("gqa")
    model = loaded("gqa", torch.float64)
    cache = make_cache(model, 3, 10)
    hd = c.hidden_size // c.num_attention_heads
    for i, layer_cache in enumerate(cache):
        if not isinstance(layer_cache, KVCache):
            raise SpecFailure(f"make_cache(3, 10)[{i}] is a {type(layer_cache).__name__}; expected a KVCache "
                              "(katas.inference.kv_cache)")
        if layer_cache.length != 0:
            raise SpecFailure(f"make_cache(3, 10)[{i}].length is {layer_cache.length}; a new cache is empty")
        buffers = [t for t in tensors_held([layer_cache]) if t.is_floating_point() and t.dim() == 4]
        shapes = sorted(tuple(t.shape) for t in buffers)
        expected = [(3, c.num_key_value_heads, 10, hd)] * 2
        if shapes != expected:
            raise SpecFailure(f"make_cache(3, 10)[{i}] holds tensors of shapes {shapes}, expected {expected}: "
                              f"KVCache(batch_size, num_key_value_heads={c.num_key_value_heads}, max_len, head_dim) "
                              f"(not num_attention_heads={c.num_attention_heads})")
        for t in buffers:
            if t.dtype != torch.float64:
                raise SpecFailure(f"make_cache on a float64 model made a {t.dtype} cache; use the dtype (and "
                                  "device) of the model's weights, e.g. self.lm_head.weight.dtype")


def test_more_tokens_than_the_cache_holds_raise():
    model = loaded("gqa")
    cache = make_cache(model, 2, 4)
    ids = BASE["input_ids"][:, :5]
    assert_raises(ValueError, model, ids, cache=cache, what="model(ids (2, 5), cache=make_cache(2, 4))",
                  contract="more than max_len tokens: the KVCache's ValueError")


# ------------------------------------------------------------------------ errors

BAD_CONFIGS = [
    (dict(hidden_size=30, num_attention_heads=4, num_key_value_heads=2), (30, 4), "hidden_size not a multiple"),
    # 36 // 8 = 4 is even: only the multiple check catches this one (30 // 4 = 7 above is also odd)
    (dict(hidden_size=36, num_attention_heads=8, num_key_value_heads=4), (36, 8), "hidden_size not a multiple, even head_dim"),
    (dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=3), (4, 3), "heads not a multiple of KV heads"),
    (dict(hidden_size=32, num_attention_heads=2, num_key_value_heads=4), (2, 4), "more KV heads than heads"),
    (dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=0), (4, 0), "no KV head"),
    (dict(hidden_size=32, num_attention_heads=0, num_key_value_heads=1), (32, 0), "no attention head"),
    # negative counts pass a divisibility test (32 % -4 == 0, 4 % -2 == 0) and a `not n` test: n < 1 is the rule
    (dict(hidden_size=32, num_attention_heads=-4, num_key_value_heads=2), (-4,), "negative heads"),
    (dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=-2), (-2,), "negative KV heads"),
    (dict(hidden_size=12, num_attention_heads=4, num_key_value_heads=2), (3,), "odd head_dim"),
]


@pytest.mark.parametrize("changes,mentions,label", BAD_CONFIGS, ids=[b[2] for b in BAD_CONFIGS])
def test_bad_configs_raise(changes, mentions, label):
    c = config("gqa", **changes)
    for cls in (Attention, DecoderLayer, DeepSeekMathModel, DeepSeekMathForCausalLM):
        with torch.no_grad(), PeakMemory() as tracker:
            assert_raises(ValueError, cls, c, what=f"{cls.__name__}(config with {changes})", mentions=mentions,
                          contract="the constructors raise ValueError before building anything, naming the numbers, "
                                   "when n < 1 or H is not a multiple of n, when n_kv < 1 or n is not a "
                                   "multiple of n_kv, or when head_dim is odd")
        made = tracker.allocations
        if cls in (DeepSeekMathModel, DeepSeekMathForCausalLM) and made:
            raise SpecFailure(f"{cls.__name__}(config with {changes}) built {len(made)} tensor(s) before its "
                              f"ValueError (first: {made[0].shape}); the constructors raise before building "
                              f"anything\n  hint: check the config at the top of {cls.__name__}.__init__ (a shared "
                              f"helper), not only in Attention: otherwise the embedding table (vocab_size x H, "
                              f"1.7 GB for DeepSeekMath-7B) is allocated first")


def test_positions_out_of_range_raise():
    model = loaded("gqa")                                              # max_position_embeddings 48
    ids = BASE["input_ids"]
    contract = ("any position < 0 or >= max_position_embeddings, given or by default after a long cache: "
                "ValueError before any work (the cache left as it was), naming that position and "
                "max_position_embeddings")
    for bad, mentions in ((48, (48,)), (-1, (-1, 48))):
        positions = torch.arange(9).expand(2, 9).clone()
        positions[1, 4] = bad
        cache = make_cache(model, 2, 60)
        assert_raises(ValueError, model, ids, position_ids=positions, cache=cache, mentions=mentions,
                      what=f"model(ids (2, 9), position_ids holding {bad}, cache)", contract=contract)
        if cache[0].length != 0:
            raise SpecFailure(f"after the ValueError for position {bad} the cache holds {cache[0].length} tokens; "
                              "check the positions before any layer runs")
        assert_raises(ValueError, model, ids, position_ids=positions, mentions=mentions,
                      what=f"model(ids (2, 9), position_ids holding {bad}) without a cache", contract=contract
                      + "; check given position_ids with a cache and without one (-1 would silently index the "
                        "RoPE tables from the end)")
    long_ids = torch.randint(0, 67, (1, 48), generator=torch.Generator().manual_seed(0))
    cache = make_cache(model, 1, 60)
    with torch.no_grad():
        model(long_ids[:, :47], cache=cache)
        model(long_ids[:, 47:], cache=cache)                            # position 47: the last one
    assert_raises(ValueError, model, long_ids[:, :1], cache=cache, mentions=(48,),
                  what="the 49th token through a cache (default position 48, max_position_embeddings 48)",
                  contract=contract)
    if cache[0].length != 48:
        raise SpecFailure(f"after the ValueError for position 48 the cache holds {cache[0].length} tokens, not 48")
    too_long = torch.cat([long_ids, long_ids[:, :1]], dim=1)          # 49 tokens, no cache: positions 0 .. 48
    assert_raises(ValueError, model, too_long, mentions=(48,),
                  what="model(ids (1, 49)) without a cache (default positions 0 .. 48, max_position_embeddings 48)",
                  contract=contract + "; without a cache start is 0, and start + T > max_position_embeddings "
                                      "still raises")
    # a cache filled past max_position_embeddings with explicit positions (positions only rotate): the
    # default position 50 is not the limit 48, so the message must name 50 itself
    ids = torch.randint(0, 67, (1, 51), generator=torch.Generator().manual_seed(1))
    cache = make_cache(model, 1, 60)
    with torch.no_grad():
        model(ids[:, :50], position_ids=(torch.arange(50) % 48)[None], cache=cache)
    assert_raises(ValueError, model, ids[:, 50:], cache=cache, mentions=(50, 48),
                  what="the 51st token through a cache of 50 (filled with explicit positions 0 .. 47, 0, 1): "
                       "default position 50, max_position_embeddings 48",
                  contract=contract + "; name the offending default position (start + T - 1 = 50), not only "
                                      "the limit")


def test_position_ids_of_another_shape_raise():
    model = loaded("gqa")
    ids = BASE["input_ids"][:, :5]                                     # (2, 5)
    for positions in (torch.arange(4).expand(2, 4), torch.arange(5).expand(3, 5), torch.arange(5)):
        cache = make_cache(model, 2, 9)
        assert_raises(ValueError, model, ids, position_ids=positions, cache=cache,
                      what=f"model(ids (2, 5), position_ids {tuple(positions.shape)})",
                      contract="position_ids is (B, T) or (1, T); any other shape: ValueError before any work")
        assert cache[0].length == 0, "the cache was written before the ValueError"
        assert_raises(ValueError, model, ids, position_ids=positions,
                      what=f"model(ids (2, 5), position_ids {tuple(positions.shape)}) without a cache",
                      contract="position_ids is (B, T) or (1, T); any other shape: ValueError, with a cache "
                               "and without one ((T,) would silently broadcast)")


# ------------------------------------------------------------------------ gradients, inputs, devices

def test_gradients_match_finite_differences():
    model = loaded("gqa")
    ids = BASE["input_ids"][:, :6]
    gen = torch.Generator().manual_seed(5)
    weight = torch.randn(2, 6, 67, dtype=torch.float64, generator=gen)
    params = dict(model.named_parameters())
    direction = {k: torch.randn(p.shape, dtype=torch.float64, generator=gen) for k, p in params.items()}

    def loss():
        return (model(ids) * weight).sum()

    model.zero_grad()
    loss().backward()
    missing = [k for k, p in params.items() if p.grad is None]
    if missing:
        raise SpecFailure(f"after backward these parameters have no gradient: {missing[:6]}; the forward must stay "
                          "differentiable (no .detach(), no torch.no_grad(), no .data)")
    analytic = sum((params[k].grad * direction[k]).sum() for k in params)
    eps = 1e-6
    with torch.no_grad():
        for k, p in params.items():
            p.add_(eps * direction[k])
        plus = loss()
        for k, p in params.items():
            p.sub_(2 * eps * direction[k])
        minus = loss()
        for k, p in params.items():
            p.add_(eps * direction[k])
    numeric = (plus - minus) / (2 * eps)
    assert_close(analytic, numeric, rtol=1e-5, atol=1e-5,
                 what="directional derivative of sum(logits * w) along a random direction of every weight "
                      "(autograd vs central differences, float64)",
                 hint="the forward must stay differentiable with respect to every weight")


def test_inputs_are_not_modified_and_train_mode_computes_the_same():
    model = loaded("gqa").train()
    ids, positions = non_contiguous(GAPS["input_ids"]), non_contiguous(GAPS["position_ids"])
    with unchanged(ids, positions, names=["input_ids", "position_ids"]):
        out = model(ids, position_ids=positions)
    assert_close(out, GAPS["logits"].double(), **FIXTURE_TOL,
                 what="model.train()(non-contiguous ids and position_ids) vs Hugging Face",
                 hint="no dropout: train and eval compute the same; index with the position_ids as given "
                      "(reshape, not view)")


def test_forward_builds_its_tensors_on_the_models_device():
    model = loaded("gqa")
    ids = BASE["input_ids"]

    def decode(m, x):
        cache = m.make_cache(2, 9)
        m(x[:, :4], cache=cache)
        return m(x[:, 4:], cache=cache)

    def on_meta_device():
        return decode(copy.deepcopy(model).to("meta"), ids.to("meta"))

    with torch.no_grad():
        assert_on_input_device(lambda: decode(model, ids), on_meta_device,
                               what="DeepSeekMathForCausalLM(ids) through its cache on the meta device",
                               hint="the model runs where its weights and the inputs are (a GPU): build default "
                                    "positions and the mask on input_ids.device / x.device, keep the RoPE tables "
                                    "in buffers (they move with the model), make the cache on the weights' device")
        # the same after CPU calls (the probe above ran them): a mask or table kept on the model in
        # a plain attribute stays on the CPU when the model moves, which the probe cannot see
        assert_kept_state_follows_the_device(
            lambda: decode(model.to("meta"), ids.to("meta")), DeepSeekMathForCausalLM, model,
            what="DeepSeekMathForCausalLM called on the CPU, then moved to the meta device",
            hint="build the mask from x's device at every call; anything kept on the model must be a "
                 "registered buffer (.to() moves those, not plain attributes)")


# ------------------------------------------------------------------------ the 7B model (last: the first
# meta-device op of a process costs ~0.3 s, torch's meta registrations)

def test_the_7b_model_built_on_the_meta_device():
    # on the meta device: shapes only, nothing allocated (27 GB in float32 otherwise)
    with torch.device("meta"):
        model = DeepSeekMathForCausalLM(DEEPSEEK_MATH_7B)
    mine = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = spec_shapes(DEEPSEEK_MATH_7B)
    if mine != expected:
        wrong = sorted(set(mine) ^ set(expected)) + sorted(k for k in set(mine) & set(expected)
                                                            if mine[k] != expected[k])
        raise SpecFailure(f"DeepSeekMathForCausalLM(DEEPSEEK_MATH_7B).state_dict() differs from the architecture "
                          f"at {wrong[:6]}\n  hint: {KEYS_HINT}")
    n = sum(p.numel() for p in model.parameters())
    assert n == PUBLISHED_COUNT == count_parameters(DEEPSEEK_MATH_7B), (
        f"DeepSeekMathForCausalLM(DEEPSEEK_MATH_7B) has {n:,} parameters and count_parameters says "
        f"{count_parameters(DEEPSEEK_MATH_7B):,}; both must be {PUBLISHED_COUNT:,}")
