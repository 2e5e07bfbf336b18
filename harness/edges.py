"""The edge battery: the cases a contract allows and a lazy implementation gets wrong.

Specs use these in a line or two each. Every helper states the bug it flushes out.

    dtypes
        FLOAT_DTYPES / HALF_DTYPES / ALL_FLOAT_DTYPES, float_dtypes()  (hypothesis)
        tolerance(dtype) -> dict(rtol=, atol=) for comparing against a float32/float64 oracle
        TIGHT64: float64 tolerance for contracts that say "compute in x's dtype"
        assert_dtype_kept(out, x, what)      a .float() or torch.ones() without dtype upcasts
        with default_dtype(torch.float64):   tables and helpers that follow the default dtype
    sizes
        shapes(min_dims, max_dims, min_side=0 or 1, max_side)  (hypothesis; sizes 0 and 1 first)
        ODD_SIZES: 1 and primes
    values
        with_exact(x, values)         exact kink points (0 for relu) and exact zeros planted in x
        LARGE_SCORES, LARGE_LOGITS    magnitudes a contract allows (scores of +-100, logits 1e2..1e4)
        far_from_zero(x, offset)      mean far from 0: E[x^2] - E[x]^2 cancels catastrophically
        very_negative(x, shift)       every score near -150: an online max that starts at 0 underflows
    arguments
        FALSY                          explicit 0.0 / 0 / False must not read as "not given"
        OneShot(items)                 a one-shot iterator: iterating twice fails loudly
        assert_exact_type(v, int, what)   int, not float, bool, numpy int or a 0-dim tensor
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterable, Iterator

import torch
from hypothesis import strategies as st

from harness.checks import DEFAULT_TOL
from harness.failures import fail

# ------------------------------------------------------------------------ dtypes

FLOAT_DTYPES = (torch.float32, torch.float64)
HALF_DTYPES = (torch.float16, torch.bfloat16)
ALL_FLOAT_DTYPES = FLOAT_DTYPES + HALF_DTYPES
# float64 agreement far below float32 rounding: an implementation that computes in float32
# and casts back (or builds a float32 table) misses it by ~1e-7.
TIGHT64 = dict(rtol=1e-12, atol=1e-12)


def float_dtypes(half: bool = True) -> st.SearchStrategy[torch.dtype]:
    return st.sampled_from(ALL_FLOAT_DTYPES if half else FLOAT_DTYPES)


def tolerance(dtype: torch.dtype) -> dict[str, float]:
    """rtol/atol for an output of `dtype` compared with the same computation done in
    float32 or float64 and cast to `dtype` (half precision rounds every intermediate)."""
    if dtype in HALF_DTYPES:
        return dict(rtol=2e-2, atol=2e-2) if dtype == torch.bfloat16 else dict(rtol=5e-3, atol=5e-3)
    rtol, atol = DEFAULT_TOL.get(dtype, (1e-5, 1e-8))
    return dict(rtol=rtol, atol=atol)


def assert_dtype_kept(out: Any, x: torch.Tensor, what: str) -> None:
    """out has x's dtype: a count or mask built with .float() / torch.ones() without a dtype
    quietly promotes half-precision results to float32."""
    __tracebackhide__ = True
    if not isinstance(out, torch.Tensor):
        fail(f"{what}: expected a torch.Tensor, got {type(out).__name__}")
    if out.dtype != x.dtype:
        fail(f"{what}: returned {out.dtype} for {x.dtype} input; the output keeps the input's "
             f"dtype", "a helper tensor made with torch.ones(...), torch.arange(...) or .float() "
             "without dtype=x.dtype promotes the result: build it with dtype=x.dtype")


@contextlib.contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[None]:
    """torch's default dtype set to `dtype` inside the block: torch.tensor(floats),
    torch.arange(n) / n and torch.zeros(...) without dtype= follow it; a contract that fixes
    a dtype must not."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield
    finally:
        torch.set_default_dtype(before)


# ------------------------------------------------------------------------ sizes

ODD_SIZES = (1, 2, 3, 5, 7, 11, 13)


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 0,
           max_side: int = 5) -> st.SearchStrategy[tuple[int, ...]]:
    """Shapes whose sides shrink towards 0 and 1 (empty and singleton dims come first)."""
    return st.lists(st.integers(min_side, max_side), min_size=min_dims,
                    max_size=max_dims).map(tuple)


# ------------------------------------------------------------------------ values

LARGE_SCORES = (100.0, -100.0)  # float32 attention scores a softmax must survive
LARGE_LOGITS = (1e2, 1e3, 1e4)  # logits: exp overflows float32 past ~88


def with_exact(x: torch.Tensor, values: Iterable[float] = (0.0,), every: int = 3) -> torch.Tensor:
    """A copy of x with the given exact values planted at every `every`-th element: kink
    points (relu'(0) must equal torch's 0), exact zeros (a product rule that recovers a factor
    as out / a breaks at a = 0)."""
    out = x.detach().clone()
    flat = out.view(-1)
    values = list(values)
    for n, i in enumerate(range(0, flat.numel(), every)):
        flat[i] = values[n % len(values)]
    return out.requires_grad_(x.requires_grad)


def far_from_zero(x: torch.Tensor, offset: float = 1e4) -> torch.Tensor:
    """x shifted so its mean is far from 0 with the same spread: a variance computed as
    E[x^2] - E[x]^2 in float32 loses every digit."""
    return (x.detach() + offset).requires_grad_(x.requires_grad)


def very_negative(x: torch.Tensor, shift: float = -150.0) -> torch.Tensor:
    """x + shift: a row of scores near -150, where exp underflows to 0 unless the running
    max starts at -inf (an online softmax that starts its max at 0 divides 0 by 0)."""
    return (x.detach() + shift).requires_grad_(x.requires_grad)


# ------------------------------------------------------------------------ arguments

FALSY = (0.0, 0, False)  # explicit values that `arg or default` silently replaces


class OneShot:
    """An iterable that can be iterated once, like a generator or a file: a second pass
    (len(list(x)) then a loop, or a merge list walked twice) fails with a clear message
    instead of silently seeing nothing."""

    def __init__(self, items: Iterable[Any], what: str = "the iterable argument"):
        self._items, self.what, self.used = list(items), what, False

    def __iter__(self) -> Iterator[Any]:
        if self.used:
            fail(f"{self.what} was iterated a second time; the contract says any iterable, and "
                 f"a generator or file can be read only once",
                 "read it once into a list (items = list(arg)) and work on the list")
        self.used = True
        return iter(self._items)


def assert_exact_type(value: Any, expected: type, what: str) -> None:
    """type(value) is exactly `expected`: an int, not a float, bool, numpy int or a 0-dim
    tensor (those compare equal but break code that uses the result as a size or index)."""
    __tracebackhide__ = True
    if type(value) is not expected:
        shown = f"a 0-dim tensor {value!r}" if isinstance(value, torch.Tensor) else \
            f"{type(value).__name__} {value!r}"
        fail(f"{what}: returned {shown}; the contract says {expected.__name__}",
             f"convert at the end: {expected.__name__}(...) (or .item() on a tensor)")
