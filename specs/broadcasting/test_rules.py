"""Specs for katas/broadcasting/rules.py (day 2): broadcast_shapes, broadcast_to.

Contract-to-spec map:
- broadcast_shapes == torch.broadcast_shapes for 1..4 shapes incl. () shapes, a tuple of
  plain ints (not 0-dim tensors) -> test_broadcast_shapes_matches_torch, _returns_plain_ints;
  aligned at the LAST dim, size 1 takes the other -> test_broadcast_shapes_aligns_from_the_right;
  no shapes -> (), one shape -> itself, both tuples -> test_broadcast_shapes_of_one_or_no_shape;
  a clash raises ValueError naming both sizes, also between shapes that are not neighbours
  and past a size-1 shape -> test_broadcast_shapes_rejects_incompatible_sizes, _any_clash;
  plain Python on the sizes (no torch call, meta tensors included; numpy's broadcast_shapes,
  broadcast, broadcast_arrays, broadcast_to off limits) -> plain_python in _matches_torch
  and _rejects_any_clash.
- broadcast_to == torch.broadcast_to values, shares x's storage, stride 0 on new leading and
  grown size-1 dims -> test_broadcast_to_is_a_stride_zero_view (hypothesis, incl.
  non-contiguous x), _shapes; any dtype (int64, bool, float16, bfloat16, float64) ->
  _keeps_dtype; non-contiguous x, already-broadcast x (stride 0), storage offset ->
  _non_contiguous_input, _already_broadcast_input, _view_with_storage_offset; a view, not a
  copy -> _shows_writes_to_x, _allocates_nothing; ValueError for a size neither 1 nor the
  target, for more dims than `shape` (even leading 1s) -> _rejects_impossible_targets;
  differentiable w.r.t. x (decision stated in the stub) -> _is_differentiable;
  off-limits built-ins -> forbid in the hypothesis tests and _writes_its_own.
"""

import contextlib
import re

import numpy
import pytest
import torch
from hypothesis import given, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

from harness.budgets import peak_bytes
from harness.checks import (SpecFailure, assert_close, assert_raises, forbid, no_torch,
                            non_contiguous, unchanged)
from katas.broadcasting.rules import broadcast_shapes, broadcast_to

ALIGN_HINT = ("shapes are aligned at their LAST dim: pad the shorter shape with 1s on the "
              "left, then compare sizes pair by pair")
MISMATCH_HINT = ("two sizes broadcast only when they are equal or one of them is 1; "
                 "anything else (2 vs 3) is an error")
COPY_HINT = ("broadcast_to must not copy: build the strides yourself (0 for every broadcast "
             "dim, x's own stride elsewhere) and return x.as_strided(shape, strides)")

# Python functions by dotted name, so the torch.* alias is caught too (see harness.checks.forbid).
FORBIDDEN_SHAPES = ("torch.broadcast_shapes", "torch.broadcast_tensors", torch.broadcast_to)
FORBIDDEN_TO = (torch.broadcast_to, "torch.broadcast_shapes", "torch.broadcast_tensors",
                torch.Tensor.expand, torch.Tensor.expand_as)
EXPAND_ATEN = {"expand": "torch.Tensor.expand (or a built-in that expands)"}


NUMPY_BROADCASTING = ("broadcast_shapes", "broadcast", "broadcast_arrays", "broadcast_to")


@contextlib.contextmanager
def plain_python(what):
    """broadcast_shapes works on Python ints only: any torch call fails, and numpy's
    broadcasting functions (under numpy.* and any name the learner's module bound them to)
    fail when called."""
    __tracebackhide__ = True
    originals = {name: getattr(numpy, name) for name in NUMPY_BROADCASTING}
    patched = []

    def refuse(name):
        def raiser(*args, **kwargs):
            fail(f"{what} called numpy.{name}; this kata asks you to write the broadcasting rule "
                 f"yourself (numpy's broadcasting functions are off limits)", ALIGN_HINT)
        return raiser

    for home in (numpy.__dict__, broadcast_shapes.__globals__):
        for attr, value in list(home.items()):
            for name, original in originals.items():
                if value is original:
                    patched.append((home, attr, value))
                    home[attr] = refuse(name)
    try:
        with no_torch(what, "broadcast_shapes is plain Python arithmetic on the sizes (no tensors, not "
                            "even on the meta device)", f"{ALIGN_HINT}; {MISMATCH_HINT}"):
            yield
    finally:
        for home, attr, value in reversed(patched):
            home[attr] = value


