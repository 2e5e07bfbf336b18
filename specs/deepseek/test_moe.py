"""Specs for katas/deepseek/moe.py (day 30): Gate (DeepSeek-V2 and V3 routing), Expert, MoE,
load_balance_loss, update_bias.

The references are the spec's own: a float64 router written from DeepSeek's description
(V2: softmax over all experts, no renormalisation; V3: sigmoid, selection-only bias,
group score = sum of the group's top two, dropped groups at -inf, renormalised weights, both
times routed_scaling_factor) and a per-token loop over the same weights. Tokens whose
routing is a near tie (two candidates within 1e-5) are left out of value comparisons: a
different but correct summation order may break such a tie either way.

Contract-to-spec map:
- Gate structure (weight, persistent float32 zero bias buffer only for noaux_tc; float32 also
  under a float64 default dtype): test_gate_has_*
- Gate steps 1-6 (V2 softmax no renorm, V2-Lite greedy, V3 sigmoid/bias/groups/-inf/renorm,
  scale; -inf, not 0 nor -1e9: biases near -1e10), published configs, random configs: test_gate_v2_*, test_gate_v3_*, test_gate_random_*
- bias read at every call (assigned from update_bias after a call; .double() then
  load_state_dict): test_gate_v3_reads_the_bias_at_every_call
- "each step reads its own field" (mixed V2/V3 switches; greedy ignores n_group):
  test_gate_each_switch_reads_its_own_field
- "N may be 0" / "T may be 0" (MoE in float32 and float64): test_zero_tokens_give_empty_outputs
- "any leading dims": test_gate_any_leading_dims; "computed in float32" for float64 / bf16 x and a
  .double()'d gate: test_gate_routes_in_float32_whatever_the_dtype; non-contiguous x
- Expert SwiGLU, no bias, weights nn.Parameters (not buffers), dtype: test_expert_*
- MoE keys, every weight an nn.Parameter, fused shared experts, None when 0: test_moe_state_dict_*,
  test_moe_without_shared_experts
- MoE values, no residual, dtype (float64, bf16), batch independence, permutation, gradients:
  test_moe_*; vectorised dispatch (op count, FLOPs, time): test_moe_dispatch_*, computes_only_*,
  much_faster_*
- load_balance_loss formula, alpha when balanced, gradient through P only, scores' dtype (half,
  float64 to 1e-12: no float32 scalar E / (K * T)): test_load_balance_loss_*
- update_bias direction, sign(0), bias dtype (half too; float64 to 1e-12 with gamma 0.01; counts of 4097 not compared in the
  half dtype; 2**24 + 1 not in float32), true mean, gamma=0.0 (frozen, and still a new tensor):
  test_update_bias_*
- load_balance_loss alpha=0.0: test_load_balance_loss_alpha_zero_is_zero
- helpers on the inputs' device (meta; Gate at N = 0 too), Gate, load_balance_loss and update_bias:
  test_*_builds_its_tensors_on_the_inputs_device; MoE (its data-dependent dispatch cannot run on meta: CPU
  inputs with the default device set to meta, judging helpers of one or more dims, e.g. the output buffer):
  test_moe_builds_its_helpers_on_the_inputs_device
"""

import copy
import dataclasses
from dataclasses import replace
import math
import time

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from harness.budgets import count_flops, time_ratio
from harness.edges import TIGHT64, assert_dtype_kept, default_dtype, tolerance
from harness.checks import (LightDispatchMode, SpecFailure, assert_close, assert_on_input_device,
                            assert_parameters_like, assert_shape, non_contiguous, randn, unchanged)
from katas.deepseek.config import DEEPSEEK_V2, DEEPSEEK_V3, TINY
from katas.deepseek.moe import Expert, Gate, MoE, load_balance_loss, update_bias


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


HINT_DEVICE = ("this code runs where its inputs are (a GPU): build helper tensors there, with "
               "device=x.device or *_like / new_* (torch.zeros_like(group_scores), "
               "scores.new_zeros(E)), never a bare torch.zeros/ones/full")
TIE = 1e-5  # routing margins below this are near ties: such tokens are not compared

V3 = TINY  # sigmoid, noaux_tc, 8 experts in 4 groups, 2 groups kept, k = 2
V2 = replace(TINY, scoring_func="softmax", topk_method="group_limited_greedy",
                         norm_topk_prob=False, routed_scaling_factor=16.0)
V2_LITE = replace(TINY, scoring_func="softmax", topk_method="greedy", n_group=1,
                              topk_group=1, norm_topk_prob=False, routed_scaling_factor=1.0)


def style(c):
    return {"noaux_tc": "V3", "group_limited_greedy": "V2", "greedy": "V2-Lite"}[c.topk_method]


# ------------------------------------------------------------------ the reference router

