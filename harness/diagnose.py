"""Hints by diagnosis: when a learner's output differs from the expected one, re-run the
kata's gallery of known mistakes on the very inputs of that call and name the mistake whose
output the learner's equals.

    explain(actual) -> "your output equals a known mistake: ... \\n  fix: ..." or None

harness.guard records the last outermost calls into kata code (inputs as they were before
the call, and the result). `explain` finds the call whose result holds `actual`, loads each
gallery module of that kata that redefines the function (or the class of the method), runs
it on copies of the same inputs and compares. Modules are rebuilt from their constructor
arguments and the learner's state_dict; kata objects passed in (a cache) were deep-copied
before the call, so diagnosis never touches the learner's own objects. Any error in an
alternative just means "no match".
"""

from __future__ import annotations

import importlib.util
import re
import sys
import weakref
from pathlib import Path
from typing import Any

import torch

from harness import guard
from harness.curriculum import ROOT

ENABLED = True  # the plugin's --no-diagnose (used by the self-test's gallery runs) clears it
_LOADED: dict[Path, Any] = {}
_PLAIN = (int, float, bool, str, bytes, type(None), torch.dtype, torch.device)


def reset(enabled: bool = True) -> None:
    """Forget loaded gallery modules (they may import a previous run's solutions)."""
    global ENABLED
    ENABLED = enabled
    _LOADED.clear()
    for name in [n for n in sys.modules if n.startswith("_katas_gallery.")]:
        del sys.modules[name]


def _gallery_dir(module: str) -> Path | None:
    parts = module.split(".")
    if len(parts) != 3 or parts[0] not in ("katas", "solutions"):
        return None
    return ROOT / "solutions" / "gallery" / parts[1] / parts[2]


def _load(path: Path) -> Any:
    if path not in _LOADED:
        name = f"_katas_gallery.{path.parent.parent.name}.{path.parent.name}.{path.stem}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except Exception:
            module = None
        _LOADED[path] = module
    return _LOADED[path]


def _find(result: Any, actual: torch.Tensor, depth: int = 0) -> tuple | None:
    """The index path of `actual` inside `result` (weak references, compared by identity),
    or None."""
    if isinstance(result, weakref.ref):
        return () if result() is actual else None
    if depth < 3 and isinstance(result, (tuple, list)):
        for i, item in enumerate(result):
            if (path := _find(item, actual, depth + 1)) is not None:
                return (i,) + path
    return None


def _plain_inputs(obj: Any, depth: int = 0) -> bool:
    """Only tensors, numbers, strings, copied kata objects and containers of them: safe to
    pass to other code."""
    if isinstance(obj, (torch.Tensor, *_PLAIN)):
        return True
    if isinstance(obj, guard.Uncopied):
        return False
    if guard._own(type(obj)) and not isinstance(obj, torch.nn.Module) and not callable(obj):
        return True  # a kata object (a cache): the record holds a deep copy of it
    if depth < 4 and isinstance(obj, (list, tuple)):
        return all(_plain_inputs(item, depth + 1) for item in obj)
    if depth < 4 and isinstance(obj, dict):
        return all(_plain_inputs(item, depth + 1) for item in obj.values())
    return False


def _defines(module: Any, obj: Any) -> bool:
    return getattr(obj, "__module__", None) == module.__name__


def _alternative(module: Any, record: guard.Record, instance: Any):
    """A callable computing the record's call the way the gallery module does, or None."""
    if record.owner is None:
        fn = getattr(module, record.fn.__name__, None)
        return fn if callable(fn) and _defines(module, fn) else None
    cls = getattr(module, record.owner.__name__, None)
    if not isinstance(cls, type) or not _defines(module, cls):
        return None
    method = record.name.rpartition(".")[2]
    if issubclass(cls, torch.autograd.Function):
        return cls.apply if method == "forward" else None
    if not isinstance(instance, torch.nn.Module) or not hasattr(instance, "_katas_init"):
        return None
    args, kwargs = instance._katas_init
    if not (_plain_inputs(args) and _plain_inputs(kwargs)):
        return None
    rebuilt = cls(*args, **kwargs)
    rebuilt.load_state_dict(instance.state_dict())
    rebuilt.train(instance.training)
    return getattr(rebuilt, method)


def _equal(got: Any, actual: Any) -> bool:
    if not (isinstance(got, torch.Tensor) and isinstance(actual, torch.Tensor)):
        return False
    if got.shape != actual.shape or got.dtype != actual.dtype:
        return False
    a, g = actual.detach(), got.detach()
    if not a.is_floating_point():
        return torch.equal(a, g)
    return bool(torch.allclose(a.double(), g.double(), rtol=1e-4, atol=1e-6, equal_nan=True))


def _summary(module: Any) -> tuple[str, str | None]:
    """(what the mistake is, its fix) from the gallery module's docstring."""
    doc = (module.__doc__ or "").strip()
    fix = None
    match = re.search(r"^Fix:\s*(.+?)(?:\n\s*\n|\Z)", doc, flags=re.S | re.M)
    if match:
        fix = " ".join(match.group(1).split())
        doc = doc[:match.start()]
    first = " ".join(doc.split("\n\n")[0].split())
    return first, fix


def explain(actual: Any) -> str | None:
    """A hint naming the known mistake the learner's `actual` output equals, or None."""
    if not ENABLED or not isinstance(actual, torch.Tensor):
        return None
    for record in reversed(guard.RECORDS):
        path = _find(record.result, actual)
        if path is None:
            continue
        folder = _gallery_dir(record.module)
        if folder is None or not folder.is_dir() or not _plain_inputs((record.args, record.kwargs)):
            return None
        return _match(record, path, actual, sorted(folder.glob("*.py")))
    return None


def _rerun(module: Any, record: guard.Record, path: tuple) -> Any:
    """The record's call computed the way `module` does (None when it cannot be)."""
    try:
        instance = record.instance() if record.instance is not None else None
        alternative = _alternative(module, record, instance)
        if alternative is None:
            return None
        args, kwargs = guard._copy(record.args), guard._copy(record.kwargs)
        with torch.no_grad():
            got = alternative(*args, **kwargs)
        for step in path:
            got = got[step]
        return got
    except Exception:
        return None


def _match(record: guard.Record, path: tuple, actual: torch.Tensor,
           mistakes: list[Path]) -> str | None:
    """The first mistake whose output equals `actual`, skipping those that on these inputs
    equal the reference solution too (they cannot tell the learner's bug apart); None when
    `actual` itself equals the reference's output (the failure lies elsewhere)."""
    found = []
    rng = torch.get_rng_state()
    try:
        with guard.unguarded():  # alternatives run unguarded and unrecorded
            topic, name = record.module.split(".")[1:]
            reference = _load(ROOT / "solutions" / topic / f"{name}.py")
            expected = _rerun(reference, record, path) if reference is not None else None
            if _equal(expected, actual):
                return None
            for file in mistakes:
                module = _load(file)
                got = _rerun(module, record, path) if module is not None else None
                if _equal(got, actual) and not _equal(got, expected):
                    found.append(module)
    finally:
        torch.set_rng_state(rng)
    if not found:
        return None
    what, fix = _summary(found[0])
    text = f"your output equals a known mistake: {what}"
    return text + (f"\n  fix: {fix}" if fix else "")
