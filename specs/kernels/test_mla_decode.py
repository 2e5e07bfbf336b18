"""Specs for katas/kernels/mla_decode.py (day 38): FlashMLA-style split-KV decode in Triton.

Oracles: a float64 torch formula per sequence (softmax of the scaled latent + rope scores,
torch.logsumexp) for mla_decode, and mla/attention's absorbed decode (attn(x, cache,
start_pos, absorb=True), the learner's own day-28 module) for absorbed_decode. Cache rows past
each length are filled with huge values, so a key that should be masked shows.

Contract -> specs:
- o_latent = softmax(score) @ c_kv[:length], lse = logsumexp(score), per sequence and head,
  ragged lengths, any num_splits / block_n (one split, many, empty splits storing o = 0 (torch.empty
  buffers NaN-filled: harness.kernels.nan_filled_empty), ragged last
  block), H, r, rope not powers of two: test_matches_formula, test_lengths_one_and_full; H, r,
  rope past fixed tiles (17, 65, 33): test_sizes_past_a_fixed_tile; a split starting exactly at the length (lengths 16 and
  32, chunk 16): test_lengths_ending_on_a_split_boundary
- softmax_scale = 0.0 used as given (every score 0), not replaced by a default: test_scale_zero_is_a_scale
- the max subtracted in the splits and in the combine (scores ~ 300, and ~ -300 with the
  combine's max from -inf): test_large_scores
- dtypes: o in q's dtype, lse float32, float32 accumulation: test_half_precision; the running
  output in float32 across blocks (cancelling rows): test_half_precision_running_output_in_float32
- any strides, read in place (slices of a larger cache, c_kv and k_rope; transposed q_latent
  and q_rope): test_strided_inputs; last dimensions of stride 2 (q_latent, c_kv, k_rope) and
  q_rope's own batch stride: test_strided_inputs
- o_latent and lse new tensors at every call, on the inputs' device (not kept, not made without
  device=): test_returns_new_outputs_on_the_inputs_device
- (o_latent, lse) is a tuple: check
- B = 0 (dtypes as for any B): test_empty_batch; ValueErrors (B, H, r, rope, cache positions, cache_seqlens (B,) and (B, 1),
  B = 0 validated too,
  num_splits / block_n 0 or negative): test_errors
- exactly two launches (num_splits = 1 too), split grid (B, num_splits), each cached row loaded once for all
  heads and nothing past the lengths (traffic budget): test_two_launches_and_traffic
- splits are consecutive ranges of whole blocks of block_n positions (block_n honoured; which
  rows each split program loaded, traffic(trace=True)), defaults num_splits=2, block_n=16:
  test_splits_are_whole_blocks_of_block_n
- no torch compute in the wrapper, the combine included: test_kernels_do_the_work, and in
  half precision (no float32 o cast by the wrapper): test_half_precision
- absorbed_decode == attn(x, cache, start_pos, absorb=True), cache left the same, over a
  prefill and three decode steps (the last with the defaults num_splits=2, block_n=16),
  num_splits passed on to mla_decode (its split grid) and
  block_n (which split programs load cached rows, traffic(trace=True)):
  test_absorbed_decode_matches_mla_attention; one token only, raised before cache.update
  (the cache unchanged): test_absorbed_decode_one_token_only; its own tensors (cache_seqlens, positions) on x's device
  (a rerun under a default device of meta): test_absorbed_decode_allocates_on_the_inputs_device
- inputs not modified: test_inputs_unchanged
- on a CUDA device (gpu marker, skipped here): latency within 3x of
  F.scaled_dot_product_attention on the same problem: test_gpu_latency_against_sdpa
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from harness.budgets import gpu, time_ratio
from harness.checks import assert_close, assert_raises, unchanged
from harness.kernels import (DEVICE, assert_traffic, interpreting, kata_module, kernel_does_the_work,
                             nan_filled_empty, new_output_on_input_device, traffic)
from katas.kernels.mla_decode import absorbed_decode, mla_decode
from katas.mla.attention import MLACache, MultiHeadLatentAttention
from katas.mla.components import MLAConfig

GARBAGE = 1e4  # what the cache holds past each sequence's length
HINT_SOFTMAX = ("program (b, s) scores all H heads against the split's keys, "
                "score = (q_latent . c_kv[n] + q_rope . k_rope[n]) * softmax_scale, keeps an online "
                "softmax per head (running max, sum and output in float32), and stores acc / l and "
                "lse = m + log(l); the combine weighs each split by exp(lse_s - lse)")
HINT_MASK = ("positions >= the sequence's length (cache_seqlens[b]) must not be scored or loaded: "
             "mask the ragged last block of each split (n < end) on the loads and set masked "
             "scores to -inf")
HINT_EMPTY = ("a split with no position (more splits than blocks) must store lse = -inf and o = 0, "
              "never NaN: guard l = 0 before dividing, and the combine gives it weight exp(-inf) = 0")


def problem(b=2, h=3, r=24, dr=6, s=16, lengths=(13, 5), *, seed=0, dtype=torch.float32, q_scale=1.0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(b, h, r, generator=g) * q_scale
    qr = torch.randn(b, h, dr, generator=g) * q_scale
    c = torch.randn(b, s, r, generator=g)
    kr = torch.randn(b, s, dr, generator=g)
    for i, n in enumerate(lengths):
        c[i, n:], kr[i, n:] = GARBAGE, -GARBAGE
    lens = torch.tensor(lengths, dtype=torch.int32)
    return [t.to(dtype).to(DEVICE) for t in (q, qr, c, kr)] + [lens.to(DEVICE)]


def reference(q, qr, c, kr, lens, scale):
    """(o (B, H, r), lse (B, H)) in float64, one sequence at a time."""
    outs, lses = [], []
    for b in range(q.shape[0]):
        n = int(lens[b])
        ck, kk = c[b, :n].double(), kr[b, :n].double()
        scores = (q[b].double() @ ck.T + qr[b].double() @ kk.T) * scale
        lses.append(torch.logsumexp(scores, -1))
        outs.append(torch.softmax(scores, -1) @ ck)
    return torch.stack(outs), torch.stack(lses)


def check(args, scale, what, *, num_splits=2, block_n=16, hint=HINT_SOFTMAX, o_tol=None, lse_tol=None):
    out = mla_decode(*args, scale, num_splits=num_splits, block_n=block_n)
    assert type(out) is tuple and len(out) == 2, (
        f"{what} returned a {type(out).__name__}; the contract returns the tuple (o_latent, lse)")
    o, lse = out
    o_ref, lse_ref = reference(*args, scale)
    dtype = args[0].dtype
    assert o.dtype == dtype and lse.dtype == torch.float32, (
        f"{what}: o_latent is {o.dtype} and lse {lse.dtype}; expected q_latent's dtype {dtype} and float32")
    assert_close(lse, lse_ref.float(), what=f"lse of {what}", **(lse_tol or dict(rtol=1e-5, atol=1e-5)), hint=hint)
    assert_close(o, o_ref.to(dtype), what=f"o_latent of {what}", **(o_tol or dict(rtol=1e-4, atol=1e-5)), hint=hint)
    assert o.is_contiguous(), f"{what}: o_latent should be contiguous (allocate it with torch.empty((B, H, r)))"
    return o, lse


# ------------------------------------------------------------------------------ values

@pytest.mark.parametrize("num_splits,block_n", [(1, 16), (2, 8), (3, 4)], ids=str)
def test_matches_formula(num_splits, block_n):
    # lengths 13 and 5: ragged last blocks; 3 splits of blocks of 4 leave the third split of
    # each sequence empty
    args = problem(seed=1)
    what = f"mla_decode(B=2, H=3, r=24, rope=6, lengths [13, 5], num_splits={num_splits}, block_n={block_n})"
    hint = HINT_SOFTMAX + "; " + HINT_MASK + ("; " + HINT_EMPTY if num_splits > 1 else "")
    if num_splits > 1:   # (2, 8): length 5 leaves split 1 empty; (3, 4): split 2 of both
        # torch.empty buffers hold NaN here (as garbage on a GPU): a partial that an empty split never
        # writes (its o = 0) shows, since the combine's weight 0 does not cancel NaN
        hint += "; an empty split stores o = 0 as well as lse = -inf (0 * NaN is NaN in the combine)"
    with nan_filled_empty():
        check(args, 0.2, what, num_splits=num_splits, block_n=block_n, hint=hint)


def test_scale_zero_is_a_scale():
    # softmax_scale = 0.0 is a float like any other: every score 0, o the plain mean of c_kv[:length]
    args = problem(b=2, h=2, r=5, dr=2, s=8, lengths=(3, 8), seed=9)
    check(args, 0.0, "mla_decode(B=2, H=2, r=5, rope=2, lengths [3, 8], softmax_scale=0.0)", num_splits=2, block_n=4,
          hint="softmax_scale = 0.0 is the scale given (every score 0: o is the mean of the cached rows, lse = "
               "log(length)), not a missing one: pass it through as is (no `softmax_scale or default`)")


def test_lengths_one_and_full():
    args = problem(b=3, h=1, r=5, dr=2, s=7, lengths=(1, 7, 2), seed=2)
    args[-1] = args[-1].long()                          # cache_seqlens of any integer dtype
    check(args, 0.3, "mla_decode(B=3, H=1, r=5, rope=2, cache of 7, int64 lengths [1, 7, 2], block_n=4)",
          num_splits=2, block_n=4, hint=HINT_SOFTMAX + "; " + HINT_MASK + "; " + HINT_EMPTY)


def test_lengths_ending_on_a_split_boundary():
    # lengths 16 and 32 with blocks of 16 and 3 splits: chunk = 16, so a split starts exactly at the length
    # (start == length: empty, like a split past it) as well as past it
    args = problem(b=2, h=2, r=5, dr=3, s=32, lengths=(16, 32), seed=13)
    check(args, 0.3, "mla_decode(B=2, H=2, r=5, rope=3, lengths [16, 32], num_splits=3, block_n=16)", num_splits=3,
          block_n=16, hint=HINT_EMPTY + "; a split whose start equals the length is empty too (start >= length)")


def test_half_precision_running_output_in_float32():
    # float16, uniform attention (zero queries) over 32 positions in blocks of 4: rows +300 then
    # -300 + eps, so the running output of the split passes 4800 (float16 steps of 4 there) and
    # cancels to 16 * eps; o_latent = eps / 2
    n, r = 32, 5
    q, qr = torch.zeros(1, 2, r), torch.zeros(1, 2, 3)
    c = torch.full((1, n, r), 300.0)
    c[:, n // 2:] = -300.0 + 0.1 * torch.arange(1, r + 1)
    kr = torch.zeros(1, n, 3)
    args = [t.half().to(DEVICE) for t in (q, qr, c, kr)] + [torch.tensor([n], dtype=torch.int32, device=DEVICE)]
    check(args, 0.2, "mla_decode on float16 with cancelling cached rows (1 split, block_n=4)", num_splits=1,
          block_n=4, o_tol=dict(rtol=2e-3, atol=2e-3),
          hint="keep the running output acc (and m, l) in float32 across the blocks of a split: a float16 "
               "acc rounds away whole units once its partial sums pass ~1e3")


def test_sizes_past_a_fixed_tile():
    # any H, r, rope: 17 heads, r = 65, rope = 33 are just past tiles fixed at 16 / 64 / 32
    args = problem(b=1, h=17, r=65, dr=33, s=8, lengths=(6,), seed=14)
    check(args, 0.1, "mla_decode(B=1, H=17, r=65, rope=33, length 6, num_splits=2, block_n=4)", num_splits=2,
          block_n=4, hint="the tiles follow the sizes: BLOCK_H = next_power_of_2(H), BLOCK_R = "
                          "next_power_of_2(r), BLOCK_ROPE = next_power_of_2(rope) (at least 16 for tl.dot), "
                          "masked to the real sizes; not a fixed 16, 32 or 64")


def test_large_scores():
    # scores of a few hundred: exp() without the max subtracted overflows float32 (e^89)
    args = problem(seed=3, q_scale=15.0)
    check(args, 1.0, "mla_decode with scores ~ 300 (num_splits=2, block_n=4)", num_splits=2, block_n=4,
          o_tol=dict(rtol=1e-4, atol=1e-4), lse_tol=dict(rtol=1e-5, atol=1e-3),
          hint="subtract the running max before every exp, in each split (rescale l and acc by "
               "exp(m_old - m_new)) and in the combine (exp(lse_s - max_s lse_s)); exp of a score "
               "of 300 is inf in float32")
    # scores ~ -300 for every key: lse far below 0, so a combine whose max starts at 0 instead of
    # -inf (or that skips the max) weighs every split by exp(-300) = 0 in float32 and gives NaN
    q, qr, c, kr, lens = problem(seed=3)
    q = 0.5 * q - 4.0
    c = torch.where(c == GARBAGE, c, c + 3.0)
    check([q, qr, c, kr, lens], 1.0, "mla_decode with scores ~ -300 (num_splits=2, block_n=4)", num_splits=2,
          block_n=4, o_tol=dict(rtol=1e-4, atol=1e-4), lse_tol=dict(rtol=1e-5, atol=1e-3),
          hint="the combine's M = max_s lse_s starts at -inf (not 0): with every lse far below 0, "
               "exp(lse_s - 0) underflows to 0 in float32 and o = 0 / 0")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_half_precision(dtype):
    args = problem(seed=4, dtype=dtype)
    # a float32 o cast to the input dtype in the wrapper (.to) would be torch compute
    kernel_does_the_work(mla_decode, *args, 0.2, num_splits=2, block_n=8, what=f"mla_decode on {dtype}")
    check(args, 0.2, f"mla_decode on {dtype} (num_splits=2, block_n=8)", num_splits=2, block_n=8,
          o_tol=dict(rtol=2e-3, atol=2e-3) if dtype == torch.float16 else dict(rtol=1.6e-2, atol=1e-2),
          lse_tol=dict(rtol=1e-5, atol=1e-4),
          hint="convert every load to float32 and keep m, l, acc and the partial buffers in float32; "
               "round o to the input dtype once, in the combine's store; lse stays float32")


def test_strided_inputs():
    q, qr, c, kr, lens = problem(seed=5, s=12, lengths=(12, 7))
    wide = torch.full((4, 24, 40), GARBAGE, device=DEVICE)
    wide[1:3, :12, 3:27] = c
    c_view = wide[1:3, :12, 3:27]                       # rows of 40, batch stride 960
    q_t = q.transpose(0, 1).contiguous().transpose(0, 1)  # (B, H, r) with strides (r, B*r, 1)
    qr_t = qr.transpose(1, 2).contiguous().transpose(1, 2)  # (B, H, rope) with strides (H*rope, 1, H)
    wide_r = torch.full((2, 12, 9), -GARBAGE, device=DEVICE)
    wide_r[:, :, 2:8] = kr
    kr_view = wide_r[:, :, 2:8]                         # rows of 9
    hint = ("address every tensor with its own strides (b * stride_b + n * stride_n + r * stride_r), "
            "q_rope and k_rope too: the cache is usually a slice of a larger one, read in place "
            "(no .contiguous() copy)")
    what = "mla_decode on slices of a larger cache (c_kv and k_rope) and transposed queries (q_latent and q_rope)"
    kernel_does_the_work(mla_decode, q_t, qr_t, c_view, kr_view, lens, 0.25, num_splits=2, block_n=8, what=what)
    check([q_t, qr_t, c_view, kr_view, lens], 0.25, what, num_splits=2, block_n=8, hint=hint)
    # the other layouts: every last dimension strided (every other column), q_rope's batch stride its own
    q_s = torch.full((2, 3, 48), GARBAGE, device=DEVICE)
    q_s[..., ::2] = q
    wide2 = torch.full((2, 12, 49), GARBAGE, device=DEVICE)
    wide2[..., 1::2] = c
    kr2 = torch.full((2, 12, 12), -GARBAGE, device=DEVICE)
    kr2[..., ::2] = kr
    qr_b = qr.transpose(0, 1).contiguous().transpose(0, 1)  # strides (rope, B*rope, 1)
    what = ("mla_decode with every last dimension strided (q_latent, c_kv, k_rope: every other column) and "
            "q_rope of batch stride rope")
    check([q_s[..., ::2], qr_b, wide2[..., 1::2], kr2[..., ::2], lens], 0.25, what, num_splits=2, block_n=8,
          hint=hint + "; the last dimension's stride is not always 1, nor the batch stride H * rope")


def test_empty_batch():
    args = problem(b=0, lengths=())
    with traffic(kata_module(mla_decode)) as t:
        o, lse = mla_decode(*args, 0.2)
    assert o.shape == (0, 3, 24) and lse.shape == (0, 3), (
        f"mla_decode with B = 0: shapes {tuple(o.shape)} and {tuple(lse.shape)}, expected (0, 3, 24) and (0, 3)")
    assert t.count == 0, f"mla_decode with B = 0 launched {t.count} kernels; the contract says: no launch\n{t}"
    o, lse = mla_decode(*problem(b=0, lengths=(), dtype=torch.float16), 0.2)
    assert o.dtype == torch.float16 and lse.dtype == torch.float32, (
        f"mla_decode with B = 0 on float16: o_latent is {o.dtype} and lse {lse.dtype}; expected float16 (q_latent's "
        f"dtype) and float32, as for any B (allocate the empty results as usual, then return before launching)")


def test_errors():
    q, qr, c, kr, lens = problem(seed=6)
    assert_raises(ValueError, mla_decode, q, qr, c[..., :20], kr, lens, 0.2,
                  contract="ValueError when r differs between q_latent and c_kv")
    assert_raises(ValueError, mla_decode, q, qr[..., :4], c, kr, lens, 0.2,
                  contract="ValueError when rope differs between q_rope and k_rope")
    assert_raises(ValueError, mla_decode, q, qr, c[:1], kr[:1], lens, 0.2,
                  contract="ValueError when the cache's batch is not q's")
    assert_raises(ValueError, mla_decode, q, qr, c, kr, lens[:1], 0.2,
                  contract="ValueError when cache_seqlens is not of shape (B,)")
    assert_raises(ValueError, mla_decode, q, qr, c, kr, lens[:, None], 0.2,
                  contract="ValueError when cache_seqlens is not of shape (B,) (here (B, 1): B values, "
                           "the wrong shape)")
    assert_raises(ValueError, mla_decode, q, qr[:, :2], c, kr, lens, 0.2,
                  contract="ValueError when H differs between q_latent and q_rope")
    assert_raises(ValueError, mla_decode, q, qr, c, kr[:, :10], lens, 0.2,
                  contract="ValueError when c_kv and k_rope do not cover the same cache positions")
    assert_raises(ValueError, mla_decode, q[:0], qr[:0], c[:0, :, :20], kr[:0], lens[:0], 0.2,
                  contract="ValueError when r differs between q_latent and c_kv, with B = 0 too (validate "
                           "before the empty-batch return)")
    for bad in ({"num_splits": -1}, {"block_n": -4}):
        assert_raises(ValueError, mla_decode, q, qr, c, kr, lens, 0.2, **bad,
                      contract="ValueError when num_splits < 1 or block_n < 1 (negative values too)")
    assert_raises(ValueError, mla_decode, q, qr, c, kr, lens, 0.2, num_splits=0,
                  contract="ValueError when num_splits < 1")
    assert_raises(ValueError, mla_decode, q, qr, c, kr, lens, 0.2, block_n=0, contract="ValueError when block_n < 1")


def test_returns_new_outputs_on_the_inputs_device():
    args = problem(b=1, h=2, r=5, dr=3, s=4, lengths=(3,), seed=12)
    o, lse = mla_decode(*args, 0.2, num_splits=1)
    o_first, lse_first = o.clone(), lse.clone()
    neg = [-t for t in args[:2]] + args[2:]
    hint = ("allocate o_latent, lse and the partial buffers with torch.empty(..., device=q_latent.device) at every "
            "call, never buffers kept from an earlier call or made without device=")
    new_output_on_input_device(lambda: mla_decode(*neg, 0.2, num_splits=1)[0], o, o_first,
                               what="o_latent of mla_decode", hint=hint)
    new_output_on_input_device(lambda: mla_decode(*neg, 0.2, num_splits=1)[1], lse, lse_first, what="lse of mla_decode",
                               hint=hint)


def test_inputs_unchanged():
    args = problem(seed=7)
    with unchanged(*args, names=("q_latent", "q_rope", "c_kv", "k_rope", "cache_seqlens")):
        mla_decode(*args, 0.2, num_splits=1, block_n=16)


# ------------------------------------------------------------------------------ the kernels do the work

def test_kernels_do_the_work():
    args = problem(seed=8)
    o, lse = kernel_does_the_work(mla_decode, *args, 0.2, num_splits=2, block_n=16,
                                  what="mla_decode(...)")
    o_ref, lse_ref = reference(*args, 0.2)
    hint = ("the wrapper validates, allocates (torch.empty) and launches; the scores, the "
            "softmax and the combine of the splits all happen in @triton.jit kernels")
    assert_close(lse, lse_ref.float(), what="lse of mla_decode", hint=hint)
    assert_close(o, o_ref.float(), what="o_latent of mla_decode", hint=hint)


def test_two_launches_and_traffic():
    b, h, r, dr, splits = 2, 3, 24, 6, 3
    args = problem(b=b, h=h, r=r, dr=dr, s=16, lengths=(13, 5), seed=9)
    with traffic(kata_module(mla_decode)) as t:
        mla_decode(*args, 0.2, num_splits=splits, block_n=4)
    assert t.count == 2, (f"mla_decode made {t.count} launches; the contract says two: the split kernel, "
                          f"then the combine kernel\n{t}")
    assert t.launches[0].programs == b * splits, (
        f"the split kernel ran {t.launches[0].programs} programs; expected B * num_splits = {b * splits} "
        f"(grid (B, num_splits): each program takes all H heads of its sequence)\n{t}")
    with traffic(kata_module(mla_decode)) as one:
        mla_decode(*args, 0.2, num_splits=1, block_n=4)
    assert one.count == 2, (f"mla_decode(..., num_splits=1) made {one.count} launches; the contract says two "
                            f"whatever num_splits: the split kernel, then the combine kernel (with one split "
                            f"it copies and rounds the partial)\n{one}")
    s, f32, cached = 4, 4, 13 + 5
    ideal_loads = (cached * (r + dr) * s                   # each cached row once, for all heads
                   + b * splits * h * (r + dr) * s         # each program loads its queries
                   + b * splits * 8                        # cache_seqlens[b] per program (<= 8 B)
                   + b * splits * h * r * f32              # the combine reads the partial outputs once
                   + 2 * b * splits * h * 2 * f32)         # and up to 2 statistics (lse, or m and l) twice
    ideal_stores = b * splits * h * (r + 2) * f32 + b * h * r * s + b * h * f32
    hint = ("one program per (sequence, split) holds all H heads, so each cached c_kv / k_rope row "
            "is loaded once, not once per head; mask the loads to the sequence's length (rows past "
            "it are not read at all)")
    assert_traffic(t.loaded_bytes, ideal_loads, what="mla_decode(B=2, H=3, lengths [13, 5], 3 splits): loads",
                   how=f"ideal: the {cached} cached rows once ({cached}*({r}+{dr})*{s} B), the queries once "
                       f"per split program, cache_seqlens, and the float32 partials read back by the combine",
                   hint=hint, report=t)
    assert_traffic(t.stored_bytes, ideal_stores, what="mla_decode(B=2, H=3, lengths [13, 5], 3 splits): stores",
                   how="ideal: the float32 partials (B*splits*H*(r+2)*4 B: the output and at most two "
                       "statistics per head and split), o_latent and lse once",
                   hint="store each split's acc / l and lse once, then o_latent and lse once", report=t)


# ------------------------------------------------------------------------------ absorbed_decode

def mla_module(seed):
    cfg = MLAConfig(hidden_size=32, num_attention_heads=3, q_lora_rank=20, kv_lora_rank=24,
                    qk_nope_head_dim=8, qk_rope_head_dim=6, v_head_dim=10, max_position_embeddings=64)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        attn = MultiHeadLatentAttention(cfg).to(DEVICE)
        with torch.no_grad():
            for p in attn.parameters():
                p.normal_(0.0, 0.3) if p.dim() > 1 else p.uniform_(0.5, 1.5)
    return cfg, attn


@pytest.mark.parametrize("length,num_splits,block_n", [(13, 2, 4), (20, 2, 32), (20, None, None)], ids=str)
def test_splits_are_whole_blocks_of_block_n(length, num_splits, block_n):
    # which cached rows each split program loaded (traffic(trace=True)): the splits cut
    # 0 .. length - 1 into consecutive ranges that start at multiples of block_n (13, 2, 4: not
    # at 7 = cdiv(13, 2); 20, 2, 32: one block, not two halves of 16 as block_n = 16 would give;
    # 20, None, None: the defaults, 2 splits of blocks of 16, so [0, 16) and [16, 20))
    r = 5
    q, qr, c, kr, lens = problem(b=1, h=2, r=r, dr=3, s=24, lengths=(length,), seed=30)
    defaults = num_splits is None
    with traffic(kata_module(mla_decode), trace=True) as t:
        if defaults:
            mla_decode(q, qr, c, kr, lens, 0.3)
            num_splits, block_n = 2, 16
        else:
            mla_decode(q, qr, c, kr, lens, 0.3, num_splits=num_splits, block_n=block_n)
    split = t.launches[0]
    want = set(range(length * r))   # the c_kv elements of the sequence's rows (c_kv is contiguous)
    c_args = [arg for (kind, arg) in split.trace if kind == "load"
              and set(np.concatenate(list(split.touched("load", arg).values()) or [np.empty(0)]).tolist()) == want]
    assert c_args, (f"mla_decode(length {length}, num_splits={num_splits}, block_n={block_n}): the split kernel "
                    f"did not load exactly the c_kv rows 0 .. {length - 1}\n{t}\n  hint: {HINT_MASK}")
    ranges = []
    for program, offsets in split.touched("load", c_args[0]).items():
        rows = np.unique(offsets // r)
        if len(rows) == 0:
            continue
        assert rows[-1] - rows[0] + 1 == len(rows), (
            f"split program {program} loaded the cached rows {rows.tolist()}: a split is one range of "
            f"consecutive positions")
        ranges.append((int(rows[0]), int(rows[-1]) + 1))
    ranges.sort()
    starts = [a for a, _ in ranges]
    assert all(a % block_n == 0 for a in starts) and [b for _, b in ranges][:-1] == starts[1:], (
        f"mla_decode(length {length}, num_splits={num_splits}, block_n={block_n}): the split programs "
        f"loaded the ranges of positions {ranges}; expected consecutive ranges, each starting at a "
        f"multiple of block_n = {block_n} (a split is a whole number of blocks of block_n positions)"
        f"\n  hint: chunk = cdiv(cdiv(length, num_splits), block_n) * block_n, split s = "
        f"[s * chunk, min((s + 1) * chunk, length)), and BLOCK_N=block_n in the launch (not a fixed 16)")
    if defaults:
        assert split.programs == 2 and ranges == [(0, 16), (16, 20)], (
            f"mla_decode(length 20) with the default num_splits and block_n ran {split.programs} split programs "
            f"that loaded the ranges of positions {ranges}; the defaults are num_splits=2, block_n=16: 2 programs, "
            f"[0, 16) and [16, 20)\n  hint: def mla_decode(..., num_splits=2, block_n=16)")


def test_absorbed_decode_matches_mla_attention():
    cfg, attn = mla_module(10)
    g = torch.Generator().manual_seed(11)
    prefix = torch.randn(2, 4, 32, generator=g).to(DEVICE)
    steps = [torch.randn(2, 1, 32, generator=g).to(DEVICE) for _ in range(3)]
    ref_cache, my_cache = MLACache(cfg, 3, 8), MLACache(cfg, 3, 8)
    hint = ("absorbed_decode: positions = [start_pos]; q_nope, q_rope = attn.queries(x, positions); "
            "c_kv, k_rope = attn.latent(x, positions); cache.update first; q_latent = q_nope @ W_UK; "
            "mla_decode over the updated cache with lengths start_pos + 1 and scale 1/sqrt(nope + rope); "
            "then W_UV and attn.o_proj")
    with torch.no_grad():
        attn(prefix, cache=ref_cache, start_pos=0, absorb=True)
        attn(prefix, cache=my_cache, start_pos=0, absorb=True)
        for i, x in enumerate(steps):
            pos = 4 + i
            expected = attn(x, cache=ref_cache, start_pos=pos, absorb=True)
            if i == 2:   # the defaults: num_splits=2, block_n=16 (7 positions: one block, one split each)
                with traffic(kata_module(mla_decode), trace=True) as t:
                    got = absorbed_decode(attn, x, my_cache, pos)
                readers = sorted({len(t.launches[0].touched("load", arg)) for kind, arg in t.launches[0].trace
                                  if kind == "load"}) if t.count else []
                assert t.count == 2 and t.launches[0].programs == 2 * 2 and 2 in readers, (
                    f"absorbed_decode(attn, x, cache, start_pos={pos}) (default num_splits and block_n) launched "
                    f"{t.count} kernels, the first with {t.launches[0].programs if t.count else 0} programs, whose "
                    f"loads from each tensor came from {readers} programs; expected B * 2 = 4 split programs, the "
                    f"7 cached positions one block of 16 (1 program per sequence loads the cache)\n{t}\n  hint: "
                    f"def absorbed_decode(attn, x, cache, start_pos, num_splits=2, block_n=16)")
                assert_close(got, expected, what=f"absorbed_decode(attn, x, cache, start_pos={pos})",
                             rtol=1e-4, atol=1e-5, hint=hint)
                continue
            with traffic(kata_module(mla_decode), trace=True) as t:
                got = absorbed_decode(attn, x, my_cache, pos, num_splits=3, block_n=4)
            assert t.count == 2 and t.launches[0].programs == 2 * 3, (
                f"absorbed_decode(attn, x, cache, start_pos={pos}, num_splits=3, block_n=4) launched {t.count} "
                f"kernels, the first with {t.launches[0].programs if t.count else 0} programs; expected "
                f"mla_decode's two launches with B * num_splits = 6 split programs (pass num_splits and "
                f"block_n on to mla_decode)\n{t}")
            # length pos + 1 (5, 6) is 2 blocks of block_n = 4: 2 of the 3 split programs of each
            # sequence load cached rows (block_n = 16, the default, would give 1)
            readers = sorted({len(t.launches[0].touched("load", arg)) for kind, arg in t.launches[0].trace
                              if kind == "load"})
            assert 2 * 2 in readers, (
                f"absorbed_decode(attn, x, cache, start_pos={pos}, num_splits=3, block_n=4): the split programs "
                f"that loaded from each tensor numbered {readers}; with {pos + 1} cached positions in blocks "
                f"of 4, 2 splits of each of the 2 sequences hold positions (4 programs load the cache)"
                f"\n  hint: pass block_n on to mla_decode (mla_decode(..., num_splits=num_splits, "
                f"block_n=block_n)), not its default")
            assert_close(got, expected, what=f"absorbed_decode(attn, x, cache, start_pos={pos})",
                         rtol=1e-4, atol=1e-5, hint=hint)
            assert_close(my_cache.c_kv, ref_cache.c_kv, what=f"cache.c_kv after absorbed_decode at start_pos={pos}",
                         hint="store the new token with cache.update(c_kv, k_rope, start_pos) before attending")
            assert_close(my_cache.k_rope, ref_cache.k_rope,
                         what=f"cache.k_rope after absorbed_decode at start_pos={pos}",
                         hint="store the new token with cache.update(c_kv, k_rope, start_pos) before attending")


def test_absorbed_decode_allocates_on_the_inputs_device():
    """Under a default device of meta, every tensor absorbed_decode makes (the lengths included) must still
    be on x's device: a CPU/meta cache_seqlens fails the launch (interpreter only)."""
    if not interpreting():
        pytest.skip("the meta-device rerun needs Triton's interpreter")
    cfg, attn = mla_module(12)
    cache = MLACache(cfg, 2, 4)
    x = torch.randn(2, 1, 32, generator=torch.Generator().manual_seed(12)).to(DEVICE)
    ref_cache = MLACache(cfg, 2, 4)
    with torch.no_grad():
        try:  # day 28's module itself must keep to x's device under meta, or this check says nothing
            with torch.device("meta"):
                ok = attn(x, cache=ref_cache, start_pos=0, absorb=True).device == x.device
        except Exception:
            ok = False
        if not ok:
            pytest.skip("katas.mla.attention makes tensors on the default device: nothing to judge here")
        first = absorbed_decode(attn, x, cache, 0)
        new_output_on_input_device(  # a second call at the same position stores the same token again
            lambda: absorbed_decode(attn, x, cache, 0), first, first.clone(),
            what="absorbed_decode(attn, x (2, 1, 32), cache, 0): a tensor it made (cache_seqlens, positions)",
            hint="torch.full((B,), start_pos + 1, dtype=torch.int32, device=x.device) and "
                 "torch.arange(..., device=x.device)")