def route(x, weight, c, bias=None, *, mistake=None):
    """(topk_idx sorted ascending per row, matching weights float64, near_tie (N,) bool).
    `mistake` computes a typical wrong variant instead, to name it in a failure."""
    x = x.reshape(-1, x.shape[-1]).double()
    logits = x @ weight.double().T
    n, e = logits.shape
    if mistake == "topk_softmax" or c.scoring_func != "softmax":
        scores = logits.sigmoid() if c.scoring_func == "sigmoid" else logits
    else:
        scores = logits.softmax(dim=-1)
    choice = scores.detach().clone()
    if c.topk_method == "noaux_tc" and bias is not None and mistake != "bias_ignored":
        choice = choice + bias.detach().double()
    near_tie = torch.zeros(n, dtype=torch.bool)
    grouped = c.topk_method in ("group_limited_greedy", "noaux_tc") and c.n_group > 1
    if grouped and mistake != "no_groups":
        g = choice.view(n, c.n_group, e // c.n_group)
        top_two = g.topk(2, dim=-1).values.sum(dim=-1) if g.shape[-1] >= 2 else g[..., 0]
        use_top_two = (c.topk_method == "noaux_tc") != (mistake == "group_score_flipped")
        group_scores = top_two if use_top_two else g.amax(dim=-1)
        ranked = group_scores.sort(dim=-1, descending=True).values
        if c.topk_group < c.n_group:
            near_tie |= (ranked[:, c.topk_group - 1] - ranked[:, c.topk_group]) < TIE
        keep = group_scores.topk(c.topk_group, dim=-1).indices
        dropped = torch.ones(n, c.n_group, dtype=torch.bool).scatter(1, keep, False)
        fill = 0.0 if mistake == "dropped_zero" else float("-inf")
        choice = g.masked_fill(dropped.unsqueeze(-1), fill).reshape(n, e)
    k = c.num_experts_per_tok
    ranked = choice.sort(dim=-1, descending=True).values
    if k < e:
        gap = ranked[:, k - 1] - ranked[:, k]
        near_tie |= ~(gap >= TIE)  # NaN (both -inf) counts as a tie
    idx = choice.topk(k, dim=-1).indices
    if mistake == "bias_in_weights":
        w = choice.gather(1, idx)
    else:
        w = scores.gather(1, idx)
    if mistake == "topk_softmax":
        w = w.softmax(dim=-1)
    if c.norm_topk_prob != (mistake == "renorm_flipped"):
        w = w / w.sum(dim=-1, keepdim=True)
    if mistake != "no_scale":
        w = w * c.routed_scaling_factor
    idx, order = idx.sort(dim=-1)
    return idx, w.gather(1, order), near_tie


MISTAKES = {
    "bias_in_weights": "the weights come from the biased scores (scores + "
                       "e_score_correction_bias); the bias only CHOOSES experts, the weights are "
                       "the unbiased scores",
    "bias_ignored": "e_score_correction_bias is not used to choose the experts",
    "renorm_flipped": {
        False: "the k weights sum to 1 before scaling: you renormalised them, or took a softmax "
               "over the k chosen logits (Mixtral-style: the same numbers). With norm_topk_prob "
               "False (V2) the weights are the softmax over ALL experts gathered at the k "
               "chosen ones: they sum to less than 1",
        True: "the k sigmoid scores are not renormalised: with norm_topk_prob True (V3) divide "
              "them by their sum, then multiply by routed_scaling_factor"},
    "topk_softmax": "you took a softmax over the k selected scores; the weights are the scores "
                    "themselves (softmax over ALL experts for V2, sigmoid for V3)",
    "dropped_zero": "the dropped groups' experts were set to 0 instead of -inf: a biased V3 "
                    "score can be negative, and then a dropped expert at 0 wins",
    "group_score_flipped": "the group score is wrong: V3 (noaux_tc) ranks a group by the SUM of "
                           "its two best biased scores, V2 (group_limited_greedy) by its best one",
    "no_groups": "the group limit is ignored: only the topk_group best groups' experts may be "
                 "chosen",
    "no_scale": "routed_scaling_factor is not applied (both V2 and V3 multiply the weights by it)",
}


def diagnose(idx, w, x, weight, c, bias):
    """Name the typical mistake whose output equals the learner's, if one does."""
    for mistake, text in MISTAKES.items():
        text = text[c.norm_topk_prob] if isinstance(text, dict) else text
        m_idx, m_w, m_tie = route(x, weight, c, bias, mistake=mistake)
        ok = ~m_tie
        if torch.equal(idx[ok], m_idx[ok]) and torch.allclose(w[ok].double(), m_w[ok],
                                                              rtol=1e-4, atol=1e-6):
            return f"your output equals what you get when {text}"
    return None


def sorted_rows(idx, w):
    idx_sorted, order = idx.sort(dim=-1)
    return idx_sorted, w.gather(1, order)


def check_gate(gate, x, c, label, hint, min_fraction=0.5):
    """Run the learner's gate on x, then compare with the reference router."""
    __tracebackhide__ = True
    with unchanged(x, names=["x"]):
        out = gate(x)
    call = f"Gate({label})(x of shape {tuple(x.shape)})"
    expect(isinstance(out, tuple) and len(out) == 2,
           f"{call} returned {type(out).__name__}; expected (topk_idx, topk_weight)")
    idx, w = out
    n, k = x.numel() // x.shape[-1], c.num_experts_per_tok
    assert_shape(idx, (n, k), what=f"{call} topk_idx",
                 hint="one row per token (leading dims flattened), k = num_experts_per_tok")
    assert_shape(w, (n, k), what=f"{call} topk_weight")
    expect(idx.dtype == torch.int64, f"{call}: topk_idx dtype {idx.dtype}, expected torch.int64")
    expect(w.dtype == torch.float32,
           f"{call}: topk_weight dtype {w.dtype}, expected torch.float32\n  hint: the router "
           f"computes in float32: logits = x.float() @ weight.float().T")
    idx, w = sorted_rows(idx, w)
    expect(bool((idx[:, 1:] != idx[:, :-1]).all()) if k > 1 else True,
           f"{call}: a token lists the same expert twice\n  hint: topk over the experts gives k "
           f"distinct ones")
    bias = getattr(gate, "e_score_correction_bias", None)
    ref_idx, ref_w, tie = route(x, gate.weight, c, bias)
    ok = ~tie
    expect(int(ok.sum()) >= min_fraction * n, f"(spec) too many near ties: {int(tie.sum())} of {n}")
    same = torch.equal(idx[ok], ref_idx[ok]) and torch.allclose(
        w[ok].detach().double(), ref_w[ok], rtol=1e-4, atol=1e-6)
    why = None if same else diagnose(idx, w.detach(), x, gate.weight, c, bias)
    full_hint = f"{why}\n  hint: {hint}" if why else hint
    assert_close(idx[ok], ref_idx[ok], what=f"{call} topk_idx (each row sorted)", hint=full_hint)
    assert_close(w[ok], ref_w[ok].float(), rtol=1e-4, atol=1e-6,
                 what=f"{call} topk_weight (in the rows' expert order)", hint=full_hint)
    return out


def loaded_gate(c, seed=0, spread=2.0, bias=None):
    """A Gate with seeded weights: logits have standard deviation about `spread`."""
    gate = Gate(c)
    state = {"weight": randn(c.n_routed_experts, c.hidden_size, seed=seed) * spread
             / math.sqrt(c.hidden_size)}
    if c.topk_method == "noaux_tc":
        state["e_score_correction_bias"] = (
            bias if bias is not None else 0.3 * randn(c.n_routed_experts, seed=seed + 1))
    expect(set(gate.state_dict()) == set(state),
           f"Gate({style(c)} config).state_dict() has keys {sorted(gate.state_dict())}, expected "
           f"{sorted(state)}\n  hint: self.weight = nn.Parameter(...) (E, H); for topk_method "
           f"'noaux_tc' also self.register_buffer('e_score_correction_bias', torch.zeros(E))")
    gate.load_state_dict(state)
    return gate


V2_HINT = ("V2: scores = softmax(logits) over ALL E experts; group score = the group's best "
           "score, keep topk_group groups; pick the k best; weights = those scores, NOT "
           "renormalised (norm_topk_prob False), times routed_scaling_factor")
V3_HINT = ("V3: scores = sigmoid(logits); choose with scores + e_score_correction_bias; group "
           "score = sum of the group's two best biased scores; other groups -inf; pick the k "
           "best; weights = the UNBIASED scores of those k, divided by their sum, times "
           "routed_scaling_factor")


# ------------------------------------------------------------------ Gate: structure

def test_gate_has_a_weight_and_a_correction_bias_buffer_in_v3():
    gate = Gate(V3)
    params = dict(gate.named_parameters())
    buffers = dict(gate.named_buffers())
    expect(set(params) == {"weight"} and tuple(params["weight"].shape) == (8, 32),
           f"Gate(tiny V3).named_parameters(): {[(k, tuple(v.shape)) for k, v in params.items()]}"
           f"; expected only weight (n_routed_experts, hidden_size) = (8, 32)")
    expect("e_score_correction_bias" in buffers,
           f"Gate(tiny V3) has no buffer e_score_correction_bias (buffers: {sorted(buffers)})\n  "
           f"hint: self.register_buffer('e_score_correction_bias', torch.zeros(E)): a buffer moves "
           f"with .to() and is saved in the state_dict, but no optimizer trains it")
    b = buffers["e_score_correction_bias"]
    expect(tuple(b.shape) == (8,) and b.dtype == torch.float32 and not bool(b.any()),
           f"Gate(tiny V3).e_score_correction_bias: shape {tuple(b.shape)}, dtype {b.dtype}, "
           f"values {b.tolist()}; expected float32 zeros of shape (8,)")
    expect("e_score_correction_bias" in gate.state_dict(),
           "Gate(tiny V3).state_dict() lacks e_score_correction_bias: register it persistent")
    with default_dtype(torch.float64):
        b = Gate(V3).e_score_correction_bias
    expect(b.dtype == torch.float32,
           f"Gate(tiny V3) built under torch.set_default_dtype(torch.float64): "
           f"e_score_correction_bias is {b.dtype}, expected float32 (the docstring: float32 zeros "
           f"at init, whatever the default dtype)\n  hint: torch.zeros(E, dtype=torch.float32); a "
           f"bare torch.zeros(E) follows the default dtype")


def test_gate_has_no_bias_in_v2():
    gate = Gate(V2)
    keys = set(gate.state_dict())
    expect(keys == {"weight"},
           f"Gate(tiny V2).state_dict() has keys {sorted(keys)}; expected only 'weight'\n  hint: "
           f"the correction bias exists only for topk_method 'noaux_tc' (V3)")


# ------------------------------------------------------------------ Gate: values

@pytest.mark.parametrize("shape", [(1, 1), (2, 7), (3, 5)])
def test_gate_v2_softmax_over_all_experts_not_renormalised(shape):
    gate = loaded_gate(V2, seed=1)
    check_gate(gate, randn(*shape, 32, seed=2), V2, "tiny V2", V2_HINT)


def test_gate_v2_lite_greedy():
    gate = loaded_gate(V2_LITE, seed=3)
    check_gate(gate, randn(4, 6, 32, seed=4), V2_LITE, "tiny V2-Lite (greedy)", V2_HINT)


def test_gate_v2_weights_do_not_sum_to_the_scale():
    gate = loaded_gate(V2, seed=5)
    idx, w = check_gate(gate, randn(9, 32, seed=6), V2, "tiny V2", V2_HINT)
    total = w.sum(dim=-1) / V2.routed_scaling_factor
    expect(bool((total < 1 - 1e-4).all()),
           f"Gate(tiny V2): topk_weight sums to routed_scaling_factor x {total.tolist()}; with "
           f"norm_topk_prob False each row sums to less than the factor\n  hint: {V2_HINT}")


@pytest.mark.parametrize("shape", [(1, 1), (2, 7), (3, 5)])
def test_gate_v3_sigmoid_bias_groups_renormalised(shape):
    gate = loaded_gate(V3, seed=7)  # the bias has negative and positive entries
    idx, w = check_gate(gate, randn(*shape, 32, seed=8), V3, "tiny V3", V3_HINT)
    assert_close(w.sum(dim=-1), torch.full((w.shape[0],), V3.routed_scaling_factor),
                 what="Gate(tiny V3): each row of topk_weight summed",
                 hint="V3 renormalises the k weights to sum 1, then multiplies by "
                      "routed_scaling_factor (2.5 here)")


def test_gate_v3_bias_chooses_but_never_weighs():
    # Logits = x when the gate's weight is the identity: scores are sigmoid(x) directly.
    c = replace(TINY, hidden_size=8, n_group=1, topk_group=1, num_experts_per_tok=2)
    bias = torch.tensor([-0.9, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.7])
    gate = loaded_gate(c, bias=bias)
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": bias})
    logits = torch.tensor([[3.0, -1.0, 0.5, 0.2, 0.1, -0.5, -2.0, -1.5]])
    idx, w = check_gate(gate, logits, c, "tiny V3, identity weight", V3_HINT)
    # Biased: 0.953-0.9, 0.269+0.8, 0.62, 0.55, ...; 0.182+0.7 -> experts 1 and 7 are chosen.
    s = logits.sigmoid()[0]
    expected = torch.stack([s[1], s[7]]) / (s[1] + s[7]) * c.routed_scaling_factor
    idx, w = sorted_rows(idx, w)
    assert_close(idx, torch.tensor([[1, 7]]), what="Gate: experts chosen with a bias of "
                 "[-0.9, 0.8, 0, 0, 0, 0, 0, 0.7]",
                 hint="choose with scores + e_score_correction_bias (the bias may be negative)")
    assert_close(w[0], expected, what="Gate: weights of the experts chosen by the bias",
                 hint="the weights are sigmoid(logits) of the chosen experts, renormalised: the "
                      "bias must not enter them")


def test_gate_v3_reads_the_bias_at_every_call():
    # update_bias returns a NEW tensor, which the training loop stores back as the buffer;
    # a .double()'d gate gets a new float64 buffer that load_state_dict then fills. A bias
    # (or a float32 copy of it) kept from the first call misses both.
    c = replace(TINY, hidden_size=8, n_group=1, topk_group=1, num_experts_per_tok=2)
    gate = loaded_gate(c, bias=torch.zeros(8))
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": torch.zeros(8)})
    logits = torch.tensor([[3.0, -1.0, 0.5, 0.2, 0.1, -0.5, -2.0, -1.5]])
    gate(logits)  # first call: zero bias, experts 0 and 2
    hint = ("read self.e_score_correction_bias inside forward at every call; a bias (or a "
            "float32 copy) kept from the first call misses the new buffer")
    bias = torch.tensor([-0.9, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.7])
    gate.e_score_correction_bias = bias.clone()  # as a loop stores update_bias's new tensor
    idx, _ = check_gate(gate, logits, c, "tiny V3, identity weight, bias assigned after a call",
                        V3_HINT + "; " + hint)
    assert_close(sorted_rows(idx, idx.float())[0], torch.tensor([[1, 7]]),
                 what="Gate: experts chosen after gate.e_score_correction_bias = "
                      "[-0.9, 0.8, 0, 0, 0, 0, 0, 0.7] (assigned after a first call with zeros)", hint=hint)
    gate = loaded_gate(c, bias=torch.zeros(8))
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": torch.zeros(8)})
    gate(logits)
    gate.double()
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": bias})
    idx, _ = gate(logits.double())
    assert_close(sorted_rows(idx, idx.float())[0], torch.tensor([[1, 7]]),
                 what="Gate: experts chosen after a first call, .double(), then load_state_dict "
                      "with bias [-0.9, 0.8, 0, 0, 0, 0, 0, 0.7]", hint=hint)


def test_gate_v3_group_score_is_the_sum_of_the_top_two():
    # 8 experts in 4 groups of 2; 1 group kept, k = 2; zero bias.
    # group 0: [0.97, 0.02] (best single expert, sum 0.99); group 1: [0.62, 0.60] (sum 1.22);
    # group 2: [0.55, 0.54]; group 3: [0.30, 0.31].  Top-2 sum keeps group 1.
    c = replace(TINY, hidden_size=8, n_group=4, topk_group=1, num_experts_per_tok=2)
    probs = torch.tensor([[0.97, 0.02, 0.62, 0.60, 0.55, 0.54, 0.30, 0.31]])
    logits = torch.log(probs / (1 - probs))
    gate = loaded_gate(c, bias=torch.zeros(8))
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": torch.zeros(8)})
    idx, w = check_gate(gate, logits, c, "tiny V3, 4 groups, 1 kept", V3_HINT)
    assert_close(sorted_rows(idx, w)[0], torch.tensor([[2, 3]]),
                 what="Gate: experts chosen when group 0 has the best expert (0.97) but group 1 "
                      "the best two (0.62 + 0.60)",
                 hint="a V3 group's score is the sum of its two largest biased scores, not its "
                      "maximum; keep the topk_group best groups, then choose only inside them")


def test_gate_v3_dropped_groups_are_minus_infinity():
    # A negative bias makes every biased score negative: a dropped expert set to 0 would win.
    c = replace(TINY, hidden_size=8, n_group=4, topk_group=2, num_experts_per_tok=3)
    bias = torch.full((8,), -1.0)
    gate = loaded_gate(c, bias=bias)
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": bias})
    logits = torch.tensor([[2.0, 1.5, 1.0, 0.8, -1.0, -1.2, -2.0, -1.8],
                           [-1.0, -1.1, 0.3, 0.2, -3.0, -2.5, 1.9, 2.2]])
    idx, w = check_gate(gate, logits, c, "tiny V3, bias -1 everywhere", V3_HINT)
    assert_close(sorted_rows(idx, w)[0], torch.tensor([[0, 1, 2], [2, 6, 7]]),
                 what="Gate: experts chosen when every biased score is negative",
                 hint="mask the dropped groups with -inf, not 0: a negative biased score loses "
                      "to 0, so the dropped experts would be picked")
    # Biased scores far below any finite mask value (the docstring says -inf, and the bias is
    # any float32): a mask of -1e4 or -1e9 would beat every kept expert. The bias alone orders
    # the experts here (steps of 4096, exact in float32 at 1e10): groups 0 and 1 are kept.
    far = -1e10 + 4096.0 * torch.arange(8, 0, -1, dtype=torch.float32)
    gate.load_state_dict({"weight": torch.eye(8), "e_score_correction_bias": far})
    idx, w = check_gate(gate, logits, c, "tiny V3, bias about -1e10", V3_HINT)
    assert_close(sorted_rows(idx, w)[0], torch.tensor([[0, 1, 2], [0, 1, 2]]),
                 what="Gate: experts chosen when every biased score is about -1e10",
                 hint="mask the dropped groups with float('-inf'), not a large finite negative "
                      "number (-1e4, -1e9): biased scores can lie below it, and then the dropped "
                      "experts would be picked")


@pytest.mark.parametrize("which", ["v2", "v3"])
def test_gate_with_the_published_configs(which):
    c = {"v2": DEEPSEEK_V2, "v3": DEEPSEEK_V3}[which]
    gate = loaded_gate(c, seed=9)
    check_gate(gate, randn(2, 8, c.hidden_size, seed=10), c, f"DEEPSEEK_{which.upper()}",
               V2_HINT if which == "v2" else V3_HINT)


@st.composite
def router_configs(draw):
    n_group, per_group = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    topk_group = draw(st.integers(1, n_group))
    routing = draw(st.sampled_from([
        dict(scoring_func="softmax", topk_method="greedy", norm_topk_prob=False),
        dict(scoring_func="softmax", topk_method="group_limited_greedy", norm_topk_prob=False),
        dict(scoring_func="sigmoid", topk_method="noaux_tc", norm_topk_prob=True)]))
    if routing["topk_method"] == "greedy":  # no groups (as in V2-Lite: n_group = 1)
        per_group, n_group, topk_group = n_group * per_group, 1, 1
    return replace(TINY, 
        hidden_size=draw(st.integers(1, 12)), moe_intermediate_size=draw(st.integers(1, 6)),
        n_routed_experts=n_group * per_group, n_group=n_group, topk_group=topk_group,
        num_experts_per_tok=draw(st.integers(1, topk_group * per_group)),
        n_shared_experts=draw(st.integers(0, 2)),
        routed_scaling_factor=draw(st.sampled_from([1.0, 2.5, 16.0])), **routing)


@given(c=router_configs(), tokens=st.integers(1, 9), seed=st.integers(0, 2**31 - 1))
def test_gate_random_configs(c, tokens, seed):
    gate = loaded_gate(c, seed=seed % 10_000)
    check_gate(gate, randn(tokens, c.hidden_size, seed=seed), c, describe(c),
               V2_HINT if c.scoring_func == "softmax" else V3_HINT, min_fraction=0)


# Each step reads its own field: renormalise on norm_topk_prob, add the bias on topk_method
# "noaux_tc", score a group by its top two on "noaux_tc" (by its best on
# "group_limited_greedy"), group only for those two methods. Mixed configs tell a learner who
# keys every "V3" step on scoring_func == "sigmoid" (or groups whenever n_group > 1) apart.
MIXED = {
    "softmax, greedy, renormalised": dict(scoring_func="softmax", topk_method="greedy",
                                          n_group=1, topk_group=1, norm_topk_prob=True),
    "sigmoid, noaux_tc, not renormalised": dict(scoring_func="sigmoid", topk_method="noaux_tc",
                                                norm_topk_prob=False),
    "sigmoid, group_limited_greedy": dict(scoring_func="sigmoid", n_group=4, topk_group=2,
                                          topk_method="group_limited_greedy", num_experts_per_tok=3),
    "softmax, noaux_tc": dict(scoring_func="softmax", topk_method="noaux_tc", n_group=4,
                              topk_group=2, num_experts_per_tok=3),
    "greedy with n_group=4": dict(scoring_func="softmax", topk_method="greedy", n_group=4,
                                  topk_group=1, norm_topk_prob=False, num_experts_per_tok=3),
}


@pytest.mark.parametrize("name", list(MIXED))
def test_gate_each_switch_reads_its_own_field(name):
    c = replace(TINY, n_routed_experts=16, **MIXED[name])
    gate = loaded_gate(c, seed=70)
    check_gate(gate, randn(24, 32, seed=71), c, f"{name}: {describe(c)}",
               "each step reads its own field, whatever scoring_func is: renormalise iff "
               "norm_topk_prob; the correction bias and the top-two group score iff topk_method "
               "== 'noaux_tc' (the best score for 'group_limited_greedy'); groups only for those "
               "two methods ('greedy' ignores n_group)")


@pytest.mark.parametrize("c", [V3, V2], ids=["V3 noaux_tc", "V2 group_limited_greedy"])
def test_gate_builds_its_tensors_on_the_inputs_device(c):
    gate = Gate(c)
    for x in (randn(2, 3, c.hidden_size, seed=41), torch.zeros(0, c.hidden_size)):  # N = 0: an early return too

        def on_meta_device():
            return copy.deepcopy(gate).to("meta")(x.to("meta"))

        assert_on_input_device(lambda: gate(x), on_meta_device, what=f"Gate(config)(x {tuple(x.shape)}) "
                               f"on the meta device", hint=HINT_DEVICE)


def test_load_balance_loss_builds_its_tensors_on_the_inputs_device():
    scores = torch.rand(6, 8, generator=torch.Generator().manual_seed(42)).softmax(-1)
    topk_idx = torch.tensor([[0, 1], [2, 3], [4, 5], [6, 7], [0, 2], [1, 3]])
    assert_on_input_device(lambda: load_balance_loss(scores, topk_idx, 0.1),
                           lambda: load_balance_loss(scores.to("meta"), topk_idx.to("meta"), 0.1),
                           what="load_balance_loss(scores (6, 8), topk_idx (6, 2), 0.1) on the "
                                "meta device", hint=HINT_DEVICE)


class _MetaHelpers(torch.overrides.TorchFunctionMode):
    """Records torch calls that mix a meta tensor of one or more dims with a CPU tensor: run with the
    default device set to meta, such a tensor is a helper built without device= (on a GPU it would sit
    on the CPU). 0-dim helpers (torch.tensor(0.5)) are legal next to GPU tensors and not recorded, and so
    are CPU index tensors in x[idx] (torch moves integer and bool indices to x's device) and assignments
    x[...] = y (a copy, which crosses devices)."""

    def __init__(self):
        super().__init__()
        self.mixed: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        tensors = [t for t in torch.utils._pytree.tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)]
        helpers = [t for t in tensors if t.device.type == "meta" and t.dim() > 0]
        name = getattr(func, "__name__", "")
        if name == "__setitem__":
            return func(*args, **kwargs)
        if name == "__getitem__":
            helpers = [t for t in helpers if t.is_floating_point()]  # not an index
        if helpers and any(t.device.type == "cpu" for t in tensors):
            self.mixed.append(getattr(func, "__name__", repr(func)))
        return func(*args, **kwargs)


