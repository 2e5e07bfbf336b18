"""Specs for katas/broadcasting/reductions.py (day 2): mean, max, pairwise_sq_dists, normalize.

Contract-to-spec map:
- mean: vs torch.mean over any dim (negative too), keepdim both ways -> test_mean_matches_torch,
  _over_each_dim, _keepdim (a size-1 `dim` too), _defaults_to_last_dim_without_keepdim; only `dim` removed
  (other size-1 dims stay) -> _keeps_other_size_one_dims; dtype kept for float16,
  bfloat16, float64 computed in float64 -> test_mean_keeps_dtype, _float64_is_exact; size-0
  dims (NaN over an empty dim), in x's dtype and on the graph -> _size_zero_dims; non-contiguous -> _non_contiguous;
  differentiable -> _is_differentiable.
- max: values vs torch.max, int64 indices of the same shape along `dim` (gather gives the
  values), ties any -> test_max_matches_torch, _over_each_dim, _odd_shape, _ties_*, defaults; only `dim`
  removed (other size-1 dims stay) -> _keeps_other_size_one_dims;
  every dtype kept (float16, bfloat16, int32, uint8) -> _keeps_dtype; all-negative, huge
  finite, +-inf -> _negative_values, _huge_and_infinite_values; int64 beyond 2**53 ->
  _int64_beyond_float_precision; size-0 dims other than `dim` (values on the graph) -> _size_zero_other_dims;
  a tuple, not a list -> check_max in every max spec; non-contiguous -> _non_contiguous;
  values differentiable -> _values_are_differentiable; values and indices on x's device
  (meta; also x.shape[dim] == 1, where a shortcut is natural) -> _stays_on_the_inputs_device.
- pairwise_sq_dists: vs cdist**2 within the stated tolerances -> _matches_cdist, _shapes,
  _of_a_set_with_itself; N, M or D = 0 (float32/64, on the graph) -> _size_zero; float16/bfloat16 kept (decision; vs a
  float64 oracle) -> _keeps_half_dtype; non-contiguous -> _non_contiguous;
  gradient, also at coincident points -> _is_differentiable, _gradient_at_coincident_points.
- normalize: vs F.normalize over any dim -> _matches_torch, _over_each_dim, defaults (eps =
  1e-12, checked at norms 1e-10 and 1e-14, float64 at rtol 1e-12: no float32 eps tensor; dim=-1
  on a 3-D x, not F.normalize's dim=1) -> _defaults_to_last_dim;
  unit rows; zero vector gives zeros; clamp at eps, not + eps, eps=0.0 not the default ->
  _clamps_the_norm_at_eps, _eps_zero_is_not_the_default; dtype kept for float16/bfloat16 ->
  _keeps_dtype; float16 entries whose squares overflow (no x * x in float16) ->
  _large_half_entries; non-contiguous; gradient, also at a zero vector -> _is_differentiable,
  _gradient_at_a_zero_vector; empty x (either dim 0) on the graph -> _empty_inputs_stay_on_the_graph.
- all four: results on the inputs' device (meta; max above, mean with an empty dim,
  pairwise_sq_dists also with D = 0, normalize) -> test_results_stay_on_the_inputs_device.

Tolerances: harness.checks.DEFAULT_TOL (float32 rtol 1e-4, atol 1e-5; float64 rtol 1e-7,
atol 1e-9) except pairwise_sq_dists, compared with torch.cdist(a, b) ** 2 computed in float64
within rtol 1e-4, atol 1e-3 (float32) and rtol 1e-7, atol 1e-9 (float64): the
|a|^2 + |b|^2 - 2 a.b expansion cancels and loses a few float32 digits, which is accepted.
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st

from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_on_input_device,
                            forbid, non_contiguous, unchanged)
from harness.edges import HALF_DTYPES, TIGHT64, assert_dtype_kept, tolerance
from katas.broadcasting.reductions import max, mean, normalize, pairwise_sq_dists

FORBID_MEAN = (torch.mean, torch.Tensor.mean, torch.nanmean, torch.Tensor.nanmean,
               torch.var_mean, torch.std_mean)
FORBID_MEAN_ATEN = {"mean": "a mean built-in (aten.mean)", "nanmean": "torch.nanmean"}
FORBID_MAX = (torch.max, torch.Tensor.max, torch.amax, torch.Tensor.amax, torch.argmax,
              torch.Tensor.argmax, torch.min, torch.Tensor.min, torch.amin, torch.Tensor.amin,
              torch.argmin, torch.Tensor.argmin, torch.aminmax, torch.Tensor.aminmax, torch.topk,
              torch.Tensor.topk, torch.sort, torch.Tensor.sort, torch.argsort, torch.Tensor.argsort,
              torch.msort, torch.Tensor.msort, torch.kthvalue, torch.Tensor.kthvalue, torch.cummax,
              torch.Tensor.cummax, F.max_pool1d, F.max_pool2d, F.adaptive_max_pool1d)
FORBID_MAX_ATEN = {op: f"a max/min/sort built-in (aten.{op})" for op in (
    "max", "amax", "argmax", "min", "amin", "argmin", "aminmax", "_aminmax", "topk", "sort",
    "argsort", "msort", "kthvalue", "cummax", "_cummax_helper", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "adaptive_max_pool1d", "adaptive_max_pool2d")}
FORBID_DISTS = ("torch.cdist", torch.pdist, F.pdist, F.pairwise_distance)
FORBID_DISTS_ATEN = {op: f"a distance built-in (aten.{op})" for op in (
    "cdist", "_cdist_forward", "_euclidean_dist", "pdist", "_pdist_forward", "pairwise_distance")}
FORBID_NORMALIZE = ("torch.nn.functional.normalize",)

DTYPES = [torch.float32, torch.float64]
DIST_TOL = {torch.float32: (1e-4, 1e-3), torch.float64: (1e-7, 1e-9)}

KEEPDIM_HINT = ("keepdim=True keeps the reduced dim with size 1 (x (2, 3, 4), dim=1 -> "
                "(2, 1, 4)) so the result broadcasts against x; keepdim=False removes it")
AXIS_HINT = ("reduce over `dim` (negative dims count from the end) and over nothing else; "
             "keepdim=False removes that dim only: squeeze(dim), not a bare squeeze()")
INDEX_HINT = ("indices are positions ALONG `dim` (0 .. x.shape[dim]-1) of the maximum, the "
              "same dim the values come from: x.gather(dim, indices) must give the values")


def fail(message: str, hint: str | None = None):
    __tracebackhide__ = True
    raise SpecFailure(message + (f"\n  hint: {hint}" if hint else ""))


def randn(shape, seed, dtype=torch.float32):
    return torch.randn(tuple(shape), generator=torch.Generator().manual_seed(seed), dtype=dtype)


@st.composite
def shape_and_dim(draw, max_dims=4):
    shape = tuple(draw(st.lists(st.sampled_from([1, 2, 3, 5]), min_size=1, max_size=max_dims)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim


# ------------------------------------------------------------------------ mean

def check_mean(x, dim, keepdim, out, what):
    __tracebackhide__ = True
    hint = KEEPDIM_HINT if keepdim else (
        f"{AXIS_HINT}, and divide by the number of elements summed, x.shape[dim]")
    assert_close(out, torch.mean(x, dim=dim, keepdim=keepdim), what=what, hint=hint)


@given(case=shape_and_dim(), keepdim=st.booleans(), dtype=st.sampled_from(DTYPES),
       seed=st.integers(0, 2**31 - 1))
def test_mean_matches_torch(case, keepdim, dtype, seed):
    shape, dim = case
    x = randn(shape, seed, dtype)
    with unchanged(x, names=["x"]), forbid(*FORBID_MEAN, aten=FORBID_MEAN_ATEN):
        out = mean(x, dim, keepdim)
    check_mean(x, dim, keepdim, out, what=f"mean(x {shape}, dim={dim}, keepdim={keepdim})")


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
def test_mean_over_each_dim(dim):
    x = randn((2, 3, 5), 1)
    out = mean(x, dim)
    check_mean(x, dim, False, out, what=f"mean(x (2, 3, 5), dim={dim})")


@pytest.mark.parametrize("shape,dim", [((2, 3, 5), 0), ((2, 3, 5), 1), ((2, 3, 5), -1), ((2, 1, 5), 1)])
def test_mean_keepdim(shape, dim):
    x = randn(shape, 2)  # (2, 1, 5): a shortcut for a size-1 dim must keep it too
    out = mean(x, dim, keepdim=True)
    check_mean(x, dim, True, out, what=f"mean(x {shape}, dim={dim}, keepdim=True)")
    centred = x - out  # the point of keepdim: it broadcasts back against x
    assert_close(centred, x - torch.mean(x, dim, keepdim=True),
                 what=f"x - mean(x, {dim}, keepdim=True)", hint=KEEPDIM_HINT)


def test_mean_defaults_to_last_dim_without_keepdim():
    x = randn((2, 3, 5), 3)
    out = mean(x)
    check_mean(x, -1, False, out, what="mean(x (2, 3, 5)) (defaults dim=-1, keepdim=False)")


@pytest.mark.parametrize("shape,dim", [((1, 4), 1), ((3, 1, 4), -1), ((1, 5, 1), 1)])
def test_mean_keeps_other_size_one_dims(shape, dim):
    """keepdim=False removes `dim` only: a size-1 dim elsewhere stays (no bare squeeze())."""
    x = randn(shape, 15)
    check_mean(x, dim, False, mean(x, dim), what=f"mean(x {shape}, dim={dim})")


def test_mean_non_contiguous():
    x = non_contiguous(randn((3, 7), 4))
    with unchanged(x, names=["x"]):
        out = mean(x, 0)
    check_mean(x, 0, False, out, what="mean(non-contiguous x (3, 7), dim=0)")


@pytest.mark.parametrize("dtype", list(HALF_DTYPES) + [torch.float64])
def test_mean_keeps_dtype(dtype):
    x = randn((3, 6), 8).to(dtype)
    what = f"mean(x (3, 6) in {dtype}, dim=1)"
    out = mean(x, 1)
    assert_dtype_kept(out, x, what)
    assert_close(out, torch.mean(x.double(), 1).to(dtype), what=what,
                 **(tolerance(dtype) if dtype in HALF_DTYPES else {}),
                 hint="divide by a Python int (x.shape[dim]) or a tensor of x's dtype; a count "
                      "made with torch.full/torch.tensor without dtype is float32 and promotes")


def test_mean_float64_is_exact():
    x = randn((4, 7), 9, torch.float64) * 1e3 + 1e6
    assert_close(mean(x, 1), torch.mean(x, 1), what="mean(x (4, 7) in float64 near 1e6, dim=1)",
                 **TIGHT64, hint="compute in x's dtype: a float32 sum loses 9 of float64's digits")


def check_attached(out, what):
    """Inputs that require grad give a result on their graph, also an empty reduction."""
    __tracebackhide__ = True
    if isinstance(out, torch.Tensor) and not out.requires_grad:
        fail(f"{what}: the result is not attached to the inputs' graph (requires_grad is "
             f"False); the contract says it stays differentiable, also over a size-0 dim",
             "no special case for empty inputs: the general formula already gives the right "
             "values (an empty sum is 0), of the inputs' dtype and with a graph; a fresh "
             "torch.zeros(...) / torch.full(...) has neither")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16], ids=str)
@pytest.mark.parametrize("shape,dim", [((0, 3), 1), ((0, 3), 0), ((2, 0), 1), ((2, 0, 3), -1)])
def test_mean_size_zero_dims(shape, dim, dtype):
    x = randn(shape, 10, dtype).requires_grad_()
    for keepdim in (False, True):
        what = f"mean(x {shape} in {dtype}, dim={dim}, keepdim={keepdim})"
        out = mean(x, dim, keepdim)
        assert_close(out, torch.mean(x, dim, keepdim), what=what,
                     hint="empty dims follow the same rules: the mean over a size-0 dim is 0 / 0 "
                          "= NaN (as torch.mean), and reducing another dim of an empty x is "
                          "empty; a special case with torch.full(..., nan) loses x's dtype")
        check_attached(out, what)


def test_mean_is_differentiable():
    x = randn((3, 5), 5, torch.float64)
    assert_grads_match(lambda t: mean(t, 1, True), lambda t: torch.mean(t, 1, True), x,
                       what="mean(x (3, 5), 1, keepdim=True) gradient",
                       hint="build it from differentiable ops (sum and divide)")


# ------------------------------------------------------------------------ max

def check_max(x, dim, keepdim, got, what):
    """values equal torch.max's; indices: int64, same shape, and they point at the max."""
    __tracebackhide__ = True
    expected_values, expected_indices = torch.max(x, dim=dim, keepdim=keepdim)
    if not isinstance(got, tuple) or len(got) != 2:
        fail(f"{what}: expected a tuple (values, indices), got {type(got).__name__}",
             "return both, as a tuple: return values, indices (a named tuple is fine; a list "
             "is not)")
    values, indices = got
    hint = KEEPDIM_HINT if keepdim else AXIS_HINT
    assert_close(values, expected_values, what=f"{what} values", hint=hint)
    if not isinstance(indices, torch.Tensor):
        fail(f"{what} indices: expected a tensor, got {type(indices).__name__}")
    if indices.shape != expected_indices.shape:
        fail(f"{what} indices: shape {tuple(indices.shape)}, expected "
             f"{tuple(expected_indices.shape)} (the same shape as the values)",
             f"{INDEX_HINT}; {hint}")
    if indices.dtype != torch.int64:
        fail(f"{what} indices: dtype {indices.dtype}, expected torch.int64")
    size = x.shape[dim]
    if bool(((indices < 0) | (indices >= size)).any()):
        fail(f"{what} indices: values outside 0..{size - 1} (x.shape[{dim}] = {size}), e.g. "
             f"{int(indices[(indices < 0) | (indices >= size)][0])}", INDEX_HINT)
    kept = indices if keepdim else indices.unsqueeze(dim)
    picked = x.gather(dim, kept)
    assert_close(picked if keepdim else picked.squeeze(dim), expected_values,
                 what=f"x.gather({dim}, indices) for {what}", hint=INDEX_HINT)


