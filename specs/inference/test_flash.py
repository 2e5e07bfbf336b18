"""Specs for katas/inference/flash.py (day 22): flash_attention.

Contract -> specs:
- equal to SDPA, any batch dims, L != S, ragged tiles, block 1 / prime / > T: test_matches_sdpa,
  test_matches_sdpa_on_random_shapes; defaults causal=False, block_size=64 (the
  largest allocation at L = S = 150 is one 64 x 64 tile): test_defaults_*
- "dtype of q, computed in it" (float64 to 1e-12; also with one tile covering everything, and L = 1): test_float64;
  a block_size that covers everything (one tile: a fast path) also in test_running_max_*, test_large_scores_*,
  test_helper_tensors_*
- online rescaling of l and acc: test_running_sum_is_rescaled_*, test_weights_sum_to_one
- stable: scores of 100s (one tile and L = 1 too): test_large_scores_do_not_overflow (run with torch's default dtype set to
  float64: running statistics or a mask built without dtype= must not promote float32); running max from -inf (rows near
  -150, and scores near -1e35 against a max or causal fill of -1e4 / -1e30): test_running_max_starts_at_minus_inf
- causal top-left: test_causal_is_aligned_top_left; past position 1024 (no table cached with a size cap):
  test_causal_at_positions_past_1024; tiles above the diagonal skipped (every
  one: a bound off by one computes a masked tile per row): test_causal_skips_the_tiles_above_the_diagonal
- L = 0 and a batch dim of 0 (float64 too): test_empty_queries_or_batch; non-contiguous inputs:
  test_non_contiguous_inputs_are_left_alone; q's device: test_helper_tensors_are_built_on_q_device
  (block_size 4, one tile for all, L = 0; the default device set to meta first: cheap; a clash is confirmed on meta inputs, whose first
  op costs ~0.3 s, only then; a mask cache kept at module level from the CPU calls: rerun on meta),
  test_cuda_matches_sdpa
- off limits SDPA and its kernels: test_writes_its_own_attention
- memory: no L x S tensor, peak linear in T, block_size honoured (no tile larger than
  block_size^2, keys tiled by block_size too): test_no_L_by_S_tensor_is_built, test_peak_memory_*, test_block_size_is_honoured
"""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.budgets import allocations, count_flops, cuda_peak_bytes, gpu, peak_bytes
from harness.checks import (SpecFailure, assert_close, assert_kept_state_follows_the_device, assert_on_input_device,
                            forbid, non_contiguous, randn, unchanged)
from harness.edges import TIGHT64, default_dtype
from katas.inference.flash import flash_attention

SEEDS = st.integers(0, 2**31 - 1)

FORBIDDEN = (F.scaled_dot_product_attention,)
FORBIDDEN_ATEN = {
    "_safe_softmax": "torch._safe_softmax (inside F.scaled_dot_product_attention)",
    "_scaled_dot_product_attention_math": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention_for_cpu": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_flash_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_efficient_attention": "a built-in scaled_dot_product_attention kernel",
    "_scaled_dot_product_cudnn_attention": "a built-in scaled_dot_product_attention kernel",
}

HINT_ONLINE = ("when a tile raises a row's max from m to m_new, rescale BOTH running sums: "
               "l = exp(m - m_new) * l + p.sum(-1) and acc = exp(m - m_new) * acc + p @ v_tile; "
               "output = acc / l at the end")
HINT_CAUSAL = ("causal is top-left aligned like torch: query i sees key j when j <= i; skip only the "
               "tiles entirely above the diagonal (first key after the last query); the diagonal tile "
               "is computed with the mask j <= i inside it")
HINT_RAGGED = ("the last tile along the queries and the keys is smaller when L or S is not a multiple "
               "of block_size (slice [start:min(start + block_size, L)])")
HINT_STABLE = "subtract the running max before exp: exp(score - m) never overflows"


def qkv(batch, L, S, D, Dv, seed=0, dtype=torch.float32):
    return (randn(*batch, L, D, seed=seed, dtype=dtype), randn(*batch, S, D, seed=seed + 1, dtype=dtype),
            randn(*batch, S, Dv, seed=seed + 2, dtype=dtype))