def test_moe_builds_its_helpers_on_the_inputs_device():
    # MoE's dispatch reads counts (.tolist(), nonzero) and cannot run on meta: the inputs stay on the CPU and
    # the default device is meta, so a bare torch.zeros(N, H) output buffer lands on meta and meets CPU rows
    moe = loaded_moe(V3, seed=28)
    x = randn(2, 3, 32, seed=29)
    probe = _MetaHelpers()
    out = None
    try:
        with torch.device("meta"), probe:
            out = moe(x)
    except (RuntimeError, NotImplementedError) as err:
        if "meta" not in str(err).lower():
            raise
    if probe.mixed or (out is not None and out.device.type != "cpu"):
        raise SpecFailure(f"MoE(V3)(x (2, 3, 32) on the CPU) built a helper tensor on the default device: with "
                          f"the default device set to meta, {sorted(set(probe.mixed))[:4] or 'its output'} mixed a "
                          f"meta tensor with the CPU inputs; on a GPU that helper would sit on the CPU\n  hint: "
                          + HINT_DEVICE + " (the output buffer too: torch.zeros_like(x) or x.new_zeros)")


def test_update_bias_builds_its_tensors_on_the_inputs_device():
    # the training loop calls it on the GPU with bincount's counts: a bare torch.zeros(E) step is on the CPU
    bias, counts = torch.tensor([0.1, -0.2, 0.0, 0.3]), torch.tensor([5, 1, 3, 3])
    assert_on_input_device(lambda: update_bias(bias, counts, 0.01),
                           lambda: update_bias(bias.to("meta"), counts.to("meta"), 0.01),
                           what="update_bias(bias (4,), counts (4,), 0.01) on the meta device", hint=HINT_DEVICE)


