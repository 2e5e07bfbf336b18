"""Specs for katas/tensors/reshaping.py (day 1): split_heads, merge_heads, patchify, squeeze_dim.

Contract-to-spec map:
- split_heads: head h owns channels h*D .. h*D+D-1 -> test_split_heads_keeps_each_heads_channels_
  together, _shapes_and_values (H = 1, H = C, odd sizes), _property; dtype kept (float64, int64,
  bfloat16, bool) -> _keeps_dtype; B or T = 0 -> _empty_batch_or_sequence; non-contiguous x,
  not modified -> _non_contiguous_input_is_left_alone.
- merge_heads: inverse of split_heads, out[b, t, h*D+d] = x[b, h, t, d] -> test_merge_heads_of_
  an_attention_output, _shapes_and_values, _undoes_split_heads, _property; any strides (a
  transpose, a gapped layout) -> _on_a_transposed_input, _strided_input_is_left_alone; dtype kept
  -> _keeps_dtype; B or T = 0 -> _empty_batch_or_sequence.
- patchify: row-major patch grid, (channel, dy, dx) features, equals F.unfold -> test_patchify_
  numbers_patches_and_features_like_unfold, _matches_unfold, _property; dtype kept (uint8 images,
  int64, half) -> _keeps_dtype; B = 0 (also with p = H = W) -> _empty_batch; non-contiguous, not
  modified -> _non_contiguous_float64_input_is_left_alone; F.unfold off limits -> _writes_its_own_unfold.
- squeeze_dim: only `dim`, only when its size is 1, negative dims -> test_squeeze_dim_removes_only_
  that_dim, _leaves_a_larger_dim_alone, _cases, _property; a size-0 dim stays -> _keeps_a_size_
  zero_dim; dtype kept (int32, bool, half) -> _keeps_dtype; non-contiguous, not modified ->
  _non_contiguous_input_is_left_alone.
- split_heads, merge_heads, patchify, squeeze_dim: values moved, not computed (inf/NaN stay put,
  no 0/1 matmul or identity convolution; -0.0 keeps its sign, no adding into zeros) ->
  test_values_are_moved_not_computed.
- every function: output on the input's device with its dtype (float64 on meta), also for empty
  inputs (B = 0 or T = 0) -> test_output_stays_on_the_input_device.
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import SpecFailure, assert_close, assert_shape, forbid, non_contiguous, randn, unchanged
from harness.failures import fail
from katas.tensors.reshaping import merge_heads, patchify, split_heads, squeeze_dim

SEEDS = st.integers(0, 2**31 - 1)

SPLIT_HINT = ("head h owns channels h*D .. h*D+D-1 of every position: view(B, T, H, D) then "
              "transpose(1, 2); a view straight to (B, H, T, D) puts several positions into one head")
MERGE_HINT = ("undo split_heads: transpose back to (B, T, H, D), then flatten the last two dims; "
              "after a transpose the tensor is not contiguous, so use reshape (or .contiguous().view)")


def sliced_heads(x, n_heads):
    """Independent answer: cut C into n_heads consecutive blocks and stack them on dim 1."""
    D = x.shape[2] // n_heads
    return torch.stack([x[:, :, h * D:(h + 1) * D] for h in range(n_heads)], dim=1)


def concat_heads(y):
    """Independent answer: concatenate the heads of (B, H, T, D) along the channels."""
    return torch.cat([y[:, h] for h in range(y.shape[1])], dim=-1)


def unfold_patches(img, p):
    """The built-in answer (computed outside the learner's call)."""
    return F.unfold(img, p, stride=p).transpose(1, 2)


def merge(y, what):
    """merge_heads(y), turning a failed view into a teaching failure."""
    __tracebackhide__ = True
    try:
        return merge_heads(y)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        if "view" not in str(err):
            raise
        raise SpecFailure(f"{what} raised RuntimeError: {str(err).splitlines()[0]}\n  hint: {MERGE_HINT}") from err


# ------------------------------------------------------------------------ split_heads

def test_split_heads_keeps_each_heads_channels_together():
    x = torch.arange(2 * 3 * 6, dtype=torch.float32).reshape(2, 3, 6)
    out = split_heads(x, 3)
    assert_close(out, sliced_heads(x, 3), what="split_heads(x (2, 3, 6), 3)", hint=SPLIT_HINT)


@pytest.mark.parametrize("B,T,C,H", [(1, 1, 1, 1), (2, 5, 6, 3), (1, 7, 10, 2), (3, 2, 13, 13),
                                     (2, 3, 12, 1), (1, 11, 14, 7)])
def test_split_heads_shapes_and_values(B, T, C, H):
    x = randn(B, T, C, seed=1)
    out = split_heads(x, H)
    assert_close(out, sliced_heads(x, H), what=f"split_heads(x {(B, T, C)}, {H})", hint=SPLIT_HINT)


@given(B=st.integers(1, 3), T=st.integers(1, 6), H=st.integers(1, 4), D=st.integers(1, 4), seed=SEEDS)
def test_split_heads_property(B, T, H, D, seed):
    x = randn(B, T, H * D, seed=seed)
    out = split_heads(x, H)
    assert_close(out, sliced_heads(x, H), what=f"split_heads(x {(B, T, H * D)}, {H})", hint=SPLIT_HINT)


DTYPE_HINT = ("reshaping moves values, it never converts them: a buffer made with torch.zeros(...) "
              "or torch.empty(...) without dtype=x.dtype (or a sum/mean/matmul doing the work) "
              "changes the dtype")
EMPTY_HINT = ("-1 cannot be inferred from a tensor with 0 elements (reshape(B, T, -1) raises when B "
              "or T is 0): spell out every size, e.g. reshape(B, T, H * D), or use flatten/unflatten")


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, torch.bfloat16, torch.bool])
def test_split_heads_keeps_dtype(dtype):
    x = (randn(2, 3, 8, seed=2, dtype=torch.float64) * 10).to(dtype)
    out = split_heads(x, 4)
    assert_close(out, sliced_heads(x, 4), what=f"split_heads(x of {dtype}, 4)", hint=DTYPE_HINT)


