"""Specs for katas/broadcasting/products.py (day 2): dot, matmul (the torch.matmul contract).

Contract-to-spec map:
- dot: sum_i a[i] * b[i] as a 0-d tensor vs torch.dot -> test_dot_matches_torch (float32/64);
  any dtype kept (float16, bfloat16, int64; int32 and int8 too, which .sum() promotes) -> test_dot_keeps_dtype; int64 exact beyond
  2**53 (not through float64) -> test_dot_int64_is_exact; k = 0 gives 0 (on the
  graph) -> test_dot_empty; non-contiguous -> test_dot_non_contiguous; ValueError unless both 1-D of
  one length, incl. same-shape 2-D and 0-d pairs and (1,) vs (3,) -> test_dot_rejects_bad_shapes;
  differentiable -> test_dot_is_differentiable.
- matmul: every row of the contract table vs torch.matmul (hypothesis) ->
  test_matmul_matches_torch; 1-D @ 1-D is 0-d -> _vectors_give_a_scalar; 1-D left is a ROW,
  1-D right a COLUMN, the added dim removed (incl. size-1 neighbours a squeeze() would eat)
  -> _vector_matrix_is_a_row, _matrix_vector_is_a_column, _removes_the_promoted_dim;
  batch dims broadcast -> _broadcasts_batch_dims; dtype kept for float16/bfloat16/32/64 ->
  _keeps_dtype; float64 computed in float64 -> _float64_is_exact; size-0 dims (k = 0 gives
  zeros), in float32/float64/float16 and still attached to the graph, also k = 0 on the
  batched @ 1-D and 1-D @ batched paths, and n = 0 / m = 0 with batch dims -> _size_zero_dims;
  non-contiguous -> _non_contiguous_inputs; ValueError for 0-d
  and for contracted sizes that differ, also where a broadcast multiply would accept k = 1
  and on the 1-D @ batched paths -> _rejects_bad_shapes; differentiable on every path ->
  _is_differentiable; every path (incl. k = 0 and batch 0) on the inputs' device (meta) ->
  _stays_on_the_inputs_device; off-limits built-ins -> forbid in the hypothesis tests and
  _write_their_own.

Values are compared with torch.dot / torch.matmul at harness.checks.DEFAULT_TOL (float32:
rtol 1e-4, atol 1e-5; float64: rtol 1e-7, atol 1e-9): a different summation order stays well
inside these for the small k used here.
"""

import contextlib

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from harness.checks import (SpecFailure, assert_close, assert_grads_match, assert_on_input_device,
                            assert_raises, forbid, non_contiguous, unchanged)
from harness.edges import HALF_DTYPES, TIGHT64, assert_dtype_kept, tolerance
from katas.broadcasting.products import dot, matmul

FORBIDDEN = (
    torch.matmul, torch.Tensor.matmul, torch.Tensor.__matmul__, torch.Tensor.__rmatmul__,
    torch.mm, torch.Tensor.mm, torch.bmm, torch.Tensor.bmm, torch.dot, torch.Tensor.dot,
    torch.vdot, torch.Tensor.vdot, torch.mv, torch.Tensor.mv, torch.inner, torch.Tensor.inner,
    torch.outer, torch.Tensor.outer, torch.ger, torch.Tensor.ger, torch.addmm, torch.Tensor.addmm,
    torch.addmv, torch.Tensor.addmv, torch.addbmm, torch.Tensor.addbmm, torch.baddbmm,
    torch.Tensor.baddbmm, torch.linalg.matmul, torch.linalg.vecdot, torch.linalg.multi_dot,
    F.linear, F.bilinear,
    # Python functions: named by their public path so that alias is caught too.
    "torch.einsum", "torch.tensordot", "torch.chain_matmul",
)
# Below every alias: whatever Python path leads there, these aten ops are matrix products.
FORBIDDEN_ATEN = {op: f"a matrix-product built-in (aten.{op})" for op in (
    "mm", "bmm", "dot", "vdot", "mv", "addmm", "addmv", "addbmm", "baddbmm", "addr", "matmul",
    "linear", "_addmm_activation")}

