"""Checks every spec shares. Each failure says what differed, where, and a hint.

    assert_close(actual, expected, what="causal_mask(5)", hint="...")
    assert_raises(ValueError, broadcast_shapes, (2,), (3,), contract="...", mentions=(2, 3))
    assert_grads_match(fn, reference, x, w)          # a manual backward vs autograd
    gradcheck(MyFunction.apply, x, y)                # float64 finite differences
    with forbid(F.one_hot): one_hot(idx, 5)          # "you called torch.nn.functional.one_hot"
    with unchanged(x, idx): gather_rows(x, idx)      # inputs not modified in place
    with no_torch("Value", "plain floats only"): ...  # code the contract wants torch-free
    on_meta(f, x_meta, what="f(x)", hint="...")      # helper tensors built on x's device
    assert_on_input_device(lambda: f(x), lambda: f(x_meta), what=..., hint=...)  # cheaper
    non_contiguous(x)                                # same values, a layout .view cannot merge
    assert_parameters_like(mine, nn.Linear(3, 4), what="Linear(3, 4)")  # weights are trained

When values differ, assert_close asks harness.diagnose whether the learner's output equals a
known mistake of the kata's gallery on the same inputs, and then gives that mistake's hint
instead of the spec's. Every call into kata code is also guarded (harness.guard): inputs
written in place and leaked global settings fail at the call itself.
"""

from __future__ import annotations

import contextlib
import re
import sys
from typing import Any, Callable, Iterable

import torch
from torch.autograd.gradcheck import GradcheckError
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves

from harness import diagnose
from harness.failures import SpecFailure, fail as _fail, learner_line_of
from harness.forbid import ForbiddenCall, LightDispatchMode, forbid  # noqa: F401 (re-exported)

# Tolerances when a spec states none: float32 arithmetic done in a different order than the
# reference (a hand-written sum vs a fused kernel) stays well inside these.
DEFAULT_TOL = {
    torch.float64: (1e-7, 1e-9),
    torch.float32: (1e-4, 1e-5),
    torch.bfloat16: (1.6e-2, 1e-3),
    torch.float16: (1e-3, 1e-4),
}


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
        _fail(f"{what}: shape {tuple(actual.shape)}, expected {tuple(expected.shape)}",
              _diagnosed(actual, hint))
    if check_dtype and actual.dtype != expected.dtype:
        _fail(f"{what}: dtype {actual.dtype}, expected {expected.dtype}", _diagnosed(actual, hint))
    if actual.device != expected.device:
        _fail(f"{what}: on device {actual.device}, expected {expected.device}", hint)
    a, e = actual.detach(), expected.detach()
    if e.is_complex():  # real and imaginary parts, each with the real dtype's tolerances
        assert_close(torch.view_as_real(a.resolve_conj()), torch.view_as_real(e.resolve_conj()),
                     what=what, rtol=rtol, atol=atol, check_dtype=False, hint=hint)
        return
    exact = not e.is_floating_point()
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
        # an infinite expected value is met only by the same infinity: rtol * inf would
        # otherwise let any finite value through
        within = e64.isfinite() & (diff <= atol_ + rtol_ * e64.abs())
        bad = ~(both_nan | same_inf | within)
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
    _fail(f"{what}: {n_bad} of {e.numel()} values differ; {detail}", _diagnosed(actual, hint))


def _diagnosed(actual: Any, hint: str | None) -> str | None:
    """The gallery mistake `actual` equals, if any (harness.diagnose); else the spec's hint."""
    try:
        return diagnose.explain(actual) or hint
    except Exception:  # diagnosis is a courtesy: never let it hide the real failure
        return hint


