"""Specs for katas/deepseek/model.py (day 32): DeepSeekModel, DeepSeekForCausalLM (forward,
make_cache, generate).

References: golden fixtures from Hugging Face transformers' DeepseekV3ForCausalLM and
DeepseekV2ForCausalLM on the same weights (scripts/make_deepseek_fixtures.py: three tiny
configs, V3 routing with and without query compression and V2 routing; logits and greedy
continuations, each routing decision and each greedy step won by a clear margin), and an
independent float64 decoder written from the equations (specs/deepseek/_model_reference.py).
Sizes all differ (vocab 97, hidden 48, dense MLP 64, 4 heads, query latent 40, KV latent 24,
nope 12, rope 8, value 10, 3 layers with the first dense, 8 experts of width 16 in 4 groups,
2 per token). Tolerances: rtol = atol = 1e-4 against the fixture (HF normalises and routes in
float32); float64 against the reference or itself rtol = atol = 2e-5 (routing weights are
float32 in every implementation). Budgets: FLOPs of generate (harness.budgets.count_flops,
deterministic) against a prefill plus one cached step per token; the cache's bytes against
n_layers * T * (kv_lora_rank + qk_rope_head_dim) per sequence, for the tiny model and for
DeepSeek-V3's dimensions at 128K tokens (on the meta device: nothing is allocated).

Contract-to-spec map:
- names / state_dict keys, every weight an nn.Parameter (only e_score_correction_bias a buffer),
  untied lm_head: test_state_dict_keys_and_shapes, test_lm_head_is_its_own_matrix
- DeepSeekModel returns the normalised hidden states: test_deepseek_model_returns_*
- logits vs HF and the reference, causal: test_logits_match_*, test_a_later_token_*
- make_cache: a list (not a tuple) of one MLACache per layer, model dtype/device (those of the weights
  at the call: a model moved after __init__ too), bytes: test_make_cache_*, cache_bytes_*,
  deepseek_v3_cache_at_128k_*
- incremental decoding == full forward: test_incremental_decoding_*; two make_cache calls give
  independent empty caches (two conversations in turn): test_two_caches_from_make_cache_*
- generate: greedy vs HF and vs no-cache decoding, deterministic, rows independent, a fresh
  cache per call (a longer run after shorter ones), prefill once then
  one token per step (FLOPs), max_new_tokens model runs (T0 tokens, then 1 each, the last new
  token never fed): test_generate_runs_the_prompt_once_*, on the model's device (meta):
  test_generate_builds_its_tensors_on_the_models_device, inputs and train mode left alone, eval mode left alone, no_grad,
  max_new_tokens 0 and 1: test_generate_*; "No stopping at an end-of-sequence token":
  test_generate_does_not_stop_at_the_end_of_sequence_token; "a cache for T0 + max_new_tokens
  positions" (not max_position_embeddings; peak bytes): test_generate_makes_a_cache_for_the_tokens_it_needs
- final norm eps = rms_norm_eps (0.5, and an explicit 0.0): test_final_norm_uses_the_config_eps
- gradients of forward: test_gradients_match_the_reference
"""

import copy
import dataclasses

import pytest
import torch
from hypothesis import assume, given, strategies as st

from harness.budgets import count_flops, peak_bytes
from harness.checks import (SpecFailure, assert_close, assert_on_input_device, assert_parameters_like,
                            non_contiguous, tensors_held, unchanged)
from katas.deepseek.config import DeepSeekConfig
from katas.deepseek.model import DeepSeekForCausalLM, DeepSeekModel
from specs.deepseek import _model_reference as ref

FIXTURE = ref.load_fixture()
NAMES = ["v3", "v3_no_q_lora", "v2"]
SEEDS = st.integers(0, 2**31 - 1)
FIXTURE_TOL = dict(rtol=1e-4, atol=1e-4)
TOL64 = dict(rtol=2e-5, atol=2e-5)
MIN_MARGIN = 1e-5
# DeepSeek-V3's config.json: what its latent cache depends on
V3_CACHE = dict(num_hidden_layers=61, first_k_dense_replace=3, kv_lora_rank=512, qk_rope_head_dim=64,
                max_position_embeddings=163840)
