"""Checks every spec shares. Each failure says what differed, where, and (when given) a hint.

    assert_close(actual, expected, what="causal_mask(5)", hint="...")
    assert_grads_match(fn, reference, x, w)          # a manual backward vs autograd
    gradcheck(MyFunction.apply, x, y)                # float64 finite differences
    with forbid(F.one_hot): one_hot(idx, 5)          # "you called torch.nn.functional.one_hot"
    with unchanged(x, idx): gather_rows(x, idx)      # inputs not modified in place
    non_contiguous(x)                                # same values, strided storage
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from typing import Any, Callable, Iterable

import torch
from torch.autograd.gradcheck import GradcheckError
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

# Tolerances when a spec states none: float32 arithmetic done in a different order than the
# reference (a hand-written sum vs a fused kernel) stays well inside these.
DEFAULT_TOL = {
    torch.float64: (1e-7, 1e-9),
    torch.float32: (1e-4, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-3),
    torch.float16: (1e-3, 1e-4),
}


class SpecFailure(AssertionError):
    """A spec failed: the message is written for the learner."""


def _fail(message: str, hint: str | None) -> None:
    __tracebackhide__ = True
    raise SpecFailure(message + (f"\n  hint: {hint}" if hint else ""))


def _describe(x: Any) -> str:
    if isinstance(x, torch.Tensor):
        return f"Tensor(shape={tuple(x.shape)}, dtype={x.dtype})"
    return f"{type(x).__name__} {x!r}"[:200]


def assert_close(actual: Any, expected: Any, *, what: str = "output", rtol: float | None = None,
                 atol: float | None = None, check_dtype: bool = True, hint: str | None = None) -> None:
    """`actual` equals `expected` within rtol/atol (exactly for bool and integer tensors).

    Tuples and lists are compared element by element. Tolerances default to DEFAULT_TOL for
    the expected dtype; NaN equals NaN, and ±inf must match exactly.
    """
    __tracebackhide__ = True
    if isinstance(expected, (tuple, list)):
        if not isinstance(actual, (tuple, list)) or len(actual) != len(expected):
            _fail(f"{what}: expected a sequence of {len(expected)} items, got {_describe(actual)}", hint)
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_close(a, e, what=f"{what}[{i}]", rtol=rtol, atol=atol, check_dtype=check_dtype, hint=hint)
        return
    if not isinstance(expected, torch.Tensor):
        if actual != expected:
            _fail(f"{what}: got {actual!r}, expected {expected!r}", hint)
        return
    if not isinstance(actual, torch.Tensor):
        _fail(f"{what}: expected a torch.Tensor, got {_describe(actual)}", hint)
    if actual.shape != expected.shape:
        _fail(f"{what}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}", hint)
    if check_dtype and actual.dtype != expected.dtype:
        _fail(f"{what}: dtype {actual.dtype}, expected {expected.dtype}", hint)
    if actual.device != expected.device:
        _fail(f"{what}: on device {actual.device}, expected {expected.device}", hint)
    a, e = actual.detach(), expected.detach()
    exact = not (e.is_floating_point() or e.is_complex())
    if exact:
        bad = a.to(e.dtype) != e
        rtol_, atol_ = 0.0, 0.0
    else:
        rtol_, atol_ = DEFAULT_TOL.get(e.dtype, (1e-5, 1e-8))
        rtol_, atol_ = (rtol if rtol is not None else rtol_), (atol if atol is not None else atol_)
        a64, e64 = a.to(torch.float64), e.to(torch.float64)
        both_nan = a64.isnan() & e64.isnan()
        same_inf = a64.isinf() & (a64 == e64)
        diff = (a64 - e64).abs()
        bad = ~(both_nan | same_inf | (diff <= atol_ + rtol_ * e64.abs()))
    if not bool(bad.any()):
        return
    n_bad = int(bad.sum())
    if exact:
        idx = tuple(int(i) for i in bad.nonzero()[0])
        detail = f"at index {idx}: got {a[idx].item()!r}, expected {e[idx].item()!r}"
    else:
        err = torch.where(bad, diff.nan_to_num(nan=float("inf")), torch.zeros_like(diff))
        flat = int(err.flatten().argmax())
        idx = tuple(int(i) for i in torch.unravel_index(torch.tensor(flat), e.shape)) if e.dim() else ()
        rel = (diff / e64.abs().clamp_min(1e-12))[idx]
        detail = (f"max abs error {diff[idx].item():.3g} (rel {rel.item():.3g}) at index {idx}: "
                  f"got {a[idx].item():.6g}, expected {e[idx].item():.6g}; "
                  f"tolerance rtol={rtol_:g}, atol={atol_:g}")
    _fail(f"{what}: {n_bad} of {e.numel()} values differ; {detail}", hint)


def assert_shape(actual: Any, shape: Iterable[int], *, what: str = "output", hint: str | None = None) -> None:
    __tracebackhide__ = True
    if not isinstance(actual, torch.Tensor):
        _fail(f"{what}: expected a torch.Tensor, got {_describe(actual)}", hint)
    if tuple(actual.shape) != tuple(shape):
        _fail(f"{what}: shape {tuple(actual.shape)}, expected {tuple(shape)}", hint)


# ------------------------------------------------------------------------------- gradients

def gradcheck(fn: Callable, *inputs: torch.Tensor, what: str = "backward", fast_mode: bool = False,
              hint: str | None = None, **kwargs) -> None:
    """torch.autograd.gradcheck in float64: the analytic backward equals finite differences.

    Floating tensors are converted to float64 and made leaves that require grad.
    """
    __tracebackhide__ = True
    args = [x.detach().to(torch.float64).requires_grad_() if isinstance(x, torch.Tensor)
            and x.is_floating_point() else x for x in inputs]
    try:
        torch.autograd.gradcheck(fn, args, fast_mode=fast_mode, **kwargs)
    except GradcheckError as err:
        first = str(err).strip().splitlines()
        message = f"{what}: gradient differs from finite differences (float64 gradcheck):\n  "
    else:
        return
    _fail(message + "\n  ".join(first[:12]), hint)  # outside the except: no chained traceback


def assert_grads_match(fn: Callable, reference: Callable, *inputs: torch.Tensor, what: str = "gradient",
                       rtol: float | None = None, atol: float | None = None, hint: str | None = None) -> None:
    """Outputs and input gradients of `fn` equal `reference`'s for a random upstream gradient."""
    __tracebackhide__ = True
    def run(f):
        args = [x.detach().clone().requires_grad_() if isinstance(x, torch.Tensor)
                and x.is_floating_point() else x for x in inputs]
        out = f(*args)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        gen = torch.Generator().manual_seed(1234)
        total = sum((o * torch.randn(o.shape, generator=gen, dtype=o.dtype)).sum()
                    for o in outs if isinstance(o, torch.Tensor) and o.requires_grad)
        leaves = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
        grads = torch.autograd.grad(total, leaves, allow_unused=True)
        return out, grads

    out, grads = run(fn)
    ref_out, ref_grads = run(reference)
    assert_close(out, ref_out, what=f"{what} (forward)", rtol=rtol, atol=atol, hint=hint)
    for i, (g, r) in enumerate(zip(grads, ref_grads)):
        if g is None:
            _fail(f"{what}: no gradient reached input {i}; is the output connected to it?", hint)
        assert_close(g, r, what=f"{what} w.r.t. input {i}", rtol=rtol, atol=atol, hint=hint)


