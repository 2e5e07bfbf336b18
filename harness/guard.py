"""Every call from a spec into kata code is guarded: inputs and global state are checked the
moment the call returns, so an in-place write or a leaked setting is the FIRST failure
reported, whichever spec meets it, and it names the function.

The loader calls `install(module)` on every kata module it imports (learner file, solution,
gallery mistake or stub): public functions are replaced by guarded wrappers and the public
methods of public classes are wrapped in place. Only the outermost call is checked (kata
code calling kata code runs straight through). A guarded call:

- snapshots every tensor argument (also inside lists, tuples and dicts) before the call and
  fails if one was written in place (its version counter moved or its values changed);
  functions whose names end in `_` (xavier_uniform_, clip_grad_norm_) modify by contract
  and are not checked;
- fails if grad mode, the default dtype, the deterministic-algorithms flag, anomaly
  detection or the thread count differ after the call, restoring them first;
- records (function, inputs, result) of the last few calls, so that a later value
  mismatch can be diagnosed against the kata's gallery of known mistakes (harness.diagnose).

Snapshots are taken with every torch-function and dispatch mode switched off, so FLOP
counters, peak-memory trackers and forbid() never see them.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import threading
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch.utils._python_dispatch import _disable_current_modes

from harness.failures import fail

_CLONE_LIMIT = 1 << 22  # elements; larger tensors are checked by version counter only
_RECORD_LIMIT = 1 << 20  # elements kept per recorded call
_KEEP = 6  # recorded calls kept for diagnosis
_MARK = "__katas_guarded__"

_local = threading.local()


@dataclass
class Record:
    """One outermost call into kata code, for diagnosis (harness.diagnose)."""
    fn: Callable  # the unwrapped function or method
    owner: type | None  # the class a method belongs to
    name: str  # as shown to the learner: "softmax", "KVCache.update"
    module: str  # the kata module that defined it, "katas.losses.softmax"
    args: tuple  # copies of the arguments as they were before the call
    kwargs: dict
    result: Any  # the result, with every tensor held by a weak reference
    instance: Any = None  # a weak reference to the module whose method was called

# Records hold results and modules weakly: keeping them alive would change what a spec's
# memory budget sees (a cache's old outputs, a module's parameters).


RECORDS: list[Record] = []
# (module, name) of kata functions that ran into the spec timeout: later specs that call one
# fail at once with "not run: ... hung" instead of waiting out the timeout again.
HUNG: dict[tuple[str, str], str] = {}


class Hung(AssertionError):
    """A spec called a kata function that hung in an earlier spec of this run."""


def _is_timeout(err: BaseException) -> bool:
    return type(err).__name__ == "Failed" and str(err).startswith("Timeout")


def clear_records() -> None:
    RECORDS.clear()


# ------------------------------------------------------------------------ global state

def _deterministic() -> tuple[bool, bool]:
    return (torch.are_deterministic_algorithms_enabled(),
            torch.is_deterministic_algorithms_warn_only_enabled())


# (what, read, restore, fix) for each process-wide setting kata code must leave alone.
SETTINGS = (
    ("gradients enabled", torch.is_grad_enabled, torch.set_grad_enabled,
     "use `with torch.no_grad():` around the work instead of torch.set_grad_enabled(False) "
     "or torch.no_grad().__enter__(): the block restores the setting when it ends"),
    ("the default dtype", torch.get_default_dtype, torch.set_default_dtype,
     "pass dtype= to the tensors you create instead of changing torch's default dtype"),
    ("deterministic algorithms", _deterministic,
     lambda v: torch.use_deterministic_algorithms(v[0], warn_only=v[1]),
     "do not change torch.use_deterministic_algorithms inside a kata"),
    ("anomaly detection", torch.is_anomaly_enabled, torch.set_anomaly_enabled,
     "use `with torch.autograd.detect_anomaly():` if you need it, so it ends with the block"),
    ("the torch thread count", torch.get_num_threads, torch.set_num_threads,
     "do not call torch.set_num_threads inside a kata"),
)


def read_state() -> tuple:
    return tuple(read() for _, read, _, _ in SETTINGS)


def restore_state(saved: tuple) -> list[tuple[str, Any, Any, str]]:
    """Put every setting back as saved; returns (what, before, after, fix) for those that
    had changed."""
    changed = []
    for (what, read, write, fix), before in zip(SETTINGS, saved):
        after = read()
        if after != before:
            write(before)
            changed.append((what, before, after, fix))
    return changed


def state_failure(name: str, changed: list, raised: BaseException | None = None) -> None:
    __tracebackhide__ = True
    what, before, after, fix = changed[0]
    how = "after it returned" if raised is None else f"when it raised {type(raised).__name__}"
    paths = "" if raised is None else ", on error paths too"
    fail(f"{name} left {what} = {after!r} {how} (it was {before!r} before the call): kata "
         f"code must not change torch's global settings{paths}", fix)


# ------------------------------------------------------------------------ inputs

def _walk(obj: Any, path: tuple, depth: int = 0):
    """(path, tensor) for every tensor in obj, looking into lists, tuples and dicts only
    (never into iterators, which would be consumed)."""
    if isinstance(obj, torch.Tensor):
        yield path, obj
    elif depth < 4 and isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _walk(item, path + (i,), depth + 1)
    elif depth < 4 and isinstance(obj, dict):
        for key, item in obj.items():
            yield from _walk(item, path + (key,), depth + 1)


class Uncopied:
    """Stands in a recorded call for an argument that could not be copied."""


def _copy(obj: Any, depth: int = 0) -> Any:
    """obj with every tensor replaced by a detached clone (structure kept), and kata objects
    other than modules (a cache, a config) deep-copied, so that diagnosis can re-run the call
    without touching the learner's objects."""
    if _own(type(obj)) and not isinstance(obj, (torch.nn.Module, type)) and not callable(obj):
        try:
            return copy.deepcopy(obj)
        except Exception:
            return Uncopied()
    if isinstance(obj, torch.Tensor):
        if obj.numel() > _CLONE_LIMIT or obj.device.type == "meta" or obj.is_sparse:
            return None
        return obj.detach().clone()
    if depth < 4 and isinstance(obj, (list, tuple)) and not hasattr(obj, "_fields"):
        return type(obj)(_copy(item, depth + 1) for item in obj)
    if depth < 4 and isinstance(obj, dict):
        return {key: _copy(item, depth + 1) for key, item in obj.items()}
    return obj


