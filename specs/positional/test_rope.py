"""Specs for katas/positional/rope.py (day 19): rope_cache and apply_rope.

Contract -> specs:
- rope_cache: the tuple (cos, sin), each (max_len, head_dim // 2) float32 (also under a float64 or bfloat16 default dtype,
  computed in float32/float64 there: test_cache_float32_under_another_default_dtype), theta_i =
  base^(-2i/head_dim), base honoured, max_len without an upper limit (5000): test_cache_*
- apply_rope pairs: rotate-half (i, i + d/2) default, interleaved (2i, 2i + 1), counter-clockwise:
  test_apply_rope_matches_complex_rotation, test_pairs_of_*, test_default_convention_is_rotate_half
- offset = position of x[..., 0, :], decoding token by token: test_offset_*, test_decoding_*
- same dtype as x, computed in x's dtype: test_float64_in_float64_out, test_float64_keeps_float64_accuracy,
  test_output_dtype_is_x_dtype_whatever_the_tables (float32 under a float64 default dtype too)
- any leading dims / any layout / T = 0 (in the graph too): SHAPES, test_non_contiguous_*, test_any_layout_of_x,
  test_empty_sequence
- relative-position and norm properties (hypothesis): test_dot_product_*, test_rotation_preserves_*
- differentiable w.r.t. x, inputs untouched: test_gradcheck_float64, test_gradients_match_*
- "any device: helpers on x.device" (meta): test_runs_on_the_device_of_x
"""

import math

import pytest
import torch
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, assert_on_input_device, gradcheck, non_contiguous, randn,
                            unchanged)
from harness.edges import default_dtype
from katas.positional.rope import apply_rope, rope_cache

SEEDS = st.integers(0, 2**31 - 1)

HINT_FREQ = ("theta_i = base^(-2i / head_dim) for i = 0 .. head_dim/2 - 1, i.e. "
             "base ** (-torch.arange(0, head_dim, 2) / head_dim): the exponents run from 0 up to "
             "almost 1 over head_dim/2 frequencies (i / head_dim only reaches 1/2)")
HINT_HALF = ("rotate-half (interleaved=False) pairs channel i with channel i + head_dim/2: "
             "a, b = x[..., :half], x[..., half:]; out = cat([a*cos - b*sin, b*cos + a*sin], -1)")
HINT_PAIRS = ("interleaved=True pairs neighbouring channels (2i, 2i + 1): a, b = x[..., 0::2], "
              "x[..., 1::2]; then put a*cos - b*sin back on the even and b*cos + a*sin on the odd channels")
HINT_OFFSET = ("x[..., t, :] sits at position offset + t: use rows cos[offset : offset + T] "
               "(not cos[:T]); during decoding a single new token has T = 1 and offset = its position")


def convention(interleaved: bool) -> str:
    return "interleaved=True (pairs 2i, 2i+1)" if interleaved else "interleaved=False (rotate-half)"


# ------------------------------------------------------------------------ references

def angles(max_len: int, head_dim: int, base: float = 10000.0) -> torch.Tensor:
    """m * base^(-2i/head_dim) in float64, (max_len, head_dim // 2)."""
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    return torch.arange(max_len, dtype=torch.float64)[:, None] * torch.pow(base, -2 * i / head_dim)


def random_tables(max_len: int, half: int, seed: int, dtype=torch.float32):
    """cos/sin of random angles: pins which table column turns which channel pair."""
    gen = torch.Generator().manual_seed(seed)
    phi = (torch.rand(max_len, half, generator=gen, dtype=torch.float64) * 2 - 1) * math.pi
    return phi.cos().to(dtype), phi.sin().to(dtype)


