"""Specs for katas/transformer/block.py (day 20): FeedForward, EncoderLayer, DecoderLayer.

EncoderLayer and DecoderLayer load nn.TransformerEncoderLayer / nn.TransformerDecoderLayer
(batch_first=True) state_dicts with random weights, biases and LayerNorm affines (so that a
swapped norm or a missing bias shows), and must match them in eval mode, or in train mode with
dropout=0. Tolerances: rtol 1e-4, atol 1e-5 for float32 values (harness defaults), atol 1e-4
for gradients; float64 defaults for float64.

Contract -> specs:
- FeedForward keys (weights nn.Parameters, not buffers), "relu" default / "gelu" erf, any
  leading dims: test_feed_forward_*
- dropout inside ff after the activation (none on ff's input, FeedForward and the layers):
  test_feed_forward_dropout_is_after_the_activation, test_dropout_never_acts_on_the_feed_forward_input
- dropout on sa / ca / ff outputs before each residual add (never on the stream), pre-LN and
  post-LN (read at each norm's input): test_{encoder,decoder}_dropout_on_each_sublayer_output;
  train() only: test_dropout_*
- state_dict keys, every weight an nn.Parameter like torch's, no built-in layers:
  test_state_dicts_match_torch, test_written_from_scratch
- post-LN / pre-LN wiring, residual around each sublayer: test_*_residual, *_matches_torch
- defaults dropout=0.0 (every sublayer's dropout) and norm_first=False, in train() mode:
  test_encoder_defaults_are_post_ln_without_dropout, test_decoder_defaults_are_post_ln_without_dropout
- cross-attention keys/values from memory, each call's own (a second memory of the same shape through the
  same layer): test_decoder_cross_attention_reads_memory
- LayerNorm eps 1e-5: test_layer_norm_eps_is_torch_default
- masks (bool / float, 2-D / 3-D, key padding): test_*_masks_match_torch, *_random_settings; masks read at every call (other masks of
  the same shapes through the same layer): test_given_masks_are_read_at_every_call
- causal flags: build when mask is None (test_*_is_causal_without_a_mask,
  test_decoder_memory_is_causal_alone, also at S = 4099), also beside a key padding mask
  (test_encoder_is_causal_with_only_a_key_padding_mask,
  test_decoder_causal_flags_with_only_key_padding_masks), use a given mask as it is
  (test_encoder_is_causal_uses_a_given_non_causal_mask, test_decoder_causal_flags_use_given_masks);
  a mask built per call, not kept from an earlier length: test_causal_flags_follow_each_calls_lengths
- a built causal mask keeps the parameters' dtype under a float64 default dtype:
  test_causal_flags_under_a_float64_default_dtype; and is not kept in an earlier call's dtype (float64 layers,
  then float32 ones of the same sizes): test_causal_flags_after_a_float64_call_of_the_same_sizes
- float64, gradients, non-contiguous inputs (FeedForward too): test_*_float64, test_*_gradients_*, test_non_contiguous_*
- causal masks on the inputs' device (also after CPU calls, then .to('meta')): test_causal_masks_are_built_on_the_input_device
"""


import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (SpecFailure, mha_slow_path, assert_close, assert_kept_state_follows_the_device,
                            assert_on_input_device, assert_parameters_like, forbid, non_contiguous, unchanged)
from harness.edges import default_dtype
from katas.transformer.block import DecoderLayer, EncoderLayer, FeedForward

SEEDS = st.integers(0, 2**31 - 1)
INF = float("inf")

FORBIDDEN = (F.multi_head_attention_forward,)
FORBIDDEN_ATEN = {
    "_transformer_encoder_layer_fwd": "nn.TransformerEncoderLayer's fused kernel",
    "_native_multi_head_attention": "nn.MultiheadAttention's fused kernel",
}
BUILTINS = (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, nn.MultiheadAttention,
            nn.TransformerEncoder, nn.TransformerDecoder, nn.Transformer)

HINT_POST = ("post-LN (norm_first=False): x = norm1(x + sa(x)); x = norm2(x + ff(x)) — add the "
             "sublayer's output to its input, then normalise the sum")
HINT_PRE = ("pre-LN (norm_first=True): x = x + sa(norm1(x)); x = x + ff(norm2(x)) — normalise the "
            "sublayer's INPUT, add its output to the un-normalised x (no norm after the add)")
HINT_DEC_POST = ("post-LN decoder: x = norm1(x + sa(x)); x = norm2(x + ca(x, memory)); "
                 "x = norm3(x + ff(x))")
HINT_DEC_PRE = ("pre-LN decoder: x = x + sa(norm1(x)); x = x + ca(norm2(x), memory); "
                "x = x + ff(norm3(x)); memory is used as it is (never normalised by the layer)")
HINT_FF = "ff(x) = linear2(dropout(relu(linear1(x)))), with its own residual: x + ff(...)"
HINT_CA = ("cross-attention: queries from the decoder stream x, keys AND values from memory: "
           "multihead_attn(x, memory, memory, attn_mask=memory_mask, "
           "key_padding_mask=memory_key_padding_mask)")
HINT_MASKS = ("pass the masks on to your attention unchanged: attn_mask=src_mask (tgt_mask / "
              "memory_mask), key_padding_mask=src_key_padding_mask (...); bool True = hidden")
HINT_CAUSAL = ("is_causal=True with no mask: hide the keys j > i yourself, e.g. attn_mask = "
               "torch.ones(T, S, dtype=torch.bool).triu(1); with a mask, use the mask")


# ------------------------------------------------------------------ helpers