@pytest.mark.parametrize("c", [V3, V2, V2_LITE], ids=["V3", "V2", "V2-Lite"])
def test_zero_tokens_give_empty_outputs(c):
    gate, moe = loaded_gate(c, seed=72), loaded_moe(c, seed=73)
    for shape in [(0, 32), (2, 0, 32)]:
        idx, w = gate(torch.zeros(shape))
        k = c.num_experts_per_tok
        expect(tuple(idx.shape) == (0, k) and tuple(w.shape) == (0, k) and idx.dtype == torch.int64
               and w.dtype == torch.float32,
               f"Gate({style(c)})(x of shape {shape}) gave topk_idx {idx.dtype} {tuple(idx.shape)}, "
               f"topk_weight {w.dtype} {tuple(w.shape)}; expected int64 and float32 of shape (0, {k})"
               f"\n  hint: N = 0 tokens is a batch like any other: view the groups as "
               f"(N, n_group, E // n_group), not (N, n_group, -1) (-1 is ambiguous with 0 elements)")
    for dtype in (torch.float32, torch.float64):  # float64: an early return must keep x's dtype too
        x = torch.zeros(2, 0, 32, dtype=dtype)
        out = (moe if dtype == torch.float32 else copy.deepcopy(moe).to(dtype))(x)
        expect(isinstance(out, torch.Tensor) and tuple(out.shape) == (2, 0, 32) and out.dtype == x.dtype,
               f"MoE({style(c)})(x of shape (2, 0, 32), {dtype}) gave {out!r:.80}; expected an empty {dtype} "
               f"(2, 0, 32)\n  hint: with no tokens no expert runs: torch.cat of an empty list of "
               f"per-expert outputs raises; index_add_ each expert's rows into a zero output instead (an "
               f"early return for T = 0 builds its zeros like x: x.new_zeros(x.shape), not torch.zeros)")