def reference(x, cos, sin, offset=0, interleaved=False):
    """RoPE with complex numbers in float64, independent of any channel bookkeeping."""
    T, D = x.shape[-2], x.shape[-1]
    rot = torch.complex(cos[offset:offset + T].double(), sin[offset:offset + T].double())  # (T, D/2)
    xd = x.double()
    if interleaved:  # channels (2i, 2i+1) are the real and imaginary parts of z_i
        z = torch.view_as_complex(xd.reshape(*xd.shape[:-1], D // 2, 2).contiguous())
        out = torch.view_as_real(z * rot).flatten(-2)
    else:            # channels (i, i + D/2) are the real and imaginary parts of z_i
        z = torch.complex(xd[..., : D // 2], xd[..., D // 2:])
        w = z * rot
        out = torch.cat([w.real, w.imag], dim=-1)
    return out.to(x.dtype)


def _near(a, b) -> bool:
    return (isinstance(a, torch.Tensor) and a.shape == b.shape
            and bool(((a.detach().double() - b.double()).abs() <= 1e-3 * (1 + b.double().abs())).all()))


def _unsigned(x, cos, sin, offset, interleaved):
    """(a, b) -> (a*cos + b*sin, b*cos + a*sin): rotate_half without its minus sign."""
    T, half = x.shape[-2], x.shape[-1] // 2
    c, s = cos[offset:offset + T].double(), sin[offset:offset + T].double()
    xd = x.detach().double()
    a, b = (xd[..., 0::2], xd[..., 1::2]) if interleaved else (xd[..., :half], xd[..., half:])
    ra, rb = a * c + b * s, b * c + a * s
    return torch.stack([ra, rb], -1).flatten(-2) if interleaved else torch.cat([ra, rb], -1)


def diagnose(out, x, cos, sin, offset, interleaved) -> str:
    """The hint for the mistake a wrong apply_rope output looks like."""
    base = HINT_PAIRS if interleaved else HINT_HALF
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        return f"return a tensor of x's shape {tuple(x.shape)}; " + base
    if x.shape[-1] > 2 and _near(out, reference(x, cos, sin, offset, not interleaved)):
        theirs = "neighbouring channels (2i, 2i + 1)" if not interleaved else "the halves (i, i + head_dim/2)"
        return f"your output pairs {theirs}, the other convention; " + base
    if offset and _near(out, reference(x, cos, sin, 0, interleaved)):
        return f"your output ignores offset={offset}; " + HINT_OFFSET
    if _near(out, reference(x, cos, -sin, offset, interleaved)):
        return ("your pairs turn the wrong way (by -angle), e.g. rotate_half as cat([x2, -x1]) instead "
                "of cat([-x2, x1]); " + base)
    if _near(out, _unsigned(x, cos, sin, offset, interleaved)):
        return ("your pair (a, b) became (a*cos + b*sin, b*cos + a*sin): a minus sign is missing, "
                "rotate_half(x) = cat([-x2, x1]); " + base)
    if _near(out, x):
        return "your output equals x: nothing was rotated; " + base
    return base + "; and " + HINT_OFFSET


def diagnose_cache(cos, sin, head_dim, max_len, base=10000.0) -> str:
    expected = (max_len, head_dim // 2)
    for name, t in (("cos", cos), ("sin", sin)):
        if not isinstance(t, torch.Tensor):
            return f"return a pair of tensors (cos, sin), not {type(t).__name__}"
        if tuple(t.shape) == (max_len, head_dim):
            return (f"{name} has shape {tuple(t.shape)}: store each frequency once, "
                    f"(max_len, head_dim // 2) = {expected}, not duplicated over head_dim")
        if tuple(t.shape) != expected:
            return f"{name} must have shape (max_len, head_dim // 2) = {expected}; " + HINT_FREQ
    i = torch.arange(head_dim // 2, dtype=torch.float64)
    over_head_dim = torch.arange(max_len, dtype=torch.float64)[:, None] * torch.pow(base, -i / head_dim)
    if head_dim > 2 and max_len > 1 and _near(cos, over_head_dim.cos()) and _near(sin, over_head_dim.sin()):
        return ("your frequencies are base^(-i / head_dim): that spreads head_dim/2 exponents over "
                "head_dim, so the slowest one turns far too fast; " + HINT_FREQ)
    good = angles(max_len, head_dim, base)
    if _near(cos, good.sin()) and _near(sin, good.cos()):
        return "cos and sin are swapped: return (cos, sin) in that order"
    return HINT_FREQ


# ------------------------------------------------------------------------ rope_cache

@pytest.mark.parametrize("head_dim,max_len", [(8, 5), (2, 1), (6, 7), (64, 3)])
def test_cache_has_one_column_per_frequency(head_dim, max_len):
    out = rope_cache(head_dim, max_len)
    assert type(out) is tuple and len(out) == 2, (
        f"rope_cache({head_dim}, {max_len}) returned a {type(out).__name__}: the contract returns the "
        "tuple (cos, sin)\n  hint: return cos, sin (a list [cos, sin] unpacks alike, but is another type)")
    cos, sin = out
    hint = diagnose_cache(cos, sin, head_dim, max_len)
    for name, t in (("cos", cos), ("sin", sin)):
        assert isinstance(t, torch.Tensor) and tuple(t.shape) == (max_len, head_dim // 2), (
            f"rope_cache({head_dim}, {max_len}) {name}: got "
            f"{tuple(t.shape) if isinstance(t, torch.Tensor) else type(t).__name__}, "
            f"expected shape {(max_len, head_dim // 2)}\n  hint: {hint}")
        assert t.dtype == torch.float32, (
            f"rope_cache({head_dim}, {max_len}) {name}: dtype {t.dtype}, expected torch.float32\n"
            "  hint: compute in float64 if you like, then return .float()")


def test_cache_position_zero_is_cos_1_sin_0():
    cos, sin = rope_cache(10, 4)
    assert_close((cos[0], sin[0]), (torch.ones(5), torch.zeros(5)), what="rope_cache(10, 4) row 0 (cos, sin)",
                 atol=1e-7, rtol=0.0, hint="position 0 turns by angle 0: cos = 1, sin = 0; "
                 + diagnose_cache(cos, sin, 10, 4))


@pytest.mark.parametrize("head_dim,max_len", [(8, 16), (2, 5), (6, 7), (16, 1), (64, 128), (10, 33), (2, 5000)])
def test_cache_values_match_the_formula(head_dim, max_len):
    cos, sin = rope_cache(head_dim, max_len)
    expected = angles(max_len, head_dim)
    assert_close((cos, sin), (expected.cos().float(), expected.sin().float()),
                 what=f"rope_cache({head_dim}, {max_len}) (cos, sin)", rtol=0.0, atol=1e-4,
                 hint=diagnose_cache(cos, sin, head_dim, max_len)
                 + ("; max_len has no upper limit: build the positions for every call "
                    "(torch.arange(max_len)), not by slicing a table made at import" if max_len > 2048 else ""))


@pytest.mark.parametrize("base", [500000.0, 10.0, 1e6])
def test_cache_uses_the_base(base):
    cos, sin = rope_cache(12, 20, base=base)
    expected = angles(20, 12, base)
    assert_close((cos, sin), (expected.cos().float(), expected.sin().float()),
                 what=f"rope_cache(12, 20, base={base:g}) (cos, sin)", rtol=0.0, atol=1e-4,
                 hint="theta_i = base^(-2i / head_dim) with the base given (Llama 3 uses 500000); "
                      + diagnose_cache(cos, sin, 12, 20, base))


def test_cache_slowest_frequency():
    """The last frequency is base^(-(head_dim-2)/head_dim): about 1/base, not 1/sqrt(base)."""
    cos, sin = rope_cache(8, 2)
    theta = 10000.0 ** (-6 / 8)
    assert_close(sin[1, -1], torch.tensor(math.sin(theta), dtype=torch.float32),
                 what="rope_cache(8, 2)[1][1, -1] = sin(theta_3)", rtol=1e-5, atol=1e-7,
                 hint=f"theta_3 = 10000^(-6/8) = {theta:.6g}; " + diagnose_cache(cos, sin, 8, 2))


# ------------------------------------------------------------------------ apply_rope values

# (leading dims, T, head_dim): none / one / two leading dims, T = 1, head_dim = 2, primes
SHAPES = [((), 5, 8), ((3,), 7, 6), ((2, 3), 4, 4), ((1,), 1, 10), ((2, 1), 11, 2), ((2, 2), 3, 16)]


def _shape_id(case):
    return f"x{(*case[0], case[1], case[2])}"


@pytest.mark.parametrize("case", SHAPES, ids=_shape_id)
@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_apply_rope_matches_complex_rotation(case, interleaved):
    lead, T, D = case
    x = randn(*lead, T, D, seed=1)
    cos, sin = random_tables(T + 2, D // 2, seed=2)
    out = apply_rope(x, cos, sin, interleaved=interleaved)
    assert_close(out, reference(x, cos, sin, 0, interleaved),
                 what=f"apply_rope(x {tuple(x.shape)}, cos, sin, {convention(interleaved)})",
                 hint=diagnose(out, x, cos, sin, 0, interleaved))


def test_pairs_of_rotate_half():
    """head_dim 4: channel 0 pairs with 2, channel 1 with 3 (a quarter turn makes it visible)."""
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    cos, sin = torch.zeros(1, 2), torch.ones(1, 2)  # every pair turns by +90 degrees
    out = apply_rope(x, cos, sin, interleaved=False)
    assert_close(out, torch.tensor([[-3.0, -4.0, 1.0, 2.0]]),
                 what="apply_rope([[1, 2, 3, 4]], cos=0, sin=1, interleaved=False)", atol=1e-6, rtol=0.0,
                 hint="a quarter turn maps (a, b) to (-b, a); rotate-half pairs (0, 2) and (1, 3): "
                      "(1, 3) -> (-3, 1) and (2, 4) -> (-4, 2). " + diagnose(out, x, cos, sin, 0, False))


def test_pairs_of_interleaved():
    """head_dim 4: channel 0 pairs with 1, channel 2 with 3."""
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    cos, sin = torch.zeros(1, 2), torch.ones(1, 2)
    out = apply_rope(x, cos, sin, interleaved=True)
    assert_close(out, torch.tensor([[-2.0, 1.0, -4.0, 3.0]]),
                 what="apply_rope([[1, 2, 3, 4]], cos=0, sin=1, interleaved=True)", atol=1e-6, rtol=0.0,
                 hint="a quarter turn maps (a, b) to (-b, a); interleaved pairs are (0, 1) and (2, 3): "
                      "(1, 2) -> (-2, 1) and (3, 4) -> (-4, 3). " + diagnose(out, x, cos, sin, 0, True))


def test_default_convention_is_rotate_half():
    x = randn(2, 5, 8, seed=3)
    cos, sin = random_tables(5, 4, seed=4)
    out = apply_rope(x, cos, sin)
    assert_close(out, reference(x, cos, sin, 0, interleaved=False),
                 what="apply_rope(x (2, 5, 8), cos, sin) (defaults offset=0, interleaved=False)",
                 hint=diagnose(out, x, cos, sin, 0, False))


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_with_rope_cache_end_to_end(interleaved):
    x = randn(2, 3, 9, 8, seed=5)
    cos, sin = rope_cache(8, 9)
    out = apply_rope(x, cos, sin, interleaved=interleaved)
    phi = angles(9, 8)
    assert_close(out, reference(x, phi.cos(), phi.sin(), 0, interleaved),
                 what=f"apply_rope(x (2, 3, 9, 8), *rope_cache(8, 9), {convention(interleaved)})",
                 hint=diagnose_cache(cos, sin, 8, 9) + "; " + diagnose(out, x, cos, sin, 0, interleaved))


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_position_zero_is_left_alone(interleaved):
    x = randn(3, 1, 6, seed=6)
    cos, sin = rope_cache(6, 4)
    out = apply_rope(x, cos, sin, interleaved=interleaved)
    assert_close(out, x, what=f"apply_rope(x (3, 1, 6) at position 0, *rope_cache(6, 4), {convention(interleaved)})",
                 hint="position 0 turns by angle 0 (cos 1, sin 0): the token comes out unchanged")


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_float64_in_float64_out(interleaved):
    x = randn(2, 4, 6, seed=7, dtype=torch.float64)
    cos, sin = random_tables(4, 3, seed=8, dtype=torch.float64)
    out = apply_rope(x, cos, sin, interleaved=interleaved)
    assert_close(out, reference(x, cos, sin, 0, interleaved),
                 what=f"apply_rope(x float64 (2, 4, 6), float64 tables, {convention(interleaved)})",
                 hint=diagnose(out, x, cos, sin, 0, interleaved))


# ------------------------------------------------------------------------ offset (decoding)

@pytest.mark.parametrize("offset,T", [(3, 4), (10, 1), (1, 6), (0, 5)])
@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_offset_is_the_position_of_the_first_token(offset, T, interleaved):
    x = randn(2, T, 8, seed=9)
    cos, sin = random_tables(offset + T + 3, 4, seed=10)
    out = apply_rope(x, cos, sin, offset=offset, interleaved=interleaved)
    assert_close(out, reference(x, cos, sin, offset, interleaved),
                 what=f"apply_rope(x (2, {T}, 8), cos, sin, offset={offset}, {convention(interleaved)})",
                 hint=diagnose(out, x, cos, sin, offset, interleaved))


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_decoding_token_by_token_equals_the_whole_sequence(interleaved):
    x = randn(2, 3, 7, 6, seed=11)
    cos, sin = rope_cache(6, 16)
    whole = apply_rope(x, cos, sin, interleaved=interleaved)
    for t in range(7):
        step = apply_rope(x[..., t:t + 1, :], cos, sin, offset=t, interleaved=interleaved)
        assert_close(step, whole[..., t:t + 1, :],
                     what=f"apply_rope(x[..., {t}:{t + 1}, :], offset={t}) vs apply_rope(x)[..., {t}, :] "
                          f"({convention(interleaved)})",
                     hint=diagnose(step, x[..., t:t + 1, :], cos, sin, t, interleaved))


# ------------------------------------------------------------------------ properties

@given(half=st.integers(1, 8), m=st.integers(0, 40), n=st.integers(0, 40), shift=st.integers(0, 40),
       interleaved=st.booleans(), seed=SEEDS)
def test_dot_product_depends_only_on_the_distance(half, m, n, shift, interleaved, seed):
    """q_m . k_n = q_(m+s) . k_(n+s): rotate the same q and k at two pairs of positions."""
    D = 2 * half
    P = max(m, n) + shift + 1
    q, k = randn(D, seed=seed % 100_000), randn(D, seed=seed % 100_000 + 1)
    cos, sin = rope_cache(D, P)
    rq = apply_rope(q.expand(P, D), cos, sin, interleaved=interleaved)  # q at every position 0..P-1
    rk = apply_rope(k.expand(P, D), cos, sin, interleaved=interleaved)
    scale = float(q.norm() * k.norm())
    assert_close(rq[m + shift] @ rk[n + shift], rq[m] @ rk[n],
                 what=f"(rotated q at {m + shift}) . (rotated k at {n + shift}) vs at ({m}, {n}), "
                      f"head_dim {D}, {convention(interleaved)}",
                 rtol=1e-4, atol=1e-4 * scale,
                 hint="rotating q and k by angles m*theta_i and n*theta_i of the SAME pairs leaves "
                      "q.k depending on (m - n)*theta_i only: use the same pairing and the same "
                      "table row for a token's every pair, and rotate x[..., t, :] by row t")
    if m >= n:  # ... and equals q rotated by the distance against k left alone at position 0
        assert_close(rq[m] @ rk[n], rq[m - n] @ k, what=f"q_{m} . k_{n} vs q_{m - n} . k_0", rtol=1e-4,
                     atol=1e-4 * scale, hint="position 0 must leave k unchanged (angle 0)")


@given(lead=st.lists(st.integers(1, 3), min_size=0, max_size=2), T=st.integers(1, 6), half=st.integers(1, 6),
       offset=st.integers(0, 9), interleaved=st.booleans(), seed=SEEDS)
def test_matches_complex_rotation_on_random_settings(lead, T, half, offset, interleaved, seed):
    x = randn(*lead, T, 2 * half, seed=seed % 100_000)
    cos, sin = random_tables(offset + T, half, seed=seed % 100_000 + 1)
    out = apply_rope(x, cos, sin, offset=offset, interleaved=interleaved)
    assert_close(out, reference(x, cos, sin, offset, interleaved),
                 what=f"apply_rope(x {tuple(x.shape)}, cos, sin, offset={offset}, {convention(interleaved)})",
                 hint=diagnose(out, x, cos, sin, offset, interleaved))


@given(T=st.integers(1, 9), half=st.integers(1, 8), offset=st.integers(0, 30), interleaved=st.booleans(),
       seed=SEEDS)
def test_rotation_preserves_each_tokens_norm(T, half, offset, interleaved, seed):
    x = randn(2, T, 2 * half, seed=seed % 100_000)
    cos, sin = rope_cache(2 * half, offset + T)
    out = apply_rope(x, cos, sin, offset=offset, interleaved=interleaved)
    assert_close(out.norm(dim=-1), x.norm(dim=-1),
                 what=f"|apply_rope(x (2, {T}, {2 * half}), offset={offset}, {convention(interleaved)})| per token",
                 rtol=1e-5, atol=1e-5,
                 hint="a rotation keeps every pair's length: each channel must be used in exactly one "
                      "pair, with cos and sin of the same angle. " + (HINT_PAIRS if interleaved else HINT_HALF))


# ------------------------------------------------------------------------ gradients, inputs

@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_gradcheck_float64(interleaved):
    x = randn(2, 3, 6, seed=12, dtype=torch.float64)
    cos, sin = random_tables(5, 3, seed=13, dtype=torch.float64)
    gradcheck(lambda x: apply_rope(x, cos, sin, offset=2, interleaved=interleaved), x,
              what=f"apply_rope(x, cos, sin, offset=2, {convention(interleaved)}) backward",
              hint="build the output from differentiable torch ops (no .detach(), no in-place writes "
                   "into a tensor made with torch.empty that breaks the graph)")


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_gradients_match_the_complex_rotation(interleaved):
    x = randn(2, 4, 5, 8, seed=14)
    cos, sin = rope_cache(8, 9)
    assert_grads_match(lambda x: apply_rope(x, cos, sin, offset=3, interleaved=interleaved),
                       lambda x: reference(x, cos, sin, 3, interleaved), x,
                       what=f"apply_rope gradient ({convention(interleaved)}, offset=3)",
                       hint="the transpose of a rotation is the rotation back: if the forward matches, "
                            "autograd gets this right by itself")


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_non_contiguous_inputs_are_left_alone(interleaved):
    # (B, T, H, D) -> (B, H, T, D) by transpose, as attention code does: not contiguous
    x = randn(2, 5, 3, 8, seed=15).transpose(1, 2)
    cos, sin = (non_contiguous(t) for t in rope_cache(8, 7))
    with unchanged(x, cos, sin, names=["x", "cos", "sin"]):
        out = apply_rope(x, cos, sin, offset=2, interleaved=interleaved)
    assert_close(out, reference(x, cos, sin, 2, interleaved),
                 what=f"apply_rope(x (2, 3, 5, 8) non-contiguous, offset=2, {convention(interleaved)})",
                 hint=diagnose(out, x, cos, sin, 2, interleaved))


# ------------------------------------------------------------------------ dtype, layout, sizes

@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_float64_keeps_float64_accuracy(interleaved):
    x = randn(2, 3, 6, 8, seed=16, dtype=torch.float64)
    cos, sin = random_tables(8, 4, seed=17, dtype=torch.float64)
    out = apply_rope(x, cos, sin, offset=2, interleaved=interleaved)
    assert out.dtype == torch.float64, f"apply_rope(float64 x, float64 tables) returned {out.dtype}"
    assert_close(out, reference(x, cos, sin, 2, interleaved), rtol=1e-12, atol=1e-12,
                 what=f"apply_rope(float64 x (2, 3, 6, 8), float64 cos/sin, offset=2, {convention(interleaved)})",
                 hint="compute in x's dtype: cos.float() / x.float() (or view_as_complex on a float32 "
                      "copy) loses float64 accuracy; cast the tables with .to(x.dtype)")


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_output_dtype_is_x_dtype_whatever_the_tables(interleaved):
    x = randn(2, 5, 6, seed=18)
    cos, sin = random_tables(5, 3, seed=19, dtype=torch.float64)
    out = apply_rope(x, cos, sin, interleaved=interleaved)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32, (
        f"apply_rope(float32 x, float64 cos/sin, {convention(interleaved)}) returned "
        f"{getattr(out, 'dtype', type(out).__name__)}; the output has x's dtype\n  hint: float32 * "
        f"float64 promotes to float64: cast the table rows with .to(x.dtype) first")
    assert_close(out, reference(x, cos, sin, 0, interleaved), what=f"apply_rope(float32 x, float64 tables, "
                 f"{convention(interleaved)})", hint=diagnose(out, x, cos, sin, 0, interleaved))
    x64 = randn(2, 5, 6, seed=20, dtype=torch.float64)
    c32, s32 = rope_cache(6, 5)
    out64 = apply_rope(x64, c32, s32, interleaved=interleaved)
    assert_close(out64, reference(x64, c32, s32, 0, interleaved), rtol=1e-12, atol=1e-12,
                 what=f"apply_rope(float64 x, float32 rope_cache tables, {convention(interleaved)})",
                 hint="float64 x with float32 tables returns float64: cast the tables up, not x down")
    with default_dtype(torch.float64):  # a helper (a sign vector torch.ones(half)) would follow it
        out_default = apply_rope(x, *rope_cache(6, 5), interleaved=interleaved)
    assert isinstance(out_default, torch.Tensor) and out_default.dtype == torch.float32, (
        f"apply_rope(float32 x, float32 tables, {convention(interleaved)}) under "
        f"torch.set_default_dtype(torch.float64) returned {getattr(out_default, 'dtype', type(out_default).__name__)}; "
        f"the output has x's dtype\n  hint: a helper built without dtype= (torch.ones(half) for a sign "
        f"vector, torch.tensor([-1.0, 1.0])) follows the default dtype and promotes x: give dtype=x.dtype")


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_any_layout_of_x(interleaved):
    """A layout whose last dim is not stride 1: view_as_complex needs a contiguous copy."""
    x = non_contiguous(randn(2, 3, 5, 8, seed=21))
    cos, sin = rope_cache(8, 9)
    out = apply_rope(x, cos, sin, offset=1, interleaved=interleaved)
    assert_close(out, reference(x.contiguous(), cos, sin, 1, interleaved),
                 what=f"apply_rope(x (2, 3, 5, 8) in a gapped, transposed layout, offset=1, {convention(interleaved)})",
                 hint="x may be any view: .view(-1, T, D) and torch.view_as_complex (last dim stride 1) "
                      "fail on it; use .reshape, and .contiguous() before view_as_complex")


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_empty_sequence(interleaved, dtype):
    x = randn(2, 3, 0, 8, seed=22, dtype=dtype).requires_grad_()
    cos, sin = rope_cache(8, 4)
    out = apply_rope(x, cos, sin, offset=2, interleaved=interleaved)
    what = f"apply_rope({dtype} x (2, 3, 0, 8), offset=2, {convention(interleaved)})"
    assert_close(out, x.detach().clone(), what=what,
                 hint="T = 0 returns an empty tensor of x's shape: reshape(-1, T, D) cannot infer -1 from "
                      "0 elements; keep the leading dims as they are and broadcast the table rows")
    assert out.requires_grad, (
        f"{what}: x requires grad but the output does not, so out.sum().backward() fails\n  hint: "
        "differentiable with respect to x for every T: a T = 0 shortcut that returns a fresh "
        "x.new_empty(...) / torch.empty(...) is cut from the graph; let the rotation run (or return x * 1)")


@pytest.mark.parametrize("default,max_len", [(torch.float64, 6), (torch.bfloat16, 300)], ids=str)
def test_cache_float32_under_another_default_dtype(default, max_len):
    """A float64 default (scientific code) or a bfloat16 one (LLM loaders that build the model
    under it, as Meta's Llama code does): float32 tables, computed in float32 or float64."""
    with default_dtype(default):
        cos, sin = rope_cache(8, max_len)
    for name, t in (("cos", cos), ("sin", sin)):
        assert isinstance(t, torch.Tensor) and t.dtype == torch.float32, (
            f"rope_cache(8, {max_len}) {name} under torch.set_default_dtype({default}): "
            f"{getattr(t, 'dtype', type(t).__name__)}, expected float32\n  hint: torch.arange(0, d, 2) / d "
            f"follows the default dtype: return .float() (or give every tensor dtype=)")
    expected = angles(max_len, 8)
    assert_close((cos, sin), (expected.cos().float(), expected.sin().float()), rtol=0.0, atol=1e-4,
                 what=f"rope_cache(8, {max_len}) (default dtype {default})",
                 hint=f"torch.arange(0, head_dim, 2) / head_dim and a float arange of positions follow the "
                      f"default dtype, here {default}: give them dtype=torch.float32 (or float64), as "
                      f"Llama's .float() does, not only the result; " + diagnose_cache(cos, sin, 8, max_len))


@pytest.mark.parametrize("interleaved", [False, True], ids=["rotate_half", "interleaved"])
def test_runs_on_the_device_of_x(interleaved):
    """On the meta device (shapes only) every helper tensor (an output buffer, position
    indices) must be built on x.device: torch.empty(x.shape) lands on the CPU."""
    x = randn(2, 3, 5, 8, seed=23)
    cos, sin = random_tables(9, 4, seed=24)
    assert_on_input_device(
        lambda: apply_rope(x, cos, sin, offset=2, interleaved=interleaved),
        lambda: apply_rope(*(t.to("meta") for t in (x, cos, sin)), offset=2, interleaved=interleaved),
        what=f"apply_rope(x (2, 3, 5, 8) and tables on the meta device, offset=2, {convention(interleaved)})",
        hint="build every helper tensor on x.device: torch.empty_like(x) rather than torch.empty(x.shape), "
             "torch.arange(T, device=x.device); or avoid them (slice the tables, torch.cat / torch.stack the "
             "halves); never move x's values to the CPU")
