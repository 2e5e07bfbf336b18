"""Progressive hints: `katas hint` and the h key of watch, pair and drill share one count per
kata, kept in the state file (a drill counts its own)."""

from __future__ import annotations

import time

from harness import progress
from harness.curriculum import ROOT, Kata


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
