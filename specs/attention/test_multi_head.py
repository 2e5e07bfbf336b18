"""Specs for katas/attention/multi_head.py (day 18): MultiHeadAttention vs nn.MultiheadAttention.

Every comparison loads nn.MultiheadAttention(E, H, batch_first=True)'s state_dict (random
weights and biases, so that every term matters) into the learner's module. Tolerances: the
float32 defaults of harness.checks (rtol 1e-4, atol 1e-5) for values, atol 1e-4 for gradients;
float64 defaults for float64.

Contract -> specs:
- state_dict keys/shapes, registered parameters, bias=False (with and without need_weights), written from scratch:
  test_state_dict_matches_*, test_is_written_from_scratch, test_bias_false_matches_torch
- project / split heads (h*D..(h+1)*D-1) / softmax(q k^T / sqrt(D)) over keys / merge / out_proj:
  test_heads_own_contiguous_channel_blocks, test_weights_rows_sum_to_one, test_self_/cross_attention_*
- returns the tuple (output, weights) (check() on every comparison);
  weights: averaged (B, L, S), per head (B, H, L, S), None when need_weights=False, defaults:
  test_weights_are_averaged_*, test_per_head_weights_*, test_need_weights_false_*, test_defaults_*
  (None also with average_attn_weights=False: test_need_weights_false_returns_none)
- masks: bool True = hidden, float added, key_padding (B, S), attn_mask (L, S) and (B*H, L, S) with
  b*H + h, both together: test_masks_*, test_bool_mask_true_means_hidden, test_key_padding_equals_*
- float32/float64 (the parameters' dtype), computed in float64 (the 1/sqrt(D) scale too, at D = 3):
  test_float64_after_double,
  test_float64_is_computed_in_float64 (a module called once in float32, then .double()),
  test_float32_module_under_a_float64_default_dtype (both with and without need_weights: a separate
  need_weights=False path must keep the dtype too)
- size-0 batch / sequence (float32 and float64; with and without need_weights; self-attention;
  per-head weights; a graph; the inputs' device): test_empty_batch_or_queries; scores +-100/300 (with and
  without need_weights): test_large_scores_stay_finite
- "self-attention passes the same tensor three times" vs query is key, value different (DETR) and
  key is value (cross-attention), with and without need_weights: test_query_is_key_but_value_differs
- "exactly as nn.MultiheadAttention" (positional argument order): test_positional_arguments_follow_the_signature
- helpers on the inputs' device (meta; with and without need_weights): test_runs_on_the_inputs_device
- gradients (inputs and parameters; also through the need_weights=False path), inputs/masks untouched,
  non-contiguous, built-ins forbidden: test_gradients_match_torch, test_non_contiguous_* (with and without
  need_weights, self-attention, key is value), test_float_masks_are_left_alone, test_writes_its_own_attention
"""


import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (SpecFailure, mha_slow_path, assert_close, assert_on_input_device, assert_parameters_like,
                            forbid, non_contiguous, unchanged)
from katas.attention.multi_head import MultiHeadAttention

SEEDS = st.integers(0, 2**31 - 1)
INF = float("inf")

FORBIDDEN = (F.multi_head_attention_forward, F.scaled_dot_product_attention)
FORBIDDEN_ATEN = {
    "_native_multi_head_attention": "nn.MultiheadAttention's fused kernel",
    "_scaled_dot_product_attention_math": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention_for_cpu": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_efficient_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_cudnn_attention": "a built-in scaled_dot_product_attention kernel",
}

HINT = ("project with the three row blocks of in_proj_weight (q, k, v in that order); split "
        "heads with view(B, T, H, D).transpose(1, 2); per head softmax(q k^T / sqrt(D)) over the "
        "keys (D = E // H, scaled before the softmax); merge heads back; out_proj")
HINT_HEADS = ("split (B, L, E) into heads as x.view(B, L, H, D).transpose(1, 2) -> (B, H, L, D): "
              "head h owns the channels h*D..(h+1)*D-1 of EVERY position; x.view(B, H, L, D) "
              "without the transpose mixes positions into heads")
HINT_SCALE = ("divide the scores q k^T by sqrt(D) (D = E // H, the head size) BEFORE the softmax; "
              "scaling the softmax output makes rows that no longer sum to 1")
HINT_AVERAGE = ("need_weights returns the softmax weights averaged over the heads: "
                "weights.mean(dim=1) -> (B, L, S), each row summing to 1 (a sum over heads gives H); "
                "with average_attn_weights=False return them per head, (B, H, L, S)")
HINT_BOOL = ("nn.MultiheadAttention's bool masks mean True = NOT allowed (hide that key): "
             "scores.masked_fill(mask, -inf). This is the opposite of scaled_dot_product_attention's "
             "attn_mask, where True = attend")
HINT_FLOAT = "a float mask is added to the scaled scores (q k^T / sqrt(D) + mask), before the softmax"
HINT_KPM = ("key_padding_mask (B, S) hides keys per batch element: view it as (B, 1, 1, S) so it "
            "broadcasts over heads and queries")
