"""Specs for katas/inference/kv_cache.py (day 22): KVCache, SlidingWindowCache, CachedSelfAttention.

Contract -> specs:
- KVCache: preallocated, update writes at length.. and returns everything so far, as a tuple
  (SlidingWindowCache's too, before and after the window fills):
  test_kv_cache_update_returns_everything_so_far, test_kv_cache_starts_empty_*; "length: an int,
  0 at first": test_kv_cache_update_returns_* (exact int), test_kv_cache_starts_empty_*;
  ValueError past max_len, cache left as it was: test_kv_cache_overflow_*; ValueError for k, v
  of another batch / n_heads / head_dim or a 3-D k, v (KVCache and SlidingWindowCache), cache unchanged
  (also a good k with a bad v that fills the window: v checked before any key is written):
  test_update_of_the_wrong_shape_raises_value_error; reset:
  test_kv_cache_reset_*; dtype default float32 (also under a float64 default dtype, both caches), dtype and device honoured (meta device):
  test_kv_cache_default_dtype_*, test_caches_live_on_the_given_device (device=None under a meta
  default device too; still there after reset()); reset keeps the dtype (float64): test_kv_cache_reset_*; non-contiguous k, v:
  test_kv_cache_non_contiguous_*; views, never torch.cat: test_kv_cache_update_allocates_*
- SlidingWindowCache: last min(length, window) oldest first, length an int past window:
  test_sliding_cache_returns_*, test_sliding_cache_multi_position_updates (length too, after an
  update longer than the window, and one longer than twice the window); reset, dtype:
  test_sliding_cache_reset_and_dtype; device: test_caches_live_on_the_given_device; non-contiguous
  k, v: test_sliding_cache_non_contiguous_inputs; fixed memory: test_sliding_cache_memory_is_fixed
- CachedSelfAttention: state_dict keys; full forward (T = 1030 too: no mask table of a fixed size;
  qkv split, rotate-half RoPE, causal, scale,
  proj); decoding token by token (and two sequences in turn, each with its own cache: RoPE's start
  from that cache's length, no counter on the model), prefill + decode, prefill + chunk (bottom-right mask; run with
  torch's default dtype set to float64: float32 stays float32), any chunks; length follows;
  float64 computed in float64 (1e-12, RoPE angles included, the scale at D = 6, also after a float32 call then
  .double(): no table cached on the module); scores ~2e5
  (no finite mask, a max-shifted softmax on every path, T = 1 included): test_float64_decoding; non-contiguous
  x; gradients; sliding-window decoding: the tests of that section
- CachedSelfAttention on x's device (mask, RoPE tables; default device set to meta, a clash
  confirmed on the meta device, with KVCache and SlidingWindowCache; a model called on the CPU, then
  moved to meta: no mask or table cached on the module, in a module-level dict or an lru_cache):
  test_forward_runs_on_the_input_device
- budgets: FLOPs per step linear in the context and independent of max_len (max_len 256 for every
  context), the new token projected only, no cache-sized allocation: test_decode_step_*
"""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.budgets import PeakMemory, allocations, count_flops, gpu, median_time
from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_kept_state_follows_the_device,
                            assert_on_input_device, assert_raises, non_contiguous, on_meta, randn, tensors_held,
                            unchanged)
from harness.edges import assert_exact_type, default_dtype
from katas.inference.kv_cache import CachedSelfAttention, KVCache, SlidingWindowCache

SEEDS = st.integers(0, 2**31 - 1)
aten = torch.ops.aten

# float32 results are compared with a float64 reference: RoPE angles computed in float32 and a
# different summation order stay well inside these.
TOL32 = dict(rtol=1e-4, atol=1e-4)
# float64 is computed in float64 (the contract says so, RoPE angles included): a float32 frequency
# table or arange is ~1e-7 off, far outside these
TOL64 = dict(rtol=1e-12, atol=1e-12)

HINT_UPDATE = ("update(k, v) writes the T new positions at length .. length+T-1 and returns "
               "buffer[:, :, :length] for keys and values (every position so far, oldest first)")
HINT_RESET = "reset() sets length back to 0: the next update writes at position 0 again"
HINT_FULL = ("without a cache: q, k, v = qkv(x) split in that order, heads of D = C // H channels, "
             "rotate-half RoPE (pair i with i + D/2, angle p * 10000^(-2i/D)) on q and k at "
             "positions 0..T-1, causal attention with scale 1/sqrt(D), merge heads, proj")
HINT_OFFSET = ("the new tokens sit at positions cache.length .. cache.length+T-1: rotate q and k with "
               "that offset (read cache.length BEFORE update), not from position 0")
HINT_BOTTOM_RIGHT = ("with a cache the T new queries are the LAST T of the S keys: query t sees key j "
                     "when j <= S - T + t (tril(diagonal=S - T)); is_causal=True aligns top-left, "
                     "which is only right when S == T")
HINT_WINDOW = ("token p must see the keys at positions p - window < j <= p: update returns the last "
               "min(length, window) keys, oldest first; and RoPE needs the true position p "
               "(tokens seen so far), not the number of keys stored")
HINT_CAT = ("write into the preallocated buffer in place (self.k[:, :, start:end] = k) and return a "
            "slice of it; torch.cat (or stack, clone, contiguous) copies the whole cache every step")


# ------------------------------------------------------------------------ an independent reference