def assert_raises(exc_type: type[BaseException], fn: Callable, *args: Any, contract: str,
                  mentions: Iterable[Any] = (), what: str | None = None, hint: str | None = None,
                  **kwargs: Any) -> BaseException:
    """fn(*args, **kwargs) must raise exc_type, with every item of `mentions` (the numbers the
    contract promises) in its message. contract: the docstring's promise, quoted in every
    failure. Returns the exception. Another exception type fails as "expected ValueError
    (the contract says ...), got IndexError: ..." pointing at the learner's line; a stub's
    NotImplementedError passes through (it reads "not started")."""
    __tracebackhide__ = True
    what = what or f"{getattr(fn, '__qualname__', fn)}(...)"
    expected = exc_type.__name__
    try:
        result = fn(*args, **kwargs)
    except exc_type as err:
        text = str(err)
        missing = [repr(m) if isinstance(m, str) else str(m) for m in mentions if str(m) not in text]
        if missing:
            _fail(f"{what} raised {expected}({text!r}), but the message does not mention "
                  f"{', '.join(missing)}; the contract says: {contract}", hint)
        return err
    except (NotImplementedError, SpecFailure):
        raise
    except Exception as err:
        where = learner_line_of(err.__traceback__)
        at = f"\n  at {where}" if where else ""
        _fail(f"{what}: expected {expected} (the contract says: {contract}), got "
              f"{type(err).__name__}: {err}{at}", hint or f"check the inputs first and raise "
              f"{expected} with a message that names the offending values")
    _fail(f"{what} returned {_describe(result)} instead of raising {expected}; the contract "
          f"says: {contract}", hint)


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
        _check_strided_grad_output(fn, args, what, hint)
        return
    _fail(message + "\n  ".join(first[:12]), hint)  # outside the except: no chained traceback


def _check_strided_grad_output(fn: Callable, args: list, what: str, hint: str | None) -> None:
    """The backward gives the same gradients when grad_output is non-contiguous (gradcheck
    only ever passes contiguous ones)."""
    __tracebackhide__ = True
    leaves = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
    out = fn(*args)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,))
            if isinstance(o, torch.Tensor) and o.requires_grad]
    if not outs or not leaves:
        return
    gen = torch.Generator().manual_seed(4321)
    upstream = [torch.randn(o.shape, generator=gen, dtype=o.dtype) for o in outs]
    expected = torch.autograd.grad(outs, leaves, upstream, retain_graph=True, allow_unused=True)
    try:
        got = torch.autograd.grad(outs, leaves, [non_contiguous(g) for g in upstream],
                                  allow_unused=True)
    except RuntimeError as err:
        where = learner_line_of(err.__traceback__)
        _fail(f"{what}: the backward fails when grad_output is not contiguous (as it is behind "
              f"a transpose): {err}" + (f"\n  at {where}" if where else ""),
              "use .reshape (or .contiguous().view) on grad_output, never .view")
    for i, (g, e) in enumerate(zip(got, expected)):
        if e is not None:
            assert_close(g, e, what=f"{what} w.r.t. input {i} for a non-contiguous grad_output",
                         rtol=1e-10, atol=1e-12, hint="the layout of grad_output must not change "
                         "the gradient: .view or .as_strided on it reads the wrong elements")


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
        outs = [o for o in outs if isinstance(o, torch.Tensor) and o.requires_grad]
        # incoming gradients in a transposed, gapped layout: a hand-written backward that
        # calls .view on grad_output fails here, as it would behind a transpose in a model
        upstream = [non_contiguous(torch.randn(o.shape, generator=gen, dtype=o.dtype)) for o in outs]
        leaves = [a for a in args if isinstance(a, torch.Tensor) and a.requires_grad]
        grads = torch.autograd.grad(outs, leaves, upstream, allow_unused=True)
        return out, grads

    out, grads = run(fn)
    ref_out, ref_grads = run(reference)
    assert_close(out, ref_out, what=f"{what} (forward)", rtol=rtol, atol=atol, hint=hint)
    for i, (g, r) in enumerate(zip(grads, ref_grads)):
        if g is None:
            _fail(f"{what}: no gradient reached input {i}; is the output connected to it?", hint)
        assert_close(g, r, what=f"{what} w.r.t. input {i}", rtol=rtol, atol=atol, hint=hint)


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


