"""Measured budgets: FLOPs, peak bytes and time ratios, on any device.

    flops = count_flops(attention, q, k, v)
    peak = peak_bytes(attention, q, k, v)          # bytes of tensor storage allocated at once
    out, py_peak = python_peak_bytes(f, text)      # bytes of Python memory (lists, numpy)
    ratio = time_ratio(mine, reference, x)         # median time of mine / reference
    @gpu                                           # CUDA-only absolute budget; skipped on CPU

Peak bytes come from a TorchDispatchMode that sees every new tensor storage an op creates
and frees it when the storage dies, so it works on CPU (where torch keeps no memory stats).
Scratch memory inside a fused kernel is invisible to it. On CUDA, `cuda_peak_bytes` reads the
allocator instead.
"""

from __future__ import annotations

import contextlib
import signal
import statistics
import threading
import time
import tracemalloc
import types
import weakref
from dataclasses import dataclass
from typing import Any, Callable

import pytest
import torch
from torch.utils._pytree import tree_leaves
from torch.utils.flop_counter import flop_registry, sdpa_flop_count, shape_wrapper

from harness.checks import LightDispatchMode

aten = torch.ops.aten


def _mv_flop(a_shape, b_shape, *args, out_shape=None, **kwargs) -> int:
    return 2 * a_shape[0] * a_shape[1]


def _dot_flop(a_shape, b_shape, *args, out_shape=None, **kwargs) -> int:
    return 2 * a_shape[0]


def _sdpa_cpu_flop(query_shape, key_shape, value_shape, *args, out_shape=None, **kwargs) -> int:
    return sdpa_flop_count(query_shape, key_shape, value_shape)


# FlopCounterMode misses these (see ../shared/NOTES.md): mv, dot, and CPU SDPA's fused op.
EXTRA_FLOP_FORMULAS = {aten.mv: _mv_flop, aten.dot: _dot_flop, aten.vdot: _dot_flop,
                       aten._scaled_dot_product_flash_attention_for_cpu: _sdpa_cpu_flop}
FLOP_FORMULAS = {**flop_registry, **{op: shape_wrapper(f) for op, f in EXTRA_FLOP_FORMULAS.items()}}
_METADATA_OPS = {aten.is_contiguous.default, aten.is_contiguous.memory_format, aten.size.default,
                 aten.sym_size.default, aten.stride.default, aten.sym_stride.default,
                 aten.storage_offset.default, aten.sym_storage_offset.default, aten.numel.default,
                 aten.sym_numel.default, aten.dim.default, torch.ops.prim.layout.default}


class FlopCounter(LightDispatchMode):
    """FlopCounterMode's counting (torch.utils.flop_counter's formulas, the same decomposition
    rule) plus EXTRA_FLOP_FORMULAS (mv, dot, CPU attention), which FlopCounterMode does not
    count."""

    def __init__(self):
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _METADATA_OPS:
            return NotImplemented
        formula = FLOP_FORMULAS.get(func.overloadpacket)
        if formula is None and func is not torch.ops.prim.device.default:
            with self:
                result = func.decompose(*args, **kwargs)
            if result is not NotImplemented:
                return result
        out = func(*args, **kwargs)
        if formula is not None:
            self.flops += formula(*args, **kwargs, out_val=out)
        return out


def count_flops(fn: Callable, *args: Any, **kwargs: Any) -> int:
    """Matmul-class FLOPs (2 per multiply-add) of fn(*args, **kwargs), as FlopCounterMode counts
    them: mm, bmm, addmm, convolutions, the attention ops, plus mv, dot and CPU SDPA.
    Elementwise ops count 0."""
    with FlopCounter() as counter:
        fn(*args, **kwargs)
    return counter.flops


@dataclass(frozen=True)
class Allocation:
    """A tensor storage created by an op (views and in-place results are not allocations)."""
    shape: tuple[int, ...]
    dtype: torch.dtype
    nbytes: int
    op: str

    def __str__(self) -> str:
        return f"{self.shape} {self.dtype} from aten.{self.op}"


class PeakMemory(LightDispatchMode):
    """Tracks bytes of tensor storage created inside the mode and still alive, and records
    every allocation."""

    def __init__(self):
        super().__init__()
        self.live = 0
        self.peak = 0
        self.allocations: list[Allocation] = []
        self._seen: set[int] = set()

    def _free(self, key: int, nbytes: int) -> None:
        self._seen.discard(key)
        self.live -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        inputs = {t.untyped_storage()._cdata for t in tree_leaves((args, kwargs))
                  if isinstance(t, torch.Tensor)}
        for t in tree_leaves(out):
            if not isinstance(t, torch.Tensor):
                continue
            storage = t.untyped_storage()
            key = storage._cdata
            if key in inputs or key in self._seen:  # a view or an in-place result
                continue
            self._seen.add(key)
            self.live += storage.nbytes()
            self.allocations.append(Allocation(tuple(t.shape), t.dtype, storage.nbytes(),
                                               func.overloadpacket.__name__))
            weakref.finalize(storage, self._free, key, storage.nbytes())
        self.peak = max(self.peak, self.live)
        return out