@given(case=shape_and_dim(), keepdim=st.booleans(),
       dtype=st.sampled_from([torch.float32, torch.float64, torch.int64]),
       seed=st.integers(0, 2**31 - 1))
def test_max_matches_torch(case, keepdim, dtype, seed):
    shape, dim = case
    if dtype == torch.int64:  # small range: ties happen, and any tied position is accepted
        gen = torch.Generator().manual_seed(seed)
        x = torch.randint(-4, 5, shape, generator=gen)
    else:
        x = randn(shape, seed, dtype)
    with unchanged(x, names=["x"]), forbid(*FORBID_MAX, aten=FORBID_MAX_ATEN):
        got = max(x, dim, keepdim)
    check_max(x, dim, keepdim, got, what=f"max(x {shape} {dtype}, dim={dim}, keepdim={keepdim})")


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_over_each_dim(dim, keepdim):
    x = randn((4, 4, 4), 1)  # a cube: indices along the wrong dim still have the right shape
    got = max(x, dim, keepdim)
    check_max(x, dim, keepdim, got, what=f"max(x (4, 4, 4), dim={dim}, keepdim={keepdim})")


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_max_odd_shape(dim):
    x = randn((2, 3, 5), 2)
    got = max(x, dim, keepdim=True)
    check_max(x, dim, True, got, what=f"max(x (2, 3, 5), dim={dim}, keepdim=True)")


