"""One in-process run of a kata's specs, for `katas watch`, `pair` and `drill`.

The process imports torch, numpy, hypothesis and pytest once (`warm_up`); each re-run is an
in-process `pytest.main` on the kata's spec file (`run_kata`), with the katas.* and specs.*
modules dropped first so the saved file is imported afresh, and with pytest's optional
plugins switched off, so a re-run costs a fraction of a second instead of the seconds a new
process spends importing torch. A run of the learner's own files records progress in the
state file exactly like `pytest katas/...` (the plugin does it); a drill runs the specs on a
scratch copy through `--impl-override`, which records nothing.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import io
import linecache
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from harness import progress
from harness.curriculum import ROOT, Kata
from harness.nested import SKIP_ARGS, nested_run


@dataclass
class Verdict:
    """What one run of a kata's specs showed."""
    kata: str
    status: str  # "passed", "failing", "not started", "blocked" or "error"
    passed: int = 0
    failed: int = 0
    total: int = 0  # specs in the kata's suite
    stopped_early: bool = False  # -x stopped at the first failure
    first_failure: str = ""  # the spec's name (test function and parameters)
    message: str = ""  # short text of the first failure or of the error
    blocked_by: tuple[str, ...] = ()
    seconds: float = 0.0  # wall clock of the run
    cpu: float = 0.0  # CPU seconds of the run (what an idle machine would take)
    warnings: list[str] = field(default_factory=list)  # e.g. progress could not be saved
    output: str = ""  # pytest's own output, for debugging


class _Recorder:
    """A pytest plugin that keeps what the verdict needs."""

    def __init__(self):
        self.config = None
        self.first: tuple[str, str] | None = None  # (spec name, short message)
        self.errors: list[str] = []
        self.interrupted = False

    def pytest_configure(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        if report.failed and self.first is None:
            self.first = (report.nodeid.split("::", 1)[-1], short_message(report))

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(error_lines(str(report.longrepr)))

    def pytest_keyboard_interrupt(self, excinfo):
        # Collection errors end a session with Session.Interrupted, a KeyboardInterrupt too.
        self.interrupted = excinfo.type is KeyboardInterrupt


def _tail(text: str, lines: int) -> str:
    kept = [line for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def error_lines(text: str) -> str:
    """The learner's part of an import error: the 'E' lines, and the frames (with their code
    line) that are not pytest's, the standard library's or the spec's."""
    lines = text.strip().splitlines()
    kept = []
    for n, line in enumerate(lines):
        if line.startswith("E "):
            kept.append(line)
        elif (m := re.match(r"(\S+\.py):\d+: in ", line)) and not re.search(
                r"site-packages|/lib/python|^specs/|importlib", m.group(1)):
            kept += [line] + lines[n + 1:n + 2]
    return "\n".join(kept[-12:]) if kept else _tail(text, 8)


def short_message(report, max_lines: int = 10) -> str:
    """The first lines of a failure: the plugin's one-liners ('not started: ...') as they are,
    otherwise the exception text and hypothesis' falsifying example."""
    longrepr = report.longrepr
    if isinstance(longrepr, str):
        text = longrepr
    elif (crash := getattr(longrepr, "reprcrash", None)) is not None:
        text = crash.message
        for name, content in getattr(report, "sections", []):
            if "Hypothesis" in name or "hypothesis" in name:
                text += "\n" + _tail(content, 3)
        text += raised_at(longrepr)
    else:
        text = _tail(str(longrepr), max_lines)
    lines = text.strip().splitlines()
    kept = lines[:max_lines]  # long lines stay whole: the screen wraps them (watch.wrapped)
    if len(lines) > max_lines:
        kept.append(f"... ({len(lines) - max_lines} more lines: run pytest katas/... to see all)")
    return "\n".join(kept)


def raised_at(longrepr) -> str:
    """'\n  at katas/x.py:12 in f: <line>' when the learner's own code raised (the plugin
    puts that line in the kata's report section, with a hint for some errors), else ''."""
    for title, content, *_ in getattr(longrepr, "sections", []):
        if title.startswith("kata ") and "\n  at " in content:
            at, *rest = content.split("\n  at ", 1)[1].splitlines()
            return "\n  at " + at + "".join(f"\n{line}" for line in rest[:1] if line.startswith("  hint: "))
    return ""


def pytest_args(kata: Kata, *, override: Path | None = None, all_specs: bool = False) -> list[str]:
    """The in-process run's arguments: the kata's spec file, quiet, no cache, -x unless
    all_specs. With override, katas.<topic>.<name> comes from that file and every other kata
    from solutions/ (a drill: nothing is recorded)."""
    args = [str(kata.spec_path), "-q", "--no-header", f"--rootdir={ROOT}",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            "--continue-on-collection-errors",  # else pytest formats the error twice: ~0.5 s
            *SKIP_ARGS]
    if not all_specs:
        args.append("-x")
    if override is not None:
        args += ["--solutions", f"--impl-override={kata.module}={override}"]
    return args


def _forget_bytecode(paths: Iterable[Path]) -> None:
    """Delete the cached bytecode of the watched files: a .pyc is trusted when the source's
    mtime (whole seconds) and size match, so two same-size saves within a second would
    otherwise run the older code."""
    for path in paths:
        with contextlib.suppress(OSError, ValueError, NotImplementedError):
            Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)
    linecache.clearcache()


def run_kata(kata: Kata, *, override: Path | None = None, all_specs: bool = False) -> Verdict:
    """Run one kata's specs in this process (see pytest_args) and return the verdict. The
    caller's katas.*/specs.* modules, import hooks and hypothesis profile are restored."""
    import pytest

    recorder = _Recorder()
    _forget_bytecode([override or kata.stub_path])
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    with nested_run(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = pytest.main(pytest_args(kata, override=override, all_specs=all_specs),
                           plugins=[recorder])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if recorder.interrupted:
        raise KeyboardInterrupt
    verdict = _verdict(kata, recorder, int(code), seconds, out.getvalue())
    verdict.cpu = cpu
    return verdict


def _verdict(kata: Kata, recorder: _Recorder, code: int, seconds: float, output: str) -> Verdict:
    session = getattr(recorder.config, "_katas", None)
    verdict = Verdict(kata=kata.id, status="error", seconds=seconds, output=output,
                      warnings=list(session.notices) if session is not None else [])
    tally = session.tallies.get(kata.id) if session is not None else None
    if tally is not None:
        verdict.passed, verdict.failed, verdict.total = tally.passed, tally.failed, tally.total
        verdict.blocked_by = tuple(sorted(tally.blocked_by))
        verdict.stopped_early = bool(tally.failed) and (
            tally.passed + tally.failed + tally.skipped < tally.total)
    if recorder.first:
        verdict.first_failure, verdict.message = recorder.first
    if recorder.errors:
        verdict.message = recorder.errors[0]
    elif tally is not None and (status := progress.status_of(tally)) is not None:
        verdict.status = status
    else:
        verdict.message = verdict.message or f"pytest exited with {code}:\n{_tail(output, 8)}"
    return verdict


def warm_up() -> float:
    """Import what every run needs once, then move the survivors out of the garbage
    collector's sight (gc.freeze): collections then skip torch's many objects. Seconds spent."""
    start = time.perf_counter()
    import hypothesis  # noqa: F401
    import numpy  # noqa: F401
    import pytest  # noqa: F401
    import torch  # noqa: F401

    import harness.plugin  # noqa: F401

    gc.collect()
    gc.freeze()
    return time.perf_counter() - start
