"""Where `import katas.topic.name` comes from.

Specs and katas always import `katas.<topic>.<name>`. The loader decides which file answers:
the learner's (katas/, the default), the reference (solutions/, with --solutions), or, for one
module, a file named explicitly (a gallery mistake or a pristine stub, used by the self-test).
Solutions import each other as `katas.*` too, so every variant runs unchanged.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

from harness import guard
from harness.curriculum import ROOT

IMPLS = ("katas", "solutions")
# (file, exception) of each kata file that failed to import, innermost first; the plugin
# reads it to report a collection error as the learner's line (see failures.import_error_text)
IMPORT_ERRORS: list[tuple[str, BaseException]] = []


class GuardingLoader(importlib.machinery.SourceFileLoader):
    """Imports a kata file, then guards its public functions and classes (harness.guard)."""

    def exec_module(self, module):
        try:
            super().exec_module(module)
        except Exception as err:
            IMPORT_ERRORS.append((self.path, err))
            raise
        guard.install(module)


def _spec(fullname: str, path: Path, package_dir: Path | None = None):
    loader = GuardingLoader(fullname, str(path))
    return importlib.util.spec_from_file_location(
        fullname, path, loader=loader,
        submodule_search_locations=[str(package_dir)] if package_dir else None)


class KataFinder(importlib.abc.MetaPathFinder):
    """Resolves `katas` and `katas.*` to files under ROOT/<impl>, or to an override file."""

    def __init__(self, impl: str = "katas", overrides: dict[str, Path] | None = None):
        if impl not in IMPLS:
            raise ValueError(f"impl must be one of {IMPLS}, not {impl!r}")
        self.impl = impl
        self.overrides = {name: Path(path) for name, path in (overrides or {}).items()}

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "katas" and not fullname.startswith("katas."):
            return None
        if fullname in self.overrides:
            return _spec(fullname, self.overrides[fullname])
        base = ROOT / self.impl / Path(*fullname.split(".")[1:])
        if base.is_dir():
            return _spec(fullname, base / "__init__.py", package_dir=base)
        if base.with_suffix(".py").is_file():
            return _spec(fullname, base.with_suffix(".py"))
        return None


def _is_kata_module(name: str) -> bool:
    return name == "katas" or name.startswith("katas.")


def install(impl: str = "katas", overrides: dict[str, Path] | None = None) -> KataFinder:
    """Make `katas.*` imports resolve as described, ahead of any finder installed before
    (runs nest in the self-test); modules imported under the old rule are forgotten."""
    finder = KataFinder(impl, overrides)
    sys.meta_path.insert(0, finder)
    for name in [n for n in sys.modules if _is_kata_module(n)]:
        del sys.modules[name]
    return finder


def uninstall(finder: KataFinder) -> None:
    sys.meta_path[:] = [f for f in sys.meta_path if f is not finder]


def use_solutions() -> None:
    """Run the reference solutions outside pytest: `katas.*` then imports solutions/."""
    install("solutions")