@pytest.mark.parametrize("shape,dim", [((1, 4), 1), ((3, 1, 4), -1), ((1, 5, 1), 1), ((4, 1), 0)])
def test_max_keeps_other_size_one_dims(shape, dim):
    """keepdim=False removes `dim` only: a size-1 dim elsewhere stays (no bare squeeze())."""
    x = randn(shape, 14)
    got = max(x, dim)
    check_max(x, dim, False, got, what=f"max(x {shape}, dim={dim})")


def test_max_defaults_to_last_dim_without_keepdim():
    x = randn((2, 3, 5), 3)  # 3-D: a default of dim=1 differs from the last dim
    got = max(x)
    check_max(x, -1, False, got, what="max(x (2, 3, 5)) (defaults dim=-1, keepdim=False)")


def test_max_ties_accept_any_max_position():
    x = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, -5.0, -1.0, -7.0]])
    got = max(x, 1)
    check_max(x, 1, False, got, what="max(x with ties, dim=1)")


def test_max_negative_values():
    x = -1.0 - torch.rand(3, 4, generator=torch.Generator().manual_seed(4))  # all below -1
    got = max(x, 0)
    check_max(x, 0, False, got, what="max(all-negative x (3, 4), dim=0)")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.int32, torch.uint8,
                                   torch.float64])