def peak_bytes(fn: Callable, *args: Any, **kwargs: Any) -> int:
    """Most bytes of tensor storage that fn allocated and held at one time (any device).
    The result's own storage counts while fn runs."""
    with torch.no_grad(), PeakMemory() as tracker:
        result = fn(*args, **kwargs)
        del result
    return tracker.peak


def python_peak_bytes(fn: Callable, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """(fn(*args, **kwargs), most bytes of Python memory it allocated at one time): lists,
    dicts, bytes, numpy arrays (tracemalloc). peak_bytes sees torch storage only."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        result = fn(*args, **kwargs)
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        if not tracing:
            tracemalloc.stop()


def held_elements(root: Any, exclude: frozenset | set = frozenset()) -> tuple[int, list[str]]:
    """What an object holds: the elements of every tensor storage reachable from root (its
    attributes, dicts, lists, tuples, sets, tensors' .grad), each storage counted once and
    whole (a view holds its whole base), and one line per storage for messages. Meta tensors
    hold nothing; storages whose key (`t.untyped_storage()._cdata`) is in `exclude` are left
    out."""
    seen, storages, found = set(), {}, []
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (type, types.ModuleType, types.FunctionType,
                                               types.BuiltinFunctionType, str, bytes)):
            continue
        seen.add(id(obj))
        if isinstance(obj, torch.Tensor):
            if obj.device.type != "meta":
                storage = obj.untyped_storage()
                key = storage._cdata
                if key not in exclude and key not in storages:
                    storages[key] = storage.nbytes() // obj.element_size()
                    found.append(f"{tuple(obj.shape)} (storage of {storages[key]})")
            if obj.grad is not None:
                stack.append(obj.grad)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())
    return sum(storages.values()), found


def allocations(fn: Callable, *args: Any, **kwargs: Any) -> list[Allocation]:
    """Every tensor storage fn created, in order, e.g. to reject any (T, T) tensor:
    [a for a in allocations(f, q, k, v) if a.shape.count(T) >= 2]."""
    with torch.no_grad(), PeakMemory() as tracker:
        fn(*args, **kwargs)
    return tracker.allocations


def cuda_peak_bytes(fn: Callable, *args: Any, **kwargs: Any) -> int:
    """Peak bytes the CUDA caching allocator handed out during fn, above what was live before."""
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    baseline = torch.cuda.memory_allocated()
    with torch.no_grad():
        fn(*args, **kwargs)
    torch.cuda.synchronize()
    return torch.cuda.max_memory_allocated() - baseline


def _time_once(fn: Callable, *args: Any, **kwargs: Any) -> float:
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    fn(*args, **kwargs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start


def median_time(fn: Callable, *args: Any, repeats: int = 7, **kwargs: Any) -> float:
    """Median wall time of fn in seconds, after one warm-up call."""
    fn(*args, **kwargs)
    return statistics.median(_time_once(fn, *args, **kwargs) for _ in range(repeats))


def time_ratio(fn: Callable, reference: Callable, *args: Any, repeats: int = 7, **kwargs: Any) -> float:
    """Median time of fn divided by the median time of reference, measured in alternating
    rounds (after one warm-up call each) in this process so machine load affects both alike."""
    fn(*args, **kwargs), reference(*args, **kwargs)
    mine, ref = [], []
    for _ in range(repeats):
        mine.append(_time_once(fn, *args, **kwargs))
        ref.append(_time_once(reference, *args, **kwargs))
    return statistics.median(mine) / max(statistics.median(ref), 1e-9)


class OverTime(BaseException):
    """Raised inside a `deadline` block that ran past its seconds (a BaseException, so that
    the code under test cannot swallow it with `except Exception`)."""


@contextlib.contextmanager
def deadline(seconds: float):
    """Stop the block with OverTime once it has run `seconds` of wall time: a budget whose
    verdict is already known past a bound need not wait for a slow solution to finish.
    SIGALRM's timer is shared with pytest-timeout: when the spec's own time limit would come
    first, the block runs under that alone; otherwise the limit's remaining time is put back
    afterwards. Without SIGALRM, or off the main thread, the block runs to its end."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    remaining, _ = signal.getitimer(signal.ITIMER_REAL)
    if 0 < remaining <= seconds:
        yield
        return

    def expire(signum, frame):
        raise OverTime(f"still running after {seconds:.2f} s")

    start = time.perf_counter()
    handler = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, handler)
        if remaining > 0:
            signal.setitimer(signal.ITIMER_REAL, max(remaining - (time.perf_counter() - start), 1e-3))


gpu = pytest.mark.gpu
"""Marks a CUDA-only absolute budget. The plugin skips it with a reason when no GPU is present."""
