"""Phase 7's shared harness: Triton kernels specced on any machine.

Without a CUDA device the plugin sets TRITON_INTERPRET=1 before triton is imported (a value
the user set is kept), so @triton.jit kernels run on CPU tensors in Triton's interpreter.
Importing this module instruments the interpreter and every launch:

    x = torch.randn(1000, device=DEVICE)            # "cpu" under the interpreter, else "cuda"
    with traffic() as t:                            # memory traffic of every launch inside
        y = add(x, x)
    t.count, t.launches[0].grid                     # launches and their grids
    t.loaded_bytes, t.stored_bytes                  # masked-off lanes are not counted
    t.loaded_from("x_ptr"), t.stored_to("out_ptr")  # per kernel argument (by its name)
    t.launches[0].args["BLOCK"]                     # its other (non-tensor) arguments

    y = kernel_does_the_work(add, x, x, what="add(x, x)")  # torch compute in the wrapper fails

- Traffic: under the interpreter every tl.load / tl.store (masked or not; tensor-descriptor
  loads lower to them too) is counted in bytes per launch and per pointer argument, counting
  only the lanes the mask keeps. Atomics are not counted. On a CUDA machine,
  `traffic(module)` runs that module's kernels in the interpreter for the block, so a
  traffic budget holds on any machine.
- Masked lanes loaded without other= read NaN under the interpreter (a large negative
  number for integers), not the interpreter's 0: on a GPU they are undefined, so a kernel
  that needs them to be 0 must say other=0.0.
- traffic(trace=True) also records which elements each program loaded and stored
  (Launch.touched), and in how many loads and stores (Launch.accesses): a spec can check
  which tile a program computed, and in steps of which block.
- new_output_on_input_device: a wrapper's output is a new tensor at every call, made on
  the inputs' device.
- nan_filled_empty(): inside the block torch.empty / empty_like / new_empty / empty_strided
  give NaN-filled float tensors, so a buffer a kernel leaves partly unwritten shows (on a GPU
  it would hold garbage; on the CPU it often holds zeros).
- Bounds: under the interpreter, a load or store whose unmasked lanes point outside every
  tensor passed to the kernel (the extent of the view passed, not its whole storage) fails
  before it touches memory, with the kernel's line: a missing mask on the ragged last block
  reads as a message, not as a crash or silent garbage.
- Errors inside a kernel under the interpreter are re-raised as KernelError naming the
  learner's kernel line (not the interpreter's frames); a stub kernel's NotImplementedError
  passes through unchanged, so the plugin reads it as "not started" (on a GPU, where the stub
  would be compiled, the launch raises it from the stub's own line instead).
- Speed: a @triton.jit function called from a kernel (tl.max, tl.sum, ...) re-patches the
  language once per launch instead of once per call, and the interpreter's int32 overflow
  asserts are off: interpreted kernels run ~2-4x faster.
- kernel_does_the_work: outside kernel launches the wrapper may only allocate (empty,
  empty_like, zeros, full, ...), take views (view, reshape of a contiguous tensor, transpose,
  slices, expand, ...) and launch; any other aten op fails, naming the op and the learner's
  line. The interpreter's own torch calls (copies to and from the host) happen inside the
  launch and are not judged.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import functools
import inspect
import linecache
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np
import torch
import triton
from triton.runtime import interpreter as _interp
from triton.runtime.errors import InterpreterError
from triton.runtime.jit import JITFunction

from harness.failures import fail, learner_line, learner_line_of, shown_path
from harness.forbid import ForbiddenCall, LightDispatchMode


def interpreting() -> bool:
    """True when @triton.jit kernels run in Triton's CPU interpreter (TRITON_INTERPRET=1)."""
    return bool(triton.knobs.runtime.interpret)


DEVICE = torch.device("cpu") if interpreting() or not torch.cuda.is_available() else torch.device("cuda")


class KernelError(RuntimeError):
    """A kernel failed while it ran in Triton's interpreter; the message names its line."""


class _OutOfBounds(Exception):
    pass


# ---------------------------------------------------------------------------- records

