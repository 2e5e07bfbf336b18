"""The `katas` command: the learner's tools around the specs.

    katas status                 progress per phase and the next kata
    katas next                   the first unfinished kata: its file and its task
    katas hint KATA              the next progressive hint (remembers how many you have seen)
    katas reset KATA | --all     restore the stub, saving your file to .katas/backups/ first
    katas solution KATA          the reference solution, once the kata passes (or --force)
    katas badges [--out DIR]     one SVG badge and one shields.io endpoint JSON per phase

KATA is "topic/name" (e.g. tensors/creation), a path such as katas/tensors/creation.py, or a
kata name that is unique (creation).
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import sys
import time
from pathlib import Path

from harness import curriculum, progress
from harness.curriculum import ROOT, Kata
from harness.stubs import committed_stub, is_stub


class CliError(Exception):
    """A message for the learner; the command exits with status 2 and changes nothing."""


def find_kata(text: str) -> Kata:
    """A kata from 'topic/name', 'katas/topic/name.py' or a unique 'name'."""
    key = text.strip().removesuffix(".py")
    for prefix in ("katas/", "solutions/", "specs/", "./katas/"):
        key = key.removeprefix(prefix)
    if key in curriculum.BY_ID:
        return curriculum.BY_ID[key]
    matches = [k for k in curriculum.KATAS if k.name == key or k.id.endswith("/" + key)]
    if len(matches) == 1:
        return matches[0]
    close = [k.id for k in curriculum.KATAS if key.split("/")[-1] in k.id]
    if len(matches) > 1:
        raise CliError(f"{text!r} is ambiguous: {', '.join(k.id for k in matches)}")
    hint = f"; did you mean {', '.join(close)}?" if close else "; `katas status` lists them"
    raise CliError(f"no kata {text!r}{hint}")


def _built(kata: Kata) -> Kata:
    if kata.planned:
        raise CliError(f"{kata.id} is planned: it has no stub or specs yet")
    return kata


def task_of(kata: Kata) -> str:
    """The first paragraph of the stub's task: the 'Write:' block of its docstring."""
    doc = ast.get_docstring(ast.parse(kata.stub_path.read_text())) or ""
    return doc.split("\n\nRun:")[0].strip()


# ----------------------------------------------------------------------------- commands

def cmd_status(args) -> int:
    statuses = progress.load()
    for line in progress.summary_lines(statuses):
        print(line)
    todo = progress.next_kata(statuses)
    print(f"\nnext: {todo.id} ({todo.title}) — katas/{todo.id}.py" if todo
          else "\nevery built kata passes.")
    return 0


def cmd_next(args) -> int:
    todo = progress.next_kata(progress.load())
    if todo is None:
        print("every built kata passes. Planned katas arrive with later releases.")
        return 0
    print(f"{todo.id} — {todo.title} (phase {todo.phase}, day {todo.day})")
    print(f"file:  katas/{todo.id}.py")
    print(f"specs: pytest katas/{todo.id}.py\n")
    print(task_of(todo))
    return 0


def cmd_hint(args) -> int:
    kata = _built(find_kata(args.kata))
    state = progress.load_state()
    shown = state.setdefault("hints", {}).get(kata.id, 0)
    if shown >= len(kata.hints):
        print(f"all {len(kata.hints)} hints of {kata.id} are shown:")
        for n, hint in enumerate(kata.hints, 1):
            print(f"  {n}. {hint}")
        print("still stuck? read the failing spec in " + str(kata.spec_path.relative_to(ROOT)))
        return 0
    print(f"hint {shown + 1}/{len(kata.hints)} for {kata.id}: {kata.hints[shown]}")
    state["hints"][kata.id] = shown + 1
    try:
        progress.save_state(state)
    except OSError as err:
        print(f"(could not remember that this hint was shown: {err})", file=sys.stderr)
    return 0


