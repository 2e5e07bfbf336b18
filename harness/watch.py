"""The engine behind `katas watch`, `katas pair` and `katas drill`: a warm process that
re-runs one kata's specs on every save and shows the verdict.

The process imports torch, numpy, hypothesis and pytest once (`warm_up`); each re-run is an
in-process `pytest.main` on the kata's spec file (`run_kata`), with the katas.* and specs.*
modules dropped first so the saved file is imported afresh, and with pytest's optional
plugins switched off, so a re-run costs a fraction of a second instead of the seconds a new
process spends importing torch. A run of the learner's own files records progress in the
state file exactly like `pytest katas/...` (the plugin does it); a drill runs the specs on a
scratch copy through `--impl-override`, which records nothing.

The loop is terminal-free and testable: a `Watcher` polls file signatures (`changed`), runs
and renders (`run_once`), takes commands (`handle`: Enter, n, r, h, q or a kata id) and keeps
time (`tick`, with an injectable clock); `loop(watcher, input=...)` drives it from a list of
commands or, by default, from a thread that reads stdin without blocking the polling.
`PairWatcher` adds driver/navigator rotation and a session log, `DrillWatcher` a deadline on
a scratch copy of the stub and a result in the state file.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import io
import json
import linecache
import math
import os
import queue
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from harness import curriculum, progress
from harness.curriculum import ROOT, Kata

OWN_MODULES = ("katas", "specs", "solutions")
# Plugins a one-file, one-process re-run never needs; unraisableexception and threadexception
# each force gc.collect() passes that cost ~0.3 s with torch loaded.
SKIPPED_PLUGINS = ("cacheprovider", "xdist", "doctest", "junitxml", "pastebin", "stepwise",
                   "setuponly", "setupplan", "unraisableexception", "threadexception")
POLL_SECONDS = 0.1
KEYS = "Enter re-run (next kata once passed) · n next kata · r re-run · h hint · q quit"
DRILL_KEYS = "Enter re-run · h hint · q give up"


# ----------------------------------------------------------------------------- one run

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
        self.warnings: list[str] = []
        self.interrupted = False

    def pytest_configure(self, config):
        self.config = config

    def pytest_runtest_logreport(self, report):
        if report.failed and self.first is None:
            self.first = (report.nodeid.split("::", 1)[-1], short_message(report))

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(error_lines(str(report.longrepr)))

    def pytest_warning_recorded(self, warning_message, when, nodeid, location):
        text = str(warning_message.message)
        if text.startswith(("progress", "cannot write")):
            self.warnings.append(text)

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
    else:
        text = _tail(str(longrepr), max_lines)
    lines = text.strip().splitlines()
    cut = [line if len(line) <= 240 else line[:237] + "..." for line in lines[:max_lines]]
    if len(lines) > max_lines:
        cut.append(f"... ({len(lines) - max_lines} more lines: run pytest katas/... to see all)")
    return "\n".join(cut)


def pytest_args(kata: Kata, *, override: Path | None = None, all_specs: bool = False) -> list[str]:
    """The in-process run's arguments: the kata's spec file, quiet, no cache, -x unless
    all_specs. With override, katas.<topic>.<name> comes from that file and every other kata
    from solutions/ (a drill: nothing is recorded)."""
    args = [str(kata.spec_path), "-q", "--no-header", f"--rootdir={ROOT}",
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            "--continue-on-collection-errors"]  # else pytest formats the error twice: ~0.5 s
    for plugin in SKIPPED_PLUGINS:
        args += ["-p", f"no:{plugin}"]
    if not all_specs:
        args.append("-x")
    if override is not None:
        args += ["--solutions", f"--impl-override={kata.module}={override}"]
    return args


def _is_own(name: str) -> bool:
    return name.split(".")[0] in OWN_MODULES


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
    from hypothesis import settings

    recorder = _Recorder()
    saved = {n: m for n, m in sys.modules.items() if _is_own(n)}
    meta_path = list(sys.meta_path)
    profile = settings.get_current_profile_name()
    for name in saved:
        del sys.modules[name]
    _forget_bytecode([override or kata.stub_path])
    out = io.StringIO()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = pytest.main(pytest_args(kata, override=override, all_specs=all_specs),
                               plugins=[recorder])
    finally:
        for name in [n for n in sys.modules if _is_own(n)]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.meta_path[:] = meta_path
        settings.load_profile(profile)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if recorder.interrupted:
        raise KeyboardInterrupt
    verdict = _verdict(kata, recorder, int(code), seconds, out.getvalue())
    verdict.cpu = cpu
    return verdict


def _verdict(kata: Kata, recorder: _Recorder, code: int, seconds: float, output: str) -> Verdict:
    verdict = Verdict(kata=kata.id, status="error", seconds=seconds, output=output,
                      warnings=recorder.warnings)
    session = getattr(recorder.config, "_katas", None)
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


# ----------------------------------------------------------------------------- the loop

def clock_text(seconds: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(seconds))


def iso_text(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(seconds))


def minutes_text(seconds: float) -> str:
    """m:ss (or h:mm:ss)."""
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def signature(path: Path) -> tuple | None:
    """What changes when a file is saved (editors that replace the file change the inode)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def next_hint(kata: Kata, *, drill: bool | None = None) -> list[str]:
    """The next progressive hint, remembered in the state file (`katas hint` and the h key
    share the count); once all are shown, all of them again. While a drill of this kata runs
    (drill=None: a drill entry in the state file whose time is not up; drill=True: the
    drill's own entry), the drill's hints, from the first, counted for the drill."""
    state = progress.load_state()
    entry = state.get("drill")
    in_drill = isinstance(entry, dict) and entry.get("kata") == kata.id and (
        drill if drill is not None else entry.get("deadline", 0) + 60 > time.time())
    counts, key = (entry, "hints") if in_drill else (state.setdefault("hints", {}), kata.id)
    if not isinstance(counts.get(key, 0), int):
        counts[key] = 0
    shown = counts.get(key, 0)
    if not kata.hints:
        return [f"{kata.id} has no hints"]
    if shown >= len(kata.hints):
        lines = [f"all {len(kata.hints)} hints of {kata.id} are shown:"]
        lines += [f"  {n}. {hint}" for n, hint in enumerate(kata.hints, 1)]
        lines.append(f"still stuck? read the failing spec in {kata.spec_path.relative_to(ROOT)}")
        return lines
    counts[key] = shown + 1
    lines = [f"hint {shown + 1}/{len(kata.hints)} for {kata.id}"
             f"{' (drill)' if in_drill else ''}: {kata.hints[shown]}"]
    try:
        progress.save_state(state)
    except OSError as err:
        lines.append(f"(could not remember that this hint was shown: {err})")
    return lines