@dataclass
class Launch:
    """One kernel launch: its name, grid (x, y, z) and, under the interpreter, the bytes it
    loaded and stored per pointer argument (masked-off lanes not counted)."""
    kernel: str
    grid: tuple[int, ...] | None = None
    loaded: dict[str, int] = field(default_factory=dict)
    stored: dict[str, int] = field(default_factory=dict)
    counted: bool = False  # True when it ran in the interpreter (loaded/stored are real)
    args: dict[str, Any] = field(default_factory=dict)  # its non-tensor arguments: n, BLOCK, ...
    # traffic(trace=True): (kind, argument) -> program (x, y, z) -> element offsets it touched
    trace: dict | None = None

    def touched(self, kind: str, arg: str) -> dict[tuple[int, int, int], np.ndarray]:
        """traffic(trace=True) only: program -> the sorted element offsets (from the tensor's
        first element, in elements) it loaded ("load") or stored ("store") through `arg`."""
        if self.trace is None:
            raise ValueError("element offsets are recorded under traffic(trace=True) only")
        return {program: np.unique(np.concatenate(parts))
                for program, parts in self.trace.get((kind, arg), {}).items()}

    def accesses(self, kind: str, arg: str) -> dict[tuple[int, int, int], list[np.ndarray]]:
        """traffic(trace=True) only: program -> one array of element offsets per tl.load
        ("load") or tl.store ("store") through `arg`, in the order the program made them (a
        kernel that walks a row in BLOCK-wide steps makes one load per step)."""
        if self.trace is None:
            raise ValueError("element offsets are recorded under traffic(trace=True) only")
        return dict(self.trace.get((kind, arg), {}))

    @property
    def programs(self) -> int:
        return int(np.prod(self.grid)) if self.grid else 0

    @property
    def loaded_bytes(self) -> int:
        return sum(self.loaded.values())

    @property
    def stored_bytes(self) -> int:
        return sum(self.stored.values())

    def __str__(self) -> str:
        loads = ", ".join(f"{k} {v} B" for k, v in self.loaded.items()) or "nothing"
        stores = ", ".join(f"{k} {v} B" for k, v in self.stored.items()) or "nothing"
        return f"{self.kernel}[grid={self.grid}]: loaded {loads}; stored {stores}"


@dataclass(eq=False)  # identity: a nested block that saw the same launches is another record
class Traffic:
    """The launches made inside a `traffic()` block, in order."""
    launches: list[Launch] = field(default_factory=list)
    trace: bool = False  # record which elements each program touched (Launch.touched)

    @property
    def count(self) -> int:
        return len(self.launches)

    @property
    def loaded_bytes(self) -> int:
        return sum(launch.loaded_bytes for launch in self.launches)

    @property
    def stored_bytes(self) -> int:
        return sum(launch.stored_bytes for launch in self.launches)

    def loaded_from(self, arg: str) -> int:
        """Bytes loaded through the kernel argument named `arg`, over every launch."""
        return sum(launch.loaded.get(arg, 0) for launch in self.launches)

    def stored_to(self, arg: str) -> int:
        return sum(launch.stored.get(arg, 0) for launch in self.launches)

    def __str__(self) -> str:
        return "\n".join(f"  launch {i}: {launch}" for i, launch in enumerate(self.launches)) or "  no launch"


class _State:
    depth = 0  # kernel launches in progress (torch ops inside them are the launch's own)
    current: Launch | None = None
    extents: list[tuple[str, int, int]] = []  # (argument, first byte, one past the last)
    recordings: list[Traffic] = []
    patched: set[int] = set()  # modules whose language a device-function call patched this launch


_S = _State()


def _name(kernel: Any) -> str:
    fn = getattr(kernel, "fn", kernel)
    while hasattr(fn, "fn"):
        fn = fn.fn
    return getattr(fn, "__name__", repr(kernel))


# ---------------------------------------------------------------------------- instrumentation

def _extent(tensor: torch.Tensor) -> tuple[int, int]:
    start = tensor.data_ptr()
    if tensor.numel() == 0:
        return start, start
    last = sum((size - 1) * stride for size, stride in zip(tensor.shape, tensor.stride()) if size > 0)
    return start, start + (last + 1) * tensor.element_size()


