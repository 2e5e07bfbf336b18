"""The `katas` command: the learner's tools around the specs.

    katas                        the same as `katas watch`: the learner's loop
    katas status                 progress per phase and the next kata
    katas list                   every kata with its phase, day and status
    katas next                   the first unfinished kata: its file and its task
    katas hint [KATA]            the next progressive hint (default: the kata you are on)
    katas reset KATA | --all [--yes]
                                 restore the stub, saving your file to .katas/backups/ first,
                                 and forget the kata's progress (--all asks to confirm)
    katas restore [STAMP]        bring back the files of the latest (or the named) reset
    katas solution KATA          the reference solution, once the kata passes (or --force)
    katas badges [--out DIR]     one SVG badge and one shields.io endpoint JSON per phase
    katas watch [KATA] [--all]   re-run a kata's specs on every save (default: the next kata)
    katas pair --names A,B [--minutes N] [KATA]
                                 watch mode for a pair: the driver changes every N minutes,
                                 a session log is written to .katas/sessions/ at the end
    katas drill KATA [--minutes N]
                                 a timed mock interview on a fresh copy of the stub (your
                                 katas/ file is not touched); the result goes to the state file

KATA is "topic/name" (e.g. tensors/creation), a path such as katas/tensors/creation.py, or a
kata name that is unique (creation).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import shutil
import os
import sys
import time
import warnings
from pathlib import Path

from harness import curriculum, progress
from harness.curriculum import ROOT, Kata, UnknownKata, find_kata
from harness.stubs import committed_stub, is_stub


class CliError(Exception):
    """A message for the learner; the command exits with status 2 and changes nothing."""


def _built(kata: Kata) -> Kata:
    if kata.planned:
        raise CliError(f"{kata.id} is planned: it has no stub or specs yet")
    return kata


def task_of(kata: Kata, source: str | None = None) -> str:
    """The first paragraph of the stub's task: the 'Write:' block of its docstring (of
    `source`, by default the kata's file)."""
    doc = ast.get_docstring(ast.parse(source or kata.stub_path.read_text())) or ""
    return doc.split("\nRun:")[0].strip()


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


def cmd_list(args) -> int:
    """Every kata with its phase, day and status."""
    statuses = progress.load()
    for phase, title in curriculum.PHASES.items():
        print(f"phase {phase}  {title}")
        for kata in (k for k in curriculum.KATAS if k.phase == phase):
            status = "planned" if kata.planned else statuses.get(kata.id) or "not run"
            print(f"  day {kata.day:<6} {kata.id:<30} {status:<12} {kata.title}")
    return 0


def cmd_hint(args) -> int:
    from harness.hints import next_hint

    if args.kata is None:  # the kata you are on: the first that does not pass
        kata = progress.next_kata(progress.load())
        if kata is None:
            raise CliError("every built kata passes: name one, e.g. `katas hint tensors/creation`")
    else:
        kata = _built(find_kata(args.kata))
    lines = next_hint(kata)
    print("\n".join(line for line in lines if not line.startswith("(could not")))
    for line in lines:
        if line.startswith("(could not"):
            print(line, file=sys.stderr)
    return 0


def shown(path: Path) -> Path:
    """A path as the learner reads it: relative to the repository when inside it."""
    return path.relative_to(ROOT) if ROOT in path.parents else path


def backups_dir() -> Path:
    return progress.state_path().parent / "backups"


def _backup(path: Path, stamp: str | None = None) -> Path:
    """Copy a kata file to backups/<stamp>/, one folder per reset run."""
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    target = backups_dir() / stamp / path.relative_to(ROOT)
    n = 1
    while target.exists():
        target = target.with_name(f"{path.stem}.{n}{path.suffix}")
        n += 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


def reset_one(kata: Kata, stamp: str | None = None) -> str:
    """Restore one kata's stub and forget its progress; returns what was done. Raises
    CliError before changing anything when it cannot."""
    current = kata.stub_path.read_text() if kata.stub_path.exists() else None
    stub = committed_stub(kata)
    if stub is None:
        if current is not None and is_stub(current):
            progress.forget([kata.id])
            return f"{kata.id}: already the stub"
        raise CliError(f"{kata.id}: no committed stub found in git history; nothing changed")
    if current == stub:
        progress.forget([kata.id])
        return f"{kata.id}: already the stub"
    saved = ""
    if current is not None:
        try:
            saved = f"; your file is saved in {shown(_backup(kata.stub_path, stamp))}"
        except OSError as err:
            raise CliError(f"{kata.id}: could not back up your file ({err}); nothing changed")
    try:
        kata.stub_path.parent.mkdir(parents=True, exist_ok=True)
        kata.stub_path.write_text(stub)
    except OSError as err:
        raise CliError(f"{kata.id}: could not write the stub ({err}){saved}")
    progress.forget([kata.id])
    return f"{kata.id}: stub restored{saved}"