def fail(message: str, hint: str | None = None):
    __tracebackhide__ = True
    raise SpecFailure(message + (f"\n  hint: {hint}" if hint else ""))


SHAPES_CONTRACT = ("two sizes are compatible when they are equal or one of them is 1; anything "
                   "else raises ValueError whose message names both sizes")
TO_CONTRACT = ("raise ValueError when x cannot be broadcast to `shape` (a size of x that is "
               "neither 1 nor the target size, or more dims than `shape`)")


def expect_value_error(fn, *args, what, hint, contract=SHAPES_CONTRACT):
    """fn(*args) must raise ValueError (harness.checks.assert_raises); returns the error."""
    __tracebackhide__ = True
    return assert_raises(ValueError, fn, *args, contract=contract, what=what, hint=hint)


def randn(*shape: int, seed: int) -> torch.Tensor:
    """Seeded normal tensor; unlike harness.checks.randn it also accepts shape () (0-d)."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def mentions(message: str, number: int) -> bool:
    return re.search(rf"(?<!\d){number}(?!\d)", message) is not None


# ------------------------------------------------------------------------ broadcast_shapes

@given(case=st.integers(1, 4).flatmap(
    lambda n: mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=4, max_side=5)))
def test_broadcast_shapes_matches_torch(case):
    shapes = case.input_shapes
    with plain_python(f"broadcast_shapes{shapes}"), forbid(*FORBIDDEN_SHAPES, aten=EXPAND_ATEN):
        got = broadcast_shapes(*shapes)
    expected = tuple(torch.broadcast_shapes(*shapes))
    if not isinstance(got, tuple):
        fail(f"broadcast_shapes{shapes}: returned {type(got).__name__} {got!r}, expected a tuple "
             f"of ints (a torch.Size is fine)")
    if tuple(got) != expected:
        fail(f"broadcast_shapes{shapes}: got {tuple(got)}, expected {expected}", ALIGN_HINT)
    check_plain_ints(got, what=f"broadcast_shapes{shapes}")


def check_plain_ints(got, what):
    __tracebackhide__ = True
    odd = [size for size in got if type(size) is not int]
    if odd:
        shown = (f"a 0-dim tensor {odd[0]!r}" if isinstance(odd[0], torch.Tensor)
                 else f"{type(odd[0]).__name__} {odd[0]!r}")
        fail(f"{what}: returned {got!r}, whose sizes include {shown}; the contract says a tuple "
             f"of ints", "convert every size with int(...) (or .tolist() on a tensor) before "
             "building the tuple: a 0-dim tensor compares equal to an int but is no size")


@pytest.mark.parametrize("shapes", [((4, 1), (3,)), ((2, 1), (1, 3), (5, 1, 1)), ((3,),),
                                    ((1,), (1, 1))])
def test_broadcast_shapes_returns_plain_ints(shapes):
    got = broadcast_shapes(*shapes)
    if not isinstance(got, tuple):
        fail(f"broadcast_shapes{shapes}: returned {type(got).__name__} {got!r}, expected a tuple "
             f"of ints (a torch.Size is fine)")
    check_plain_ints(got, what=f"broadcast_shapes{shapes}")


@pytest.mark.parametrize("shapes,expected", [
    (((4, 1), (3,)), (4, 3)),
    (((2, 3), (3,)), (2, 3)),
    (((5, 1, 3), (2, 1)), (5, 2, 3)),
    (((1,), (7, 6)), (7, 6)),
    (((), (3, 2)), (3, 2)),
    (((2, 1), (1, 3), (5, 1, 1)), (5, 2, 3)),
])
def test_broadcast_shapes_aligns_from_the_right(shapes, expected):
    got = broadcast_shapes(*shapes)
    if tuple(got) != expected:
        fail(f"broadcast_shapes{shapes}: got {tuple(got)}, expected {expected}", ALIGN_HINT)


def test_broadcast_shapes_of_one_or_no_shape():
    got = broadcast_shapes()
    if not isinstance(got, tuple) or tuple(got) != ():
        fail(f"broadcast_shapes(): got {got!r}, expected () (no shapes: a scalar's shape, "
             f"a tuple like every other result)")
    got = broadcast_shapes((3, 1, 2))
    if not isinstance(got, tuple) or tuple(got) != (3, 1, 2):
        fail(f"broadcast_shapes((3, 1, 2)): got {got!r}; a single shape broadcasts to itself "
             f"(a tuple)")
    check_plain_ints(got, what="broadcast_shapes((3, 1, 2))")


@pytest.mark.parametrize("shapes,sizes", [
    (((2,), (3,)), (2, 3)),
    (((5, 3), (7, 3)), (5, 7)),
    (((1, 3), (5,)), (3, 5)),  # fine from the left, wrong from the right
    (((4, 6), (4,)), (6, 4)),
    (((2, 1), (1, 3), (4, 1, 5)), (3, 5)),
    (((3,), (1,), (4,)), (3, 4)),  # the clash is not between neighbours
    (((1,), (3,), (4,)), (3, 4)),  # past a first shape of size 1
    (((2, 3), (1, 1), (1, 1), (2, 4)), (3, 4)),
    (((5, 1), (1,), (1, 1), (3, 1)), (5, 3)),
])
def test_broadcast_shapes_rejects_incompatible_sizes(shapes, sizes):
    err = expect_value_error(broadcast_shapes, *shapes, what=f"broadcast_shapes{shapes}",
                             hint=f"{MISMATCH_HINT}; and {ALIGN_HINT}")
    a, b = sizes
    if not (mentions(str(err), a) and mentions(str(err), b)):
        fail(f"broadcast_shapes{shapes} raised ValueError({str(err)!r}); the message should name "
             f"both sizes that clash, {a} and {b}, so the caller can find the bad dim")


@st.composite
def clashing_shapes(draw):
    """(shapes, (p, q)): 2..4 shapes that broadcast except at one dim, where shape i holds
    p, shape j holds q (i < j, not necessarily neighbours) and every other shape holds 1."""
    n = draw(st.integers(2, 4))
    shapes = [list(s) for s in draw(mutually_broadcastable_shapes(
        num_shapes=n, min_dims=1, max_dims=4, max_side=5)).input_shapes]
    i, j = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
    depth = min(len(shapes[i]), len(shapes[j]))
    at = -1 - draw(st.integers(0, depth - 1))  # a dim both shapes have, counted from the right
    p, q = draw(st.lists(st.integers(2, 9), min_size=2, max_size=2, unique=True))
    for k, shape in enumerate(shapes):
        if len(shape) >= -at:
            shape[at] = p if k == i else q if k == j else 1
    return tuple(tuple(s) for s in shapes), (p, q)


@given(case=clashing_shapes())
def test_broadcast_shapes_rejects_any_clash(case):
    shapes, (p, q) = case
    with plain_python(f"broadcast_shapes{shapes}"):
        err = expect_value_error(broadcast_shapes, *shapes, what=f"broadcast_shapes{shapes}",
                                 hint=f"{MISMATCH_HINT}; compare every shape with the result so "
                                      f"far, not only neighbouring shapes")
    if not (mentions(str(err), p) and mentions(str(err), q)):
        fail(f"broadcast_shapes{shapes} raised ValueError({str(err)!r}); the message should name "
             f"both sizes that clash, {p} and {q}")


# ------------------------------------------------------------------------ broadcast_to

@st.composite
def to_cases(draw):
    """(x's shape, a target shape x can be broadcast to)."""
    target = tuple(draw(st.lists(st.integers(1, 5), min_size=0, max_size=4)))
    kept = draw(st.integers(0, len(target)))
    ones = draw(st.lists(st.booleans(), min_size=kept, max_size=kept))
    x_shape = tuple(1 if one else s for one, s in zip(ones, target[len(target) - kept:]))
    return x_shape, target


def broadcast_dims(x_shape, target):
    """Output dims that must have stride 0: new leading dims and grown size-1 dims."""
    new = len(target) - len(x_shape)
    return [i for i, size in enumerate(target)
            if size > 1 and (i < new or x_shape[i - new] == 1)]


def check_view(out, x, target, what):
    __tracebackhide__ = True
    assert_close(out, torch.broadcast_to(x, target), what=what,
                 hint="broadcast_to repeats x along the new and size-1 dims, aligned at the right")
    if out.untyped_storage().data_ptr() != x.untyped_storage().data_ptr():
        fail(f"{what}: the result does not share x's storage: it is a copy", COPY_HINT)
    zero = broadcast_dims(tuple(x.shape), target)
    bad = [i for i in zero if out.stride(i) != 0]
    if bad:
        fail(f"{what}: stride {tuple(out.stride())}; dims {bad} are broadcast and must have "
             f"stride 0", COPY_HINT)


@given(case=to_cases(), seed=st.integers(0, 2**31 - 1), strided=st.booleans())
def test_broadcast_to_is_a_stride_zero_view(case, seed, strided):
    x_shape, target = case
    x = randn(*x_shape, seed=seed)
    x = non_contiguous(x) if strided else x
    with unchanged(x, names=["x"]), forbid(*FORBIDDEN_TO, aten=EXPAND_ATEN):
        out = broadcast_to(x, target)
    check_view(out, x, target, what=f"broadcast_to(x of shape {x_shape}, {target})")


@pytest.mark.parametrize("x_shape,target", [
    ((3,), (2, 3)),
    ((1,), (5,)),
    ((2, 1), (2, 7)),
    ((1, 3, 1), (4, 2, 3, 5)),
    ((), (2, 3)),
    ((2, 3), (2, 3)),
])
def test_broadcast_to_shapes(x_shape, target):
    x = randn(*x_shape, seed=1)
    out = broadcast_to(x, target)
    check_view(out, x, target, what=f"broadcast_to(x of shape {x_shape}, {target})")


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool, torch.float16, torch.bfloat16,
                                   torch.float64, torch.uint8])