class _NoTorch(TorchFunctionMode):
    def __init__(self, what: str, why: str, hint: str | None):
        super().__init__()
        self.what, self.why, self.hint = what, why, hint

    def __torch_function__(self, func, types, args=(), kwargs=None):
        __tracebackhide__ = True
        name = getattr(func, "__name__", repr(func))
        raise ForbiddenCall(f"{self.what} called torch ({name}); {self.why}"
                            + (f"\n  hint: {self.hint}" if self.hint else ""))


def no_torch(what: str, why: str, hint: str | None = None) -> contextlib.AbstractContextManager:
    """Inside, any torch call (a tensor made, even on the meta device) fails with
    '<what> called torch (<name>); <why>': for code the contract wants in plain Python."""
    return _NoTorch(what, why, hint)


# ------------------------------------------------------------------------------ devices

# a learner's line that reads tensor values: .item(), .tolist(), .cpu(), .numpy(), or a
# Python number made from a tensor (float(x), not float("-inf"))
_READS_DATA = re.compile(r"\.(item|tolist|cpu|numpy)\(|(?<![.\w])(bool|int|float)\((?![\"'])")


def on_meta(fn: Callable, *args: Any, what: str, hint: str, **kwargs: Any) -> Any:
    """fn(*args, **kwargs) with its inputs on the meta device, a stand-in for a GPU (shape,
    dtype and device, no data): the result, or None when the meta device cannot judge.

    A helper tensor built without device= meets a meta input and torch names both devices,
    or a result copied into a CPU buffer cannot leave meta: that fails with `hint`. Code that
    reads values (.item(), .tolist(), a Python branch on a tensor) cannot run on meta, which
    says nothing about devices: then None. A stub's bare NotImplementedError passes through.
    """
    __tracebackhide__ = True
    try:
        return fn(*args, **kwargs)
    except (RuntimeError, NotImplementedError) as err:
        text = str(err)
        if "meta" not in text.lower():
            raise  # the stub's bare raise (not started), or the learner's own error
        line = learner_line_of(err.__traceback__) or ""
        reads_data = bool(_READS_DATA.search(line))
        mismatch = "device" in text or ("copy out of meta" in text and not reads_data)
        if not mismatch:
            return None
        raise SpecFailure(f"{what} raised {type(err).__name__} on the meta device: "
                          f"{text.splitlines()[0]}" + (f"\n  at {line}" if line else "")
                          + f"\n  hint: {hint}") from None


class _MixedDevices(TorchFunctionMode):
    """Records the torch calls whose tensor arguments mix the meta device with another."""

    def __init__(self):
        super().__init__()
        self.mixed: list[str] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        devices = {t.device.type for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)}
        if "meta" in devices and len(devices) > 1:
            self.mixed.append(getattr(func, "__name__", repr(func)))
        return func(*args, **kwargs)


def assert_on_input_device(cpu_call: Callable[[], Any], meta_call: Callable[[], Any], *,
                           what: str, hint: str) -> None:
    """The code builds its helper tensors on its inputs' device, as it must to run on a GPU.

    cpu_call() does the work on CPU inputs, meta_call() the same work on meta inputs (and a
    module moved to meta). A cheap probe first: cpu_call() with the default device set to
    meta, so a helper made without device= lands on meta, and every torch call mixing it with
    the CPU inputs is recorded; its tensor outputs must stay on the CPU. Only when the probe
    finds something is meta_call() judged with on_meta (as on a GPU, a 0-dim CPU helper is
    allowed there), and its outputs must be on meta: the first meta op of a process costs
    ~0.3 s (torch's meta registrations), which correct code never pays this way. The probe
    cannot see a helper made with an explicit device="cpu"; use on_meta alone where that
    matters.
    """
    __tracebackhide__ = True
    probe = _MixedDevices()
    try:
        with torch.device("meta"), probe:
            out = cpu_call()
        if not probe.mixed and all(t.device.type == "cpu" for t in tree_leaves(out)
                                   if isinstance(t, torch.Tensor)):
            return
    except (RuntimeError, NotImplementedError) as err:
        if "meta" not in str(err).lower():
            raise
    _judge_on_meta(meta_call, what, hint)


