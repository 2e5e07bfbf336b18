"""Forbidden built-ins: `with forbid(F.softmax): softmax(x)` fails when the learner calls one.

A built-in is reached by many routes, and the guard closes all of them by banning the *op*,
not one Python object. Every callable torch hands the torch-function mode is reduced to a
canonical op name (`canonical_name`), and a call is refused when that name is banned:

    torch.softmax, Tensor.softmax, F.softmax, torch._C._VariableFunctions.softmax,
    torch.ops.aten.softmax (packet) and .int (overload), torch._softmax     -> "softmax"
    Tensor.tanh_, torch.tanh_ (in-place forms), Tensor.__matmul__ / __rmatmul__ -> the op
    torch._fused_rms_norm, torch.native_layer_norm, torch._thnn_fused_lstm_cell -> the op
    torch.special.expit -> "sigmoid", F.unfold / torch._C._nn.im2col -> "im2col"

Composite built-ins decompose before the dispatcher on CPU (rms_norm, lstm_cell, F.unfold,
group_norm doing a layer norm), so the function level is where they are caught. The same
canonical names are also banned at the aten level, which is the only level that sees calls
made inside a custom autograd.Function's backward (no torch-function mode runs there).
Pure-Python torch functions (torch.autograd.functional.jacobian), which no mode sees, are
replaced under every alias in torch.* and katas.* for the duration of the block; a method
named on its class ("torch.optim.SGD.step") is replaced on that class.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from typing import Any, Iterable

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from harness.failures import SpecFailure, learner_line


class ForbiddenCall(SpecFailure):
    pass


class LightDispatchMode(TorchDispatchMode):
    """A TorchDispatchMode that does not import torch._dynamo on first use (the default
    wraps __torch_dispatch__ to keep torch.compile out of it, costing ~4 s per process)."""

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False


# Different names, one computation: a ban on the key is a ban on every name mapped to it.
SYNONYMS = {
    "expit": "sigmoid", "absolute": "abs", "clip": "clamp", "multiply": "mul", "divide": "div",
    "true_divide": "div", "subtract": "sub", "negative": "neg", "concat": "cat",
    "concatenate": "cat", "swapaxes": "transpose", "swapdims": "transpose", "moveaxis": "movedim",
    "greater": "gt", "less": "lt", "greater_equal": "ge", "less_equal": "le", "not_equal": "ne",
    "ger": "outer", "fix": "trunc", "arctanh": "atanh", "arcsinh": "asinh", "arccosh": "acosh",
    "convolution": "conv", "_convolution": "conv", "conv1d": "conv", "conv2d": "conv",
    "conv3d": "conv", "slow_conv2d": "conv", "thnn_conv2d": "conv",
    "threshold": "relu", "instance_norm": "batch_norm", "group_norm": "layer_norm",
    "batch_norm_impl_index": "batch_norm", "layer_norm_impl": "layer_norm",
    "nll_loss_nd": "nll_loss", "nll_loss2d": "nll_loss", "take_along_dim": "gather",
}
# torch.nn.functional names that are a different op than the Tensor method of the same name.
_FUNCTIONAL_OPS = {"unfold": "im2col", "fold": "col2im"}
_PREFIXES = ("special_", "linalg_", "fft_", "thnn_fused_", "fused_", "native_", "cudnn_",
             "mkldnn_", "miopen_")
_BINARY_DUNDERS = {"matmul", "add", "sub", "mul", "truediv", "floordiv", "pow", "mod", "and",
                   "or", "xor", "lshift", "rshift", "div"}


def canonical_name(func: Any) -> str | None:
    """The op a torch callable computes ('softmax' for torch.ops.aten._softmax.default), or
    None for objects that are not torch callables."""
    if isinstance(func, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
        name = func.__name__.split(".")[0]
    else:
        name = getattr(func, "__name__", None)
        if not isinstance(name, str):
            return None
        module = getattr(func, "__module__", None) or ""
        if module == "torch.nn.functional" and name in _FUNCTIONAL_OPS:
            return _FUNCTIONAL_OPS[name]
    if name.startswith("__") and name.endswith("__"):
        name = name[2:-2]
        if name[:1] in ("r", "i") and name[1:] in _BINARY_DUNDERS:
            name = name[1:]
    name = name.strip("_")
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name, stripped = name[len(prefix):].strip("_"), True
    return SYNONYMS.get(name, name)


_PUBLIC_MODULES = {"torch.functional": "torch", "torch._tensor": "torch",
                   "torch._C._nn": "torch.nn.functional", "torch._C._linalg": "torch.linalg",
                   "torch._C._special": "torch.special", "torch._C._fft": "torch.fft"}


def _qualified_name(fn: Any) -> str:
    """The public name of a torch callable (torch.Tensor.softmax, not TensorBase.softmax)."""
    if isinstance(fn, torch._ops.OpOverload):
        packet = fn.overloadpacket.__name__
        return f"torch.ops.aten.{packet}" + ("" if fn._overloadname == "default" else f".{fn._overloadname}")
    if isinstance(fn, torch._ops.OpOverloadPacket):
        return f"torch.ops.aten.{fn.__name__}"
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


def _is_tensor_class(owner: Any) -> bool:
    return owner is not None and issubclass(owner, torch._C.TensorBase)


# Where torch keeps its ops. A pure-Python function elsewhere (torch.func.grad,
# torch.optim.sgd.sgd) is banned as itself, never by name: torch.func.grad is not
# torch.autograd.grad.
_OP_HOMES = ("torch", "torch.functional", "torch._tensor", "torch.nn.functional",
             "torch._C._nn", "torch._C._VariableFunctions", "torch.special", "torch._C._special",
             "torch.linalg", "torch._C._linalg", "torch.fft", "torch._C._fft", "torch._refs")


def _is_op(obj: Any) -> bool:
    if isinstance(obj, (torch._ops.OpOverload, torch._ops.OpOverloadPacket)):
        return True
    if isinstance(obj, types.FunctionType):
        return (obj.__module__ or "") in _OP_HOMES
    return callable(obj) and not isinstance(obj, type)  # builtins and method descriptors


def _refusal(shown: str, route: str | None = None) -> ForbiddenCall:
    via = f" (reached as {route})" if route and route != shown else ""
    where = learner_line()
    at = f"\n  at {where}" if where else ""
    return ForbiddenCall(f"this kata asks you to write it yourself; you called {shown}{via}{at}")


class _ForbidFunctions(TorchFunctionMode):
    """Refuses banned objects by identity and banned ops by canonical name."""

    def __init__(self, by_id: dict[int, str], by_op: dict[str, str]):
        super().__init__()
        self.by_id, self.by_op = by_id, by_op

    def __torch_function__(self, func, types, args=(), kwargs=None):
        __tracebackhide__ = True  # the learner's line is the one to show
        if id(func) in self.by_id:
            raise _refusal(self.by_id[id(func)])
        op = canonical_name(func)
        if op in self.by_op:
            raise _refusal(self.by_op[op], _qualified_name(func))
        return func(*args, **(kwargs or {}))


class _ForbidAten(LightDispatchMode):
    def __init__(self, ops: dict[str, str], by_op: dict[str, str]):
        super().__init__()
        self.ops, self.by_op = ops, by_op

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        __tracebackhide__ = True
        name = func.overloadpacket.__name__
        if name in self.ops:
            raise _refusal(self.ops[name], f"the aten op {name}")
        op = canonical_name(func)
        if op in self.by_op:
            raise _refusal(self.by_op[op], f"the aten op {name}")
        return func(*args, **(kwargs or {}))


_INHERITED = object()  # marks a patched method the class did not define itself


def banned_ops(*targets: Any) -> dict[str, str]:
    """canonical op name -> shown name, for every target that is a torch op (not a method
    named on a user class, which is banned on that class alone)."""
    ops: dict[str, str] = {}
    for obj, name, owner in map(_resolve, targets):
        if owner is not None and not _is_tensor_class(owner):
            continue
        if not _is_op(obj):
            continue
        op = canonical_name(obj)
        if op:
            ops.setdefault(op, name)
    return ops


class _AliasIndex:
    """Where each function sits in the modules of torch.* and katas.*: id of the function ->
    {(module name, attribute): module}. A scan of every torch module costs ~9 ms, too much for
    each forbid(), so modules are indexed once and again only when new or resized; the index
    is refreshed when sys.modules or the katas modules change. Entries may go stale (a
    module replaced, an attribute reassigned): each is checked against the live module."""

    def __init__(self):
        self.sizes: dict[str, tuple[Any, int]] = {}  # module name -> (module, namespace size)
        self.where: dict[int, dict[tuple[str, str], Any]] = {}  # id -> {(name, attr): module}
        self.key: tuple = ()

    def _refresh(self) -> None:
        for name, module in list(sys.modules.items()):
            if module is None or name.split(".")[0] not in ("torch", "katas"):
                continue
            namespace = getattr(module, "__dict__", {})
            if self.sizes.get(name, (None, -1)) != (module, len(namespace)):
                self.sizes[name] = (module, len(namespace))
                for attr, value in list(namespace.items()):
                    if type(value) is types.FunctionType:  # isinstance would wake deprecated proxies
                        self.where.setdefault(id(value), {})[name, attr] = module

    def update(self) -> None:
        """Index what changed since the last call (once per forbid(), not per target)."""
        key = (len(sys.modules), *(id(m) for n, m in list(sys.modules.items()) if n.startswith("katas")))
        if key != self.key:
            self._refresh()
            self.key = key

    def of(self, obj: Any) -> list[tuple[Any, str]]:
        """(module, attribute) of every place obj sits, as of the last update()."""
        return [(module, attr) for (name, attr), module in list(self.where.get(id(obj), {}).items())
                if sys.modules.get(name) is module and getattr(module, "__dict__", {}).get(attr) is obj]


_ALIASES = _AliasIndex()


@contextlib.contextmanager
def forbid(*targets: Any, aten: dict[str, str] | Iterable[str] = ()):
    """Fail with a teaching message if the code inside calls any of `targets`, by any route.

    targets: torch callables (F.one_hot, torch.Tensor.softmax) or dotted names
    ("torch.autograd.functional.jacobian", "torch.optim.SGD.step"). aten: further aten op
    names caught below every Python alias (ops a built-in reaches internally, or backward
    ops), mapped to the name shown in the message (e.g. {"_softmax": "a softmax built-in"}).
    """
    resolved = [_resolve(t) for t in targets]
    by_id = {id(obj): name for obj, name, _ in resolved}
    by_op = banned_ops(*targets)
    aten_ops = dict(aten) if isinstance(aten, dict) else {op: f"aten.{op}" for op in aten}
    patches: list[tuple[Any, str, Any]] = []

    def patch(home: Any, attr: str, original: Any, name: str) -> None:
        def raiser(*a, **k):
            __tracebackhide__ = True
            raise _refusal(name)
        patches.append((home, attr, original))
        setattr(home, attr, raiser)

    _ALIASES.update()
    for obj, name, owner in resolved:  # torch-function modes miss these: patch every alias
        if isinstance(obj, types.FunctionType) and owner is None:
            for home, attr in _ALIASES.of(obj):
                patch(home, attr, obj, name)
    for obj, name, owner in resolved:  # a method named on its class: patch the class
        if owner is not None and isinstance(obj, types.FunctionType):
            attr = name.rpartition(".")[2]
            patch(owner, attr, owner.__dict__.get(attr, _INHERITED), name)
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_ForbidFunctions(by_id, by_op))
            if aten_ops or by_op:
                stack.enter_context(_ForbidAten(aten_ops, by_op))
            yield
    finally:
        for home, attr, value in reversed(patches):
            if value is _INHERITED:
                delattr(home, attr)
            else:
                setattr(home, attr, value)
