"""Specs for katas/transformer/encoder_decoder.py (day 21): Transformer and greedy_decode.

Transformer loads nn.Transformer(batch_first=True)'s state_dict (random weights, biases and
LayerNorm affines) and must match it, whole and through encode/decode, in eval mode.
greedy_decode is checked against a step-by-step argmax loop written here, run one row at a time
on nn.Transformer with the same weights (embeddings and output head supplied by the specs).
Tolerances: rtol 1e-4, atol 1e-4 for float32 values through several layers, atol 1e-4 for
gradients; float64 defaults for float64. Greedy cases whose top-2 logits come within 1e-3 of
each other anywhere are skipped (a different but correct summation order could flip them).

Contract -> specs:
- state_dict keys incl. both final norms, every weight an nn.Parameter (no buffers), no
  built-ins: test_state_dict_*, test_written_from_scratch
- encode / decode / forward vs torch (layers in order, same memory, masks, float64, grads):
  test_encode_*, test_decode_*, test_forward_*, test_gradients_*, test_non_contiguous_*
- defaults dropout=0.0, norm_first=False; dropout reaching every layer: test_transformer_defaults,
  test_dropout_reaches_every_layer
- dropout inside the layers only, final norms last also in train(): test_train_mode_outputs_come_from_the_final_norms
- the prefix given to model.decode is an int64 (B, T) tensor: Seq2Seq.decode checks it in every greedy spec
- greedy: causal prefix, argmax at the last position: test_greedy_decode_matches_*, *_sees_only_the_past
- eos kept, finished rows padded, early stop, max_len (incl. 1): test_greedy_decode_pads_*, *_stops_*,
  *_runs_to_max_len, *_max_len_one_*, *_random_settings
- "stop as soon as every row is finished": no decode call after the last row's eos (not
  max_len - 1 steps then trimmed): test_greedy_decode_stops_when_every_row_is_done
- bos_id == eos_id does not finish a row: test_greedy_decode_bos_equal_to_eos
- encode once: test_greedy_decode_encodes_once; masks passed by keyword (the spec model's are
  keyword-only): every greedy spec
- greedy output "on src's device" (prefix, causal mask, flags built on src.device; meta probe; the
  spec model passes tgt_is_causal=False so that later steps run on meta too; max_len 5 and 1):
  test_greedy_decode_builds_its_tensors_on_src_device
- src_key_padding_mask to encode AND decode: test_greedy_decode_with_source_padding,
  test_greedy_decode_passes_padding_to_both_encode_and_decode
- the documented positional order of forward / encode / decode: test_positional_arguments_*
- forward applies only the masks it is given (no causal mask added, src_key_padding_mask never
  standing in for memory_key_padding_mask or the reverse): test_forward_matches_torch (no masks),
  test_forward_gives_each_padding_mask_to_its_own_attention
- greedy: no length cap (max_len 200, mask checked at each step; no slice of a mask table):
  test_greedy_decode_has_no_length_cap; Seq2Seq.decode refuses a tgt_mask on another device than tgt
- greedy: max_len counts bos (max_len=1 -> bos only, no extra step): *_max_len_one_*, *_runs_to_max_len;
  stop only when EVERY row is finished: *_pads_*, *_stops_*; causal mask = triu(1), not triu():
  *_sees_only_the_past, *_matches_*
- greedy without gradients (decision), its result an ordinary tensor (not inference_mode's):
  test_greedy_decode_runs_without_gradients
- greedy leaves train/eval mode alone, both directions, also while decoding (decision):
  test_greedy_decode_leaves_the_mode_alone[train|eval]
"""


import copy

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from hypothesis import assume, given, strategies as st

from harness.checks import (SpecFailure, mha_slow_path, assert_close, assert_on_input_device,
                            assert_parameters_like, forbid, non_contiguous, unchanged)
from katas.transformer.encoder_decoder import Transformer, greedy_decode

# nn.Transformer warns that it cannot use nested tensors for some settings: not the learner's concern.
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")

SEEDS = st.integers(0, 2**31 - 1)
INF = float("inf")
TOL = dict(rtol=1e-4, atol=1e-4)

FORBIDDEN = (F.multi_head_attention_forward,)
FORBIDDEN_ATEN = {
    "_transformer_encoder_layer_fwd": "nn.TransformerEncoderLayer's fused kernel",
    "_native_multi_head_attention": "nn.MultiheadAttention's fused kernel",
}
BUILTINS = (nn.Transformer, nn.TransformerEncoder, nn.TransformerDecoder,
            nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, nn.MultiheadAttention)

KEYS = ("self.encoder with .layers (nn.ModuleList of your EncoderLayer) and .norm "
        "(nn.LayerNorm(d_model)); self.decoder likewise with DecoderLayer; nothing else")
HINT_ENCODE = ("encode: run src through encoder.layers[0], [1], ... in order, each with src_mask "
               "and src_key_padding_mask, then apply encoder.norm (also when norm_first=False)")
HINT_DECODE = ("decode: run tgt through decoder.layers in order; EVERY layer gets the same memory "
               "(the encoder's output) as its cross-attention keys and values, never the decoder's "
               "own stream; then decoder.norm")
HINT_FORWARD = "forward(src, tgt, ...) = decode(tgt, encode(src, src_mask, src_key_padding_mask), ...)"
HINT_MASKS = ("hand each mask to the right place: src_mask/src_key_padding_mask to the encoder "
              "layers, tgt_mask/tgt_key_padding_mask to the decoder's self-attention, "
              "memory_mask/memory_key_padding_mask to its cross-attention")
HINT_GREEDY = ("encode once; then repeat: logits = model.decode(ys, memory, tgt_mask=<causal (T, T) "
               "mask: True above the diagonal>, memory_key_padding_mask=src_key_padding_mask); "
               "append logits[:, -1].argmax(-1). Without the causal mask earlier positions see "
               "later tokens and the logits change")