@pytest.mark.parametrize("B,T", [(0, 3), (2, 0), (0, 0)])
def test_split_heads_empty_batch_or_sequence(B, T):
    x = torch.zeros(B, T, 12)
    out = split_heads(x, 3)
    assert_shape(out, (B, 3, T, 4), what=f"split_heads(x {(B, T, 12)}, 3)", hint=EMPTY_HINT)


def test_split_heads_non_contiguous_input_is_left_alone():
    x = non_contiguous(randn(2, 5, 6, seed=3))
    with unchanged(x, names=["x"]):
        out = split_heads(x, 2)
    assert_close(out, sliced_heads(x.contiguous(), 2), what="split_heads(non-contiguous x, 2)", hint=SPLIT_HINT)


# ------------------------------------------------------------------------ merge_heads

def test_merge_heads_of_an_attention_output():
    # attention's output (B, H, T, D) is contiguous; moving H behind T makes it non-contiguous,
    # so the merge cannot be a plain view afterwards
    y = randn(2, 3, 5, 4, seed=14)
    out = merge(y, "merge_heads(y (2, 3, 5, 4))")
    assert_close(out, concat_heads(y), what="merge_heads(y (2, 3, 5, 4))", hint=MERGE_HINT)


def test_merge_heads_on_a_transposed_input():
    # (B, T, H, D) -> transpose -> (B, H, T, D): the non-contiguous layout attention produces
    y = randn(2, 5, 3, 4, seed=4).transpose(1, 2)
    out = merge(y, "merge_heads(non-contiguous y (2, 3, 5, 4) from a transpose)")
    assert_close(out, concat_heads(y), what="merge_heads(non-contiguous y (2, 3, 5, 4) from a transpose)",
                 hint=MERGE_HINT)


@pytest.mark.parametrize("B,H,T,D", [(1, 1, 1, 1), (2, 3, 5, 4), (1, 2, 7, 5), (3, 13, 2, 1), (2, 1, 3, 6)])
def test_merge_heads_shapes_and_values(B, H, T, D):
    y = randn(B, H, T, D, seed=5)
    out = merge(y, f"merge_heads(y {(B, H, T, D)})")
    assert_close(out, concat_heads(y), what=f"merge_heads(y {(B, H, T, D)})",
                 hint="out[b, t] is head 0's D values, then head 1's, ...: transpose H and T back "
                      "before flattening; reshaping (B, H, T, D) straight to (B, T, H*D) mixes positions")


@given(B=st.integers(1, 3), T=st.integers(1, 6), H=st.integers(1, 4), D=st.integers(1, 4), seed=SEEDS)
def test_merge_heads_undoes_split_heads(B, T, H, D, seed):
    x = randn(B, T, H * D, seed=seed)
    back = merge(split_heads(x, H), f"merge_heads(split_heads(x {(B, T, H * D)}, {H}))")
    assert_close(back, x, what=f"merge_heads(split_heads(x {(B, T, H * D)}, {H}))", hint=MERGE_HINT)