def assert_kept_state_follows_the_device(meta_call: Callable[[], Any], code: Any, *objs: Any,
                                         what: str, hint: str) -> None:
    """After CPU calls of kata `code` (and of modules `objs`), whatever it kept between calls
    (kept_between_calls: a causal mask in a module-level dict keyed by shape, a table on the
    module as a plain attribute) must not be reused on another device: meta_call() repeats
    the calls with meta inputs (or `objs` moved with .to('meta')) and is judged as on a GPU
    (on_meta; outputs on meta). Free for code that keeps nothing, which the probe of
    assert_on_input_device cannot tell from code that keeps something."""
    __tracebackhide__ = True
    if kept_between_calls(code, *objs):
        _judge_on_meta(meta_call, what, hint)


def _judge_on_meta(meta_call: Callable[[], Any], what: str, hint: str) -> None:
    __tracebackhide__ = True
    out = on_meta(meta_call, what=what, hint=hint)
    wrong = [tuple(t.shape) for t in tree_leaves(out) if isinstance(t, torch.Tensor) and t.device.type != "meta"]
    if out is not None and wrong:
        _fail(f"{what}: outputs of shapes {wrong} are not on the inputs' device (meta)", hint)


# ------------------------------------------------------------------------------ modules

def assert_parameters_like(mine: torch.nn.Module, reference: torch.nn.Module | dict, *, what: str,
                           like: str | None = None, hint: str | None = None) -> None:
    """`mine` has the same named_parameters() as `reference`: the same names, each an
    nn.Parameter of the same shape whose requires_grad is the reference's. `reference` is a
    module (torch's, or the kata's reference) or, where a spec has none, a dict of the
    expected parameter names to shapes (all trainable); `like` names it in messages. A weight
    registered as a buffer, or kept as a plain tensor attribute, loads from a state_dict and
    computes the right forward, but optimizers (which see only module.parameters()) never
    train it: this check is what catches it."""
    __tracebackhide__ = True
    if isinstance(reference, torch.nn.Module):
        expected = {n: (tuple(p.shape), p.requires_grad)
                    for n, p in reference.named_parameters(remove_duplicate=False)}
        torch_module = type(reference).__module__.startswith("torch.nn")
        like = like or ("nn." if torch_module else "") + type(reference).__name__
    else:
        expected = {n: (tuple(shape), True) for n, shape in reference.items()}
        like = like or "the reference"
    params = dict(mine.named_parameters(remove_duplicate=False))  # a tied weight under each name
    if sorted(params) != sorted(expected):
        buffers = dict(mine.named_buffers())
        missing = sorted(set(expected) - set(params))
        extra = sorted(set(params) - set(expected))
        as_buffer = [n for n in missing if n in buffers]
        as_plain = [n for n in missing if n not in buffers and isinstance(_attr(mine, n), torch.Tensor)]
        detail = []
        if as_buffer:
            detail.append(f"{', '.join(as_buffer[:6])}{' ...' if len(as_buffer) > 6 else ''} "
                          f"{'is a buffer' if len(as_buffer) == 1 else 'are buffers'}")
        if as_plain:
            detail.append(f"{', '.join(as_plain[:6])}{' ...' if len(as_plain) > 6 else ''} "
                          f"{'is a plain tensor attribute' if len(as_plain) == 1 else 'are plain tensor attributes'}")
        if extra:
            detail.append(f"{', '.join(extra[:6])}{' ...' if len(extra) > 6 else ''} should not be "
                          f"{'a parameter' if len(extra) == 1 else 'parameters'}")
        def names(keys: list) -> str:
            return f"{keys[:8]}{' ...' if len(keys) > 8 else ''}"
        _fail(f"{what}.named_parameters() differ from those of {like}: missing {names(missing)}, unexpected "
              f"{names(extra)}" + (f" ({'; '.join(detail)})" if detail else ""),
              hint or "register every weight as nn.Parameter (self.weight = nn.Parameter(...)), "
              "with the reference's names; a buffer or a plain tensor loads from the state_dict "
              "and gives the right forward, but it is never trained: optimizers see only "
              "module.parameters(). Running statistics and other state stay buffers")
    for name, (shape, requires_grad) in expected.items():
        p = params[name]
        if not isinstance(p, torch.nn.Parameter) or p.requires_grad != requires_grad:
            _fail(f"{what}.{name}: {type(p).__name__} with requires_grad={p.requires_grad}, expected "
                  f"an nn.Parameter with requires_grad={requires_grad} as in {like}",
                  hint or "wrap the tensor in nn.Parameter and leave requires_grad alone")
        if tuple(p.shape) != shape:
            _fail(f"{what}.{name}: shape {tuple(p.shape)}, expected {shape} as in {like}", hint)