def following_kata(current: Kata, statuses: dict[str, str]) -> Kata | None:
    """The next unfinished built kata after `current` in curriculum order, else the first
    unfinished one before it."""
    built = curriculum.built()
    at = built.index(current) if current in built else -1
    for kata in built[at + 1:] + built[:max(at, 0)]:
        if statuses.get(kata.id) != "passed":
            return kata
    return None


class Watcher:
    """Watch one kata: re-run its specs when its file changes and print the verdict.

    runner(kata, override=..., all_specs=...) -> Verdict is run_kata unless a test passes a
    fake; clock() gives epoch seconds; out is where the screen text goes."""

    def __init__(self, kata: Kata, *, runner: Callable[..., Verdict] = run_kata, out=None,
                 clock: Callable[[], float] = time.time, all_specs: bool = False,
                 interval: float = POLL_SECONDS):
        self.runner, self.clock, self.all_specs, self.interval = runner, clock, all_specs, interval
        self.out = out if out is not None else sys.stdout
        self.done = False
        self.runs = 0
        self.last: Verdict | None = None
        self.started = clock()
        self.baseline = progress.load()  # statuses when the session began
        self.finished: list[dict] = []  # katas that went to passed during the session
        self.switch_to(kata)

    # ------------------------------------------------------------ files and runs
    def switch_to(self, kata: Kata) -> None:
        self.kata = kata
        self.last = None
        self.seen = None  # file signatures at the last run; None: run at the next poll

    @property
    def file(self) -> Path:
        """The file the learner edits."""
        return self.kata.stub_path

    @property
    def override(self) -> Path | None:
        return None

    def watched(self) -> list[Path]:
        """The kata's file and the files of the katas it imports."""
        return [self.file] + [curriculum.BY_ID[r].stub_path for r in self.kata.requires]

    def signatures(self) -> tuple:
        return tuple(signature(p) for p in self.watched())

    def changed(self) -> bool:
        """True when a watched file was saved since the last run (waiting while the file is
        missing: editors that save by replacing delete it for an instant)."""
        now = self.signatures()
        return now != self.seen and now[0] is not None

    def run_once(self) -> Verdict:
        """Run the specs now and print the verdict."""
        self.seen = self.signatures()
        verdict = self.runner(self.kata, override=self.override, all_specs=self.all_specs)
        self.runs += 1
        self.last = verdict
        if verdict.status == "passed" and self.baseline.get(self.kata.id) != "passed" and \
                all(f["kata"] != self.kata.id for f in self.finished):
            self.finished.append(self.finished_entry())
        self.say(self.render(verdict))
        return verdict

    def finished_entry(self) -> dict:
        return {"kata": self.kata.id, "at": clock_text(self.clock()),
                "after": minutes_text(self.clock() - self.started)}

    # ------------------------------------------------------------ screen
    def say(self, text: str) -> None:
        self.out.write(text.rstrip("\n") + "\n")
        self.out.flush()

    def header(self, verdict: Verdict) -> str:
        when = clock_text(self.clock())
        return f"── {verdict.kata} ── {when} ── {verdict.seconds:.2f} s ──"

    def render(self, v: Verdict) -> str:
        """The verdict, the first failure (short) and the next step."""
        lines = [self.header(v)]
        rel = self.file.relative_to(ROOT) if ROOT in self.file.parents else self.file
        if v.status == "passed":
            lines.append(f"PASSED: all {v.total} specs of {v.kata} pass.")
        elif v.status == "error":
            lines.append(f"error: the specs could not run {rel}:")
            lines += ["  " + line for line in v.message.splitlines()]
        elif v.status == "blocked":
            lines.append(v.message)
        else:
            if v.stopped_early:
                count = (f"stopped at the first failure; {v.passed} of {v.total} specs passed "
                         "before it")
            else:
                count = f"{v.failed} of {v.total} specs failing"
            if v.status == "not started":
                lines += [v.message, f"  (spec {v.first_failure}: {count})"]
            else:
                lines.append(f"{v.status}: {v.first_failure} ({count})")
                lines += ["  " + line for line in v.message.splitlines()]
        lines += [f"warning: {w}" for w in v.warnings]
        lines.append("next step: " + self.next_step(v, rel))
        return "\n".join(lines)

    def next_step(self, v: Verdict, rel) -> str:
        if v.status == "passed":
            nxt = following_kata(self.kata, progress.load())
            if nxt is None:
                return "every built kata passes. q to quit."
            return f"press Enter (or n) to move on to {nxt.id} ({nxt.title}); q quits."
        if v.status == "not started":
            func = v.message.rsplit("::", 1)[-1] if "::" in v.message else "the next function"
            return (f"write {func} in {rel} (the task is in its docstring) and save. "
                    "h hint · q quit")
        if v.status == "blocked":
            owner = v.blocked_by[0] if v.blocked_by else "the earlier kata"
            return f"type {owner} (then Enter) to watch it instead, or q to quit."
        return f"fix {rel} and save: the specs re-run by themselves. h hint · r re-run · q quit"

    # ------------------------------------------------------------ commands and time
    def handle(self, command: str) -> None:
        """One line typed by the learner."""
        command = command.strip()
        if command in ("q", "quit", "exit"):
            self.done = True
        elif command == "" and self.last is not None and self.last.status == "passed":
            self.move_on()
        elif command in ("", "r"):
            self.run_once()
        elif command == "n":
            self.move_on()
        elif command == "h":
            self.say("\n".join(next_hint(self.kata)))
        elif command in ("?", "help"):
            self.say(KEYS)
        else:
            self.jump(command)

    def move_on(self) -> None:
        if self.last is None or self.last.status != "passed":
            self.say(f"(leaving {self.kata.id} unfinished)")
        nxt = following_kata(self.kata, progress.load())
        if nxt is None:
            self.say("every built kata passes: nothing left to watch. q quits.")
            return
        self.switch_to(nxt)
        self.say(f"now watching {nxt.id}: edit katas/{nxt.id}.py")

    def jump(self, text: str) -> None:
        from harness.cli import CliError, find_kata

        try:
            kata = find_kata(text)
        except CliError as err:
            self.say(f"{err}. Keys: {KEYS}")
            return
        if kata.planned:
            self.say(f"{kata.id} is planned: it has no stub or specs yet")
            return
        if not kata.stub_path.exists():
            self.say(f"katas/{kata.id}.py is missing: `katas reset {kata.id}` restores the stub")
            return
        self.switch_to(kata)
        self.say(f"now watching {kata.id}")

    def tick(self) -> None:
        """Called on every poll: timers live here (pair rotation, drill deadline)."""

    def poll(self) -> None:
        """Run if a watched file changed."""
        if self.changed():
            self.run_once()

    def finish(self) -> None:
        """Called once when the loop ends (q, Ctrl-C or max_runs)."""