DTYPES = [torch.float32, torch.float64]

ROW_HINT = ("a 1-D LEFT argument is a row vector (1, k): a @ b = sum_k a[k] * b[..., k, :], "
            "shape (..., m); it is not b @ a")
COLUMN_HINT = "a 1-D RIGHT argument is a column (k, 1): a @ b = sum_k a[..., :, k] * b[k]"
REMOVE_HINT = ("after the product remove exactly the dim you added for a 1-D argument: "
               "(k,) @ (k, m) is (m,), not (1, m); (n, k) @ (k,) is (n,), not (n, 1)")
BATCH_HINT = ("batch dims (all but the last two) broadcast like an elementwise op: "
              "(2, 1, n, k) @ (5, k, m) -> (2, 5, n, m); unsqueeze so that a is (..., n, k, 1) "
              "and b is (..., 1, k, m), multiply, sum over k")


def fail(message: str, hint: str | None = None):
    __tracebackhide__ = True
    raise SpecFailure(message + (f"\n  hint: {hint}" if hint else ""))


def randn(shape, seed, dtype=torch.float32):
    return torch.randn(tuple(shape), generator=torch.Generator().manual_seed(seed), dtype=dtype)


DOT_CONTRACT = "raise ValueError if a or b is not 1-D, or if their lengths differ"
MATMUL_CONTRACT = "raise ValueError if an argument is 0-d or the contracted sizes differ"


def expect_value_error(fn, *args, what, hint, contract):
    """fn(*args) must raise ValueError (harness.checks.assert_raises)."""
    __tracebackhide__ = True
    assert_raises(ValueError, fn, *args, contract=contract, what=what, hint=hint)


def check_attached(out, what):
    """Inputs that require grad give a result on their graph, also an empty sum."""
    __tracebackhide__ = True
    if isinstance(out, torch.Tensor) and not out.requires_grad:
        fail(f"{what}: the result is not attached to the inputs' graph (requires_grad is "
             f"False); the contract says the result stays differentiable, also for an empty sum",
             "build even the empty sum from the inputs (multiply, then sum over a size-0 dim "
             "gives zeros with a graph); a fresh torch.zeros(...) or torch.tensor(0.0) has none")


def hint_for(a_shape, b_shape):
    if len(a_shape) == 1 and len(b_shape) >= 2:
        return f"{ROW_HINT}; {REMOVE_HINT}"
    if len(b_shape) == 1 and len(a_shape) >= 2:
        return f"{COLUMN_HINT}; {REMOVE_HINT}"
    if len(a_shape) == 1:
        return "1-D @ 1-D is the dot product: a 0-d tensor"
    return BATCH_HINT


def check_matmul(a, b, *, forbidden=True):
    __tracebackhide__ = True
    what = f"matmul(a {tuple(a.shape)}, b {tuple(b.shape)})"
    guard = forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN) if forbidden else contextlib.nullcontext()
    with unchanged(a, b, names=["a", "b"]), guard:
        out = matmul(a, b)
    assert_close(out, torch.matmul(a, b), what=what, hint=hint_for(a.shape, b.shape))


# ------------------------------------------------------------------------ dot

@given(k=st.integers(1, 11), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31 - 1))
def test_dot_matches_torch(k, dtype, seed):
    a, b = randn((k,), seed, dtype), randn((k,), seed + 1, dtype)
    with unchanged(a, b, names=["a", "b"]), forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        out = dot(a, b)
    assert_close(out, torch.dot(a, b), what=f"dot(a ({k},), b ({k},)) in {dtype}",
                 hint="sum of a[i] * b[i]: a 0-d tensor of the inputs' dtype")