def _weak(obj: Any, depth: int = 0) -> Any:
    """obj with tensors (and modules) replaced by weak references, structure kept."""
    if isinstance(obj, (torch.Tensor, torch.nn.Module)):
        return weakref.ref(obj)
    if depth < 3 and isinstance(obj, (list, tuple)):
        return tuple(_weak(item, depth + 1) for item in obj)
    return None


def _version(t: torch.Tensor) -> int | None:
    try:
        return t._version
    except RuntimeError:  # inference tensors keep no version counter
        return None


def _same(t: torch.Tensor, copy: torch.Tensor | None) -> bool:
    if copy is None:
        return True
    if t.shape != copy.shape or t.dtype != copy.dtype:
        return False
    a = t.detach()
    if a.is_floating_point() or a.is_complex():
        return bool(((a == copy) | (a.isnan() & copy.isnan())).all())
    return torch.equal(a, copy)


class _Snapshot:
    def __init__(self, args: tuple, kwargs: dict):
        with _quiet():
            self.entries = [(path, t, _version(t)) for path, t in _walk((args, kwargs), ())]
            self.args, self.kwargs = _copy(args), _copy(kwargs) if kwargs else {}

    def copy_at(self, path: tuple) -> torch.Tensor | None:
        obj: Any = (self.args, self.kwargs)
        for step in path:
            try:
                obj = obj[step]
            except (IndexError, KeyError, TypeError):
                return None
        return obj if isinstance(obj, torch.Tensor) else None

    def first_written(self) -> tuple | None:
        """The path of the first input that was written in place, or None."""
        with _quiet():
            for path, t, version in self.entries:
                moved = version is not None and _version(t) != version
                if moved or not _same(t, self.copy_at(path)):
                    return path
        return None

    def small(self) -> bool:
        return sum(t.numel() for _, t, _ in self.entries) <= _RECORD_LIMIT


class _quiet:
    """No torch-function or dispatch mode, no autograd: the harness's own bookkeeping."""

    def __enter__(self):
        self._stack = [torch._C.DisableTorchFunction(), _disable_current_modes(), torch.no_grad()]
        for ctx in self._stack:
            ctx.__enter__()

    def __exit__(self, *exc):
        for ctx in reversed(self._stack):
            ctx.__exit__(*exc)


def _label(fn: Callable, path: tuple, skip_self: bool) -> str:
    """('args', 0, 2) -> 'batch[2]' using fn's parameter names."""
    where, index, *rest = path
    name = str(index)
    try:
        params = [p for p in inspect.signature(fn).parameters.values()]
        if skip_self:
            params = params[1:]
        if where == 0 and isinstance(index, int):
            positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            if index < len(positional):
                name = positional[index].name
            elif any(p.kind == p.VAR_POSITIONAL for p in params):
                star = next(p for p in params if p.kind == p.VAR_POSITIONAL)
                name = f"{star.name}[{index - len(positional)}]"
    except (TypeError, ValueError):
        pass
    return name + "".join(f"[{step!r}]" for step in rest)