def test_broadcast_to_keeps_dtype(dtype):
    x = (torch.arange(3).reshape(3, 1) - 1).to(dtype)
    out = broadcast_to(x, (2, 3, 4))
    if isinstance(out, torch.Tensor) and out.dtype != dtype:
        fail(f"broadcast_to({dtype} x of shape (3, 1), (2, 3, 4)): dtype {out.dtype}; a view "
             f"has x's dtype", COPY_HINT)
    check_view(out, x, (2, 3, 4), what=f"broadcast_to({dtype} x of shape (3, 1), (2, 3, 4))")


def test_broadcast_to_non_contiguous_input():
    x = non_contiguous(randn(3, 1, 5, seed=2))
    with unchanged(x, names=["x"]):
        out = broadcast_to(x, (2, 3, 4, 5))
    check_view(out, x, (2, 3, 4, 5), what="broadcast_to(non-contiguous x (3, 1, 5), (2, 3, 4, 5))")


def test_broadcast_to_already_broadcast_input():
    x = randn(3, seed=7).as_strided((2, 3), (0, 1))  # itself a broadcast: stride 0 on dim 0
    out = broadcast_to(x, (4, 2, 3))
    check_view(out, x, (4, 2, 3), what="broadcast_to(x (2, 3) with strides (0, 1), (4, 2, 3))")
    y = randn(2, 1, seed=8)[:, :, None].as_strided((2, 1, 3), (1, 1, 0))  # grown last dim
    out = broadcast_to(y, (2, 5, 3))
    check_view(out, y, (2, 5, 3), what="broadcast_to(y (2, 1, 3) with strides (1, 1, 0), (2, 5, 3))")