@pytest.mark.parametrize("shape", [(32,), (2, 1, 3, 32)], ids=["one token (H,)", "three leading dims"])
def test_gate_any_leading_dims(shape):
    gate = loaded_gate(V3, seed=60)
    check_gate(gate, randn(*shape, seed=61), V3, "tiny V3", "x (..., H) is flattened to N = x.numel() // H "
               "tokens: x.reshape(-1, H); " + V3_HINT, min_fraction=0)


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_gate_routes_in_float32_whatever_the_dtype(dtype):
    gate = loaded_gate(V2, seed=62)
    if dtype == torch.float64:
        gate = gate.to(dtype)  # a .double()'d model: weight float64 too
    check_gate(gate, randn(3, 4, 32, seed=63).to(dtype), V2, f"tiny V2, x {dtype}, weight "
               f"{gate.weight.dtype}", "cast BOTH to float32: logits = x.float() @ self.weight.float().T; "
               "topk_weight is float32 for any input dtype", min_fraction=0)


def test_gate_non_contiguous_input():
    gate = loaded_gate(V3, seed=11)
    x = non_contiguous(randn(3, 4, 32, seed=12))
    check_gate(gate, x, V3, "tiny V3", V3_HINT + "; x may be non-contiguous: use reshape, not view")


# ------------------------------------------------------------------ Expert

def test_expert_is_a_swiglu_without_biases():
    expert = Expert(5, 7)
    shapes = {k: tuple(v.shape) for k, v in expert.state_dict().items()}
    expected = {"gate_proj.weight": (7, 5), "up_proj.weight": (7, 5), "down_proj.weight": (5, 7)}
    expect(shapes == expected, f"Expert(5, 7).state_dict() shapes {shapes}, expected {expected}"
           f"\n  hint: three nn.Linear(..., bias=False) named gate_proj, up_proj, down_proj")
    state = {k: randn(*v, seed=i) for i, (k, v) in enumerate(expected.items())}
    assert_parameters_like(expert, expected, what="Expert(5, 7)", like="DeepSeek's expert",
                           hint="three nn.Linear(..., bias=False) (or nn.Parameters), never buffers: "
                                "an optimizer trains only module.parameters()")
    expert.load_state_dict(state)
    x = randn(2, 3, 5, seed=9)
    with unchanged(x, names=["x"]):
        out = expert(x)
    ref = F.silu(x @ state["gate_proj.weight"].T) * (x @ state["up_proj.weight"].T)
    assert_close(out, ref @ state["down_proj.weight"].T, what="Expert(5, 7)(x of shape (2, 3, 5))",
                 hint="down_proj(silu(gate_proj(x)) * up_proj(x)): SiLU on the gate branch only")


def test_expert_float64():
    expert = Expert(3, 2).double()
    out = expert(randn(4, 3, seed=1, dtype=torch.float64))
    expect(out.dtype == torch.float64 and out.shape == (4, 3),
           f"Expert(3, 2).double()(x float64 (4, 3)) gave {out.dtype} {tuple(out.shape)}")


# ------------------------------------------------------------------ MoE: reference and loading

def describe(c):
    base = TINY
    changed = [f"{f.name}={getattr(c, f.name)!r}" for f in dataclasses.fields(c)
               if getattr(c, f.name) != getattr(base, f.name)]
    return f"replace(TINY, {', '.join(changed)})" if changed else "TINY"


def moe_keys(c):
    keys = {"gate.weight"} | {f"experts.{j}.{p}_proj.weight" for j in range(c.n_routed_experts)
                              for p in ("gate", "up", "down")}
    if c.topk_method == "noaux_tc":
        keys.add("gate.e_score_correction_bias")
    if c.n_shared_experts:
        keys |= {f"shared_experts.{p}_proj.weight" for p in ("gate", "up", "down")}
    return keys


def loaded_moe(c, seed=0, dtype=torch.float32):
    moe = MoE(c)
    keys = set(moe.state_dict())
    expected = moe_keys(c)
    expect(keys == expected,
           f"MoE({describe(c)}).state_dict() keys differ: missing {sorted(expected - keys)[:6]}, "
           f"unexpected {sorted(keys - expected)[:6]}\n  hint: self.gate = Gate(config); "
           f"self.experts = nn.ModuleList(Expert(...) for each routed expert); "
           f"self.shared_experts = Expert(H, n_shared_experts * moe_intermediate_size)")
    h, i = c.hidden_size, c.moe_intermediate_size
    state = {}
    for n, key in enumerate(sorted(expected)):
        if key == "gate.weight":
            state[key] = randn(c.n_routed_experts, h, seed=seed + n) * 2 / math.sqrt(h)
        elif key.endswith("e_score_correction_bias"):
            state[key] = 0.1 * randn(c.n_routed_experts, seed=seed + n)  # entries of both signs
        else:
            width = c.n_shared_experts * i if key.startswith("shared") else i
            shape = (h, width) if "down_proj" in key else (width, h)
            state[key] = randn(*shape, seed=seed + n) / math.sqrt(shape[1])
    moe.load_state_dict(state)
    return moe.to(dtype)


def swiglu(x, p, prefix):
    g, u, d = (p[f"{prefix}.{n}_proj.weight"].to(x.dtype) for n in ("gate", "up", "down"))
    return F.linear(F.silu(F.linear(x, g)) * F.linear(x, u), d)


def reference_moe(moe, c, x):
    """Per-token loop in float64 over the learner's parameters (differentiable). Returns
    (output (B, T, H) float64, near_tie (N,))."""
    p = dict(moe.named_parameters())
    p.update(dict(moe.named_buffers()))
    tokens = x.reshape(-1, x.shape[-1]).double()
    idx, w, tie = route(tokens, p["gate.weight"], c, p.get("gate.e_score_correction_bias"))
    rows = []
    for t in range(tokens.shape[0]):
        y = sum(w[t, j] * swiglu(tokens[t], p, f"experts.{int(idx[t, j])}")
                for j in range(idx.shape[1]))
        if c.n_shared_experts:
            y = y + swiglu(tokens[t], p, "shared_experts")
        rows.append(y)
    return torch.stack(rows).view(*x.shape[:-1], -1), tie


def moe_hint(out, ref, x, moe, c):
    """Name the likely mistake from the shape of the difference."""
    h = ref.shape[-1]
    diff = (out.double() - ref).reshape(-1, h)
    tokens = x.reshape(-1, h).double()
    if torch.allclose(diff, tokens, atol=1e-4):
        return ("the difference is exactly x: MoE.forward must return only the FFN output; the "
                "decoder layer adds the residual (h = h + moe(norm(h)))")
    p = dict(moe.named_parameters())
    if c.n_shared_experts and torch.allclose(diff, -swiglu(tokens, p, "shared_experts"), atol=1e-4):
        return "the shared experts' output is missing: add shared_experts(x) for every token"
    p.update(dict(moe.named_buffers()))
    idx, w, _ = route(tokens, p["gate.weight"], c, p.get("gate.e_score_correction_bias"))
    for t in (diff.abs() > 1e-3).any(dim=-1).nonzero().flatten().tolist():
        for j in range(idx.shape[1]):
            e = int(idx[t, j])
            part = w[t, j] * swiglu(tokens[t], p, f"experts.{e}")
            if torch.allclose(diff[t], -part, atol=1e-4):
                return (f"token {t} lost expert {e}'s contribution: every (token, expert) pair "
                        f"must be computed and ADDED. An expert capacity that drops overflow "
                        f"tokens, or out[rows] = ... (which overwrites what an earlier expert "
                        f"wrote for the token) instead of out.index_add_(0, rows, ...), does this")
            if torch.allclose(diff[t], part, atol=1e-4):
                return f"token {t} got expert {e}'s contribution twice: each pair counts once"
    return ("y_t = sum_j topk_weight[t, j] * experts[topk_idx[t, j]](x_t) + shared_experts(x_t): "
            "each (token, expert) pair contributes once, with the gate's weight")