def randomize(module, seed):
    """Random weights, biases and LayerNorm affines: every parameter matters."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=p.dtype)
            if p.dim() == 2:
                p.copy_(noise * 1.2 / p.shape[1] ** 0.5)
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.3 * noise)
            else:
                p.copy_(0.3 * noise)
    return module


def encoder_ref(d, h, ff, *, norm_first=False, dropout=0.0, seed=0, dtype=torch.float32):
    ref = nn.TransformerEncoderLayer(d, h, ff, dropout=dropout, batch_first=True,
                                     norm_first=norm_first).to(dtype)
    return randomize(ref, seed).eval()


def decoder_ref(d, h, ff, *, norm_first=False, dropout=0.0, seed=0, dtype=torch.float32):
    ref = nn.TransformerDecoderLayer(d, h, ff, dropout=dropout, batch_first=True,
                                     norm_first=norm_first).to(dtype)
    return randomize(ref, seed).eval()


def load(mine, ref, what, keys_hint):
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as err:
        raise SpecFailure(f"{what}.load_state_dict(torch's state_dict) failed: "
                          f"{str(err).splitlines()[0][:300]}\n  hint: {keys_hint}") from None
    return mine.eval()


ENC_KEYS = ("self_attn = MultiHeadAttention(d_model, nhead); linear1, linear2 (nn.Linear) held by "
            "the layer itself; norm1, norm2 = nn.LayerNorm(d_model)")
DEC_KEYS = ("self_attn and multihead_attn = MultiHeadAttention(d_model, nhead); linear1, linear2; "
            "norm1, norm2, norm3 = nn.LayerNorm(d_model)")


def encoder_pair(d, h, ff, *, norm_first=False, dropout=0.0, seed=0, dtype=torch.float32):
    ref = encoder_ref(d, h, ff, norm_first=norm_first, dropout=dropout, seed=seed, dtype=dtype)
    mine = EncoderLayer(d, h, ff, dropout=dropout, norm_first=norm_first).to(dtype)
    return load(mine, ref, f"EncoderLayer({d}, {h}, {ff}, norm_first={norm_first})", ENC_KEYS), ref


def decoder_pair(d, h, ff, *, norm_first=False, dropout=0.0, seed=0, dtype=torch.float32):
    ref = decoder_ref(d, h, ff, norm_first=norm_first, dropout=dropout, seed=seed, dtype=dtype)
    mine = DecoderLayer(d, h, ff, dropout=dropout, norm_first=norm_first).to(dtype)
    return load(mine, ref, f"DecoderLayer({d}, {h}, {ff}, norm_first={norm_first})", DEC_KEYS), ref


def call_ref(ref, *args, **kwargs):
    with mha_slow_path():
        return ref(*args, **kwargs)


def randn(*shape, seed, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def padding(B, S, seed):
    """(B, S) bool, True = padding; each row keeps its first `length >= 1` keys."""
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, S + 1, (B,), generator=gen)
    return torch.arange(S)[None, :] >= lengths[:, None], int(lengths.min())


def hidden(shape, seed, keep_below):
    """Random bool mask (True = hidden); every row keeps some key with index < keep_below."""
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(shape, generator=gen) < 0.5
    keep = (torch.rand(shape[:-1], generator=gen) * keep_below).long()
    return mask & ~F.one_hot(keep, shape[-1]).bool()


def as_float(mask, seed, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(mask.shape, generator=gen, dtype=dtype).masked_fill(mask, -INF)


def attention_masks(kind, B, H, T, S, seed, dtype=torch.float32):
    """(attn_mask, key_padding_mask) of one kind: 'none', 'causal', 'bool kpm', 'float 2d',
    'bool kpm 3d'...; no query row ever has all its keys hidden."""
    if kind == "none":
        return None, None
    kpm, min_len = padding(B, S, seed) if "kpm" in kind else (None, S)
    if "causal" in kind:
        am = torch.ones(T, S, dtype=torch.bool).triu(1)
    elif "2d" in kind or "3d" in kind:
        am = hidden((T, S) if "2d" in kind else (B * H, T, S), seed + 1, min_len)
    else:
        am = None
    if "float" in kind:
        kpm = as_float(kpm, seed + 2, dtype) if kpm is not None else None
        if "causal" in kind:  # exactly causal (0 / -inf): torch may swap it for its is_causal path
            am = torch.zeros(T, S, dtype=dtype).masked_fill(am, -INF)
        elif am is not None:
            am = as_float(am, seed + 3, dtype)
    return am, kpm


def shown(**masks):
    return "".join(f", {n}={'bool' if m.dtype == torch.bool else 'float'} {tuple(m.shape)}"
                   for n, m in masks.items() if isinstance(m, torch.Tensor)) + "".join(
        f", {n}={v}" for n, v in masks.items() if isinstance(v, bool))


def check_encoder(d, h, ff, B, T, *, seed, kind="none", norm_first=False, dtype=torch.float32,
                  is_causal=False, ref_kind=None, hint=None):
    __tracebackhide__ = True
    mine, ref = encoder_pair(d, h, ff, norm_first=norm_first, seed=seed, dtype=dtype)
    x = randn(B, T, d, seed=seed + 1, dtype=dtype)
    am, kpm = attention_masks(kind, B, h, T, T, seed + 2, dtype)
    kwargs = {"src_mask": am, "src_key_padding_mask": kpm}
    if is_causal:
        kwargs["is_causal"] = True
    out = mine(x, **kwargs)
    ref_kwargs = {k: v for k, v in kwargs.items() if k != "is_causal"}  # torch: a mere hint
    if ref_kind is not None:  # torch needs the explicit mask behind the is_causal hint
        ref_kwargs["src_mask"] = attention_masks(ref_kind, B, h, T, T, seed + 2, dtype)[0]
    with torch.no_grad():
        expected = call_ref(ref, x, **ref_kwargs)
    what = (f"EncoderLayer({d}, {h}, {ff}, norm_first={norm_first})(src {tuple(x.shape)}"
            f"{shown(**kwargs)})")
    base = HINT_PRE if norm_first else HINT_POST
    assert_close(out, expected, what=what, hint=hint or (base if kind == "none" else base + "; " + HINT_MASKS))


def check_decoder(d, h, ff, B, T, S, *, seed, kind="none", norm_first=False, dtype=torch.float32,
                  flags=None, ref_kind=None, hint=None):
    __tracebackhide__ = True
    mine, ref = decoder_pair(d, h, ff, norm_first=norm_first, seed=seed, dtype=dtype)
    x, memory = randn(B, T, d, seed=seed + 1, dtype=dtype), randn(B, S, d, seed=seed + 2, dtype=dtype)
    tgt_kind, mem_kind = kind if isinstance(kind, tuple) else (kind, kind)
    tm, tkpm = attention_masks(tgt_kind, B, h, T, T, seed + 3, dtype)
    mm, mkpm = attention_masks(mem_kind, B, h, T, S, seed + 4, dtype)
    kwargs = {"tgt_mask": tm, "memory_mask": mm, "tgt_key_padding_mask": tkpm,
              "memory_key_padding_mask": mkpm, **(flags or {})}
    out = mine(x, memory, **kwargs)
    ref_kwargs = {k: v for k, v in kwargs.items() if not k.endswith("is_causal")}
    if ref_kind is not None:
        ref_kwargs["tgt_mask"] = attention_masks(ref_kind[0], B, h, T, T, seed + 3, dtype)[0]
        ref_kwargs["memory_mask"] = attention_masks(ref_kind[1], B, h, T, S, seed + 4, dtype)[0]
    with torch.no_grad():
        expected = call_ref(ref, x, memory, **ref_kwargs)
    what = (f"DecoderLayer({d}, {h}, {ff}, norm_first={norm_first})(tgt {tuple(x.shape)}, memory "
            f"{tuple(memory.shape)}{shown(**kwargs)})")
    base = (HINT_DEC_PRE if norm_first else HINT_DEC_POST) + "; " + HINT_CA
    assert_close(out, expected, what=what, hint=hint or (base if kind == "none" else base + "; " + HINT_MASKS))


def param_grads(module, loss):
    names = [n for n, _ in module.named_parameters()]
    grads = torch.autograd.grad(loss, [p for _, p in module.named_parameters()], allow_unused=True,
                                retain_graph=True)
    return dict(zip(names, grads))


def compare_grads(what, mine_grads, ref_grads):
    __tracebackhide__ = True
    for name, expected in ref_grads.items():
        got = mine_grads.get(name)
        if got is None:
            raise SpecFailure(f"{what}: no gradient reached {name}; is every parameter used, "
                              f"through differentiable ops (no .data, no .detach())?")
        assert_close(got, expected, what=f"{what} w.r.t. {name}", atol=1e-4,
                     hint="the forward must match torch's; build it from differentiable ops")


# ------------------------------------------------------------------ FeedForward

@pytest.mark.parametrize("d,ff", [(4, 16), (7, 3), (1, 1)])
def test_feed_forward_state_dict(d, ff):
    mine = FeedForward(d, ff)
    got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
    expected = {"linear1.weight": (ff, d), "linear1.bias": (ff,), "linear2.weight": (d, ff),
                "linear2.bias": (d,)}
    assert got == expected, (
        f"FeedForward({d}, {ff}).state_dict() has {got}, expected {expected}\n  hint: "
        f"linear1 = nn.Linear(d_model, dim_feedforward), linear2 = nn.Linear(dim_feedforward, d_model)")
    assert_parameters_like(mine, expected, what=f"FeedForward({d}, {ff})", like="nn.TransformerEncoderLayer's feed-forward")


def feed_forward_weights(d, ff, seed, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    return {"linear1.weight": torch.randn(ff, d, generator=gen, dtype=dtype) / d**0.5,
            "linear1.bias": torch.randn(ff, generator=gen, dtype=dtype) * 0.5,
            "linear2.weight": torch.randn(d, ff, generator=gen, dtype=dtype) / ff**0.5,
            "linear2.bias": torch.randn(d, generator=gen, dtype=dtype) * 0.5}


def feed_forward_formula(x, w, act):
    return F.linear(act(F.linear(x, w["linear1.weight"], w["linear1.bias"])),
                    w["linear2.weight"], w["linear2.bias"])


@pytest.mark.parametrize("activation", ["relu", "gelu", None])
@pytest.mark.parametrize("shape,d,ff", [((2, 5), 4, 16), ((3,), 7, 3), ((2, 3, 4), 6, 11), ((), 5, 2)])
def test_feed_forward_matches_formula(activation, shape, d, ff):
    mine = FeedForward(d, ff) if activation is None else FeedForward(d, ff, activation=activation)
    w = feed_forward_weights(d, ff, seed=1)
    mine.load_state_dict(w)
    x = randn(*shape, d, seed=2)
    out = mine(x)
    act = F.gelu if activation == "gelu" else F.relu
    assert_close(out, feed_forward_formula(x, w, act),
                 what=f"FeedForward({d}, {ff}{'' if activation is None else f', activation={activation!r}'})"
                      f"(x {(*shape, d)})",
                 hint="linear2(dropout(activation(linear1(x)))); activation 'relu' by default, "
                      "'gelu' = F.gelu (the exact erf form); any leading dims")


def test_feed_forward_dropout_only_in_train_mode():
    mine = FeedForward(8, 32, dropout=0.5)
    w = feed_forward_weights(8, 32, seed=3)
    mine.load_state_dict(w)
    x = randn(4, 6, 8, seed=4)
    out_eval = mine.eval()(x)
    assert_close(out_eval, feed_forward_formula(x, w, F.relu), what="FeedForward(8, 32, dropout=0.5).eval()(x)",
                 hint="dropout is the identity in eval() mode (use nn.Dropout, which knows the mode)")
    out_train = mine.train()(x)
    assert not torch.allclose(out_train, out_eval), (
        "FeedForward(8, 32, dropout=0.5).train()(x) equals the eval() output: dropout was not "
        "applied\n  hint: linear2(dropout(activation(linear1(x)))) with dropout = nn.Dropout(p)")


def test_feed_forward_gradients():
    mine = FeedForward(5, 7)
    w = {k: v.requires_grad_() for k, v in feed_forward_weights(5, 7, seed=5).items()}
    mine.load_state_dict({k: v.detach() for k, v in w.items()})
    x = randn(2, 3, 5, seed=6)
    g = randn(2, 3, 5, seed=7)
    got = param_grads(mine, (mine(x) * g).sum())
    expected = dict(zip(w, torch.autograd.grad((feed_forward_formula(x, w, F.relu) * g).sum(), list(w.values()))))
    compare_grads("gradient of FeedForward(5, 7)", got, expected)


# ------------------------------------------------------------------ structure

@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("d,h,ff", [(8, 2, 16), (6, 3, 5), (4, 1, 1)])
def test_state_dicts_match_torch(d, h, ff, norm_first):
    mine_enc = EncoderLayer(d, h, ff, norm_first=norm_first)
    mine_dec = DecoderLayer(d, h, ff, norm_first=norm_first)
    for mine, ref, keys in (
            (mine_enc, nn.TransformerEncoderLayer(d, h, ff, batch_first=True, norm_first=norm_first), ENC_KEYS),
            (mine_dec, nn.TransformerDecoderLayer(d, h, ff, batch_first=True, norm_first=norm_first), DEC_KEYS)):
        got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
        expected = {k: tuple(v.shape) for k, v in ref.state_dict().items()}
        name = type(mine).__name__
        assert got == expected, (
            f"{name}({d}, {h}, {ff}, norm_first={norm_first}).state_dict() differs from torch's:\n"
            f"  missing {sorted(set(expected) - set(got))}, unexpected {sorted(set(got) - set(expected))}, "
            f"shapes differ at {sorted(k for k in set(got) & set(expected) if got[k] != expected[k])}\n"
            f"  hint: {keys}")
        assert_parameters_like(mine, ref, what=f"{name}({d}, {h}, {ff}, norm_first={norm_first})")


def test_written_from_scratch():
    layers = [EncoderLayer(8, 2, 16), DecoderLayer(8, 2, 16)]
    for layer in layers:
        builtin = [f"{name or 'the layer itself'} ({type(m).__name__})" for name, m in layer.named_modules()
                   if isinstance(m, BUILTINS)]
        assert not builtin, (
            f"{type(layer).__name__} is or holds torch's built-in {builtin}; this kata asks you to "
            f"build the layer from your MultiHeadAttention, nn.Linear and nn.LayerNorm")
    x, memory = randn(2, 3, 8, seed=8), randn(2, 4, 8, seed=9)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN), torch.no_grad():
        layers[0].eval()(x, src_key_padding_mask=padding(2, 3, 10)[0])
        layers[1].eval()(x, memory, tgt_mask=torch.ones(3, 3, dtype=torch.bool).triu(1))


# ------------------------------------------------------------------ the wiring, one sublayer at a time

def silence(module, prefix):
    """Zero a sublayer's output projection (and bias), so that sublayer outputs exactly 0."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.startswith(prefix):
                p.zero_()


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_feed_forward_residual(norm_first):
    """Self-attention silenced (its out_proj is 0): what remains is the FFN sublayer's wiring."""
    mine, ref = encoder_pair(8, 2, 16, norm_first=norm_first, seed=11)
    silence(ref, "self_attn.out_proj")
    load(mine, ref, "EncoderLayer(8, 2, 16)", ENC_KEYS)
    x = randn(2, 5, 8, seed=12)
    out = mine(x)
    with torch.no_grad():
        expected = call_ref(ref, x)
    formula = ("x + ff(norm2(x))" if norm_first else "norm2(norm1(x) + ff(norm1(x)))")
    assert_close(out, expected, what=f"EncoderLayer(8, 2, 16, norm_first={norm_first})(src (2, 5, 8)) "
                 f"with self-attention silenced (its out_proj = 0), which must give {formula}",
                 hint=(HINT_PRE if norm_first else HINT_POST) + "; " + HINT_FF)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_attention_residual(norm_first):
    """Feed-forward silenced (linear2 = 0): what remains is the self-attention sublayer's wiring."""
    mine, ref = encoder_pair(8, 2, 16, norm_first=norm_first, seed=13)
    silence(ref, "linear2")
    load(mine, ref, "EncoderLayer(8, 2, 16)", ENC_KEYS)
    x = randn(2, 5, 8, seed=14)
    out = mine(x)
    with torch.no_grad():
        expected = call_ref(ref, x)
    formula = ("x + sa(norm1(x))" if norm_first else "norm2(norm1(x + sa(x)))")
    assert_close(out, expected, what=f"EncoderLayer(8, 2, 16, norm_first={norm_first})(src (2, 5, 8)) "
                 f"with the feed-forward silenced (linear2 = 0), which must give {formula}",
                 hint=HINT_PRE if norm_first else HINT_POST)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_feed_forward_residual(norm_first):
    mine, ref = decoder_pair(8, 2, 16, norm_first=norm_first, seed=15)
    silence(ref, "self_attn.out_proj")
    silence(ref, "multihead_attn.out_proj")
    load(mine, ref, "DecoderLayer(8, 2, 16)", DEC_KEYS)
    x, memory = randn(2, 5, 8, seed=16), randn(2, 3, 8, seed=17)
    out = mine(x, memory)
    with torch.no_grad():
        expected = call_ref(ref, x, memory)
    formula = "x + ff(norm3(x))" if norm_first else "norm3(y + ff(y)) with y = norm2(norm1(x))"
    assert_close(out, expected, what=f"DecoderLayer(8, 2, 16, norm_first={norm_first})(tgt (2, 5, 8), "
                 f"memory (2, 3, 8)) with both attentions silenced, which must give {formula}",
                 hint=(HINT_DEC_PRE if norm_first else HINT_DEC_POST) + "; " + HINT_FF)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_cross_attention_reads_memory(norm_first):
    """Self-attention and FFN silenced: the output depends on memory only via cross-attention."""
    mine, ref = decoder_pair(8, 2, 16, norm_first=norm_first, seed=18)
    silence(ref, "self_attn.out_proj")
    silence(ref, "linear2")
    load(mine, ref, "DecoderLayer(8, 2, 16)", DEC_KEYS)
    x, memory = randn(2, 4, 8, seed=19), randn(2, 6, 8, seed=20)
    out = mine(x, memory)
    with torch.no_grad():
        expected = call_ref(ref, x, memory)
    assert_close(out, expected, what=f"DecoderLayer(8, 2, 16, norm_first={norm_first})(tgt (2, 4, 8), "
                 f"memory (2, 6, 8)) with self-attention and feed-forward silenced",
                 hint=HINT_CA + "; " + (HINT_DEC_PRE if norm_first else HINT_DEC_POST))
    memory = randn(2, 6, 8, seed=22)  # a second memory of the same shape, through the same layer
    out = mine(x, memory)
    with torch.no_grad():
        expected = call_ref(ref, x, memory)
    assert_close(out, expected, what=f"DecoderLayer(8, 2, 16, norm_first={norm_first}) called again with the "
                 f"same tgt and ANOTHER memory of the same shape (2, 6, 8)",
                 hint="each call attends to the memory it is given: keep nothing of an earlier call's memory (the "
                      "memory itself, or its cross-attention keys and values, in a dict keyed by shape)")