HINT_CAUSAL = ("decode the prefix with a CAUSAL tgt_mask, as in training: without it, earlier "
               "positions see later tokens, and with more than one decoder layer that changes the "
               "last position's logits. Mask convention: bool True = hidden, i.e. "
               "torch.ones(T, T, dtype=torch.bool).triu(1)")
HINT_EOS = ("a row is finished once it produced eos_id (kept in the output); later positions of "
            "a finished row are eos_id; stop when every row is finished or rows are max_len long "
            "(bos included)")


# ------------------------------------------------------------------ helpers

def randomize(module, seed, scale=1.2):
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in module.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=p.dtype)
            if p.dim() == 2:
                p.copy_(noise * scale / p.shape[1] ** 0.5)
            elif "norm" in name and name.endswith("weight"):
                p.copy_(1 + 0.3 * noise)
            else:
                p.copy_(0.3 * noise)
    return module


def reference(d, h, ne, nd, ff, *, norm_first=False, seed=0, dtype=torch.float32, scale=1.2):
    ref = nn.Transformer(d, h, ne, nd, ff, dropout=0.0, batch_first=True, norm_first=norm_first)
    return randomize(ref.to(dtype), seed, scale).eval()


def load(mine, ref, what):
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as err:
        raise SpecFailure(f"{what}.load_state_dict(nn.Transformer's state_dict) failed: "
                          f"{str(err).splitlines()[0][:300]}\n  hint: {KEYS}") from None
    return mine.eval()


def pair(d, h, ne, nd, ff, *, norm_first=False, seed=0, dtype=torch.float32):
    ref = reference(d, h, ne, nd, ff, norm_first=norm_first, seed=seed, dtype=dtype)
    mine = Transformer(d, h, ne, nd, ff, norm_first=norm_first).to(dtype)
    return load(mine, ref, f"Transformer({d}, {h}, {ne}, {nd}, {ff}, norm_first={norm_first})"), ref


def randn(*shape, seed, dtype=torch.float32):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def padding(B, S, seed):
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(1, S + 1, (B,), generator=gen)
    return torch.arange(S)[None, :] >= lengths[:, None], int(lengths.min())


def hidden(shape, seed, keep_below):
    gen = torch.Generator().manual_seed(seed)
    mask = torch.rand(shape, generator=gen) < 0.5
    keep = (torch.rand(shape[:-1], generator=gen) * keep_below).long()
    return mask & ~F.one_hot(keep, shape[-1]).bool()


def causal(T, dtype=torch.bool):
    mask = torch.ones(T, T, dtype=torch.bool).triu(1)
    return mask if dtype == torch.bool else torch.zeros(T, T, dtype=dtype).masked_fill(mask, -INF)


def all_masks(kind, B, S, T, seed, dtype=torch.float32):
    """The eight mask arguments for one kind: 'none', 'causal', 'bool' (every mask, bool) or
    'float' (every mask, float). No query row ever has all its keys hidden."""
    out = {}
    if kind == "none":
        return out
    if kind == "causal":
        return {"tgt_mask": causal(T)}
    skpm, smin = padding(B, S, seed)
    tkpm, tmin = padding(B, T, seed + 1)
    out = {"src_key_padding_mask": skpm, "tgt_key_padding_mask": tkpm,
           "memory_key_padding_mask": skpm,
           "src_mask": hidden((S, S), seed + 2, smin), "memory_mask": hidden((T, S), seed + 3, smin),
           "tgt_mask": causal(T) & ~F.one_hot(torch.zeros(T, dtype=torch.long), T).bool()}
    if kind == "float":
        gen = torch.Generator().manual_seed(seed + 4)
        out = {n: torch.randn(m.shape, generator=gen, dtype=dtype).masked_fill(m, -INF)
               for n, m in out.items()}
    return out


def shown(masks):
    return "".join(f", {n}={'bool' if m.dtype == torch.bool else 'float'} {tuple(m.shape)}"
                   for n, m in masks.items())


def check_forward(d, h, ne, nd, ff, B, S, T, *, seed, kind="none", norm_first=False,
                  dtype=torch.float32, tol=TOL):
    __tracebackhide__ = True
    mine, ref = pair(d, h, ne, nd, ff, norm_first=norm_first, seed=seed, dtype=dtype)
    src, tgt = randn(B, S, d, seed=seed + 1, dtype=dtype), randn(B, T, d, seed=seed + 2, dtype=dtype)
    masks = all_masks(kind, B, S, T, seed + 3, dtype)
    out = mine(src, tgt, **masks)
    with torch.no_grad(), mha_slow_path():
        expected = ref(src, tgt, **masks)
    assert_close(out, expected, what=f"Transformer({d}, {h}, {ne}, {nd}, {ff}, norm_first={norm_first})"
                 f"(src {tuple(src.shape)}, tgt {tuple(tgt.shape)}{shown(masks)})", **tol,
                 hint="; ".join([HINT_FORWARD, HINT_ENCODE, HINT_DECODE] + ([HINT_MASKS] if masks else [])))


# ------------------------------------------------------------------ structure

@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("d,h,ne,nd,ff", [(8, 2, 1, 1, 16), (6, 3, 2, 3, 5), (4, 1, 3, 1, 1)])
def test_state_dict_matches_nn_transformer(d, h, ne, nd, ff, norm_first):
    mine = Transformer(d, h, ne, nd, ff, norm_first=norm_first)
    ref = nn.Transformer(d, h, ne, nd, ff, batch_first=True, norm_first=norm_first)
    got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    assert got == expected, (
        f"Transformer({d}, {h}, {ne}, {nd}, {ff}, norm_first={norm_first}).state_dict() differs from "
        f"nn.Transformer's:\n  missing {sorted(set(expected) - set(got))[:8]}, unexpected "
        f"{sorted(set(got) - set(expected))[:8]}\n  hint: {KEYS}")
    assert_parameters_like(mine, ref, what=f"Transformer({d}, {h}, {ne}, {nd}, {ff}, norm_first={norm_first})")