def test_broadcast_to_view_with_storage_offset():
    base = randn(4, 6, seed=3)
    x = base[2:3, 1::2]  # shape (1, 3), storage offset 13, stride (6, 2)
    out = broadcast_to(x, (5, 3))
    check_view(out, x, (5, 3), what="broadcast_to(base[2:3, 1::2], (5, 3))")


def test_broadcast_to_shows_writes_to_x():
    x = torch.zeros(1, 3)
    out = broadcast_to(x, (4, 3))
    x[0, 1] = 7.0
    if not bool((out[:, 1] == 7.0).all()):
        fail("broadcast_to(x, (4, 3)): after x[0, 1] = 7 the result still holds the old value: "
             "it is a copy, not a view", COPY_HINT)


def test_broadcast_to_allocates_nothing():
    x = randn(1, 64, seed=4)
    target = (256, 64)
    with forbid(*FORBIDDEN_TO, aten=EXPAND_ATEN):
        used = peak_bytes(broadcast_to, x, target)
    full = 256 * 64 * x.element_size()
    if used >= full // 8:
        fail(f"broadcast_to(x (1, 64), (256, 64)) allocated {used} bytes of tensor storage; the "
             f"full result is {full} bytes and a view needs none", COPY_HINT)


@pytest.mark.parametrize("x_shape,target", [
    ((3,), (2,)),
    ((3,), (1,)),  # broadcast_to is one-way: x's 3 cannot shrink to 1
    ((2, 3), (3,)),
    ((2, 1), (3, 4)),
    ((4,), (4, 1)),
    ((1, 3), (3,)),  # more dims than the target, even if the extra ones are 1s
    ((1,), ()),
    ((2, 3), (2, 1, 3)),  # aligned at the right: 2 meets 1
])
def test_broadcast_to_rejects_impossible_targets(x_shape, target):
    x = randn(*x_shape, seed=5)
    expect_value_error(broadcast_to, x, target, contract=TO_CONTRACT,
                       what=f"broadcast_to(x of shape {x_shape}, {target})",
                       hint="every size of x (aligned at the right) must equal the target size "
                            "or be 1, and x may not have more dims than the target")