# ----------------------------------------------------------------------------- input

class StdinReader:
    """Lines typed on stdin, collected by a daemon thread so the watcher never blocks on them.
    It reads a duplicate of fd 0: pytest's fd capture points fd 0 at /dev/null during runs."""

    def __init__(self):
        self.lines: queue.Queue[str] = queue.Queue()
        try:
            self.fd = os.dup(sys.stdin.fileno())
        except (AttributeError, OSError, ValueError):
            self.fd = None
            return
        threading.Thread(target=self._read, name="katas-stdin", daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self.fd, 1024)
            except OSError:
                return
            if not chunk:  # end of input: keep watching, Ctrl-C still quits
                return
            buffer += chunk
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                self.lines.put(line.decode(errors="replace"))

    def __call__(self) -> str | None:
        try:
            return self.lines.get_nowait()
        except queue.Empty:
            return None


def loop(watcher: Watcher, *, input: Iterable[str | None] | Callable[[], str | None] | None = None,
         max_runs: int | None = None, sleep: Callable[[float], None] = time.sleep) -> Watcher:
    """Drive a watcher: first run, then poll for saves and commands until q, Ctrl-C, the
    watcher is done or max_runs runs have happened. `input` is a callable returning the next
    typed line or None, or an iterable consumed one item per poll (None: nothing typed);
    stdin (read by a thread) by default."""
    if input is None:
        read = StdinReader()
    elif callable(input):
        read = input
    else:
        items = iter(input)

        def read():
            return next(items, None)
    try:
        while not watcher.done and (max_runs is None or watcher.runs < max_runs):
            watcher.tick()
            if watcher.done:
                break
            if (command := read()) is not None:
                watcher.handle(command)
                continue
            watcher.poll()
            if max_runs is not None and watcher.runs >= max_runs:
                break
            sleep(watcher.interval)
    except KeyboardInterrupt:
        watcher.say("\n(interrupted)")
    finally:
        watcher.finish()
    return watcher


