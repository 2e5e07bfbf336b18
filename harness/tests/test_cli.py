"""The `katas` command: status, next, hint, reset, solution, badges, watch, pair and drill,
with bad input. The state file is always a temporary one (KATAS_STATE); tests that change
kata files point the manifest at a scratch repository (the real katas/ are never written);
the watch loop runs with a fake runner and a fake clock, plus a few real in-process runs."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness import cli, curriculum, drill as drills, pair as pairs, runner as in_process, watch
from harness.curriculum import ROOT
from harness.stubs import committed_stub, is_stub
from harness.runner import Verdict

pytestmark = pytest.mark.selftest

CREATION = curriculum.BY_ID["tensors/creation"]
INDEXING = curriculum.BY_ID["tensors/indexing"]
# Every catalogued kata is built, so the tests add a planned one of their own.
PLANNED = curriculum.Kata("future/kata", 6, "33", "A kata still to come", planned=True)
STUB = '"""A stub."""\n\n\ndef f(x):\n    raise NotImplementedError\n'


@pytest.fixture(autouse=True)
def a_planned_kata(monkeypatch):
    monkeypatch.setattr(curriculum, "KATAS", (*curriculum.KATAS, PLANNED))
    monkeypatch.setitem(curriculum.BY_ID, PLANNED.id, PLANNED)


@pytest.fixture
def state(tmp_path, monkeypatch):
    """A temporary state file (not created yet)."""
    path = tmp_path / "state" / "state.json"
    monkeypatch.setenv("KATAS_STATE", str(path))
    return path


@pytest.fixture
def run(capsys):
    """run(*argv) -> (exit code, stdout, stderr) of `katas ...`, in this process."""
    def run(*argv):
        code = cli.main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def save(path: Path, **top) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "katas": {}, **top}))


def passed(*katas) -> dict:
    return {k.id: {"status": "passed", "passed": 1, "total": 1, "updated": "x"} for k in katas}


def unwritable(tmp_path, monkeypatch) -> Path:
    """KATAS_STATE under a regular file: nothing can be created there (tests run as root, so
    chmod would not stop writes)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("KATAS_STATE", str(blocker / "state.json"))
    return blocker


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """The manifest pointed at a scratch repository holding the learner's work on
    tensors/creation; committed_stub answers STUB."""
    root = tmp_path / "repo"
    (root / "katas/tensors").mkdir(parents=True)
    (root / "katas/tensors/creation.py").write_text("# my work\n")
    for module in (curriculum, cli, watch):
        monkeypatch.setattr(module, "ROOT", root)
    monkeypatch.setattr(cli, "committed_stub", lambda kata: STUB)
    return root


# ----------------------------------------------------------------------------- status, next

def test_status_shows_phases_and_the_next_kata(state, run):
    code, out, _ = run("status")
    assert code == 0
    assert "phase 1" in out and "phase 6" in out
    assert f"next: {CREATION.id}" in out
    save(state, katas=passed(CREATION))
    code, out, _ = run("status")
    assert f"next: {INDEXING.id}" in out


def test_next_gives_the_file_and_the_task(state, run):
    save(state, katas=passed(CREATION))
    code, out, _ = run("next")
    assert code == 0
    assert f"file:  katas/{INDEXING.id}.py" in out and f"pytest katas/{INDEXING.id}.py" in out
    assert "Write:" in out


def test_next_when_everything_passes(state, run):
    save(state, katas=passed(*curriculum.built()))
    code, out, _ = run("next")
    assert code == 0 and "every built kata passes" in out


def test_a_corrupt_state_file_is_set_aside_with_a_plain_warning(state, run):
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    code, out, err = run("status")
    assert code == 0 and f"next: {CREATION.id}" in out
    assert err.startswith("katas: warning: progress file") and "Traceback" not in err
    assert [p.read_text() for p in state.parent.glob("state.json.corrupt-*")] == ["{not json"]


# ----------------------------------------------------------------------------- hint

def test_hints_come_one_at_a_time_and_are_remembered(state, run):
    for n in range(1, len(CREATION.hints) + 1):
        code, out, _ = run("hint", "creation")
        assert code == 0
        hint = CREATION.hints[n - 1]
        assert out.startswith(f"hint {n}/{len(CREATION.hints)} for {CREATION.id}: {hint}")
    assert json.loads(state.read_text())["hints"] == {CREATION.id: len(CREATION.hints)}
    code, out, _ = run("hint", "katas/tensors/creation.py")
    assert f"all {len(CREATION.hints)} hints of {CREATION.id} are shown" in out
    assert all(hint in out for hint in CREATION.hints)
    assert "specs/tensors/test_creation.py" in out
    assert json.loads(state.read_text())["hints"] == {CREATION.id: len(CREATION.hints)}


def test_a_hint_is_shown_even_when_the_count_cannot_be_saved(tmp_path, monkeypatch, run):
    unwritable(tmp_path, monkeypatch)
    code, out, err = run("hint", CREATION.id)
    assert code == 0 and out.startswith("hint 1/")
    assert "could not remember" in err


