"""Specs for katas/deepseek/config.py (day 29): count_parameters(config) -> (total, activated).

Ground truth for tiny configs: a DeepSeek model built here from nn.Linear / nn.Embedding /
nn.RMSNorm on the meta device (shapes only), counted parameter by parameter. For DeepSeek-V2
and V3: the published figures, whole billions (236B / 21B and 671B / 37B).

Contract-to-spec map:
- every block of the model (query path with/without compression incl. q_lora_rank 0, MLA, norms,
  dense/MoE switch at first_k_dense_replace incl. beyond the layer count, gate, shared experts
  fused, lm_head, tied embeddings once): tiny_configs_*, random_tiny_configs_*
- activated = total - unrouted experts - embedding (a tied matrix stays, as the lm_head):
  activated_counts_only_*, shared_experts_*, tiny_configs_*[tied embeddings]
- MTP not counted; correction bias a buffer: the_mtp_module_*, the_correction_bias_*
- published 236B/21B, 671B/37B: deepseek_v2_*, deepseek_v3_*
- "two Python ints": unpack in every check; exact above 2**53 (no float step):
  counts_above_2_to_the_53_are_exact, tiny_configs_*[five of six routed experts per token]; "build no module, allocate no tensor":
  counts_in_closed_form_*, counts_allocate_no_tensor; config not modified
"""

import dataclasses
from dataclasses import replace

import pytest
import torch
from hypothesis import given, strategies as st
from torch import nn

from harness.budgets import allocations
from harness.checks import SpecFailure, forbid
from katas.deepseek.config import DEEPSEEK_V2, DEEPSEEK_V3, TINY, count_parameters


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


# ------------------------------------------------------------------ the reference model

def swiglu(hidden, intermediate):
    return nn.ModuleDict(dict(gate_proj=nn.Linear(hidden, intermediate, bias=False),
                              up_proj=nn.Linear(hidden, intermediate, bias=False),
                              down_proj=nn.Linear(intermediate, hidden, bias=False)))


def mla(c):
    n, h, d_qk = c.num_attention_heads, c.hidden_size, c.qk_nope_head_dim + c.qk_rope_head_dim
    if not c.q_lora_rank:  # None or 0: no query compression
        parts = dict(q_proj=nn.Linear(h, n * d_qk, bias=False))
    else:
        parts = dict(q_a_proj=nn.Linear(h, c.q_lora_rank, bias=False),
                     q_a_layernorm=nn.RMSNorm(c.q_lora_rank),
                     q_b_proj=nn.Linear(c.q_lora_rank, n * d_qk, bias=False))
    parts.update(
        kv_a_proj_with_mqa=nn.Linear(h, c.kv_lora_rank + c.qk_rope_head_dim, bias=False),
        kv_a_layernorm=nn.RMSNorm(c.kv_lora_rank),
        kv_b_proj=nn.Linear(c.kv_lora_rank, n * (c.qk_nope_head_dim + c.v_head_dim), bias=False),
        o_proj=nn.Linear(n * c.v_head_dim, h, bias=False))
    return nn.ModuleDict(parts)


def moe(c):
    h = c.hidden_size
    parts = dict(gate=nn.Linear(h, c.n_routed_experts, bias=False),
                 experts=nn.ModuleList(swiglu(h, c.moe_intermediate_size)
                                       for _ in range(c.n_routed_experts)))
    if c.n_shared_experts:
        parts["shared_experts"] = swiglu(h, c.n_shared_experts * c.moe_intermediate_size)
    block = nn.ModuleDict(parts)
    if c.topk_method == "noaux_tc":  # a buffer: in the state_dict, not a parameter
        block.gate.register_buffer("e_score_correction_bias", torch.zeros(c.n_routed_experts))
    return block