def test_dot_non_contiguous():
    a = non_contiguous(randn((7,), 1))
    b = randn((7, 3), 2)[:, 1]  # a column slice: stride 3
    out = dot(a, b)
    assert_close(out, torch.dot(a, b), what="dot(non-contiguous a (7,), strided b (7,))")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int8])
def test_dot_keeps_dtype(dtype):
    if not dtype.is_floating_point:  # small values: no overflow, also in int8
        a = torch.tensor([3, -1, 4, 1, -5], dtype=dtype)
        b = torch.tensor([2, 7, -1, 8, 2], dtype=dtype)
    else:
        a, b = randn((6,), 1).to(dtype), randn((6,), 2).to(dtype)
    what = f"dot(a (len {a.numel()}), b) in {dtype}"
    out = dot(a, b)
    if not dtype.is_floating_point and out.dtype != dtype:
        raise SpecFailure(f"{what} returned a {out.dtype} tensor; torch.dot keeps {dtype}\n  hint: Tensor.sum() "
                          f"promotes every integer dtype below int64 to int64: .sum(dtype=a.dtype) keeps it")
    assert_dtype_kept(out, a, what)
    expected = torch.dot(a.double(), b.double()).to(dtype) if dtype.is_floating_point else torch.dot(a, b)
    assert_close(out, expected, what=what, **(tolerance(dtype) if dtype in HALF_DTYPES else {}),
                 hint="start the sum from the inputs themselves ((a * b).sum()), not from "
                      "torch.zeros(()) or torch.tensor(0.0), which are float32")


def test_dot_int64_is_exact():
    """int64 products beyond 2**53 (a float64 has 53 bits of mantissa): an int64 dot
    computed through float64 (or float32) and cast back is off in the last digits."""
    a = torch.tensor([2**40 + 1, 3, -7])
    b = torch.tensor([2**20 + 3, 5, 2**33 + 1])
    out = dot(a, b)
    assert_dtype_kept(out, a, "dot(a, b) in int64")
    assert_close(out, torch.dot(a, b), what="dot([2**40 + 1, 3, -7], [2**20 + 3, 5, 2**33 + 1]) "
                 "in int64", hint="integers are multiplied and summed exactly in their own dtype: "
                 "upcast to float64 only for floating inputs (a.is_floating_point())")


def test_dot_empty():
    a = torch.zeros(0, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(0, dtype=torch.float64, requires_grad=True)
    out = dot(a, b)
    assert_close(out, torch.dot(a, b), what="dot(a (0,), b (0,)) in float64",
                 hint="an empty sum is 0: a 0-d tensor of the inputs' dtype; no a[0] needed")
    check_attached(out, "dot(a (0,), b (0,)) with a and b requiring grad")


@pytest.mark.parametrize("a_shape,b_shape", [
    ((3,), (4,)),
    ((1,), (3,)),  # a * b would broadcast this silently
    ((3,), (1,)),
    ((2, 3), (3,)),
    ((3,), (3, 1)),
    ((), (1,)),
    ((2, 3), (2, 3)),  # same shape, but not 1-D
    ((), ()),
    ((1, 4), (1, 4)),
])
def test_dot_rejects_bad_shapes(a_shape, b_shape):
    a, b = randn(a_shape, 3), randn(b_shape, 4)
    expect_value_error(dot, a, b, what=f"dot(a {a_shape}, b {b_shape})", contract=DOT_CONTRACT,
                       hint="dot takes two 1-D tensors of the SAME length; check a.dim() == 1 "
                            "and b.dim() == 1 (equal shapes are not enough) and the lengths, "
                            "before multiplying, since a * b broadcasts a length-1 vector silently")


def test_dot_is_differentiable():
    a, b = randn((5,), 5, torch.float64), randn((5,), 6, torch.float64)
    assert_grads_match(dot, torch.dot, a, b, what="dot(a (5,), b (5,)) gradient",
                       hint="build it from differentiable tensor ops ((a * b).sum()); a new "
                            "tensor made from Python numbers (.item(), float(), torch.tensor) "
                            "has no graph")


# ------------------------------------------------------------------------ matmul

KINDS = ["1d@1d", "1d@2d", "2d@1d", "2d@2d", "nd@nd", "1d@nd", "nd@1d"]


@st.composite
def matmul_shapes(draw):
    """(a's shape, b's shape) for one case of the torch.matmul contract."""
    kind = draw(st.sampled_from(KINDS))
    n, k, m = (draw(st.integers(1, 5)) for _ in range(3))
    batches = draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3,
                                                 max_side=3)).input_shapes
    ba, bb = batches
    if kind == "nd@nd":  # one of them may be plain 2-D
        drop = draw(st.sampled_from(["none", "a", "b"]))
        ba, bb = (() if drop == "a" else ba), (() if drop == "b" else bb)
    left = {"1d": (k,), "2d": (n, k), "nd": (*ba, n, k)}[kind.split("@")[0]]
    right = {"1d": (k,), "2d": (k, m), "nd": (*bb, k, m)}[kind.split("@")[1]]
    return left, right