# ----------------------------------------------------------------------------- pair

class PairWatcher(Watcher):
    """Watch mode for a pair (or a mob): the driver changes every `minutes`, announced on
    screen; finish() writes the session log to <state dir>/sessions/<timestamp>.json."""

    def __init__(self, kata: Kata, *, names: list[str], minutes: float, **kwargs):
        super().__init__(kata, **kwargs)
        self.names, self.minutes = names, minutes
        self.turns = [self._turn(0, self.started)]
        self.log_path: Path | None = None
        self.say(f"pair session: {self.driver} drives, {self.navigator} navigates; the driver "
                 f"changes every {minutes:g} min (next at {clock_text(self.next_switch)}).")

    def _turn(self, n: int, start: float) -> dict:
        return {"n": n, "driver": self.names[n % len(self.names)],
                "navigator": self.names[(n + 1) % len(self.names)], "start": start}

    @property
    def driver(self) -> str:
        return self.turns[-1]["driver"]

    @property
    def navigator(self) -> str:
        return self.turns[-1]["navigator"]

    @property
    def next_switch(self) -> float:
        return self.started + (self.turns[-1]["n"] + 1) * self.minutes * 60

    def tick(self) -> None:
        now = self.clock()
        due = int((now - self.started) // (self.minutes * 60))
        if due > self.turns[-1]["n"]:
            at = self.started + due * self.minutes * 60
            self.turns[-1]["end"] = at
            self.turns.append(self._turn(due, at))
            bell = "\a" if getattr(self.out, "isatty", lambda: False)() else ""
            self.say(f"{bell}⟳ {clock_text(at)} switch! {self.driver} drives, {self.navigator} "
                     f"navigates (next switch at {clock_text(self.next_switch)}).")

    def header(self, verdict: Verdict) -> str:
        return super().header(verdict) + f" {self.driver} driving ──"

    def finished_entry(self) -> dict:
        return {**super().finished_entry(), "driver": self.driver}

    def log(self) -> dict:
        """The session: who drove when, katas finished, time spent."""
        end = self.clock()
        turns, per_driver = [], {}
        for turn in self.turns:
            stop = turn.get("end", end)
            seconds = round(stop - turn["start"], 1)
            turns.append({"driver": turn["driver"], "navigator": turn["navigator"],
                          "start": iso_text(turn["start"]), "end": iso_text(stop),
                          "seconds": seconds})
            per_driver[turn["driver"]] = round(per_driver.get(turn["driver"], 0) + seconds, 1)
        return {"kind": "pair", "names": self.names, "rotation_minutes": self.minutes,
                "started": iso_text(self.started), "ended": iso_text(end),
                "seconds": round(end - self.started, 1), "turns": turns,
                "seconds_driving": per_driver, "finished": self.finished, "runs": self.runs,
                "last_kata": self.kata.id}

    def finish(self) -> None:
        log = self.log()
        folder = progress.state_path().parent / "sessions"
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.started))
        driving = ", ".join(f"{n} {minutes_text(s)}" for n, s in log["seconds_driving"].items())
        lines = [f"pair session: {minutes_text(log['seconds'])}, {len(log['turns'])} turn(s) "
                 f"(driving: {driving})"]
        lines += [f"  {t['start'][11:]}-{t['end'][11:]}  {t['driver']} drove, "
                  f"{t['navigator']} navigated" for t in log["turns"]]
        lines.append("finished: " + (", ".join(f"{f['kata']} ({f['driver']} driving, {f['at']})"
                                              for f in self.finished) or "no kata this time"))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{stamp}.json"
            n = 1
            while path.exists():
                path = folder / f"{stamp}-{n}.json"
                n += 1
            path.write_text(json.dumps(log, indent=1) + "\n")
            self.log_path = path
            lines.append(f"log: {path}")
        except OSError as err:
            lines.append(f"could not write the session log to {folder} ({err}); here it is:")
            lines.append(json.dumps(log, indent=1))
        self.say("\n".join(lines))