def reference_counts(c):
    """(total, activated) of a DeepSeek model built on the meta device, parameter by parameter.
    Activated: the parameters one token computes with (the lm_head, every layer's attention and
    norms, dense MLPs, the MoE gate, the shared experts and k routed experts), deduplicated."""
    h = c.hidden_size
    with torch.device("meta"):
        layers = nn.ModuleList()
        for i in range(c.num_hidden_layers):
            dense = i < c.first_k_dense_replace
            layers.append(nn.ModuleDict(dict(
                input_layernorm=nn.RMSNorm(h), self_attn=mla(c),
                post_attention_layernorm=nn.RMSNorm(h),
                mlp=swiglu(h, c.intermediate_size) if dense else moe(c))))
        root = nn.Module()
        # (_weight: a meta tensor given up front skips the normal_ init, slow on meta)
        table = nn.Embedding(c.vocab_size, h, _weight=torch.empty(c.vocab_size, h))
        root.model = nn.ModuleDict(dict(embed_tokens=table,
                                        layers=layers, norm=nn.RMSNorm(h)))
        root.lm_head = nn.Linear(h, c.vocab_size, bias=False)
        if c.tie_word_embeddings:
            root.lm_head.weight = root.model.embed_tokens.weight
    total = sum(p.numel() for p in root.parameters())  # parameters() yields a tied one once
    used = [root.lm_head, root.model.norm]
    for i, layer in enumerate(layers):
        used += [layer.input_layernorm, layer.self_attn, layer.post_attention_layernorm]
        if i < c.first_k_dense_replace:
            used.append(layer.mlp)
        else:
            used += [layer.mlp.gate, *layer.mlp.experts[:c.num_experts_per_tok]]
            if c.n_shared_experts:
                used.append(layer.mlp.shared_experts)
    active = {id(p): p for m in used for p in m.parameters()}
    return total, sum(p.numel() for p in active.values())


# ------------------------------------------------------------------ explaining a wrong count

def differences(c):
    """What a typical mistake adds or leaves out: {amount: (if counted too many, if missing)},
    one dict for the total and one for activated."""
    h, v = c.hidden_size, c.vocab_size
    n_dense = min(c.first_k_dense_replace, c.num_hidden_layers)
    n_moe = c.num_hidden_layers - n_dense
    expert = 3 * h * c.moe_intermediate_size
    dense = 3 * h * c.intermediate_size
    shared = c.n_shared_experts * expert
    gate = c.n_routed_experts * h
    moe_total = gate + shared + c.n_routed_experts * expert
    moe_active = gate + shared + c.num_experts_per_tok * expert
    layer = reference_parts(c)[0]["layers"] // max(c.num_hidden_layers, 1)  # attention + norms
    unrouted = n_moe * (c.n_routed_experts - c.num_experts_per_tok) * expert
    latent_norms = c.num_hidden_layers * ((c.q_lora_rank or 0) + c.kv_lora_rank)

    def both(name):
        return (f"you count {name} once too often", f"you leave out {name}")

    switch = ("you count one layer too many as dense (layers i < first_k_dense_replace are "
              "dense, the rest are MoE layers)",
              "you count one dense layer as an MoE layer (layers i < first_k_dense_replace are "
              "dense, the rest are MoE layers)")
    mtp = ("you count the multi-token-prediction layers (num_nextn_predict_layers): they are "
           "not part of the main model (DeepSeek's 671B excludes them)", None)
    common = [
        (n_moe * shared, both("the shared experts of every MoE layer (every token uses them)")),
        (n_moe * gate, both("the MoE gates' weights (n_routed_experts x hidden_size per MoE layer)")),
        (h, both("the final norm (model.norm)")),
        (2 * h * c.num_hidden_layers, both("the two RMSNorms of every layer")),
        (latent_norms, both("the q_a_layernorm / kv_a_layernorm weights")),
    ]
    total = [
        (v * h, both("the embedding matrix (embed_tokens and lm_head are two matrices: "
                     "DeepSeek does not tie them)")),
        (n_moe * c.n_routed_experts if c.topk_method == "noaux_tc" else 0,
         ("you count e_score_correction_bias: it is a buffer, not a parameter", None)),
        (dense - moe_total, switch),
        (c.num_nextn_predict_layers * (layer + moe_total), mtp),
        *common]
    activated = [
        (unrouted, ("you count every routed expert as activated: a token is sent to only "
                    "num_experts_per_tok of the n_routed_experts", "you leave out routed experts")),
        (v * h, ("you count the embedding table as activated: a lookup computes nothing (the "
                 "lm_head counts, the embedding does not)",
                 "you leave out the lm_head: it multiplies, so it is activated")),
        (dense - moe_active, switch),
        (c.num_nextn_predict_layers * (layer + moe_active), mtp),
        *common]
    return total, activated


def explain(diff, candidates):
    for amount, (too_many, missing) in candidates:
        if amount and diff == amount and too_many:
            return f"{diff:+,} is exactly what you get when {too_many}"
        if amount and diff == -amount and missing:
            return f"{diff:+,} is exactly what you get when {missing}"
    return ("compare your sum with the model in the kata's docstring, block by block "
            "(tiny configs make each block's size easy to check by hand)")