# ------------------------------------------------------------------ EncoderLayer vs torch

# (d, h, ff, B, T): sizes 1 and primes, one head and many.
ENC_SHAPES = [(8, 2, 16, 2, 5), (6, 3, 7, 3, 1), (4, 1, 1, 1, 7), (10, 5, 13, 2, 11)]


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("d,h,ff,B,T", ENC_SHAPES)
def test_encoder_matches_torch(d, h, ff, B, T, norm_first):
    check_encoder(d, h, ff, B, T, seed=21, norm_first=norm_first)


def test_encoder_defaults_are_post_ln_without_dropout():
    ref = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    randomize(ref, 22)
    mine = EncoderLayer(8, 2, 16)
    load(mine, ref, "EncoderLayer(8, 2, 16)", ENC_KEYS)
    mine.train()
    ref.train()  # dropout 0: train mode is deterministic too
    x = randn(2, 4, 8, seed=23)
    out = mine(x)
    with torch.no_grad():
        expected = call_ref(ref, x)
    assert_close(out, expected, what="EncoderLayer(8, 2, 16)(src (2, 4, 8)) in train() mode with the "
                 "defaults dropout=0.0, norm_first=False", hint=HINT_POST)


def test_decoder_defaults_are_post_ln_without_dropout():
    """DecoderLayer(d, h, ff) in train() mode: the defaults dropout=0.0 and norm_first=False reach
    every sublayer (an nn.Dropout(0.1) left at torch's default, or `dropout or 0.1`, shows here)."""
    ref = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True)
    randomize(ref, 70)
    mine = DecoderLayer(8, 2, 16)
    load(mine, ref, "DecoderLayer(8, 2, 16)", DEC_KEYS)
    mine.train()
    ref.train()  # dropout 0: train mode is deterministic too
    x, memory = randn(2, 4, 8, seed=71), randn(2, 3, 8, seed=72)
    out = mine(x, memory)
    with torch.no_grad():
        expected = call_ref(ref, x, memory)
    assert_close(out, expected, what="DecoderLayer(8, 2, 16)(tgt (2, 4, 8), memory (2, 3, 8)) in train() mode "
                 "with the defaults dropout=0.0, norm_first=False",
                 hint=HINT_DEC_POST + "; every nn.Dropout takes the layer's dropout argument (0.0 by default: "
                 "an explicit 0.0 is not 'not given')")