def check_moe(moe, c, x, label=None, min_fraction=0.5):
    __tracebackhide__ = True
    label = label or describe(c)
    with unchanged(x, names=["x"]):
        out = moe(x)
    call = f"MoE({label})(x of shape {tuple(x.shape)})"
    assert_shape(out, x.shape, what=call, hint="(B, T, H) in, (B, T, H) out")
    expect(out.dtype == x.dtype, f"{call}: dtype {out.dtype}, expected x's {x.dtype}")
    with torch.no_grad():
        ref, tie = reference_moe(moe, c, x)
    ok = ~tie.view(x.shape[:-1])
    expect(int(ok.sum()) >= min_fraction * ok.numel(), "(spec) too many near ties")
    # bfloat16 keeps 8 bits: allow 2% of the output's scale (accumulating in bfloat16 is fine)
    tol = (dict(rtol=1e-4, atol=1e-4) if x.dtype != torch.bfloat16
           else dict(rtol=2e-2, atol=2e-2 * float(ref.abs().max())))
    if not torch.allclose(out[ok].double(), ref[ok], **tol):
        hint = moe_hint(out.detach(), ref, x, moe, c)
    else:
        hint = None
    if hint and x.dtype == torch.bfloat16:
        hint += "; in bfloat16, the gate must still compute in float32 (x.float() @ weight.float().T)"
    assert_close(out[ok], ref[ok].to(x.dtype), **tol, what=f"{call} vs a per-token loop", hint=hint)
    return out


# ------------------------------------------------------------------ MoE: structure and values

def test_moe_state_dict_matches_deepseeks_checkpoints():
    moe = loaded_moe(V3)
    assert_parameters_like(moe, {k: tuple(v.shape) for k, v in moe.state_dict().items()
                                 if not k.endswith("e_score_correction_bias")},
                           what="MoE(tiny V3)", like="DeepSeek's MoE",
                           hint="every weight (gate, experts, shared experts) is an nn.Parameter; only "
                                "the gate's e_score_correction_bias is a buffer")
    expect(isinstance(moe.experts, nn.ModuleList) and len(moe.experts) == 8,
           f"MoE(tiny V3).experts is {type(moe.experts).__name__}; expected an nn.ModuleList of 8")
    shared = moe.shared_experts.gate_proj.weight.shape
    expect(tuple(shared) == (16, 32),
           f"MoE(tiny V3).shared_experts.gate_proj.weight {tuple(shared)}; expected (16, 32): "
           f"n_shared_experts * moe_intermediate_size wide")
    two = MoE(replace(TINY, n_shared_experts=2)).shared_experts.up_proj.weight.shape
    expect(tuple(two) == (32, 32),
           f"MoE(tiny, n_shared_experts=2).shared_experts.up_proj.weight {tuple(two)}; expected "
           f"(32, 32)\n  hint: the shared experts are fused into ONE Expert of width "
           f"n_shared_experts * moe_intermediate_size")


@pytest.mark.parametrize("c", [V3, V2, V2_LITE, replace(TINY, n_shared_experts=2),
                               replace(TINY, num_experts_per_tok=1, n_group=1, topk_group=1)],
                         ids=["V3", "V2", "V2-Lite", "two shared", "k=1"])
@pytest.mark.parametrize("shape", [(1, 1), (2, 7), (3, 5)])
def test_moe_equals_a_per_token_loop(c, shape):
    moe = loaded_moe(c, seed=20)
    check_moe(moe, c, randn(*shape, c.hidden_size, seed=21))


@given(c=router_configs(), b=st.integers(1, 3), t=st.integers(1, 6), seed=st.integers(0, 2**31 - 1))
def test_moe_random_configs(c, b, t, seed):
    moe = loaded_moe(c, seed=seed % 10_000)
    check_moe(moe, c, randn(b, t, c.hidden_size, seed=seed), min_fraction=0)


def test_moe_returns_no_residual():
    moe = loaded_moe(V3, seed=22)
    with torch.no_grad():
        for p in moe.parameters():
            if p is not moe.gate.weight:
                p.zero_()
    x = randn(2, 3, 32, seed=23)
    out = moe(x)
    assert_close(out, torch.zeros_like(x), what="MoE(tiny V3) with every expert's weights at 0",
                 hint="with zero experts the FFN output is 0: MoE.forward returns only the FFN "
                      "output, the decoder layer adds the residual x itself")


def test_moe_non_contiguous_input():
    moe = loaded_moe(V3, seed=24)
    check_moe(moe, V3, non_contiguous(randn(2, 5, 32, seed=25)))


def test_moe_float64():
    moe = loaded_moe(V2, seed=26, dtype=torch.float64)
    check_moe(moe, V2, randn(2, 3, 32, seed=27, dtype=torch.float64))


def test_moe_bfloat16_keeps_the_dtype():
    moe = loaded_moe(V3, seed=28, dtype=torch.bfloat16)
    check_moe(moe, V3, randn(2, 4, 32, seed=29).to(torch.bfloat16))


def test_moe_without_shared_experts():
    c = replace(TINY, n_shared_experts=0)
    moe = loaded_moe(c, seed=32)
    expect(getattr(moe, "shared_experts", "missing") is None,
           f"MoE(tiny, n_shared_experts=0).shared_experts is {getattr(moe, 'shared_experts', 'missing')!r}; "
           f"the contract says None when n_shared_experts == 0 (no zero-width Expert)")
    check_moe(moe, c, randn(2, 5, 32, seed=33))


# ------------------------------------------------------------------ MoE: each token on its own

def test_moe_output_of_a_token_does_not_depend_on_the_batch():
    moe = loaded_moe(V3, seed=30)
    x = randn(4, 16, 32, seed=31)
    with torch.no_grad():
        together = moe(x)
        for b, t in [(0, 0), (1, 5), (3, 15), (2, 9)]:
            alone = moe(x[b:b + 1, t:t + 1])
            assert_close(together[b, t], alone[0, 0], rtol=1e-4, atol=1e-5,
                         what=f"MoE: token ({b}, {t}) in a batch of 64 vs on its own",
                         hint="a token's output must not depend on the other tokens: no expert "
                              "capacity, no dropping of tokens when an expert is popular")


def test_moe_identical_tokens_all_get_the_same_output():
    # 96 copies of one token all go to the same k experts: a capacity limit would drop some.
    moe = loaded_moe(V3, seed=32)
    token = randn(1, 1, 32, seed=33)
    with torch.no_grad():
        alone = moe(token)
        many = moe(token.expand(3, 32, 32).contiguous())
    assert_close(many, alone.expand(3, 32, 32), rtol=1e-4, atol=1e-5,
                 what="MoE(96 copies of one token) vs the token alone",
                 hint="every token is processed by its k experts, however many tokens chose the "
                      "same experts: no capacity, nothing dropped or duplicated")