def describe(config):
    """The fields where config differs from TINY."""
    base = TINY
    changed = [f"{f.name}={getattr(config, f.name)!r}" for f in dataclasses.fields(config)
               if getattr(config, f.name) != getattr(base, f.name)]
    return f"replace(TINY, {', '.join(changed)})" if changed else "TINY"


def unpack(result, call):
    expect(isinstance(result, tuple) and len(result) == 2,
           f"{call} returned {result!r}; expected a tuple (total, activated)")
    total, activated = result
    expect(type(total) is int and type(activated) is int,
           f"{call} returned ({type(total).__name__}, {type(activated).__name__}); expected two "
           f"Python ints\n  hint: closed form means integer arithmetic on the config's fields "
           f"(no tensors, no floats)")
    return total, activated


def check_exact(config, label):
    __tracebackhide__ = True
    call = f"count_parameters({label})"
    total, activated = unpack(count_parameters(config), call)
    ref_total, ref_activated = reference_counts(config)
    why_total, why_active = differences(config)
    expect(total == ref_total,
           f"{call}: total {total:,}, expected {ref_total:,} (a model built from nn.Linear on the "
           f"meta device)\n  hint: {explain(total - ref_total, why_total)}")
    expect(activated == ref_activated,
           f"{call}: activated {activated:,}, expected {ref_activated:,}\n  hint: "
           f"{explain(activated - ref_activated, why_active)}")


# ------------------------------------------------------------------ tiny configs, exactly

V2_STYLE = dict(scoring_func="softmax", topk_method="group_limited_greedy", norm_topk_prob=False,
                routed_scaling_factor=16.0)
CONFIGS = {
    "tiny V3 style": TINY,
    "tiny V2 style, no query compression": replace(TINY, q_lora_rank=None, **V2_STYLE),
    "two shared experts": replace(TINY, n_shared_experts=2),
    "no shared experts": replace(TINY, n_shared_experts=0),
    "every layer MoE": replace(TINY, first_k_dense_replace=0),
    "every layer dense": replace(TINY, first_k_dense_replace=3),
    "tied embeddings": replace(TINY, tie_word_embeddings=True),
    "one layer": replace(TINY, num_hidden_layers=1, first_k_dense_replace=0),
    "q_lora_rank 0 (no query compression)": replace(TINY, q_lora_rank=0),
    "first_k_dense_replace beyond the layers": replace(TINY, first_k_dense_replace=5),
    "odd sizes": replace(TINY, 
        vocab_size=31, hidden_size=13, intermediate_size=17, moe_intermediate_size=11,
        num_hidden_layers=5, first_k_dense_replace=2, num_attention_heads=3, q_lora_rank=5,
        kv_lora_rank=7, qk_nope_head_dim=3, qk_rope_head_dim=2, v_head_dim=5,
        n_routed_experts=6, n_shared_experts=1, num_experts_per_tok=3, n_group=3, topk_group=2),
    # k / n = 5 / 6 is not exact in binary: int(routed * (k / n)) comes out one short
    "five of six routed experts per token": replace(TINY, n_routed_experts=6, num_experts_per_tok=5,
                                                    n_group=1, topk_group=1),
}


@pytest.mark.parametrize("label", list(CONFIGS))
def test_tiny_configs_match_a_model_built_on_the_meta_device(label):
    check_exact(CONFIGS[label], describe(CONFIGS[label]))


@st.composite
def tiny_configs(draw):
    n_group, per_group = draw(st.integers(1, 3)), draw(st.integers(2, 3))
    topk_group = draw(st.integers(1, n_group))
    routing = draw(st.sampled_from([
        dict(scoring_func="softmax", topk_method="greedy", norm_topk_prob=False),
        dict(scoring_func="softmax", topk_method="group_limited_greedy", norm_topk_prob=False),
        dict(scoring_func="sigmoid", topk_method="noaux_tc", norm_topk_prob=True)]))
    layers = draw(st.integers(1, 4))
    return replace(TINY, 
        vocab_size=draw(st.integers(1, 40)), hidden_size=draw(st.integers(1, 12)),
        intermediate_size=draw(st.integers(1, 20)), moe_intermediate_size=draw(st.integers(1, 9)),
        num_hidden_layers=layers, first_k_dense_replace=draw(st.integers(0, layers)),
        num_nextn_predict_layers=draw(st.integers(0, 1)),
        num_attention_heads=draw(st.integers(1, 4)),
        q_lora_rank=draw(st.none() | st.integers(1, 9)), kv_lora_rank=draw(st.integers(1, 9)),
        qk_nope_head_dim=draw(st.integers(1, 6)), qk_rope_head_dim=draw(st.sampled_from([2, 4])),
        v_head_dim=draw(st.integers(1, 6)), n_routed_experts=n_group * per_group,
        n_shared_experts=draw(st.integers(0, 2)), n_group=n_group, topk_group=topk_group,
        num_experts_per_tok=draw(st.integers(1, topk_group * per_group)),
        tie_word_embeddings=draw(st.booleans()), **routing)