@given(B=st.integers(1, 3), H=st.integers(1, 4), T=st.integers(1, 6), D=st.integers(1, 4), seed=SEEDS)
def test_merge_heads_property(B, H, T, D, seed):
    y = randn(B, T, H, D, seed=seed).transpose(1, 2)
    out = merge(y, f"merge_heads(transposed y {(B, H, T, D)})")
    assert_close(out, concat_heads(y), what=f"merge_heads(transposed y {(B, H, T, D)})", hint=MERGE_HINT)


@pytest.mark.parametrize("dtype", [torch.int64, torch.float16, torch.bfloat16, torch.bool])
def test_merge_heads_keeps_dtype(dtype):
    y = (randn(2, 5, 3, 4, seed=15, dtype=torch.float64) * 10).to(dtype).transpose(1, 2)
    out = merge(y, f"merge_heads(transposed y (2, 3, 5, 4) of {dtype})")
    assert_close(out, concat_heads(y), what=f"merge_heads(transposed y (2, 3, 5, 4) of {dtype})",
                 hint=DTYPE_HINT)


@pytest.mark.parametrize("B,T", [(0, 5), (2, 0), (0, 0)])
def test_merge_heads_empty_batch_or_sequence(B, T):
    y = torch.zeros(B, 3, T, 4)
    out = merge(y, f"merge_heads(y {(B, 3, T, 4)})")
    assert_shape(out, (B, T, 12), what=f"merge_heads(y {(B, 3, T, 4)})", hint=EMPTY_HINT)


def test_merge_heads_strided_input_is_left_alone():
    y = non_contiguous(randn(2, 3, 4, 5, seed=6, dtype=torch.float64))
    with unchanged(y, names=["y"]):
        out = merge(y, "merge_heads(non-contiguous y (2, 3, 4, 5))")
    assert_close(out, concat_heads(y), what="merge_heads(non-contiguous float64 y (2, 3, 4, 5))", hint=MERGE_HINT)


# ------------------------------------------------------------------------ patchify

def loop_patches(img, p):
    """Independent answer, straight from the definition."""
    B, C, H, W = img.shape
    rows = []
    for i in range(H // p):
        for j in range(W // p):
            rows.append(img[:, :, i * p:(i + 1) * p, j * p:(j + 1) * p].reshape(B, C * p * p))
    return torch.stack(rows, dim=1)


PATCH_HINT = ("patch n = i*(W/p) + j walks the patch grid row by row; its features are "
              "(channel, dy, dx) with the channel slowest: reshape to (B, C, H/p, p, W/p, p) and "
              "permute to (B, H/p, W/p, C, p, p) before flattening")


def test_patchify_numbers_patches_and_features_like_unfold():
    img = torch.arange(1 * 2 * 4 * 6, dtype=torch.float32).reshape(1, 2, 4, 6)
    out = patchify(img, 2)
    assert_close(out, loop_patches(img, 2), what="patchify(img (1, 2, 4, 6), 2)", hint=PATCH_HINT)


@pytest.mark.parametrize("B,C,H,W,p", [(1, 1, 1, 1, 1), (2, 3, 4, 6, 2), (1, 2, 9, 6, 3),
                                       (2, 1, 5, 5, 5), (1, 3, 14, 7, 7), (3, 2, 3, 5, 1)])
def test_patchify_matches_unfold(B, C, H, W, p):
    img = randn(B, C, H, W, seed=7)
    out = patchify(img, p)
    assert_close(out, unfold_patches(img, p), what=f"patchify(img {(B, C, H, W)}, {p})", hint=PATCH_HINT)


@given(B=st.integers(1, 2), C=st.integers(1, 3), gh=st.integers(1, 3), gw=st.integers(1, 3),
       p=st.integers(1, 4), seed=SEEDS)
def test_patchify_property(B, C, gh, gw, p, seed):
    img = randn(B, C, gh * p, gw * p, seed=seed)
    out = patchify(img, p)
    assert_close(out, unfold_patches(img, p), what=f"patchify(img {(B, C, gh * p, gw * p)}, {p})",
                 hint=PATCH_HINT)


def test_patchify_non_contiguous_float64_input_is_left_alone():
    img = non_contiguous(randn(2, 3, 6, 4, seed=8, dtype=torch.float64))
    with unchanged(img, names=["img"]):
        out = patchify(img, 2)
    assert_close(out, unfold_patches(img.contiguous(), 2), what="patchify(non-contiguous float64 img, 2)",
                 hint=PATCH_HINT)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int64, torch.float16, torch.bfloat16])