@given(seed=st.integers(0, 2**31 - 1), b=st.integers(1, 3), t=st.integers(2, 9))
def test_moe_permuting_tokens_permutes_outputs(seed, b, t):
    moe = loaded_moe(V2, seed=seed % 1000)
    x = randn(b, t, 32, seed=seed)
    perm = torch.randperm(b * t, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        out = moe(x).reshape(b * t, -1)
        shuffled = moe(x.reshape(b * t, 1, -1)[perm].reshape(b, t, -1)).reshape(b * t, -1)
    assert_close(shuffled, out[perm], rtol=1e-4, atol=1e-5,
                 what="MoE(tokens permuted) vs MoE(tokens) permuted",
                 hint="each token's output must depend on that token only")


# ------------------------------------------------------------------ MoE: gradients

@pytest.mark.parametrize("c", [V3, V2], ids=["V3", "V2"])
def test_moe_gradients_match_autograd_through_the_reference(c):
    moe = loaded_moe(c, seed=40)
    x = randn(2, 6, 32, seed=41).requires_grad_()
    out = moe(x)
    ref, tie = reference_moe(moe, c, x)
    expect(not bool(tie.any()), "(spec) pick a seed without near ties")
    g = randn(*out.shape, seed=42)
    params = [p for _, p in sorted(moe.named_parameters())]
    names = [n for n, _ in sorted(moe.named_parameters())]
    mine = torch.autograd.grad((out * g).sum(), [x, *params], allow_unused=True)
    theirs = torch.autograd.grad((ref * g.double()).sum(), [x, *params], allow_unused=True)
    for name, a, r in zip(["x", *names], mine, theirs):
        if r is None:
            continue
        expect(a is not None,
               f"MoE({style(c)}): no gradient reached {name}\n  hint: the routed weights must "
               f"stay connected to gate.weight (gather from the scores without detaching them)")
        assert_close(a, r.to(a.dtype), rtol=1e-3, atol=1e-5,
                     what=f"MoE({style(c)}) gradient w.r.t. {name}")


# ------------------------------------------------------------------ MoE: vectorised dispatch

class OpCounter(LightDispatchMode):
    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.count += 1
        return func(*args, **(kwargs or {}))


def ops(moe, x):
    with torch.no_grad(), OpCounter() as counter:
        moe(x)
    return counter.count


def every_expert_used(moe, c, x):
    idx, _, _ = route(x, moe.gate.weight, c, getattr(moe.gate, "e_score_correction_bias", None))
    return len(idx.unique()) == c.n_routed_experts


def test_moe_dispatch_does_not_loop_over_tokens():
    moe = loaded_moe(V3, seed=50)
    with torch.no_grad():
        moe.gate.e_score_correction_bias.zero_()  # (every expert gets tokens in both batches)
    small, large = randn(1, 64, 32, seed=51), randn(8, 64, 32, seed=52)
    few = ops(moe, small)
    many = ops(moe, large)
    assert every_expert_used(moe, V3, small) and every_expert_used(moe, V3, large)
    expect(many <= 1.5 * few + 30,
           f"MoE(tiny V3): {few} torch ops for 64 tokens, {many} for 512 (every expert used in "
           f"both)\n  hint: the number of ops must not grow with the tokens: no Python loop over "
           f"tokens. Sort the (token, expert) pairs by expert, run each expert once on all its "
           f"tokens, index_add_ the weighted rows back")


def test_moe_computes_only_the_chosen_experts():
    c = replace(TINY, n_shared_experts=2)
    moe = loaded_moe(c, seed=55)
    x = randn(2, 64, 32, seed=56)
    with torch.no_grad():
        flops = count_flops(moe, x)
    n, h, i = 128, c.hidden_size, c.moe_intermediate_size
    needed = (2 * n * h * c.n_routed_experts                       # gate logits
              + n * c.num_experts_per_tok * 6 * h * i              # k experts per token
              + n * 6 * h * c.n_shared_experts * i)                # the shared experts
    expect(flops <= 1.25 * needed,
           f"MoE(tiny, 2 shared experts)(128 tokens): {flops:,} matmul FLOPs; a token needs its "
           f"gate, its k = {c.num_experts_per_tok} routed experts and the shared experts: "
           f"{needed:,} (budget 1.25x)\n  hint: run each expert only on the tokens routed to "
           f"it; computing every expert on every token and masking the weights is "
           f"n_routed_experts / k times the work (what 'activated parameters' saves)")


def per_token_loop(moe, c, x, routing):
    """The yardstick: the same work with a Python loop over the tokens (float32)."""
    p = dict(moe.named_parameters())
    mats = [tuple(p[f"experts.{e}.{n}_proj.weight"] for n in ("gate", "up", "down"))
            for e in range(c.n_routed_experts)]
    shared = tuple(p[f"shared_experts.{n}_proj.weight"] for n in ("gate", "up", "down"))
    idx, w = routing[0].tolist(), routing[1].tolist()
    tokens = x.reshape(-1, x.shape[-1])
    out = torch.empty_like(tokens)
    for t in range(tokens.shape[0]):
        row = tokens[t]
        g, u, d = shared
        y = F.linear(F.silu(F.linear(row, g)) * F.linear(row, u), d)
        for e, weight in zip(idx[t], w[t]):
            g, u, d = mats[e]
            y = y + weight * F.linear(F.silu(F.linear(row, g)) * F.linear(row, u), d)
        out[t] = y
    return out.view(x.shape)


def test_moe_is_much_faster_than_a_per_token_loop():
    """2048 tokens, one CPU thread: the per-token loop below takes 0.3-1 s (a few dozen small
    ops per token); a vectorised MoE (one pass per expert) 5-20 ms, under 0.03x of it; a
    learner's loop over tokens runs at 0.5x-2x. The budget of 0.25x sits between with margin
    on both sides. One run of each is measured first: well inside (<= budget / 3) passes at
    once, far outside (> 2 x budget) fails at once; only a borderline ratio is re-measured
    in alternating rounds (time_ratio)."""
    moe = loaded_moe(V3, seed=60)
    x = randn(4, 512, 32, seed=61)
    budget = 0.25
    with torch.no_grad():
        start = time.perf_counter()
        moe(x)
        once = time.perf_counter() - start
        idx, w, _ = route(x, moe.gate.weight, V3, moe.gate.e_score_correction_bias)
        routing = (idx, w.float())
        start = time.perf_counter()
        per_token_loop(moe, V3, x, routing)
        ratio = once / (time.perf_counter() - start)
        if budget / 3 < ratio <= 2 * budget:
            ratio = time_ratio(moe, lambda x: per_token_loop(moe, V3, x, routing), x, repeats=3)
    expect(ratio <= budget,
           f"MoE(tiny V3)(2048 tokens) took {ratio:.2f}x the time of a per-token loop (budget "
           f"{budget}x)\n  hint: no Python loop over tokens: group the tokens by expert and run "
           f"each expert once on all of its tokens")


# ------------------------------------------------------------------ load_balance_loss

def reference_balance_loss(scores, topk_idx, alpha):
    t, e = scores.shape
    k = topk_idx.shape[1]
    count = [sum(int(i in row) for row in topk_idx.tolist()) for i in range(e)]
    total = 0.0
    for i in range(e):
        f = e / (k * t) * count[i]
        p = scores[:, i].sum() / t
        total = total + f * p
    return alpha * total


def routed(t, e, k, seed):
    gen = torch.Generator().manual_seed(seed)
    scores = torch.randn(t, e, generator=gen, dtype=torch.float64).softmax(dim=-1)
    idx = torch.rand(t, e, generator=gen).argsort(dim=-1)[:, :k]
    return scores, idx


@given(t=st.integers(1, 12), e=st.integers(1, 9), seed=st.integers(0, 2**31 - 1), data=st.data())
def test_load_balance_loss_matches_the_formula(t, e, seed, data):
    k = data.draw(st.integers(1, e), label="k")
    scores, idx = routed(t, e, k, seed)
    with unchanged(scores, idx, names=["scores", "topk_idx"]):
        loss = load_balance_loss(scores, idx, 0.003)
    ref = reference_balance_loss(scores, idx, 0.003)
    assert_shape(loss, (), what="load_balance_loss(...)", hint="a scalar tensor")
    assert_close(loss, ref, what=f"load_balance_loss(scores ({t}, {e}), topk_idx k={k}, 0.003)",
                 hint="alpha * sum_i f_i * P_i with f_i = E / (K * T) * (tokens sent to i) and "
                      "P_i = mean over tokens of scores[:, i]")


def test_load_balance_loss_is_alpha_when_perfectly_balanced():
    e, k, t = 4, 2, 6
    idx = torch.tensor([[0, 1], [2, 3], [0, 2], [1, 3], [0, 3], [1, 2]])
    scores = torch.full((t, e), 1 / e)
    loss = load_balance_loss(scores, idx, 0.01)
    assert_close(loss, torch.tensor(0.01), what="load_balance_loss(uniform scores, balanced "
                 "routing, alpha=0.01)",
                 hint="f_i = E/(K*T) * count_i is 1 for every expert when balanced, P_i = 1/E: "
                      "the sum is 1, the loss alpha; forgot the E/(K*T) factor?")


def test_load_balance_loss_alpha_zero_is_zero():
    scores, idx = routed(5, 4, 2, seed=11)
    loss = load_balance_loss(scores, idx, 0.0)
    assert_close(loss, torch.tensor(0.0, dtype=scores.dtype), what="load_balance_loss(scores, topk_idx, "
                 "alpha=0.0)", hint="alpha=0.0 turns the loss off: it is a value, not 'not given' (no "
                 "`alpha or 0.001`)")


def test_load_balance_loss_gradient_flows_through_the_scores_only():
    scores, idx = routed(7, 5, 2, seed=3)
    scores = scores.float().requires_grad_()
    loss = load_balance_loss(scores, idx, 0.1)
    (grad,) = torch.autograd.grad(loss, scores)
    count = torch.bincount(idx.flatten(), minlength=5).float()
    expected = (0.1 * 5 / (2 * 7) * count / 7).expand(7, 5)
    assert_close(grad, expected, what="d load_balance_loss / d scores",
                 hint="only P_i depends on the scores: d/d scores[t, i] = alpha * f_i / T")
    expect(loss.dtype == torch.float32, f"load_balance_loss: dtype {loss.dtype}, expected the "
           f"scores' float32")


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float64])
def test_load_balance_loss_keeps_the_scores_dtype(dtype):
    scores, idx = routed(6, 4, 2, seed=9)
    loss = load_balance_loss(scores.to(dtype), idx, 0.01)
    assert_dtype_kept(loss, scores.to(dtype), f"load_balance_loss(scores {dtype}, topk_idx, 0.01)")
    ref = reference_balance_loss(scores.to(dtype).double(), idx, 0.01)
    # float64 to 1e-12: E / (K * T) = 1/3 here, which a float32 scalar (torch.tensor(E / (K * T))) rounds
    assert_close(loss, ref.to(dtype), **(TIGHT64 if dtype == torch.float64 else tolerance(dtype)),
                 what=f"load_balance_loss(scores {dtype}, ...)",
                 hint="keep every factor in the scores' dtype: Python numbers (E / (K * T), alpha), not "
                      "torch.tensor(...) scalars, which are float32")