def ref(q, k, v, causal=False):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def desc(batch, L, S, D, Dv):
    return f"q {(*batch, L, D)}, k {(*batch, S, D)}, v {(*batch, S, Dv)}"


def mode(causal):
    return "causal" if causal else "full"


# (batch, L, S, D, Dv, block_size): ragged last tiles, L != S both ways, block sizes 1, prime,
# larger than T, no / one / two batch dims.
CASES = [((), 13, 13, 4, 4, 4), ((2,), 17, 17, 8, 8, 5), ((2, 3), 9, 20, 4, 3, 7), ((1,), 20, 9, 6, 5, 7),
         ((2,), 11, 11, 4, 4, 1), ((3,), 37, 29, 8, 4, 100), ((2, 2), 1, 6, 4, 4, 3), ((2,), 6, 1, 4, 2, 3),
         ((), 64, 64, 8, 8, 16)]


def _ids(case):
    return f"b{case[0]}-L{case[1]}-S{case[2]}-D{case[3]}-Dv{case[4]}-block{case[5]}"


@pytest.mark.parametrize("causal", [False, True], ids=mode)
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_matches_sdpa(case, causal):
    *shape, block = case
    q, k, v = qkv(*shape, seed=1)
    out = flash_attention(q, k, v, causal=causal, block_size=block)
    assert_close(out, ref(q, k, v, causal),
                 what=f"flash_attention({desc(*shape)}, causal={causal}, block_size={block})",
                 hint=(HINT_CAUSAL + "; " if causal else "") + HINT_ONLINE + "; " + HINT_RAGGED)


def test_defaults_are_full_attention_and_block_64():
    q, k, v = qkv((2,), 150, 130, 8, 8, seed=2)  # ragged with 64: tiles of 64, 64, 22 and 64, 64, 2
    out = flash_attention(q, k, v)
    assert_close(out, ref(q, k, v), what=f"flash_attention({desc((2,), 150, 130, 8, 8)}) (defaults)",
                 hint="causal=False by default; " + HINT_RAGGED + "; " + HINT_ONLINE)
    # block_size=64 by default: at L = S = 150 and D = Dv = 1 the largest tensor is one 64 x 64 tile of
    # scores (a default of 32 never builds one, 128 or "everything at once" builds a bigger one)
    q1, k1, v1 = qkv((), 150, 150, 1, 1, seed=2)
    biggest = max((tuple(a.shape) for a in allocations(flash_attention, q1, k1, v1)), key=math.prod)
    if math.prod(biggest) != 64 * 64:
        raise SpecFailure(
            f"flash_attention(q (150, 1), k (150, 1), v (150, 1)) with the default block_size: its largest "
            f"allocation is {biggest}, expected a (64, 64) tile of scores\n  hint: the signature's default is "
            f"block_size=64 (tiles of 64 queries by 64 keys), not another size and not None for one tile")


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_float64(causal):
    q19, k, v = qkv((2,), 19, 23, 5, 3, seed=3, dtype=torch.float64)
    # 32: one tile covers everything; L = 1: one decoding query (a fast path, if any, is float64 too)
    for q, block in ((q19, 6), (q19, 32), (q19[..., :1, :], 32)):
        out = flash_attention(q, k, v, causal=causal, block_size=block)
        assert_close(out, ref(q, k, v, causal), what=f"flash_attention(float64 {desc((2,), q.shape[-2], 23, 5, 3)}, "
                     f"causal={causal}, block_size={block})", hint="compute in q's dtype on every path (one tile "
                     "covering everything included): the running max, sum and accumulator made with q.new_zeros / "
                     "q.new_full (torch.zeros(...) without dtype is float32, and float64 is compared to 1e-12)",
                     **TIGHT64)


