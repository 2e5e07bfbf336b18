"""Run one kata's spec suite in this process against a chosen file, for the self-test.

    result = run_spec(kata, override=Path("solutions/gallery/tensors/creation/copies_numpy.py"))
    result.failed   # node ids of the specs that rejected it

The kata's module (`katas.<topic>.<name>`) is imported from `override`; every other kata
comes from solutions/, so a failure is the override's own. Torch stays imported between runs
(that is the point: a fresh process per gallery entry would pay ~4 s of imports each); the
spec and kata modules are imported afresh (harness.nested).
"""

from __future__ import annotations

import contextlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.curriculum import ROOT, Kata
from harness.nested import SKIP_ARGS, nested_run
from harness.stubs import committed_stub

# gallery mistake ("topic/kata/stem") -> the spec that rejected it last time. The gallery's
# one-session run (gallery_verdicts) runs only that spec for each mistake; a mistake it does
# not reject is run again alone through every spec, so a stale entry costs time, never a
# verdict. Rewritten by `python -m harness.selftest --catches`.
CATCHES = ROOT / "solutions" / "gallery" / "catches.json"


@dataclass
class RunResult:
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # collection errors, with their text
    messages: dict[str, str] = field(default_factory=dict)  # failed node id -> report text


class _Recorder:
    def __init__(self, result: RunResult):
        self.result = result

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or report.outcome != "passed":
            bucket = getattr(self.result, report.outcome)
            if report.nodeid not in bucket:
                bucket.append(report.nodeid)
            if report.failed:
                self.result.messages[report.nodeid] = str(report.longrepr)[-2000:]

    def pytest_collectreport(self, report):
        if report.failed:
            self.result.errors.append(f"{report.nodeid}: {str(report.longrepr)[-2000:]}")


class _FirstSpec:
    """Collect `name` (a spec id after '::') first; the others keep their order."""

    def __init__(self, name: str):
        self.name = name

    def pytest_collection_modifyitems(self, items):
        items.sort(key=lambda item: item.nodeid.split("::", 1)[-1] != self.name)


def mistake_key(kata: Kata, mistake: Path) -> str:
    return f"{kata.id}/{mistake.stem}"


def load_catches() -> dict[str, str]:
    try:
        catches = json.loads(CATCHES.read_text())
    except (OSError, ValueError):
        return {}
    return catches if isinstance(catches, dict) else {}