SMALL_REST = dict(hidden_size=16, num_attention_heads=2, q_lora_rank=None, qk_nope_head_dim=8, v_head_dim=8,
                  intermediate_size=8, moe_intermediate_size=4, n_routed_experts=4, n_group=2, topk_group=1,
                  num_experts_per_tok=1)

HINT_MODEL = ("logits = lm_head(norm(layers(embed_tokens(ids)))): embed, every DecoderLayer(config, i) in "
              "order, the final RMSNorm, then the untied lm_head (Linear(hidden, vocab, bias=False))")
HINT_GENERATE = ("prefill the whole prompt ONCE with a fresh cache at start_pos=0, take the argmax of the LAST "
                 "position's logits, then feed each new token alone at start_pos = the number of tokens already "
                 "cached (T0 for the first new token, then T0 + 1, ...): not frozen at T0 (the cache must "
                 "advance) and not restarting at 0 (positions continue after the prompt)")
HINT_CACHE = ("with a cache, layer i gets cache[i] and the same start_pos; every layer stores the new tokens' "
              "latents at start_pos and attends to all cached positions 0 .. start_pos + T - 1")
KEYS_HINT = ("names as in Hugging Face's DeepseekV3ForCausalLM: model.embed_tokens, model.layers.{i} "
             "(DecoderLayer), model.norm, lm_head")


def config(name: str = "v3", **changes) -> DeepSeekConfig:
    """The fixture's config `name` (fields DeepSeekConfig does not have are left out)."""
    fields = {f.name for f in dataclasses.fields(DeepSeekConfig)}
    return DeepSeekConfig(**{k: v for k, v in {**FIXTURE["configs"][name], **changes}.items() if k in fields})


def build(c: DeepSeekConfig, weights: dict, dtype=torch.float64) -> DeepSeekForCausalLM:
    """DeepSeekForCausalLM(c) with `weights` loaded (strict), in dtype and eval mode."""
    __tracebackhide__ = True
    model = DeepSeekForCausalLM(c)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        raise SpecFailure("DeepSeekForCausalLM(config).load_state_dict(reference weights) failed:\n  "
                          + str(err).strip().replace("\n", "\n  ")[:1500] + f"\n  hint: {KEYS_HINT}") from None
    return model.to(dtype).eval()


def loaded(name: str = "v3", dtype=torch.float64) -> DeepSeekForCausalLM:
    return build(config(name), FIXTURE["state_dicts"][name], dtype)


def make_cache(model, batch_size, max_len):
    __tracebackhide__ = True
    cache = model.make_cache(batch_size, max_len)
    n_layers = len(model.model.layers)
    if not isinstance(cache, list) or len(cache) != n_layers:  # a list, as promised (not a tuple)
        raise SpecFailure(f"make_cache({batch_size}, {max_len}) returned {type(cache).__name__} "
                          f"{'of length ' + str(len(cache)) if isinstance(cache, (list, tuple)) else ''}; expected a "
                          f"list of {n_layers} MLACache, one per layer")
    return cache


def greedy_by_full_forwards(model, prompt, n):
    """Greedy decoding without any cache: the whole sequence through forward at every step."""
    seq = prompt
    with torch.no_grad():
        for _ in range(n):
            seq = torch.cat([seq, model(seq)[:, -1].argmax(-1, keepdim=True)], dim=1)
    return seq


# ------------------------------------------------------------------------ structure

@pytest.mark.parametrize("name", NAMES)
def test_state_dict_keys_and_shapes(name):
    model = DeepSeekForCausalLM(config(name))
    mine = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in FIXTURE["state_dicts"][name].items()}
    missing, unexpected = sorted(set(expected) - set(mine)), sorted(set(mine) - set(expected))
    wrong = sorted(k for k in set(mine) & set(expected) if mine[k] != expected[k])
    if missing or unexpected or wrong:
        raise SpecFailure(
            f"DeepSeekForCausalLM({name} config).state_dict() differs from Hugging Face's DeepseekV3ForCausalLM:\n"
            f"  missing {missing[:8]}{' ...' if len(missing) > 8 else ''}\n"
            f"  unexpected {unexpected[:8]}{' ...' if len(unexpected) > 8 else ''}\n"
            + "".join(f"  {k}: shape {mine[k]}, expected {expected[k]}\n" for k in wrong[:8])
            + f"  hint: {KEYS_HINT}")
    # every weight trains: one kept as a buffer has the right key but no optimizer sees it
    assert_parameters_like(model, {k: s for k, s in expected.items() if not k.endswith("e_score_correction_bias")},
                           what=f"DeepSeekForCausalLM({name} config)", like="DeepseekV3ForCausalLM",
                           hint="every weight (embedding, norm scales, projections, gates, experts) is an "
                                "nn.Parameter; only the gates' e_score_correction_bias is a buffer")