# ------------------------------------------------------------------------------ forbidden

class ForbiddenCall(SpecFailure):
    pass


_PUBLIC_MODULES = {"torch.functional": "torch", "torch._tensor": "torch",
                   "torch._C._nn": "torch.nn.functional", "torch._C._linalg": "torch.linalg",
                   "torch._C._special": "torch.special", "torch._C._fft": "torch.fft"}


def _qualified_name(fn: Any) -> str:
    """The public name of a torch callable (torch.Tensor.softmax, not TensorBase.softmax)."""
    module = getattr(fn, "__module__", None) or ""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
    if name.startswith(("TensorBase.", "_TensorBase.")):
        return "torch.Tensor." + name.split(".", 1)[1]
    if name.startswith("_VariableFunctionsClass."):
        return "torch." + name.split(".", 1)[1]
    module = _PUBLIC_MODULES.get(module, module)
    if module == "torch.linalg" and name.startswith("linalg_"):
        name = name[len("linalg_"):]
    return f"{module}.{name}" if module else name


def _resolve(target: Any) -> tuple[Any, str, Any]:
    """(callable, public name, owning class or None) for a callable or a dotted name like
    "torch.Tensor.backward" or "torch.optim.SGD.step"."""
    if not isinstance(target, str):
        return target, _qualified_name(target), None
    parts = target.split(".")
    for split in range(len(parts) - 1, 0, -1):  # the longest importable module prefix
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        owner = None
        for attr in parts[split:]:
            owner, obj = obj, getattr(obj, attr)
        return obj, target, owner if isinstance(owner, type) else None
    raise ValueError(f"forbid: cannot resolve {target!r}")


class _ForbidFunctions(TorchFunctionMode):
    def __init__(self, banned: dict[int, str]):
        super().__init__()
        self.banned = banned

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if id(func) in self.banned:
            raise ForbiddenCall(
                f"this kata asks you to write it yourself; you called {self.banned[id(func)]}")
        return func(*args, **(kwargs or {}))


