"""The learner's progress: a per-kata status saved in .katas/state.json, and the summary
printed at the end of every run.

The file is JSON, written atomically (a temporary file renamed over the old one), and
holds {"version": 1, "katas": {id: {"status", "passed", "total", "updated"}}, ...}; other
top-level keys (the learner tools keep theirs there) are preserved. A status is one of
"passed", "failing", "not started", "blocked". A corrupt file is set aside, never lost.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from harness import curriculum, triton_extra

VERSION = 1


class ProgressWarning(UserWarning):
    """The state file could not be read or written; the run itself is not affected."""


def state_path() -> Path:
    return Path(os.environ.get("KATAS_STATE", curriculum.ROOT / ".katas" / "state.json"))


def load_state() -> dict:
    """The whole state file; a fresh state when it is missing or unreadable."""
    path = state_path()
    try:
        state = json.loads(path.read_text())
        if not isinstance(state, dict) or not isinstance(state.get("katas", {}), dict):
            raise ValueError("not a katas state object")
    except (FileNotFoundError, NotADirectoryError):  # nothing saved there yet
        return {"version": VERSION, "katas": {}}
    except (OSError, ValueError) as err:
        backup = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        try:
            path.replace(backup)
            where = f"; it was moved to {backup}"
        except OSError:
            where = ""
        warnings.warn(f"progress file {path} could not be read ({err}){where}; starting afresh",
                      ProgressWarning)
        return {"version": VERSION, "katas": {}}
    state.setdefault("katas", {})
    return state


def save_state(state: dict) -> None:
    """Write atomically: readers see the old file or the new one, never half of one."""
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(state, f, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load() -> dict[str, str]:
    """kata id -> saved status."""
    return {k: v.get("status") for k, v in load_state()["katas"].items() if isinstance(v, dict)}


@dataclass
class KataTally:
    """What one run saw of one kata's specs (kept on the controller under xdist)."""
    total: int = 0  # specs in the kata's suite before -k/--phase deselection
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    not_started: int = 0
    blocked: int = 0
    blocked_by: set[str] = field(default_factory=set)


def status_of(tally: KataTally) -> str | None:
    """The status this run proves, or None when it saw too little (a -k or -x run that
    passed only part of the suite says nothing new)."""
    if tally.failed:
        if tally.not_started == tally.failed:
            return "not started"
        if tally.blocked and tally.not_started + tally.blocked == tally.failed:
            return "blocked"
        return "failing"
    if tally.passed and tally.passed + tally.skipped >= tally.total:
        return "passed"
    return None


def merge(saved: dict[str, str], tallies: dict[str, KataTally]) -> dict[str, str]:
    statuses = dict(saved)
    for kata_id, tally in tallies.items():
        if (status := status_of(tally)) is not None:
            statuses[kata_id] = status
    return statuses


def record(tallies: dict[str, KataTally]) -> None:
    state = load_state()
    now = time.strftime("%Y-%m-%dT%H:%M:%S")
    for kata_id, tally in tallies.items():
        if (status := status_of(tally)) is not None:
            state["katas"][kata_id] = {"status": status, "passed": tally.passed,
                                       "total": tally.total, "updated": now}
    state["version"] = VERSION
    try:
        save_state(state)
    except OSError as err:
        warnings.warn(f"progress not saved: cannot write {state_path()} ({err})", ProgressWarning)


def forget(kata_ids) -> None:
    """Drop these katas' progress (a reset kata starts again from "not started")."""
    state = load_state()
    if not any(k in state["katas"] for k in kata_ids):
        return
    for kata_id in kata_ids:
        state["katas"].pop(kata_id, None)
    try:
        save_state(state)
    except OSError as err:
        warnings.warn(f"progress not saved: cannot write {state_path()} ({err})", ProgressWarning)


def next_kata(statuses: dict[str, str], phases: set[int] | None = None) -> curriculum.Kata | None:
    """The first built kata (of `phases`, when given), in curriculum order, that does not
    pass yet."""
    return next((k for k in curriculum.built() if statuses.get(k.id) != "passed"
                 and (phases is None or k.phase in phases)), None)


def following_kata(current: curriculum.Kata, statuses: dict[str, str]) -> curriculum.Kata | None:
    """The next unfinished built kata after `current` in curriculum order, else the first
    unfinished one before it."""
    built = curriculum.built()
    at = built.index(current) if current in built else -1
    for kata in built[at + 1:] + built[:max(at, 0)]:
        if statuses.get(kata.id) != "passed":
            return kata
    return None


def bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else 0
    return "█" * filled + "░" * (width - filled)


def summary_lines(statuses: dict[str, str], phases: set[int] | None = None) -> list[str]:
    lines = []
    for phase, title in curriculum.PHASES.items():
        if phases is not None and phase not in phases:
            continue
        katas = [k for k in curriculum.KATAS if k.phase == phase]
        built = [k for k in katas if not k.planned]
        done = sum(statuses.get(k.id) == "passed" for k in built)
        head = f"phase {phase}  {title:<28}"
        if not built:
            lines.append(f"{head} {'':>5}  planned ({len(katas)} katas)")
            continue
        planned = f"  (+{len(katas) - len(built)} planned)" if len(built) < len(katas) else ""
        todo = next((k.id for k in built if statuses.get(k.id) != "passed"), None)
        tail = f"  next: {todo}" if todo else "  complete"
        if todo and phase == triton_extra.KERNELS_PHASE and not triton_extra.triton_installed():
            tail = f"  {triton_extra.needs_triton_reason()}"
        lines.append(f"{head} {done:>2}/{len(built):<2}  {bar(done, len(built))}{tail}{planned}")
    return lines


def print_summary(tr, statuses: dict[str, str], phases: set[int] | None, recorded: bool) -> None:
    title = "progress" if recorded else "progress of solutions/ in this run (not recorded)"
    tr.write_sep("=", title)
    for line in summary_lines(statuses, phases):
        tr.write_line(line)
    if not recorded:
        return
    todo = next_kata(statuses, phases)
    if todo:
        tr.write_line(f"next kata: {todo.id} ({todo.title}): edit katas/{todo.id}.py, "
                      f"then run: pytest katas/{todo.id}.py")
    else:
        scope = "" if phases is None else f" of phase {', '.join(map(str, sorted(phases)))}"
        tr.write_line(f"every built kata{scope} passes.")