# ------------------------------------------------------------------------ wrapping

def _depth() -> int:
    return getattr(_local, "depth", 0)


@contextlib.contextmanager
def unguarded():
    """Kata calls inside run straight through: no checks, no records (a measurement that
    must see only the kata's own work, diagnosis re-running alternatives)."""
    depth = _depth()
    _local.depth = depth + 1
    try:
        yield
    finally:
        _local.depth = depth


def guarded(fn: Callable, name: str, *, module: str = "", owner: type | None = None,
            check_inputs: bool = True, skip_first: bool = False) -> Callable:
    """fn wrapped so that its outermost calls are checked as described above. skip_first:
    the first argument (self, ctx) is not an input."""
    if getattr(fn, _MARK, False):
        return fn

    @functools.wraps(fn)
    def call(*args, **kwargs):
        __tracebackhide__ = True
        if _depth():
            return fn(*args, **kwargs)
        if (module, name) in HUNG:
            raise Hung(f"not run: {name} hung in an earlier spec ({HUNG[module, name]}); "
                       f"fix the loop and run again")
        state = read_state()
        inputs = args[1:] if skip_first else args
        snapshot = _Snapshot(inputs, kwargs) if check_inputs else None
        _local.depth = 1
        try:
            result = fn(*args, **kwargs)
        except BaseException as err:
            changed = restore_state(state)
            if _is_timeout(err):
                HUNG[module, name] = str(err).splitlines()[0].strip("+ ")
            elif changed and isinstance(err, Exception):  # e.g. grad mode not put back by a `finally`
                state_failure(name, changed, raised=err)
            raise
        finally:
            _local.depth = 0
        changed = restore_state(state)
        if changed:
            state_failure(name, changed)
        if snapshot is not None:
            written = snapshot.first_written()
            if written is not None:
                label = _label(fn, written, skip_first)
                fail(f"{name} modified its input `{label}` in place; the kata's inputs must be "
                     f"left untouched", "work on new tensors: `x = x * 2` or `x = x.clamp(min=0)`, "
                     "not `x *= 2`, `x.clamp_(min=0)` or `x[mask] = 0` on an input")
            if snapshot.small():
                instance = _weak(args[0]) if skip_first and args else None
                RECORDS.append(Record(fn, owner, name, module, snapshot.args,
                                      snapshot.kwargs, _weak(result), instance))
                del RECORDS[:-_KEEP]
        return result

    setattr(call, _MARK, True)
    return call


def _own(obj: Any) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] in ("katas", "solutions")


def _wrap_class(cls: type, module: str) -> None:
    if getattr(cls, _MARK, None) is cls:
        return
    is_function = issubclass(cls, torch.autograd.Function)
    for attr, value in list(vars(cls).items()):
        if attr.startswith("_") and attr != "__init__":
            continue
        raw = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
        if not inspect.isfunction(raw):
            continue
        name = f"{cls.__name__}.{attr}"
        if attr == "__init__":
            if issubclass(cls, torch.nn.Module):
                setattr(cls, attr, _recording_init(raw))
            continue
        if isinstance(value, staticmethod):  # autograd.Function forward(ctx, ...)/backward(ctx, ...)
            first = next(iter(inspect.signature(raw).parameters), "")
            setattr(cls, attr, staticmethod(guarded(
                raw, name, module=module, owner=cls, check_inputs=not attr.endswith("_"),
                skip_first=is_function and first == "ctx")))
        elif isinstance(value, classmethod):
            continue
        else:
            setattr(cls, attr, guarded(raw, name, module=module, owner=cls,
                                       check_inputs=not attr.endswith("_"), skip_first=True))
    setattr(cls, _MARK, cls)


def _recording_init(init: Callable) -> Callable:
    """Remember a module's constructor arguments, so diagnosis can rebuild a gallery
    mistake's module with the same configuration."""
    if getattr(init, _MARK, False):
        return init

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        object.__setattr__(self, "_katas_init", (args, kwargs))

    setattr(__init__, _MARK, True)
    return __init__


def install(module: Any) -> None:
    """Guard the public functions and classes of a freshly imported kata module."""
    module_name = module.__name__
    for attr, value in list(vars(module).items()):
        if attr.startswith("_") or not _own(value):
            continue
        if inspect.isfunction(value):
            setattr(module, attr, guarded(value, value.__name__, module=module_name,
                                          check_inputs=not attr.endswith("_")))
        elif inspect.isclass(value):
            _wrap_class(value, module_name)
