"""The pytest plugin behind every kata run (registered by the root conftest.py).

It adds:
- paths under katas/ mean their specs: `pytest katas/attention/alibi.py` runs
  specs/attention/test_alibi.py against katas/attention/alibi.py;
- --solutions (run the same specs against solutions/) and --phase (select phases);
- specs in curriculum order, so `-x` stops at the first unfinished kata;
- "not started: katas/x.py::f" instead of a NotImplementedError traceback, and "blocked"
  when an unfinished earlier kata is the cause; timeouts that name the kata;
- deterministic seeds, one torch thread, hypothesis profiles (dev by default, ci, gallery);
- a progress summary per phase after every run, saved to .katas/state.json (learner runs
  only; under xdist the controller alone writes it);
- phase 7 (Triton kernels): TRITON_INTERPRET=1 when no CUDA device is present (set before
  triton is imported; a value the user set is kept), and its specs skipped with
  "needs triton: pip install -e '.[kernels]'" where triton is not installed (never an import
  error, never counted as passed); phase 8's likewise where os.fork is missing (Windows).
"""

from __future__ import annotations

import contextlib
import linecache
import os
import random
import sys
import warnings
from pathlib import Path

import numpy
import pytest
from hypothesis import HealthCheck, Phase, settings

from harness import curriculum, diagnose, guard, lazy_dynamo, loader, progress, triton_extra
from harness.progress import KataTally
from harness.curriculum import ROOT
from harness.failures import (SpecFailure, import_error_text, learner_line_of, mixed_operands_hint,
                              shown_path)

lazy_dynamo.install()  # before any spec: most of them would import torch._dynamo for nothing

# Profiles are registered before hypothesis's own plugin loads the one --hypothesis-profile names.
# One failure per property (never an ExceptionGroup, so a stub reads "not started"),
# deterministic, no database, no deadline (the first example pays torch's warm-up).
_common = dict(deadline=None, database=None, derandomize=True, print_blob=False,
               report_multiple_bugs=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.function_scoped_fixture])
_find_and_shrink = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]
settings.register_profile("dev", max_examples=20, phases=_find_and_shrink, **_common)
settings.register_profile("ci", max_examples=60, phases=_find_and_shrink, **_common)
# The self-test only needs to see a failure, not the smallest one: no shrinking.
settings.register_profile("gallery", max_examples=20,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate], **_common)
settings.load_profile("dev")  # --hypothesis-profile ci (or gallery) overrides it


def pytest_addoption(parser):
    group = parser.getgroup("katas", "torch-katas")
    group.addoption("--solutions", action="store_true",
                    help="run the specs against solutions/ instead of your files in katas/")
    group.addoption("--phase", metavar="PHASES",
                    help="only these phases' specs: 2, 1-3 or 2,4 (see the README)")
    group.addoption("--threads", type=int, default=1, metavar="N",
                    help="torch.set_num_threads(N) for the run (default 1: tiny tensors run "
                         "fastest on one thread)")
    group.addoption("--impl-override", action="append", default=[], metavar="MODULE=FILE",
                    help="(self-test) import MODULE, e.g. katas.tensors.creation, from FILE")
    group.addoption("--no-diagnose", action="store_true",
                    help="(self-test) do not compare failing outputs with the gallery's mistakes")


def parse_phases(text: str) -> set[int]:
    """'2' -> {2}; '1-3' -> {1, 2, 3}; '2,4' -> {2, 4}; phases are the manifest's (1..8)."""
    phases: set[int] = set()
    try:
        for part in text.split(","):
            lo, _, hi = part.strip().partition("-")
            phases.update(range(int(lo), int(hi or lo) + 1))
    except ValueError:
        phases = set()
    if not phases or not phases <= set(curriculum.PHASES):
        raise pytest.UsageError(
            f"--phase {text!r}: give phase numbers 1-{max(curriculum.PHASES)}, e.g. --phase 2, "
            "--phase 1-3 or --phase 2,4")
    return phases