HINT_3D = ("a 3-D attn_mask is (B * H, L, S) with index b * H + h: view it as (B, H, L, S); "
           "a 2-D one (L, S) is shared by every batch element and head")


# ------------------------------------------------------------------ helpers

def reference(E, H, *, bias=True, seed=0, dtype=torch.float32):
    """nn.MultiheadAttention with random weights and biases (so that every term matters)."""
    ref = nn.MultiheadAttention(E, H, bias=bias, batch_first=True).to(dtype)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in ref.named_parameters():
            std = 1.5 / E**0.5 if p.dim() == 2 else 0.5
            p.copy_(torch.randn(p.shape, generator=gen, dtype=dtype) * std)
    return ref.eval()


def pair(ref, E, H, *, bias=True):
    """The learner's module holding the reference's weights (strict load: same keys)."""
    mine = MultiHeadAttention(E, H, bias=bias).to(ref.in_proj_weight.dtype)
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as err:
        raise SpecFailure(
            f"MultiHeadAttention({E}, {H}, bias={bias}).load_state_dict(nn.MultiheadAttention's "
            f"state_dict) failed: {str(err).splitlines()[0][:300]}\n  hint: register "
            f"in_proj_weight (3E, E) and in_proj_bias (3E,) as parameters and out_proj = "
            f"nn.Linear(E, E, bias=bias); with bias=False, register_parameter('in_proj_bias', None)"
        ) from None
    return mine


def call_ref(ref, *args, **kwargs):
    with mha_slow_path():
        return ref(*args, **kwargs)