# ----------------------------------------------------------------------------- drill

class DrillWatcher(Watcher):
    """A mock interview: the kata's pristine stub copied to `file` (the learner's katas/ file
    is never touched), the specs run on it via --impl-override, a deadline; finish() appends
    the result to the state file under "drills"."""

    def __init__(self, kata: Kata, *, file: Path, minutes: float, **kwargs):
        self._file = file
        self.minutes = minutes
        super().__init__(kata, **kwargs)
        self.deadline = self.started + minutes * 60
        self.outcome: str | None = None  # "passed", "time up" or "gave up"
        self.result: dict | None = None
        self._announced = self._milestone(self.started)
        state = progress.load_state()
        state["drill"] = {"kata": kata.id, "file": str(file), "deadline": self.deadline,
                          "started": self.started, "hints": 0}
        try:
            progress.save_state(state)
        except OSError as err:
            self.say(f"warning: cannot write {progress.state_path()} ({err}): hints will not be "
                     "counted and the result will not be saved")

    @property
    def file(self) -> Path:
        return self._file

    @property
    def override(self) -> Path:
        return self._file

    def watched(self) -> list[Path]:
        return [self._file]

    def remaining(self) -> float:
        return self.deadline - self.clock()

    def _milestone(self, now: float) -> int:
        """Announcements: at every 5 minutes left, then at 1 minute left."""
        left = self.deadline - now
        return math.ceil(left / 300) if left > 60 else 0

    def header(self, verdict: Verdict) -> str:
        return super().header(verdict) + f" {minutes_text(self.remaining())} left ──"

    def next_step(self, v: Verdict, rel) -> str:
        if v.status == "passed":
            return "drill done."
        step = super().next_step(v, rel)
        return step.replace("r re-run · ", "").replace(" · q quit", " · q give up")

    def run_once(self) -> Verdict:
        verdict = super().run_once()
        if verdict.status == "passed":
            self.outcome, self.done = "passed", True
        return verdict

    def handle(self, command: str) -> None:
        command = command.strip()
        if command in ("q", "quit", "exit"):
            self.outcome, self.done = "gave up", True
        elif command == "h":
            self.say("\n".join(next_hint(self.kata, drill=True)))
        elif command in ("", "r"):
            self.run_once()
        else:
            self.say(f"a drill stays on its kata: {DRILL_KEYS}")

    def tick(self) -> None:
        now = self.clock()
        if now >= self.deadline:
            self.say(f"time's up ({self.minutes:g} min).")
            if self.changed():
                self.run_once()
            if self.outcome is None:
                self.outcome, self.done = "time up", True
            return
        milestone = self._milestone(now)
        if milestone < self._announced:
            self._announced = milestone
            self.say(f"⏱ {minutes_text(self.deadline - now)} left")

    def finish(self) -> None:
        now = self.clock()
        state = progress.load_state()
        drill = state.pop("drill", None)
        ours = isinstance(drill, dict) and drill.get("kata") == self.kata.id
        hints = drill.get("hints", 0) if ours else 0
        passed = self.outcome == "passed"
        self.result = {"kata": self.kata.id,
                       "started": iso_text(self.started),
                       "minutes": self.minutes,
                       "seconds_used": round(min(now, self.deadline) - self.started, 1),
                       "passed": passed, "outcome": self.outcome or "gave up", "hints": hints,
                       "specs": f"{self.last.passed}/{self.last.total}" if self.last else "not run",
                       "file": str(self._file)}
        state.setdefault("drills", []).append(self.result)
        verdict = "PASSED" if passed else f"not passed ({self.result['outcome']})"
        used = minutes_text(self.result["seconds_used"])
        summary = (f"drill {self.kata.id}: {verdict} in {used} of {self.minutes:g} min, "
                   f"{hints} hint{'s' if hints != 1 else ''} used; your drill file stays in "
                   f"{self._file}")
        try:
            progress.save_state(state)
        except OSError as err:
            summary += f"\n(result not saved: cannot write {progress.state_path()}: {err})"
        self.say(summary)