@given(shapes=matmul_shapes(), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31 - 1))
def test_matmul_matches_torch(shapes, dtype, seed):
    a_shape, b_shape = shapes
    a, b = randn(a_shape, seed, dtype), randn(b_shape, seed + 1, dtype)
    check_matmul(a, b)


def test_matmul_vectors_give_a_scalar():
    a, b = randn((5,), 1), randn((5,), 2)
    out = matmul(a, b)
    assert_close(out, torch.matmul(a, b), what="matmul(a (5,), b (5,))",
                 hint="1-D @ 1-D is the dot product: a 0-d tensor (remove both added dims)")


@pytest.mark.parametrize("k,m", [(3, 3), (3, 5), (1, 4), (7, 2)])
def test_matmul_vector_matrix_is_a_row(k, m):
    a, b = randn((k,), 1), randn((k, m), 2)  # b is not symmetric: a @ b != b @ a
    out = matmul(a, b)
    assert_close(out, torch.matmul(a, b), what=f"matmul(a ({k},), b ({k}, {m}))",
                 hint=f"{ROW_HINT}; {REMOVE_HINT}")


@pytest.mark.parametrize("n,k", [(3, 3), (5, 3), (4, 1), (2, 7)])
def test_matmul_matrix_vector_is_a_column(n, k):
    a, b = randn((n, k), 1), randn((k,), 2)
    out = matmul(a, b)
    assert_close(out, torch.matmul(a, b), what=f"matmul(a ({n}, {k}), b ({k},))",
                 hint=f"{COLUMN_HINT}; {REMOVE_HINT}")


@pytest.mark.parametrize("a_shape,b_shape,out_shape", [
    ((3,), (3, 4), (4,)),
    ((4, 3), (3,), (4,)),
    ((3,), (2, 5, 3, 4), (2, 5, 4)),
    ((2, 5, 4, 3), (3,), (2, 5, 4)),
    ((1,), (1, 1), (1,)),
    ((1, 1), (1,), (1,)),
    ((3,), (1, 3, 1), (1, 1)),  # size-1 dims that are not the promoted one stay
    ((1, 4, 3), (3,), (1, 4)),
    ((1,), (1, 1, 1), (1, 1)),
    ((2, 1, 3), (3,), (2, 1)),
])
def test_matmul_removes_the_promoted_dim(a_shape, b_shape, out_shape):
    a, b = randn(a_shape, 1), randn(b_shape, 2)
    out = matmul(a, b)
    expected = torch.matmul(a, b)
    assert tuple(expected.shape) == out_shape  # the contract, as torch states it
    assert_close(out, expected, what=f"matmul(a {a_shape}, b {b_shape})",
                 hint=hint_for(a_shape, b_shape))


def call_for_batches(a, b, what):
    """matmul(a, b), turning a broadcasting RuntimeError inside it into a teaching failure."""
    __tracebackhide__ = True
    try:
        return matmul(a, b)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        fail(f"{what} raised RuntimeError: {str(err).splitlines()[0]}", BATCH_HINT)