def tensors(B, L, S, E, seed, *, self_attn=False, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    q = torch.randn(B, L, E, generator=gen, dtype=dtype)
    if self_attn:
        return q, q, q
    return q, torch.randn(B, S, E, generator=gen, dtype=dtype), torch.randn(B, S, E, generator=gen, dtype=dtype)


def padding(B, S, seed):
    """(B, S) bool, True = padding: each row keeps its first `length` keys (length >= 1)."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, S + 1, (B,), generator=gen)
    return torch.arange(S)[None, :] >= lengths[:, None], lengths


def hidden(shape, seed, keep_below):
    """Random bool mask, True = hidden; every row keeps a key with index < keep_below[row]."""
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(shape, generator=gen) < 0.5
    keep = (torch.rand(shape[:-1], generator=gen) * keep_below).long()
    return mask & ~F.one_hot(keep, shape[-1]).bool()


def as_float(mask, seed, dtype=torch.float32):
    """A float mask hiding the same keys (-inf), with random finite biases elsewhere."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(mask.shape, generator=gen, dtype=dtype).masked_fill(mask, -INF)


def masks(kind, B, H, L, S, seed, dtype=torch.float32):
    """key_padding_mask / attn_mask of one kind; no query row has every key hidden."""
    kpm, lengths = padding(B, S, seed)
    min_len = int(lengths.min())
    out = {}
    if "kpm" in kind:
        out["key_padding_mask"] = kpm if "bool" in kind else as_float(kpm, seed + 1, dtype)
    if "2d" in kind or "3d" in kind:
        shape = (L, S) if "2d" in kind else (B * H, L, S)
        keep_below = min_len if "kpm" in kind else S
        m = hidden(shape, seed + 2, keep_below)
        out["attn_mask"] = m if "bool" in kind else as_float(m, seed + 3, dtype)
    return out


def describe(E, H, q, k, **kwargs):
    shown = "".join(f", {n}={'bool' if m.dtype == torch.bool else 'float'} {tuple(m.shape)}"
                    for n, m in kwargs.items() if isinstance(m, torch.Tensor))
    shown += "".join(f", {n}={v}" for n, v in kwargs.items() if not isinstance(v, torch.Tensor))
    same = " (self-attention)" if q is k else ""
    return f"MultiHeadAttention({E}, {H})(query {tuple(q.shape)}, key/value {tuple(k.shape)}{shown}){same}"


def hint_for(kwargs):
    parts = [HINT]
    mask = kwargs.get("attn_mask", kwargs.get("key_padding_mask"))
    if mask is not None:
        parts.append(HINT_BOOL if mask.dtype == torch.bool else HINT_FLOAT)
    if "key_padding_mask" in kwargs:
        parts.append(HINT_KPM)
    if "attn_mask" in kwargs and kwargs["attn_mask"].dim() == 3:
        parts.append(HINT_3D)
    return "; ".join(parts)


def check(E, H, B, L, S, *, seed, kind="none", self_attn=False, bias=True, dtype=torch.float32,
          **extra):
    """Output and weights of the learner's module equal nn.MultiheadAttention's."""
    __tracebackhide__ = True
    ref = reference(E, H, bias=bias, seed=seed, dtype=dtype)
    mine = pair(ref, E, H, bias=bias)
    S = L if self_attn else S
    q, k, v = tensors(B, L, S, E, seed + 5, self_attn=self_attn, dtype=dtype)
    kwargs = {**masks(kind, B, H, L, S, seed + 7, dtype), **extra}
    result = mine(q, k, v, **kwargs)
    with torch.no_grad():
        ref_out, ref_weights = call_ref(ref, q, k, v, **kwargs)
    what = describe(E, H, q, k, **kwargs)
    assert isinstance(result, tuple) and len(result) == 2, (
        f"{what} returned {type(result).__name__}; like nn.MultiheadAttention it returns the tuple "
        f"(output, weights): return out, weights")
    out, weights = result
    hint = hint_for(kwargs)
    assert_close(out, ref_out, what=f"{what} output", hint=hint)
    if kwargs.get("need_weights", True):
        avg = kwargs.get("average_attn_weights", True)
        assert_close(weights, ref_weights, what=f"{what} weights",
                     hint=(HINT_AVERAGE if avg else HINT_HEADS + "; " + HINT_AVERAGE) + "; " + hint)
    else:
        shown = f"of shape {tuple(weights.shape)}" if isinstance(weights, torch.Tensor) else repr(weights)
        assert weights is None, (f"{what} returned weights {shown}; need_weights=False returns (output, None), "
                                 f"whatever average_attn_weights says")


# ------------------------------------------------------------------ parameters

@pytest.mark.parametrize("E,H,bias", [(6, 2, True), (8, 4, False), (5, 1, True), (12, 3, False)])
def test_state_dict_matches_nn_multihead_attention(E, H, bias):
    mine = MultiHeadAttention(E, H, bias=bias)
    expected = {k: tuple(v.shape) for k, v in
                nn.MultiheadAttention(E, H, bias=bias, batch_first=True).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
    assert got == expected, (
        f"MultiHeadAttention({E}, {H}, bias={bias}).state_dict() has {got}, "
        f"nn.MultiheadAttention's has {expected}\n  hint: in_proj_weight (3E, E), in_proj_bias (3E,) "
        f"(only with bias), out_proj = nn.Linear(E, E, bias=bias); nothing else (no buffers)")
    assert_parameters_like(mine, expected, what=f"MultiHeadAttention({E}, {H}, bias={bias})",
                           like="nn.MultiheadAttention",
                           hint="every weight must be an nn.Parameter (registered), so that optimizers see it")


def test_is_written_from_scratch():
    mine = MultiHeadAttention(8, 2)
    builtin = [name or "the module itself" for name, m in mine.named_modules()
               if isinstance(m, nn.MultiheadAttention)]
    assert not builtin, (
        f"MultiHeadAttention is or holds an nn.MultiheadAttention ({builtin}); this kata asks you "
        f"to write it yourself from nn.Parameter, nn.Linear and tensor ops")


# ------------------------------------------------------------------ the anatomy

def test_weights_rows_sum_to_one():
    ref = reference(8, 2, seed=10)
    mine = pair(ref, 8, 2)
    q, k, v = tensors(3, 4, 7, 8, seed=11)
    _, weights = mine(q, k, v)
    assert isinstance(weights, torch.Tensor) and weights.shape == (3, 4, 7), (
        f"MultiHeadAttention(8, 2)(query (3, 4, 8), key (3, 7, 8)) weights: got "
        f"{getattr(weights, 'shape', weights)}, expected shape (3, 4, 7)\n  hint: {HINT_AVERAGE}")
    sums = weights.sum(-1)
    if torch.allclose(sums, torch.full_like(sums, 2.0)):  # H = 2
        hint = HINT_AVERAGE
    elif torch.allclose(sums, torch.full_like(sums, 0.5)):  # 1 / sqrt(D), D = 4
        hint = HINT_SCALE
    else:
        hint = HINT_SCALE + "; " + HINT_AVERAGE
    assert_close(sums, torch.ones(3, 4),
                 what="MultiHeadAttention(8, 2)(query (3, 4, 8), key/value (3, 7, 8)) weights.sum(-1) "
                 "(each query's weights over the keys)", hint=hint)


def test_heads_own_contiguous_channel_blocks():
    """With identity projections, head h attends with channels h*D..(h+1)*D-1 of each position."""
    E, H, D, B, L, S = 6, 3, 2, 2, 4, 5
    ref = nn.MultiheadAttention(E, H, batch_first=True)
    ref.load_state_dict({"in_proj_weight": torch.eye(E).repeat(3, 1), "in_proj_bias": torch.zeros(3 * E),
                         "out_proj.weight": torch.eye(E), "out_proj.bias": torch.zeros(E)})
    mine = pair(ref, E, H)
    q, k, v = tensors(B, L, S, E, seed=7)
    out, _ = mine(q, k, v)
    blocks = []
    for h in range(H):  # one independent single-head attention per channel block
        c = slice(h * D, (h + 1) * D)
        w = torch.softmax(q[..., c] @ k[..., c].transpose(1, 2) / D**0.5, dim=-1)
        blocks.append(w @ v[..., c])
    assert_close(out, torch.cat(blocks, dim=-1),
                 what="MultiHeadAttention(6, 3) with identity projections (query (2, 4, 6), key/value (2, 5, 6))",
                 hint=HINT_HEADS + "; and scale the scores by 1/sqrt(D) with D = E // H = 2 (not 1/sqrt(E)), "
                 "before the softmax")


def test_weights_are_averaged_over_heads():
    ref = reference(8, 4, seed=8)
    mine = pair(ref, 8, 4)
    q, k, v = tensors(2, 5, 6, 8, seed=9)
    _, weights = mine(q, k, v)
    _, per_head = mine(q, k, v, average_attn_weights=False)
    assert_close(weights, per_head.mean(dim=1) if isinstance(per_head, torch.Tensor) else per_head,
                 what="MultiHeadAttention(8, 4)(...) weights vs the mean over heads of "
                 "average_attn_weights=False's weights", hint=HINT_AVERAGE)


# ------------------------------------------------------------------ values

# (E, H, B, L, S): sizes 1 and primes, L != S both ways, one head and many.
CROSS = [(6, 2, 2, 5, 7), (8, 4, 3, 7, 3), (5, 1, 1, 4, 6), (12, 3, 2, 1, 5), (9, 3, 1, 6, 1),
         (10, 5, 2, 13, 11)]
SELF = [(6, 2, 2, 5), (8, 4, 3, 7), (7, 7, 1, 3), (4, 1, 2, 1), (12, 6, 1, 11)]


@pytest.mark.parametrize("E,H,B,L", SELF, ids=lambda c: str(c))
def test_self_attention_matches_torch(E, H, B, L):
    check(E, H, B, L, L, seed=1, self_attn=True)


@pytest.mark.parametrize("E,H,B,L,S", CROSS, ids=lambda c: str(c))
def test_cross_attention_matches_torch(E, H, B, L, S):
    check(E, H, B, L, S, seed=2)


def test_defaults_return_head_averaged_weights():
    ref = reference(6, 3, seed=3)
    mine = pair(ref, 6, 3)
    q, k, v = tensors(2, 4, 5, 6, seed=4)
    out, weights = mine(q, k, v)
    with torch.no_grad():
        ref_out, ref_weights = call_ref(ref, q, k, v)
    assert_close(out, ref_out, what="MultiHeadAttention(6, 3)(query (2, 4, 6), key/value (2, 5, 6)) "
                 "output (default arguments)", hint=HINT)
    assert_close(weights, ref_weights, what="MultiHeadAttention(6, 3)(query, key, value) weights "
                 "(need_weights=True and average_attn_weights=True by default)", hint=HINT_AVERAGE)


def test_need_weights_false_returns_none():
    check(8, 2, 2, 3, 6, seed=5, need_weights=False)
    # need_weights=False wins over average_attn_weights=False: still None, as torch returns
    check(8, 2, 2, 3, 6, seed=5, need_weights=False, average_attn_weights=False)


@pytest.mark.parametrize("E,H,B,L,S", [(6, 2, 2, 5, 7), (12, 4, 1, 6, 6), (8, 8, 2, 3, 4)])
def test_per_head_weights_match_torch(E, H, B, L, S):
    """average_attn_weights=False exposes each head: a wrong head split shows here first."""
    check(E, H, B, L, S, seed=6, average_attn_weights=False)


def test_bias_false_matches_torch():
    check(8, 2, 2, 4, 5, seed=13, bias=False)
    check(8, 2, 2, 4, 4, seed=14, bias=False, self_attn=True, kind="bool kpm")
    check(8, 2, 2, 4, 5, seed=15, bias=False, kind="float kpm 2d", need_weights=False)  # the layers' path


def test_float64_after_double():
    check(6, 3, 2, 5, 4, seed=15, dtype=torch.float64, kind="float kpm 2d")
    check(6, 2, 2, 3, 3, seed=16, dtype=torch.float64, self_attn=True, kind="bool 3d")


# ------------------------------------------------------------------ masks

MASK_KINDS = ["bool kpm", "float kpm", "bool 2d", "float 2d", "bool 3d", "float 3d",
              "bool kpm 2d", "float kpm 2d", "bool kpm 3d", "float kpm 3d"]


@pytest.mark.parametrize("kind", MASK_KINDS)
@pytest.mark.parametrize("E,H,B,L,S,self_attn", [(6, 2, 3, 5, 7, False), (8, 4, 2, 6, 6, True),
                                                   (9, 3, 2, 7, 2, False)])
def test_masks_match_torch(kind, E, H, B, L, S, self_attn):
    check(E, H, B, L, S, seed=17, kind=kind, self_attn=self_attn)


@pytest.mark.parametrize("kind", MASK_KINDS)
def test_masks_without_weights_match_torch(kind):
    """need_weights=False (the path a transformer layer uses) applies the same masks."""
    check(6, 2, 3, 5, 7, seed=18, kind=kind, need_weights=False)
    check(8, 4, 2, 6, 6, seed=19, kind=kind, self_attn=True, need_weights=False)


def test_bool_mask_true_means_hidden():
    """attn_mask True on key 2 for every query: key 2 gets weight exactly 0 (True = NOT allowed)."""
    ref = reference(4, 2, seed=18)
    mine = pair(ref, 4, 2)
    q, k, v = tensors(1, 3, 5, 4, seed=19)
    mask = torch.zeros(3, 5, dtype=torch.bool)
    mask[:, 2] = True
    _, weights = mine(q, k, v, attn_mask=mask)
    assert_close(weights[..., 2], torch.zeros(1, 3),
                 what="MultiHeadAttention(4, 2)(..., attn_mask True at key 2) weights[..., 2]",
                 hint=HINT_BOOL)


def test_key_padding_equals_dropping_the_padded_keys():
    """Hiding the last keys with key_padding_mask equals attending over the shorter sequence."""
    ref = reference(6, 2, seed=20)
    mine = pair(ref, 6, 2)
    q, k, v = tensors(1, 4, 7, 6, seed=21)
    kpm = torch.tensor([[False] * 4 + [True] * 3])
    out, weights = mine(q, k, v, key_padding_mask=kpm)
    with torch.no_grad():
        short_out, _ = call_ref(ref, q, k[:, :4], v[:, :4])
    assert_close(out, short_out, what="MultiHeadAttention(6, 2)(query (1, 4, 6), key/value (1, 7, 6), "
                 "key_padding_mask hiding keys 4..6) vs attending over keys 0..3 only",
                 hint=HINT_BOOL + "; " + HINT_KPM)
    assert_close(weights[..., 4:], torch.zeros(1, 4, 3), what="  ... weights of the padding keys",
                 hint=HINT_BOOL)


# ------------------------------------------------------------------ properties

@st.composite
def settings(draw):
    H, D = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    B, L, S = draw(st.integers(1, 3)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    self_attn = draw(st.booleans())
    kind = draw(st.sampled_from(["none"] + MASK_KINDS))
    weights = draw(st.sampled_from([{}, {"average_attn_weights": False}, {"need_weights": False}]))
    return H * D, H, B, L, S, self_attn, kind, weights


@given(case=settings(), seed=SEEDS)
def test_matches_torch_on_random_settings(case, seed):
    E, H, B, L, S, self_attn, kind, weights = case
    check(E, H, B, L, S, seed=seed % 100_000, kind=kind, self_attn=self_attn, **weights)


# ------------------------------------------------------------------ gradients

@pytest.mark.parametrize("kind,self_attn,need_weights", [("none", False, True), ("bool kpm 2d", False, True),
                                                    ("float 3d", True, True), ("bool kpm 2d", False, False)])
def test_gradients_match_torch(kind, self_attn, need_weights):
    E, H, B, L, S = 6, 3, 2, 4, 5
    ref = reference(E, H, seed=22)
    mine = pair(ref, E, H)
    q0, k0, v0 = tensors(B, L, S, E, seed=23, self_attn=self_attn)
    kwargs = masks(kind, B, H, L, k0.shape[1], seed=24)
    gen = torch.Generator().manual_seed(25)
    g_out = torch.randn(B, L, E, generator=gen)
    g_w = torch.randn(B, L, k0.shape[1], generator=gen)

    def run(module, fn):
        x = q0.detach().clone().requires_grad_()
        kv = (x, x) if self_attn else (k0.detach().clone().requires_grad_(),
                                       v0.detach().clone().requires_grad_())
        out, w = fn(module, x, *kv)
        if not out.requires_grad:
            raise SpecFailure(f"MultiHeadAttention({E}, {H})(query, key, value, need_weights={need_weights}) "
                              f"returned an output with no graph (requires_grad=False for inputs that require "
                              f"grad): no gradient reaches the inputs or the weights\n  hint: compute the output "
                              f"with differentiable ops in every path (no torch.no_grad(), .detach() or .data); "
                              f"need_weights only decides whether the weights are returned")
        loss = (out * g_out).sum() + ((w * g_w).sum() if need_weights else 0)
        inputs = [x] if self_attn else [x, *kv]
        names = [n for n, _ in module.named_parameters()]
        grads = torch.autograd.grad(loss, inputs + [p for _, p in module.named_parameters()],
                                    allow_unused=True)
        return dict(zip((["query"] if self_attn else ["query", "key", "value"]) + names, grads))

    kwargs["need_weights"] = need_weights  # need_weights=False may take another path: it must keep the graph
    mine_grads = run(mine, lambda m, *a: m(*a, **kwargs))
    with mha_slow_path():
        ref_grads = run(ref, lambda m, *a: m(*a, **kwargs))
    what = (f"gradient of MultiHeadAttention({E}, {H}) ({kind} masks{', self-attention' if self_attn else ''}"
            f"{', need_weights=False' if not need_weights else ''})")
    for name, expected in ref_grads.items():
        got = mine_grads.get(name)
        if got is None:
            raise SpecFailure(f"{what}: no gradient reached {name}; build the output from "
                              f"differentiable ops on the parameters (no .data, no .detach())")
        assert_close(got, expected, what=f"{what} w.r.t. {name}", atol=1e-4,
                     hint="the forward must match nn.MultiheadAttention's; use differentiable ops")


# ------------------------------------------------------------------ inputs

def test_non_contiguous_inputs_are_left_alone():
    ref = reference(6, 2, seed=26)
    mine = pair(ref, 6, 2)
    q, k, v = (non_contiguous(t) for t in tensors(2, 5, 4, 6, seed=27))
    m = masks("bool kpm 2d", 2, 2, 5, 4, seed=28)
    kpm, am = non_contiguous(m["key_padding_mask"]), non_contiguous(m["attn_mask"])
    with unchanged(q, k, v, kpm, am, names=["query", "key", "value", "key_padding_mask", "attn_mask"]):
        out, weights = mine(q, k, v, key_padding_mask=kpm, attn_mask=am)
        fast, _ = mine(q, k, v, key_padding_mask=kpm, need_weights=False, attn_mask=am)
        self_out = mine(q, q, q)  # self-attention (query is key is value) may take a fused path
        cross_out = mine(q, k, k)  # key is value (cross-attention on memory) may take a fused k/v path
    with torch.no_grad():
        expected = call_ref(ref, q.contiguous(), k.contiguous(), v.contiguous(),
                            key_padding_mask=kpm.contiguous(), attn_mask=am.contiguous())
    hint = "x.view needs a contiguous tensor: use .reshape, or .contiguous() first"
    assert_close((out, weights), expected,
                 what="MultiHeadAttention(6, 2)(non-contiguous query, key, value and masks)", hint=hint)
    assert_close(fast, expected[0], hint=hint + " (in the need_weights=False path too)",
                 what="MultiHeadAttention(6, 2)(non-contiguous query, key, value and masks, need_weights=False) output")
    with torch.no_grad():
        expected = call_ref(ref, q.contiguous(), q.contiguous(), q.contiguous())
    assert_close(self_out, expected, hint=hint + " (in a fused self-attention path too)",
                 what="MultiHeadAttention(6, 2)(x, x, x) with a non-contiguous x (self-attention)")
    with torch.no_grad():
        expected = call_ref(ref, q.contiguous(), k.contiguous(), k.contiguous())
    assert_close(cross_out, expected, hint=hint + " (in a fused key/value path too)",
                 what="MultiHeadAttention(6, 2)(query, memory, memory) with a non-contiguous memory (key is value)")


def test_float_masks_are_left_alone():
    mine = pair(reference(6, 3, seed=29), 6, 3)
    q, k, v = tensors(2, 3, 4, 6, seed=30, self_attn=False)
    m = masks("float kpm 3d", 2, 3, 3, 4, seed=31)
    with unchanged(q, k, v, m["key_padding_mask"], m["attn_mask"],
                   names=["query", "key", "value", "key_padding_mask", "attn_mask"]):
        mine(q, k, v, **m)


def test_writes_its_own_attention():
    mine = pair(reference(6, 2, seed=32), 6, 2).eval()
    q, k, v = tensors(2, 3, 4, 6, seed=33)
    x = q
    m = masks("bool kpm 2d", 2, 2, 3, 4, seed=34)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN), torch.no_grad():
        mine(q, k, v)
        mine(x, x, x, need_weights=False)
        mine(q, k, v, need_weights=False, **m)


# ------------------------------------------------------------------ edge cases

@pytest.mark.parametrize("B,L,S", [(0, 3, 4), (2, 0, 4), (0, 0, 0)], ids=["B0", "L0", "B0-L0-S0"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_empty_batch_or_queries(B, L, S, dtype):
    ref = reference(6, 2, seed=35, dtype=dtype)
    mine = pair(ref, 6, 2)
    q, k, v = tensors(B, L, S, 6, seed=36, dtype=dtype)
    hint = ("size-0 batches and sequences flow through: .view(B, -1, H, D) (or reshape(B, -1, E)) "
            "cannot infer -1 from 0 elements; spell every size out: view(B, L, H, D); an early "
            "return keeps the dtype and device: query.new_zeros(...), not torch.zeros(...); self-attention on "
            "an empty sequence has S = 0 keys too: a hand-written row max (amax) fails there, softmax() does not")
    out, weights = mine(q, k, v)
    assert_close((out, weights), (torch.zeros(B, L, 6, dtype=dtype), torch.zeros(B, L, S, dtype=dtype)),
                 what=f"MultiHeadAttention(6, 2) in {dtype} (query {(B, L, 6)}, key/value {(B, S, 6)})", hint=hint)
    assert out.requires_grad, (
        f"MultiHeadAttention(6, 2)(query {(B, L, 6)}, ...) returned an output with no graph "
        f"(requires_grad=False although the parameters require grad): loss.backward() on an empty "
        f"batch raises\n  hint: let size-0 inputs flow through the same ops as any other (or build an "
        f"early result from the inputs and parameters), not from query.new_zeros(...)")
    _, weights = mine(q, k, v, average_attn_weights=False)
    assert_close(weights, torch.zeros(B, 2, L, S, dtype=dtype), hint=hint + "; " + HINT_AVERAGE,
                 what=f"MultiHeadAttention(6, 2) in {dtype} (query {(B, L, 6)}, key/value {(B, S, 6)}, "
                      f"average_attn_weights=False) per-head weights")
    # need_weights=False (the transformer layers' call) may take another path: the same rules hold there
    try:
        out, weights = mine(q, k, v, need_weights=False)
    except RuntimeError as err:
        raise SpecFailure(f"MultiHeadAttention(6, 2) in {dtype} (query {(B, L, 6)}, key/value {(B, S, 6)}, "
                          f"need_weights=False) raised RuntimeError: {str(err).splitlines()[0]}\n  hint: {hint}") from None
    assert_close(out, torch.zeros(B, L, 6, dtype=dtype), hint=hint,
                 what=f"MultiHeadAttention(6, 2) in {dtype} (query {(B, L, 6)}, key/value {(B, S, 6)}, "
                      f"need_weights=False) output")
    assert weights is None, f"need_weights=False returned weights {weights!r}; it returns (output, None)"
    out, weights = mine(q, q, q)  # self-attention (query is key is value) may take a fused path
    assert_close((out, weights), (torch.zeros(B, L, 6, dtype=dtype), torch.zeros(B, L, L, dtype=dtype)), hint=hint,
                 what=f"MultiHeadAttention(6, 2) in {dtype} (self-attention: query = key = value {(B, L, 6)})")
    for need_weights in (True, False):  # an early return for empty inputs builds its zeros on the inputs' device
        assert_on_input_device(
            lambda: mine(q, k, v, need_weights=need_weights),
            lambda: mine.to("meta")(*(t.to("meta") for t in (q, k, v)), need_weights=need_weights),
            what=f"MultiHeadAttention(6, 2)(query {(B, L, 6)}, key/value {(B, S, 6)}, need_weights={need_weights}) "
                 f"on the meta device", hint=hint)


@pytest.mark.parametrize("kind", ["none", "bool kpm 2d", "float kpm 3d"])
@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no-weights"])
def test_float64_is_computed_in_float64(kind, need_weights):
    """nn.MultiheadAttention .double()'d vs the learner's: float64 all the way (no float32 softmax).
    D = 3: sqrt(D) is not exact in float32, so a float32 scale (torch.sqrt(torch.tensor(D))) shows."""
    E, H, B, L, S = 6, 2, 2, 5, 6
    ref = reference(E, H, seed=37, dtype=torch.float64)
    mine = pair(reference(E, H, seed=37), E, H)  # float32 first: one call, then .double()
    q, k, v = tensors(B, L, S, E, seed=38, dtype=torch.float64)
    mine(q.float(), k.float(), v.float(), need_weights=need_weights)  # nothing it builds may be kept
    mine.double().load_state_dict(ref.state_dict())
    kwargs = {**masks(kind, B, H, L, S, seed=39, dtype=torch.float64), "need_weights": need_weights}
    out, weights = mine(q, k, v, **kwargs)
    with torch.no_grad():
        expected = call_ref(ref, q, k, v, **kwargs)
    assert_close((out, weights), expected, rtol=1e-10, atol=1e-12,
                 what=describe(E, H, q, k, **kwargs) + " in float64",
                 hint="compute in the parameters' dtype: softmax(..., dtype=torch.float32) or a .float() "
                      "on the way keeps float64 outputs but only float32 accuracy; so does a float32 scale "
                      "(torch.sqrt(torch.tensor(D)) is float32: use math.sqrt(D)), and so does one kept on the module "
                      "from an earlier float32 call (.double() does not convert plain attributes)")


@pytest.mark.parametrize("size", [100.0, 300.0])
def test_large_scores_stay_finite(size):
    """Identity projections and unit vectors: per-head scores reach +-size in float32."""
    E, H, D, B, L, S = 8, 2, 4, 2, 4, 6
    ref = nn.MultiheadAttention(E, H, batch_first=True)
    ref.load_state_dict({"in_proj_weight": torch.eye(E).repeat(3, 1), "in_proj_bias": torch.zeros(3 * E),
                         "out_proj.weight": torch.eye(E), "out_proj.bias": torch.zeros(E)})
    mine = pair(ref, E, H)
    q, k, v = tensors(B, L, S, E, seed=40)
    q = q / q.norm(dim=-1, keepdim=True) * size * D ** 0.5
    k = k / k.norm(dim=-1, keepdim=True)
    out, weights = mine(q, k, v)
    fast, _ = mine(q, k, v, need_weights=False)
    ref64 = ref.double()
    with torch.no_grad():
        exp_out, exp_w = call_ref(ref64, q.double(), k.double(), v.double())
    hint = "exp(100) overflows float32: a hand-written softmax must subtract each row's max first (torch.softmax does)"
    assert_close((out, weights), (exp_out.float(), exp_w.float()), rtol=1e-4, atol=1e-4,
                 what=f"MultiHeadAttention(8, 2)(...) with per-head scores up to +-{size:g}", hint=hint)
    assert_close(fast, exp_out.float(), rtol=1e-4, atol=1e-4, hint=hint + " (in the need_weights=False path too)",
                 what=f"MultiHeadAttention(8, 2)(..., need_weights=False) output with per-head scores up to +-{size:g}")


@pytest.mark.parametrize("kind", ["bool kpm 2d", "bool 3d"])
@pytest.mark.parametrize("need_weights", [True, False], ids=["weights", "no-weights"])
def test_float32_module_under_a_float64_default_dtype(kind, need_weights):
    """A bool mask turned into a bias with torch.zeros(shape) (no dtype) is float64 under this
    default and promotes a float32 module's scores."""
    E, H, B, L, S = 6, 2, 2, 4, 5
    ref = reference(E, H, seed=41)
    mine = pair(ref, E, H)
    q, k, v = tensors(B, L, S, E, seed=42)
    kwargs = {**masks(kind, B, H, L, S, seed=43), "need_weights": need_weights}
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        out, weights = mine(q, k, v, **kwargs)
    finally:
        torch.set_default_dtype(before)
    with torch.no_grad():
        expected = call_ref(ref, q, k, v, **kwargs)
    assert_close((out, weights), expected, what=describe(E, H, q, k, **kwargs) + " under a float64 default dtype",
                 hint="outputs have the parameters' dtype: build mask biases with dtype=scores.dtype "
                      "(torch.zeros(shape) follows torch.get_default_dtype())")


def test_query_is_key_but_value_differs():
    """DETR-style self-attention passes query = key = x + pos and value = x: a fused
    'self-attention' projection taken when `query is key` projects the wrong value."""
    E, H, B, L = 6, 2, 2, 5
    ref = reference(E, H, seed=44)
    mine = pair(ref, E, H)
    x, _, v = tensors(B, L, L, E, seed=45)
    out, weights = mine(x, x, v)
    with torch.no_grad():
        expected = call_ref(ref, x, x, v)
    hint = ("project value with W_v itself: a fused in_proj of one tensor is right only when "
            "query, key AND value are the same tensor (check `query is key is value`, or "
            "always project the three separately)")
    assert_close((out, weights), expected, what=f"MultiHeadAttention({E}, {H})(x, x, value) (query is key, "
                 f"value a different tensor)", hint=hint)
    fast, _ = mine(x, x, v, need_weights=False)  # DETR's layers call this path
    assert_close(fast, expected[0], hint=hint + " (in the need_weights=False path too)",
                 what=f"MultiHeadAttention({E}, {H})(x, x, value, need_weights=False) (query is key, "
                      f"value a different tensor) output")
    m = tensors(B, 7, 7, E, seed=46)[1]
    out, weights = mine(x, m, m)
    with torch.no_grad():
        expected = call_ref(ref, x, m, m)
    assert_close((out, weights), expected, what=f"MultiHeadAttention({E}, {H})(x, memory, memory) "
                 f"(key is value, query a different tensor)", hint="project each of query, key, value "
                 "with its own row block of in_proj_weight")


def test_positional_arguments_follow_the_signature():
    """forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights):
    nn.MultiheadAttention's order, so that code calling it positionally keeps working."""
    E, H, B, L, S = 6, 2, 3, 4, 5
    ref = reference(E, H, seed=47)
    mine = pair(ref, E, H)
    q, k, v = tensors(B, L, S, E, seed=48)
    m = masks("bool kpm 2d", B, H, L, S, seed=49)
    kpm, am = m["key_padding_mask"], m["attn_mask"]
    for args, shown in (((kpm,), "key_padding_mask"),
                        ((kpm, True, am, False), "key_padding_mask, True, attn_mask, False")):
        got = mine(q, k, v, *args)
        with torch.no_grad():
            expected = call_ref(ref, q, k, v, *args)
        assert_close(got, expected, what=f"MultiHeadAttention({E}, {H})(query, key, value, {shown}) "
                     f"(positional)", hint="keep nn.MultiheadAttention's parameter order: forward(query, "
                     "key, value, key_padding_mask=None, need_weights=True, attn_mask=None, "
                     "average_attn_weights=True)")


@pytest.mark.parametrize("kind", ["bool kpm 2d", "bool 3d"])
def test_runs_on_the_inputs_device(kind):
    """On the meta device (shapes only) every helper tensor (a bias made from a bool mask)
    must be built on the inputs' device: torch.zeros(mask.shape) lands on the CPU."""
    E, H, B, L, S = 6, 2, 2, 4, 5
    mine = pair(reference(E, H, seed=50), E, H)
    q, k, v = tensors(B, L, S, E, seed=51)
    kwargs = masks(kind, B, H, L, S, seed=52)
    for need_weights in (True, False):  # need_weights=False may take another path (the sdpa kata)
        assert_on_input_device(  # the module moves to meta only when judged there: .to("meta") costs seconds
            lambda: mine(q, k, v, need_weights=need_weights, **kwargs),
            lambda: mine.to("meta")(*(t.to("meta") for t in (q, k, v)), need_weights=need_weights,
                                    **{n: m.to("meta") for n, m in kwargs.items()}),
            what=describe(E, H, q, k, need_weights=need_weights, **kwargs) + " on the meta device",
            hint="build every helper tensor on the inputs' device: torch.zeros(mask.shape, dtype=scores.dtype, "
                 "device=mask.device)")