def test_max_keeps_dtype(dtype):
    x = (randn((3, 5), 11) * 4).to(dtype) if dtype.is_floating_point else \
        torch.randint(0, 9, (3, 5), generator=torch.Generator().manual_seed(11)).to(dtype)
    for dim in (0, 1):
        got = max(x, dim)
        if isinstance(got, (tuple, list)) and len(got) == 2:
            assert_dtype_kept(got[0], x, f"max(x (3, 5) in {dtype}, dim={dim}) values")
        check_max(x, dim, False, got, what=f"max(x (3, 5) in {dtype}, dim={dim})")


@pytest.mark.parametrize("dtype,big", [(torch.float32, 1e30), (torch.float64, 1e300)])
def test_max_huge_and_infinite_values(dtype, big):
    inf = float("inf")
    x = torch.tensor([[-3 * big, -big, -2 * big],
                      [-inf, -inf, -inf],
                      [-inf, -big, -inf],
                      [1.0, inf, -inf],
                      [big, 2 * big, -big]], dtype=dtype)
    got = max(x, 1)
    check_max(x, 1, False, got, what=f"max(x with values near +-{big:g} and +-inf in {dtype}, dim=1)")


def test_max_int64_beyond_float_precision():
    base = 2 ** 53
    x = torch.tensor([[base, base + 1, base - 1], [-base - 1, -base - 3, -base - 2],
                      [2 ** 62, 2 ** 62 + 1, 2 ** 62 - 1]], dtype=torch.int64)
    got = max(x, 1, keepdim=True)
    check_max(x, 1, True, got, what="max(int64 x with values beyond 2**53, dim=1, keepdim=True)")


