"""Specs for katas/positional/sinusoidal.py (day 19): sinusoidal_table.

Contract -> specs:
- (max_len, d_model), float32: test_returns_float32_*; float32 whatever the default dtype, and
  computed in float32/float64 even under a bfloat16/float16 default:
  test_float32_even_under_a_float64_default_dtype
- sin on 2i, cos on 2i + 1 (interleaved), one frequency per pair: test_position_zero_*,
  test_first_pair_*, test_each_channel_pair_lies_on_the_unit_circle
- exponent 2i / d_model: test_position_one_reveals_the_frequencies, test_matches_the_formula*
- odd d_model ends with a lone sin (d_model = 1 too), max_len = 1: test_odd_d_model_*, SHAPES, hypothesis
- long tables (float32 or float64 internally; positions past 2048 exact): test_long_table_matches_the_formula
- no size limit (no table precomputed to 5000 and sliced): test_long_table_matches_the_formula (10007)
- a new tensor per call, not requiring grad: test_each_call_returns_a_new_tensor_without_grad
- relative-offset property: test_dot_product_depends_only_on_the_distance
"""

import pytest
import torch
from hypothesis import given, strategies as st

from harness.checks import assert_close, assert_shape
from harness.edges import default_dtype
from katas.positional.sinusoidal import sinusoidal_table

HINT_LAYOUT = ("interleave them: sin on the even channels 0, 2, 4, ... and cos on the odd channels "
               "1, 3, 5, ... (table[:, 0::2] = sin, table[:, 1::2] = cos), the two channels of a pair "
               "sharing one frequency; torch.cat([sin, cos], dim=-1) puts all the sines first instead")
HINT_EXPONENT = ("the pair (2i, 2i + 1) turns at frequency 1 / 10000^(2i / d_model): the exponent is the "
                 "EVEN channel index 2i over d_model, e.g. torch.arange(0, d_model, 2) / d_model, not "
                 "i / d_model, and the cos channel 2i + 1 reuses the frequency of the sin channel 2i")
HINT_BOTH = HINT_LAYOUT + "; and " + HINT_EXPONENT