MASK_KINDS = ["causal", "bool 2d", "float 2d", "bool kpm", "float kpm", "bool kpm 2d",
              "float kpm 2d", "bool 3d", "float kpm 3d"]


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("kind", MASK_KINDS)
def test_encoder_masks_match_torch(kind, norm_first):
    check_encoder(8, 2, 12, 3, 6, seed=24, kind=kind, norm_first=norm_first)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_is_causal_without_a_mask(norm_first):
    check_encoder(6, 2, 8, 2, 5, seed=25, norm_first=norm_first, is_causal=True, ref_kind="causal",
                  hint=HINT_CAUSAL)


def test_causal_flags_follow_each_calls_lengths():
    """One layer called at several lengths: the causal mask it builds is made for each call's
    (T, S), not built once and kept on the module (a cache sized by the first call fails or
    hides the wrong keys at the next length)."""
    hint = ("build the causal mask for each call's T (and S) from the inputs' shapes; a mask kept on the "
            "module from an earlier call has that call's size (cache per (T, S, device) if you must)")
    # the layers keep their own init: each is compared with itself given the mask
    enc, dec = EncoderLayer(6, 2, 8).eval(), DecoderLayer(6, 2, 8).eval()
    with torch.no_grad():
        for T, S in ((4, 3), (6, 5)):
            x, memory = randn(2, T, 6, seed=99 + T), randn(2, S, 6, seed=90 + S)
            what = f"the same {{}} called at T = 4, then 6 with its causal flag(s), at T = {T}, S = {S}"
            try:
                got_enc = enc(x, is_causal=True)
                got_dec = dec(x, memory, tgt_is_causal=True, memory_is_causal=True)
            except RuntimeError as err:
                raise SpecFailure(f"{what.format('EncoderLayer / DecoderLayer')} raised RuntimeError: "
                                  f"{str(err).splitlines()[0]}\n  hint: {hint}") from None
            assert_close(got_enc, enc(x, src_mask=torch.ones(T, T, dtype=torch.bool).triu(1)),
                         what=what.format("EncoderLayer(6, 2, 8)"), hint=hint)
            assert_close(got_dec, dec(x, memory, tgt_mask=torch.ones(T, T, dtype=torch.bool).triu(1),
                                      memory_mask=torch.ones(T, S, dtype=torch.bool).triu(1)),
                         what=what.format("DecoderLayer(6, 2, 8)"), hint=hint)


def test_encoder_is_causal_with_its_mask():
    check_encoder(6, 2, 8, 2, 5, seed=26, kind="causal", is_causal=True, hint=HINT_CAUSAL)
    check_encoder(6, 2, 8, 2, 5, seed=27, kind="float causal", is_causal=True, hint=HINT_CAUSAL)


HINT_GIVEN = ("with is_causal=True AND a mask, use the given mask as it is (the flag only says "
              "what to build when no mask is given): build the causal mask only if mask is None")


HINT_KPM_CAUSAL = ("a key padding mask is not an attention mask: with is_causal=True and src_mask None "
                   "(tgt_mask / memory_mask None), build the causal mask even when a key padding mask "
                   "is given; the two are applied together")


@pytest.mark.parametrize("kind", ["bool kpm", "float kpm"])
def test_encoder_is_causal_with_only_a_key_padding_mask(kind):
    check_encoder(6, 2, 8, 3, 5, seed=63, kind=kind, is_causal=True, ref_kind="causal", hint=HINT_KPM_CAUSAL)


@pytest.mark.parametrize("kind", ["bool 2d", "float kpm 2d", "bool 3d"])
def test_encoder_is_causal_uses_a_given_non_causal_mask(kind):
    check_encoder(6, 2, 8, 2, 5, seed=60, kind=kind, is_causal=True, hint=HINT_GIVEN)


def test_encoder_float64():
    check_encoder(6, 3, 9, 2, 5, seed=28, kind="float kpm 2d", dtype=torch.float64)
    check_encoder(6, 3, 9, 2, 5, seed=29, kind="bool 3d", norm_first=True, dtype=torch.float64)


# ------------------------------------------------------------------ DecoderLayer vs torch