@pytest.mark.parametrize("command", ["hint", "solution", "reset", "drill"])
@pytest.mark.parametrize("kata,message", [
    ("nope", "no kata 'nope'"),
    ("rules", "'rules' is ambiguous: broadcasting/rules, autograd/rules"),
    (PLANNED.id, f"{PLANNED.id} is planned: it has no stub or specs yet"),
])
def test_bad_kata_names_are_clear_errors(state, run, command, kata, message):
    code, out, err = run(command, kata)
    assert code == 2 and out == ""
    assert err.startswith(f"katas {command}: ") and message in err
    assert not state.exists()


# ----------------------------------------------------------------------------- reset

def test_reset_backs_up_the_work_then_restores_the_stub(state, run, repo):
    mine = repo / "katas/tensors/creation.py"
    code, out, _ = run("reset", CREATION.id)
    assert code == 0 and "stub restored; your file is saved in" in out
    assert mine.read_text() == STUB
    backups = list(state.parent.glob("backups/*/katas/tensors/creation.py"))
    assert [b.read_text() for b in backups] == ["# my work\n"]
    code, out, _ = run("reset", CREATION.id)
    assert out.strip() == f"{CREATION.id}: already the stub"
    mine.write_text("# second try\n")
    run("reset", CREATION.id)  # within the same second: a second backup, not an overwrite
    saved = sorted(b.read_text() for b in state.parent.glob("backups/*/katas/tensors/*.py"))
    assert saved == ["# my work\n", "# second try\n"]


def test_reset_changes_nothing_when_the_backup_cannot_be_written(tmp_path, monkeypatch, run, repo):
    unwritable(tmp_path, monkeypatch)
    code, _, err = run("reset", CREATION.id)
    assert code == 2 and "could not back up your file" in err and "nothing changed" in err
    assert (repo / "katas/tensors/creation.py").read_text() == "# my work\n"


def test_reset_clears_the_katas_progress(state, run, repo):
    save(state, katas=passed(CREATION, INDEXING))
    run("reset", CREATION.id)
    assert json.loads(state.read_text())["katas"].keys() == {INDEXING.id}
    code, _, err = run("solution", CREATION.id)
    assert code == 2 and "does not pass yet" in err


def test_reset_all_asks_summarises_and_restore_brings_the_files_back(state, run, repo, monkeypatch):
    monkeypatch.setattr(curriculum, "built", lambda: [CREATION, INDEXING])
    (repo / "katas/tensors/indexing.py").write_text("# indexing work\n")
    save(state, katas=passed(CREATION))
    code, _, err = run("reset", "--all")  # no terminal to ask: refuse, change nothing
    assert code == 2 and "--yes" in err
    assert (repo / "katas/tensors/creation.py").read_text() == "# my work\n"
    code, out, _ = run("reset", "--all", "--yes")
    assert code == 0 and "2 of 2 katas reset to their stubs" in out and "katas restore" in out
    assert len(out.strip().splitlines()) == 2
    assert (repo / "katas/tensors/indexing.py").read_text() == STUB
    assert json.loads(state.read_text())["katas"] == {}
    assert len(list((state.parent / "backups").iterdir())) == 1  # one folder for the run
    code, out, _ = run("restore")
    assert code == 0 and (repo / "katas/tensors/indexing.py").read_text() == "# indexing work\n"
    assert (repo / "katas/tensors/creation.py").read_text() == "# my work\n"
    code, _, err = run("restore", "nope")
    assert code == 2 and "no backup 'nope'" in err
    for argv in (["reset"], ["reset", CREATION.id, "--all"]):
        code, _, err = run(*argv)
        assert code == 2 and "give one KATA or --all" in err


def test_reset_without_a_committed_stub_keeps_the_work(state, run, repo, monkeypatch):
    monkeypatch.setattr(cli, "committed_stub", lambda kata: None)
    code, _, err = run("reset", CREATION.id)
    assert code == 2 and "no committed stub" in err
    assert (repo / "katas/tensors/creation.py").read_text() == "# my work\n"


# ----------------------------------------------------------------------------- solution, badges

def test_solution_waits_for_a_pass_unless_forced(state, run):
    code, out, err = run("solution", CREATION.id)
    assert code == 2 and out == "" and "does not pass yet (not run)" in err and "--force" in err
    code, out, _ = run("solution", CREATION.id, "--force")
    assert code == 0 and "# solutions/tensors/creation.py" in out
    assert CREATION.solution_path.read_text() in out
    assert "typical mistakes" in out
    assert "- copies_numpy: " in out  # each mistake with its explanation
    save(state, katas=passed(CREATION))
    code, out, _ = run("solution", CREATION.id)
    assert code == 0 and CREATION.solution_path.read_text() in out