def test_lm_head_is_its_own_matrix():
    model = DeepSeekForCausalLM(config("v3"))
    head, embed = model.lm_head.weight, model.model.embed_tokens.weight
    if head is embed or head.data_ptr() == embed.data_ptr():
        raise SpecFailure("DeepSeekForCausalLM: lm_head.weight is embed_tokens.weight (tied); DeepSeek keeps "
                          "two matrices (tie_word_embeddings=False): lm_head = nn.Linear(hidden_size, vocab_size, "
                          "bias=False) with its own weight")
    n = sum(p.numel() for p in model.parameters())
    expected = sum(torch.Size(s).numel() for k, s in ref.model_shapes(config("v3")).items()
                   if not k.endswith("e_score_correction_bias"))
    assert n == expected, (f"DeepSeekForCausalLM(v3 config) has {n:,} parameters, expected {expected:,} "
                           f"({n - expected:+,}); the correction bias is a buffer, not a parameter")


@pytest.mark.parametrize("name", ["v3", "v2"])
def test_deepseek_model_returns_the_normalised_hidden_states(name):
    c = config(name)
    model = DeepSeekModel(c)
    weights = {k[len("model."):]: v for k, v in FIXTURE["state_dicts"][name].items() if k.startswith("model.")}
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as err:
        raise SpecFailure("DeepSeekModel(config).load_state_dict(reference weights) failed:\n  "
                          + str(err).strip().replace("\n", "\n  ")[:1500]
                          + "\n  hint: embed_tokens, layers.{i}, norm") from None
    model = model.double().eval()
    ids = FIXTURE["logits"][name][0]["input_ids"]
    with torch.no_grad():
        out = model(ids)
    sd = {k: v.double() for k, v in FIXTURE["state_dicts"][name].items()}
    assert_close(out, ref.hidden(sd, c, ids), **TOL64, what=f"DeepSeekModel({name} config)(ids {tuple(ids.shape)})",
                 hint="embed_tokens, every layer in order, then the final norm (its output is what lm_head reads)")


# ------------------------------------------------------------------------ logits

CASES = [(n, i) for n in NAMES for i in range(len(FIXTURE["logits"][n]))]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,case", CASES, ids=[f"{n}-{tuple(FIXTURE['logits'][n][i]['input_ids'].shape)}"
                                                  for n, i in CASES])
def test_logits_match_hugging_face(name, case, dtype):
    model = loaded(name, dtype)
    ids = FIXTURE["logits"][name][case]["input_ids"]
    with torch.no_grad():
        out = model(ids)
    assert_close(out, FIXTURE["logits"][name][case]["logits"].to(dtype), **FIXTURE_TOL,
                 what=f"DeepSeekForCausalLM({name} config)(ids {tuple(ids.shape)}) in {dtype} vs Hugging Face's "
                      f"{'DeepseekV2ForCausalLM' if name == 'v2' else 'DeepseekV3ForCausalLM'}",
                 hint=HINT_MODEL)


@given(seed=SEEDS, B=st.integers(1, 2), T=st.integers(1, 5), k=st.sampled_from([0, 1, 3]),
       style=st.sampled_from(NAMES))