# (d, h, ff, B, T, S): T != S both ways, sizes 1 and primes.
DEC_SHAPES = [(8, 2, 16, 2, 5, 7), (6, 3, 7, 3, 4, 1), (4, 1, 1, 1, 1, 5), (10, 5, 13, 2, 11, 3)]


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("d,h,ff,B,T,S", DEC_SHAPES)
def test_decoder_matches_torch(d, h, ff, B, T, S, norm_first):
    check_decoder(d, h, ff, B, T, S, seed=30, norm_first=norm_first)


DEC_MASK_KINDS = [("causal", "none"), ("none", "bool 2d"), ("none", "float 2d"),
                  ("causal", "bool kpm"), ("bool kpm", "bool kpm"), ("float kpm 2d", "float kpm 2d"),
                  ("float causal", "float kpm"), ("bool 3d", "bool kpm 3d"), ("bool kpm 2d", "none")]


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("kind", DEC_MASK_KINDS, ids=lambda k: f"tgt:{k[0]}/memory:{k[1]}")
def test_decoder_masks_match_torch(kind, norm_first):
    check_decoder(8, 2, 12, 3, 5, 6, seed=31, kind=kind, norm_first=norm_first)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_tgt_is_causal_without_a_mask(norm_first):
    check_decoder(6, 2, 8, 2, 5, 4, seed=32, norm_first=norm_first, flags={"tgt_is_causal": True},
                  ref_kind=("causal", "none"), hint=HINT_CAUSAL)


def test_decoder_memory_is_causal_without_a_mask():
    check_decoder(6, 2, 8, 2, 5, 7, seed=33, flags={"tgt_is_causal": True, "memory_is_causal": True},
                  ref_kind=("causal", "causal"), hint=HINT_CAUSAL + " (the (T, S) memory mask too)")


@pytest.mark.parametrize("S", [6, 4099])  # 4099: past a size cap (a triu table made once at import)
def test_decoder_memory_is_causal_alone(S):
    check_decoder(6, 2, 8, 2 if S < 100 else 1, 4 if S < 100 else 2, S, seed=61, flags={"memory_is_causal": True},
                  ref_kind=("none", "causal"), hint=HINT_CAUSAL + "; memory_is_causal builds the "
                  "(T, S) memory mask only, tgt_is_causal the (T, T) self-attention mask only")


def test_decoder_causal_flags_with_only_key_padding_masks():
    check_decoder(6, 2, 8, 3, 5, 6, seed=64, kind=("bool kpm", "float kpm"),
                  flags={"tgt_is_causal": True, "memory_is_causal": True}, ref_kind=("causal", "causal"),
                  hint=HINT_KPM_CAUSAL)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_causal_flags_use_given_masks(norm_first):
    check_decoder(6, 2, 8, 2, 5, 4, seed=62, kind=("bool 2d", "float 2d"), norm_first=norm_first,
                  flags={"tgt_is_causal": True, "memory_is_causal": True}, hint=HINT_GIVEN)


def test_decoder_is_causal_with_its_mask():
    check_decoder(6, 2, 8, 2, 5, 4, seed=34, kind=("causal", "none"), flags={"tgt_is_causal": True},
                  hint=HINT_CAUSAL)


def test_decoder_float64():
    check_decoder(6, 3, 9, 2, 5, 4, seed=35, kind=("float kpm 2d", "float kpm"), dtype=torch.float64)
    check_decoder(6, 3, 9, 2, 4, 5, seed=36, kind=("causal", "bool 3d"), norm_first=True,
                  dtype=torch.float64)


# ------------------------------------------------------------------ properties