def test_badges_one_svg_and_one_endpoint_json_per_phase(state, run, tmp_path):
    phase1 = [k for k in curriculum.built() if k.phase == 1]
    save(state, katas=passed(*phase1))
    code, out, _ = run("badges", "--out", tmp_path / "b")
    assert code == 0
    for phase in curriculum.PHASES:
        badge = json.loads((tmp_path / f"b/phase-{phase}.json").read_text())
        assert badge["schemaVersion"] == 1 and badge["label"] == f"phase {phase}"
        assert "<svg" in (tmp_path / f"b/phase-{phase}.svg").read_text()
    one = json.loads((tmp_path / "b/phase-1.json").read_text())
    assert one == {"schemaVersion": 1, "label": "phase 1", "color": "brightgreen",
                   "message": f"{len(phase1)}/{len(phase1)}"}
    two = json.loads((tmp_path / "b/phase-2.json").read_text())
    assert two["color"] == "lightgrey" and two["message"].startswith("0/")


def test_badges_to_an_unwritable_folder_is_a_clear_error(state, run, tmp_path):
    (tmp_path / "file").write_text("")
    code, _, err = run("badges", "--out", tmp_path / "file" / "b")
    assert code == 2 and "cannot write badges to" in err


# ----------------------------------------------------------------------------- watch: the loop

def fake_runner(*statuses):
    """A runner that answers the given verdicts in turn and remembers its calls."""
    answers = iter(statuses)

    def runner(kata, override=None, all_specs=False):
        runner.calls.append((kata.id, override, all_specs))
        status, extra = next(answers)
        return Verdict(kata=kata.id, status=status, total=20, seconds=0.01, **extra)
    runner.calls = []
    return runner


def script(*steps):
    """An input for watch.loop: strings are typed lines, callables are actions (a save),
    None is a poll with nothing typed."""
    todo = list(steps)

    def read():
        step = todo.pop(0) if todo else "q"
        if callable(step):
            step()
            return None
        return step
    return read


class Clock:
    def __init__(self, now=1_700_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


NOT_STARTED = ("not started", {"failed": 1, "stopped_early": True, "first_failure": "test_a[1]",
                               "message": "not started: katas/tensors/creation.py::causal_mask"})
FAILING = ("failing", {"passed": 3, "failed": 1, "stopped_early": True, "first_failure": "test_b",
                       "message": "SpecFailure: causal_mask(1): 1 of 1 values differ\n"
                                  "  hint: the diagonal"})
PASSED = ("passed", {"passed": 20})


def test_watch_runs_on_each_save_and_moves_on_only_when_asked(state, repo):
    mine = repo / "katas/tensors/creation.py"
    (repo / "katas/tensors/indexing.py").write_text("# next one\n")
    runner, out = fake_runner(NOT_STARTED, FAILING, PASSED, NOT_STARTED), io.StringIO()
    w = watch.Watcher(CREATION, runner=runner, out=out, clock=Clock())
    watch.loop(w, input=script(
        None, None,  # the first poll runs once; an unchanged file does not run again
        lambda: mine.write_text("def causal_mask(n):\n    return 1\n"), None,
        lambda: mine.write_text("def causal_mask(n):\n    return 22\n"), None,
        None, "",  # passed: Enter moves on to the next kata, which runs at the next poll
        None, "q"), sleep=lambda s: None)
    text = out.getvalue()
    assert [c[0] for c in runner.calls] == [CREATION.id] * 3 + [INDEXING.id]
    assert "not started: katas/tensors/creation.py::causal_mask" in text
    assert "write causal_mask in katas/tensors/creation.py" in text
    assert "failing: test_b (stopped at the first failure; 3 of 20 specs passed before it)" in text
    assert "  SpecFailure: causal_mask(1): 1 of 1 values differ" in text
    assert f"PASSED: all 20 specs of {CREATION.id} pass." in text
    assert f"press Enter (or n) to move on to {INDEXING.id}" in text
    assert f"now watching {INDEXING.id}" in text
    assert w.done and w.runs == 4 and w.finished[0]["kata"] == CREATION.id


def test_watch_commands_rerun_hint_switch_and_unknown(state, repo):
    (repo / "katas/broadcasting").mkdir()
    (repo / "katas/broadcasting/rules.py").write_text("# rules\n")
    runner, out = fake_runner(NOT_STARTED, NOT_STARTED, FAILING), io.StringIO()
    w = watch.Watcher(CREATION, runner=runner, out=out, clock=Clock())
    watch.loop(w, input=script(None, "r", "", "h", "zzz", PLANNED.id, INDEXING.id,
                               "broadcasting/rules", "q"), sleep=lambda s: None)
    text = out.getvalue()
    assert w.runs == 3, "r and Enter (before a pass) re-run"
    assert f"hint 1/{len(CREATION.hints)} for {CREATION.id}" in text
    assert "no kata 'zzz'" in text and "n next kata" in text
    assert f"{PLANNED.id} is planned" in text
    assert f"katas/{INDEXING.id}.py is missing: `katas reset {INDEXING.id}`" in text
    assert "now watching broadcasting/rules" in text and w.kata.id == "broadcasting/rules"


def test_watch_all_specs_counts_failures_and_max_runs_stops(state, repo):
    runner = fake_runner(("failing", {"passed": 17, "failed": 3, "first_failure": "t"}))
    out = io.StringIO()
    w = watch.Watcher(CREATION, runner=runner, out=out, clock=Clock(), all_specs=True)
    watch.loop(w, input=lambda: None, max_runs=1, sleep=lambda s: None)
    assert runner.calls == [(CREATION.id, None, True)]
    assert "failing: t (3 of 20 specs failing)" in out.getvalue()


def test_watch_shows_errors_and_blocked(state, repo):
    runner = fake_runner(("error", {"message": "E   SyntaxError: invalid syntax"}),
                         ("blocked", {"failed": 1, "blocked_by": ("tensors/reshaping",),
                                      "message": "blocked: ... finish tensors/reshaping first"}))
    out = io.StringIO()
    w = watch.Watcher(CREATION, runner=runner, out=out, clock=Clock())
    w.run_once()
    w.run_once()
    text = out.getvalue()
    assert "error: the specs could not run katas/tensors/creation.py:\n  E   SyntaxError" in text
    assert "type tensors/reshaping (then Enter) to watch it instead" in text


def test_watch_waits_while_the_file_is_missing(state, repo):
    runner = fake_runner(NOT_STARTED)
    w = watch.Watcher(CREATION, runner=runner, out=io.StringIO(), clock=Clock())
    (repo / "katas/tensors/creation.py").unlink()
    w.poll()
    assert runner.calls == []


def test_ctrl_c_ends_the_loop_cleanly(state, repo):
    def interrupted(kata, **kwargs):
        raise KeyboardInterrupt
    out = io.StringIO()
    w = watch.loop(watch.Watcher(CREATION, runner=interrupted, out=out, clock=Clock()),
                   input=lambda: None, sleep=lambda s: None)
    assert "(interrupted)" in out.getvalue() and w.runs == 0
    assert "cancelled" not in out.getvalue(), "a Ctrl-C is not a cancelled run"


def test_stdin_is_read_without_blocking(monkeypatch):
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_end))
    reader = watch.StdinReader()
    assert reader() is None
    os.write(write_end, b"n\nq\n")
    os.close(write_end)
    lines = []
    for _ in range(200):
        if (line := reader()) is not None:
            lines.append(line)
        if len(lines) == 2:
            break
        watch.time.sleep(0.01)
    assert lines == ["n", "q"]


