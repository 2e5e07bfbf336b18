"""How a spec fails: SpecFailure carries a message written for the learner, and
`learner_line()` finds the line of the learner's own code that is running now.

Kept apart from checks.py so that every harness module (forbid, guard, checks) can raise
and locate failures without importing each other.
"""

from __future__ import annotations

import linecache
import re
import sys
from pathlib import Path

from harness.curriculum import ROOT

# Module names under which learner (and reference) code runs: the loader imports every
# kata, a gallery mistake or a pristine stub as katas.<topic>.<name>; solutions import
# each other as solutions.* through star imports.
_OWN_PREFIXES = ("katas.", "solutions.")


class SpecFailure(AssertionError):
    """A spec failed: the message is written for the learner."""


def fail(message: str, hint: str | None = None) -> None:
    __tracebackhide__ = True
    raise SpecFailure(message + (f"\n  hint: {hint}" if hint else ""))


# torch's errors when an op meets two dtypes, two devices or two sizes, and what usually caused it
_MIXED_DTYPES = re.compile(r"same dtype|expected scalar type|same datatype|dtypes match|"
                           r"found dtype \w+ but expected|must have the same dtype", re.I)
_MIXED_DEVICES = re.compile(r"same device|not on the expected device|at least two devices", re.I)
_SIZE_CLASH = re.compile(r"size of tensor a \((\d+)\) must match the size of tensor b \((\d+)\)")


def mixed_operands_hint(message: str) -> str | None:
    """A hint for torch's "two dtypes (devices, sizes) met in one op" errors, else None."""
    if _MIXED_DTYPES.search(message):
        return ("two dtypes met in one op: a tensor you made without dtype= (torch.zeros, "
                "ones, arange, full, tensor, a .float()) is float32 or follows torch's default "
                "dtype; make it with dtype=x.dtype, or x.new_zeros(...) / torch.zeros_like(x)")
    if _MIXED_DEVICES.search(message):
        return ("two devices met in one op: a tensor you made without device= lives on the "
                "CPU; make it with device=x.device, or x.new_zeros(...) / torch.zeros_like(x)")
    sizes = _SIZE_CLASH.search(message)
    if sizes:
        return (f"two sizes met in one op ({sizes[1]} and {sizes[2]}): print the shapes at that line; "
                "a table, mask or buffer built once (at import, in __init__, or on a first call) "
                "has the size it was built for, not this call's: build it for this call's size")
    return None


def shown_path(filename: str) -> str:
    path = Path(filename)
    try:
        return path.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def learner_line(skip: int = 1) -> str | None:
    """'katas/x/y.py:12 in f: <source line>' for the innermost frame of kata code on the
    current stack, or None when none is running."""
    frame = sys._getframe(skip)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith(_OWN_PREFIXES):
            code = frame.f_code
            source = linecache.getline(code.co_filename, frame.f_lineno).strip()
            func = getattr(code, "co_qualname", code.co_name)
            return f"{shown_path(code.co_filename)}:{frame.f_lineno} in {func}: {source}"
        frame = frame.f_back
    return None


def learner_line_of(tb) -> str | None:
    """Like learner_line, for the innermost kata frame of a caught exception's traceback."""
    found = None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__", "").startswith(_OWN_PREFIXES):
            found = (frame.f_code, tb.tb_lineno)
        tb = tb.tb_next
    if found is None:
        return None
    code, line = found
    source = linecache.getline(code.co_filename, line).strip()
    func = getattr(code, "co_qualname", code.co_name)
    return f"{shown_path(code.co_filename)}:{line} in {func}: {source}"


def import_error_text(filename: str, err: BaseException) -> str:
    """Why a kata file does not import, the learner's line first:
    'katas/x/y.py:47: SyntaxError: invalid syntax' and the line with its caret, or
    'katas/x/y.py:3 in <module>: SIZE = undefined_name' and the exception."""
    if isinstance(err, SyntaxError) and err.lineno is not None:
        lines = [f"{shown_path(err.filename or filename)}:{err.lineno}: {type(err).__name__}: {err.msg}"]
        if err.text:
            code = err.text.rstrip("\n")
            indent = len(code) - len(code.lstrip())
            lines.append("    " + code.strip())
            if err.offset:
                lines.append("    " + " " * max(err.offset - 1 - indent, 0) + "^")
        return "\n".join(lines)
    where = learner_line_of(err.__traceback__) or shown_path(filename)
    return f"{where}\n{type(err).__name__}: {str(err)[:500]}"