def run_spec(kata: Kata, override: Path, *, stop_at_first: bool = True,
             profile: str = "gallery", diagnose: bool = False, first: str | None = None,
             brief: bool = False, plain_asserts: bool = False) -> RunResult:
    """Run kata's specs with katas.<topic>.<name> imported from `override`. diagnose: let
    failures look for a matching gallery mistake (off: the self-test needs only the verdict).
    first: the spec to run first (see CATCHES). brief: Python's plain tracebacks and asserts
    in the messages, for runs where only the verdict and the plugin's one-line 'not started'
    are read; pytest's own format parses each traceback's source files (4-5x the cost of a
    stub's run of 60-90 failing specs) and its assert rewriting costs ~10 ms a run.
    plain_asserts: no rewriting (a run that should pass: a spec's own message says enough)."""
    result = RunResult()
    args = [str(kata.spec_path), "--solutions", f"--impl-override={kata.module}={override}",
            *SKIP_ARGS, "-q", "--no-header",
            "--hypothesis-profile", profile, "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if stop_at_first:
        args.append("-x")
    if not diagnose:
        args.append("--no-diagnose")
    if brief:  # plain asserts too: the rewrite hook's set-up scans every installed file list
        args += ["--tb=native", "--assert=plain"]
    elif plain_asserts:
        args.append("--assert=plain")
    plugins = [_Recorder(result)] + ([_FirstSpec(first)] if first else [])
    with nested_run():
        pytest.main(args, plugins=plugins)
    return result


class _CopyModule(pytest.Module):
    """The kata's spec file, imported afresh with katas.<topic>.<name> from one file."""

    def __init__(self, *args, batch: "_Batch", file: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch, self.file = batch, file

    def _getobj(self):
        self.batch.use(self.file, imported=None)
        module = super()._getobj()
        self.batch.imported[self.file] = {n: sys.modules[n] for n in _kata_modules()}
        del sys.modules[module.__name__]  # the next copy imports its own
        return module


class _Copies(pytest.File):
    def __init__(self, *args, batch: "_Batch", **kwargs):
        super().__init__(*args, **kwargs)
        self.batch = batch

    def collect(self):
        for file in self.batch.files:
            yield _CopyModule.from_parent(self, path=self.path, name=file.stem,
                                          nodeid=f"{self.nodeid}::{file.stem}", batch=self.batch, file=file)


def _kata_modules() -> list[str]:
    """The names of the katas.* modules now imported (called per copy and per spec: the
    C-level startswith filter first, ~3,000 modules, then the exact test on the few left)."""
    return [n for n in [n for n in sys.modules if n.startswith("katas")] if n == "katas" or n[5] == "."]


class _Batch:
    """A plugin that runs a kata's specs against several files in one pytest session: the
    spec file is collected once per file, each copy importing katas.<topic>.<name> (and the
    solutions that use it) from that file, and of each copy only the spec `only` names runs
    (a gallery mistake's recorded catch). A session costs ~45 ms before any spec runs: one
    per gallery mistake was most of the gallery's time."""

    def __init__(self, kata: Kata, files: list[Path], only: dict[Path, str | None]):
        self.kata, self.files, self.only = kata, files, only
        self.imported: dict[Path, dict] = {}  # file -> the katas.* modules its copy imported
        self.results = {f: RunResult() for f in files}

    def use(self, file: Path, imported: dict | None) -> None:
        """Make katas.* resolve as the file's copy saw it: imports to come and, when given,
        the modules it imported."""
        from harness import guard

        session = self.config._katas
        session.overrides[self.kata.module] = session.finder.overrides[self.kata.module] = file
        for name in _kata_modules():
            del sys.modules[name]
        sys.modules.update(imported or {})
        guard.HUNG.clear()  # a hang is the copy's own

    def pytest_configure(self, config):
        self.config = config
        for file in self.files:  # tracebacks through any of them read as the kata's
            config._katas.files[file.resolve()] = self.kata.id

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makemodule(self, module_path, parent):
        if module_path == self.kata.spec_path:
            return _Copies.from_parent(parent, path=module_path, batch=self)
        return None

    @pytest.hookimpl(tryfirst=True)
    def pytest_pycollect_makeitem(self, collector, name, obj):
        """Of each copy, collect only the spec that will run: a kata's 20-90 specs per copy
        were most of a gallery batch's time."""
        if isinstance(collector, _CopyModule) and callable(obj) and name.startswith("test"):
            only = self.only.get(collector.file)
            if only is None or name != only.split("[")[0]:
                return []
        return None

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        items[:] = [i for i in items if i.name == self.only.get(getattr(i.parent, "file", None))]

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        self.use(item.parent.file, self.imported[item.parent.file])

    def pytest_runtest_logreport(self, report):
        file = next(f for f in self.files if report.nodeid.split("::")[1] == f.stem)
        _Recorder(self.results[file]).pytest_runtest_logreport(report)

    def run(self, profile: str, *extra: str) -> dict[Path, RunResult]:
        if any(self.only.values()):
            args = [str(self.kata.spec_path), "--solutions", f"--impl-override={self.kata.module}={self.files[0]}",
                    *SKIP_ARGS, "-q", "--no-header", "--hypothesis-profile", profile, "--no-diagnose",
                    "-W", "ignore::pytest.PytestAssertRewriteWarning", *extra]
            with nested_run():
                pytest.main(args, plugins=[self])
        return self.results


GALLERY_STALL = 1.0  # seconds of every rank blocked before a gallery mistake's deadlock is called


@contextlib.contextmanager
def _deadlocks_called_sooner(kata: Kata):
    """A gallery run needs only the verdict: a phase-8 mistake that deadlocks (several do) is
    called after GALLERY_STALL s, not after the learner's harness.distributed.STALL."""
    if kata.topic != "distributed":
        yield
        return
    from harness import distributed

    saved, distributed.STALL = distributed.STALL, min(distributed.STALL, GALLERY_STALL)
    try:
        yield
    finally:
        distributed.STALL = saved


def run_gallery_batch(kata: Kata, mistakes: list[Path], catches: dict[str, str]) -> dict[Path, RunResult]:
    """Each mistake's run of the spec that rejected it last time, all in one session (a
    mistake without a recorded spec is not run: its result stays empty)."""
    only = {m: catches.get(mistake_key(kata, m)) for m in mistakes}
    with _deadlocks_called_sooner(kata):
        return _Batch(kata, mistakes, only).run("gallery", "--tb=native", "--assert=plain")


def gallery_verdicts(kata: Kata, mistakes: list[Path] | None = None) -> dict[Path, str | None]:
    """Each gallery mistake -> None when the specs reject it, else what is wrong. All run in
    one session (_Batch), each with the spec that rejected it last time; a mistake
    that spec does not reject there is run again alone, through all specs (run_spec)."""
    mistakes = gallery(kata) if mistakes is None else mistakes
    catches = load_catches()
    results = run_gallery_batch(kata, mistakes, catches)
    verdicts = {}
    for mistake in mistakes:
        result = results[mistake]
        if not result.failed or _not_started(result):
            result = run_spec(kata, mistake, first=catches.get(mistake_key(kata, mistake)), brief=True)
        where = mistake.relative_to(ROOT) if ROOT in mistake.parents else mistake
        verdicts[mistake] = (
            f"{where} does not import cleanly:\n{result.errors}" if result.errors else
            f"{where} passes every spec of {kata.id}: the specs miss this mistake" if not result.failed else
            f"{where} is incomplete (raises NotImplementedError)" if _not_started(result) else None)
    return verdicts


def variant_verdicts(kata: Kata) -> dict[Path, str | None]:
    """Each correct variant -> None when every spec accepts it, else what rejected it. (One
    session per variant: unlike the gallery's, these runs are mostly their specs' own work.)"""
    verdicts = {}
    for variant in variants(kata):
        result = run_spec(kata, variant, stop_at_first=False, plain_asserts=True)
        where = variant.relative_to(ROOT) if ROOT in variant.parents else variant
        verdicts[variant] = (
            f"{where} does not import cleanly:\n{result.errors}" if result.errors else
            None if result.passed and not result.failed else
            f"{where} is a correct {kata.id} in another style, but these specs reject it (a spec "
            f"pins internals, or a tolerance is too tight):\n" + "\n".join(result.messages.values()))
    return verdicts


def _not_started(result: RunResult) -> bool:
    return any(m.startswith("not started") for m in result.messages.values())


def pristine_stub(kata: Kata, scratch: Path) -> Path:
    """The newest committed stub of the kata (harness.stubs), written under `scratch`, so a
    learner's edits cannot fool the check; the working file where git has none."""
    source = committed_stub(kata)
    if source is None:
        return kata.stub_path
    path = scratch / kata.topic / f"{kata.name}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)
    return path


def gallery(kata: Kata) -> list[Path]:
    """The kata's gallery of wrong solutions, one module per mistake."""
    return sorted(kata.gallery_dir.glob("*.py")) if kata.gallery_dir.is_dir() else []


def variants(kata: Kata) -> list[Path]:
    """Correct solutions in other styles (solutions/variants/<topic>/<kata>/): every spec
    must accept them, so the specs pin behaviour, not the reference's internals."""
    return sorted(kata.variants_dir.glob("*.py")) if kata.variants_dir.is_dir() else []


def check(kata: Kata, timings: dict[str, float] | None = None) -> list[str]:
    """Every self-test verdict for one kata: solutions pass, the stub fails everywhere with
    'not started', every gallery mistake is rejected, every variant is accepted. Returns the
    problems found. timings, when given, gains the CPU seconds of each part ("solution",
    "stub", "gallery", "variants"), for benchmarks/speed.py."""
    import tempfile
    import time

    def run(part: str, override: Path, **kwargs) -> RunResult:
        start = time.process_time()
        try:
            return run_spec(kata, override, **kwargs)
        finally:
            if timings is not None:
                timings[part] = timings.get(part, 0.0) + time.process_time() - start

    problems = []
    result = run("solution", kata.solution_path, stop_at_first=False, profile="ci")
    if result.errors or result.failed or not result.passed:
        problems.append(f"solution: {len(result.failed)} failed, errors {result.errors}: "
                        + "\n".join(result.messages.values()))
    with tempfile.TemporaryDirectory() as scratch:
        result = run("stub", pristine_stub(kata, Path(scratch)), stop_at_first=False, brief=True)
    if result.passed or result.errors:
        problems.append(f"stub: passes {result.passed}; errors {result.errors}")
    problems += [f"stub: {node} reads {msg.splitlines()[0]!r}, not 'not started'"
                 for node, msg in result.messages.items() if not msg.startswith("not started")]
    start = time.process_time()
    problems += [f"gallery: {problem}" for problem in gallery_verdicts(kata).values() if problem]
    if timings is not None:
        timings["gallery"] = timings.get("gallery", 0.0) + time.process_time() - start
    start = time.process_time()
    problems += [f"variant: {problem}" for problem in variant_verdicts(kata).values() if problem]
    if timings is not None:
        timings["variants"] = timings.get("variants", 0.0) + time.process_time() - start
    missing = set(kata.mistakes) - {p.stem for p in gallery(kata)}
    if missing:
        problems.append(f"gallery lacks the catalogued mistakes {sorted(missing)}")
    return problems


class _Durations:
    """Each spec's seconds (set-up and call), for choosing the cheapest catch."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report):
        self.seconds[report.nodeid] = self.seconds.get(report.nodeid, 0.0) + report.duration


CATCH_CANDIDATES = 8  # specs that reject a mistake, of which the cheapest is recorded


def cheapest_catch(kata: Kata, mistake: Path) -> str | None:
    """The spec that rejects `mistake` at the least cost, among the first CATCH_CANDIDATES
    that do (the gallery run pays that spec once per mistake: the first failure found was
    often a slow budget or a long property)."""
    durations = _Durations()
    result = RunResult()
    args = [str(kata.spec_path), "--solutions", f"--impl-override={kata.module}={mistake}",
            *SKIP_ARGS, "-q", "--no-header", "--hypothesis-profile", "gallery", "--no-diagnose",
            "--tb=native", "--assert=plain", f"--maxfail={CATCH_CANDIDATES}",
            "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    with _deadlocks_called_sooner(kata), nested_run():
        pytest.main(args, plugins=[_Recorder(result), durations])
    if not result.failed or _not_started(result):
        return None
    return min(result.failed, key=lambda node: durations.seconds[node]).split("::", 1)[-1]


def record_catches(katas: list[Kata]) -> dict[str, str]:
    """Bring CATCHES up to date for every gallery mistake of `katas`: a recorded catch that
    still rejects its mistake is kept; a new mistake, or one its catch no longer rejects, gets
    its cheapest catch (cheapest_catch). Entries of other katas are kept; mistakes no longer
    in the gallery are dropped. (Delete the file to choose every catch afresh.)"""
    from harness import curriculum

    catches = {k: v for k, v in load_catches().items()
               if k.rsplit("/", 1)[0] in curriculum.BY_ID
               and (curriculum.BY_ID[k.rsplit("/", 1)[0]].gallery_dir / f"{k.rsplit('/', 1)[1]}.py").exists()}
    for kata in katas:
        mistakes = gallery(kata)
        results = run_gallery_batch(kata, mistakes, catches)
        for mistake in mistakes:
            if results[mistake].failed and not _not_started(results[mistake]):
                continue
            catch = cheapest_catch(kata, mistake)
            if catch:
                catches[mistake_key(kata, mistake)] = catch
    CATCHES.write_text(json.dumps(dict(sorted(catches.items())), indent=0) + "\n")
    return catches


def main(argv: list[str]) -> int:
    """python -m harness.selftest KATA [KATA ...]: the self-test verdicts for these katas.
    python -m harness.selftest --catches [KATA ...]: rewrite the gallery's catches.json (all
    katas by default)."""
    import contextlib
    import io

    from harness import curriculum

    if argv and argv[0] == "--catches":
        katas = [curriculum.get(k) for k in argv[1:]] or curriculum.built()
        with contextlib.redirect_stdout(io.StringIO()):
            catches = record_catches(katas)
        print(f"{CATCHES.relative_to(ROOT)}: {len(catches)} mistakes")
        return 0
    if not argv:
        print(main.__doc__)
        return 2
    failed = 0
    for kata_id in argv:
        kata = curriculum.get(kata_id)
        with contextlib.redirect_stdout(io.StringIO()):
            problems = check(kata)
        print(f"{kata.id}: {'ok' if not problems else 'PROBLEMS'} "
              f"({len(gallery(kata))} gallery mistakes, {len(variants(kata))} correct variants)")
        for problem in problems:
            print("  - " + problem.replace("\n", "\n    "))
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