@pytest.mark.parametrize("argv,message", [
    (["watch", "nope"], "no kata 'nope'"),
    (["watch", PLANNED.id], "is planned"),
    (["pair", "--names", "Ada"], "give two or more different names"),
    (["pair", "--names", "Ada,Ada"], "give two or more different names"),
    (["pair", "--names", "Ada,Linus", "--minutes", "0"], "--minutes must be a positive number"),
    (["drill", CREATION.id, "--minutes", "-5"], "--minutes must be a positive number"),
])
def test_watch_pair_drill_bad_input_fails_before_loading_torch(state, run, argv, message):
    code, out, err = run(*argv)
    assert code == 2 and message in err and "loading torch" not in out


def test_watch_with_nothing_left(state, run):
    save(state, katas=passed(*curriculum.built()))
    code, out, _ = run("watch")
    assert code == 0 and "every built kata passes" in out and "loading torch" not in out


def test_watch_on_a_missing_file_says_how_to_get_it_back(state, run, repo):
    (repo / "katas/tensors/creation.py").unlink()
    code, _, err = run("watch", CREATION.id)
    assert code == 2 and f"`katas reset {CREATION.id}` restores the stub" in err


# ----------------------------------------------------------------------------- watch: real runs

def test_the_in_process_run_records_progress_like_pytest(state):
    before = {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("katas", "specs")}
    verdict = in_process.run_kata(CREATION)
    assert verdict.status in ("passed", "failing", "not started", "blocked"), verdict
    assert json.loads(state.read_text())["katas"][CREATION.id]["status"] == verdict.status
    assert verdict.total > 0 and verdict.seconds > 0
    after = {n: m for n, m in sys.modules.items() if n.split(".")[0] in ("katas", "specs")}
    assert after == before, "the caller's kata and spec modules are restored"


@pytest.mark.filterwarnings("ignore:progress file")
def test_progress_that_cannot_be_saved_is_a_warning_in_the_verdict(tmp_path, monkeypatch):
    unwritable(tmp_path, monkeypatch)
    verdict = in_process.run_kata(CREATION)
    assert verdict.status != "error"
    assert any(w.startswith("progress not saved") for w in verdict.warnings), verdict.warnings
    text = watch.Watcher(CREATION, out=io.StringIO()).render(verdict)
    assert "warning: progress not saved" in text