def _map_kata_arg(arg: str, invocation_dir: Path) -> str:
    """katas/topic/name.py[::test] -> specs/topic/test_name.py[::test]; folders likewise."""
    path_part, sep, rest = arg.partition("::")
    path = (invocation_dir / path_part).resolve()
    katas_dir = ROOT / "katas"
    if path != katas_dir and katas_dir not in path.parents:
        return arg
    rel = path.relative_to(katas_dir)
    if path.is_dir() or path_part.endswith(("/", os.sep)):
        target = ROOT / "specs" / rel
    else:
        target = ROOT / "specs" / rel.parent / f"test_{rel.stem}.py"
        kata = curriculum.BY_ID.get(f"{rel.parent.as_posix()}/{rel.stem}")
        if not target.exists():
            if kata and kata.planned:
                raise pytest.UsageError(f"{path_part} is planned and has no specs yet")
            close = curriculum.close_matches(rel.as_posix())
            mean = f"; did you mean {', '.join(f'katas/{c}.py' for c in close)}?" if close else ""
            raise pytest.UsageError(f"{path_part} is not a kata{mean} (`katas list` shows them all)")
        if rest and not rest.startswith(("test_", "Test")):
            # katas/x.py::one_hot means "the specs of one_hot": every spec whose name has it
            FUNCTION_FILTERS.setdefault(target.resolve(), set()).add(rest.split("[")[0])
            return str(target)
    return str(target) + sep + rest


# Frames that never locate a learner's bug (paths containing these are left out of reports).
_HIDDEN_FRAMES = (f"{os.sep}torch{os.sep}", f"{os.sep}triton{os.sep}", f"{os.sep}contextlib.py",
                  f"{os.sep}_pytest{os.sep}", f"{os.sep}pluggy{os.sep}", f"{os.sep}hypothesis{os.sep}",
                  str(ROOT / "harness") + os.sep)

# spec file -> kata function names asked for with katas/x.py::name (see _map_kata_arg)
FUNCTION_FILTERS: dict[Path, set[str]] = {}


def quiet_assertion(err: BaseException) -> None:
    """`assert ok, "message"` in a spec: the message says what the contract wants, so drop the
    rewritten `assert (False)` / `+ where False = all(<generator ...>)` lines pytest appends."""
    if type(err) is AssertionError and len(err.args) == 1 and isinstance(err.args[0], str):
        text = err.args[0]
        message, sep, _ = text.partition("\nassert ")
        if sep and message.strip() and not text.startswith("assert "):
            err.args = (message,)


def _kata_of(item) -> curriculum.Kata | None:
    return curriculum.for_spec(item.path)


SCALE_OUT_PHASE = 8  # torch.distributed: harness.distributed forks the ranks
NEEDS_FORK = "needs os.fork to start its ranks (Linux or macOS; on Windows, use WSL)"


def unmet_need(kata: curriculum.Kata) -> str | None:
    """Why this machine cannot run the kata's specs at all, else None: phase 7 needs triton,
    phase 8 forks its ranks."""
    if kata.phase == triton_extra.KERNELS_PHASE and not triton_extra.triton_installed():
        return triton_extra.needs_triton_reason()
    if kata.phase == SCALE_OUT_PHASE and not hasattr(os, "fork"):
        return NEEDS_FORK
    return None


class _Unrunnable(pytest.Module):
    """A spec file this machine cannot run (unmet_need): one skip, no import of the spec (a
    phase-7 kata imports triton), so the kata is neither failing nor passed."""

    def collect(self):
        kata = curriculum.for_spec(self.path)
        pytest.skip(f"{unmet_need(kata)} ({kata.id})")