def _attr(module: torch.nn.Module, dotted: str) -> Any:
    obj: Any = module
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


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

def tensors_held(obj: Any, depth: int = 3) -> list[torch.Tensor]:
    """Every tensor `obj` holds, `depth` levels down through lists, tuples, dict values and
    object attributes (a learner's cache object, whatever it keeps its buffers in)."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    if depth == 0:
        return []
    if isinstance(obj, (list, tuple)):
        parts = obj
    elif isinstance(obj, dict):
        parts = obj.values()
    elif hasattr(obj, "__dict__"):
        parts = vars(obj).values()
    else:
        return []
    return [t for part in list(parts) for t in tensors_held(part, depth - 1)]


_MODULE_BOOKKEEPING = ("_parameters", "_buffers", "_modules")  # .to() moves what these hold


def kept_between_calls(code: Any, *objs: Any) -> list:
    """What kata code keeps between calls, where a later call on another device or dtype would
    reuse it: tensors in plain attributes of `objs` and of their submodules (parameters and
    buffers are left out: .to() moves those), tensors in dicts and lists at the top level of
    the module that defines `code` (a kata function or class: a mask cache keyed by shape
    only), and functools caches there holding entries (an lru_cache'd mask maker). Empty for
    code that keeps nothing, so a spec reruns a call on the meta device only when there is
    something to judge (the first meta op of a process costs ~0.3 s)."""
    kept: list = []
    for obj in objs:
        for part in obj.modules() if isinstance(obj, torch.nn.Module) else [obj]:
            kept += [t for name, value in getattr(part, "__dict__", {}).items()
                     if name not in _MODULE_BOOKKEEPING for t in tensors_held(value, 1)]
    top_level = vars(sys.modules[code.__module__])
    kept += [t for name, value in top_level.items() if not name.startswith("__")
             and isinstance(value, (dict, list)) for t in tensors_held(value, 2)]
    kept += [f for f in top_level.values() if callable(getattr(f, "cache_info", None)) and f.cache_info().currsize]
    return kept


def non_contiguous(x: torch.Tensor) -> torch.Tensor:
    """A copy of `x` with the same values in a layout that `.view` cannot merge: the storage
    holds the dims in reverse order (a transpose of every pair) with a gap after each
    element. `x.view(-1, C)`, `x.view(B, H, T, D)` from (B, T, C) and `.view(-1)` all raise
    on it unless at most one dim is larger than 1. requires_grad is carried over."""
    if x.dim() == 0:
        return x.detach().clone().requires_grad_(x.requires_grad)
    order = list(reversed(range(x.dim())))
    storage = torch.empty(*(x.shape[d] for d in order), 2, dtype=x.dtype, device=x.device)
    holder = storage[..., 0].permute(*order)
    with torch.no_grad():
        holder.copy_(x)
    assert x.numel() <= 1 or not holder.is_contiguous()
    return holder.requires_grad_(x.requires_grad)


def randn(*shape: int, seed: int = 0, dtype: torch.dtype = torch.float32, **kwargs) -> torch.Tensor:
    """A normal tensor drawn from its own seeded generator (independent of global state)."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=gen, dtype=dtype, **kwargs)