@st.composite
def layer_settings(draw):
    h, hd = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    ff = draw(st.integers(1, 12))
    B, T, S = draw(st.integers(1, 3)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    norm_first = draw(st.booleans())
    kinds = ["none", "causal", "bool kpm", "float kpm 2d", "bool kpm 3d", "float 2d"]
    return h * hd, h, ff, B, T, S, norm_first, draw(st.sampled_from(kinds)), draw(st.sampled_from(kinds))


@given(case=layer_settings(), seed=SEEDS)
def test_encoder_on_random_settings(case, seed):
    d, h, ff, B, T, _, norm_first, kind, _ = case
    check_encoder(d, h, ff, B, T, seed=seed % 100_000, kind=kind, norm_first=norm_first)


@given(case=layer_settings(), seed=SEEDS)
def test_decoder_on_random_settings(case, seed):
    d, h, ff, B, T, S, norm_first, tgt_kind, mem_kind = case
    mem_kind = "none" if mem_kind == "causal" else mem_kind  # a causal (T, S) mask is tested above
    check_decoder(d, h, ff, B, T, S, seed=seed % 100_000, kind=(tgt_kind, mem_kind), norm_first=norm_first)


# ------------------------------------------------------------------ dropout and modes

def test_dropout_is_off_in_eval_mode():
    check = "EncoderLayer(8, 2, 16, dropout=0.3).eval()"
    mine, ref = encoder_pair(8, 2, 16, dropout=0.3, seed=37)
    x = randn(2, 5, 8, seed=38)
    out = mine.eval()(x)
    with torch.no_grad():
        expected = call_ref(ref.eval(), x)
    assert_close(out, expected, what=f"{check}(src (2, 5, 8))",
                 hint="use nn.Dropout modules: they are the identity in eval() mode")
    mine_d, ref_d = decoder_pair(8, 2, 16, dropout=0.3, seed=39)
    memory = randn(2, 3, 8, seed=40)
    out = mine_d.eval()(x, memory)
    with torch.no_grad():
        expected = call_ref(ref_d.eval(), x, memory)
    assert_close(out, expected, what="DecoderLayer(8, 2, 16, dropout=0.3).eval()(tgt (2, 5, 8), memory (2, 3, 8))",
                 hint="use nn.Dropout modules: they are the identity in eval() mode")


def test_dropout_is_applied_in_train_mode():
    mine, _ = encoder_pair(8, 2, 16, dropout=0.5, seed=41)
    x = randn(2, 5, 8, seed=42)
    out_eval = mine.eval()(x)
    out_train = mine.train()(x)
    assert not torch.allclose(out_train, out_eval), (
        "EncoderLayer(8, 2, 16, dropout=0.5).train()(src) equals the eval() output: no dropout was "
        "applied\n  hint: dropout on each sublayer's output before its residual add (and inside the FFN)")


# ------------------------------------------------------------------ gradients

@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_gradients_match_torch(norm_first):
    mine, ref = encoder_pair(6, 2, 10, norm_first=norm_first, seed=43)
    am, kpm = attention_masks("bool kpm 2d", 2, 2, 4, 4, seed=44)
    g = randn(2, 4, 6, seed=45)
    x0 = randn(2, 4, 6, seed=46)

    def run(module):
        x = x0.clone().requires_grad_()
        loss = (module(x, src_mask=am, src_key_padding_mask=kpm) * g).sum()
        grads = param_grads(module, loss)
        grads["src"] = torch.autograd.grad(loss, x)[0]
        return grads

    got = run(mine)
    with mha_slow_path():
        expected = run(ref)
    compare_grads(f"gradient of EncoderLayer(6, 2, 10, norm_first={norm_first})", got, expected)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_gradients_match_torch(norm_first):
    mine, ref = decoder_pair(6, 2, 10, norm_first=norm_first, seed=47)
    tm, _ = attention_masks("causal", 2, 2, 4, 4, seed=48)
    mm, mkpm = attention_masks("float kpm 2d", 2, 2, 4, 5, seed=49)
    g = randn(2, 4, 6, seed=50)
    x0, m0 = randn(2, 4, 6, seed=51), randn(2, 5, 6, seed=52)

    def run(module):
        x, memory = x0.clone().requires_grad_(), m0.clone().requires_grad_()
        loss = (module(x, memory, tgt_mask=tm, memory_mask=mm, memory_key_padding_mask=mkpm) * g).sum()
        grads = param_grads(module, loss)
        grads["tgt"], grads["memory"] = torch.autograd.grad(loss, [x, memory])
        return grads

    got = run(mine)
    with mha_slow_path():
        expected = run(ref)
    compare_grads(f"gradient of DecoderLayer(6, 2, 10, norm_first={norm_first})", got, expected)


def test_given_masks_are_read_at_every_call():
    """The same layer called twice with masks of the same shapes but other values: a mask (or its
    additive form) kept on the layer keyed by shape would answer the second call with the first."""
    hint = ("use the masks each call is given: convert them at every call (it is cheap), or key a cache by "
            "the mask tensors themselves, never by shape")
    mine, ref = encoder_pair(6, 2, 8, seed=120)
    x = randn(2, 5, 6, seed=121)
    for seed in (122, 132):
        am, kpm = attention_masks("bool kpm 2d", 2, 2, 5, 5, seed=seed)
        with torch.no_grad():
            expected = call_ref(ref, x, src_mask=am, src_key_padding_mask=kpm)
        assert_close(mine(x, src_mask=am, src_key_padding_mask=kpm), expected, hint=hint,
                     what=f"EncoderLayer(6, 2, 8)(src, bool src_mask (5, 5), bool src_key_padding_mask (2, 5)), "
                          f"{'the second call with other masks of the same shapes' if seed == 132 else 'first call'}")
    mine, ref = decoder_pair(6, 2, 8, seed=123)
    memory = randn(2, 4, 6, seed=124)
    for seed in (125, 135):
        tm, tkpm = attention_masks("float kpm 2d", 2, 2, 5, 5, seed=seed)
        mm, mkpm = attention_masks("bool kpm 2d", 2, 2, 5, 4, seed=seed + 1)
        with torch.no_grad():
            expected = call_ref(ref, x, memory, tgt_mask=tm, memory_mask=mm, tgt_key_padding_mask=tkpm,
                                memory_key_padding_mask=mkpm)
        out = mine(x, memory, tgt_mask=tm, memory_mask=mm, tgt_key_padding_mask=tkpm, memory_key_padding_mask=mkpm)
        assert_close(out, expected, hint=hint,
                     what=f"DecoderLayer(6, 2, 8)(tgt, memory, all four masks), "
                          f"{'the second call with other masks of the same shapes' if seed == 135 else 'first call'}")


# ------------------------------------------------------------------ inputs

def test_non_contiguous_inputs_are_left_alone():
    mine, ref = encoder_pair(6, 3, 8, seed=53)
    x = non_contiguous(randn(2, 5, 6, seed=54))
    am, kpm = (non_contiguous(m) for m in attention_masks("bool kpm 2d", 2, 3, 5, 5, seed=55))
    with unchanged(x, am, kpm, names=["src", "src_mask", "src_key_padding_mask"]):
        out = mine(x, src_mask=am, src_key_padding_mask=kpm)
    with torch.no_grad():
        expected = call_ref(ref, x.contiguous(), src_mask=am.contiguous(), src_key_padding_mask=kpm.contiguous())
    assert_close(out, expected, what="EncoderLayer(6, 3, 8)(non-contiguous src and masks)")

    mine, ref = decoder_pair(6, 3, 8, norm_first=True, seed=56)
    memory = non_contiguous(randn(2, 4, 6, seed=57))
    tm, tkpm = (non_contiguous(m) for m in attention_masks("float kpm 2d", 2, 3, 5, 5, seed=58))
    mm, mkpm = (non_contiguous(m) for m in attention_masks("float kpm 2d", 2, 3, 5, 4, seed=59))
    tensors = [x, memory, tm, tkpm, mm, mkpm]
    with unchanged(*tensors, names=["tgt", "memory", "tgt_mask", "tgt_key_padding_mask", "memory_mask",
                                    "memory_key_padding_mask"]):
        out = mine(x, memory, tgt_mask=tm, memory_mask=mm, tgt_key_padding_mask=tkpm,
                   memory_key_padding_mask=mkpm)
    with torch.no_grad():
        expected = call_ref(ref, *(t.contiguous() for t in (x, memory)), tgt_mask=tm.contiguous(),
                            memory_mask=mm.contiguous(), tgt_key_padding_mask=tkpm.contiguous(),
                            memory_key_padding_mask=mkpm.contiguous())
    assert_close(out, expected, what="DecoderLayer(6, 3, 8, norm_first=True)(non-contiguous tgt, memory and masks)")

    torch.manual_seed(60)
    ff = FeedForward(6, 8)
    with unchanged(x, names=["x"]):
        out = ff(x)
    with torch.no_grad():
        expected = ff.linear2(F.relu(ff.linear1(x.contiguous())))
    assert_close(out, expected, what="FeedForward(6, 8)(non-contiguous x (2, 5, 6))",
                 hint=".view needs a contiguous tensor: nn.Linear takes any leading dims, so no flatten is "
                      "needed (or use .reshape)")


# ------------------------------------------------------------------ dropout at every place the contract names

def test_feed_forward_dropout_is_after_the_activation():
    """d_model 1, x = 1, hidden units h_i = 2**i * x, linear2 sums them: each output / 2 spells
    out, bit by bit, which hidden units the dropout kept. Dropout after linear2 keeps all or none;
    a dropout on the input x doubles or zeroes every h_i at once (outputs / 2 above 255)."""
    ff = FeedForward(1, 8, dropout=0.5)
    with torch.no_grad():
        ff.linear1.weight.copy_(2.0 ** torch.arange(8)[:, None])
        ff.linear1.bias.zero_()
        ff.linear2.weight.fill_(1.0)
        ff.linear2.bias.zero_()
    torch.manual_seed(0)
    out = ff.train()(torch.ones(400, 1)).detach().flatten() / 2  # 1 / (1 - p) = 2
    what = "FeedForward(1, 8, dropout=0.5).train()(x = 1) with linear1 giving h_i = 2**i and linear2 summing them"
    assert torch.equal(out, out.round()), (
        f"{what}: outputs are not 2 * (a sum of a subset of the h_i), e.g. {out[:4].tolist()}\n  hint: "
        f"dropout(p) zeroes each hidden activation and scales the kept ones by 1 / (1 - p); use nn.Dropout")
    assert bool((out <= 255).all()), (
        f"{what}: outputs / 2 reach {out.max().item():g}, above 2**8 - 1 = 255 (every hidden unit kept): "
        f"the input x itself was scaled by 1 / (1 - p)\n  hint: forward(x) = linear2(dropout(activation("
        f"linear1(x)))): one dropout, after the activation; none on ff's input")
    partial = ((out != 0) & (out != 255)).float().mean().item()
    assert partial > 0.8, (
        f"{what}: {1 - partial:.0%} of the rows kept all hidden units or none; dropout acts on the whole "
        f"output, not on each hidden unit\n  hint: forward(x) = linear2(dropout(activation(linear1(x)))): "
        f"the dropout sits inside, after the activation")


def dropout_parts(mine, call, x):
    """(d_train, d_eval): the sublayer's contribution out - x in train and in eval mode."""
    with torch.no_grad():
        e = call(mine.eval()) - x
        torch.manual_seed(1)
        d = call(mine.train()) - x
    mine.eval()
    return d, e


def check_output_dropout(d, e, what, where, post=False):
    """d = dropout(e) exactly: each element is 0 or e / (1 - p) with p = 0.5."""
    __tracebackhide__ = True
    zero = d == 0
    frac = zero.float().mean().item()
    wiring = (f"x = norm(x + dropout({where}(x))), never dropout(norm(...))" if post
              else f"x = x + dropout({where}(norm(x)))")
    assert 0.3 < frac < 0.7, (
        f"{what}: {frac:.0%} of the {where} output's elements were dropped in train() mode with "
        f"dropout=0.5, expected about half\n  hint: apply dropout (p = dropout) to {where}'s output "
        f"before adding it to the residual: {wiring}")
    assert_close(torch.where(zero, 0.0, d), torch.where(zero, 0.0, 2 * e),
                 what=f"{what}: the kept elements of dropout({where}(...))", atol=1e-5,
                 hint=f"only {where}'s output is dropped (and scaled by 1 / (1 - p)); the residual "
                      f"stream x itself is never dropped")


def post_ln_dropout_parts(mine, call, x, norms, k):
    """Post-LN: (d_train, d_eval), sublayer k's contribution to the stream, read through hooks
    as the input of norms[k] minus the stream entering that residual step (x, or norms[k - 1]'s
    output). The other sublayers are silenced, so that stream is the same in both modes."""
    rec, hooks = {}, []
    hooks.append(getattr(mine, norms[k]).register_forward_pre_hook(
        lambda m, args: rec.__setitem__("in", args[0].detach().clone())))
    if k:
        hooks.append(getattr(mine, norms[k - 1]).register_forward_hook(
            lambda m, args, out: rec.__setitem__("prev", out.detach().clone())))
    parts = []
    try:
        for train in (True, False):
            rec.clear()
            torch.manual_seed(1)
            with torch.no_grad():
                call(mine.train(train))
            if "in" not in rec or (k and "prev" not in rec):
                pytest.skip(f"the spec reads the post-LN sublayer outputs through hooks on {norms[k]}, "
                            f"which was not called as a module")
            parts.append(rec["in"] - (rec["prev"] if k else x))
    finally:
        for h in hooks:
            h.remove()
        mine.eval()
    return parts[0], parts[1]


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-LN", "post-LN"])
@pytest.mark.parametrize("where", ["sa", "ff"])
def test_encoder_dropout_on_each_sublayer_output(where, norm_first):
    mine, ref = encoder_pair(8, 2, 16, norm_first=norm_first, dropout=0.5, seed=63)
    silence(ref, "linear2" if where == "sa" else "self_attn.out_proj")
    load(mine, ref, f"EncoderLayer(8, 2, 16, dropout=0.5, norm_first={norm_first})", ENC_KEYS)
    x = randn(2, 20, 8, seed=64)
    if norm_first:
        d, e = dropout_parts(mine, lambda m: m(x), x)
    else:
        d, e = post_ln_dropout_parts(mine, lambda m: m(x), x, ("norm1", "norm2"), ["sa", "ff"].index(where))
    what = (f"EncoderLayer(8, 2, 16, dropout=0.5, norm_first={norm_first}).train()(src) with only {where} "
            f"active (the other sublayer silenced)" + ("" if norm_first else f", read at the input of "
            f"norm{['sa', 'ff'].index(where) + 1}"))
    if where == "sa":
        check_output_dropout(d, e, what, "sa", post=not norm_first)
    else:
        check_ff_dropout(d, e, what, post=not norm_first)


def check_ff_dropout(d, e, what, post=False):
    __tracebackhide__ = True
    zero = d == 0
    frac = zero.float().mean().item()
    wiring = "x = norm(x + dropout(ff(x)))" if post else "x = x + dropout(ff(norm(x)))"
    assert 0.3 < frac < 0.7, (
        f"{what}: {frac:.0%} of ff's output elements were dropped in train() mode with dropout=0.5, "
        f"expected about half\n  hint: {wiring}: ff's output has its own dropout before the residual "
        f"add (besides the one inside ff), and the stream itself is never dropped")
    same = ((d - 2 * e).abs() <= 1e-5 + 1e-4 * (2 * e).abs()) & ~zero
    frac_same = same.float().sum().item() / max(1, int((~zero).sum()))
    assert frac_same < 0.3, (
        f"{what}: the kept outputs are exactly 2 * ff(x) in {frac_same:.0%} of the elements: no "
        f"dropout inside ff\n  hint: ff(x) = linear2(dropout(relu(linear1(x)))), then another dropout "
        f"on ff's output before the residual add")


@pytest.mark.parametrize("norm_first", [True, False], ids=["pre-LN", "post-LN"])
@pytest.mark.parametrize("where", ["sa", "ca", "ff"])
def test_decoder_dropout_on_each_sublayer_output(where, norm_first):
    mine, ref = decoder_pair(8, 2, 16, norm_first=norm_first, dropout=0.5, seed=65)
    for name, prefix in (("sa", "self_attn.out_proj"), ("ca", "multihead_attn.out_proj"), ("ff", "linear2")):
        if name != where:
            silence(ref, prefix)
    load(mine, ref, f"DecoderLayer(8, 2, 16, dropout=0.5, norm_first={norm_first})", DEC_KEYS)
    x, memory = randn(2, 20, 8, seed=66), randn(2, 7, 8, seed=67)
    k = ["sa", "ca", "ff"].index(where)
    if norm_first:
        d, e = dropout_parts(mine, lambda m: m(x, memory), x)
    else:
        d, e = post_ln_dropout_parts(mine, lambda m: m(x, memory), x, ("norm1", "norm2", "norm3"), k)
    what = (f"DecoderLayer(8, 2, 16, dropout=0.5, norm_first={norm_first}).train()(tgt, memory) with only "
            f"{where} active (the other sublayers silenced)" + ("" if norm_first else f", read at the input "
            f"of norm{k + 1}"))
    if where == "ff":
        check_ff_dropout(d, e, what, post=not norm_first)
    else:
        check_output_dropout(d, e, what, where, post=not norm_first)


FF_INPUT = {  # the norm whose output is the feed-forward block's input
    ("EncoderLayer", True): "norm2", ("EncoderLayer", False): "norm1",
    ("DecoderLayer", True): "norm3", ("DecoderLayer", False): "norm2"}


@pytest.mark.parametrize("layer", ["EncoderLayer", "DecoderLayer"])
def test_dropout_never_acts_on_the_feed_forward_input(layer):
    """train() mode, dropout=0.5: linear1 reads the normalised stream exactly as the norm gave it
    (read through hooks: the norm's output, linear1's input)."""
    x, memory = randn(2, 5, 8, seed=96), randn(2, 3, 8, seed=97)
    for norm_first in (True, False):
        mine = (EncoderLayer if layer == "EncoderLayer" else DecoderLayer)(8, 2, 16, dropout=0.5,
                                                                          norm_first=norm_first)
        rec = {}
        norm = FF_INPUT[(layer, norm_first)]
        hooks = [getattr(mine, norm).register_forward_hook(
                     lambda m, args, out: rec.__setitem__("norm", out.detach().clone())),
                 mine.linear1.register_forward_pre_hook(
                     lambda m, args: rec.__setitem__("linear1", args[0].detach().clone()))]
        try:
            torch.manual_seed(2)
            with torch.no_grad():
                mine.train()(x) if layer == "EncoderLayer" else mine.train()(x, memory)
        finally:
            for h in hooks:
                h.remove()
        if "norm" not in rec or "linear1" not in rec:
            pytest.skip(f"the spec reads ff's input through hooks on {norm} and linear1, which were "
                        f"not called as modules")
        what = f"{layer}(8, 2, 16, dropout=0.5, norm_first={norm_first}).train()"
        assert torch.equal(rec["linear1"], rec["norm"]), (
            f"{what}: linear1's input differs from {norm}'s output (the feed-forward block's input): "
            f"{(rec['linear1'] == 0).float().mean().item():.0%} of its entries are 0\n  hint: "
            f"ff(x) = linear2(dropout(relu(linear1(x)))): the dropouts sit after the activation and on "
            f"ff's output, never on its input")


# ------------------------------------------------------------------ LayerNorm eps

@pytest.mark.parametrize("norm_first", [False, True])
def test_layer_norm_eps_is_torch_default(norm_first):
    """Inputs with variance ~1e-6: eps 1e-5 vs 1e-6 changes the normalised values by ~40%."""
    mine, ref = encoder_pair(6, 2, 8, norm_first=norm_first, seed=68)
    silence(ref, "self_attn.out_proj")
    load(mine, ref, "EncoderLayer(6, 2, 8)", ENC_KEYS)
    x = randn(2, 5, 6, seed=69) * 1e-3
    with torch.no_grad():
        expected = call_ref(ref, x)
    hint = "nn.LayerNorm(d_model) with its default eps=1e-5, as torch's layers use"
    assert_close(mine(x), expected, what=f"EncoderLayer(6, 2, 8, norm_first={norm_first})(src of "
                 f"scale 1e-3) with self-attention silenced", hint=hint)
    mine, ref = decoder_pair(6, 2, 8, norm_first=norm_first, seed=70)
    silence(ref, "self_attn.out_proj")
    silence(ref, "multihead_attn.out_proj")
    load(mine, ref, "DecoderLayer(6, 2, 8)", DEC_KEYS)
    memory = randn(2, 3, 6, seed=71)
    with torch.no_grad():
        expected = call_ref(ref, x, memory)
    assert_close(mine(x, memory), expected, what=f"DecoderLayer(6, 2, 8, norm_first={norm_first})(tgt "
                 f"of scale 1e-3, memory) with both attentions silenced", hint=hint)


# ------------------------------------------------------------------ device

def test_causal_masks_are_built_on_the_input_device():
    """The meta device stands in for a GPU: a mask made on the default device (no device=)
    meets meta tensors and fails. Probed first on the CPU with the default device set to meta
    (cheap); only a clash there is judged on the meta device."""
    hint = ("build the causal mask on the input's device: torch.ones(T, S, dtype=torch.bool, "
            "device=x.device).triu(1)")
    enc, dec = EncoderLayer(8, 2, 16).eval(), DecoderLayer(8, 2, 16).eval()
    x, memory = randn(2, 5, 8, seed=90), randn(2, 3, 8, seed=91)
    assert_on_input_device(torch.no_grad()(lambda: enc(x, is_causal=True)),
                           lambda: EncoderLayer(8, 2, 16).to("meta")(x.to("meta"), is_causal=True),
                           what="EncoderLayer(8, 2, 16) on the meta device with is_causal=True", hint=hint)
    assert_on_input_device(
        torch.no_grad()(lambda: dec(x, memory, tgt_is_causal=True, memory_is_causal=True)),
        lambda: DecoderLayer(8, 2, 16).to("meta")(x.to("meta"), memory.to("meta"), tgt_is_causal=True,
                                                  memory_is_causal=True),
        what="DecoderLayer(8, 2, 16) on the meta device with tgt_is_causal=True, memory_is_causal=True", hint=hint)
    # the same layers again on meta after their CPU calls: a mask kept between calls (on the layer, or in a
    # module-level dict keyed by (T, S) only) is still on the CPU there, which the probe above cannot see
    with torch.no_grad():
        for what, call in (("EncoderLayer", lambda: enc.to("meta")(x.to("meta"), is_causal=True)),
                           ("DecoderLayer", lambda: dec.to("meta")(x.to("meta"), memory.to("meta"),
                                                                   tgt_is_causal=True, memory_is_causal=True))):
            assert_kept_state_follows_the_device(
                call, EncoderLayer, enc, dec,
                what=f"{what}(8, 2, 16) called on the CPU with causal flags, then moved with .to('meta') and "
                     "called again (same T, S)",
                hint="do not keep the causal mask between calls (on the layer or in a module-level cache keyed "
                     "by (T, S) only): it stays on the CPU when the inputs move; build it on x.device at every call")


def test_causal_flags_under_a_float64_default_dtype():
    """float32 layers under torch.set_default_dtype(torch.float64): a causal mask built as a float
    tensor without dtype= (torch.full((T, S), -inf).triu(1)) is float64 there, and the float32
    layer's scores are promoted (or the matmul with float32 values fails)."""
    hint = ("build the causal mask as bool (torch.ones(T, S, dtype=torch.bool, device=x.device).triu(1)) "
            "or with dtype=x.dtype: a float tensor made without dtype= follows torch.get_default_dtype()")
    enc, enc_ref = encoder_pair(6, 2, 8, seed=92)
    dec, dec_ref = decoder_pair(6, 2, 8, seed=93)
    x, memory = randn(2, 4, 6, seed=94), randn(2, 3, 6, seed=95)
    with torch.no_grad():
        expected_enc = call_ref(enc_ref, x, src_mask=torch.ones(4, 4, dtype=torch.bool).triu(1))
        expected_dec = call_ref(dec_ref, x, memory, tgt_mask=torch.ones(4, 4, dtype=torch.bool).triu(1),
                                memory_mask=torch.ones(4, 3, dtype=torch.bool).triu(1))
    try:
        with default_dtype(torch.float64), torch.no_grad():
            out_enc = enc(x, is_causal=True)
            out_dec = dec(x, memory, tgt_is_causal=True, memory_is_causal=True)
    except RuntimeError as err:
        if "type" not in str(err).lower():
            raise
        raise SpecFailure(f"float32 EncoderLayer / DecoderLayer with the causal flags under "
                          f"torch.set_default_dtype(torch.float64) failed: {str(err).splitlines()[0]}"
                          f"\n  hint: {hint}") from None
    assert_close(out_enc, expected_enc, what="float32 EncoderLayer(6, 2, 8)(src (2, 4, 6), is_causal=True) "
                 "under torch.set_default_dtype(torch.float64)", hint=hint)
    assert_close(out_dec, expected_dec, what="float32 DecoderLayer(6, 2, 8)(tgt (2, 4, 6), memory (2, 3, 6), "
                 "tgt_is_causal=True, memory_is_causal=True) under torch.set_default_dtype(torch.float64)",
                 hint=hint)


def test_causal_flags_after_a_float64_call_of_the_same_sizes():
    """A causal mask kept between calls as a float bias in the first call's dtype (a module-level
    dict keyed by (T, S, device)) is float64 after float64 layers: a float32 layer of the same
    sizes then gets its scores promoted (or its matmul with float32 values fails)."""
    hint = ("build the causal mask at every call, as bool (or with dtype=x.dtype), or put the dtype in the "
            "cache key: a float mask kept from a float64 call promotes a later float32 call's scores")
    T, S = 13, 17  # sizes no other spec uses: the float64 call below comes first
    for dtype in (torch.float64, torch.float32):
        enc, enc_ref = encoder_pair(6, 2, 8, seed=96, dtype=dtype)
        dec, dec_ref = decoder_pair(6, 2, 8, seed=97, dtype=dtype)
        x, memory = randn(2, T, 6, seed=98, dtype=dtype), randn(2, S, 6, seed=99, dtype=dtype)
        try:
            with torch.no_grad():
                out_enc = enc(x, is_causal=True)
                out_dec = dec(x, memory, tgt_is_causal=True, memory_is_causal=True)
        except RuntimeError as err:
            if "type" not in str(err).lower():
                raise
            raise SpecFailure(f"{dtype} EncoderLayer / DecoderLayer with the causal flags, after float64 layers "
                              f"of the same sizes, failed: {str(err).splitlines()[0]}\n  hint: {hint}") from None
        with torch.no_grad():
            expected_enc = call_ref(enc_ref, x, src_mask=torch.ones(T, T, dtype=torch.bool).triu(1))
            expected_dec = call_ref(dec_ref, x, memory, tgt_mask=torch.ones(T, T, dtype=torch.bool).triu(1),
                                    memory_mask=torch.ones(T, S, dtype=torch.bool).triu(1))
        assert_close(out_enc, expected_enc, what=f"{dtype} EncoderLayer(6, 2, 8)(src (2, {T}, 6), is_causal=True)"
                     " after a float64 call of the same sizes", hint=hint)
        assert_close(out_dec, expected_dec, what=f"{dtype} DecoderLayer(6, 2, 8)(tgt (2, {T}, 6), memory (2, {S}, "
                     f"6), tgt_is_causal=True, memory_is_causal=True) after a float64 call of the same sizes",
                     hint=hint)