def test_patchify_keeps_dtype(dtype):
    # images often arrive as uint8: the patches are the same bytes, rearranged
    img = (randn(2, 3, 4, 6, seed=16, dtype=torch.float64).abs() * 40).to(dtype)
    out = patchify(img, 2)
    assert_close(out, loop_patches(img, 2), what=f"patchify(img (2, 3, 4, 6) of {dtype}, 2)",
                 hint=DTYPE_HINT)


@pytest.mark.parametrize("C,H,W,p", [(2, 4, 6, 2), (2, 3, 3, 3)])  # also one patch per image (p = H = W)
def test_patchify_empty_batch(C, H, W, p):
    img = torch.zeros(0, C, H, W)
    out = patchify(img, p)
    assert_shape(out, (0, (H // p) * (W // p), C * p * p), what=f"patchify(img (0, {C}, {H}, {W}), {p})",
                 hint=EMPTY_HINT + "; a shortcut (p == H == W, p == 1) must handle B = 0 too")


def test_patchify_writes_its_own_unfold():
    img = randn(1, 2, 4, 4, seed=9)
    # F.unfold is also what nn.Unfold calls; aten.im2col is what both run
    with forbid(F.unfold, aten={"im2col": "F.unfold (as aten.im2col)"}):
        patchify(img, 2)


# ------------------------------------------------------------------------ squeeze_dim

def test_squeeze_dim_removes_only_that_dim():
    x = randn(1, 3, 1, 4, seed=10)
    out = squeeze_dim(x, 2)
    assert_close(out, x.reshape(1, 3, 4), what="squeeze_dim(x (1, 3, 1, 4), 2)",
                 hint="only dim 2 goes; the other size-1 dim (dim 0, often a batch of one) stays. "
                      "x.squeeze() with no dim removes every size-1 dim")


def test_squeeze_dim_leaves_a_larger_dim_alone():
    x = randn(1, 3, 1, 4, seed=11)
    out = squeeze_dim(x, 1)
    assert_close(out, x, what="squeeze_dim(x (1, 3, 1, 4), 1)",
                 hint="dim 1 has size 3: nothing to squeeze, return x with its shape unchanged")


@pytest.mark.parametrize("shape,dim,expected", [
    ((1, 3, 1, 4), 0, (3, 1, 4)),
    ((1, 3, 1, 4), -2, (1, 3, 4)),
    ((1, 3, 1, 4), -4, (3, 1, 4)),
    ((1, 3, 1, 4), -1, (1, 3, 1, 4)),
    ((2, 1), -1, (2,)),
    ((1,), 0, ()),
    ((1, 1, 1), 1, (1, 1)),
    ((5, 7), 0, (5, 7)),
])
def test_squeeze_dim_cases(shape, dim, expected):
    x = randn(*shape, seed=12)
    out = squeeze_dim(x, dim)
    assert_shape(out, expected, what=f"squeeze_dim(x {shape}, {dim})",
                 hint="remove dim only when its size is 1 (negative dims count from the end); "
                      "keep every other dim")
    assert_close(out, x.reshape(expected), what=f"squeeze_dim(x {shape}, {dim})")


@given(shape=st.lists(st.sampled_from([1, 1, 2, 3]), min_size=1, max_size=4), pick=st.integers(0, 7),
       seed=SEEDS)
def test_squeeze_dim_property(shape, pick, seed):
    n = len(shape)
    dim = pick % n if pick < 4 else pick % n - n  # both signs
    x = randn(*shape, seed=seed)
    out = squeeze_dim(x, dim)
    kept = list(shape)
    if shape[dim] == 1:
        del kept[dim]
    assert_close(out, x.reshape(kept), what=f"squeeze_dim(x {tuple(shape)}, {dim})",
                 hint="drop dim only if its size is 1; every other dim stays")


def test_squeeze_dim_non_contiguous_input_is_left_alone():
    x = non_contiguous(randn(3, 1, 4, seed=13, dtype=torch.float64))
    with unchanged(x, names=["x"]):
        out = squeeze_dim(x, 1)
    assert_close(out, x.contiguous().reshape(3, 4), what="squeeze_dim(non-contiguous x (3, 1, 4), 1)")


@pytest.mark.parametrize("shape,dim,expected", [
    ((0, 1, 3), 0, (0, 1, 3)),
    ((0, 1, 3), 1, (0, 3)),
    ((2, 0), -1, (2, 0)),
    ((0,), 0, (0,)),
])
def test_squeeze_dim_keeps_a_size_zero_dim(shape, dim, expected):
    x = torch.zeros(shape)
    out = squeeze_dim(x, dim)
    assert_shape(out, expected, what=f"squeeze_dim(x {shape}, {dim})",
                 hint="only a dim of size exactly 1 goes: test x.shape[dim] == 1, not < 2 or <= 1; "
                      "a size-0 dim holds no entries, and dropping it changes the shape")


@pytest.mark.parametrize("dtype", [torch.int32, torch.bool, torch.float16])
def test_squeeze_dim_keeps_dtype(dtype):
    x = (randn(3, 1, 4, seed=17, dtype=torch.float64) * 10).to(dtype)
    out = squeeze_dim(x, 1)
    assert_close(out, x.reshape(3, 4), what=f"squeeze_dim(x (3, 1, 4) of {dtype}, 1)",
                 hint="drop the dim with squeeze(dim), reshape or indexing: x.sum(dim) or x.mean(dim) "
                      "over a size-1 dim promotes integers and bools (or refuses them)")


# ------------------------------------------------------------------------ every function

def with_non_finite(x):
    """x with -0.0, inf, -inf and NaN planted at a few places (masked scores, missing pixels)."""
    flat = x.clone().reshape(-1)
    flat[1::4] = -0.0  # its sign is a value too: 0.0 + -0.0 is 0.0
    flat[::5] = float("inf")
    flat[2::7] = float("-inf")
    flat[3::11] = float("nan")
    return flat.reshape(x.shape)


MOVE_CASES = {
    "split_heads": (lambda x: split_heads(x, 3), (2, 4, 6), lambda x: sliced_heads(x, 3)),
    "merge_heads": (merge_heads, (2, 3, 4, 2), concat_heads),
    "patchify": (lambda x: patchify(x, 2), (2, 2, 4, 6), lambda x: loop_patches(x, 2)),
    "squeeze_dim": (lambda x: squeeze_dim(x, 1), (3, 1, 4), lambda x: x[:, 0]),
}


@pytest.mark.parametrize("name", list(MOVE_CASES))
def test_values_are_moved_not_computed(name):
    # a rearrangement copies each value as it is; arithmetic (a one-hot matmul, an identity
    # convolution kernel) turns inf * 0 into NaN and spreads it over every output it touches
    fn, shape, independent = MOVE_CASES[name]
    x = with_non_finite(randn(*shape, seed=18))
    out = fn(x)
    assert_close(out, independent(x), what=f"{name}(x {shape} holding inf, -inf and NaN)",
                 hint="move values with view/reshape/permute/transpose (or indexing): multiplying "
                      "by a 0/1 matrix or an identity kernel is not a rearrangement, 0 * inf is NaN")
    expected = independent(x)
    flipped = out.signbit() != expected.signbit()
    if bool((flipped & ~expected.isnan()).any()):
        fail(f"{name}(x {shape} holding -0.0): {int(flipped.sum())} entries came back with the "
             f"other sign (-0.0 became 0.0); the values were computed, not moved",
             hint="0.0 + -0.0 is 0.0: no buffer of zeros that the values are added into "
                  "(out = zeros; out += ...), no sum over a size-1 dim; assign, view, "
                  "reshape or index instead")


ON_META = [  # (name, call, input shape, output shape); the empty shapes reach a shortcut for empty inputs
    ("split_heads", lambda x: split_heads(x, 3), (2, 5, 12), (2, 3, 5, 4)),
    ("split_heads", lambda x: split_heads(x, 3), (0, 5, 12), (0, 3, 5, 4)),
    ("merge_heads", merge_heads, (2, 3, 5, 4), (2, 5, 12)),
    ("merge_heads", merge_heads, (2, 3, 0, 4), (2, 0, 12)),
    ("patchify", lambda x: patchify(x, 2), (2, 3, 4, 6), (2, 6, 12)),
    ("patchify", lambda x: patchify(x, 2), (0, 3, 4, 6), (0, 6, 12)),
    ("squeeze_dim", lambda x: squeeze_dim(x, 1), (3, 1, 4), (3, 4)),
]


@pytest.mark.parametrize("name,fn,shape,expected", ON_META, ids=[f"{n}{s}" for n, _, s, _ in ON_META])
def test_output_stays_on_the_input_device(name, fn, shape, expected):
    # the meta device holds shapes and dtypes but no data: a buffer made without
    # device=x.device lands on the CPU, as it would for an input on a GPU
    x = torch.empty(shape, device="meta", dtype=torch.float64)
    out = fn(x)
    assert_shape(out, expected, what=f"{name}(x {shape} on the meta device)")
    if out.device != x.device or out.dtype != x.dtype:
        raise SpecFailure(
            f"{name}(x {shape}, float64 on the meta device) returned a {out.dtype} tensor on "
            f"{out.device}; the output stays on x's device with x's dtype\n  hint: build any new "
            f"tensor with x.new_empty(...) or torch.empty(..., dtype=x.dtype, device=x.device)")