@pytest.mark.parametrize("shape,dim", [((0, 3), 1), ((3, 0), 0), ((2, 0, 3), -1), ((0, 4, 2), 1)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_size_zero_other_dims(shape, dim, keepdim):
    """A size-0 dim other than `dim` gives empty values and indices of the right shape: no
    slice to loop over, nothing to stack."""
    x = randn(shape, 13).requires_grad_()  # values stay on the graph, empty or not
    what = f"max(x {shape}, dim={dim}, keepdim={keepdim})"
    try:
        got = max(x, dim, keepdim)
    except NotImplementedError:
        raise
    except (RuntimeError, IndexError) as err:
        fail(f"{what} raised {type(err).__name__}: {str(err).splitlines()[0]}",
             "reduce with whole-tensor ops (comparisons and torch.where over the slices along "
             "dim): a Python loop over the rows with torch.stack fails when there are none")
    check_max(x, dim, keepdim, got, what=what)
    check_attached(got[0], f"{what} values")


def test_max_non_contiguous():
    x = non_contiguous(randn((3, 7), 5))
    with unchanged(x, names=["x"]):
        got = max(x, 0, True)
    check_max(x, 0, True, got, what="max(non-contiguous x (3, 7), dim=0, keepdim=True)")


def test_max_values_are_differentiable():
    x = randn((3, 5), 6, torch.float64)
    assert_grads_match(lambda t: max(t, 1)[0], lambda t: torch.max(t, 1)[0], x,
                       what="max(x (3, 5), 1) values gradient",
                       hint="the gradient flows to the position of each maximum")


@pytest.mark.parametrize("shape,dim,keepdim", [((2, 5), 1, False), ((3, 4, 2), 0, True),
                                               ((0, 3), 1, False), ((3, 1, 2), 1, False)])
def test_max_stays_on_the_inputs_device(shape, dim, keepdim):
    """Values and indices live on x's device (the meta device stands in for a GPU)."""
    x = randn(shape, 7)
    assert_on_input_device(lambda: max(x, dim, keepdim), lambda: max(x.to("meta"), dim, keepdim),
                           what=f"max(x {shape} on the meta device, dim={dim}, keepdim={keepdim})",
                           hint="build the indices on x's device: torch.zeros(shape, "
                                "dtype=torch.int64, device=x.device) (a bare torch.zeros is a "
                                "CPU tensor, which a GPU input cannot meet)")


# ------------------------------------------------------------------------ pairwise_sq_dists

def reference_dists(a, b):
    return (torch.cdist(a.double(), b.double()) ** 2).to(a.dtype)


def check_dists(a, b, out, what):
    __tracebackhide__ = True
    rtol, atol = DIST_TOL[a.dtype]
    assert_close(out, reference_dists(a, b), what=what, rtol=rtol, atol=atol,
                 hint="out[i, j] = sum over the feature dim D of (a[i] - b[j])**2: broadcast "
                      "a (N, 1, D) against b (1, M, D) and sum over the LAST dim")


@given(n=st.integers(1, 6), m=st.integers(1, 6), d=st.integers(1, 7),
       dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31 - 1))
def test_pairwise_sq_dists_matches_cdist(n, m, d, dtype, seed):
    a, b = randn((n, d), seed, dtype), randn((m, d), seed + 1, dtype)
    with unchanged(a, b, names=["a", "b"]), forbid(*FORBID_DISTS, aten=FORBID_DISTS_ATEN):
        out = pairwise_sq_dists(a, b)
    check_dists(a, b, out, what=f"pairwise_sq_dists(a ({n}, {d}), b ({m}, {d})) in {dtype}")


@pytest.mark.parametrize("n,m,d", [(1, 1, 1), (3, 5, 2), (7, 2, 3), (4, 4, 4), (2, 3, 13),
                                   (5, 3, 3), (3, 2, 3)])
def test_pairwise_sq_dists_shapes(n, m, d):
    a, b = randn((n, d), 1), randn((m, d), 2)
    out = pairwise_sq_dists(a, b)
    check_dists(a, b, out, what=f"pairwise_sq_dists(a ({n}, {d}), b ({m}, {d}))")


def test_pairwise_sq_dists_of_a_set_with_itself():
    a = randn((5, 3), 3) * 4
    out = pairwise_sq_dists(a, a)
    check_dists(a, a, out, what="pairwise_sq_dists(a (5, 3), a) (diagonal ~0)")


def test_pairwise_sq_dists_non_contiguous():
    a = non_contiguous(randn((4, 3), 4))
    b = randn((3, 6), 5).t()  # (6, 3), transposed
    with unchanged(a, b, names=["a", "b"]):
        out = pairwise_sq_dists(a, b)
    check_dists(a, b, out, what="pairwise_sq_dists(non-contiguous a (4, 3), transposed b (6, 3))")


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_pairwise_sq_dists_keeps_half_dtype(dtype):
    """torch.cdist has no float16/bfloat16 kernel; the contract covers them: the oracle is
    float64, with an absolute tolerance scaled to the squared norms (the expansion cancels)."""
    a, b = (randn((4, 3), 14) * 0.7).to(dtype), (randn((5, 3), 15) * 0.7).to(dtype)
    what = f"pairwise_sq_dists(a (4, 3), b (5, 3)) in {dtype}"
    out = pairwise_sq_dists(a, b)
    assert_dtype_kept(out, a, what)
    scale = float((a.double() ** 2).sum(1).max() + (b.double() ** 2).sum(1).max())
    assert_close(out, reference_dists(a, b), what=what, rtol=tolerance(dtype)["rtol"],
                 atol=4 * torch.finfo(dtype).eps * scale,
                 hint="the result keeps the inputs' dtype: computing in float32 is fine, but "
                      "cast back with .to(a.dtype)")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n,m,d", [(0, 3, 2), (3, 0, 2), (2, 3, 0), (0, 0, 4)])
def test_pairwise_sq_dists_size_zero(n, m, d, dtype):
    a, b = randn((n, d), 8, dtype).requires_grad_(), randn((m, d), 9, dtype).requires_grad_()
    what = f"pairwise_sq_dists(a ({n}, {d}), b ({m}, {d})) in {dtype}"
    out = pairwise_sq_dists(a, b)
    check_dists(a.detach(), b.detach(), out, what=what)
    check_attached(out, what)


def test_pairwise_sq_dists_gradient_at_coincident_points():
    a = randn((4, 3), 10, torch.float64)
    b = torch.cat([a[2:3], randn((2, 3), 11, torch.float64), a[0:1]])  # b[0] == a[2], b[3] == a[0]
    formula = lambda p, q: ((p[:, None, :] - q[None, :, :]) ** 2).sum(-1)  # noqa: E731
    assert_grads_match(pairwise_sq_dists, formula, a, b,
                       what="pairwise_sq_dists(a (4, 3), b (4, 3)) gradient where a[i] == b[j]",
                       hint="no sqrt on the way: the gradient of sum (a - b)**2 is 2 (a - b), "
                            "0 at coincident points; a distance square-rooted and squared again "
                            "has an infinite sqrt derivative there (NaN)")
    assert_grads_match(lambda p: pairwise_sq_dists(p, p), lambda p: formula(p, p), a,
                       what="pairwise_sq_dists(a, a) gradient (zero diagonal)")


def test_pairwise_sq_dists_is_differentiable():
    a, b = randn((4, 3), 6, torch.float64), randn((5, 3), 7, torch.float64)
    assert_grads_match(pairwise_sq_dists, lambda p, q: torch.cdist(p, q) ** 2, a, b,
                       what="pairwise_sq_dists(a (4, 3), b (5, 3)) gradient", rtol=1e-6,
                       atol=1e-8)


# ------------------------------------------------------------------------ normalize

def check_normalize(x, dim, eps, out, what, hint="", **tol):
    __tracebackhide__ = True
    assert_close(out, F.normalize(x, p=2.0, dim=dim, eps=eps), what=what, **tol,
                 hint="divide by the L2 norm over `dim`, kept (keepdim=True) so it broadcasts "
                      "against x, and clamped from below: x / max(norm, eps), not norm + eps" + hint)


@given(case=shape_and_dim(), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31 - 1))
def test_normalize_matches_torch(case, dtype, seed):
    shape, dim = case
    x = randn(shape, seed, dtype)
    with unchanged(x, names=["x"]), forbid(*FORBID_NORMALIZE):
        out = normalize(x, dim)
    check_normalize(x, dim, 1e-12, out, what=f"normalize(x {shape}, dim={dim}) in {dtype}")


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2])
def test_normalize_over_each_dim(dim):
    x = randn((2, 3, 5), 1)
    out = normalize(x, dim)
    check_normalize(x, dim, 1e-12, out, what=f"normalize(x (2, 3, 5), dim={dim})")