def test_written_from_scratch():
    mine = Transformer(8, 2, 2, 2, 16)
    builtin = [f"{name or 'the model itself'} ({type(m).__name__})" for name, m in mine.named_modules()
               if isinstance(m, BUILTINS)]
    assert not builtin, (f"Transformer is or holds torch's built-in {builtin}; this kata asks you to "
                         f"stack your own EncoderLayer and DecoderLayer")
    src, tgt = randn(2, 5, 8, seed=1), randn(2, 4, 8, seed=2)
    masks = all_masks("bool", 2, 5, 4, seed=3)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN), torch.no_grad():
        mine.eval()(src, tgt, **masks)


# ------------------------------------------------------------------ encode and decode

@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("ne", [1, 3])
def test_encode_matches_torch_encoder(ne, norm_first):
    mine, ref = pair(8, 2, ne, 1, 12, norm_first=norm_first, seed=4)
    src = randn(3, 6, 8, seed=5)
    skpm, smin = padding(3, 6, seed=6)
    src_mask = hidden((6, 6), 7, smin)
    memory = mine.encode(src, src_mask=src_mask, src_key_padding_mask=skpm)
    with torch.no_grad(), mha_slow_path():
        expected = ref.encoder(src, mask=src_mask, src_key_padding_mask=skpm)
    assert_close(memory, expected, what=f"Transformer(8, 2, {ne}, 1, 12, norm_first={norm_first}).encode("
                 "src (3, 6, 8), src_mask bool (6, 6), src_key_padding_mask bool (3, 6))", **TOL,
                 hint=HINT_ENCODE)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("nd", [1, 3])
def test_decode_matches_torch_decoder(nd, norm_first):
    """decode is given a memory directly: every decoder layer must attend to it."""
    mine, ref = pair(8, 2, 1, nd, 12, norm_first=norm_first, seed=8)
    tgt, memory = randn(2, 5, 8, seed=9), randn(2, 7, 8, seed=10)
    mkpm, _ = padding(2, 7, seed=11)
    out = mine.decode(tgt, memory, tgt_mask=causal(5), memory_key_padding_mask=mkpm)
    with torch.no_grad(), mha_slow_path():
        expected = ref.decoder(tgt, memory, tgt_mask=causal(5), memory_key_padding_mask=mkpm)
    assert_close(out, expected, what=f"Transformer(8, 2, 1, {nd}, 12, norm_first={norm_first}).decode("
                 "tgt (2, 5, 8), memory (2, 7, 8), tgt_mask causal, memory_key_padding_mask (2, 7))", **TOL,
                 hint=HINT_DECODE)


def test_decode_uses_the_tgt_mask():
    """Changing a later target position must not change earlier outputs under a causal tgt_mask."""
    mine, _ = pair(8, 2, 1, 2, 12, seed=12)
    tgt, memory = randn(1, 5, 8, seed=13), randn(1, 4, 8, seed=14)
    changed = tgt.clone()
    changed[:, -1] += 3.0
    out = mine.decode(tgt, memory, tgt_mask=causal(5))
    out_changed = mine.decode(changed, memory, tgt_mask=causal(5))
    assert_close(out_changed[:, :-1], out[:, :-1],
                 what="Transformer(8, 2, 1, 2, 12).decode(tgt, memory, tgt_mask=causal)[:, :-1] after "
                 "changing tgt's last position", **TOL,
                 hint="hand tgt_mask to every decoder layer's self-attention: with a causal mask, "
                      "position i never sees positions j > i")


# ------------------------------------------------------------------ forward vs nn.Transformer

@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("d,h,ne,nd,ff,B,S,T", [(8, 2, 2, 2, 16, 2, 5, 4), (6, 3, 1, 3, 7, 3, 1, 6),
                                                 (4, 1, 3, 1, 5, 1, 7, 1), (10, 5, 2, 2, 13, 2, 11, 3)])
def test_forward_matches_torch(d, h, ne, nd, ff, B, S, T, norm_first):
    check_forward(d, h, ne, nd, ff, B, S, T, seed=15, norm_first=norm_first)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("kind", ["causal", "bool", "float"])
def test_forward_with_masks_matches_torch(kind, norm_first):
    check_forward(8, 2, 2, 2, 12, 3, 6, 5, seed=16, kind=kind, norm_first=norm_first)


def test_forward_float64():
    check_forward(6, 2, 2, 2, 9, 2, 5, 4, seed=17, kind="float", dtype=torch.float64, tol={})
    check_forward(6, 3, 1, 2, 9, 2, 4, 5, seed=18, kind="bool", norm_first=True, dtype=torch.float64, tol={})



def key_padding(lengths, S):
    return torch.arange(S)[None, :] >= torch.tensor(lengths)[:, None]


@pytest.mark.parametrize("given", ["src only", "memory only", "both, different"])
def test_forward_gives_each_padding_mask_to_its_own_attention(given):
    """forward applies only the masks it is given: src_key_padding_mask reaches the encoder's
    self-attention only, memory_key_padding_mask the decoder's cross-attention only; neither
    stands in for the other when it is None (nn.Transformer does not reuse one as the other)."""
    mine, ref = pair(8, 2, 1, 2, 12, seed=68)
    src, tgt = randn(3, 7, 8, seed=69), randn(3, 4, 8, seed=70)
    heavy, other = key_padding([2, 3, 6], 7), key_padding([5, 1, 4], 7)  # every row keeps a key
    masks = {"src only": {"src_key_padding_mask": heavy},
             "memory only": {"memory_key_padding_mask": heavy},
             "both, different": {"src_key_padding_mask": heavy, "memory_key_padding_mask": other}}[given]
    out = mine(src, tgt, **masks)
    with torch.no_grad(), mha_slow_path():
        expected = ref(src, tgt, **masks)
    assert_close(out, expected, **TOL, what=f"Transformer(8, 2, 1, 2, 12)(src (3, 7, 8), tgt (3, 4, 8){shown(masks)})",
                 hint="hand src_key_padding_mask to the encoder layers only and memory_key_padding_mask "
                      "to the decoder layers' cross-attention only, each exactly as given (None stays "
                      "None): nn.Transformer never reuses the source padding for memory, the caller "
                      "passes memory_key_padding_mask itself")