def _count(kind: str, ptrs, mask) -> None:
    """Count the bytes of the unmasked lanes per argument; fail on a lane outside them all."""
    if _S.current is None:
        return
    addresses = np.asarray(ptrs.data).astype(np.uint64, copy=False)
    keep = np.broadcast_to(np.asarray(mask.data, dtype=bool), addresses.shape)
    active = addresses[keep]
    itemsize = np.dtype(_interp._get_np_dtype(ptrs.get_element_ty())).itemsize
    inside = np.zeros(active.shape, dtype=bool)
    book = _S.current.loaded if kind == "load" else _S.current.stored
    for arg, lo, hi in _S.extents:
        hit = (active >= lo) & (active + itemsize <= hi) & ~inside
        if hit.any():
            book[arg] = book.get(arg, 0) + int(hit.sum()) * itemsize
            inside |= hit
            if _S.current.trace is not None:
                program = tuple(int(i) for i in _interp.interpreter_builder.grid_idx)
                elements = ((active[hit] - lo) // itemsize).astype(np.int64)
                _S.current.trace.setdefault((kind, arg), {}).setdefault(program, []).append(elements)
    if not inside.all():
        outside = int((~inside).sum())
        verb = "tl.load read" if kind == "load" else "tl.store wrote"
        args = ", ".join(f"{a} ({(hi - lo) // itemsize} elements)" for a, lo, hi in _S.extents) or "none"
        raise _OutOfBounds(
            f"{verb} {outside} of its {active.size} unmasked lanes outside every tensor passed to "
            f"the kernel (tensor arguments: {args}). Lanes past the end of a tensor must be "
            f"masked off: mask=offsets < n on the ragged last block, other= for the loaded value.")


def _undefined(ptrs, mask):
    """What a masked-off lane loaded without other= holds: undefined on a GPU, NaN here (the
    interpreter would give 0, which hides a missing other=0.0 until the kernel runs on a GPU).
    Integers get a large negative value; bool lanes stay False."""
    if bool(np.asarray(mask.data).all()):
        return None
    element = ptrs.get_element_ty()
    np_dtype = _interp._get_np_dtype(element)
    if element == triton.language.bfloat16:
        fill = np.full(np.shape(ptrs.data), 0x7FC0, dtype=np.uint16)  # a bfloat16 NaN's bits
    elif np_dtype.kind == "f":
        fill = np.full(np.shape(ptrs.data), np.nan, dtype=np_dtype)
    elif np_dtype.kind in "iu":
        info = np.iinfo(np_dtype)
        fill = np.full(np.shape(ptrs.data), info.min // 2 + 12345 if np_dtype.kind == "i" else info.max // 2,
                       dtype=np_dtype)
    else:
        return None
    return _interp.TensorHandle(fill, element)


_original: dict[str, Any] = {}


def _install() -> None:
    if _original:
        return
    builder = _interp.InterpreterBuilder
    executor = _interp.GridExecutor
    _original.update(load=builder.create_masked_load, store=builder.create_masked_store,
                     grid=builder.set_grid_dim, init=executor._init_args_hst, call=executor.__call__,
                     irun=_interp.InterpretedFunction.run, jrun=JITFunction.run,
                     dcall=_interp.InterpretedFunction.__call__)

    # (the arguments after the mask differ between Triton versions: cache policy, eviction...)
    def create_masked_load(self, ptrs, mask, other, *rest):
        _count("load", ptrs, mask)
        if other is None:
            other = _undefined(ptrs, mask)
        return _original["load"](self, ptrs, mask, other, *rest)

    def create_masked_store(self, ptrs, value, mask, *rest):
        _count("store", ptrs, mask)
        return _original["store"](self, ptrs, value, mask, *rest)

    def set_grid_dim(self, *grid):
        if _S.current is not None:
            _S.current.grid = tuple(int(g) for g in grid)
            _S.current.counted = True
        return _original["grid"](self, *grid)

    def _init_args_hst(self, args_dev, kwargs):
        args_hst, kwargs_hst = _original["init"](self, args_dev, kwargs)
        names = list(self.arg_names)
        pairs = list(zip(names, args_hst)) + list(kwargs_hst.items())
        _S.extents = [(name, *_extent(_interp._unwrap_tensor(value))) for name, value in pairs
                      if hasattr(value, "data_ptr")]
        if _S.current is not None:
            _S.current.args.update((name, value) for name, value in pairs if not hasattr(value, "data_ptr"))
        return args_hst, kwargs_hst

    def device_call(self, *args, **kwargs):
        """A @triton.jit function called from a kernel (tl.max, tl.sum and the other reductions
        are such functions). Triton patches the whole language again on every such call
        (~3 ms, most of an interpreted softmax); its patches are never undone within a launch,
        so one per launch and module is the same."""
        key = id(self.fn.__globals__)
        if key not in _S.patched:
            _S.patched.add(key)
            return _original["dcall"](self, *args, **kwargs)
        fn = self.rewrite()
        try:
            return fn(*args, **kwargs)
        except Exception as e:
            raise InterpreterError(repr(e)) from e

    def grid_call(self, *args, **kwargs):
        __tracebackhide__ = True
        _S.patched = set()
        try:
            return _original["call"](self, *args, **kwargs)
        except InterpreterError as err:
            raise _kernel_error(self.fn, err) from None
        finally:
            _S.extents = []

    # The interpreter checks every int32 add/sub/mul for overflow by redoing it in int64 with a
    # device_assert: ~half of an interpreted matmul's time; the specs' sizes are far from 2^31.
    _interp.interpreter_builder.options = dataclasses.replace(_interp.interpreter_builder.options,
                                                              sanitize_overflow=False)
    builder.create_masked_load = create_masked_load
    builder.create_masked_store = create_masked_store
    builder.set_grid_dim = set_grid_dim
    executor._init_args_hst = _init_args_hst
    executor.__call__ = grid_call
    _interp.InterpretedFunction.run = _launching(_original["irun"])
    _interp.InterpretedFunction.__call__ = device_call
    JITFunction.run = _launching(_original["jrun"])


def _kernel_error(fn, err: BaseException) -> BaseException:
    cause = err
    while isinstance(cause, InterpreterError) and cause.__cause__ is not None:
        cause = cause.__cause__
    if isinstance(cause, NotImplementedError):
        return cause  # a stub kernel: the plugin reports "not started"
    where = learner_line_of(cause.__traceback__) or _kernel_line(fn, cause.__traceback__)
    what = str(cause) if isinstance(cause, _OutOfBounds) else f"{type(cause).__name__}: {cause}"
    return KernelError(f"kernel {_name(fn)} failed in Triton's interpreter (TRITON_INTERPRET=1)\n"
                       f"  at {where}\n  {what}")


def _kernel_line(fn, tb) -> str:
    """'file:line in kernel: source' of the innermost traceback entry in the kernel's file."""
    filename, found = getattr(getattr(fn, "__code__", None), "co_filename", None), None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            found = tb
        tb = tb.tb_next
    if found is None:
        return f"kernel {_name(fn)}"
    code = found.tb_frame.f_code
    source = linecache.getline(code.co_filename, found.tb_lineno).strip()
    return f"{shown_path(code.co_filename)}:{found.tb_lineno} in {code.co_name}: {source}"


@functools.lru_cache(maxsize=None)
def _stub_line(fn) -> int | None:
    """The line of `raise NotImplementedError` when fn's body is only that (a stub kernel)."""
    try:
        lines, first = inspect.getsourcelines(fn)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return None
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.FunctionDef) else []
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Raise):
        return None
    exc = body[0].exc
    name = exc.func if isinstance(exc, ast.Call) else exc
    return first + body[0].lineno - 1 if isinstance(name, ast.Name) and name.id == "NotImplementedError" else None