# ------------------------------------------------------------------ update_bias

@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_update_bias_keeps_a_half_precision_bias_dtype(dtype):
    bias = torch.tensor([0.5, -0.25, 0.0, 1.0], dtype=dtype)
    counts = torch.tensor([7, 1, 3, 3])  # mean 3.5: none at the mean
    new = update_bias(bias, counts, 0.125)
    assert_dtype_kept(new, bias, f"update_bias(bias {dtype}, int64 counts, 0.125)")
    assert_close(new, torch.tensor([0.375, -0.125, 0.125, 1.125], dtype=dtype),
                 what=f"update_bias(bias {dtype}, counts [7, 1, 3, 3], 0.125)",
                 hint="a float32 sign (counts.float()) promotes the half bias: cast the step to "
                      "bias.dtype before adding")
    # counts in the thousands: float16 / bfloat16 cannot hold 4097 or 4098 (they round to 4096)
    new = update_bias(torch.zeros(3, dtype=dtype), torch.tensor([4097, 4096, 4098]), 0.125)
    assert_close(new, torch.tensor([0.0, 0.125, -0.125], dtype=dtype),
                 what=f"update_bias(zeros(3) {dtype}, counts [4097, 4096, 4098] (mean 4097), 0.125)",
                 hint="compare the counts in a dtype that holds them exactly (counts.double(), or "
                      "int64 with a float64 mean), not in the bias's dtype: a half-precision 4097 is "
                      "4096; only the step is cast to bias.dtype")


def test_update_bias_mean_is_not_rounded_down():
    # mean of [2, 1] is 1.5: integer division (sum // E = 1) would leave expert 1 alone
    new = update_bias(torch.zeros(2), torch.tensor([2, 1]), 1.0)
    assert_close(new, torch.tensor([-1.0, 1.0]), what="update_bias(zeros(2), counts [2, 1], 1.0)",
                 hint="mean(counts) is a true mean (1.5 here): counts.double().mean(), not sum // E")
    # int64 counts past 2**24: float32 holds neither 2**24 + 1 nor their mean (a float32 bias too)
    big = 2**24
    new = update_bias(torch.zeros(3), torch.tensor([big, big + 1, big + 2]), 1.0)
    assert_close(new, torch.tensor([1.0, 0.0, -1.0]),
                 what="update_bias(zeros(3), counts [2**24, 2**24 + 1, 2**24 + 2] (mean 2**24 + 1), 1.0)",
                 hint="counts.float() rounds 2**24 + 1 to 2**24: compare the counts in float64 "
                      "(counts.double()), whatever the bias's dtype; only the step is cast to bias.dtype")


@pytest.mark.parametrize("counts_dtype", [torch.int64, torch.float32])
def test_update_bias_moves_against_the_load(counts_dtype):
    bias = torch.tensor([0.5, -0.2, 0.0, -1.0, 0.3])
    counts = torch.tensor([10, 2, 6, 6, 1]).to(counts_dtype)  # mean 5
    with unchanged(bias, counts, names=["bias", "expert_counts"]):
        new = update_bias(bias, counts, 0.01)
    expected = torch.tensor([0.5 - 0.01, -0.2 + 0.01, 0.0 - 0.01, -1.0 - 0.01, 0.3 + 0.01])
    assert_close(new, expected, what="update_bias(bias, counts [10, 2, 6, 6, 1], gamma=0.01)",
                 hint="overloaded experts (count above the mean) get their bias DECREASED by gamma, "
                      "underloaded ones increased: bias + gamma * sign(mean - count)")
    # a float64 bias to 1e-12: gamma = 0.01 is not a float32 number (no torch.tensor(gamma) step)
    b64 = torch.tensor([0.5, -0.2, 0.0, -1.0, 0.3], dtype=torch.float64)
    new = update_bias(b64, counts, 0.01)
    assert_close(new, b64 + torch.tensor([-0.01, 0.01, -0.01, -0.01, 0.01], dtype=torch.float64), **TIGHT64, what="update_bias(float64 bias, counts, gamma=0.01)",
                 hint="keep gamma a Python number (or build the step in bias.dtype): torch.tensor(gamma) "
                      "is a float32 0.01, off by ~2e-10")


def test_update_bias_leaves_an_expert_at_the_mean_alone():
    bias = torch.tensor([0.1, 0.2, -0.3], dtype=torch.float64)
    new = update_bias(bias, torch.tensor([3, 4, 5]), 0.5)
    assert_close(new, torch.tensor([0.6, 0.2, -0.8], dtype=torch.float64),
                 what="update_bias(bias float64, counts [3, 4, 5], gamma=0.5)",
                 hint="sign(0) = 0: an expert exactly at the mean load keeps its bias; the result "
                      "keeps the bias's dtype")


def test_update_bias_gamma_zero_freezes_the_bias():
    # DeepSeek-V3 trains its last 500B tokens with gamma = 0.0: the bias must stay as it is
    bias = torch.tensor([0.5, -0.2, 0.0, -1.0])
    new = update_bias(bias, torch.tensor([10, 2, 6, 6]), 0.0)
    assert_close(new, bias, what="update_bias(bias, counts [10, 2, 6, 6], gamma=0.0)",
                 hint="gamma=0.0 is a value (a frozen bias), not 'not given': use the gamma passed, "
                      "no `gamma or 0.001`")
    expect(new is not bias and (new.numel() == 0 or new.data_ptr() != bias.data_ptr()),
           "update_bias(bias, counts, gamma=0.0) returned bias itself (or a view of it); the "
           "contract says it returns a NEW tensor: a caller that updates the result in place "
           "(new.clamp_(...)) would write into the old bias. Compute bias + gamma * sign(...) "
           "also when gamma is 0, or return bias.clone()")


@given(e=st.integers(1, 16), seed=st.integers(0, 2**31 - 1))
def test_update_bias_random(e, seed):
    gen = torch.Generator().manual_seed(seed)
    bias = torch.randn(e, generator=gen)
    counts = torch.randint(0, 20, (e,), generator=gen)
    new = update_bias(bias, counts, 0.001)
    load = counts.double()
    expected = (bias.double() + 0.001 * torch.sign(load.mean() - load)).float()
    assert_close(new, expected, what=f"update_bias(bias ({e},), counts {counts.tolist()}, 0.001)",
                 hint="bias + gamma * sign(mean(counts) - counts)")
