"""`katas watch`: re-run one kata's specs on every save and show the verdict.

The loop is terminal-free and testable: a `Watcher` polls file signatures (`changed`), runs
(harness.runner) and renders (`run_once`), takes commands (`handle`: Enter, n, r, h, q or a
kata id) and keeps time (`tick`, with an injectable clock); `loop(watcher, input=...)` drives
it from a list of commands or, by default, from a thread that reads stdin without blocking
the polling. harness.pair and harness.drill build their sessions on `Watcher`.
"""

from __future__ import annotations

import _thread
import os
import queue
import shutil
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from harness import curriculum, progress
from harness.curriculum import ROOT, Kata
from harness.hints import next_hint
from harness.runner import Verdict, run_kata

POLL_SECONDS = 0.1
QUIT = ("q", "quit", "exit")
# Lines longer than the terminal wrap at word boundaries under their own indent, never cut.
MIN_WIDTH = 40
KEYS = "Enter re-run (next kata once passed) · n next kata · r re-run · h hint · q quit"


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


class Watcher:
    """Watch one kata: re-run its specs when its file changes and print the verdict.

    runner(kata, override=..., all_specs=...) -> Verdict is run_kata unless a test passes a
    fake; clock() gives epoch seconds; out is where the screen text goes; width folds long
    lines (default: the terminal's width when out is a terminal, else lines stay whole)."""

    def __init__(self, kata: Kata, *, runner: Callable[..., Verdict] = run_kata, out=None,
                 clock: Callable[[], float] = time.time, all_specs: bool = False,
                 interval: float = POLL_SECONDS, width: int | None = None):
        self.runner, self.clock, self.all_specs, self.interval = runner, clock, all_specs, interval
        self.out = out if out is not None else sys.stdout
        self.fixed_width = width
        self.done = False
        self.runs = 0
        self.last: Verdict | None = None
        self.started = clock()
        self.baseline = progress.load()  # statuses when the session began
        self.finished: list[dict] = []  # katas that went to passed during the session
        self.quit_typed = threading.Event()  # set by the stdin reader as soon as q is typed
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

    def run_once(self) -> Verdict | None:
        """Run the specs now and print the verdict. A save or a typed q during the run cancels
        it (None): a save starts the next run at once, q quits."""
        self.seen = self.signatures()
        with Canceller(lambda: self.changed() or self.quit_typed.is_set()) as cancel:
            try:
                verdict = self.runner(self.kata, override=self.override, all_specs=self.all_specs)
            except KeyboardInterrupt:
                if not cancel.fired:
                    raise
                verdict = None
        if verdict is None:  # the next poll sees the save (or the loop reads the q)
            why = "quitting" if self.quit_typed.is_set() else "the file changed, running again"
            self.say(f"(run cancelled: {why})")
            return None
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
        text, width = text.rstrip("\n"), self.width()
        self.out.write((wrapped(text, width) if width else text) + "\n")
        self.out.flush()

    def width(self) -> int | None:
        if self.fixed_width:
            return max(MIN_WIDTH, self.fixed_width)
        isatty = getattr(self.out, "isatty", None)
        return max(MIN_WIDTH, shutil.get_terminal_size().columns) if isatty and isatty() else None

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
            nxt = progress.following_kata(self.kata, progress.load())
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
        if command in QUIT:
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
        nxt = progress.following_kata(self.kata, progress.load())
        if nxt is None:
            self.say("every built kata passes: nothing left to watch. q quits.")
            return
        self.switch_to(nxt)
        self.say(f"now watching {nxt.id}: edit katas/{nxt.id}.py")

    def jump(self, text: str) -> None:
        try:
            kata = curriculum.find_kata(text)
        except curriculum.UnknownKata as err:
            self.say(f"{err.args[0]}. Keys: {KEYS}")
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

def wrapped(text: str, width: int) -> str:
    """Each line of text folded to `width` columns; continuation lines keep the line's own
    indent plus two spaces, so a long message reads whole instead of running off the screen."""
    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(line, width, initial_indent="", subsequent_indent=indent + "  ",
                             break_long_words=True, break_on_hyphens=False) or [line]
    return "\n".join(out)


class Canceller:
    """Cancel the run in progress when `wanted()` turns true: a daemon thread polls it and
    interrupts the main thread (a KeyboardInterrupt, `fired` set), so a hung spec never
    holds a save or a q back until its timeout. Only the main thread can be interrupted; in
    any other thread the run simply is not cancelled. Where SIGINT is ignored (a process
    started in the background, as CI may start `make test`), interrupt_main would do
    nothing, so Python's own SIGINT handler is put in place for the run."""

    def __init__(self, wanted: Callable[[], bool], interval: float = POLL_SECONDS):
        self.wanted, self.interval = wanted, interval
        self.fired = False
        self._lock = threading.Lock()
        self._armed = threading.current_thread() is threading.main_thread()
        self._stop = threading.Event()
        self._sigint = None  # the SIGINT disposition to restore, where it was not Python's

    def __enter__(self) -> "Canceller":
        if self._armed:
            if (handler := signal.getsignal(signal.SIGINT)) in (signal.SIG_IGN, signal.SIG_DFL):
                self._sigint = handler
                signal.signal(signal.SIGINT, signal.default_int_handler)
            threading.Thread(target=self._watch, name="katas-cancel", daemon=True).start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            if self.wanted():
                with self._lock:
                    if self._armed:
                        self.fired = True
                        _thread.interrupt_main()
                return

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._armed = False
        self._stop.set()
        if self.fired and exc[0] is None:  # fired as the run returned: the interrupt is pending
            try:
                for _ in range(1000):
                    time.sleep(0)
            except KeyboardInterrupt:
                pass
        if self._sigint is not None:
            signal.signal(signal.SIGINT, self._sigint)


class StdinReader:
    """Lines typed on stdin, collected by a daemon thread so the watcher never blocks on them.
    It reads a duplicate of fd 0: pytest's fd capture points fd 0 at /dev/null during runs."""

    def __init__(self):
        self.lines: queue.Queue[str] = queue.Queue()
        self.quit_typed = threading.Event()  # a q arrived (the line is queued too)
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
                text = line.decode(errors="replace")
                if text.strip() in QUIT:
                    self.quit_typed.set()
                self.lines.put(text)

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
    if isinstance(getattr(read, "quit_typed", None), threading.Event):
        watcher.quit_typed = read.quit_typed
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
