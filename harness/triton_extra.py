"""Triton, phase 7's optional extra: is it installed (new enough), and which mode it runs in.

The plugin asks before any kata is imported: without triton a phase-7 spec file is one skip
with NEEDS_TRITON (triton is not imported here: its metadata is read); without a CUDA device
kernels run in Triton's CPU interpreter.
"""

from __future__ import annotations

import importlib.util
import os

KERNELS_PHASE = 7  # Triton kernels: the phase whose specs need triton
NEEDS_TRITON = "needs triton: pip install -e '.[kernels]'"
TRITON_MIN = (3, 8)  # 3.6's interpreter fails on a loop bound given at run time (numpy 2)


def triton_version() -> tuple[int, ...] | None:
    """The installed triton's version, read from its metadata (triton is not imported)."""
    if importlib.util.find_spec("triton") is None:
        return None
    try:
        from importlib.metadata import version

        return tuple(int(part) for part in version("triton").split("+")[0].split(".")[:2])
    except (ImportError, ValueError):
        return TRITON_MIN  # a development build: assume it is recent


def triton_installed() -> bool:
    version = triton_version()
    return version is not None and version >= TRITON_MIN


def needs_triton_reason() -> str:
    version = triton_version()
    if version is None:
        return NEEDS_TRITON
    return (f"needs triton >= {'.'.join(map(str, TRITON_MIN))} ({'.'.join(map(str, version))} is installed): "
            f"pip install -U -e '.[kernels]'")


def use_triton_interpreter(environ=os.environ) -> None:
    """Triton kernels run in its CPU interpreter when no CUDA device is present. Triton reads
    TRITON_INTERPRET when a kernel is decorated, so this runs before any kata is imported;
    a value the user set (TRITON_INTERPRET=0 or 1) is kept."""
    if "TRITON_INTERPRET" in environ:
        return
    import torch

    if not torch.cuda.is_available():
        environ["TRITON_INTERPRET"] = "1"