def formula(max_len: int, d_model: int) -> torch.Tensor:
    """The paper's table computed channel by channel in float64, then cast to float32."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    channel = torch.arange(d_model)
    even = (channel - channel % 2).to(torch.float64)  # 2i for both channels of pair i
    angle = pos / torch.pow(10000.0, even / d_model)
    return torch.where(channel % 2 == 0, angle.sin(), angle.cos()).float()


def _variant(max_len: int, d_model: int, exponent: str = "2i", layout: str = "interleaved") -> torch.Tensor:
    """Wrong tables (even d_model), used only to name the mistake in a failure message."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    if exponent == "channel":  # channel j uses 10000^(j / d): a pair's cos gets its own frequency
        angle = pos / torch.pow(10000.0, torch.arange(d_model, dtype=torch.float64) / d_model)
        return torch.where(torch.arange(d_model) % 2 == 0, angle.sin(), angle.cos())
    pair = torch.arange(d_model // 2, dtype=torch.float64)
    angle = pos / torch.pow(10000.0, (2 * pair if exponent == "2i" else pair) / d_model)
    if layout == "concatenated":
        return torch.cat([angle.sin(), angle.cos()], dim=-1)
    first, second = (angle.cos(), angle.sin()) if layout == "swapped" else (angle.sin(), angle.cos())
    return torch.stack([first, second], dim=-1).flatten(-2)


def diagnose(table, max_len: int, d_model: int) -> str:
    """The hint for the mistake a wrong table looks like."""
    if not isinstance(table, torch.Tensor) or tuple(table.shape) != (max_len, d_model):
        return f"return a ({max_len}, {d_model}) tensor: one row per position, one column per channel"
    if d_model % 2 or max_len < 2:
        return HINT_BOTH
    mine = table.detach().double()
    known = [({"layout": "concatenated"}, "your table holds all the sines first, then all the cosines; "
              + HINT_LAYOUT),
             ({"exponent": "i"}, "your frequencies are 10000^(-i / d_model) with i the pair number; "
              + HINT_EXPONENT),
             ({"exponent": "channel"}, "your channel j uses 10000^(-j / d_model): the cos channel 2i + 1 "
              "got its own frequency; " + HINT_EXPONENT),
             ({"layout": "swapped"}, "your table has cos on the even channels and sin on the odd ones: "
              "sin goes on channel 2i (0, 2, 4, ...), cos on channel 2i + 1 (1, 3, 5, ...)"),
             ({"layout": "concatenated", "exponent": "i"}, "both the layout and the exponent are off; "
              + HINT_BOTH)]
    for variant, hint in known:
        if bool(((mine - _variant(max_len, d_model, **variant)).abs() <= 1e-3).all()):
            return hint
    return HINT_BOTH


def tolerance(max_len: int) -> dict:
    """float32 angles pos * w lose about pos * 1e-7 in absolute terms: allow for it."""
    return dict(rtol=0.0, atol=1e-5 + 3e-7 * max_len)


# ------------------------------------------------------------------------ first rows

def test_returns_float32_of_shape_max_len_by_d_model():
    table = sinusoidal_table(6, 8)
    assert_shape(table, (6, 8), what="sinusoidal_table(6, 8)",
                 hint="one row per position 0..max_len-1, one column per channel")
    assert table.dtype == torch.float32, (
        f"sinusoidal_table(6, 8): dtype {table.dtype}, expected torch.float32\n"
        "  hint: compute in float64 if you like, then return table.float()")


def test_position_zero_is_sin_0_and_cos_0():
    table = sinusoidal_table(3, 10)
    assert_close(table[0], torch.tensor([0.0, 1.0] * 5), what="sinusoidal_table(3, 10)[0] (position 0)",
                 atol=1e-6, rtol=0.0,
                 hint="at position 0 every angle is 0: sin 0 = 0 on the even channels, cos 0 = 1 on "
                      "the odd ones, so row 0 reads 0, 1, 0, 1, ...; " + diagnose(table, 3, 10))


def test_first_pair_is_sin_pos_and_cos_pos():
    table = sinusoidal_table(30, 6)
    pos = torch.arange(30, dtype=torch.float64)
    assert_close(table[:, :2], torch.stack([pos.sin(), pos.cos()], dim=-1).float(),
                 what="sinusoidal_table(30, 6)[:, :2]", atol=1e-5, rtol=0.0,
                 hint="pair 0 has exponent 0: channel 0 is sin(pos), channel 1 is cos(pos); "
                      + diagnose(table, 30, 6))


def test_each_channel_pair_lies_on_the_unit_circle():
    """sin^2 + cos^2 = 1 holds only if channels 2i and 2i + 1 are the sin and cos of ONE angle."""
    table = sinusoidal_table(20, 12)
    radius = table[:, 0::2] ** 2 + table[:, 1::2] ** 2
    assert_close(radius, torch.ones(20, 6), what="sinusoidal_table(20, 12): PE[:, 2i]^2 + PE[:, 2i+1]^2",
                 atol=1e-5, rtol=0.0, hint=diagnose(table, 20, 12))


def test_position_one_reveals_the_frequencies():
    """Row 1 is (sin w_0, cos w_0, sin w_1, cos w_1, ...) with w_i = 10000^(-2i/d)."""
    d_model = 16
    table = sinusoidal_table(2, d_model)
    w = torch.pow(10000.0, -torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    expected = torch.stack([w.sin(), w.cos()], dim=-1).flatten().float()
    assert_close(table[1], expected, what=f"sinusoidal_table(2, {d_model})[1] (position 1)",
                 atol=1e-6, rtol=0.0,
                 hint=f"row 1 holds sin and cos of the frequencies themselves: pair i uses "
                      f"w_i = 10000^(-2i/{d_model}), e.g. w_1 = {w[1].item():.6f}, w_7 = {w[7].item():.3g}. "
                      + diagnose(table, 2, d_model))


# ------------------------------------------------------------------------ whole tables

SHAPES = [(1, 2), (5, 4), (7, 6), (2, 2), (16, 16), (13, 10), (50, 64), (3, 128)]


@pytest.mark.parametrize("max_len,d_model", SHAPES)
def test_matches_the_formula(max_len, d_model):
    table = sinusoidal_table(max_len, d_model)
    assert_close(table, formula(max_len, d_model), what=f"sinusoidal_table({max_len}, {d_model})",
                 **tolerance(max_len), hint=diagnose(table, max_len, d_model))


@pytest.mark.parametrize("max_len,d_model", [(1024, 64), (4100, 4), (10007, 2)])
def test_long_table_matches_the_formula(max_len, d_model):
    """Beyond 2048 a float16 position counter rounds (2049 -> 2048); float32 counts exactly to 2^24.
    There is no size limit: a table precomputed up to 5000 positions (the tutorial's max_len) and
    sliced must fail at 10007."""
    table = sinusoidal_table(max_len, d_model)
    assert_close(table, formula(max_len, d_model), what=f"sinusoidal_table({max_len}, {d_model})",
                 **tolerance(max_len),
                 hint=diagnose(table, max_len, d_model) + " (float32 angles lose digits at large "
                      "positions: pos * 10000^(-2i/d) and pos / 10000^(2i/d) are both fine; so is "
                      "float64; but float16 or bfloat16 positions round past 2048 and 256; and the "
                      "contract has no size limit: no table precomputed up to some max_len and sliced)")


@pytest.mark.parametrize("max_len,d_model", [(9, 5), (4, 7), (3, 1), (11, 13)])
def test_odd_d_model_ends_with_a_lone_sin(max_len, d_model):
    table = sinusoidal_table(max_len, d_model)
    assert_close(table, formula(max_len, d_model), what=f"sinusoidal_table({max_len}, {d_model}) (odd d_model)",
                 **tolerance(max_len),
                 hint=f"with odd d_model there are {d_model // 2 + 1} sin channels and {d_model // 2} cos "
                      f"channels: the last channel {d_model - 1} is sin(pos / 10000^({d_model - 1}/{d_model})) "
                      "with no cos partner; slice the angles for the cos channels, e.g. "
                      "table[:, 1::2] = angles[:, : d_model // 2].cos(); and " + HINT_EXPONENT)


def test_each_call_returns_a_new_tensor_without_grad():
    """The caller may edit the table in place (scale it, add to it): the next call must not see that."""
    first = sinusoidal_table(6, 4)
    assert isinstance(first, torch.Tensor) and not first.requires_grad, (
        "sinusoidal_table(6, 4) returned a tensor with requires_grad=True; the table is a constant "
        "(the contract: a new tensor that does not require grad)\n  hint: do not call "
        ".requires_grad_() on it, and do not return an nn.Parameter")
    first.mul_(0.0).add_(7.0)
    second = sinusoidal_table(6, 4)
    assert second is not first and not (second == 7.0).all(), (
        "sinusoidal_table(6, 4) called again after the caller overwrote the first result in place "
        "returned that edited tensor (or a view of it); each call must return a new tensor\n  hint: "
        "a functools.lru_cache or a module-level table hands every caller the same storage: build the "
        "table per call, or return cached[:max_len].clone()")
    assert_close(second, formula(6, 4), what="sinusoidal_table(6, 4) after an in-place edit of an earlier "
                 "result", **tolerance(6), hint="each call must return a new tensor; return a .clone() of "
                 "any cached table")


# ------------------------------------------------------------------------ properties

@given(max_len=st.integers(1, 64), d_model=st.integers(1, 40))
def test_matches_the_formula_for_any_size(max_len, d_model):
    table = sinusoidal_table(max_len, d_model)
    assert_close(table, formula(max_len, d_model), what=f"sinusoidal_table({max_len}, {d_model})",
                 **tolerance(max_len), hint=diagnose(table, max_len, d_model))


@given(half=st.integers(1, 16), p=st.integers(0, 40), q=st.integers(0, 40), k=st.integers(0, 20))
def test_dot_product_depends_only_on_the_distance(half, p, q, k):
    """PE[p] . PE[p + k] = sum_i cos(k w_i) whatever p: what lets attention read relative offsets."""
    d_model = 2 * half
    table = sinusoidal_table(61, d_model).double()
    assert_close(table[p] @ table[p + k], table[q] @ table[q + k],
                 what=f"sinusoidal_table(61, {d_model}): PE[{p}] . PE[{p + k}] vs PE[{q}] . PE[{q + k}]",
                 atol=1e-4, rtol=0.0,
                 hint="each pair must be (sin, cos) of one angle pos * w_i, so the dot product of two "
                      "rows is sum_i cos((p - q) w_i); " + HINT_LAYOUT)


# ------------------------------------------------------------------------ dtype whatever the default

@pytest.mark.parametrize("default,max_len,d_model", [(torch.float64, 5, 4), (torch.float64, 7, 5),
                                                     (torch.bfloat16, 300, 6), (torch.float16, 40, 9)])
def test_float32_even_under_a_float64_default_dtype(default, max_len, d_model):
    """torch.set_default_dtype(torch.float64) is common in scientific code, a bfloat16 or float16
    default in LLM loaders: the table is float32 anyway, computed in float32 or float64."""
    with default_dtype(default):
        table = sinusoidal_table(max_len, d_model)
    assert isinstance(table, torch.Tensor) and table.dtype == torch.float32, (
        f"sinusoidal_table({max_len}, {d_model}) under torch.set_default_dtype({default}) returned "
        f"{getattr(table, 'dtype', type(table).__name__)}; the contract says float32\n  hint: a table "
        f"made with torch.zeros(...) / torch.empty(...) without dtype= follows the default dtype: "
        f"return table.float() (or build it with dtype=torch.float32)")
    assert_close(table, formula(max_len, d_model), what=f"sinusoidal_table({max_len}, {d_model}) "
                 f"(default dtype {default})", **tolerance(max_len),
                 hint=f"torch.arange(0, d_model, 2) * float, torch.zeros(...) or torch.exp(...) without "
                      f"dtype= compute in the default dtype, here {default}: give the helper tensors "
                      f"dtype=torch.float32 (or float64) explicitly, not only the result; "
                      + diagnose(table, max_len, d_model))
