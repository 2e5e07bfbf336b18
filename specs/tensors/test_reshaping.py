"""Specs for katas/tensors/reshaping.py (day 1): split_heads, merge_heads, patchify, squeeze_dim."""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import SpecFailure, assert_close, assert_shape, forbid, non_contiguous, randn, unchanged
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


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64])
def test_split_heads_keeps_dtype(dtype):
    x = (randn(2, 3, 8, seed=2, dtype=torch.float64) * 10).to(dtype)
    out = split_heads(x, 4)
    assert_close(out, sliced_heads(x, 4), what=f"split_heads(x of {dtype}, 4)")


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


def test_patchify_writes_its_own_unfold():
    img = randn(1, 2, 4, 4, seed=9)
    # F.unfold is also what nn.Unfold calls; function level only (aten= would import torch._dynamo)
    with forbid(F.unfold):
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