def _raise_stub(fn) -> None:
    """A compiled (GPU) launch of a stub kernel: raise its NotImplementedError from the stub's
    own line, as the interpreter would, so that the plugin reports "not started" (the Triton
    compiler would report an unsupported `raise` instead)."""
    line = _stub_line(fn)
    if line is not None:
        code = compile("\n" * (line - 1) + "raise NotImplementedError", fn.__code__.co_filename, "exec")
        exec(code, {"__name__": fn.__module__})


def _launching(run: Callable) -> Callable:
    @functools.wraps(run)
    def launch(self, *args, grid, warmup, **kwargs):
        if warmup:
            return run(self, *args, grid=grid, warmup=warmup, **kwargs)
        if isinstance(self, JITFunction):
            _raise_stub(self.fn)
        record = Launch(kernel=_name(self), grid=tuple(grid) if isinstance(grid, tuple) else None,
                        trace={} if any(r.trace for r in _S.recordings) else None)
        for recording in _S.recordings:
            recording.launches.append(record)
        outer = _S.current
        _S.depth += 1
        _S.current = record
        try:
            return run(self, *args, grid=grid, warmup=warmup, **kwargs)
        finally:
            _S.depth -= 1
            _S.current = outer
    return launch


_install()


# ---------------------------------------------------------------------------- traffic

