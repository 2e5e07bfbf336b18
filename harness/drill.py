"""`katas drill`: a timed mock interview on a scratch copy of a kata's stub."""

from __future__ import annotations

import math
from pathlib import Path

from harness import progress
from harness.curriculum import Kata
from harness.hints import next_hint
from harness.runner import Verdict
from harness.watch import QUIT, Watcher, iso_text, minutes_text

DRILL_KEYS = "Enter re-run · h hint · q give up"


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

    def run_once(self) -> Verdict | None:
        verdict = super().run_once()
        if verdict is not None and verdict.status == "passed":
            self.outcome, self.done = "passed", True
        return verdict

    def handle(self, command: str) -> None:
        command = command.strip()
        if command in QUIT:
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