def test_broadcast_to_writes_its_own():
    x = randn(3, 1, seed=6)
    with forbid(*FORBIDDEN_TO, aten=EXPAND_ATEN):
        out = broadcast_to(x, (2, 3, 4))
    check_view(out, x, (2, 3, 4), what="broadcast_to(x of shape (3, 1), (2, 3, 4))")


@pytest.mark.parametrize("x_shape,target", [((3, 1), (2, 3, 4)), ((4,), (3, 4)), ((2, 3), (2, 3))])
def test_broadcast_to_is_differentiable(x_shape, target):
    x = randn(*x_shape, seed=9).double().requires_grad_()
    out = broadcast_to(x, target)
    what = f"broadcast_to(x of shape {x_shape}, {target})"
    if not isinstance(out, torch.Tensor) or out.grad_fn is None:
        fail(f"{what}: the result is not connected to x's graph (no grad_fn); the contract says "
             f"it is differentiable like torch.broadcast_to",
             "x.as_strided(...) is differentiable; Tensor.set_(storage, ...), .data or .detach() "
             "cut the graph")
    upstream = randn(*target, seed=10).double()
    (grad,) = torch.autograd.grad(out, x, upstream)
    assert_close(grad, torch.autograd.grad(torch.broadcast_to(x, target), x, upstream)[0],
                 what=f"gradient of {what} w.r.t. x",
                 hint="each element of x is read at every broadcast position, so its gradient "
                      "is the sum of the upstream gradient over them")


def test_broadcast_to_gradient_reaches_a_strided_base():
    base = randn(4, 6, seed=11).double().requires_grad_()
    x = base[2:3, 1::2]  # (1, 3), storage offset 13
    upstream = randn(5, 3, seed=12).double()
    (grad,) = torch.autograd.grad(broadcast_to(x, (5, 3)), base, upstream)
    expected = torch.zeros(4, 6, dtype=torch.float64)
    expected[2, 1::2] = upstream.sum(0)
    assert_close(grad, expected, what="gradient of broadcast_to(base[2:3, 1::2], (5, 3)) "
                 "w.r.t. base", hint="the gradient must land on the elements of base that x views")