def test_a_file_that_does_not_import_reads_error(state, tmp_path):
    path = tmp_path / "creation.py"
    path.write_text("import torch\n\nSIZE = undefined_name\n")
    verdict = in_process.run_kata(CREATION, override=path)
    assert verdict.status == "error" and "NameError" in verdict.message
    assert f"{path.name}:3 in <module>: SIZE = undefined_name" in verdict.message, (
        "the learner's frame is shown")
    assert "importlib" not in verdict.message and "_pytest" not in verdict.message
    assert not state.exists(), "override runs record no progress"


def test_a_syntax_error_shows_the_learners_line_first(state, tmp_path):
    path = tmp_path / "creation.py"
    path.write_text("import torch\n\n\ndef causal_mask(n:\n    pass\n")
    verdict = in_process.run_kata(CREATION, override=path)
    lines = verdict.message.splitlines()
    assert verdict.status == "error" and "does not import" in lines[0], verdict.message
    assert re.search(rf"{path.name}:4: SyntaxError: ", lines[1]), verdict.message
    assert lines[2].strip() == "def causal_mask(n:" and lines[3].strip() == "^"


def test_a_verdict_where_the_learners_code_raised_names_its_line(state, tmp_path):
    path = tmp_path / "creation.py"
    path.write_text("from solutions.tensors.creation import *  # noqa\n\n\n"
                    "def causal_mask(n):\n    return 1 / 0\n")
    verdict = in_process.run_kata(CREATION, override=path)
    assert verdict.status == "failing", verdict
    assert verdict.message.splitlines()[0] == "ZeroDivisionError: division by zero"
    assert f"{path.name}:5 in causal_mask: return 1 / 0" in verdict.message.splitlines()[1]


def test_pytest_args_keep_runs_short():
    args = in_process.pytest_args(CREATION)
    assert args[0] == str(CREATION.spec_path) and "-x" in args and "-q" in args
    assert "no:cacheprovider" in args and "--solutions" not in args
    args = in_process.pytest_args(CREATION, override=Path("/tmp/x.py"), all_specs=True)
    assert "-x" not in args and "--solutions" in args
    assert f"--impl-override={CREATION.module}=/tmp/x.py" in args


@pytest.fixture
def stub_text():
    text = committed_stub(CREATION) or CREATION.stub_path.read_text()
    assert is_stub(text), "no pristine stub of tensors/creation (not a git checkout?)"
    return text