def test_normalize_defaults_to_last_dim():
    # 3-D, so that the last dim is not dim 1 (F.normalize's default is dim=1, ours is dim=-1)
    x = randn((2, 3, 4), 2, torch.float64)
    # rows of norm ~1e-10 (above the default eps: a unit vector) and ~1e-14 (below it: x / 1e-12)
    x = x * torch.tensor([[1.0], [1e-10], [1e-14]], dtype=torch.float64)
    out = normalize(x)
    check_normalize(x, -1, 1e-12, out, what="normalize(float64 x (2, 3, 4) with rows of norm ~1, ~1e-10 "
                    "and ~1e-14) (defaults dim=-1, eps=1e-12)", **TIGHT64,
                    hint="; the default dim is -1 (the last), not F.normalize's dim=1; float64 is "
                         "computed in float64, eps too: torch.tensor(eps) is float32 "
                         "(1e-12 becomes 9.9999998e-13), clamp_min(eps) takes the Python float")


def test_normalize_gives_unit_rows():
    x = randn((4, 6), 3) * 5
    out = normalize(x, 1)
    norms = out.pow(2).sum(1).sqrt()
    assert_close(norms, torch.ones(4), what="L2 norms of normalize(x (4, 6), dim=1) over dim 1",
                 hint="each slice along dim must come out with norm 1")