@given(config=tiny_configs())
def test_random_tiny_configs_match_a_model_built_on_the_meta_device(config):
    check_exact(config, describe(config))


# ------------------------------------------------------------------ the parts, one at a time

def test_activated_counts_only_the_chosen_routed_experts():
    base = replace(TINY, num_experts_per_tok=2)
    more = replace(TINY, num_experts_per_tok=3)
    t2, a2 = unpack(count_parameters(base), "count_parameters(TINY with k=2)")
    t3, a3 = unpack(count_parameters(more), "count_parameters(TINY with k=3)")
    expert = 3 * base.hidden_size * base.moe_intermediate_size
    n_moe = base.num_hidden_layers - base.first_k_dense_replace
    expect(t3 == t2, f"count_parameters: total changed from {t2:,} to {t3:,} when "
           f"num_experts_per_tok went from 2 to 3\n  hint: every routed expert exists whatever "
           f"k is: k changes only what one token activates")
    expect(a3 - a2 == n_moe * expert,
           f"count_parameters: activated grew by {a3 - a2:,} from k=2 to k=3; expected one more "
           f"expert per MoE layer ({n_moe} x {expert:,} = {n_moe * expert:,})\n  hint: a token "
           f"is sent to num_experts_per_tok routed experts, not to all n_routed_experts")


def test_shared_experts_count_in_both():
    counts = [unpack(count_parameters(replace(TINY, n_shared_experts=s)),
                     f"count_parameters(TINY with n_shared_experts={s})") for s in (0, 1, 2)]
    c = TINY
    step = (c.num_hidden_layers - c.first_k_dense_replace) * 3 * c.hidden_size * c.moe_intermediate_size
    for s in (1, 2):
        (t0, a0), (t, a) = counts[0], counts[s]
        expect(t - t0 == s * step and a - a0 == s * step,
               f"count_parameters: with n_shared_experts={s} instead of 0, total grew by "
               f"{t - t0:,} and activated by {a - a0:,}; expected {s * step:,} for both (one "
               f"fused MLP of width n_shared_experts * moe_intermediate_size per MoE layer)"
               f"\n  hint: shared experts exist in every MoE layer and every token uses them")


def test_the_mtp_module_is_not_counted():
    with_mtp = replace(TINY, num_nextn_predict_layers=1)
    got = unpack(count_parameters(with_mtp), "count_parameters(TINY with num_nextn_predict_layers=1)")
    without = unpack(count_parameters(replace(TINY, num_nextn_predict_layers=0)),
                     "count_parameters(TINY with num_nextn_predict_layers=0)")
    expect(got == without,
           f"count_parameters: {got} with one multi-token-prediction module, {without} without"
           f"\n  hint: the MTP module is not part of the main model (DeepSeek's 671B excludes it): "
           f"count num_hidden_layers layers only")


def test_the_correction_bias_is_a_buffer_not_a_parameter():
    v3 = replace(TINY, topk_method="noaux_tc", scoring_func="sigmoid")
    v2 = replace(TINY, topk_method="group_limited_greedy", scoring_func="softmax")
    got = unpack(count_parameters(v3), "count_parameters(TINY with topk_method='noaux_tc')")
    other = unpack(count_parameters(v2), "count_parameters(TINY with topk_method='group_limited_greedy')")
    expect(got == other,
           f"count_parameters: {got} with V3 routing, {other} with V2 routing (same sizes)"
           f"\n  hint: e_score_correction_bias is a buffer (no gradient trains it): it is not "
           f"counted, so the routing style changes no count")


# ------------------------------------------------------------------ the published models

BILLION = 10**9