class LightDispatchMode(TorchDispatchMode):
    """A TorchDispatchMode that does not import torch._dynamo on first use (the default
    wraps __torch_dispatch__ to keep torch.compile out of it, costing ~4 s per process)."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False


class _ForbidAten(LightDispatchMode):
    def __init__(self, ops: dict[str, str]):
        super().__init__()
        self.ops = ops

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in self.ops:
            raise ForbiddenCall(
                f"this kata asks you to write it yourself; you called {self.ops[name]} "
                f"(seen as the aten op {name})")
        return func(*args, **(kwargs or {}))


_INHERITED = object()  # marks a patched method the class did not define itself


@contextlib.contextmanager
def forbid(*targets: Any, aten: dict[str, str] | Iterable[str] = ()):
    """Fail with a teaching message if the code inside calls any of `targets`.

    targets: torch callables (F.one_hot, torch.Tensor.softmax) or dotted names
    ("torch.autograd.functional.jacobian", "torch.optim.SGD.step": a method named on its
    class is replaced on that class). Torch functions are caught by a TorchFunctionMode;
    plain Python functions (which that mode never sees) by patching every alias of them in
    torch.* and katas.* modules for the duration of the block. Inside a custom
    autograd.Function's backward no TorchFunctionMode is active: only the aten level sees
    calls made there. aten: aten op names caught below every Python alias, mapped to the
    name shown in the message (e.g. {"_softmax": "a softmax built-in"}).
    """
    resolved = [_resolve(t) for t in targets]
    banned = {id(obj): name for obj, name, _ in resolved}
    aten_ops = dict(aten) if isinstance(aten, dict) else {op: f"aten.{op}" for op in aten}
    patches: list[tuple[Any, str, Any]] = []

    def patch(home: Any, attr: str, original: Any, name: str) -> None:
        def raiser(*a, **k):
            raise ForbiddenCall(f"this kata asks you to write it yourself; you called {name}")
        patches.append((home, attr, original))
        setattr(home, attr, raiser)

    python_functions = [(obj, name) for obj, name, owner in resolved
                        if isinstance(obj, type(forbid)) and owner is None]
    if python_functions:  # torch-function modes miss these: patch every alias in torch and katas
        homes = [m for n, m in list(sys.modules.items()) if m is not None and (
            n.split(".")[0] in ("torch", "katas"))]
        for obj, name in python_functions:
            for home in homes:
                for attr, value in list(getattr(home, "__dict__", {}).items()):
                    if value is obj:
                        patch(home, attr, value, name)
    for obj, name, owner in resolved:  # a method named on its class: patch the class
        if owner is not None and isinstance(obj, type(forbid)):
            attr = name.rpartition(".")[2]
            patch(owner, attr, owner.__dict__.get(attr, _INHERITED), name)
    try:
        with contextlib.ExitStack() as stack:
            if banned:
                stack.enter_context(_ForbidFunctions(banned))
            if aten_ops:
                stack.enter_context(_ForbidAten(aten_ops))
            yield
    finally:
        for home, attr, value in reversed(patches):
            if value is _INHERITED:
                delattr(home, attr)
            else:
                setattr(home, attr, value)


# ------------------------------------------------------------------------------- mutation

@contextlib.contextmanager
def unchanged(*tensors: torch.Tensor, names: Iterable[str] | None = None, hint: str | None = None):
    """The code inside must not modify these tensors (values or shape) in place."""
    __tracebackhide__ = True
    labels = list(names) if names is not None else [f"input {i}" for i in range(len(tensors))]
    before = [t.detach().clone() for t in tensors]
    versions = [t._version for t in tensors]
    yield
    for label, t, b, v in zip(labels, tensors, before, versions):
        same = t.shape == b.shape and torch.equal(t.detach(), b) if not t.is_floating_point() else (
            t.shape == b.shape and torch.allclose(t.detach(), b, equal_nan=True, rtol=0, atol=0))
        if not same or t._version != v:
            _fail(f"{label} was modified in place; this kata must leave its inputs untouched "
                  f"(work on a new tensor, e.g. x = x * 2 instead of x *= 2)", hint)


# ------------------------------------------------------------------------------ references

@contextlib.contextmanager
def mha_slow_path():
    """Run torch's nn.MultiheadAttention / nn.Transformer* references on their plain path.
    In eval mode under no_grad the fused fast path zeroes padded outputs and may drop an
    is_causal mask, so it is no fair reference for a learner's module."""
    before = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(before)


# ------------------------------------------------------------------------------ inputs

def non_contiguous(x: torch.Tensor) -> torch.Tensor:
    """A copy of `x` with the same values whose storage is strided (non-contiguous whenever
    x has more than one element). requires_grad is carried over."""
    holder = torch.empty(*x.shape, 2, dtype=x.dtype, device=x.device)[..., 0]
    with torch.no_grad():
        holder.copy_(x)
    assert x.numel() <= 1 or not holder.is_contiguous()
    return holder.requires_grad_(x.requires_grad)


def randn(*shape: int, seed: int = 0, dtype: torch.dtype = torch.float32, **kwargs) -> torch.Tensor:
    """A normal tensor drawn from its own seeded generator (independent of global state)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=gen, dtype=dtype, **kwargs)