def test_a_same_size_save_within_a_second_is_not_hidden_by_stale_bytecode(
        state, tmp_path, stub_text, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # as for most learners
    path = tmp_path / "copy" / "creation.py"
    path.parent.mkdir()
    first = stub_text
    second = stub_text.replace("raise NotImplementedError", "raise NotImplementedErrox", 1)
    assert len(first) == len(second)
    second_start = int(path.parent.stat().st_mtime) + 10
    path.write_text(first)
    os.utime(path, ns=(second_start * 10**9 + 100_000_000,) * 2)
    assert in_process.run_kata(CREATION, override=path).status == "not started"
    path.write_text(second)
    os.utime(path, ns=(second_start * 10**9 + 600_000_000,) * 2)  # the same whole second
    verdict = in_process.run_kata(CREATION, override=path)
    assert verdict.status == "failing" and "NotImplementedErrox" in verdict.message


def test_a_dtype_clash_in_the_learners_code_shows_its_line_and_the_likely_cause(state, tmp_path, stub_text):
    path = tmp_path / "creation.py"
    path.write_text(stub_text.replace(
        "raise NotImplementedError", "return torch.ones(2, dtype=torch.float64) @ torch.ones(2)"))
    verdict = in_process.run_kata(CREATION, override=path)
    assert verdict.status == "failing"
    assert "same dtype" in verdict.message, verdict.message
    assert "creation.py" in verdict.message and "torch.float64" in verdict.message, verdict.message
    assert "hint: two dtypes met in one op" in verdict.message, verdict.message


def test_a_size_clash_in_the_learners_code_names_both_sizes_and_the_likely_cause(state, tmp_path, stub_text):
    path = tmp_path / "creation.py"
    path.write_text(stub_text.replace(
        "raise NotImplementedError", "return torch.ones(5, 5).tril()[:4, :4] + torch.zeros(n + 5, n + 5)"))
    verdict = in_process.run_kata(CREATION, override=path)
    assert verdict.status == "failing"
    assert "hint: two sizes met in one op (4 and " in verdict.message, verdict.message
    assert "built once" in verdict.message, verdict.message


class OnFile(watch.Watcher):
    """Watch mode on a scratch copy (the specs run on `path` through --impl-override)."""

    def __init__(self, kata, path, **kwargs):
        self.path = path
        super().__init__(kata, **kwargs)

    file = property(lambda self: self.path)
    override = property(lambda self: self.path)

    def watched(self):
        return [self.path]


def hung_copy(tmp_path, stub_text) -> Path:
    """The stub with every function hanging; each first touches hung/running (see once_hung)."""
    path = tmp_path / "hung" / "creation.py"
    path.parent.mkdir()
    running = path.parent / "running"
    path.write_text(stub_text.replace(
        "raise NotImplementedError",
        f"open({str(running)!r}, 'w').close()\n    while True:\n        pass"))
    return path


def once_hung(path, action) -> threading.Thread:
    """Run action once the hung copy at `path` is inside its loop (a first run in a new
    process may take more than a second to get there), plus a moment."""
    def wait_then_act():
        deadline = time.perf_counter() + 60
        while not (path.parent / "running").exists() and time.perf_counter() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        action()
    thread = threading.Thread(target=wait_then_act, daemon=True)
    thread.start()
    return thread


def test_a_run_is_cancelled_where_sigint_is_ignored():
    """CI may start `make test` in the background, where SIGINT is ignored and
    interrupt_main alone does nothing."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        start = time.perf_counter()
        with pytest.raises(KeyboardInterrupt), watch.Canceller(lambda: True, interval=0.01) as cancel:
            while time.perf_counter() - start < 5:
                pass
        assert cancel.fired and time.perf_counter() - start < 2
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN, "the disposition is restored"
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.timeout(60)
def test_a_save_cancels_a_hung_run_and_the_next_run_starts_at_once(state, tmp_path, stub_text):
    path = hung_copy(tmp_path, stub_text)
    out = io.StringIO()
    w = OnFile(CREATION, path, out=out, clock=Clock())
    saved = []
    once_hung(path, lambda: (path.write_text(stub_text), saved.append(time.perf_counter())))  # a fix
    assert w.run_once() is None, "the hung run was cancelled"
    assert saved and time.perf_counter() - saved[0] < 10, "cancelled within moments, not at the 15 s spec timeout"
    assert "(run cancelled: the file changed, running again)" in out.getvalue()
    assert w.changed(), "the save is still to be run"
    w.poll()
    assert w.last is not None and w.last.status == "not started", w.last


@pytest.mark.timeout(60)
def test_q_typed_during_a_hung_run_quits_at_once(state, tmp_path, stub_text):
    path = hung_copy(tmp_path, stub_text)
    out = io.StringIO()
    typed = []

    def read():
        return typed.pop(0) if typed else None
    read.quit_typed = threading.Event()

    def type_q():
        typed.append("q")
        read.quit_typed.set()
        typed_at.append(time.perf_counter())
    typed_at = []
    once_hung(path, type_q)
    w = watch.loop(OnFile(CREATION, path, out=out, clock=Clock()), input=read,
                   sleep=lambda s: None)
    assert typed_at and time.perf_counter() - typed_at[0] < 10 and w.done and w.runs == 0
    assert "(run cancelled: quitting)" in out.getvalue() and "(interrupted)" not in out.getvalue()


def test_stdin_reader_flags_q_at_once(monkeypatch):
    read_end, write_end = os.pipe()
    monkeypatch.setattr(sys, "stdin", os.fdopen(read_end))
    reader = watch.StdinReader()
    os.write(write_end, b"h\n")
    assert not reader.quit_typed.wait(0.3)
    os.write(write_end, b"q\n")
    assert reader.quit_typed.wait(2), "q is seen while a run is still going"
    os.close(write_end)


# ----------------------------------------------------------------------------- pair

def test_pair_rotates_the_driver_and_logs_the_session(state, repo):
    clock, out = Clock(), io.StringIO()
    mine = repo / "katas/tensors/creation.py"
    t0 = clock.now

    def at(minutes):
        return lambda: setattr(clock, "now", t0 + minutes * 60)

    pair = pairs.PairWatcher(CREATION, names=["Ada", "Linus"], minutes=10,
                             runner=fake_runner(NOT_STARTED, PASSED), out=out, clock=clock)
    watch.loop(pair, input=script(None, at(5), None, at(10.5), None,
                                  lambda: mine.write_text("done = True\n"), None,
                                  at(21), None, at(25), "q"), sleep=lambda s: None)
    text = out.getvalue()
    assert text.startswith("pair session: Ada drives, Linus navigates; the driver changes "
                           "every 10 min")
    assert re.search(r"switch! Linus drives, Ada navigates \(next: Ada drives at \d", text)
    assert re.search(r"switch! Ada drives, Linus navigates", text)
    assert "Ada driving" in text and "Linus driving" in text
    log = json.loads(pair.log_path.read_text())
    assert pair.log_path.parent == state.parent / "sessions"
    assert [(t["driver"], t["navigator"], t["seconds"]) for t in log["turns"]] == [
        ("Ada", "Linus", 600), ("Linus", "Ada", 600), ("Ada", "Linus", 300)]
    assert log["seconds_driving"] == {"Ada": 900, "Linus": 600} and log["seconds"] == 1500
    assert [(f["kata"], f["driver"]) for f in log["finished"]] == [(CREATION.id, "Linus")]
    assert log["names"] == ["Ada", "Linus"] and log["runs"] == 2
    assert f"finished: {CREATION.id} (Linus driving" in text and f"log: {pair.log_path}" in text


@pytest.mark.filterwarnings("ignore:progress file")
def test_pair_log_is_printed_when_it_cannot_be_written(tmp_path, monkeypatch, repo):
    unwritable(tmp_path, monkeypatch)
    out = io.StringIO()
    pair = pairs.PairWatcher(CREATION, names=["Ada", "Linus", "Grace"], minutes=1,
                             runner=fake_runner(NOT_STARTED), out=out, clock=Clock())
    watch.loop(pair, input=script(None, "q"), sleep=lambda s: None)
    text = out.getvalue()
    assert "could not write the session log" in text and '"names": [' in text
    assert pair.log_path is None


def test_a_mob_of_three_knows_who_is_next_from_the_start(state, repo):
    clock, out = Clock(), io.StringIO()
    t0 = clock.now
    pair = pairs.PairWatcher(CREATION, names=["Ada", "Linus", "Grace"], minutes=10,
                             runner=fake_runner(NOT_STARTED), out=out, clock=clock)
    watch.loop(pair, input=script(None, lambda: setattr(clock, "now", t0 + 601), None, "q"),
               sleep=lambda s: None)
    first, *rest = out.getvalue().splitlines()
    assert first.startswith("pair session: Ada drives, Linus navigates") and "next: Linus drives" in first
    assert any("switch! Linus drives, Grace navigates (next: Grace drives" in line for line in rest)


# ----------------------------------------------------------------------------- drill

def test_drill_works_on_a_scratch_copy_and_records_the_result(state, monkeypatch, stub_text):
    monkeypatch.setattr(cli, "committed_stub", lambda kata: stub_text)
    mine_before = CREATION.stub_path.read_text()
    path = cli.drill_file(CREATION, cli.pristine_source(CREATION))
    assert path.parents[2] == state.parent / "drills"
    assert path.relative_to(state.parent / "drills").parts[1:] == ("tensors", "creation.py")
    assert path.read_text() == stub_text
    clock, out = Clock(), io.StringIO()
    fake = fake_runner(PASSED)

    def runner(kata, override=None, all_specs=False):  # real on the stub, then a quick pass
        assert override == path
        return in_process.run_kata(kata, override=override) if not drill.runs else fake(kata)
    drill = drills.DrillWatcher(CREATION, file=path, minutes=20, out=out, clock=clock,
                               runner=runner)

    def finish_it():
        clock.now += 7 * 60
        path.write_text(CREATION.solution_path.read_text())

    watch.loop(drill, input=script(None, "h", "n", finish_it, None), sleep=lambda s: None)
    text = out.getvalue()
    assert "not started:" in text and "20:00 left" in text
    assert f"hint 1/{len(CREATION.hints)} for {CREATION.id} (drill)" in text
    assert "a drill stays on its kata" in text
    assert f"drill {CREATION.id}: PASSED in 7:00 of 20 min, 1 hint used" in text
    saved = json.loads(state.read_text())
    result = saved["drills"][-1]
    assert result["passed"] is True and result["hints"] == 1 and result["seconds_used"] == 420
    assert result["outcome"] == "passed" and result["kata"] == CREATION.id
    assert "drill" not in saved and "hints" not in saved, "a drill's hints are its own"
    assert CREATION.id not in saved.get("katas", {}), "override runs record no progress"
    assert CREATION.stub_path.read_text() == mine_before


def test_drill_time_up_and_giving_up(state, tmp_path, repo):
    path = tmp_path / "d" / "creation.py"
    path.parent.mkdir()
    path.write_text(STUB)
    clock, out = Clock(), io.StringIO()
    t0 = clock.now
    drill = drills.DrillWatcher(CREATION, file=path, minutes=10, out=out, clock=clock,
                               runner=fake_runner(NOT_STARTED, FAILING))
    drill.poll()
    for minutes, shown in ((5, "⏱ 5:00 left"), (9 + 1 / 60, "⏱ 0:59 left")):
        clock.now = t0 + minutes * 60
        drill.tick()
        assert out.getvalue().rstrip().endswith(shown)
    path.write_text(STUB + "# saved just before the deadline\n")
    clock.now = t0 + 11 * 60
    drill.tick()
    assert "time's up (10 min)" in out.getvalue()
    assert drill.runs == 2, "a save not yet run when time is up still runs"
    assert drill.done and drill.outcome == "time up"
    drill.finish()
    assert drill.result["passed"] is False and drill.result["seconds_used"] == 600
    assert drill.result["specs"] == "3/20" and drill.result["hints"] == 0
    assert "not passed (time up) in 10:00 of 10 min, 0 hints used" in out.getvalue()
    drill = drills.DrillWatcher(CREATION, file=path, minutes=10, out=io.StringIO(),
                               clock=Clock(), runner=fake_runner(NOT_STARTED))
    watch.loop(drill, input=script(None, "q"), sleep=lambda s: None)
    assert drill.result["outcome"] == "gave up"
    assert [d["outcome"] for d in json.loads(state.read_text())["drills"]] == ["time up", "gave up"]


def test_katas_hint_during_a_drill_counts_for_the_drill(state, run):
    save(state, drill={"kata": CREATION.id, "deadline": watch.time.time() + 600, "hints": 0},
         hints={CREATION.id: 2})
    code, out, _ = run("hint", CREATION.id)
    assert out.startswith(f"hint 1/{len(CREATION.hints)} for {CREATION.id} (drill)")
    saved = json.loads(state.read_text())
    assert saved["drill"]["hints"] == 1 and saved["hints"] == {CREATION.id: 2}
    saved["drill"]["deadline"] = watch.time.time() - 3600  # a drill that was killed long ago
    state.write_text(json.dumps(saved))
    code, out, _ = run("hint", CREATION.id)
    assert out.startswith(f"hint 3/{len(CREATION.hints)} for {CREATION.id}: ")


def test_drill_needs_a_writable_scratch_folder(tmp_path, monkeypatch, run, repo):
    blocker = unwritable(tmp_path, monkeypatch)
    code, out, err = run("drill", CREATION.id, "--minutes", "5")
    assert code == 2 and "cannot create the drill's scratch copy" in err and out == ""
    assert blocker.read_text() == "a file, not a folder"
    assert (repo / "katas/tensors/creation.py").read_text() == "# my work\n"


def test_drill_without_any_stub_is_a_clear_error(state, run, repo, monkeypatch):
    monkeypatch.setattr(cli, "committed_stub", lambda kata: None)
    code, _, err = run("drill", CREATION.id)
    assert code == 2 and "no committed stub found" in err


# ----------------------------------------------------------------------------- the command itself

def test_the_console_command_runs_in_a_new_process(state):
    env = {**os.environ, "KATAS_STATE": str(state)}
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "hint", "nope"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.startswith("katas hint: no kata 'nope'")
    proc = subprocess.run([sys.executable, "-m", "harness.cli", "status"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "phase 1" in proc.stdout


def test_the_readme_documents_every_command_and_flag():
    readme = (ROOT / "README.md").read_text()
    assert "## Learner tools" in readme, (
        "README.md has no '## Learner tools' section documenting the katas command")
    section = readme.split("## Learner tools", 1)[1].split("\n## ", 1)[0]
    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        assert f"katas {name}" in section, f"README: `katas {name}` is not documented"
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert f"katas {name}" in section and flag in section, (
                        f"README: `katas {name} {flag}` is not documented")


# ----------------------------------------------------------------------------- habits

def test_list_shows_every_kata_with_phase_day_and_status(state, run):
    save(state, katas=passed(CREATION))
    code, out, _ = run("list")
    assert code == 0 and "phase 1  PyTorch fundamentals" in out
    line = next(l for l in out.splitlines() if CREATION.id in l)
    assert "day 1" in line and "passed" in line and CREATION.title in line
    assert all(k.id in out for k in curriculum.KATAS)
    assert "planned" in next(l for l in out.splitlines() if PLANNED.id in l)


def test_hint_without_a_name_means_the_kata_you_are_on(state, run):
    save(state, katas=passed(CREATION))
    code, out, _ = run("hint")
    assert code == 0 and out.startswith(f"hint 1/{len(INDEXING.hints)} for {INDEXING.id}")


def test_bare_katas_starts_watch(monkeypatch, run):
    seen = []
    monkeypatch.setattr(cli, "cmd_watch", lambda args: seen.append(args.command) or 0)
    assert run()[0] == 0 and seen == ["watch"]


def test_a_mistyped_kata_gets_did_you_mean(run):
    code, _, err = run("hint", "creaton")
    assert code == 2 and "did you mean tensors/creation?" in err


@pytest.mark.parametrize("command", ["list", "status"])
def test_a_reader_that_leaves_early_is_not_an_error(command):
    """`katas list | head -2`: the pipe closes before the output is written."""
    proc = subprocess.Popen([sys.executable, "-m", "harness.cli", command], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and err == "", err


def test_watch_wraps_long_lines_instead_of_cutting_them(state, repo):
    long_hint = "hint: " + " ".join(f"word{i}" for i in range(80))  # ~560 characters
    failing = ("failing", {**FAILING[1], "message": "SpecFailure: values differ\n  " + long_hint})
    out = io.StringIO()
    w = watch.Watcher(CREATION, runner=fake_runner(failing), out=out, clock=Clock(), width=60)
    w.run_once()
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 60 for line in lines), max(lines, key=len)
    folded = " ".join(line.strip() for line in lines if line.startswith("    ") or "hint:" in line)
    assert "word0" in folded and "word79" in folded, "nothing of the message is cut"
