"""pytest runs inside this process (the self-test's runs, watch mode's): torch stays imported
between them, which is the point (a new process pays ~3 s of imports); each run imports its
own katas.*, specs.* and solutions.* modules.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.machinery
import sys

OWN_PACKAGES = ("katas", "specs", "solutions")
# Plugins a one-file re-run never needs; unraisableexception and threadexception each force
# gc.collect() passes that cost ~0.2-0.3 s per run with torch loaded (most of a short run).
SKIPPED_PLUGINS = ("cacheprovider", "xdist", "doctest", "junitxml", "pastebin", "stepwise",
                   "setuponly", "setupplan", "unraisableexception", "threadexception")
SKIP_ARGS = tuple(arg for plugin in SKIPPED_PLUGINS for arg in ("-p", f"no:{plugin}"))


_COMPILED: dict[str, tuple[bytes, object]] = {}  # path -> (its source, its code)
_COMPILE = importlib.machinery.SourceFileLoader.source_to_code


def _compile_once(self, data, path, *args, **kwargs):
    """SourceFileLoader.source_to_code, remembering each file's newest code. Every run imports
    its spec module afresh; where no bytecode is written (PYTHONDONTWRITEBYTECODE) each import
    compiled it again, ~15% of a gallery run's CPU. An edited file's source differs, so it is
    compiled anew."""
    cached = _COMPILED.get(path)
    if cached is None or cached[0] != data or args or kwargs:
        cached = _COMPILED[path] = (data, _COMPILE(self, data, path, *args, **kwargs))
    return cached[1]


_KEPT: dict[tuple, object] = {}


def kept_across_runs(fn):
    """functools.cache for a spec's expected values that survives the fresh imports of its
    spec module (once per gallery mistake and per variant in the self-test, once per save in
    watch mode). Keyed by the function's file, its code (an edited function computes afresh)
    and its arguments. Only for values that do not depend on the kata under test."""

    @functools.wraps(fn)
    def cached(*args):
        key = (fn.__code__.co_filename, fn.__code__, args)
        if key not in _KEPT:
            _KEPT[key] = fn(*args)
        return _KEPT[key]

    return cached


def _is_own(name: str) -> bool:
    return name.split(".")[0] in OWN_PACKAGES


@contextlib.contextmanager
def nested_run():
    """Set the caller's katas.*, specs.* and solutions.* modules aside for a run, so that it
    imports its own; restore them, the import hooks and the hypothesis profile afterwards."""
    from hypothesis import settings

    saved = {n: m for n, m in sys.modules.items() if _is_own(n)}
    meta_path = list(sys.meta_path)
    loader = importlib.machinery.SourceFileLoader
    compile_before, loader.source_to_code = loader.source_to_code, _compile_once
    profile = settings.get_current_profile_name()
    for name in saved:
        del sys.modules[name]
    try:
        yield
    finally:
        for name in [n for n in sys.modules if _is_own(n)]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.meta_path[:] = meta_path
        loader.source_to_code = compile_before
        settings.load_profile(profile)