def _confirm(question: str) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


def cmd_reset(args) -> int:
    if args.all == bool(args.kata):
        raise CliError("give one KATA or --all")
    if not args.all:
        print(reset_one(_built(find_kata(args.kata))))
        return 0
    katas = list(curriculum.built())
    if not args.yes and not _confirm(f"Reset all {len(katas)} katas to their stubs? "
                                     "(your files are backed up first)"):
        raise CliError("reset --all replaces every kata file: run it again with --yes to confirm")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    lines = [reset_one(kata, stamp) for kata in katas]
    restored = sum("stub restored" in line for line in lines)
    where = backups_dir() / stamp
    print(f"{restored} of {len(katas)} katas reset to their stubs, {len(katas) - restored} were "
          f"stubs already; progress cleared.")
    if restored:
        print(f"your files are in {shown(where)}/ (`katas restore {stamp}` brings them back)")
    return 0


def cmd_restore(args) -> int:
    """Copy a reset's backups back over the kata files (backing up what is there first)."""
    root = backups_dir()
    stamps = sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not stamps:
        raise CliError(f"no backups in {shown(root)}: nothing to restore")
    stamp = args.stamp or stamps[-1]
    if stamp not in stamps:
        raise CliError(f"no backup {stamp!r}; there are: {', '.join(stamps[-5:])}")
    files = sorted((root / stamp).rglob("*.py"))
    now = time.strftime("%Y%m%d-%H%M%S") + "-before-restore"
    for saved in files:
        target = ROOT / saved.relative_to(root / stamp)
        if target.exists() and not is_stub(target.read_text()) and target.read_text() != saved.read_text():
            _backup(target, now)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(saved, target)
        print(f"{shown(target)}: restored from {shown(saved)}")
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
        print(f"# typical mistakes ({kata.gallery_dir.relative_to(ROOT)}/), each explained:\n")
        for path in gallery:
            doc = ast.get_docstring(ast.parse(path.read_text())) or ""
            print(f"- {path.stem}: {' '.join(doc.split())}\n")
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


# ----------------------------------------------------------------------------- watch, pair, drill

def _watch_target(text: str | None) -> Kata | None:
    """The kata named, or the next unfinished one (None when every built kata passes)."""
    if text:
        kata = _built(find_kata(text))
    elif (kata := progress.next_kata(progress.load())) is None:
        return None
    if not kata.stub_path.exists():
        raise CliError(f"katas/{kata.id}.py is missing: `katas reset {kata.id}` restores the stub")
    return kata


def _positive(minutes: float, flag: str = "--minutes") -> float:
    if not minutes > 0:
        raise CliError(f"{flag} must be a positive number of minutes, not {minutes:g}")
    return minutes


def _warm(keys: str | None = None) -> None:
    from harness import runner, watch

    print("loading torch and pytest once (re-runs then take a fraction of a second)...",
          flush=True)
    print(f"ready in {runner.warm_up():.1f} s. Keys (then Enter): {keys or watch.KEYS}",
          flush=True)


def cmd_watch(args) -> int:
    from harness import watch

    kata = _watch_target(args.kata)
    if kata is None:
        print("every built kata passes: nothing to watch. Planned katas arrive later.")
        return 0
    _warm()
    print(f"watching katas/{kata.id}.py: save it and the specs re-run.")
    watch.loop(watch.Watcher(kata, all_specs=args.all))
    return 0


def parse_names(text: str) -> list[str]:
    """'Ada, Linus' -> ['Ada', 'Linus']: two or more distinct names."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if len(names) < 2 or len(set(names)) != len(names):
        raise CliError(f"--names {text!r}: give two or more different names, "
                       "e.g. --names Ada,Linus")
    return names


def cmd_pair(args) -> int:
    from harness import pair, watch

    names, minutes = parse_names(args.names), _positive(args.minutes)
    kata = _watch_target(args.kata)
    if kata is None:
        print("every built kata passes: nothing to pair on. Try `katas drill KATA`.")
        return 0
    _warm()
    print(f"watching katas/{kata.id}.py: save it and the specs re-run.")
    watch.loop(pair.PairWatcher(kata, names=names, minutes=minutes, all_specs=args.all))
    return 0


def pristine_source(kata: Kata) -> str:
    """The kata's stub as committed (harness.stubs), or the file itself while it is a stub."""
    stub = committed_stub(kata)
    if stub is None and kata.stub_path.exists() and is_stub(kata.stub_path.read_text()):
        stub = kata.stub_path.read_text()
    if stub is None:
        raise CliError(f"{kata.id}: no committed stub found in git history, and your file is "
                       "no longer a stub: cannot set up a drill")
    return stub