class KataSession:
    """The plugin's per-run state and hooks; registered once per pytest config."""

    def __init__(self, config):
        self.config = config
        self.impl = "solutions" if config.getoption("solutions") else "katas"
        self.overrides = {m: Path(f).resolve() for m, f in
                          (o.split("=", 1) for o in config.getoption("impl_override"))}
        phase = config.getoption("phase")
        self.phases = parse_phases(phase) if phase is not None else None
        self.tallies: dict[str, KataTally] = {}
        self.notices: list[str] = []  # state-file problems, one line each in the summary
        self.footed: set[str] = set()  # katas whose failure footer was printed in this run
        self.is_worker = hasattr(config, "workerinput")
        self.files: dict[Path, str] = {}  # kata file -> kata id, for reading tracebacks
        for kata in curriculum.KATAS:
            for base in loader.IMPLS:
                self.files[ROOT / base / kata.topic / f"{kata.name}.py"] = kata.id
        for module, file in self.overrides.items():
            self.files[file] = module.split(".", 1)[1].replace(".", "/")

    @property
    def records_progress(self) -> bool:
        """Only runs of the learner's own files count as progress."""
        return self.impl == "katas" and not self.overrides

    def kata_file(self, kata_id: str) -> str:
        """The file that answered for the kata: an --impl-override file when one was given."""
        override = self.overrides.get("katas." + kata_id.replace("/", "."))
        if override is not None:
            return override.relative_to(ROOT).as_posix() if ROOT in override.parents else str(override)
        return f"{self.impl}/{kata_id}.py"

    # ---------------------------------------------------------------- collection
    def pytest_ignore_collect(self, collection_path, config):
        """With --phase, other phases' spec files are not even imported: a kata of phase 5
        with a syntax error must not stop a --phase 1 run."""
        if self.phases is None or collection_path.suffix != ".py":
            return None
        kata = curriculum.for_spec(collection_path)
        return True if kata is not None and kata.phase not in self.phases else None

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session, config, items):
        totals: dict[str, int] = {}
        for item in items:
            if kata := _kata_of(item):
                totals[kata.id] = totals.get(kata.id, 0) + 1
        for item in items:
            if kata := _kata_of(item):
                item.user_properties += [("kata", kata.id), ("kata_total", totals[kata.id])]
        if FUNCTION_FILTERS:
            keep = [i for i in items if i.path.resolve() not in FUNCTION_FILTERS
                    or any(name in i.name for name in FUNCTION_FILTERS[i.path.resolve()])]
            asked = {n for names in FUNCTION_FILTERS.values() for n in names}
            found = {n for i in keep for n in asked if n in i.name}
            if asked - found:
                raise pytest.UsageError(
                    f"no spec is named after {', '.join(sorted(asked - found))}: give a public "
                    f"function of the kata (katas/topic/name.py::function) or a spec's name")
            if len(keep) < len(items):
                kept = set(map(id, keep))
                config.hook.pytest_deselected(items=[i for i in items if id(i) not in kept])
                items[:] = keep
        if self.phases is not None:
            keep = [i for i in items if (k := _kata_of(i)) is None or k.phase in self.phases]
            if len(keep) < len(items):
                kept = set(map(id, keep))
                config.hook.pytest_deselected(items=[i for i in items if id(i) not in kept])
                items[:] = keep
        # katas in curriculum order; anything else (the self-test's own checks, few and long)
        # first, so that under xdist the many short specs fill the workers' last seconds
        order = {k.id: n for n, k in enumerate(curriculum.KATAS)}
        items.sort(key=lambda i: order[k.id] if (k := _kata_of(i)) else -1)
        import torch

        if not torch.cuda.is_available():
            skip = pytest.mark.skip(reason="needs a CUDA GPU (absolute memory/latency budget)")
            for item in items:
                if item.get_closest_marker("gpu"):
                    item.add_marker(skip)

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path, parent):
        kata = curriculum.for_spec(module_path)
        if kata is not None and unmet_need(kata):
            return _Unrunnable.from_parent(parent, path=module_path)
        return None

    # ---------------------------------------------------------------- reports
    def _innermost_kata_frame(self, excinfo):
        """(kata id, 'file::function', line) of the innermost traceback entry in a kata file."""
        for entry in reversed(excinfo.traceback):
            path = Path(str(entry.path)).resolve()
            if path in self.files:
                code = entry.frame.code.raw
                func = getattr(code, "co_qualname", code.co_name)
                shown = path.relative_to(ROOT) if ROOT in path.parents else path
                return self.files[path], f"{shown.as_posix()}::{func}", entry.lineno + 1
        return None

    @staticmethod
    def _trim(item) -> None:
        """Keep the spec's and the learner's frames: torch, the harness, contextlib and
        pytest's own frames say nothing about the bug. (pytest rebuilds tracebacks from the
        raw frames while cutting them, so the trim wraps the item's own filter.)"""
        if "_traceback_filter" in vars(item):
            return
        own_filter = item._traceback_filter

        def trimmed(excinfo):
            traceback = own_filter(excinfo)
            kept = [entry for entry in traceback
                    if not any(part in str(entry.path) for part in _HIDDEN_FRAMES)]
            return type(traceback)(kept) if kept else traceback

        item._traceback_filter = trimmed

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        if call.excinfo is not None and _kata_of(item) is not None:
            self._trim(item)
            quiet_assertion(call.excinfo.value)
        outcome = yield
        report = outcome.get_result()
        kata = _kata_of(item)
        if report.failed and call.excinfo is not None and call.excinfo.errisinstance(guard.Hung):
            report.longrepr = str(call.excinfo.value)  # one line: the timeout was reported once
            return
        if not (kata and report.failed and call.excinfo is not None):
            return
        if {"not_started", "blocked_by"} & set(dict(report.user_properties)):
            return  # pytest_runtest_makereport below made it
        excinfo = call.excinfo
        frame = self._innermost_kata_frame(excinfo)
        innermost = next((e for e in reversed(excinfo.traceback)
                          if not any(part in str(e.path) for part in _HIDDEN_FRAMES)), None)
        raised_in_kata = innermost is not None and Path(str(innermost.path)).resolve() in self.files
        text = str(excinfo.value)
        if excinfo.typename == "Failed" and "pytest-timeout" in text:
            seconds = text.split(">")[1].split("s)")[0] if ">" in text else "?"
            where = f" (it was in {frame[1]}, line {frame[2]})" if frame else ""
            report.longrepr = (
                f"timed out after {seconds}s in {self.kata_file(kata.id)}{where}: "
                f"an infinite loop, or far more work than the kata needs?")
            return
        if hasattr(report.longrepr, "addsection"):
            hint = f"\nfirst hint: {kata.hints[0]}" if kata.hints else ""
            raised = ""
            if raised_in_kata and not excinfo.errisinstance(SpecFailure):
                # the learner's code itself raised: name its line first, torch frames aside
                where = learner_line_of(excinfo.tb)
                raised = f"\nyour code raised {excinfo.typename}: {str(excinfo.value)[:300]}\n  at {where}"
                mixed = mixed_operands_hint(str(excinfo.value))
                raised += f"\n  hint: {mixed}" if mixed else ""
            if kata.id in self.footed:  # the footer once per kata and run (per worker under -n)
                if raised:
                    report.longrepr.addsection(f"kata {kata.id}", raised.strip())
                return
            self.footed.add(kata.id)
            report.longrepr.addsection(
                f"kata {kata.id}", f"your file: {self.kata_file(kata.id)} (day {kata.day}){raised}{hint}")

    def not_started(self, item, call) -> tuple[str, tuple[str, str]] | None:
        """("not started: file::function", report property) when a stub's NotImplementedError
        stopped the spec ("blocked: ..." when the stub is an earlier kata's), else None."""
        kata, excinfo = _kata_of(item), call.excinfo
        if kata is None or excinfo is None or not excinfo.errisinstance(NotImplementedError):
            return None
        # raised in kata code itself: a stub's `raise NotImplementedError` is the innermost
        # frame of all; torch's own NotImplementedError (a meta tensor copied) is not
        last = excinfo.traceback[-1]
        if Path(str(last.path)).resolve() not in self.files:
            return None
        line = linecache.getline(str(last.path), last.lineno + 1)
        if "raise NotImplementedError" not in line and "raise NotImplementedError" not in str(last.statement):
            return None  # (the statement, parsed from the file, only when the line is not it)
        frame = self._innermost_kata_frame(excinfo)
        if frame is None:
            return None
        owner, where, _ = frame
        if owner == kata.id:
            return f"not started: {where}", ("not_started", owner)
        return f"blocked: {kata.id} uses {where}, which is not started yet; finish {owner} first", ("blocked_by", owner)

    def _tally(self, kata_id: str, total: int) -> KataTally:
        return self.tallies.setdefault(kata_id, KataTally(total=total))

    def pytest_runtest_logreport(self, report):
        props = dict(report.user_properties)
        if "kata" not in props or not (report.when == "call" or report.outcome != "passed"):
            return
        tally = self._tally(props["kata"], props["kata_total"])
        if report.outcome == "passed":
            tally.passed += 1
        elif report.outcome == "skipped":
            tally.skipped += 1
        else:
            tally.failed += 1
            tally.not_started += "not_started" in props
            if "blocked_by" in props:
                tally.blocked += 1
                tally.blocked_by.add(props["blocked_by"])

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector):
        """A spec file whose kata file does not import: the learner's line first, not pytest's
        import machinery."""
        loader.IMPORT_ERRORS.clear()
        outcome = yield
        report = outcome.get_result()
        kata = curriculum.for_spec(collector.path) if isinstance(collector, pytest.Module) else None
        if report.failed and kata and loader.IMPORT_ERRORS:
            filename, err = loader.IMPORT_ERRORS[0]
            report.longrepr = (f"{shown_path(filename)} does not import, so the specs of "
                               f"{kata.id} cannot run:\n{import_error_text(filename, err)}")
        loader.IMPORT_ERRORS.clear()

    def pytest_collectreport(self, report):
        if report.failed and (kata := curriculum.for_spec(report.nodeid.split("::")[0])):
            self._tally(kata.id, 1).failed += 1

    # ---------------------------------------------------------------- the end
    @contextlib.contextmanager
    def _noticing(self):
        """State-file problems become one line each at the end (self.notices), not pytest
        warnings with their source lines."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", progress.ProgressWarning)
            yield
        for w in caught:
            if issubclass(w.category, progress.ProgressWarning):
                if str(w.message) not in self.notices:
                    self.notices.append(str(w.message))
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def pytest_sessionfinish(self, session, exitstatus):
        if not self.is_worker and self.records_progress and self.tallies:
            with self._noticing():
                progress.record(self.tallies)

    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        if self.is_worker or self.overrides:
            return
        with self._noticing():
            saved = progress.load() if self.records_progress else {}
        statuses = progress.merge(saved, self.tallies)
        progress.print_summary(terminalreporter, statuses, self.phases,
                               recorded=self.records_progress)
        for notice in self.notices:
            terminalreporter.write_line(f"katas: warning: {notice}", yellow=True)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Bad options get one clear line, before any plugin acts on them."""
    threads = config.getoption("threads")
    if threads < 1:
        raise pytest.UsageError(f"--threads {threads}: give a positive number of threads, e.g. --threads 2")
    profile = config.getoption("hypothesis_profile", None)
    if profile is not None:
        try:
            settings.get_profile(profile)
        except Exception:
            known = ", ".join(sorted(settings._profiles))
            raise pytest.UsageError(f"--hypothesis-profile {profile!r} is not a profile; "
                                    f"choose one of: {known}") from None
    _configure_session(config)