def test_absorbed_decode_one_token_only():
    cfg, attn = mla_module(12)
    x = torch.randn(2, 2, 32, generator=torch.Generator().manual_seed(13)).to(DEVICE)
    cache = MLACache(cfg, 2, 8)
    with torch.no_grad(), unchanged(cache.c_kv, cache.k_rope, names=("cache.c_kv", "cache.k_rope"),
                                         hint="check that x holds one token before cache.update: a call "
                                              "that raises writes nothing to the cache"):
        assert_raises(ValueError, absorbed_decode, attn, x, cache, 0,
                      contract="ValueError if x holds more than one token, raised before anything is "
                               "written to the cache (check x first, then cache.update)")


# ------------------------------------------------------------------------------ on a GPU

@gpu
def test_gpu_latency_against_sdpa():
    b, h, r, dr, s = 16, 16, 512, 64, 4096
    q, qr = torch.randn(b, h, r, device="cuda", dtype=torch.bfloat16), torch.randn(b, h, dr, device="cuda", dtype=torch.bfloat16)
    c, kr = torch.randn(b, s, r, device="cuda", dtype=torch.bfloat16), torch.randn(b, s, dr, device="cuda", dtype=torch.bfloat16)
    lens = torch.full((b,), s, dtype=torch.int32, device="cuda")
    scale = (128 + 64) ** -0.5
    qq, kk = torch.cat([q, qr], -1)[:, None], torch.cat([c, kr], -1)[:, None]   # heads as query rows

    def torch_decode():
        return F.scaled_dot_product_attention(qq, kk, c[:, None], scale=scale)

    ratio = time_ratio(lambda: mla_decode(q, qr, c, kr, lens, scale, num_splits=8, block_n=32), torch_decode)
    assert ratio < 3.0, (f"mla_decode (B=16, H=16, r=512, cache 4096, bfloat16) took {ratio:.2f}x the time of "
                         f"F.scaled_dot_product_attention on the same problem; expected within 3x")