def drill_file(kata: Kata, source: str) -> Path:
    """Write the stub to <state dir>/drills/<timestamp>/<topic>/<name>.py."""
    base = progress.state_path().parent / "drills"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder, n = base / stamp, 1
    while folder.exists():
        folder, n = base / f"{stamp}-{n}", n + 1
    path = folder / kata.topic / f"{kata.name}.py"
    try:
        path.parent.mkdir(parents=True)
        path.write_text(source)
    except OSError as err:
        raise CliError(f"cannot create the drill's scratch copy under {base} ({err})")
    return path


def cmd_drill(args) -> int:
    from harness import drill as drills, watch

    kata = _built(find_kata(args.kata))
    minutes = _positive(args.minutes)
    source = pristine_source(kata)
    path = drill_file(kata, source)
    plural = "" if minutes == 1 else "s"
    print(f"drill: {kata.id} ({kata.title}), {minutes:g} minute{plural}.\n\n"
          f"{task_of(kata, source)}\n")
    print(f"edit {shown(path)} (a fresh stub; katas/{kata.id}.py is not touched).")
    _warm(drills.DRILL_KEYS)
    drill = drills.DrillWatcher(kata, file=path, minutes=minutes, all_specs=args.all)
    watch.loop(drill)
    return 0 if drill.outcome == "passed" else 1


# ----------------------------------------------------------------------------- main

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="katas", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("status", help="progress per phase").set_defaults(run=cmd_status)
    sub.add_parser("list", help="every kata with its phase, day and status").set_defaults(run=cmd_list)
    sub.add_parser("next", help="the first unfinished kata").set_defaults(run=cmd_next)
    p = sub.add_parser("hint", help="the next hint for a kata")
    p.add_argument("kata", nargs="?", help="default: the kata you are on (the next unfinished one)")
    p.set_defaults(run=cmd_hint)
    p = sub.add_parser("reset", help="restore a kata's stub (your file is backed up)")
    p.add_argument("kata", nargs="?")
    p.add_argument("--all", action="store_true", help="every built kata")
    p.add_argument("--yes", action="store_true", help="with --all: do not ask to confirm")
    p.set_defaults(run=cmd_reset)
    p = sub.add_parser("restore", help="bring back the files a reset backed up")
    p.add_argument("stamp", nargs="?", help="which reset (a folder in .katas/backups/; default: the latest)")
    p.set_defaults(run=cmd_restore)
    p = sub.add_parser("solution", help="show the reference once the kata passes")
    p.add_argument("kata")
    p.add_argument("--force", action="store_true", help="show it even if the kata does not pass")
    p.set_defaults(run=cmd_solution)
    p = sub.add_parser("badges", help="write per-phase badges (SVG and shields.io JSON)")
    p.add_argument("--out", help="folder (default .katas/badges)")
    p.set_defaults(run=cmd_badges)
    all_help = "run every spec, not stopping at the first failure (slower; counts the failures)"
    p = sub.add_parser("watch", help="re-run a kata's specs on every save")
    p.add_argument("kata", nargs="?", help="default: the next unfinished kata")
    p.add_argument("--all", action="store_true", help=all_help)
    p.set_defaults(run=cmd_watch)
    p = sub.add_parser("pair", help="watch mode with driver/navigator rotation and a session log")
    p.add_argument("kata", nargs="?", help="default: the next unfinished kata")
    p.add_argument("--names", required=True, help="who pairs, the first drives first: Ada,Linus")
    p.add_argument("--minutes", type=float, default=15, help="minutes per driver (default 15)")
    p.add_argument("--all", action="store_true", help=all_help)
    p.set_defaults(run=cmd_pair)
    p = sub.add_parser("drill", help="a timed mock interview on a fresh copy of the stub")
    p.add_argument("kata")
    p.add_argument("--minutes", type=float, default=30, help="time allowed (default 30)")
    p.add_argument("--all", action="store_true", help=all_help)
    p.set_defaults(run=cmd_drill)
    return parser


@contextlib.contextmanager
def plain_warnings():
    """Warnings (a corrupt state file set aside, progress not saved) as one plain line."""
    def show(message, category, filename, lineno, file=None, line=None):
        print(f"katas: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv or ["watch"])  # bare `katas` starts the loop
    try:
        with plain_warnings():
            return args.run(args)
    except (CliError, UnknownKata) as err:
        print(f"katas {args.command}: {err.args[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C while loading torch: no traceback
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:  # `katas status | head -2`: the reader left, nothing is wrong
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