def test_logits_match_the_reference(seed, B, T, k, style):
    c = config(style, first_k_dense_replace=k)
    weights = ref.random_weights(ref.model_shapes(c), seed=seed)
    model = build(c, weights)
    ids = torch.randint(0, c.vocab_size, (B, T), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        out = model(ids)
    margins = []
    expected = ref.logits(weights, c, ids, margins)
    assume(min(margins, default=float("inf")) > MIN_MARGIN)
    assert_close(out, expected, **TOL64,
                 what=f"DeepSeekForCausalLM({style} config, first_k_dense_replace={k})(ids ({B}, {T}))",
                 hint=HINT_MODEL)


def test_final_norm_uses_the_config_eps():
    c = config("v3", rms_norm_eps=0.5)  # large enough to change every logit
    model = build(c, FIXTURE["state_dicts"]["v3"])
    ids = FIXTURE["logits"]["v3"][0]["input_ids"][:1, :6]
    with torch.no_grad():
        out = model(ids)
    margins = []
    expected = ref.logits({k: v.double() for k, v in FIXTURE["state_dicts"]["v3"].items()}, c, ids, margins)
    assert min(margins, default=float("inf")) > MIN_MARGIN, "(spec) a routing near tie"
    assert_close(out, expected, **TOL64, what="DeepSeekForCausalLM(v3 config, rms_norm_eps=0.5)(ids (1, 6))",
                 hint="the final norm is RMSNorm(hidden_size, eps=config.rms_norm_eps), like every norm of "
                      "the model: RMSNorm's default eps is not the config's")
    # an explicit 0.0: with every o_proj and down_proj zero the layers add nothing, so the logits
    # are lm_head(embedding / sqrt(mean(embedding^2)) * norm.weight); embeddings of size 1e-4 make
    # mean(x^2) ~ 1e-8, where a substituted default eps of 1e-6 would dominate
    weights = {k: (torch.zeros_like(v) if k.endswith(("o_proj.weight", "down_proj.weight")) else v.double())
               for k, v in FIXTURE["state_dicts"]["v3"].items()}
    weights["model.embed_tokens.weight"] = weights["model.embed_tokens.weight"] * 1e-4
    model = build(config("v3", rms_norm_eps=0.0), weights)
    with torch.no_grad():
        out = model(ids)
    x = weights["model.embed_tokens.weight"][ids]
    normed = x / x.pow(2).mean(-1, keepdim=True).sqrt() * weights["model.norm.weight"]
    assert_close(out, normed @ weights["lm_head.weight"].T, rtol=1e-6, atol=1e-6,
                 what="DeepSeekForCausalLM(v3 config, rms_norm_eps=0.0, embeddings of size 1e-4, every o_proj "
                      "and down_proj zero)(ids (1, 6)): lm_head of the final norm of the embeddings",
                 hint="rms_norm_eps=0.0 is a value: RMSNorm(hidden_size, eps=config.rms_norm_eps) as given "
                      "(no `or 1e-6`)")


def test_a_later_token_leaves_earlier_logits_alone():
    model = loaded("v3")
    ids = FIXTURE["logits"]["v3"][0]["input_ids"][:1]
    changed = ids.clone()
    changed[0, -1] = (ids[0, -1] + 1) % 97
    with torch.no_grad():
        a, b = model(ids), model(changed)
    assert_close(b[:, :-1], a[:, :-1], **TOL64, what="DeepSeekForCausalLM logits of positions 0..10 after "
                 "changing token 11", hint="the model must be causal: position t sees tokens 0..t only")


# ------------------------------------------------------------------------ the latent cache

def test_make_cache_gives_one_latent_cache_per_layer():
    model = loaded("v3", torch.float64)
    cache = make_cache(model, 3, 10)
    c = config("v3")
    for i, layer_cache in enumerate(cache):
        tensors = tensors_held([layer_cache])
        shapes = sorted(tuple(t.shape) for t in tensors)
        expected = sorted([(3, 10, c.kv_lora_rank), (3, 10, c.qk_rope_head_dim)])
        if shapes != expected:
            raise SpecFailure(f"make_cache(3, 10)[{i}] holds tensors of shapes {shapes}, expected {expected}: "
                              "an MLACache(config, batch_size, max_len) per layer (c_kv and k_rope)")
        for t in tensors:
            if t.dtype != torch.float64:
                raise SpecFailure(f"make_cache on a float64 model made a {t.dtype} cache; use the dtype (and "
                                  "device) of the model's weights, e.g. self.lm_head.weight.dtype")
    # the device too is the weights' one NOW: a model built on the CPU, then moved (to the meta
    # device here, as to a GPU: model.to("cuda"))
    moved = DeepSeekForCausalLM(config("v3")).to("meta")
    for i, layer_cache in enumerate(make_cache(moved, 2, 4)):
        for t in tensors_held([layer_cache]):
            if t.device.type != "meta":
                raise SpecFailure(f"make_cache(2, 4)[{i}] on a model built on the CPU and then moved with "
                                  f".to('meta') holds a tensor on {t.device}; the cache goes on the device of the "
                                  f"model's weights at the time of the call\n  hint: read self.lm_head.weight.device "
                                  f"in make_cache, not a device remembered in __init__ (model.to() moves "
                                  f"parameters, not your attributes)")


@pytest.mark.parametrize("chunks", [(7, 1, 1, 1, 1, 1), (7, 3, 2), (1,) * 12],
                         ids=["prefill7+5x1", "7+3+2", "12x1"])
@pytest.mark.parametrize("name", ["v3", "v2"])
def test_incremental_decoding_equals_the_full_forward(name, chunks):
    model = loaded(name, torch.float64)
    ids = FIXTURE["logits"][name][0]["input_ids"]                     # (2, 12)
    cache = make_cache(model, 2, 12)
    outs, start = [], 0
    with torch.no_grad():
        for n in chunks:
            outs.append(model(ids[:, start:start + n], cache, start))
            start += n
        full = model(ids)
    assert_close(torch.cat(outs, dim=1), full, **TOL64,
                 what=f"DeepSeekForCausalLM({name} config) fed chunks {chunks} through make_cache(2, 12) vs one "
                      "forward of all 12 tokens", hint=HINT_CACHE)


def test_two_caches_from_make_cache_are_independent():
    model = loaded("v3", torch.float64)
    ids = FIXTURE["logits"]["v3"][0]["input_ids"]                      # (2, 12): row 0 in cache a, row 1 in b
    caches = make_cache(model, 1, 12), make_cache(model, 1, 12)       # same arguments: two conversations
    steps = [(0, 0, 5), (1, 0, 3), (0, 5, 6), (1, 3, 12), (0, 6, 12)]  # (row, from, to), in turn
    outs = [[], []]
    with torch.no_grad():
        for row, a, b in steps:
            outs[row].append(model(ids[row:row + 1, a:b], caches[row], a))
        full = model(ids)
    for row in (0, 1):
        assert_close(torch.cat(outs[row], dim=1)[0], full[row], **TOL64,
                     what=f"row {row} of ids (2, 12) decoded through its own make_cache(1, 12), in turn with "
                          f"the other row's (steps (row, from, to) {steps}) vs one forward of all 12 tokens",
                     hint="make_cache returns NEW, empty caches at every call: never a list kept on the model "
                          "and handed out again (two conversations would then write into the same slots)")


def test_cache_bytes_at_a_long_context():
    model = loaded("v3", torch.float64)
    c = config("v3")
    B, T = 2, 4096
    cache = make_cache(model, B, T)
    held = sum(t.numel() * t.element_size() for t in tensors_held(cache))
    latent = c.num_hidden_layers * B * T * (c.kv_lora_rank + c.qk_rope_head_dim) * 8
    full_kv = c.num_hidden_layers * B * T * c.num_attention_heads * (c.qk_nope_head_dim + c.qk_rope_head_dim
                                                                     + c.v_head_dim) * 8
    if held != latent:
        raise SpecFailure(f"make_cache({B}, {T}) holds {held:,} bytes; the latent cache is n_layers * B * T * "
                          f"(kv_lora_rank + qk_rope_head_dim) * 8 = {latent:,} bytes in float64 (full per-head "
                          f"keys and values would be {full_kv:,})\n  hint: one MLACache per layer, nothing else")
    assert held * 3 < full_kv  # 32 against 120 numbers per token and layer here


def test_deepseek_v3_cache_at_128k_tokens_on_the_meta_device():
    # DeepSeek-V3's layer count and latent sizes (all the cache depends on); everything else
    # shrunk so that the model builds quickly. On the meta device: the 9 GB cache (and any
    # table sized by max_position_embeddings) is described, not allocated.
    c = config("v3", **V3_CACHE, **SMALL_REST)
    T = 128 * 1024
    with torch.device("meta"):
        model = DeepSeekForCausalLM(c).to(torch.bfloat16)
        cache = make_cache(model, 1, T)
    tensors = tensors_held(cache)
    wrong = [t for t in tensors if t.device.type != "meta" or t.dtype != torch.bfloat16]
    if wrong:
        raise SpecFailure(f"make_cache on a bfloat16 model on the meta device made a {wrong[0].dtype} cache on "
                          f"{wrong[0].device}; use the dtype and device of the model's weights")
    held = sum(t.numel() * t.element_size() for t in tensors)
    latent = 61 * T * (512 + 64) * 2
    full_kv = 61 * T * 128 * (128 + 64 + 128) * 2   # V3's 128 heads of keys (nope + rope) and values
    if held != latent:
        raise SpecFailure(f"DeepSeek-V3's cache at {T:,} tokens: {held / 1e9:.1f} GB, expected 61 layers x {T:,} x "
                          f"(512 + 64) x 2 bytes = {latent / 1e9:.1f} GB (full per-head K/V: {full_kv / 1e9:.0f} GB)"
                          "\n  hint: one MLACache per layer, nothing else")
    assert 9.2e9 < held < 9.3e9 and 650e9 < full_kv < 660e9


# ------------------------------------------------------------------------ generate

@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", NAMES)
def test_generate_matches_hugging_face_greedy(name, dtype):
    case = FIXTURE["greedy"][name][0]
    prompt, expected = case["prompt"], case["tokens"]
    model = loaded(name, dtype)
    n = expected.shape[1] - prompt.shape[1]
    out = model.generate(prompt, n)
    assert_close(out, expected, what=f"DeepSeekForCausalLM({name} config, {dtype}).generate(prompt "
                 f"{tuple(prompt.shape)}, {n}) vs Hugging Face's greedy continuation", hint=HINT_GENERATE)


def test_generate_equals_greedy_decoding_without_a_cache():
    model = loaded("v3", torch.float64)
    prompt = FIXTURE["logits"]["v3"][0]["input_ids"][:, :3]
    out = model.generate(prompt, 9)
    assert_close(out, greedy_by_full_forwards(model, prompt, 9),
                 what="DeepSeekForCausalLM(v3 config).generate(prompt (2, 3), 9) vs argmax of full forwards "
                      "(no cache) step by step", hint=HINT_GENERATE)


def test_generate_is_deterministic_and_rows_are_independent():
    model = loaded("v3", torch.float64)
    prompt = FIXTURE["greedy"]["v3"][0]["prompt"]
    first = model.generate(prompt, 5)
    assert_close(model.generate(prompt, 5), first, what="DeepSeekForCausalLM.generate called twice",
                 hint="greedy decoding is deterministic: argmax, no sampling, a fresh cache per call")
    assert_close(model.generate(prompt[1:], 5), first[1:],
                 what="generate(prompt[1:], 5) vs row 1 of generate(prompt, 5)",
                 hint="each sequence is decoded on its own: no state shared between rows or calls")
    # a longer run after those: its first 5 new tokens are the same (greedy), and it needs a
    # bigger cache than they did (one kept on the model from the first call is too small)
    try:
        longer = model.generate(prompt[1:], 7)
    except ValueError as err:
        raise SpecFailure(f"DeepSeekForCausalLM.generate(prompt[1:], 7) after generate(prompt, 5) raised "
                          f"ValueError: {err}\n  hint: make a fresh cache for T0 + max_new_tokens positions "
                          f"in every call; a cache kept on the model from an earlier call is too small") from None
    assert_close(longer[:, :first.shape[1]], first[1:], what="generate(prompt[1:], 7)[:, :T0 + 5] after "
                 "generate(prompt, 5) and generate(prompt[1:], 5) vs row 1 of generate(prompt, 5)",
                 hint="a fresh cache per call: nothing from an earlier call may be reused")


def test_generate_prefills_once_then_one_token_per_step():
    model = loaded("v3", torch.float64)
    T0, n = 12, 6
    prompt = torch.randint(0, 97, (1, T0), generator=torch.Generator().manual_seed(3))
    actual = count_flops(model.generate, prompt, n)
    cache = make_cache(model, 1, T0 + n)
    budget = count_flops(model, prompt, cache, 0)
    for i in range(n - 1):
        budget += count_flops(model, prompt[:, i:i + 1], cache, T0 + i)
    if actual > 1.25 * budget:
        raise SpecFailure(f"DeepSeekForCausalLM.generate(prompt (1, {T0}), {n}) did {actual:,} FLOPs; a prefill of "
                          f"the prompt and {n - 1} cached one-token steps take {budget:,} ({actual / budget:.1f}x)\n"
                          "  hint: prefill the prompt ONCE into a cache from make_cache, then feed ONE token per step "
                          "(T = 1) at its start_pos; re-running the whole sequence at every step ignores the cache")


@pytest.mark.parametrize("n", [0, 1, 4])
def test_generate_runs_the_prompt_once_then_each_new_token_but_the_last(n):
    model = loaded("v3", torch.float64)
    prompt = FIXTURE["greedy"]["v3"][0]["prompt"]  # (2, 5)
    fed = []
    handle = model.model.embed_tokens.register_forward_hook(lambda m, i, o: fed.append(i[0].shape[-1]))
    try:
        model.generate(prompt, n)
    finally:
        handle.remove()
    expected = [prompt.shape[1]] + [1] * (n - 1) if n else []  # n = 0: the model never runs
    if fed != expected:
        raise SpecFailure(
            f"generate(prompt (2, 5), {n}) ran the model on {fed} tokens per call; the contract runs it "
            f"{n} times: the whole prompt once ({prompt.shape[1]} tokens), then each new token alone but "
            f"the last, {expected}\n  hint: prefill ALL T0 prompt tokens in one call (not T0 - 1 and then "
           "the last one alone), and stop once the last token is appended: feeding it would compute "
            "logits nobody reads (and needs a cache one position longer); max_new_tokens = 0 returns the "
            "prompt without running the model at all")


def test_generate_builds_its_tensors_on_the_models_device():
    # every layer dense: the MoE's data-dependent dispatch cannot run on the meta device
    c = config("v3", first_k_dense_replace=3)
    model = DeepSeekForCausalLM(c).eval()
    prompt = FIXTURE["greedy"]["v3"][0]["prompt"]  # (2, 5)

    def on_meta_device():
        meta_model = copy.deepcopy(model).to("meta")
        return meta_model.generate(prompt.to("meta"), 3)

    assert_on_input_device(lambda: model.generate(prompt, 3), on_meta_device,
                           what="DeepSeekForCausalLM.generate(prompt (2, 5), 3) on the meta device",
                           hint="generate runs where the model and the prompt are (a GPU): build "
                                "its tensors there, e.g. torch.empty(..., device=input_ids.device) "
                                "or input_ids.new_empty(...), never a bare torch.empty/zeros")


def test_generate_leaves_inputs_and_mode_alone():
    model = loaded("v3", torch.float64).train()
    case = FIXTURE["greedy"]["v3"][0]
    prompt = non_contiguous(case["prompt"])
    with unchanged(prompt, names=["input_ids"]):
        out = model.generate(prompt, 3)
    assert_close(out, case["tokens"][:, : prompt.shape[1] + 3],
                 what="DeepSeekForCausalLM.generate(non-contiguous prompt (2, 5), 3)",
                 hint="return torch.cat([input_ids, new tokens], dim=1), int64")
    assert model.training, "generate switched the model to eval mode; leave the mode as it is"
    assert out.dtype == torch.int64, f"generate returned {out.dtype} tokens; token ids are int64"


def test_generate_leaves_an_eval_model_in_eval_mode():
    model = loaded("v3", torch.float64).eval()
    prompt = FIXTURE["greedy"]["v3"][0]["prompt"]
    model.generate(prompt, 2)
    modes = {name or "the model": m.training for name, m in model.named_modules()}
    switched = [name for name, training in modes.items() if training]
    assert not switched, (f"generate on an eval-mode model left {switched[:3]} in train mode; the contract "
                          "says the model's train/eval mode is left as it is (do not call self.train() "
                          "at the end: restore the mode you found, or never change it)")


def test_generate_runs_without_building_a_graph():
    model = loaded("v3", torch.float64)
    seen = []
    handle = model.lm_head.register_forward_hook(lambda m, i, o: seen.append(torch.is_grad_enabled()))
    try:
        model.generate(FIXTURE["greedy"]["v3"][0]["prompt"], 3)
    finally:
        handle.remove()
    assert seen and not any(seen), (
        f"generate ran lm_head with grad mode on in {sum(seen)} of {len(seen)} calls; the contract says no "
        "gradients: decorate generate with @torch.no_grad() (or run its body under `with torch.no_grad():`), "
        "else every step keeps its graph alive")


def test_generate_does_not_stop_at_the_end_of_sequence_token():
    case = FIXTURE["greedy"]["v3"][0]
    prompt, expected = case["prompt"][:1], case["tokens"][:1]
    first = int(expected[0, prompt.shape[1]])
    model = build(config("v3", eos_token_id=first), FIXTURE["state_dicts"]["v3"])  # EOS = the 1st new token
    out = model.generate(prompt, expected.shape[1] - prompt.shape[1])
    assert_close(out, expected, what=f"generate(prompt (1, 5), 7) when eos_token_id is {first}, the first "
                 f"token it generates", hint="generate always decodes max_new_tokens tokens: no stopping "
                 "(and no padding) at config.eos_token_id")


def test_generate_makes_a_cache_for_the_tokens_it_needs():
    # max_position_embeddings 4096: a cache that long is 3 layers x 4096 x 32 x 8 = 3.1 MB, while
    # generate(prompt (1, 5), 2) needs 7 positions (5 KB) and a few dozen KB of activations
    c = config("v3", max_position_embeddings=2**12)
    model = build(c, FIXTURE["state_dicts"]["v3"])
    prompt, n = FIXTURE["greedy"]["v3"][0]["prompt"][:1], 2
    held = peak_bytes(model.generate, prompt, n)
    per_position = c.num_hidden_layers * (c.kv_lora_rank + c.qk_rope_head_dim) * 8
    budget = per_position * c.max_position_embeddings // 8
    if held > budget:
        raise SpecFailure(f"generate(prompt (1, 5), {n}) held {held:,} bytes at its peak (budget {budget:,}, an "
                          f"eighth of a cache of max_position_embeddings = {c.max_position_embeddings} positions); a "
                          f"cache for the T0 + max_new_tokens = {prompt.shape[1] + n} positions is "
                          f"{per_position * (prompt.shape[1] + n):,} bytes\n  hint: make_cache(B, T0 + "
                          f"max_new_tokens): the cache needs the positions this call decodes, not "
                          f"config.max_position_embeddings")


def test_generate_one_new_token():
    model = loaded("v3", torch.float64)
    case = FIXTURE["greedy"]["v3"][0]
    prompt = case["prompt"]
    out = model.generate(prompt, 1)
    assert_close(out, case["tokens"][:, : prompt.shape[1] + 1], what="generate(prompt (2, 5), 1)",
                 hint="one new token: the argmax of the prefill's last logits, appended to the prompt "
                      "(T0 + max_new_tokens columns)")


def test_generate_zero_new_tokens_returns_the_prompt():
    model = loaded("v3", torch.float64)
    prompt = FIXTURE["greedy"]["v3"][0]["prompt"]
    assert_close(model.generate(prompt, 0), prompt, what="generate(prompt (2, 5), 0)",
                 hint="max_new_tokens=0: nothing to decode, the prompt comes back")


# ------------------------------------------------------------------------ gradients

def test_gradients_match_the_reference():
    c = config("v3")
    model = loaded("v3", torch.float64)
    ids = FIXTURE["logits"]["v3"][0]["input_ids"][:, :6]
    upstream = torch.randn(2, 6, c.vocab_size, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    (model(ids) * upstream).sum().backward()
    sd = {k: v.double().requires_grad_() for k, v in FIXTURE["state_dicts"]["v3"].items()
          if not k.endswith("e_score_correction_bias")}
    sd.update({k: v.double() for k, v in FIXTURE["state_dicts"]["v3"].items() if k.endswith("e_score_correction_bias")})
    (ref.logits(sd, c, ids) * upstream).sum().backward()
    for name, p in model.named_parameters():
        got = p.grad if p.grad is not None else torch.zeros_like(p)
        want = sd[name].grad if sd[name].grad is not None else torch.zeros_like(sd[name])
        assert_close(got, want, **TOL64, what=f"d loss / d {name}",
                     hint="keep the forward differentiable (no .detach(), no torch.no_grad() in forward)")