def check_published(config, name, total_b, activated_b):
    __tracebackhide__ = True
    call = f"count_parameters(DEEPSEEK_{name.split('-')[1]})"
    total, activated = unpack(count_parameters(config), call)
    why_total, why_active = differences(config)
    expect(abs(total - total_b * BILLION) < BILLION / 2,
           f"{call}: total {total / BILLION:.2f}B ({total:,}); {name}'s published total is "
           f"{total_b}B (rounded: within 0.5B)\n  hint: "
           f"{explain(total - reference_total(config), why_total)}")
    expect(abs(activated - activated_b * BILLION) < BILLION / 2,
           f"{call}: activated {activated / BILLION:.2f}B ({activated:,}); {name}'s published "
           f"figure is {activated_b}B (rounded: within 0.5B)\n  hint: "
           f"{explain(activated - reference_activated(config), why_active)}")


def reference_total(c):
    """The spec's own closed form (used only to explain a miss; the meta-device model is the
    ground truth for tiny configs, and the two agree there: see test_spec_formula_agrees)."""
    return sum(reference_parts(c)[0].values())


def reference_activated(c):
    return sum(reference_parts(c)[1].values())


def reference_parts(c):
    h, n = c.hidden_size, c.num_attention_heads
    n_dense = min(c.first_k_dense_replace, c.num_hidden_layers)
    n_moe = c.num_hidden_layers - n_dense
    d_qk = c.qk_nope_head_dim + c.qk_rope_head_dim
    q = h * n * d_qk if not c.q_lora_rank else c.q_lora_rank * (h + 1 + n * d_qk)
    attn = (q + h * (c.kv_lora_rank + c.qk_rope_head_dim) + c.kv_lora_rank
            + c.kv_lora_rank * n * (c.qk_nope_head_dim + c.v_head_dim) + n * c.v_head_dim * h)
    expert = 3 * h * c.moe_intermediate_size
    common = dict(layers=c.num_hidden_layers * (attn + 2 * h), norm=h,
                  dense=n_dense * 3 * h * c.intermediate_size,
                  moe=n_moe * (c.n_routed_experts * h + c.n_shared_experts * expert))
    total = dict(common, embed=c.vocab_size * h, head=0 if c.tie_word_embeddings else c.vocab_size * h,
                 routed=n_moe * c.n_routed_experts * expert)
    activated = dict(common, head=c.vocab_size * h, routed=n_moe * c.num_experts_per_tok * expert)
    return total, activated


def test_deepseek_v2_is_236b_total_21b_activated():
    check_published(DEEPSEEK_V2, "DeepSeek-V2", 236, 21)


def test_deepseek_v3_is_671b_total_37b_activated():
    check_published(DEEPSEEK_V3, "DeepSeek-V3", 671, 37)


def test_counts_above_2_to_the_53_are_exact():
    # a 2**40 + 1-row vocabulary: the counts pass 2**53, where a float no longer holds every int
    config = replace(TINY, vocab_size=2**40 + 1, hidden_size=2**13 + 1)
    call = f"count_parameters({describe(config)})"
    total, activated = unpack(count_parameters(config), call)
    want = (reference_total(config), reference_activated(config))
    expect((total, activated) == want,
           f"{call} = ({total:,}, {activated:,}); expected {want[0]:,} and {want[1]:,} (off by "
           f"{total - want[0]:+,} / {activated - want[1]:+,})\n  hint: the counts pass 2**53 here, "
           f"where float64 rounds: keep every step in Python ints (no float factor such as 1.0 * "
           f"or k / n, no / then int())")


@pytest.mark.parametrize("label", list(CONFIGS))
def test_spec_formula_agrees(label):
    """The spec's own closed form (for hints) agrees with the meta-device model."""
    count_parameters(CONFIGS[label])  # the kata's code first (a stub reads "not started")
    assert (reference_total(CONFIGS[label]), reference_activated(CONFIGS[label])) == \
        reference_counts(CONFIGS[label])


# ------------------------------------------------------------------ a formula, no side effects

def test_counts_in_closed_form_without_building_modules():
    config = DEEPSEEK_V3
    with forbid("torch.nn.Module.__init__"):
        count_parameters(config)


def test_counts_allocate_no_tensor():
    made = allocations(count_parameters, DEEPSEEK_V3)
    expect(not made, f"count_parameters(DEEPSEEK_V3) ran torch ops that made {len(made)} tensor(s) "
           f"(first: {made[0] if made else None}); the contract says arithmetic only, no tensor\n  "
           f"hint: multiply the config's ints in Python (no torch.tensor(...).prod().item())")


def test_the_config_is_not_modified():
    config = DEEPSEEK_V2
    before = replace(config, rope_scaling=dict(config.rope_scaling))
    count_parameters(config)
    expect(config == before, "count_parameters(config) changed the config; it must only read it")