@st.composite
def transformer_settings(draw):
    h, hd = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (h * hd, h, draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 8)),
            draw(st.integers(1, 3)), draw(st.integers(1, 6)), draw(st.integers(1, 6)),
            draw(st.booleans()), draw(st.sampled_from(["none", "causal", "bool", "float"])))


@given(case=transformer_settings(), seed=SEEDS)
def test_forward_on_random_settings(case, seed):
    d, h, ne, nd, ff, B, S, T, norm_first, kind = case
    check_forward(d, h, ne, nd, ff, B, S, T, seed=seed % 100_000, kind=kind, norm_first=norm_first)


@pytest.mark.parametrize("norm_first", [False, True])
def test_gradients_match_torch(norm_first):
    mine, ref = pair(6, 2, 2, 2, 10, norm_first=norm_first, seed=19)
    src0, tgt0 = randn(2, 5, 6, seed=20), randn(2, 4, 6, seed=21)
    masks = all_masks("bool", 2, 5, 4, seed=22)
    g = randn(2, 4, 6, seed=23)

    def run(module):
        src, tgt = src0.clone().requires_grad_(), tgt0.clone().requires_grad_()
        loss = (module(src, tgt, **masks) * g).sum()
        names = [n for n, _ in module.named_parameters()]
        grads = torch.autograd.grad(loss, [src, tgt] + [p for _, p in module.named_parameters()],
                                    allow_unused=True)
        return dict(zip(["src", "tgt"] + names, grads))

    got = run(mine)
    with mha_slow_path():
        expected = run(ref)
    what = f"gradient of Transformer(6, 2, 2, 2, 10, norm_first={norm_first})(src, tgt, bool masks)"
    for name, exp in expected.items():
        if got.get(name) is None:
            raise SpecFailure(f"{what}: no gradient reached {name}; is every layer and norm used?")
        assert_close(got[name], exp, what=f"{what} w.r.t. {name}", atol=1e-4,
                     hint="the forward must match nn.Transformer's; use differentiable ops")


def test_non_contiguous_inputs_are_left_alone():
    mine, ref = pair(6, 3, 1, 2, 8, seed=24)
    src, tgt = non_contiguous(randn(2, 5, 6, seed=25)), non_contiguous(randn(2, 4, 6, seed=26))
    masks = {n: non_contiguous(m) for n, m in all_masks("float", 2, 5, 4, seed=27).items()}
    with unchanged(src, tgt, *masks.values(), names=["src", "tgt", *masks]):
        out = mine(src, tgt, **masks)
    with torch.no_grad(), mha_slow_path():
        expected = ref(src.contiguous(), tgt.contiguous(), **{n: m.contiguous() for n, m in masks.items()})
    assert_close(out, expected, what="Transformer(6, 3, 1, 2, 8)(non-contiguous src, tgt and masks)", **TOL)


# ------------------------------------------------------------------ greedy decoding

VOCAB, BOS = 11, 1


class Seq2Seq(nn.Module):
    """Token ids -> logits around a core transformer (nn.Transformer or the learner's): the
    model interface greedy_decode is given (encode / decode with keyword masks)."""

    def __init__(self, core, d, seed, max_pos=16):
        super().__init__()
        self.core = core
        self.src_emb, self.tgt_emb = nn.Embedding(VOCAB, d), nn.Embedding(VOCAB, d)
        self.pos = nn.Embedding(max_pos, d)
        self.encode_calls = 0
        self.seen = []  # (torch.is_grad_enabled(), self.training) at every encode / decode call
        self.prefix_lengths = []  # tgt.shape[1] at every decode call
        self.head = nn.Linear(d, VOCAB)
        gen = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for p in (self.src_emb.weight, self.tgt_emb.weight, self.pos.weight):
                p.copy_(torch.randn(p.shape, generator=gen))
            self.head.weight.copy_(torch.randn(VOCAB, d, generator=gen) * 2 / d**0.5)
            self.head.bias.zero_()
        self.eval()

    def embed(self, table, ids):
        return table(ids) + self.pos(torch.arange(ids.shape[1], device=ids.device))

    # masks are keyword-only: the contract says greedy_decode names them (a positional mask
    # lands on another parameter of a model whose signature differs, e.g. memory_mask)
    def encode(self, src, *, src_key_padding_mask=None):
        self.encode_calls += 1
        self.seen.append((torch.is_grad_enabled(), self.training))
        x = self.embed(self.src_emb, src)
        if isinstance(self.core, nn.Transformer):
            with mha_slow_path():
                return self.core.encoder(x, src_key_padding_mask=src_key_padding_mask)
        return self.core.encode(x, src_key_padding_mask=src_key_padding_mask)

    def decode(self, tgt, memory, *, tgt_mask=None, memory_key_padding_mask=None):
        self.seen.append((torch.is_grad_enabled(), self.training))
        if not isinstance(tgt, torch.Tensor) or tgt.dtype != torch.int64 or tgt.dim() != 2:
            got = (f"a {tgt.dtype} tensor of shape {tuple(tgt.shape)}" if isinstance(tgt, torch.Tensor)
                   else f"a {type(tgt).__name__}")
            raise SpecFailure(
                f"greedy_decode called model.decode(tgt, memory, ...) with tgt = {got}; the model's "
                f"interface takes the target prefix as a (B, T) int64 tensor of token ids\n  hint: "
                f"keep the prefix int64 (torch.full((B, 1), bos_id, dtype=torch.long, device=src.device), "
                f"argmax returns int64): models index tables or call F.one_hot with it, which need int64")
        self.prefix_lengths.append(tgt.shape[1])
        if tgt_mask is not None and tgt_mask.device != tgt.device:
            raise SpecFailure(
                f"greedy_decode called model.decode with a tgt_mask on {tgt_mask.device} for a prefix on "
                f"{tgt.device} (T = {tgt.shape[1]})\n  hint: a causal mask kept from an earlier call (a "
                f"module-level dict or cache keyed by T) stays on the device of that call; build it at each "
                f"step with device=src.device")
        y = self.embed(self.tgt_emb, tgt)
        if isinstance(self.core, nn.Transformer):
            with mha_slow_path():
                # tgt_is_causal=False: the mask is used as given, and torch does not read its
                # values to detect causality (which cannot run on the meta device: the device
                # spec could judge no step after the first)
                h = self.core.decoder(y, memory, tgt_mask=tgt_mask, tgt_is_causal=False,
                                      memory_key_padding_mask=memory_key_padding_mask)
        else:
            h = self.core.decode(y, memory, tgt_mask=tgt_mask, memory_key_padding_mask=memory_key_padding_mask)
        return self.head(h)