@pytest.mark.parametrize("a_shape,b_shape", [
    ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 3, 4), (6, 4, 5)),
    ((6, 3, 4), (1, 4, 5)),
    ((3, 4), (6, 4, 5)),
    ((2, 3, 2, 3), (3, 3, 1)),
    ((7, 1, 2, 3), (1, 5, 3, 2)),
])
def test_matmul_broadcasts_batch_dims(a_shape, b_shape):
    a, b = randn(a_shape, 1), randn(b_shape, 2)
    what = f"matmul(a {a_shape}, b {b_shape})"
    out = call_for_batches(a, b, what)
    assert_close(out, torch.matmul(a, b), what=what, hint=BATCH_HINT)


@pytest.mark.parametrize("dtype", DTYPES + list(HALF_DTYPES))
def test_matmul_keeps_dtype(dtype):
    a, b = randn((2, 3, 4), 1).to(dtype), randn((4, 5), 2).to(dtype)
    what = f"matmul(a (2, 3, 4), b (4, 5)) in {dtype}"
    out = matmul(a, b)
    assert_dtype_kept(out, a, what)
    expected = torch.matmul(a.double(), b.double()).to(dtype)
    assert_close(out, expected, what=what,
                 **(tolerance(dtype) if dtype in HALF_DTYPES else {}))


def test_matmul_float64_is_exact():
    a, b = randn((3, 2, 4, 6), 1, torch.float64), randn((2, 6, 5), 2, torch.float64)
    v = randn((6,), 3, torch.float64)
    for x, y in ((a, b), (v, b), (a, v), (v, v)):
        what = f"matmul(a {tuple(x.shape)}, b {tuple(y.shape)}) in float64"
        assert_close(matmul(x, y), torch.matmul(x, y), what=what, **TIGHT64,
                     hint="float64 inputs must be computed in float64: a float32 accumulator "
                          "or a .float() inside loses ~8 of the 16 digits")


@pytest.mark.parametrize("a_shape,b_shape", [
    ((2, 0), (0, 3)),  # k = 0: an empty sum, zeros
    ((0,), (0,)),
    ((0,), (0, 4)),
    ((3, 0), (0,)),
    ((0, 3), (3, 4)),  # n = 0
    ((2, 3), (3, 0)),  # m = 0
    ((0, 2, 3), (3, 4)),  # batch size 0
    ((3,), (0, 3, 4)),
    ((2, 1, 2, 0), (3, 0, 2)),
    ((2, 3, 0), (0,)),  # k = 0 on the batched @ 1-D path (reshape(-1, k) is ambiguous)
    ((0,), (2, 0, 4)),  # k = 0 on the 1-D @ batched path
    ((2, 0, 3), (3, 4)),  # n = 0 with batch dims (reshape(-1, n, k) is ambiguous)
    ((2, 3), (2, 3, 0)),  # m = 0 with batch dims
])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16], ids=str)
def test_matmul_size_zero_dims(a_shape, b_shape, dtype):
    a = randn(a_shape, 1, dtype).requires_grad_()
    b = randn(b_shape, 2, dtype).requires_grad_()
    what = f"matmul(a {a_shape}, b {b_shape}) in {dtype}"
    out = call_for_batches(a, b, what)
    assert_close(out, torch.matmul(a, b), what=what,
                 hint="size-0 dims follow the same rules: k = 0 is an empty sum (zeros of the "
                      "inputs' dtype), and n, m or a batch dim of 0 give an empty result; avoid "
                      "reshape(-1, ...) (ambiguous for 0 elements), loops that start from "
                      "a[..., 0], and a special case returning torch.zeros(...)")
    check_attached(out, what)


def test_matmul_non_contiguous_inputs():
    a = non_contiguous(randn((2, 3, 4), 1))
    b = randn((5, 4), 2).t()  # (4, 5), transposed
    c = randn((4,), 3)
    check_matmul(a, b)
    check_matmul(c, b)
    check_matmul(a, non_contiguous(c))