@contextlib.contextmanager
def _interpreted(modules) -> Iterator[None]:
    """Run the @triton.jit kernels of `modules` in the interpreter for the block (on a CUDA
    machine, where they would otherwise compile): the traffic counter needs the interpreter."""
    swapped = []
    # every kata module, and Triton's own @triton.jit library (tl.cdiv, tl.max, tl.sum, ...)
    found = [m for name, m in list(sys.modules.items()) if m is not None
             and (name.startswith("triton.language") or name.split(".")[0] == "katas")]
    for module in dict.fromkeys([*modules, *found]):
        for name, value in list(vars(module).items()):
            if isinstance(value, JITFunction):
                setattr(module, name, _interp.InterpretedFunction(value.fn))
                swapped.append((module, name, value))
    was = triton.knobs.runtime.interpret
    triton.knobs.runtime.interpret = True
    try:
        yield
    finally:
        triton.knobs.runtime.interpret = was
        for module, name, value in swapped:
            setattr(module, name, value)


@contextlib.contextmanager
def traffic(*modules, trace: bool = False) -> Iterator[Traffic]:
    """Record every kernel launch inside the block (see Traffic). Bytes are counted only for
    kernels that run in the interpreter: on a CUDA machine the block runs the kernels of every
    katas.* module (and of `modules`, e.g. kata_module(add)) in the interpreter, looked up by
    module attribute: launch a kernel as kata_module(add).add_kernel[grid](...) there, not
    through a name the spec imported. trace=True also records the element offsets each program
    loads and stores (Launch.touched)."""
    record = Traffic(trace=trace)
    _S.recordings.append(record)
    try:
        with _interpreted(modules) if not interpreting() else contextlib.nullcontext():
            yield record
    finally:
        _S.recordings.remove(record)


def kata_module(fn: Callable):
    """The module that defined fn (a guarded kata function keeps its __module__)."""
    return sys.modules[getattr(fn, "__module__", None) or fn.__wrapped__.__module__]


# ---------------------------------------------------------------------------- the kernel does the work

aten = torch.ops.aten
# Allocation, views and metadata: what a wrapper may do outside its launches.
WRAPPER_OPS = frozenset({
    "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided", "zeros",
    "zeros_like", "new_zeros", "zero_", "full", "full_like", "new_full", "fill_", "ones",
    "ones_like", "new_ones", "scalar_tensor", "lift_fresh", "view", "_unsafe_view",
    "_reshape_alias", "reshape", "as_strided", "t", "transpose", "permute", "expand", "slice",
    "select", "unsqueeze", "squeeze", "detach", "alias", "unbind", "split", "split_with_sizes",
    "narrow", "unflatten", "flatten", "view_as", "expand_as", "movedim", "diagonal",
    "sym_size", "sym_stride", "sym_numel", "sym_storage_offset", "is_contiguous", "size",
    "stride", "numel", "dim", "storage_offset", "_local_scalar_dense", "record_stream",
})