def seq2seq(seed, *, d=16, h=2, ne=2, nd=2, norm_first=True, learner=False):
    """Random weights (larger than the default init, so that greedy outputs vary with the input)."""
    ref = reference(d, h, ne, nd, 2 * d, norm_first=norm_first, seed=seed, scale=2.0)
    if learner:
        mine = Transformer(d, h, ne, nd, 2 * d, norm_first=norm_first)
        return Seq2Seq(load(mine, ref, f"Transformer({d}, {h}, {ne}, {nd}, {2 * d})"), d, seed + 1)
    return Seq2Seq(ref, d, seed + 1)


def source(B, S, seed):
    return torch.randint(0, VOCAB, (B, S), generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def rollout(model, src, steps, src_key_padding_mask=None):
    """The reference: one row at a time, `steps` greedy steps (decode the prefix with a causal
    mask, argmax at the last position), no stopping. Returns (rows of token lists, per row the
    top-2 logit margins of each step)."""
    rows, margins = [], []
    with mha_slow_path():
        for b in range(src.shape[0]):
            kpm = None if src_key_padding_mask is None else src_key_padding_mask[b:b + 1]
            memory = model.encode(src[b:b + 1], src_key_padding_mask=kpm)
            ys, row_margins = [BOS], []
            for _ in range(steps):
                logits = model.decode(torch.tensor([ys]), memory, tgt_mask=causal(len(ys), torch.float32),
                                      memory_key_padding_mask=kpm)[0, -1]
                top = logits.topk(2).values
                row_margins.append(float(top[0] - top[1]))
                ys.append(int(logits.argmax()))
            rows.append(ys)
            margins.append(row_margins)
    return rows, margins


def first_eos(row, eos, max_len):
    """Length of `row` up to and including its first eos after bos (max_len if none)."""
    return row.index(eos, 1) + 1 if eos in row[1:max_len] else max_len


def expected_tokens(rows, margins, eos, max_len):
    """Each row cut after its first eos, padded with eos to the longest; and the smallest top-2
    margin over the steps that decide the output."""
    ends = [first_eos(r, eos, max_len) for r in rows]
    width = max(ends)
    tokens = torch.tensor([r[:e] + [eos] * (width - e) for r, e in zip(rows, ends)])
    margin = min([INF] + [x for m, e in zip(margins, ends) for x in m[:e - 1]])
    return tokens, margin, ends


def pick_eos(rows, max_len, *, everywhere=False):
    """An eos id (not BOS) at which the rows stop at as many different times as possible
    (with everywhere=True: one that every row produces)."""
    best, best_score = None, -1
    for tok in range(VOCAB):
        if tok == BOS:
            continue
        ends = [first_eos(r, tok, max_len) for r in rows]
        if everywhere and any(tok not in r[1:max_len] for r in rows):
            continue
        score = len(set(ends))
        if score > best_score:
            best, best_score = tok, score
    return best


def call(what, model, src, eos, max_len, kpm=None, **kwargs):
    args = f"model, src {tuple(src.shape)}, bos_id={BOS}, eos_id={eos}, max_len={max_len}"
    return greedy_decode(model, src, BOS, eos, max_len, **({} if kpm is None else {"src_key_padding_mask": kpm})), \
        f"greedy_decode({args}{', src_key_padding_mask' if kpm is not None else ''}){what}"


def check_greedy(model, src, max_len, *, eos=None, kpm=None, hint=HINT_GREEDY, what="",
                 reference_model=None, tie=None):
    """greedy_decode equals the reference rollout; `tie` handles near ties (hypothesis: assume)."""
    __tracebackhide__ = True
    rows, margins = rollout(reference_model or model, src, max_len - 1, kpm)
    eos = pick_eos(rows, max_len) if eos is None else eos
    expected, margin, ends = expected_tokens(rows, margins, eos, max_len)
    if tie is not None:
        tie(margin > 1e-3)
    else:
        assert margin > 1e-3, "spec data: a near tie in the reference rollout; choose another seed"
    got, shown_call = call(what, model, src, eos, max_len, kpm)
    assert_close(got, expected, what=f"{shown_call} (expected rows of {ends} tokens up to eos)",
                 hint=hint if hint.startswith(HINT_EOS) else (diagnose(got, expected, ends) or hint))
    return ends


def diagnose(got, expected, ends):
    """HINT_EOS when the generated tokens are right and only the stopping or padding is wrong."""
    if not isinstance(got, torch.Tensor) or got.dim() != 2 or got.shape[0] != expected.shape[0]:
        return None
    width = min(got.shape[1], expected.shape[1])
    decided = torch.arange(width)[None, :] < torch.tensor(ends)[:, None]
    same = (got[:, :width].long() == expected[:, :width]) | ~decided
    if bool(same.all()):
        return HINT_EOS
    return None


def test_greedy_decode_matches_step_by_step_argmax():
    ends = check_greedy(seq2seq(seed=30), source(4, 6, seed=31), max_len=9)
    assert len(set(ends)) > 1, "spec data: the rows should stop at different times"


@pytest.mark.parametrize("seed", [32, 33, 34])
def test_greedy_decode_sees_only_the_past(seed):
    """Three decoder layers: a decoder that looks ahead changes the last position's logits."""
    check_greedy(seq2seq(seed=seed, nd=3), source(3, 5, seed=seed + 100), max_len=8, hint=HINT_CAUSAL)


def test_greedy_decode_pads_finished_rows_with_eos():
    model, src = seq2seq(seed=35), source(5, 4, seed=36)
    ends = check_greedy(model, src, max_len=10, hint=HINT_EOS)
    assert len(set(ends)) > 2, "spec data: the rows should stop at different times"


def test_greedy_decode_stops_when_every_row_is_done():
    model, src = seq2seq(seed=37), source(3, 5, seed=38)
    rows, _ = rollout(model, src, 11)
    eos = pick_eos(rows, 12, everywhere=True)
    ends = check_greedy(model, src, max_len=12, eos=eos,
                        hint=HINT_EOS + "; here every row produces eos, so T_out = the longest row < max_len")
    assert max(ends) < 12, "spec data: every row should finish before max_len"
    model.prefix_lengths.clear()
    greedy_decode(model, src, BOS, eos, 12)
    longest = max(model.prefix_lengths, default=0)
    if longest != max(ends) - 1:
        raise SpecFailure(
            f"greedy_decode(model, src (3, 5), bos_id={BOS}, eos_id={eos}, max_len=12): every row had "
            f"produced eos after {max(ends)} tokens, yet model.decode was called with prefixes up to "
            f"{longest} tokens long (expected {max(ends) - 1}, the prefix that produced the last "
            f"row's eos)\n  hint: stop the loop as soon as every row is finished, not after "
            f"max_len - 1 steps followed by trimming: each extra step decodes the whole batch again")


def test_greedy_decode_without_eos_runs_to_max_len():
    model, src = seq2seq(seed=39), source(2, 5, seed=40)
    rows, _ = rollout(model, src, 5)
    eos = next(t for t in range(VOCAB) if t != BOS and all(t not in r for r in rows))
    check_greedy(model, src, max_len=6, eos=eos,
                 hint=HINT_EOS + "; no row produces eos here, so the output is (B, max_len)")


class LongRun:
    """A model that never produces eos (always token 1) and checks each step's causal tgt_mask,
    cheap enough to run 200 steps: greedy_decode has no length cap (no slice of a mask table)."""

    logits = torch.tensor([0.0, 1.0, 0.0])

    def encode(self, src, *, src_key_padding_mask=None):
        return src

    def decode(self, tgt, memory, *, tgt_mask=None, memory_key_padding_mask=None):
        T = tgt.shape[1]
        hidden = tgt_mask if tgt_mask.dtype == torch.bool else tgt_mask == float("-inf")
        if hidden.shape != (T, T) or (T % 50 == 1 and not torch.equal(hidden, torch.ones(T, T, dtype=torch.bool).triu(1))):
            raise SpecFailure(
                f"greedy_decode's tgt_mask at prefix length T = {T} has shape {tuple(hidden.shape)} or hides "
                f"other keys than j > i\n  hint: no cap on the length: build torch.ones(T, T, dtype=torch.bool, "
                f"device=src.device).triu(1) at each step, not a slice of a fixed-size table")
        return self.logits.expand(tgt.shape[0], T, 3)


def test_greedy_decode_has_no_length_cap():
    got = greedy_decode(LongRun(), torch.zeros(1, 2, dtype=torch.long), 0, 2, 200)
    assert got.shape == (1, 200) and got[0, 0] == 0 and bool((got[0, 1:] == 1).all()), (
        f"greedy_decode(model that always picks token 1, bos_id=0, eos_id=2, max_len=200) gave shape "
        f"{tuple(got.shape)}, expected (1, 200): bos then 199 ones")


def test_greedy_decode_max_len_one_is_just_bos():
    got, what = call("", seq2seq(seed=41), source(3, 4, seed=42), 2, 1)
    assert_close(got, torch.full((3, 1), BOS), what=what,
                 hint="max_len counts bos: with max_len=1 there is no step to take; return int64 (B, 1)")


def test_greedy_decode_with_source_padding():
    kpm, _ = padding(4, 7, seed=45)
    check_greedy(seq2seq(seed=43), source(4, 7, seed=44), 8, kpm=kpm,
                 hint=HINT_GREEDY + "; pass src_key_padding_mask to model.encode(src_key_padding_mask=...) "
                 "and to model.decode(memory_key_padding_mask=...)")


@pytest.mark.parametrize("norm_first", [False, True])
def test_greedy_decode_with_your_transformer(norm_first):
    """End to end: your greedy_decode on your Transformer = the reference loop on nn.Transformer."""
    mine = seq2seq(seed=46, norm_first=norm_first, learner=True)
    kpm, _ = padding(3, 6, seed=48)
    check_greedy(mine, source(3, 6, seed=47), 8, kpm=kpm, reference_model=seq2seq(seed=46, norm_first=norm_first),
                 what=f" on your Transformer (norm_first={norm_first})",
                 hint="; ".join([HINT_GREEDY, HINT_ENCODE, HINT_DECODE]))


@given(B=st.integers(1, 3), S=st.integers(1, 5), max_len=st.integers(1, 6), nd=st.integers(1, 2),
       padded=st.booleans(), seed=SEEDS)
def test_greedy_decode_on_random_settings(B, S, max_len, nd, padded, seed):
    seed = seed % 100_000
    kpm = padding(B, S, seed + 1)[0] if padded else None
    check_greedy(seq2seq(seed=seed, d=8, ne=1, nd=nd), source(B, S, seed + 2), max_len, kpm=kpm,
                 hint=HINT_GREEDY + "; " + HINT_EOS, tie=assume)


def test_greedy_decode_leaves_src_alone():
    model = seq2seq(seed=49)
    src = non_contiguous(source(2, 5, seed=50))
    kpm = non_contiguous(padding(2, 5, seed=51)[0])
    with unchanged(src, kpm, names=["src", "src_key_padding_mask"]):
        got, what = call("", model, src, 3, 5, kpm)
    rows, margins = rollout(model, src.contiguous(), 4, kpm.contiguous())
    expected, _, _ = expected_tokens(rows, margins, 3, 5)
    assert_close(got, expected, what=what + " with non-contiguous src and mask", hint=HINT_GREEDY)


def test_greedy_decode_bos_equal_to_eos():
    """bos_id == eos_id (one special token for both, as some vocabularies do): the bos in column 0
    was not produced by the model, so it does not finish the row."""
    model, src = seq2seq(seed=52), source(3, 5, seed=53)
    rows, margins = rollout(model, src, 6)
    expected, _, ends = expected_tokens(rows, margins, BOS, 7)
    got = greedy_decode(model, src, BOS, BOS, 7)
    assert_close(got, expected, what=f"greedy_decode(model, src (3, 5), bos_id={BOS}, eos_id={BOS}, "
                 f"max_len=7) (expected rows of {ends} tokens)",
                 hint="a row is finished once it has PRODUCED eos_id: look for eos among the generated "
                      "tokens (columns 1 ...), never at the bos in column 0")


def test_greedy_decode_encodes_once():
    model, src = seq2seq(seed=54), source(2, 5, seed=55)
    greedy_decode(model, src, BOS, 0, 6)
    assert model.encode_calls == 1, (
        f"greedy_decode(model, src (2, 5), bos_id={BOS}, eos_id=0, max_len=6) called model.encode "
        f"{model.encode_calls} times\n  hint: the source does not change while decoding: encode once "
        f"before the loop and reuse memory at every step")


def test_greedy_decode_builds_its_tensors_on_src_device():
    """The output is "on src's device": the prefix, the causal mask and any flags must be built
    with device=src.device (probed with the default device set to meta, as a GPU stand-in)."""
    model, src = seq2seq(seed=58), source(2, 5, seed=59)
    kpm = padding(2, 5, seed=60)[0]
    meta_model = copy.deepcopy(model).to("meta")
    for max_len in (5, 1):  # max_len = 1: a "just bos" shortcut builds its prefix there too
        assert_on_input_device(
            lambda: greedy_decode(model, src, BOS, 3, max_len, src_key_padding_mask=kpm),
            lambda: greedy_decode(meta_model, src.to("meta"), BOS, 3, max_len,
                                  src_key_padding_mask=kpm.to("meta")),
            what=f"greedy_decode(model, src (2, 5), bos_id={BOS}, eos_id=3, max_len={max_len}, "
                 f"src_key_padding_mask) with the model and src on another device (meta)",
            hint="build every tensor on src.device: torch.full((B, 1), bos_id, dtype=torch.long, "
                 "device=src.device), torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1), "
                 "the finished flags likewise (in every path, max_len = 1 too); without device= they "
                 "land on the CPU while the model runs on the GPU")


def test_greedy_decode_passes_padding_to_both_encode_and_decode():
    """Only cross-attention sees the padding here: the reference encodes with the mask and
    decodes with it, and a decode without memory_key_padding_mask reads padded memory rows."""
    model = seq2seq(seed=56, ne=1)
    src = source(3, 7, seed=57)
    kpm = torch.zeros(3, 7, dtype=torch.bool)
    kpm[:, 2:] = True  # long padding: most of memory must be ignored
    check_greedy(model, src, 7, kpm=kpm,
                 hint="pass src_key_padding_mask to model.encode(src_key_padding_mask=...) AND, as "
                      "memory_key_padding_mask, to every model.decode(...) call")


def test_greedy_decode_runs_without_gradients():
    model, src = seq2seq(seed=71), source(2, 5, seed=72)
    out = greedy_decode(model, src, BOS, 0, 5)
    if isinstance(out, torch.Tensor) and out.is_inference():
        raise SpecFailure(
            f"greedy_decode(model, src (2, 5), bos_id={BOS}, eos_id=0, max_len=5) returned an inference tensor "
            f"(made under torch.inference_mode()): autograd refuses it later (the decoded ids fed to a "
            f"training forward raise 'Inference tensors cannot be saved for backward')\n  hint: decorate "
            f"greedy_decode with @torch.no_grad(), not @torch.inference_mode()")
    grads = [g for g, _ in model.seen]
    if not grads or any(grads):
        raise SpecFailure(
            f"greedy_decode(model, src (2, 5), bos_id={BOS}, eos_id=0, max_len=5) called model.encode / "
            f"model.decode with gradients enabled ({sum(grads)} of {len(grads)} calls): every step "
            f"builds an autograd graph that nobody will use\n  hint: decorate greedy_decode with "
            f"@torch.no_grad() (or wrap its body in `with torch.no_grad():`); the caller's grad mode "
            f"comes back when it returns")


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_greedy_decode_leaves_the_mode_alone(mode):
    """The model decodes in the mode it is given and keeps it, in either direction (dropout is
    0 here, so train() mode decodes the same tokens)."""
    model, src = seq2seq(seed=73), source(3, 5, seed=74)
    rows, margins = rollout(model, src, 5)
    expected, margin, ends = expected_tokens(rows, margins, 3, 6)
    assert margin > 1e-3, "spec data: a near tie in the reference rollout; choose another seed"
    model.train(mode == "train")
    model.seen.clear()
    got = greedy_decode(model, src, BOS, 3, 6)
    what = f"greedy_decode(model.{mode}(), src (3, 5), bos_id={BOS}, eos_id=3, max_len=6)"
    assert_close(got, expected, what=f"{what} (expected rows of {ends} tokens)", hint=HINT_GREEDY)
    during = sorted({"train" if training else "eval" for _, training in model.seen})
    after = sorted({"train" if m.training else "eval" for m in model.modules()})
    if during != [mode] or after != [mode]:
        raise SpecFailure(
            f"{what} changed the model's mode: it was in {mode} mode, model.encode / decode ran in "
            f"{during} mode and afterwards the model's modules are in {after} mode\n  hint: "
            f"greedy_decode never calls model.eval() or model.train(): the caller puts the model "
            f"in eval() first, and greedy_decode leaves that choice alone, in either direction")


# ------------------------------------------------------------------ dropout and defaults

def test_transformer_defaults():
    """Transformer(d, h, ne, nd, ff) in train() mode: dropout=0.0 and post-LN by default."""
    ref = reference(8, 2, 2, 2, 16, seed=58)
    mine = load(Transformer(8, 2, 2, 2, 16), ref, "Transformer(8, 2, 2, 2, 16)").train()
    src, tgt = randn(2, 5, 8, seed=59), randn(2, 4, 8, seed=60)
    with torch.no_grad(), mha_slow_path():
        expected = ref(src, tgt, tgt_mask=causal(4))
    assert_close(mine(src, tgt, tgt_mask=causal(4)), expected, **TOL,
                 what="Transformer(8, 2, 2, 2, 16).train()(src, tgt, tgt_mask=causal) with the defaults",
                 hint="defaults: dropout=0.0 (train() mode is deterministic), norm_first=False")


def test_dropout_reaches_every_layer():
    """dropout=0.5 in train() mode: both the encoder's and the decoder's layers drop."""
    mine, _ = pair(8, 2, 1, 1, 16, seed=61)
    drop = Transformer(8, 2, 1, 1, 16, dropout=0.5)
    drop.load_state_dict(mine.state_dict())
    src, tgt = randn(2, 5, 8, seed=62), randn(2, 4, 8, seed=63)
    with torch.no_grad():
        memory = drop.eval().encode(src)
        dec_eval = drop.decode(tgt, memory)
        torch.manual_seed(0)
        drop.train()
        enc_train, dec_train = drop.encode(src), drop.decode(tgt, memory)
    for name, a, b in (("encode(src)", enc_train, memory), ("decode(tgt, memory)", dec_train, dec_eval)):
        assert not torch.allclose(a, b), (
            f"Transformer(8, 2, 1, 1, 16, dropout=0.5).train().{name} equals its eval() output: no "
            f"dropout\n  hint: build every EncoderLayer and DecoderLayer with the model's dropout: "
            f"EncoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first)")


def test_train_mode_outputs_come_from_the_final_norms():
    """dropout=0.5 in train() mode: dropout acts inside the layers only (as in nn.Transformer);
    encode's and decode's last step is still encoder.norm / decoder.norm. With those norms at
    weight 1, bias 0, every output row has mean 0 and variance 1."""
    ref = reference(8, 2, 1, 1, 16, seed=75)
    with torch.no_grad():
        for norm in (ref.encoder.norm, ref.decoder.norm):
            norm.weight.fill_(1.0)
            norm.bias.zero_()
    drop = load(Transformer(8, 2, 1, 1, 16, dropout=0.5), ref, "Transformer(8, 2, 1, 1, 16, dropout=0.5)")
    src, tgt = randn(2, 5, 8, seed=76), randn(2, 4, 8, seed=77)
    torch.manual_seed(0)
    with torch.no_grad():
        drop.train()
        memory = drop.encode(src)
        out = drop.decode(tgt, memory)
    for name, y in (("encode(src)", memory), ("decode(tgt, memory)", out)):
        what = f"Transformer(8, 2, 1, 1, 16, dropout=0.5).train().{name}"
        hint = ("dropout belongs inside the layers only: nothing comes after encoder.norm / "
                "decoder.norm, not even in train() mode (no extra dropout on memory or on the output)")
        assert_close(y.mean(-1), torch.zeros(y.shape[:-1]), atol=1e-4,
                     what=f"row means of {what} (final norm weight 1, bias 0)", hint=hint)
        assert_close(y.var(-1, unbiased=False), torch.ones(y.shape[:-1]), rtol=0, atol=1e-3,
                     what=f"row variances of {what} (final norm weight 1, bias 0)", hint=hint)


def test_positional_arguments_follow_the_signature():
    """forward / encode / decode called positionally, in the documented (nn.Transformer) order."""
    mine, ref = pair(8, 2, 2, 2, 12, seed=64)
    src, tgt = randn(2, 5, 8, seed=65), randn(2, 4, 8, seed=66)
    m = all_masks("bool", 2, 5, 4, seed=67)
    order = ["src_mask", "tgt_mask", "memory_mask", "src_key_padding_mask", "tgt_key_padding_mask",
             "memory_key_padding_mask"]
    with torch.no_grad(), mha_slow_path():
        expected = ref(src, tgt, **m)
        memory = ref.encoder(src, mask=m["src_mask"], src_key_padding_mask=m["src_key_padding_mask"])
        decoded = ref.decoder(tgt, memory, tgt_mask=m["tgt_mask"], memory_mask=m["memory_mask"],
                              tgt_key_padding_mask=m["tgt_key_padding_mask"],
                              memory_key_padding_mask=m["memory_key_padding_mask"])
    hint = ("keep the documented parameter order: forward(src, tgt, src_mask, tgt_mask, memory_mask, "
            "src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask); encode(src, "
            "src_mask, src_key_padding_mask); decode(tgt, memory, tgt_mask, memory_mask, "
            "tgt_key_padding_mask, memory_key_padding_mask)")
    assert_close(mine(src, tgt, *(m[n] for n in order)), expected, **TOL, hint=hint,
                 what="Transformer(8, 2, 2, 2, 12)(src, tgt, <the six masks positionally>)")
    assert_close(mine.encode(src, m["src_mask"], m["src_key_padding_mask"]), memory, **TOL, hint=hint,
                 what="Transformer(8, 2, 2, 2, 12).encode(src, src_mask, src_key_padding_mask)")
    assert_close(mine.decode(tgt, memory, m["tgt_mask"], m["memory_mask"], m["tgt_key_padding_mask"],
                             m["memory_key_padding_mask"]), decoded, **TOL, hint=hint,
                 what="Transformer(8, 2, 2, 2, 12).decode(tgt, memory, <the four masks positionally>)")