@pytest.mark.parametrize("a_shape,b_shape", [
    ((2, 3), (4, 5)),
    ((2, 1), (3, 4)),  # a broadcast multiply would accept k = 1 against k = 3
    ((2, 3), (1, 4)),
    ((4,), (1, 3)),
    ((2, 3), (1,)),
    ((3,), (4,)),
    ((2, 2, 3), (2, 4, 3)),
    ((), (3,)),
    ((3, 2), ()),
    ((), ()),
    ((1,), (3,)),  # 1-D @ 1-D: a * b would broadcast 1 against 3
    ((3,), (1,)),
    ((2, 1), (3,)),
    ((1,), (2, 3, 4)),  # 1-D left against a batched right
    ((3,), (2, 4, 5)),
    ((2, 3, 1), (4,)),  # batched left against a 1-D right
    ((2, 5, 4), (3,)),
])
def test_matmul_rejects_bad_shapes(a_shape, b_shape):
    a, b = randn(a_shape, 3), randn(b_shape, 4)
    expect_value_error(matmul, a, b, what=f"matmul(a {a_shape}, b {b_shape})",
                       contract=MATMUL_CONTRACT,
                       hint="the last dim of a must equal the contracted dim of b (its "
                            "second-to-last, or its only dim if 1-D), checked before the "
                            "broadcast multiply; 0-d arguments are an error")


def test_matmul_is_differentiable():
    a, b = randn((2, 3, 4), 1, torch.float64), randn((4, 5), 2, torch.float64)
    assert_grads_match(matmul, torch.matmul, a, b, what="matmul(a (2, 3, 4), b (4, 5)) gradient",
                       hint="build it from differentiable tensor ops (multiply, sum, views), "
                            "no in-place writes or .item()")
    v = randn((4,), 3, torch.float64)
    assert_grads_match(matmul, torch.matmul, v, a.transpose(-1, -2).contiguous(),
                       what="matmul(a (4,), b (2, 4, 3)) gradient")
    assert_grads_match(matmul, torch.matmul, a, v, what="matmul(a (2, 3, 4), b (4,)) gradient")
    assert_grads_match(matmul, torch.matmul, v, v.flip(0), what="matmul(a (4,), b (4,)) gradient")
    c, d = randn((2, 1, 3, 4), 4, torch.float64), randn((5, 4, 2), 5, torch.float64)
    assert_grads_match(matmul, torch.matmul, c, d,
                       what="matmul(a (2, 1, 3, 4), b (5, 4, 2)) gradient")


@pytest.mark.parametrize("a_shape,b_shape", [
    ((2, 0), (0, 3)),  # k = 0: the empty sum
    ((3,), (0, 3, 4)),  # a batch size 0
    ((2, 1, 3, 4), (5, 4, 2)),
    ((4,), (4,)),
])
def test_matmul_stays_on_the_inputs_device(a_shape, b_shape):
    """Every path builds on the inputs' device (here the meta device stands in for a GPU)."""
    a, b = randn(a_shape, 1), randn(b_shape, 2)
    assert_on_input_device(lambda: matmul(a, b), lambda: matmul(a.to("meta"), b.to("meta")),
                           what=f"matmul(a {a_shape}, b {b_shape} on the meta device)",
                           hint="build everything from the inputs (multiply, sum, views): a "
                                "torch.zeros(shape, dtype=a.dtype) without device=a.device is a "
                                "CPU tensor, which a GPU input cannot meet")


def test_dot_and_matmul_write_their_own():
    a, b = randn((3, 4), 1), randn((4,), 2)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        out = matmul(a, b)
        d = dot(b, b)
    assert_close(out, torch.matmul(a, b), what="matmul(a (3, 4), b (4,))")
    assert_close(d, torch.dot(b, b), what="dot(b (4,), b (4,))")
