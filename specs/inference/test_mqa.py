"""Specs for katas/inference/mqa.py (day 24): MultiQueryAttention and MQACache.

The reference is written here from the same weights with
F.scaled_dot_product_attention(..., enable_gqa=True) and a single kv head. Tolerances:
harness.checks' defaults (float32 rtol 1e-4 / atol 1e-5; float64 rtol 1e-7 / atol 1e-9).
Cache bytes are the real bytes of every tensor the cache object holds, compared with the
bytes of a multi-head cache of the same dimensions.

Contract -> specs:
- state_dict keys/shapes, ONE key and value head: test_state_dict_keys_and_shapes
- forward causal, scale 1/sqrt(hd), float32/float64, non-contiguous x, gradients:
  test_forward_matches_reference, test_float64_and_input_left_alone, test_gradients_match_reference
- MQACache.update writes at length.., returns everything so far (a tuple): test_cache_update_returns_everything_so_far
- "length: an int, 0 at first": test_cache_length_is_an_int_from_zero
- ValueError past max_len or for k, v not (batch, 1, T, head_dim), cache unchanged (v checked
  as fully as k; a 3-D k, v whose last dims match): test_cache_refuses_overflow_and_wrong_shapes
- default dtype float32, `dtype`, `device` honoured (meta device: nothing built on the default
  device; the model probed with the default device set to meta first, a clash judged on meta);
  device=None is the default device, not the CPU; a model called on the CPU, then moved to meta: no
  mask cached on the module, in a module-level dict or an lru_cache): test_cache_default_dtype_is_float32,
  test_float64_cache, test_cache_and_model_on_the_given_device, test_cache_device_none_*
- decoding token by token / prefill then decode equals the full forward (T = 1 sees every key):
  test_decoding_*, test_prefill_7_then_decode_5_* (torch's default dtype float64: float32 stays float32); at scores ~1e5 in float64 (no finite
  mask in the prefill, a max-shifted softmax in the decode step): test_float64_cache
- cache bytes exactly 1/H of MHA's, preallocated, never grown: test_cache_bytes_*, test_cache_filled_*
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch.func import functional_call

from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_on_input_device,
                            assert_raises, kept_between_calls, non_contiguous, on_meta, randn, tensors_held,
                            unchanged)
from harness.edges import assert_exact_type, default_dtype
from katas.inference.mqa import MQACache, MultiQueryAttention

SEEDS = st.integers(0, 2**31 - 1)
BOOKKEEPING = 64  # bytes a cache may hold beyond its keys and values (e.g. a length tensor)

HINT_MODULE = ("q = q_proj(x) split into n_heads heads (B, H, T, hd); k = k_proj(x), v = v_proj(x) "
               "are ONE head each, (B, 1, T, hd), shared by every query head; causal softmax(q k^T / "
               "sqrt(hd)) v; merge the heads to (B, T, d_model); o_proj")
HINT_PER_HEAD = ("multi-query attention has ONE key head and ONE value head: k_proj and v_proj map "
                 "d_model -> head_dim (= d_model // n_heads), not d_model -> d_model; that is what makes "
                 "the cache n_heads times smaller")
HINT_DECODE = ("with a cache, x holds only the NEW tokens: project them, cache.update(k, v), and attend "
               "over every key returned. A single new token sees all cached keys (no causal mask: "
               "is_causal=True with one query would hide all but the first key); a prefill into an empty "
               "cache is plain causal attention")


def weights(d_model, n_heads, seed=0, dtype=torch.float32):
    hd = d_model // n_heads
    gen = torch.Generator().manual_seed(seed)
    shapes = {"q_proj.weight": (d_model, d_model), "k_proj.weight": (hd, d_model),
              "v_proj.weight": (hd, d_model), "o_proj.weight": (d_model, d_model)}
    return {name: torch.randn(shape, generator=gen, dtype=dtype) / shape[1] ** 0.5 for name, shape in shapes.items()}


def reference(x, W, n_heads):
    """Full causal multi-query attention over x."""
    B, T, C = x.shape
    hd = C // n_heads
    q = (x @ W["q_proj.weight"].T).view(B, T, n_heads, hd).transpose(1, 2)
    k = (x @ W["k_proj.weight"].T).unsqueeze(1)
    v = (x @ W["v_proj.weight"].T).unsqueeze(1)
    out = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    return out.transpose(1, 2).reshape(B, T, C) @ W["o_proj.weight"].T


def loaded(d_model, n_heads, W):
    mine = MultiQueryAttention(d_model, n_heads).to(next(iter(W.values())).dtype)
    try:
        mine.load_state_dict(W)
    except RuntimeError as err:
        raise SpecFailure(
            f"MultiQueryAttention({d_model}, {n_heads}).load_state_dict(weights with keys "
            f"{ {k: tuple(w.shape) for k, w in W.items()} }) failed: {str(err).splitlines()[0][:300]}\n"
            f"  hint: {HINT_PER_HEAD}") from None
    return mine


def cache_bytes(cache):
    """Bytes of every tensor storage the cache object holds (attributes, lists, tuples, dicts)."""
    seen, total, stack = set(), 0, list(vars(cache).values())
    while stack:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            storage = item.untyped_storage()
            if storage.data_ptr() not in seen:
                seen.add(storage.data_ptr())
                total += storage.nbytes()
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return total


def mha_cache_bytes(batch, n_heads, max_len, head_dim, dtype):
    """The real bytes of a multi-head cache of the same dimensions: keys and values per head."""
    keys = torch.empty(batch, n_heads, max_len, head_dim, dtype=dtype)
    values = torch.empty(batch, n_heads, max_len, head_dim, dtype=dtype)
    return keys.nbytes + values.nbytes


def decode(mine, x, cache, prefill):
    """Prefill the first `prefill` tokens (if any), then feed the rest one at a time."""
    outs = []
    with torch.no_grad():
        if prefill:
            outs.append(mine(x[:, :prefill], cache))
        for t in range(prefill, x.shape[1]):
            outs.append(mine(x[:, t:t + 1], cache))
    return torch.cat(outs, dim=1)


# --------------------------------------------------------------------- parameters

@pytest.mark.parametrize("d_model,n_heads", [(8, 4), (12, 3), (10, 5), (6, 1), (16, 8)])
def test_state_dict_keys_and_shapes(d_model, n_heads):
    mine = MultiQueryAttention(d_model, n_heads)
    got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in weights(d_model, n_heads).items()}
    assert got == expected, (
        f"MultiQueryAttention({d_model}, {n_heads}).state_dict() has {got}, expected {expected}\n"
        f"  hint: {HINT_PER_HEAD}; every projection is nn.Linear(..., bias=False)")


# --------------------------------------------------------------------- full forward

# (d_model, n_heads, B, T)
CASES = [(8, 4, 2, 5), (12, 3, 1, 7), (10, 5, 3, 1), (6, 1, 2, 4), (16, 8, 1, 11), (14, 2, 2, 13)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"d{c[0]}-H{c[1]}-B{c[2]}-T{c[3]}")
def test_forward_matches_reference(case):
    d_model, n_heads, B, T = case
    W = weights(d_model, n_heads, seed=1)
    mine = loaded(d_model, n_heads, W)
    x = randn(B, T, d_model, seed=2)
    with torch.no_grad():
        out = mine(x)
    assert_close(out, reference(x, W, n_heads), what=f"MultiQueryAttention({d_model}, {n_heads})(x {(B, T, d_model)})",
                 hint="causal (a decoder); " + HINT_MODULE)


def test_float64_and_input_left_alone():
    W = weights(12, 4, seed=5, dtype=torch.float64)
    mine = loaded(12, 4, W)
    x = non_contiguous(randn(2, 7, 12, seed=6, dtype=torch.float64))
    with unchanged(x, names=["x"]), torch.no_grad():
        out = mine(x)
    assert_close(out, reference(x, W, 4), what="MultiQueryAttention(12, 4) in float64 (non-contiguous x (2, 7, 12))",
                 hint=HINT_MODULE)


def test_gradients_match_reference():
    W = weights(12, 3, seed=7, dtype=torch.float64)
    mine = loaded(12, 3, W)
    x = randn(2, 5, 12, seed=8, dtype=torch.float64)
    names = list(W)
    assert_grads_match(lambda x, *ws: functional_call(mine, dict(zip(names, ws)), (x,)),
                       lambda x, *ws: reference(x, dict(zip(names, ws)), 3), x, *W.values(),
                       what="MultiQueryAttention(12, 3) gradient (inputs: x, then " + ", ".join(names) + ")",
                       hint=HINT_MODULE)


# --------------------------------------------------------------------- the cache

def test_cache_update_returns_everything_so_far():
    cache = MQACache(2, 10, 3)
    k1, v1 = randn(2, 1, 4, 3, seed=9), randn(2, 1, 4, 3, seed=10)
    k2, v2 = randn(2, 1, 1, 3, seed=11), randn(2, 1, 1, 3, seed=12)
    cache.update(k1, v1)
    with unchanged(k2, v2, names=["k", "v"]):
        out = cache.update(k2, v2)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise SpecFailure(f"MQACache.update(k, v) returned a {type(out).__name__}, expected the tuple "
                          f"(keys, values)\n  hint: return keys, values")
    keys, values = out
    assert_close((keys, values), (torch.cat([k1, k2], 2), torch.cat([v1, v2], 2)),
                 what="MQACache(2, 10, 3): update(k (2, 1, 4, 3), v) then update(k (2, 1, 1, 3), v) -> (keys, values)",
                 hint="write the new positions at length .. length + T - 1 and return positions 0 .. length - 1 "
                      "(after adding T): cache.k[:, :, :length]")
    assert cache.length == 5, f"MQACache: length is {cache.length!r} after storing 4 + 1 positions, expected 5"


@pytest.mark.parametrize("d_model,n_heads,B,T", [(8, 4, 1, 6), (12, 3, 2, 9), (10, 5, 3, 4), (6, 1, 1, 5)])
def test_decoding_token_by_token_equals_full_forward(d_model, n_heads, B, T):
    W = weights(d_model, n_heads, seed=13)
    mine = loaded(d_model, n_heads, W)
    x = randn(B, T, d_model, seed=14)
    out = decode(mine, x, MQACache(B, T + 3, d_model // n_heads), prefill=0)
    assert_close(out, reference(x, W, n_heads),
                 what=f"MultiQueryAttention({d_model}, {n_heads}) decoding x {(B, T, d_model)} one token at a "
                      f"time through MQACache({B}, {T + 3}, {d_model // n_heads})", hint=HINT_DECODE)


def test_prefill_7_then_decode_5_equals_full_forward_of_12():
    W = weights(16, 4, seed=15)
    mine = loaded(16, 4, W)
    x = randn(2, 12, 16, seed=16)
    with default_dtype(torch.float64):  # a float32 model stays float32 whatever torch's default dtype
        out = decode(mine, x, MQACache(2, 16, 4), prefill=7)
    assert_close(out, reference(x, W, 4),
                 what="MultiQueryAttention(16, 4): prefill of 7 tokens then 5 single tokens through "
                      "MQACache(2, 16, 4), vs the full causal forward of 12 (torch's default dtype set to float64)",
                 hint=HINT_DECODE + "; and a mask made with torch.full(..., float('-inf')) without dtype= follows "
                      "torch's default dtype (float64 here) and promotes float32 scores: use a bool mask")


@given(n_heads=st.integers(1, 4), head_dim=st.integers(1, 5), B=st.integers(1, 2), T=st.integers(1, 9),
       data=st.data(), seed=SEEDS)
def test_decoding_property(n_heads, head_dim, B, T, data, seed):
    prefill = data.draw(st.integers(0, T), label="prefill")
    d_model = n_heads * head_dim
    W = weights(d_model, n_heads, seed=seed % 100_000)
    mine = loaded(d_model, n_heads, W)
    x = randn(B, T, d_model, seed=seed % 100_000 + 1)
    out = decode(mine, x, MQACache(B, T, head_dim), prefill=prefill)
    assert_close(out, reference(x, W, n_heads),
                 what=f"MultiQueryAttention({d_model}, {n_heads}): prefill {prefill} then {T - prefill} single "
                      f"tokens of x {(B, T, d_model)} through MQACache({B}, {T}, {head_dim})", hint=HINT_DECODE)


def test_float64_cache():
    W = weights(8, 2, seed=17, dtype=torch.float64)
    mine = loaded(8, 2, W)
    x = randn(1, 6, 8, seed=18, dtype=torch.float64)
    out = decode(mine, x, MQACache(1, 6, 4, dtype=torch.float64), prefill=2)
    assert_close(out, reference(x, W, 2), what="MultiQueryAttention(8, 2) in float64 through "
                 "MQACache(1, 6, 4, dtype=torch.float64)", hint="store the cache in the dtype asked for; " + HINT_DECODE)
    big = randn(1, 6, 8, seed=19, dtype=torch.float64) * 300  # scores ~1e5, some rows all below -1e4:
    # a finite causal mask (-1e4) leaks, exp without the max shift overflows
    out = decode(mine, big, MQACache(1, 6, 4, dtype=torch.float64), prefill=5)
    assert_close(out, reference(big, W, 2), what="MultiQueryAttention(8, 2) in float64, x (1, 6, 8) * 300 (scores ~1e5), "
                 "prefill of 5 then 1 single token through MQACache(1, 6, 4, dtype=torch.float64)",
                 hint="masked keys get exactly zero weight (a boolean mask or -inf, not a -1e4 fill or offset: a row "
                      "whose visible scores all lie below -1e4 loses to it), and every softmax, the decode step's "
                      "included, subtracts the row max before exp")


# --------------------------------------------------------------------- cache bytes

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
@pytest.mark.parametrize("batch,max_len,head_dim", [(2, 32, 8), (1, 17, 5), (3, 64, 16)])
def test_cache_bytes_are_one_over_h_of_multi_head(batch, max_len, head_dim, dtype):
    cache = MQACache(batch, max_len, head_dim, dtype=dtype)
    got = cache_bytes(cache)
    elem = torch.empty((), dtype=dtype).element_size()
    expected = 2 * batch * max_len * head_dim * elem
    n_heads = 8
    mha = mha_cache_bytes(batch, n_heads, max_len, head_dim, dtype)
    if not expected <= got <= expected + BOOKKEEPING:
        raise SpecFailure(
            f"MQACache({batch}, {max_len}, {head_dim}, dtype={dtype}) holds tensors of {got:,} bytes; expected "
            f"{expected:,} (keys and values of one head: 2 * {batch} * {max_len} * {head_dim} * {elem} bytes), "
            f"i.e. 1/{n_heads} of an {n_heads}-head cache's {mha:,}\n  hint: preallocate keys and values of "
            f"shape (batch, 1, max_len, head_dim) in `dtype` at construction, one kv head only, and nothing "
            f"else that large")
    assert mha == n_heads * expected  # the comparison the learner reads about


@pytest.mark.parametrize("d_model,n_heads", [(8, 4), (24, 6)])
def test_cache_filled_by_the_model_stays_one_over_h(d_model, n_heads):
    W = weights(d_model, n_heads, seed=19)
    mine = loaded(d_model, n_heads, W)
    B, max_len, hd = 2, 12, d_model // n_heads
    cache = MQACache(B, max_len, hd)
    decode(mine, randn(B, 9, d_model, seed=20), cache, prefill=4)
    got = cache_bytes(cache)
    mha = mha_cache_bytes(B, n_heads, max_len, hd, torch.float32)
    if not mha // n_heads <= got <= mha // n_heads + BOOKKEEPING:
        raise SpecFailure(
            f"MQACache({B}, {max_len}, {hd}) holds {got:,} bytes of tensors after MultiQueryAttention("
            f"{d_model}, {n_heads}) decoded 9 tokens through it; expected {mha // n_heads:,}, 1/{n_heads} of a "
            f"multi-head cache ({mha:,} bytes for {n_heads} heads)\n  hint: {HINT_PER_HEAD}; the cache "
            f"is preallocated once (max_len positions) and written in place, never grown with torch.cat")


# --------------------------------------------------------------------- length, dtype, device

def test_cache_length_is_an_int_from_zero():
    cache = MQACache(2, 10, 3)
    assert_exact_type(cache.length, int, "MQACache(2, 10, 3).length before any update")
    assert_close(cache.length, 0, what="MQACache(2, 10, 3).length before any update")
    for T, total in [(4, 4), (1, 5), (2, 7)]:
        cache.update(randn(2, 1, T, 3, seed=T), randn(2, 1, T, 3, seed=T + 10))
        assert_exact_type(cache.length, int, f"MQACache(2, 10, 3).length after updates totalling {total} positions")
        assert_close(cache.length, total, what=f"MQACache(2, 10, 3).length after updates totalling {total} positions",
                     hint="length counts the positions stored: add T at every update")


def test_cache_default_dtype_is_float32():
    cache = MQACache(2, 32, 8)
    got = cache_bytes(cache)
    expected = 2 * 2 * 32 * 8 * 4
    if not expected <= got <= expected + BOOKKEEPING:
        raise SpecFailure(f"MQACache(2, 32, 8) (default dtype) holds {got:,} bytes of tensors; expected {expected:,}: "
                          f"keys and values of one head in float32\n  hint: dtype defaults to torch.float32")
    keys, values = cache.update(randn(2, 1, 3, 8, seed=1), randn(2, 1, 3, 8, seed=2))
    assert_close(keys.dtype, torch.float32, what="MQACache(2, 32, 8).update(...) keys.dtype (default dtype)")


HINT_DEVICE = ("build every tensor on the device asked for (device=device in the cache, device=x.device for "
               "masks in forward): a buffer on the default device clashes with the inputs")


def test_cache_and_model_on_the_given_device():
    cache = MQACache(2, 8, 4, device="meta")
    kv = on_meta(cache.update, torch.empty(2, 1, 3, 4, device="meta"), torch.empty(2, 1, 3, 4, device="meta"),
                 what="MQACache(2, 8, 4, device='meta').update(meta k, v)", hint=HINT_DEVICE)
    if kv is not None:  # None: the code reads data, which the meta device cannot judge
        keys, values = kv
        assert_close(str(keys.device), "meta", what="MQACache(2, 8, 4, device='meta').update(...) keys.device",
                     hint="allocate the buffers with device=device")
        assert_close(tuple(keys.shape), (2, 1, 3, 4), what="MQACache(2, 8, 4, device='meta').update(...) keys.shape")
    model = loaded(8, 2, weights(8, 2, seed=30))
    cpu_cache, x = MQACache(2, 8, 4, device="cpu"), randn(2, 5, 8, seed=31)

    def prefill_then_decode(model, x, cache):
        return model(x, cache), model(x[:, :1], cache)

    with torch.no_grad():
        assert_on_input_device(
            lambda: prefill_then_decode(model, x, cpu_cache),
            lambda: prefill_then_decode(model.to("meta"), x.to("meta"), MQACache(2, 8, 4, device="meta")),
            what="MultiQueryAttention(8, 2) on the meta device, prefill of 5 then one decode step through a meta "
                 "MQACache", hint=HINT_DEVICE)
    # a model that ran on the CPU, then moved (.to(device)): nothing made at that first call may stay behind
    moved = loaded(8, 2, weights(8, 2, seed=30))
    with torch.no_grad():
        moved(x)
    if not kept_between_calls(type(moved), moved):  # nothing kept on the module, in a module-level dict/list or cache: nothing to judge (a meta run ~0.7 s)
        return
    moved.to("meta")
    out = on_meta(lambda: moved(x.to("meta")), what="MultiQueryAttention(8, 2) called once on the CPU (T = 5), "
                  "then moved with .to('meta') and called again (T = 5)",
                  hint="do not keep the causal mask on the module (a plain attribute) or in a module-level dict or "
                       "lru_cache made at an earlier call: .to(device) moves parameters and buffers only; build it in "
                       "forward on x's device (or register_buffer it)")
    assert out is None or out.device.type == "meta", f"MultiQueryAttention moved to meta: output on {out.device}"


def test_cache_device_none_means_the_default_device():
    with torch.device("meta"):  # the default device, as torch.set_default_device("cuda") would set it
        cache = MQACache(2, 8, 4)
    big = [t for t in tensors_held(cache) if t.numel() >= 2 * 8 * 4]
    wrong = [(tuple(t.shape), str(t.device)) for t in big if t.device.type != "meta"]
    if not big or wrong:
        raise SpecFailure(
            f"MQACache(2, 8, 4) made with the default device set to meta holds its buffers on "
            f"{wrong or 'no tensor of 2 * 8 * 4 elements'}; device=None means the default device\n  hint: "
            f"pass device=device to torch.zeros as it is (None lets torch pick the default device); "
            f"`device or 'cpu'` pins the cache to the CPU")


@pytest.mark.parametrize("k_shape,v_shape,case", [
    ((2, 1, 5, 3), (2, 1, 5, 3), "4 + 5 positions into max_len 8"),
    ((1, 1, 2, 3), (1, 1, 2, 3), "batch 1 into a batch-2 cache (it would broadcast)"),
    ((3, 1, 2, 3), (3, 1, 2, 3), "batch 3 into a batch-2 cache"),
    ((2, 2, 2, 3), (2, 2, 2, 3), "2 kv heads into a one-head cache"),
    ((2, 1, 2, 4), (2, 1, 2, 4), "head_dim 4 into a head_dim-3 cache"),
    ((2, 1, 2, 3), (2, 1, 1, 3), "k of 2 positions with v of 1"),
    ((2, 1, 2, 3), (1, 1, 2, 3), "a right k with v of batch 1 (v would broadcast)"),
    ((2, 1, 2, 3), (2, 1, 2, 4), "a right k with v of head_dim 4"),
    ((2, 1, 3), (2, 1, 3), "3-D k, v without their T dim (their last dims match; slicing would broadcast)")],
    ids=lambda c: c if isinstance(c, str) else None)
def test_cache_refuses_overflow_and_wrong_shapes(k_shape, v_shape, case):
    cache = MQACache(2, 8, 3)
    k1, v1 = randn(2, 1, 4, 3, seed=50), randn(2, 1, 4, 3, seed=51)
    cache.update(k1, v1)
    assert_raises(ValueError, cache.update, randn(*k_shape, seed=52), randn(*v_shape, seed=53),
                  contract="ValueError, before writing anything, if length + T would exceed max_len or k or v is "
                           "not (batch, 1, T, head_dim)",
                  what=f"MQACache(2, 8, 3) holding 4 positions: update(k {k_shape}, v {v_shape}): {case}",
                  hint="check the shapes of k AND v and length + T <= max_len first and raise ValueError: slice "
                       "assignment broadcasts a batch of 1 silently, and a slice past the end raises a RuntimeError")
    assert_close(cache.length, 4, what=f"MQACache(2, 8, 3).length after a refused update ({case})",
                 hint="check before writing or counting: a refused update leaves the cache as it was")
    k2, v2 = randn(2, 1, 1, 3, seed=54), randn(2, 1, 1, 3, seed=55)
    keys, values = cache.update(k2, v2)
    assert_close((keys, values), (torch.cat([k1, k2], 2), torch.cat([v1, v2], 2)),
                 what=f"MQACache(2, 8, 3): a valid update after a refused one ({case})",
                 hint="a refused update writes nothing")