def _configure_session(config):
    session = KataSession(config)
    config._katas = session
    config.pluginmanager.register(session, f"katas-session-{id(config)}")
    import torch

    torch.set_num_threads(config.getoption("threads"))
    triton_extra.use_triton_interpreter()
    invocation_dir = Path(config.invocation_params.dir)
    FUNCTION_FILTERS.clear()
    config.args[:] = [_map_kata_arg(a, invocation_dir) for a in config.args]
    session.finder = loader.install(session.impl, session.overrides)
    diagnose.reset(enabled=not config.getoption("no_diagnose"))
    guard.HUNG.clear()
    session.baseline_state = guard.read_state()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_makereport(item, call):
    """A spec stopped by a stub gets its one-line report here, before pytest formats a
    traceback that the line would replace (most of the time of a stub's run)."""
    session = getattr(item.config, "_katas", None)
    found = session.not_started(item, call) if session is not None else None
    if found is None:
        return None
    longrepr, prop = found
    sections = [(f"Captured {key} {when}", content) for when, key, content in item._report_sections]
    return pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1), "failed",
                             longrepr, call.when, sections, call.duration, call.start, call.stop,
                             user_properties=[*item.user_properties, prop])


def pytest_unconfigure(config):
    if finder := getattr(getattr(config, "_katas", None), "finder", None):
        loader.uninstall(finder)
    if distributed := sys.modules.get("harness.distributed"):  # phase 8: no rank outlives a run
        distributed.shutdown_all()


@pytest.fixture(autouse=True)
def _kata_seed():
    """Every spec starts from the same random state, so failures reproduce."""
    import torch

    # torch.manual_seed(0) would also queue lazy seeds for CUDA, XPU and MTIA, each recording
    # a formatted stack: ~1 ms a spec, thousands of times in the self-test.
    torch.default_generator.manual_seed(0)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(0)
    random.seed(0)
    numpy.random.seed(0)
    yield


@pytest.fixture(autouse=True)
def _kata_global_state(request):
    """Every spec starts from the run's global torch settings and must leave them as it found
    them. Calls into kata code are checked one by one (harness.guard); this catches what no
    single call did, such as a setting changed at a kata module's import."""
    guard.clear_records()
    baseline = request.config._katas.baseline_state
    guard.restore_state(baseline)
    yield
    guard.clear_records()
    changed = guard.restore_state(baseline)
    if changed:
        what, before, after, fix = changed[0]
        pytest.fail(f"after this spec, {what} was {after!r} (the run started with {before!r}): "
                    f"kata code changed a global torch setting\n  hint: {fix}", pytrace=False)