class _WrapperOnly(LightDispatchMode):
    def __init__(self, what: str, allowed: frozenset[str]):
        super().__init__()
        self.what, self.allowed = what, allowed

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = func.overloadpacket.__name__ if hasattr(func, "overloadpacket") else str(func)
        if _S.depth == 0 and name not in self.allowed and func is not torch.ops.prim.device.default:
            line = learner_line(2)
            at = f"\n  at {line}" if line else ""
            raise ForbiddenCall(
                f"{self.what} computed with torch (aten.{name}) outside its kernel launch{at}\n"
                f"  the kernel must do the work: the Python wrapper may only allocate the output "
                f"(torch.empty, empty_like, zeros), take views and launch the kernel")
        return func(*args, **kwargs)


def kernel_does_the_work(fn: Callable, *args: Any, what: str, allow: tuple[str, ...] = (),
                         **kwargs: Any) -> Any:
    """fn(*args, **kwargs), failing when fn computes with torch outside its kernel launches or
    launches no kernel. `allow`: extra aten op names the contract permits in the wrapper
    (e.g. "clone" for a .contiguous() copy)."""
    __tracebackhide__ = True
    with traffic() as seen, _WrapperOnly(what, WRAPPER_OPS | set(allow)):
        result = fn(*args, **kwargs)
    if not seen.count:
        fail(f"{what} launched no Triton kernel: the contract wants the work done in a "
             f"@triton.jit kernel launched as kernel[grid](...)")
    return result


def assert_traffic(actual: int, ideal: int, *, what: str, how: str, slack: float = 1.0,
                   hint: str | None = None, report: Traffic | None = None) -> None:
    """actual <= ideal * slack bytes, else a failure stating how the ideal was computed."""
    __tracebackhide__ = True
    if actual > ideal * slack:
        bound = f"{ideal} B" if slack == 1.0 else f"{slack:g} x {ideal} B"
        shown = f"\n  launches:\n{report}" if report is not None else ""
        fail(f"{what}: moved {actual} bytes, over the budget of {bound} ({how}){shown}", hint)


def new_output_on_input_device(call: Callable[[], torch.Tensor], first: torch.Tensor, expected: torch.Tensor, *,
                               what: str, hint: str) -> None:
    """call() returns a new tensor on the inputs' device: `first` (an earlier result of the
    same shape, still equal to `expected`) is neither returned again nor overwritten (an
    output buffer kept between calls), and under a default device of meta an output made
    without device= shows there (on a GPU only for an empty output: a CPU output with
    elements already fails at its launch)."""
    __tracebackhide__ = True
    again = call()
    shared = first.numel() > 0 and again.data_ptr() == first.data_ptr()  # empty tensors may all have pointer 0
    if shared or not torch.equal(first, expected):
        fail(f"{what}: a second call with the same shape returned the first call's tensor or wrote into it; "
             f"each call returns a new tensor (an output buffer kept between calls is overwritten by the "
             f"next call)", hint)
    if not interpreting() and first.numel() > 0:
        return
    try:
        with torch.device("meta"):
            out = call()
    except Exception as err:  # a CPU launch meeting a meta output fails inside the interpreter
        if "meta" not in str(err).lower():
            raise
        out = None
    if out is None or out.device != first.device:
        fail(f"{what}: with torch.set_default_device('meta') the output was made on meta, not on the "
             f"inputs' device {first.device}: an output allocated without device= lands on the default "
             f"device (on a GPU, on the CPU)", hint)


_EMPTY = (torch.empty, torch.empty_like, torch.empty_strided, torch.Tensor.new_empty)


class _NanFilledEmpty(torch.overrides.TorchFunctionMode):
    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func in _EMPTY and isinstance(out, torch.Tensor) and out.is_floating_point() and out.device.type != "meta":
            out.fill_(float("nan"))  # the mode is off inside its own handler: no recursion
        return out


@contextlib.contextmanager
def nan_filled_empty() -> Iterator[None]:
    """torch.empty and its kin return NaN-filled float tensors inside the block (see the module
    docstring): a deterministic stand-in for the garbage an unwritten buffer holds on a GPU."""
    with _NanFilledEmpty():
        yield
