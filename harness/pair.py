"""`katas pair`: watch mode for a pair (or a mob), with driver/navigator rotation and a
session log."""

from __future__ import annotations

import json
import time
from pathlib import Path

from harness import progress
from harness.curriculum import Kata
from harness.runner import Verdict
from harness.watch import Watcher, clock_text, iso_text, minutes_text


class PairWatcher(Watcher):
    """Watch mode for a pair (or a mob): the driver changes every `minutes`, announced on
    screen; finish() writes the session log to <state dir>/sessions/<timestamp>.json."""

    def __init__(self, kata: Kata, *, names: list[str], minutes: float, **kwargs):
        super().__init__(kata, **kwargs)
        self.names, self.minutes = names, minutes
        self.turns = [self._turn(0, self.started)]
        self.log_path: Path | None = None
        self.say(f"pair session: {self.driver} drives, {self.navigator} navigates; the driver "
                 f"changes every {minutes:g} min ({self.up_next()}).")

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

    def up_next(self) -> str:
        """Who takes the keyboard at the next switch, and when."""
        following = self.names[(self.turns[-1]["n"] + 1) % len(self.names)]
        return f"next: {following} drives at {clock_text(self.next_switch)}"

    def tick(self) -> None:
        now = self.clock()
        due = int((now - self.started) // (self.minutes * 60))
        if due > self.turns[-1]["n"]:
            at = self.started + due * self.minutes * 60
            self.turns[-1]["end"] = at
            self.turns.append(self._turn(due, at))
            bell = "\a" if getattr(self.out, "isatty", lambda: False)() else ""
            self.say(f"{bell}⟳ {clock_text(at)} switch! {self.driver} drives, {self.navigator} "
                     f"navigates ({self.up_next()}).")

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