def test_normalize_zero_vector_gives_zeros():
    x = torch.tensor([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0]])
    out = normalize(x, 1)
    assert_close(out, torch.tensor([[0.0, 0.0, 0.0], [0.6, 0.0, 0.8]]),
                 what="normalize([[0, 0, 0], [3, 0, 4]], dim=1)",
                 hint="clamp the norm from below at eps: a zero vector gives 0 / eps = 0, not "
                      "0 / 0 = NaN")


@pytest.mark.parametrize("eps", [0.5, 1e-2])
def test_normalize_clamps_the_norm_at_eps(eps):
    x = torch.cat([randn((3, 4), 4) * 3, randn((2, 4), 5) * 1e-3])  # norms above and below eps
    out = normalize(x, -1, eps)
    check_normalize(x, -1, eps, out, what=f"normalize(x (5, 4), dim=-1, eps={eps})")


def test_normalize_eps_zero_is_not_the_default():
    x = torch.tensor([[3e-14, 0.0, 4e-14], [3.0, 0.0, 4.0]], dtype=torch.float64)
    out = normalize(x, 1, 0.0)
    assert_close(out, F.normalize(x, dim=1, eps=0.0), what="normalize(x with a row of norm 5e-14, "
                 "dim=1, eps=0.0) in float64",
                 hint="eps=0.0 is an explicit value: `eps or 1e-12` (or `if not eps`) replaces it "
                      "with the default; test `eps is None` if you need a default at all")


@pytest.mark.parametrize("dtype", HALF_DTYPES)
def test_normalize_keeps_dtype(dtype):
    x = (randn((3, 5), 12) * 3).to(dtype)
    what = f"normalize(x (3, 5) in {dtype}, dim=1)"
    out = normalize(x, 1)
    assert_dtype_kept(out, x, what)
    assert_close(out, F.normalize(x.double(), dim=1).to(dtype), what=what, **tolerance(dtype))