def _backup(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = progress.state_path().parent / "backups" / stamp / path.relative_to(ROOT)
    n = 1
    while target.exists():
        target = target.with_name(f"{path.stem}.{n}{path.suffix}")
        n += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


def reset_one(kata: Kata) -> str:
    """Restore one kata's stub; returns what was done. Raises CliError before changing
    anything when it cannot."""
    current = kata.stub_path.read_text() if kata.stub_path.exists() else None
    stub = committed_stub(kata)
    if stub is None:
        if current is not None and is_stub(current):
            return f"{kata.id}: already the stub"
        raise CliError(f"{kata.id}: no committed stub found in git history; nothing changed")
    if current == stub:
        return f"{kata.id}: already the stub"
    saved = ""
    if current is not None:
        try:
            saved = f"; your file is saved in {_backup(kata.stub_path).relative_to(ROOT)}"
        except OSError as err:
            raise CliError(f"{kata.id}: could not back up your file ({err}); nothing changed")
    kata.stub_path.write_text(stub)
    return f"{kata.id}: stub restored{saved}"


def cmd_reset(args) -> int:
    if args.all == bool(args.kata):
        raise CliError("give one KATA or --all")
    katas = [k for k in curriculum.built()] if args.all else [_built(find_kata(args.kata))]
    for kata in katas:
        print(reset_one(kata))
    return 0


def cmd_solution(args) -> int:
    kata = _built(find_kata(args.kata))
    status = progress.load().get(kata.id)
    if status != "passed" and not args.force:
        raise CliError(f"{kata.id} does not pass yet ({status or 'not run'}): finish it first, "
                       f"or `katas solution {kata.id} --force` to look anyway")
    print(f"# {kata.solution_path.relative_to(ROOT)}\n")
    print(kata.solution_path.read_text())
    gallery = sorted(kata.gallery_dir.glob("*.py"))
    if gallery:
        print(f"# typical mistakes, each explained: {kata.gallery_dir.relative_to(ROOT)}/ "
              f"({', '.join(p.stem for p in gallery)})")
    return 0


BADGE = """<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {message}">
<title>{label}: {message}</title>
<rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{color}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="{lx}" y="14">{label}</text><text x="{mx}" y="14">{message}</text></g></svg>
"""
COLORS = {"brightgreen": "#4c1", "yellow": "#dfb317", "lightgrey": "#9f9f9f"}


def phase_badges(statuses: dict[str, str]) -> dict[int, dict]:
    """shields.io endpoint objects, one per phase."""
    badges = {}
    for phase in curriculum.PHASES:
        built = [k for k in curriculum.KATAS if k.phase == phase and not k.planned]
        done = sum(statuses.get(k.id) == "passed" for k in built)
        if not built:
            message, color = "planned", "lightgrey"
        else:
            message = f"{done}/{len(built)}"
            color = "brightgreen" if done == len(built) else "yellow" if done else "lightgrey"
        badges[phase] = {"schemaVersion": 1, "label": f"phase {phase}", "message": message,
                         "color": color}
    return badges


def badge_svg(label: str, message: str, color: str) -> str:
    lw, mw = 6 * len(label) + 12, 7 * len(message) + 12
    return BADGE.format(w=lw + mw, lw=lw, mw=mw, lx=lw / 2, mx=lw + mw / 2, label=label,
                        message=message, color=COLORS.get(color, color))


def cmd_badges(args) -> int:
    out = Path(args.out) if args.out else progress.state_path().parent / "badges"
    try:
        out.mkdir(parents=True, exist_ok=True)
        for phase, badge in phase_badges(progress.load()).items():
            (out / f"phase-{phase}.json").write_text(json.dumps(badge) + "\n")
            (out / f"phase-{phase}.svg").write_text(
                badge_svg(badge["label"], badge["message"], badge["color"]))
    except OSError as err:
        raise CliError(f"cannot write badges to {out}: {err}")
    print(f"wrote phase-1..{len(curriculum.PHASES)} .svg and .json to {out}")
    return 0


# ----------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="katas", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("status", help="progress per phase").set_defaults(run=cmd_status)
    sub.add_parser("next", help="the first unfinished kata").set_defaults(run=cmd_next)
    p = sub.add_parser("hint", help="the next hint for a kata")
    p.add_argument("kata")
    p.set_defaults(run=cmd_hint)
    p = sub.add_parser("reset", help="restore a kata's stub (your file is backed up)")
    p.add_argument("kata", nargs="?")
    p.add_argument("--all", action="store_true", help="every built kata")
    p.set_defaults(run=cmd_reset)
    p = sub.add_parser("solution", help="show the reference once the kata passes")
    p.add_argument("kata")
    p.add_argument("--force", action="store_true", help="show it even if the kata does not pass")
    p.set_defaults(run=cmd_solution)
    p = sub.add_parser("badges", help="write per-phase badges (SVG and shields.io JSON)")
    p.add_argument("--out", help="folder (default .katas/badges)")
    p.set_defaults(run=cmd_badges)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CliError as err:
        print(f"katas {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