@pytest.mark.parametrize("level", ["-150", "-1e35"])
@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_running_max_starts_at_minus_inf(causal, level):
    """Every score near -150: exp(score - 0) underflows float32 to 0 when the max starts at 0.
    Scores from -1e35 down (finite float32, key 0 the largest): a max started at -1e4 or -1e30
    underflows the same way, and a causal mask filled with -1e4 / -1e30 outweighs every real key."""
    q, k, v = qkv((2,), 9, 11, 4, 3, seed=20)
    q, k = q * 0.3, k * 0.3
    q[..., -1] = 1.0
    if level == "-150":
        k[..., -1] = -300.0  # q . k / sqrt(4) = -150 + small
    else:
        k[..., -1] = -2e35 * (1 + torch.arange(11.0) / 11)  # -1e35 (key 0) down to -1.9e35: weight 1 on key 0
    expected = ref(q.double(), k.double(), v.double(), causal).float()
    for block in (4, 16):  # 16: one tile covers everything (a fast path must mask with -inf too)
        out = flash_attention(q, k, v, causal=causal, block_size=block)
        assert_close(out, expected, what=f"flash_attention(q (2, 9, 4), k (2, 11, 4) with every score near {level}, "
                     f"causal={causal}, block_size={block})",
                     hint="start the running max at -inf (q.new_full(..., -inf)), not 0 or a 'very negative' "
                          "number: with the max stuck above every score exp(score - m) underflows to 0 and acc / l "
                          "is 0 / 0; mask the causal tile with -inf too (a finite fill such as -1e4 or -1e9 beats "
                          "real scores below it)", rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_empty_queries_or_batch(causal):
    for batch, L, dtype in [((2,), 0, torch.float32), ((0, 3), 5, torch.float32), ((2,), 0, torch.float64)]:
        q, k, v = qkv(batch, L, 6, 4, 3, seed=21, dtype=dtype)
        out = flash_attention(q, k, v, causal=causal, block_size=4)
        assert_close(out, ref(q, k, v, causal), what=f"flash_attention({desc(batch, L, 6, 4, 3)}, causal={causal}, "
                     f"block_size=4) (empty, {dtype})", hint="L = 0 or an empty batch gives an empty (..., L, Dv) output of q's dtype: "
                     "allocate the output first (q.new_empty) and fill it tile by tile (torch.cat of an empty list "
                     "fails; an early return of torch.empty(...) without dtype= is float32)")


@pytest.mark.parametrize("growing", [True, False], ids=["max-grows", "max-shrinks"])
def test_running_sum_is_rescaled_when_the_max_changes(growing):
    """Keys whose scores rise (or fall) steeply along S: every new tile moves the running max."""
    q, k, v = qkv((2,), 8, 24, 4, 4, seed=4)
    ramp = torch.linspace(0.2, 3.0, 24)[:, None]
    k = k.abs() * (ramp if growing else ramp.flip(0))
    q = q.abs()  # positive q . k: scores follow the ramp
    out = flash_attention(q, k, v, block_size=4)
    assert_close(out, ref(q, k, v), what=f"flash_attention(q (2, 8, 4), k (2, 24, 4) with scores "
                 f"{'rising' if growing else 'falling'} along the keys, block_size=4)", hint=HINT_ONLINE)


def test_weights_sum_to_one():
    """With v all ones the output is each row's total weight: exactly 1 (acc / l)."""
    q, k, _ = qkv((3,), 10, 14, 4, 1, seed=5)
    out = flash_attention(q, k, torch.ones(3, 14, 2), block_size=3)
    assert_close(out, torch.ones(3, 10, 2), what="flash_attention(q (3, 10, 4), k (3, 14, 4), v=ones, block_size=3)",
                 hint="the output is acc / l, where l is the sum of exp(score - m) over the same keys as acc, "
                      "rescaled the same way; " + HINT_ONLINE)


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_large_scores_do_not_overflow(causal):
    q, k, v = qkv((2,), 12, 12, 4, 4, seed=6)
    q12 = q * 60  # scores in the hundreds: exp(score) is inf in float32
    # 16: one tile covers everything; L = 1: one decoding query (a fast path, if any, is stable too)
    for q, block in ((q12, 5), (q12, 16), (q12[..., -1:, :], 16)):
        with default_dtype(torch.float64):  # float32 stays float32 whatever torch's default dtype
            out = flash_attention(q, k, v, causal=causal, block_size=block)
        assert_close(out, ref(q, k, v, causal), what=f"flash_attention(q {tuple(q.shape)} * 60 (scores ~ 100s), causal={causal}, "
                     f"block_size={block}) with torch's default dtype set to float64",
                     hint=HINT_STABLE + " (on every path, one tile included); and compute in q's dtype: running "
                     "statistics (torch.full / torch.zeros) or a mask (torch.where(..., -inf, 0.0)) built without "
                     "dtype= follow torch's default dtype (float64 here) and promote float32 tiles: use "
                     "q.new_full / q.new_zeros, a bool mask with masked_fill", rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("L,S", [(5, 12), (12, 5), (1, 9), (9, 1)])
def test_causal_is_aligned_top_left(L, S):
    q, k, v = qkv((2,), L, S, 4, 4, seed=7)
    out = flash_attention(q, k, v, causal=True, block_size=3)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=torch.ones(L, S, dtype=torch.bool).tril())
    assert_close(out, expected, what=f"flash_attention(q (2, {L}, 4), k (2, {S}, 4), causal=True, block_size=3)",
                 hint=HINT_CAUSAL + "; with L != S, query i still sees keys 0..i (not i + S - L)")


def test_causal_at_positions_past_1024():
    """L = S = 1100 in tiles of 550: a causal mask or an arange cached at import with a size cap
    (a 1024 x 1024 tril, torch.arange(1024)) is sliced short there. Rows checked one by one."""
    T = 1100
    q, k, v = qkv((), T, T, 1, 1, seed=8)
    out = flash_attention(q, k, v, causal=True, block_size=550)
    rows = [0, 549, 550, 1023, 1024, 1099]
    expected = torch.stack([torch.softmax(k[: i + 1, 0].double() * q[i, 0].double(), 0) @ v[: i + 1].double()
                            for i in rows]).float()
    assert_close(out[rows] if isinstance(out, torch.Tensor) else out, expected,
                 what=f"flash_attention(q ({T}, 1), k ({T}, 1), causal=True, block_size=550), rows {rows}",
                 hint=HINT_CAUSAL + "; L and S have no upper limit: build each tile's causal mask / positions "
                      "on every call (torch.arange(i0, i1, device=q.device)), not by slicing a table made at import")


@st.composite
def flash_case(draw):
    batch = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    L, S = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    D, Dv = draw(st.integers(1, 8)), draw(st.integers(1, 6))
    block = draw(st.integers(1, 48))
    causal = draw(st.booleans())
    return batch, L, S, D, Dv, block, causal


@given(case=flash_case(), seed=SEEDS)
def test_matches_sdpa_on_random_shapes(case, seed):
    batch, L, S, D, Dv, block, causal = case
    q, k, v = qkv(batch, L, S, D, Dv, seed=seed % 10_000)
    out = flash_attention(q, k, v, causal=causal, block_size=block)
    assert_close(out, ref(q, k, v, causal),
                 what=f"flash_attention({desc(batch, L, S, D, Dv)}, causal={causal}, block_size={block})",
                 hint=(HINT_CAUSAL + "; " if causal else "") + HINT_ONLINE + "; " + HINT_RAGGED)


def test_non_contiguous_inputs_are_left_alone():
    q, k, v = (non_contiguous(t) for t in qkv((2, 3), 11, 9, 4, 5, seed=8))
    with unchanged(q, k, v, names=["q", "k", "v"]):
        out = flash_attention(q, k, v, causal=True, block_size=4)
    assert_close(out, ref(q.contiguous(), k.contiguous(), v.contiguous(), True),
                 what="flash_attention(non-contiguous q, k, v, causal=True, block_size=4)", hint=HINT_CAUSAL)


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_helper_tensors_are_built_on_q_device(causal):
    """A mask or arange made without device= lives on the default device, not q's (on a GPU the
    first masked tile fails). First a cheap probe: CPU inputs with the default device set to
    meta, so such a helper lands on meta and clashes with (or is recorded beside) the CPU
    scores. A clash is then confirmed on meta inputs (where, as on a GPU, a CPU 0-dim helper is allowed); code that
    reads tensor data cannot run on meta and is not judged."""
    q, k, v = qkv((2,), 9, 7, 4, 3, seed=23)
    runs = [(slice(None), 4), (slice(None), 16), (slice(0, 0), 4)]  # tiles; one tile for all; L = 0
    assert_on_input_device(
        lambda: [flash_attention(q[..., rows, :], k, v, causal=causal, block_size=b) for rows, b in runs],
        lambda: [flash_attention(*(t.to("meta") for t in (q[..., rows, :], k, v)), causal=causal, block_size=b)
                 for rows, b in runs],
        what=f"flash_attention({desc((2,), 9, 7, 4, 3)} on the meta device, causal={causal}, block_size=4, then "
             f"block_size=16 (one tile covers everything), then L = 0",
        hint="build every helper tensor on q's device: torch.arange(i0, i1, device=q.device) for the causal "
             "mask's rows and columns, q.new_full / q.new_zeros for the running statistics; allocate the output "
             "on q's device (q.new_empty(*q.shape[:-1], Dv)): torch.empty(...) without device= puts it on the "
             "default device")
    assert_kept_state_follows_the_device(  # a mask cache kept from the CPU calls above, reused on meta inputs?
        lambda: [flash_attention(*(t.to("meta") for t in (q, k, v)), causal=causal, block_size=b) for b in (4, 16)],
        flash_attention,
        what=f"flash_attention({desc((2,), 9, 7, 4, 3)}, causal={causal}) called on the CPU, then on meta inputs "
             f"of the same shapes (block_size 4, then 16)",
        hint="do not keep masks in a module-level cache keyed by tile or shape only: it stays on the device of "
             "the first call; build them at every call on q's device (they are tiny)")


def test_writes_its_own_attention():
    q, k, v = qkv((2,), 10, 10, 4, 4, seed=9)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        flash_attention(q, k, v, block_size=4)
        flash_attention(q, k, v, causal=True, block_size=4)


# ------------------------------------------------------------------------ budgets

BUDGET_D, BUDGET_BLOCK = 16, 32


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_peak_memory_does_not_grow_with_T_squared(causal):
    """Budget: from T = 256 to 512 the peak bytes at most ~double (output and per-row statistics
    grow with T); a (T, T) score matrix would quadruple them."""
    peaks = {}
    for T in (256, 512):
        q, k, v = qkv((), T, T, BUDGET_D, BUDGET_D, seed=10)
        peaks[T] = peak_bytes(flash_attention, q, k, v, causal=causal, block_size=BUDGET_BLOCK)
    ratio = peaks[512] / max(peaks[256], 1)
    if not ratio < 3.0:
        naive = 512 * 512 * 4
        raise SpecFailure(
            f"flash_attention(q (T, {BUDGET_D}), causal={causal}, block_size={BUDGET_BLOCK}): peak memory "
            f"{peaks[256]:,} bytes at T=256 and {peaks[512]:,} at T=512, a ratio of {ratio:.2f}; the budget is "
            f"below 3 (linear memory doubles, a T x T matrix quadruples: {naive:,} bytes of scores at T=512)\n"
            f"  hint: keep only one (block_size x block_size) tile of scores alive at a time, plus per-row "
            f"running max, running sum and accumulator")


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_no_L_by_S_tensor_is_built(causal):
    L, S = 320, 448
    q, k, v = qkv((), L, S, BUDGET_D, BUDGET_D, seed=11)
    found = [a for a in allocations(flash_attention, q, k, v, causal=causal, block_size=BUDGET_BLOCK)
             if (L in a.shape and S in a.shape) or math.prod(a.shape) >= L * S // 2]
    if found:
        raise SpecFailure(
            f"flash_attention(q ({L}, {BUDGET_D}), k ({S}, {BUDGET_D}), causal={causal}, block_size={BUDGET_BLOCK}) "
            f"built {len(found)} tensor(s) of the size of the whole score matrix, first {found[0]}: that is "
            f"O(L * S) memory, what flash attention exists to avoid\n  hint: scores, probabilities and causal "
            f"masks are built one tile at a time ((block_size, block_size)), never for all of L x S")


@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_block_size_is_honoured(causal):
    """Budget: at block_size 8 with L = S = 64 and D = Dv = 1, nothing larger than the output
    (64 * 1 = 64 elements) is ever allocated; one 8 x 8 tile of scores is 64 too, so a tile of
    8 queries by 16 keys (keys tiled by another size) shows."""
    T, block, limit = 64, 8, 64
    q, k, v = qkv((), T, T, 1, 1, seed=22)
    found = [a for a in allocations(flash_attention, q, k, v, causal=causal, block_size=block)
             if math.prod(a.shape) > limit]
    if found:
        raise SpecFailure(
            f"flash_attention(q ({T}, 1), k ({T}, 1), v ({T}, 1), causal={causal}, block_size={block}) allocated "
            f"{len(found)} tensor(s) larger than the output ({limit} elements), first {found[0]}; a tile of scores "
            f"is at most {block} x {block} = {block * block}\n  hint: tile BOTH the queries and the keys by "
            f"block_size (scores of shape (..., <= block_size, <= block_size)); a fixed tile size, another size "
            f"for the keys than for the queries, or all keys (or all queries) at once, ignores the argument")


def test_causal_skips_the_tiles_above_the_diagonal():
    """Budget: at L = S = 256 with tiles of 32, causal needs 36 of the 64 tiles (0.5625 of the
    FLOPs); computing every tile and masking costs 1.0, and one fully masked tile too many per
    row of tiles (a loop bound off by one: 43 tiles) 0.67."""
    T = 256
    q, k, v = qkv((), T, T, BUDGET_D, BUDGET_D, seed=12)
    causal = count_flops(flash_attention, q, k, v, causal=True, block_size=BUDGET_BLOCK)
    full = count_flops(flash_attention, q, k, v, causal=False, block_size=BUDGET_BLOCK)
    if not causal <= 0.6 * full:
        raise SpecFailure(
            f"flash_attention(q ({T}, {BUDGET_D}), block_size={BUDGET_BLOCK}): {causal:,} matmul FLOPs with "
            f"causal=True and {full:,} without, a ratio of {causal / max(full, 1):.3f}; the budget is <= 0.6 "
            f"(skipping the tiles entirely above the diagonal gives 36 / 64 = 0.5625)\n  hint: for a tile of "
            f"queries i0..i1-1, the keys from i1 on are all masked: stop the loop over key tiles there "
            f"(j0 < i1, i1 exclusive) instead of computing them and masking")


# ------------------------------------------------------------------------ CUDA budgets

@gpu
@pytest.mark.parametrize("causal", [False, True], ids=mode)
def test_cuda_matches_sdpa(causal):
    q, k, v = (t.cuda() for t in qkv((2, 4), 300, 300, 64, 64, seed=13))
    out = flash_attention(q, k, v, causal=causal)
    assert_close(out, ref(q, k, v, causal), what=f"flash_attention on CUDA, q (2, 4, 300, 64), causal={causal}",
                 hint="create the running statistics and the output on q's device", rtol=1e-3, atol=1e-3)


@gpu
def test_cuda_peak_memory_is_far_below_naive_attention():
    """On a GPU at T = 4096: flash's peak bytes stay below a quarter of naive attention's
    (softmax(q k^T) v materialises (H, T, T) scores and weights)."""
    q, k, v = (t.cuda() for t in qkv((2,), 4096, 4096, 64, 64, seed=14))

    def naive(q, k, v):
        return torch.softmax(q @ k.transpose(-2, -1) / 8.0, dim=-1) @ v

    flash = cuda_peak_bytes(flash_attention, q, k, v)
    baseline = cuda_peak_bytes(naive, q, k, v)
    if not flash < baseline / 4:
        raise SpecFailure(
            f"flash_attention(q (2, 4096, 64)) on CUDA: peak {flash:,} bytes, naive attention {baseline:,}; "
            f"the budget is below a quarter of naive\n  hint: only one tile of scores may be alive at a time")