@pytest.mark.parametrize("dtype,big", [(torch.float16, 300.0)])
def test_normalize_large_half_entries(dtype, big):
    # squares of these entries pass float16's max, 65504 (bfloat16 has float32's range, and
    # torch's own norm accumulates in float32, so no bfloat16 case)
    x = torch.tensor([[3.0, 0.0, 4.0], [3.0, -1.0, 4.0], [-2.0, 2.0, 1.0]], dtype=torch.float64)
    x = (x * torch.tensor([[big], [big / 3], [1.0]], dtype=torch.float64)).to(dtype)
    what = f"normalize(x (3, 3) in {dtype} with entries up to {4 * big:g}, dim=1)"
    out = normalize(x, 1)
    assert_dtype_kept(out, x, what)
    assert_close(out, F.normalize(x.double(), dim=1).to(dtype), what=what, **tolerance(dtype),
                 hint="x * x overflows to inf in float16 above ~256, and "
                      "x / inf = 0: take the norm with torch.linalg.vector_norm (it accumulates in "
                      "float32) or square in float32")


def test_normalize_gradient_at_a_zero_vector():
    x = torch.tensor([[0.0, 0.0, 0.0], [3.0, 0.0, 4.0], [0.0, 0.0, 0.0]], dtype=torch.float64)
    for eps in (0.1, 1e-12):
        assert_grads_match(lambda t: normalize(t, 1, eps), lambda t: F.normalize(t, dim=1, eps=eps),
                           x, what=f"normalize(x with zero rows, dim=1, eps={eps:g}) gradient",
                           rtol=1e-7, atol=1e-9,
                           hint="at a zero vector the clamped norm is the constant eps, so the "
                                "gradient is grad / eps; (x * x).sum().sqrt() has an infinite "
                                "derivative at 0 and 0 * inf = NaN: use torch.linalg.vector_norm "
                                "or clamp the squared sum at eps**2 before the sqrt (squared in float32 for "
                                "half inputs)")


@pytest.mark.parametrize("shape,dim", [((0, 3), -1), ((3, 0), -1), ((2, 0, 3), 1)])
def test_normalize_empty_inputs_stay_on_the_graph(shape, dim):
    x = randn(shape, 24).requires_grad_()
    what = f"normalize(x {shape}, dim={dim})"
    out = normalize(x, dim)
    check_normalize(x, dim, 1e-12, out, what=what)
    check_attached(out, what)


def test_normalize_non_contiguous():
    x = non_contiguous(randn((3, 5), 6))
    with unchanged(x, names=["x"]):
        out = normalize(x, 0)
    check_normalize(x, 0, 1e-12, out, what="normalize(non-contiguous x (3, 5), dim=0)")


def test_normalize_is_differentiable():
    x = randn((3, 5), 7, torch.float64)
    assert_grads_match(lambda t: normalize(t, 1), lambda t: F.normalize(t, dim=1), x,
                       what="normalize(x (3, 5), dim=1) gradient")


# ------------------------------------------------------------------------ every function

ON_DEVICE = {  # name -> (call on inputs, input shapes)
    "mean(x (2, 0, 3), dim=1)": (lambda x: mean(x, 1), [(2, 0, 3)]),
    "pairwise_sq_dists(a (3, 2), b (4, 2))": (pairwise_sq_dists, [(3, 2), (4, 2)]),
    "pairwise_sq_dists(a (3, 0), b (4, 0))": (pairwise_sq_dists, [(3, 0), (4, 0)]),
    "normalize(x (3, 4), dim=1, eps=0.5)": (lambda x: normalize(x, 1, 0.5), [(3, 4)]),
}


@pytest.mark.parametrize("name", list(ON_DEVICE))
def test_results_stay_on_the_inputs_device(name):
    """The meta device stands in for a GPU: a helper built without device= is a CPU tensor."""
    fn, shapes = ON_DEVICE[name]
    inputs = [randn(shape, 20 + i) for i, shape in enumerate(shapes)]
    assert_on_input_device(lambda: fn(*inputs), lambda: fn(*(t.to("meta") for t in inputs)),
                           what=f"{name} on the meta device",
                           hint="build any helper tensor on the inputs' device (torch.full_like, "
                                "x.new_full, or device=x.device); a torch.full / torch.zeros / "
                                "torch.ones without device= is a CPU tensor that a GPU input "
                                "cannot meet (a Python float such as eps needs no tensor at all)")