def make_weights(C, seed, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    w = lambda *shape, scale: (torch.randn(shape, generator=gen, dtype=torch.float64) * scale).to(dtype)
    return {"qkv.weight": w(3 * C, C, scale=1 / math.sqrt(C)), "qkv.bias": w(3 * C, scale=0.1),
            "proj.weight": w(C, C, scale=1 / math.sqrt(C)), "proj.bias": w(C, scale=0.1)}


def make_attention(C, H, seed=0, dtype=torch.float32):
    attn = CachedSelfAttention(C, H).to(dtype)  # convert first: loading float64 weights into float32
    sd = make_weights(C, seed, dtype)            # parameters would round them
    attn.load_state_dict(sd)
    return attn, sd


def rope_reference(x, positions):
    """Rotate-half RoPE as complex multiplication: channel pair (i, i + D/2) is x_i + 1j x_{i+D/2}."""
    D = x.shape[-1]
    theta = 10000.0 ** (-2 * torch.arange(D // 2, dtype=torch.float64) / D)
    z = torch.complex(x[..., :D // 2], x[..., D // 2:]) * torch.polar(
        torch.ones(len(positions), D // 2, dtype=torch.float64), positions[:, None].double() * theta)
    return torch.cat([z.real, z.imag], dim=-1)


def reference(x, sd, H, window=None):
    """Causal (optionally sliding-window) self-attention with RoPE, computed in float64."""
    x64 = x.double()
    sd = {n: t.double() for n, t in sd.items()}
    B, T, C = x.shape
    q, k, v = F.linear(x64, sd["qkv.weight"], sd["qkv.bias"]).split(C, dim=-1)
    q, k, v = (t.reshape(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
    pos = torch.arange(T)
    q, k = rope_reference(q, pos), rope_reference(k, pos)
    i, j = pos[:, None], pos[None, :]
    mask = j <= i
    if window is not None:
        mask &= j > i - window
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return F.linear(out.transpose(1, 2).reshape(B, T, C), sd["proj.weight"], sd["proj.bias"]).to(x.dtype)


def decode(attn, x, cache, chunks):
    """Feed x (B, T, C) through attn in consecutive chunks of the given sizes; cat the outputs."""
    outs, start = [], 0
    for size in chunks:
        outs.append(attn(x[:, start:start + size], cache))
        start += size
    assert start == x.shape[1]
    return torch.cat(outs, dim=1)


def tok(B, H, T, D, seed, dtype=torch.float32):
    return randn(B, H, T, D, seed=seed, dtype=dtype), randn(B, H, T, D, seed=seed + 1, dtype=dtype)


# ------------------------------------------------------------------------ KVCache

def test_kv_cache_update_returns_everything_so_far():
    B, H, D = 2, 3, 5
    cache = KVCache(B, H, 11, D)
    seen_k, seen_v = [], []
    for step, T in enumerate([3, 1, 4, 1, 2]):
        k, v = tok(B, H, T, D, seed=10 * step)
        out = cache.update(k, v)
        assert_exact_type(out, tuple, f"KVCache(2, 3, 11, 5).update(...) #{step + 1} (keys, values)")
        keys, values = out
        seen_k.append(k)
        seen_v.append(v)
        n = sum(t.shape[2] for t in seen_k)
        what = f"KVCache(2, 3, 11, 5): update #{step + 1} (of {T} positions, {n} in all)"
        assert_close(keys, torch.cat(seen_k, dim=2), what=what + " keys", hint=HINT_UPDATE)
        assert_close(values, torch.cat(seen_v, dim=2), what=what + " values", hint=HINT_UPDATE)
        assert_close(cache.length, n, what=what + ": cache.length", hint="length counts the positions stored")
        assert_exact_type(cache.length, int, what + ": cache.length")


def test_kv_cache_starts_empty_and_fills_to_max_len():
    cache = KVCache(1, 2, 4, 2)
    assert_close(cache.length, 0, what="KVCache(1, 2, 4, 2).length before any update")
    assert_exact_type(cache.length, int, "KVCache(1, 2, 4, 2).length before any update")
    k, v = tok(1, 2, 4, 2, seed=1)
    keys, values = cache.update(k, v)
    assert_close(keys, k, what="KVCache(1, 2, 4, 2).update(4 positions) keys: a full cache", hint=HINT_UPDATE)
    assert_close(values, v, what="KVCache(1, 2, 4, 2).update(4 positions) values", hint=HINT_UPDATE)


def test_kv_cache_overflow_raises_value_error_and_leaves_the_cache_as_it_was():
    cache = KVCache(1, 2, 5, 4)
    k1, v1 = tok(1, 2, 3, 4, seed=2)
    cache.update(k1, v1)
    assert_raises(ValueError, cache.update, *tok(1, 2, 3, 4, seed=3),
                  contract="Raises ValueError if length + T would exceed max_len",
                  what="KVCache(1, 2, 5, 4) holding 3 positions: update(3 more positions)",
                  hint="check length + T > max_len BEFORE writing; a slice past the end of the buffer "
                       "raises a RuntimeError (or silently keeps fewer positions)")
    assert_close(cache.length, 3, what="KVCache(1, 2, 5, 4).length after a refused update (3 stored)",
                 hint="check first, then write and add T: a refused update must leave the cache as it was")
    k2, v2 = tok(1, 2, 2, 4, seed=4)
    keys, values = cache.update(k2, v2)
    assert_close((keys, values), (torch.cat([k1, k2], 2), torch.cat([v1, v2], 2)),
                 what="KVCache(1, 2, 5, 4): update(2 positions) after a refused update (3 stored)",
                 hint="a refused update writes nothing: the next update continues at the old length")


BAD_SHAPES = [((1, 2, 2, 4), (1, 2, 2, 4), "batch 1 into a batch-3 cache (it would broadcast)"),
              ((2, 2, 2, 4), (2, 2, 2, 4), "batch 2 into a batch-3 cache"),
              ((4, 2, 2, 4), (4, 2, 2, 4), "batch 4 into a batch-3 cache"),
              ((3, 1, 2, 4), (3, 1, 2, 4), "1 head into a 2-head cache (it would broadcast)"),
              ((3, 2, 2, 5), (3, 2, 2, 5), "head_dim 5 into a head_dim-4 cache"),
              ((3, 2, 2, 4), (3, 2, 1, 4), "k of 2 positions with v of 1"),
              ((3, 2, 4), (3, 2, 4), "3-D k, v without their T dim (T = head_dim would broadcast)"),
              ((3, 2, 8, 4), (3, 1, 8, 4), "a good k of 8 positions with v of 1 head (a window's worth: "
               "the keys written before v is checked would overwrite every kept key)")]


@pytest.mark.parametrize("kind", ["KVCache", "SlidingWindowCache"])
@pytest.mark.parametrize("k_shape,v_shape,case", BAD_SHAPES, ids=[c[2].split(" (")[0] for c in BAD_SHAPES])
def test_update_of_the_wrong_shape_raises_value_error(kind, k_shape, v_shape, case):
    cache = KVCache(3, 2, 8, 4) if kind == "KVCache" else SlidingWindowCache(3, 2, 8, 4)
    k1, v1 = tok(3, 2, 2, 4, seed=40)
    cache.update(k1, v1)
    assert_raises(ValueError, cache.update, randn(*k_shape, seed=41), randn(*v_shape, seed=42),
                  contract="ValueError if k or v is not (batch, n_heads, T, head_dim) with the cache's own batch, "
                           "n_heads and head_dim, before writing anything",
                  what=f"{kind}(3, 2, 8, 4).update(k {k_shape}, v {v_shape}): {case}",
                  hint="compare k.shape and v.shape with (batch, n_heads, T, head_dim) first and raise ValueError: "
                       "slice assignment broadcasts a size-1 batch or head dim silently")
    assert_close(cache.length, 2, what=f"{kind}(3, 2, 8, 4).length after a refused update ({case})",
                 hint="check the shapes before writing or counting: a refused update leaves the cache as it was")
    k2, v2 = tok(3, 2, 1, 4, seed=43)
    keys, values = cache.update(k2, v2)
    assert_close((keys, values), (torch.cat([k1, k2], 2), torch.cat([v1, v2], 2)),
                 what=f"{kind}(3, 2, 8, 4): a valid update after a refused one ({case})",
                 hint="a refused update writes nothing: check k AND v before writing either")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_kv_cache_reset_starts_over(dtype):
    cache = KVCache(2, 2, 6, 4, dtype=dtype)
    cache.update(*tok(2, 2, 5, 4, seed=4, dtype=dtype))
    cache.reset()
    assert_close(cache.length, 0, what="KVCache.length after reset()", hint=HINT_RESET)
    assert_exact_type(cache.length, int, "KVCache.length after reset()")
    k, v = tok(2, 2, 2, 4, seed=5, dtype=dtype)
    keys, values = cache.update(k, v)
    hint = HINT_RESET + "; the buffers keep their dtype and device (a reallocation with torch.zeros(shape) follows the default dtype)"
    assert_close(keys, k, what=f"KVCache(..., dtype={dtype}): keys returned by the first update after reset()", hint=hint)
    assert_close(values, v, what=f"KVCache(..., dtype={dtype}): values returned by the first update after reset()",
                 hint=hint)


def test_kv_cache_default_dtype_and_explicit_dtype_device():
    cache = KVCache(1, 2, 3, 4)
    keys, values = cache.update(*tok(1, 2, 1, 4, seed=6))
    assert_close(keys.dtype, torch.float32, what="KVCache(1, 2, 3, 4) (default dtype): keys.dtype")
    with default_dtype(torch.float64):  # the default is dtype=torch.float32, not torch's default dtype
        caches = [KVCache(1, 2, 3, 4), SlidingWindowCache(1, 2, 3, 4)]
    for cache in caches:
        keys, values = cache.update(*tok(1, 2, 1, 4, seed=6))
        assert_close((keys.dtype, values.dtype), (torch.float32, torch.float32),
                     what=f"{type(cache).__name__}(1, 2, 3, 4) made under torch.set_default_dtype(torch.float64): "
                          "(keys.dtype, values.dtype)",
                     hint="the dtype argument defaults to torch.float32: pass dtype=dtype to torch.zeros (dtype=None "
                          "would follow torch's default dtype)")
    cache = KVCache(1, 2, 3, 4, dtype=torch.float64, device="cpu")
    k, v = tok(1, 2, 2, 4, seed=7, dtype=torch.float64)
    keys, values = cache.update(k, v)
    assert_close(keys, k, what="KVCache(..., dtype=torch.float64, device='cpu').update(k, v) keys",
                 hint="allocate the buffers with the dtype and device given")
    assert_close(values, v, what="KVCache(..., dtype=torch.float64, device='cpu').update(k, v) values")


def test_kv_cache_non_contiguous_inputs_are_left_alone():
    cache = KVCache(2, 3, 8, 4)
    k, v = non_contiguous(randn(2, 3, 5, 4, seed=8)), randn(2, 5, 3, 4, seed=9).transpose(1, 2)
    with unchanged(k, v, names=["k", "v"]):
        keys, values = cache.update(k, v)
    assert_close(keys, k.contiguous(), what="KVCache.update(non-contiguous k, v) keys", hint=HINT_UPDATE)
    assert_close(values, v.contiguous(), what="KVCache.update(non-contiguous k, v) values", hint=HINT_UPDATE)


def _update_allocations(length, B=2, H=2, D=8, max_len=64):
    cache = KVCache(B, H, max_len, D)
    cache.update(*tok(B, H, length, D, seed=11))
    k, v = tok(B, H, 1, D, seed=12)
    return allocations(cache.update, k, v)


def test_kv_cache_update_allocates_nothing_that_grows():
    """Budget: one update at length 10 and at length 50 allocate the same bytes (a correct one:
    none), and never a tensor as large as the cache contents (B, H, length, D)."""
    B, H, D = 2, 2, 8
    short, long = _update_allocations(10), _update_allocations(50)
    big = [a for a in long if a.nbytes >= B * H * 50 * D * 4 // 2]
    grown = sum(a.nbytes for a in long) - sum(a.nbytes for a in short)
    if big or grown > 0:
        first = big[0] if big else max(long, key=lambda a: a.nbytes)
        raise SpecFailure(
            f"KVCache(2, 2, 64, 8).update(one position): at length 50 it allocated "
            f"{sum(a.nbytes for a in long):,} bytes ({len(long)} tensors, e.g. {first}), at length 10 "
            f"{sum(a.nbytes for a in short):,}: the cache is copied at every step instead of written in "
            f"place\n  hint: {HINT_CAT}")


# ------------------------------------------------------------------------ SlidingWindowCache

@pytest.mark.parametrize("window", [1, 3, 4])
def test_sliding_cache_returns_the_last_window_in_order(window):
    B, H, D = 2, 2, 3
    cache = SlidingWindowCache(B, H, window, D)
    ks, vs = tok(B, H, 11, D, seed=13)
    for n in range(1, 12):
        out = cache.update(ks[:, :, n - 1:n], vs[:, :, n - 1:n])
        lo = max(0, n - window)
        what = f"SlidingWindowCache(2, 2, window={window}, 3) after {n} single updates"
        assert_exact_type(out, tuple, what + ": update(...) (keys, values)")  # before and after the window fills
        keys, values = out
        assert_close(keys, ks[:, :, lo:n], what=what + " keys",
                     hint="return the last min(length, window) keys, oldest first (a ring buffer must "
                          "be read starting at the oldest slot)")
        assert_close(values, vs[:, :, lo:n], what=what + " values", hint="the same order as the keys")
        assert_close(cache.length, n, what=what + ": length",
                     hint="length counts every token seen (it grows past window: it is the next position)")
        assert_exact_type(cache.length, int, what + ": length")


def test_sliding_cache_multi_position_updates():
    B, H, D, window = 1, 3, 2, 4
    cache = SlidingWindowCache(B, H, window, D)
    ks, vs = tok(B, H, 24, D, seed=14)
    n = 0
    for T in [3, 1, 6, 2, 3, 9]:  # 6 > window: only its last 4 survive; 9 > 2 * window, from slot 3
        what = f"SlidingWindowCache(1, 3, window=4, 2): update of {T} positions ({n + T} seen)"
        try:
            keys, values = cache.update(ks[:, :, n:n + T], vs[:, :, n:n + T])
        except RuntimeError as err:
            raise SpecFailure(f"{what} raised RuntimeError: {str(err)[:300]}\n  hint: an update may hold "
                              "more than twice the window: a write that wraps around the ring once (the "
                              "part up to the end, then the rest from slot 0) must keep only the last "
                              "window positions of k and v first") from None
        n += T
        lo = max(0, n - window)
        assert_close(keys, ks[:, :, lo:n], what=what + " keys", hint="return the last min(length, window) keys, oldest first")
        assert_close(values, vs[:, :, lo:n], what=what + " values")
        assert_close(cache.length, n, what=what + ": length",
                     hint="length counts every token seen, also those of an update longer than the window "
                          "that never get stored (add T before dropping all but the last window positions)")


def test_sliding_cache_reset_and_dtype():
    cache = SlidingWindowCache(1, 2, 3, 4, dtype=torch.float64)
    cache.update(*tok(1, 2, 5, 4, seed=15, dtype=torch.float64))
    cache.reset()
    assert_close(cache.length, 0, what="SlidingWindowCache.length after reset()", hint=HINT_RESET)
    assert_exact_type(cache.length, int, "SlidingWindowCache.length after reset()")
    k, v = tok(1, 2, 1, 4, seed=16, dtype=torch.float64)
    keys, values = cache.update(k, v)
    assert_close(keys, k, what="SlidingWindowCache(..., dtype=float64): keys after reset() and one update",
                 hint=HINT_RESET + "; and only the new position is returned")
    assert_close(values, v, what="SlidingWindowCache(..., dtype=float64): values after reset() and one update")


def test_sliding_cache_non_contiguous_inputs():
    B, H, D, window = 2, 3, 4, 3
    cache = SlidingWindowCache(B, H, window, D)
    assert_close(cache.length, 0, what="SlidingWindowCache(2, 3, window=3, 4).length before any update")
    ks, vs = tok(B, H, 7, D, seed=18)
    n = 0
    for T in [2, 1, 4]:
        k, v = non_contiguous(ks[:, :, n:n + T]), vs[:, :, n:n + T].transpose(0, 1).contiguous().transpose(0, 1)
        keys, values = cache.update(k, v)
        n += T
        what = f"SlidingWindowCache(2, 3, window=3, 4).update(non-contiguous k, v of {T} positions) ({n} seen)"
        assert_close(keys, ks[:, :, max(0, n - window):n], what=what + " keys",
                     hint="k and v may come straight from a transpose: use reshape or slice assignment, "
                          "never .view on them")
        assert_close(values, vs[:, :, max(0, n - window):n], what=what + " values")


def test_caches_live_on_the_given_device():
    cache = KVCache(2, 2, 8, 4, device="meta")
    kv = on_meta(cache.update, torch.empty(2, 2, 3, 4, device="meta"), torch.empty(2, 2, 3, 4, device="meta"),
                 what="KVCache(2, 2, 8, 4, device='meta').update(meta k, v)",
                 hint="allocate the buffers with device=device (None is the default device)")
    if kv is not None:  # None: the code reads data, which the meta device cannot judge
        keys, values = kv
        assert_close((str(keys.device), str(values.device), tuple(keys.shape)), ("meta", "meta", (2, 2, 3, 4)),
                     what="KVCache(2, 2, 8, 4, device='meta').update(meta k, v): (keys.device, values.device, "
                          "keys.shape)", hint="allocate the buffers with device=device")
    for made, default in ((lambda: SlidingWindowCache(2, 2, 3, 4, device="meta"), False),
                          (lambda: SlidingWindowCache(2, 2, 3, 4), True), (lambda: KVCache(2, 2, 3, 4), True)):
        with torch.device("meta" if default else "cpu"):  # device=None: the default device (here meta)
            cache = made()
        name = f"{type(cache).__name__}(2, 2, 3, 4{'' if default else ', device=meta'})" + (
            " made with the default device set to meta" if default else "")
        for when in ("right after construction", "after reset() (called outside that default device)"):
            if when.startswith("after"):
                cache.reset()
            held = [t for t in tensors_held(cache, 2) if t.numel() >= 2 * 2 * 3 * 4]
            off = [f"{tuple(t.shape)} on {t.device}" for t in held if str(t.device) != "meta"]
            if not held or off:
                raise SpecFailure(f"{name} holds {off or 'no (2, 2, 3, 4) buffer'} {when}; its "
                                  f"buffers must be preallocated on the device given (device=None: the default "
                                  f"device) and stay there\n  hint: torch.zeros(batch, n_heads, window (or max_len), "
                                  f"head_dim, dtype=dtype, device=device) in __init__, device passed as it is "
                                  f"(`device or 'cpu'` pins the cache to the CPU); reset() only sets length to 0 "
                                  f"(a buffer reallocated there without device= lands on the default device)")


def _bytes_held(n_tokens, B=2, H=2, window=4, D=8):
    """Bytes of tensor storage still alive after building the cache and feeding it n_tokens
    single positions (each made inside the tracker, so keeping them counts)."""
    gen = torch.Generator().manual_seed(17)
    with torch.no_grad(), PeakMemory() as tracker:
        cache = SlidingWindowCache(B, H, window, D)
        for _ in range(n_tokens):
            k, v = torch.randn(B, H, 1, D, generator=gen), torch.randn(B, H, 1, D, generator=gen)
            cache.update(k, v)
            del k, v
        held = tracker.live
    del cache
    return held


def test_sliding_cache_memory_is_fixed():
    """Budget: the bytes the cache keeps alive after 8 tokens and after 40 are the same."""
    few, many = _bytes_held(8), _bytes_held(40)
    slack = 2 * 2 * 2 * 8 * 4  # one new (k, v) position's bytes
    if many > few + slack:
        raise SpecFailure(
            f"SlidingWindowCache(2, 2, window=4, 8): holds {few:,} bytes after 8 tokens and {many:,} after "
            f"40; a sliding-window cache must stay the same size however many tokens pass through\n"
            f"  hint: keep a (B, H, window, D) buffer per tensor and overwrite the oldest slot "
            f"(position p goes to slot p % window); do not keep every position and slice the last window")


# ------------------------------------------------------------------------ CachedSelfAttention

def test_state_dict_keys_and_shapes():
    attn = CachedSelfAttention(12, 3)
    shapes = {n: tuple(t.shape) for n, t in attn.state_dict().items()}
    expected = {"qkv.weight": (36, 12), "qkv.bias": (36,), "proj.weight": (12, 12), "proj.bias": (12,)}
    assert_close(shapes, expected, what="CachedSelfAttention(12, 3).state_dict() keys and shapes",
                 hint="two nn.Linear layers named qkv (C -> 3C) and proj (C -> C), with biases")


# (1, 1030, 2, 1): longer than a causal mask cut from a table cached at import (a 1024 x 1024 tril)
@pytest.mark.parametrize("B,T,C,H", [(1, 1, 8, 2), (2, 7, 12, 3), (3, 13, 16, 2), (1, 5, 4, 1), (1, 1030, 2, 1)])
def test_full_forward_without_cache(B, T, C, H):
    attn, sd = make_attention(C, H, seed=20)
    x = randn(B, T, C, seed=21)
    out = attn(x)
    assert_close(out, reference(x, sd, H), what=f"CachedSelfAttention({C}, {H})(x {(B, T, C)})",
                 hint=HINT_FULL + "; build the mask for this call's own T and S (no table of a fixed size "
                 "made at import or at the first call)", **TOL32)


def test_token_by_token_decoding_equals_the_full_forward():
    B, T, C, H = 2, 9, 16, 2
    attn, sd = make_attention(C, H, seed=22)
    x = randn(B, T, C, seed=23)
    out = decode(attn, x, KVCache(B, H, 16, C // H), [1] * T)
    assert_close(out, reference(x, sd, H),
                 what=f"CachedSelfAttention({C}, {H}): 9 tokens decoded one at a time through a KVCache",
                 hint=HINT_OFFSET, **TOL32)
    # two sequences served in turn by one model, each through its own cache (a prefill of 3 and of 1,
    # then single tokens): every position comes from its own cache's length, not a counter on the model
    first, second = KVCache(1, H, 8, C // H), KVCache(1, H, 8, C // H)
    a, b = [attn(x[:1, :3], first)], [attn(x[1:, :1], second)]
    for t in range(3):
        a.append(attn(x[:1, 3 + t:4 + t], first))
        b.append(attn(x[1:, 1 + t:2 + t], second))
    assert_close((torch.cat(a, 1), torch.cat(b, 1)), (reference(x[:1, :6], sd, H), reference(x[1:, :4], sd, H)),
                 what=f"CachedSelfAttention({C}, {H}) serving two sequences in turn, each with its own KVCache "
                      "(prefills of 3 and 1 tokens, then single tokens alternately)",
                 hint="RoPE's start is cache.length of the cache passed in, read at every call: a position "
                      "counter kept on the module mixes up two sequences (or a cache after reset())", **TOL32)


def test_prefill_7_then_decode_5_equals_a_full_forward_of_12():
    B, C, H = 2, 12, 3
    attn, sd = make_attention(C, H, seed=24)
    x = randn(B, 12, C, seed=25)
    out = decode(attn, x, KVCache(B, H, 12, C // H), [7, 1, 1, 1, 1, 1])
    expected = reference(x, sd, H)
    assert_close(out[:, :7], expected[:, :7], what="CachedSelfAttention(12, 3): prefill of 7 through an empty KVCache",
                 hint="a prefill is an ordinary causal forward whose k, v also go into the cache", **TOL32)
    assert_close(out[:, 7:], expected[:, 7:], what="CachedSelfAttention(12, 3): 5 tokens decoded after a prefill of 7",
                 hint=HINT_OFFSET, **TOL32)


def test_prefill_7_then_a_chunk_of_5_equals_a_full_forward_of_12():
    B, C, H = 1, 12, 2
    attn, sd = make_attention(C, H, seed=26)
    x = randn(B, 12, C, seed=27)
    with default_dtype(torch.float64):  # a float32 model stays float32 whatever torch's default dtype
        out = decode(attn, x, KVCache(B, H, 20, C // H), [7, 5])
    assert_close(out[:, 7:], reference(x, sd, H)[:, 7:],
                 what="CachedSelfAttention(12, 2): a chunk of 5 tokens after a prefill of 7 "
                      "(torch's default dtype set to float64)",
                 hint=HINT_BOTTOM_RIGHT + "; " + HINT_OFFSET + "; and a mask made with torch.full(..., float('-inf')) "
                      "without dtype= follows torch's default dtype (float64 here) and promotes float32 scores: "
                      "use a bool mask (torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T))", **TOL32)


@st.composite
def decoding_case(draw):
    B, H = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    D = draw(st.sampled_from([2, 4, 6]))
    T = draw(st.integers(1, 12))
    chunks, left = [], T
    while left:
        chunks.append(draw(st.integers(1, left)))
        left -= chunks[-1]
    return B, H, D, chunks


@given(case=decoding_case(), seed=SEEDS)
def test_any_split_into_chunks_equals_the_full_forward(case, seed):
    B, H, D, chunks = case
    T, C = sum(chunks), H * D
    attn, sd = make_attention(C, H, seed=seed % 10_000)
    x = randn(B, T, C, seed=seed % 10_000 + 1)
    out = decode(attn, x, KVCache(B, H, T + 2, D), chunks)
    assert_close(out, reference(x, sd, H),
                 what=f"CachedSelfAttention({C}, {H}) fed {T} tokens in chunks {chunks} through a KVCache",
                 hint=HINT_OFFSET + "; " + HINT_BOTTOM_RIGHT, **TOL32)


def test_cache_length_follows_the_tokens_fed():
    attn, _ = make_attention(8, 2, seed=28)
    cache = KVCache(1, 2, 10, 4)
    decode(attn, randn(1, 6, 8, seed=29), cache, [4, 1, 1])
    assert_close(cache.length, 6, what="KVCache.length after CachedSelfAttention fed 4 + 1 + 1 tokens through it",
                 hint="forward(x, cache) must call cache.update(k, v) once with the new tokens' keys and values")


def test_float64_decoding():
    B, T, C, H = 2, 6, 8, 2
    attn, sd = make_attention(C, H, seed=30, dtype=torch.float64)
    x = randn(B, T, C, seed=31, dtype=torch.float64)
    out = decode(attn, x, KVCache(B, H, T, C // H, dtype=torch.float64), [2, 1, 3])
    assert_close(out, reference(x, sd, H), what="CachedSelfAttention(8, 2).double() decoding float64 tokens",
                 hint="compute in float64 throughout: positions and frequencies from a float64 arange (a float32 "
                      "torch.arange gives angles ~1e-7 off), cos/sin in x.dtype", **TOL64)
    out = attn(x)
    assert_close(out, reference(x, sd, H), what="CachedSelfAttention(8, 2).double()(float64 x (2, 6, 8)) without "
                 "a cache", hint="compute in float64 throughout: RoPE angles from a float64 arange", **TOL64)
    # D = 6 (D = 4 above has the exact scale 1/2): 1/sqrt(6) rounded to float32 is ~1e-8 off
    attn6, sd6 = make_attention(12, 2, seed=32, dtype=torch.float64)
    x6 = randn(B, T, 12, seed=33, dtype=torch.float64)
    out = decode(attn6, x6, KVCache(B, 2, T, 6, dtype=torch.float64), [2, 1, 3])
    assert_close(out, reference(x6, sd6, 2), what="CachedSelfAttention(12, 2).double() (D = 6) decoding float64 "
                 "tokens in chunks [2, 1, 3]", hint="the scale 1/sqrt(D) in float64 on every path: a Python float "
                 "(1 / math.sqrt(D)), not a float32 tensor such as torch.tensor(D).sqrt()", **TOL64)
    big = x * 300  # scores up to ~2e5 apart: a finite mask (-1e4) leaks, exp without the max shift overflows
    out = decode(attn, big, KVCache(B, H, T, C // H, dtype=torch.float64), [2, 1, 3])
    assert_close(out, reference(big, sd, H), what="CachedSelfAttention(8, 2).double() decoding float64 tokens x 300 "
                 "(attention scores up to ~2e5) in chunks [2, 1, 3]",
                 hint="masked keys get exactly zero weight (a boolean mask or -inf, not -1e4 added to "
                      "scores this large), and the softmax subtracts the row max before exp (exp(2e5) is inf) "
                      "on every path, the single-token decode step included", rtol=1e-9, atol=1e-9)
    # a model that ran in float32 first, then .double(): nothing kept from that first call
    warm, sd32 = make_attention(C, H, seed=38)
    warm(x.float())
    out = decode(warm.double(), x, KVCache(B, H, T, C // H, dtype=torch.float64), [2, 1, 3])
    assert_close(out, reference(x, sd32, H), what="CachedSelfAttention(8, 2) run once in float32, then "
                 ".double(), decoding float64 tokens in chunks [2, 1, 3]",
                 hint="do not keep RoPE frequencies (or any helper) on the module from an earlier call as a "
                      "plain attribute: .double() converts parameters and buffers only, so a table cached in "
                      "float32 stays float32; build it in forward from x's dtype and device", **TOL64)


def test_non_contiguous_input_is_left_alone():
    attn, sd = make_attention(12, 3, seed=32)
    x = non_contiguous(randn(2, 5, 12, seed=33))
    with unchanged(x, names=["x"]):
        out = attn(x)
    assert_close(out, reference(x.contiguous(), sd, 3), what="CachedSelfAttention(12, 3)(non-contiguous x)",
                 hint=HINT_FULL, **TOL32)


def test_gradients_match_autograd_of_the_reference():
    C, H = 8, 2
    attn, sd = make_attention(C, H, seed=34)
    names = list(sd)

    def mine(x, *params):
        return torch.func.functional_call(attn, dict(zip(names, params)), (x,))

    def theirs(x, *params):
        return reference(x, dict(zip(names, params)), H)

    assert_grads_match(mine, theirs, randn(2, 5, C, seed=35), *sd.values(),
                       what="CachedSelfAttention(8, 2) gradient (input, qkv.weight, qkv.bias, proj.weight, proj.bias)",
                       hint="build the forward from differentiable torch ops", **TOL32)


# ------------------------------------------------------------------------ sliding-window decoding

@pytest.mark.parametrize("window", [1, 3, 20])
def test_sliding_window_decoding_equals_sliding_window_attention(window):
    B, T, C, H = 2, 11, 8, 2
    attn, sd = make_attention(C, H, seed=36)
    x = randn(B, T, C, seed=37)
    out = decode(attn, x, SlidingWindowCache(B, H, window, C // H), [1] * T)
    assert_close(out, reference(x, sd, H, window=window),
                 what=f"CachedSelfAttention(8, 2): 11 tokens decoded one at a time through "
                      f"SlidingWindowCache(window={window})",
                 hint=HINT_WINDOW, **TOL32)


# ------------------------------------------------------------------------ device

def _device_runs(attn, kv, sliding, device):
    """(case, T, cache) calls of the device spec: no cache, a KVCache prefill, chunk and decode
    step, and single tokens through a SlidingWindowCache past its window."""
    runs = [("no cache", 4, None), (f"KVCache(device={device!r}): prefill", 3, kv),
            (f"KVCache(device={device!r}): a chunk after the prefill", 2, kv),
            (f"KVCache(device={device!r}): one decoded token", 1, kv)]
    return runs + [(f"SlidingWindowCache(window=2, device={device!r}): token {n}", 1, sliding) for n in range(4)]


def test_forward_runs_on_the_input_device():
    """A causal mask, a position table or a ring-buffer index made on the default device (no
    device=) is on the wrong device when the model runs on a GPU. A cheap probe first: CPU
    model, caches and inputs with the default device set to meta, so such a helper lands on meta
    and any call mixing it with CPU tensors is recorded. A mix is then judged on the meta device
    itself (as on a GPU, a CPU 0-dim helper is allowed there); code that reads tensor data
    (a Python branch on a tensor, .item()) cannot run on meta and is not judged."""
    attn = CachedSelfAttention(8, 2)
    kv, sliding = KVCache(2, 2, 8, 4, device="cpu"), SlidingWindowCache(2, 2, 2, 4, device="cpu")
    runs = [(randn(2, T, 8, seed=T), cache) for _, T, cache in _device_runs(attn, kv, sliding, "cpu")]

    def on_meta_device():
        meta = attn.to("meta")
        kv, sliding = KVCache(2, 2, 8, 4, device="meta"), SlidingWindowCache(2, 2, 2, 4, device="meta")
        return [meta(torch.empty(2, T, 8, device="meta"), cache) for _, T, cache in
                _device_runs(meta, kv, sliding, "meta")]

    assert_on_input_device(
        lambda: [attn(x, cache) for x, cache in runs], on_meta_device,
        what="CachedSelfAttention(8, 2) on the meta device, x on meta: no cache (T=4), a KVCache(device='meta') "
             "prefill of 3, a chunk of 2 and one decoded token, then 4 single tokens through "
             "SlidingWindowCache(window=2, device='meta')",
        hint="build every helper tensor on x's device: the causal mask (torch.ones(T, S, dtype=torch.bool, "
             "device=x.device)), the RoPE positions and frequencies (torch.arange(..., device=x.device)), a "
             "ring-buffer index")
    # a model that ran on the CPU, then moved (.to(device)): nothing made at that first call may stay behind
    moved = CachedSelfAttention(8, 2)
    moved(randn(2, 4, 8, seed=4))
    assert_kept_state_follows_the_device(
        lambda: moved.to("meta")(torch.empty(2, 4, 8, device="meta")), type(moved), moved,
        what="CachedSelfAttention(8, 2) called once on the CPU (T = 4), then moved with .to('meta') and called "
             "again (T = 4)",
        hint="do not keep the causal mask or RoPE's tables on the module as plain attributes, or in a "
             "module-level dict / lru_cache keyed by shape only, made at an earlier call: .to(device) moves "
             "parameters and buffers only; build them in forward on x's device (or register_buffer them)")


# ------------------------------------------------------------------------ budgets

STEP_B, STEP_C, STEP_H, STEP_MAX_LEN = 1, 16, 2, 256


def decode_step_flops(context):
    """Matmul FLOPs of one decode step (1 new token) after a prefill of `context` tokens, in a
    cache of max_len 256 whatever the context (the step must not depend on max_len)."""
    attn, _ = make_attention(STEP_C, STEP_H, seed=40)
    cache = KVCache(STEP_B, STEP_H, STEP_MAX_LEN, STEP_C // STEP_H)
    x = randn(STEP_B, context + 1, STEP_C, seed=41)
    with torch.no_grad():
        attn(x[:, :context], cache)
        return count_flops(attn, x[:, context:], cache)


def test_decode_step_flops_grow_linearly_with_the_context():
    """Budget: (f(4T) - f(2T)) / (f(2T) - f(T)) is 2 when a step's work is linear in the context
    (one query against the cached keys) and nears 4 when the whole prefix is re-run."""
    f = {T: decode_step_flops(T) for T in (32, 64, 128)}
    growth = (f[128] - f[64]) / max(f[64] - f[32], 1)
    if not growth <= 2.5:
        raise SpecFailure(
            f"CachedSelfAttention(16, 2) decode step through a KVCache: {f[32]:,} FLOPs at context 32, "
            f"{f[64]:,} at 64, {f[128]:,} at 128; growth (f(128) - f(64)) / (f(64) - f(32)) = {growth:.2f}, "
            f"the budget is <= 2.5 (linear: 2; quadratic: 4)\n  hint: a decode step computes q, k, v for "
            f"the new token only and attends that ONE query over the cached keys; re-running the whole "
            f"prefix (every query against every key) makes each step quadratic")


def test_decode_step_projects_the_new_token_only():
    """Budget: one step costs about the minimum: qkv and proj on the new token (8 B C^2) plus one
    query against S = context + 1 keys (q k^T and weights @ v: 4 B C S)."""
    context = 64
    flops = decode_step_flops(context)
    minimum = 8 * STEP_B * STEP_C**2 + 4 * STEP_B * STEP_C * (context + 1)
    if not flops <= 1.25 * minimum:
        raise SpecFailure(
            f"CachedSelfAttention(16, 2) decode step at context {context}: {flops:,} matmul FLOPs, the "
            f"minimum is {minimum:,} (budget 1.25x; the cache has max_len {STEP_MAX_LEN})\n  hint: keep the "
            f"rotated keys and the values in the cache and project only the new token; recomputing k and v "
            f"of the whole prefix, or attending over the whole max_len buffer with the unused positions "
            f"masked, repeats work at every step: attend over the keys update() returns")


def test_decode_step_allocates_nothing_as_large_as_the_cache():
    """Budget: a decode step allocates per-step scores (B, H, 1, S) but nothing of the cache's
    size (B, H, S, D): no concatenation, no copy of the keys."""
    B, C, H, context = 2, 16, 2, 60
    D = C // H
    attn, _ = make_attention(C, H, seed=42)
    cache = KVCache(B, H, 64, D)
    x = randn(B, context + 1, C, seed=43)
    with torch.no_grad():
        attn(x[:, :context], cache)
    found = allocations(attn, x[:, context:], cache)
    limit = B * H * (context + 1) * D // 2
    big = [a for a in found if math.prod(a.shape) >= limit]
    if big:
        raise SpecFailure(
            f"CachedSelfAttention({C}, {H}) decode step at context {context}: allocated {len(big)} tensor(s) of "
            f"at least {limit} elements, first {big[0]}; the cache holds (B, H, S, D) = {(B, H, context + 1, D)}: "
            f"a step that copies it does work proportional to the whole cache in memory traffic\n"
            f"  hint: {HINT_CAT}; store keys already rotated, so old keys never need RoPE again")


# ------------------------------------------------------------------------ CUDA budgets

@gpu
def test_cuda_decoding_equals_the_full_forward():
    B, T, C, H = 2, 9, 16, 2
    attn, sd = make_attention(C, H, seed=44)
    attn = attn.cuda()
    x = randn(B, T, C, seed=45)
    out = decode(attn, x.cuda(), KVCache(B, H, T, C // H, device="cuda"), [4, 1, 1, 1, 1, 1])
    assert_close(out.cpu(), reference(x, sd, H), what="CachedSelfAttention(16, 2) on CUDA decoding through a KVCache",
                 hint="allocate the cache buffers (and RoPE tables) on x's device", rtol=1e-3, atol=1e-3)


@gpu
def test_cuda_cached_decode_step_is_faster_than_a_full_recompute():
    """On a GPU: a decode step at context 2048 takes less than half the time of a full forward
    over the 2049 tokens (a ratio measured in this process; no calibration needed). The full
    forward is ~270 GFLOP here, so the step's launch overhead cannot make up for it."""
    B, C, H, context = 8, 1024, 16, 2048
    attn, _ = make_attention(C, H, seed=46)
    attn = attn.cuda()
    x = randn(B, context + 1, C, seed=47).cuda()
    cache = KVCache(B, H, context + 16, C // H, device="cuda")  # room for the 8 timed steps
    new_token = x[:, context:]

    with torch.no_grad():
        attn(x[:, :context], cache)
        t_step = median_time(attn, new_token, cache)  # each call decodes one more token
        t_full = median_time(attn, x)
    if not t_step < 0.5 * t_full:
        raise SpecFailure(
            f"CachedSelfAttention({C}, {H}) on CUDA, B={B}: a cached decode step at context {context} took "
            f"{t_step * 1e3:.3f} ms, a full forward of {context + 1} tokens {t_full * 1e3:.3f} ms; the budget "
            f"is below half\n  hint: a decode step projects only the new token and attends one query over "
            f"the cache; nothing in it should be proportional to context^2 or copy the cache")
