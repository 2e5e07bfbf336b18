"""The learner's experience, end to end: pytest runs in a scratch copy of the repository
whose katas/ hold the pristine stubs (or files these tests write)."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from harness import curriculum
from harness.curriculum import ROOT
from harness.nested import SKIP_ARGS, nested_run
from harness.selftest import pristine_stub
from harness.tests.forked import PytestProcesses

pytestmark = [pytest.mark.selftest, pytest.mark.timeout(300)]  # each runs pytest in a new process
IGNORE = shutil.ignore_patterns(".venv", ".git", ".katas", ".pytest_cache", ".hypothesis",
                                "__pycache__", "*.egg-info", "build")


@pytest.fixture(scope="session")
def pytest_process():
    with PytestProcesses() as run:
        yield run


@pytest.fixture(scope="session")
def pristine_repo(tmp_path_factory):
    """One copy of the repository per session, with pristine stubs; tests never write to it."""
    scratch = tmp_path_factory.mktemp("pristine")
    copy = scratch / "repo"
    shutil.copytree(ROOT, copy, ignore=IGNORE)
    for kata in curriculum.built():
        stub = pristine_stub(kata, scratch / "stubs")
        if stub.exists():  # a missing one fails test_consistency instead
            shutil.copy(stub, copy / kata.stub_path.relative_to(ROOT))
    return copy


@pytest.fixture
def repo(tmp_path, pristine_repo, pytest_process):
    """A copy of the repository with pristine stubs; run(...) runs pytest inside it. katas/,
    which tests write, is copied; every other file is a hard link to the session's copy (a
    copy of all ~3,000 files cost each test ~1.5 s)."""
    def link_or_copy(src, dst):
        if Path(src).is_relative_to(pristine_repo / "katas"):
            return shutil.copy2(src, dst)
        try:
            os.link(src, dst)
        except OSError:  # another file system
            shutil.copy2(src, dst)
        return dst

    copy = tmp_path / "repo"
    shutil.copytree(pristine_repo, copy, copy_function=link_or_copy)
    state = tmp_path / "state.json"

    def run(*args, cwd=copy, timeout=300, state=state):
        env = {**os.environ, "KATAS_STATE": str(state), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("PYTEST_XDIST_WORKER", None)
        return pytest_process(["-p", "no:cacheprovider", *args], cwd=cwd, env=env, timeout=timeout)

    run.root, run.state = copy, state
    return run


def saved_status(state: Path) -> dict:
    return {k: v["status"] for k, v in json.loads(state.read_text())["katas"].items()}


def test_a_stub_reads_not_started_x_stops_there_and_a_corrupt_state_file_is_set_aside(repo):
    repo.state.write_text("{not json")
    code, out = repo("katas/tensors", "-x")
    assert code == 1, out
    assert "not started: katas/tensors/creation.py::causal_mask" in out
    assert "1 failed" in out and "Traceback" not in out
    assert "progress" in out and "next kata: tensors/creation" in out
    assert saved_status(repo.state)["tensors/creation"] == "not started"
    backups = list(repo.state.parent.glob("state.json.corrupt-*"))
    assert backups and backups[0].read_text() == "{not json"
    assert out.count("katas: warning: progress file") == 1 and "UserWarning" not in out, out


def test_paths_inside_katas_work_from_there(repo):
    code, out = repo("creation.py::test_one_hot_writes_its_own", cwd=repo.root / "katas" / "tensors")
    assert code == 1, out
    assert "not started: katas/tensors/creation.py::one_hot" in out
    assert "1 failed" in out


def test_a_passing_kata_is_recorded_and_a_partial_run_changes_nothing(repo):
    shutil.copy(repo.root / "solutions/tensors/creation.py", repo.root / "katas/tensors/creation.py")
    code, out = repo("katas/tensors/creation.py")
    assert code == 0, out
    assert saved_status(repo.state)["tensors/creation"] == "passed"
    assert "next kata: tensors/creation" not in out
    (repo.root / "katas/tensors/creation.py").write_text(
        (repo.root / "solutions/tensors/creation.py").read_text().replace(".tril()", ".tril(-1)"))
    code, out = repo("katas/tensors/creation.py", "-k", "one_hot")
    assert code == 0, out
    assert saved_status(repo.state)["tensors/creation"] == "passed", "a -k run proves nothing new"
    code, out = repo("katas/tensors/creation.py")
    assert code == 1 and saved_status(repo.state)["tensors/creation"] == "failing"
    assert "causal_mask(1): 1 of 1 values differ" in out
    assert "your file: katas/tensors/creation.py" in out


def test_an_unfinished_prerequisite_reads_blocked(repo):
    (repo.root / "katas/tensors/reshaping.py").write_text(
        "def squeeze_dim(x, dim):\n    raise NotImplementedError\n")
    solution = (repo.root / "solutions/tensors/creation.py").read_text()
    (repo.root / "katas/tensors/creation.py").write_text(solution + (
        "\n\nfrom katas.tensors.reshaping import squeeze_dim\n\n"
        "def causal_mask(n):\n    return squeeze_dim(torch.ones(n, n, dtype=torch.bool).tril(), 0)\n"))
    code, out = repo("katas/tensors/creation.py", "-x")
    assert code == 1, out
    assert ("blocked: tensors/creation uses katas/tensors/reshaping.py::squeeze_dim, which is "
            "not started yet; finish tensors/reshaping first") in out
    assert saved_status(repo.state)["tensors/creation"] == "blocked"


def test_hung_code_times_out_naming_the_kata(repo):
    solution = (repo.root / "solutions/tensors/creation.py").read_text()
    (repo.root / "katas/tensors/creation.py").write_text(
        solution + "\n\ndef causal_mask(n):\n    while True:\n        pass\n")
    code, out = repo("katas/tensors/creation.py::test_causal_mask_first_token_sees_itself",
                     "--timeout", "2")
    assert code == 1, out
    assert "timed out after 2.0s in katas/tensors/creation.py" in out
    assert "katas/tensors/creation.py::causal_mask" in out


def test_solutions_under_xdist_summarise_once_and_record_nothing(repo):
    # one worker is enough to tell the controller's summary from a worker's (and costs one
    # new process with its imports, not two)
    code, out = repo("--solutions", "--phase", "1", "-n", "1", "specs/tensors/test_creation.py")
    assert code == 0, out
    assert out.count("progress of solutions/ in this run (not recorded)") == 1
    assert "phase 2" not in out, "--phase 1 shows phase 1 only"
    assert not repo.state.exists()


def test_an_unwritable_state_folder_is_one_line(repo, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the state folder should be")
    code, out = repo("katas/tensors/creation.py", "-x", state=blocker / "state.json")
    assert code == 1, out
    notes = [line for line in out.splitlines() if "blocker" in line]
    assert len(notes) == 1 and notes[0].startswith("katas: warning: progress not saved"), out


LAST_PHASE = max(curriculum.PHASES)


@pytest.mark.parametrize("args,says", [
    (["--phase="], f"--phase '': give phase numbers 1-{LAST_PHASE}"),
    ([f"--phase={LAST_PHASE + 1}"], f"give phase numbers 1-{LAST_PHASE}"),
    (["--threads=0"], "--threads 0: give a positive number of threads"),
    (["--threads=-3"], "--threads -3: give a positive number of threads"),
    (["--hypothesis-profile=nope"], "--hypothesis-profile 'nope' is not a profile; choose one of"),
    (["katas/tensors/creaton.py"], "did you mean katas/tensors/creation.py"),
    (["katas/tensors/creation.py::nope"], "no spec is named after nope"),
    (["katas/future/kata.py"], "katas/future/kata.py is planned and has no specs yet"),
])
def test_a_bad_option_or_path_gets_one_clear_line(args, says, capsys, monkeypatch):
    # in this process: a usage error takes the same path, without a new process's imports
    monkeypatch.chdir(ROOT)
    monkeypatch.setitem(curriculum.BY_ID, "future/kata", curriculum.Kata(
        "future/kata", LAST_PHASE, "99", "A kata still to come", planned=True))
    with nested_run():
        code = pytest.main([*SKIP_ARGS, "--co", "-q", *args]
                           + ([] if args[0].startswith("katas/") else ["specs/tensors/test_creation.py"]))
    captured = capsys.readouterr()
    out = captured.out + captured.err
    assert code == 4 and says in out, out
    assert "INTERNALERROR" not in out and "Traceback" not in out, out


def test_a_broken_kata_outside_the_selected_phases_does_not_stop_the_run(repo):
    broken = repo.root / "katas/mla/latent.py"
    broken.write_text(broken.read_text() + "\ndef oops(:\n")
    code, out = repo("--phase", "1", "-x")
    assert code == 1 and "not started: katas/tensors/creation.py" in out, out
    assert "error" not in out.splitlines()[-1].lower(), out
    code, out = repo("--phase", "5", "-x")
    assert "specs/mla/test_latent.py" in out and "error" in out.lower()


def test_kata_function_paths_run_that_functions_specs(repo):
    code, out = repo("katas/tensors/creation.py::one_hot", "-q")
    assert code == 1 and "test_one_hot" in out and "test_causal_mask" not in out, out
    assert "not started: katas/tensors/creation.py::one_hot" in out


def test_the_self_test_stays_green_after_a_learner_solves_katas(repo):
    """A learner's fork: stubs committed, then one kata solved and committed, another solved
    and not committed. The self-test reads the committed stubs, not the learner's files."""
    def git(*args):
        subprocess.run(["git", "-c", "user.name=learner", "-c", "user.email=l@example.org", *args],
                       cwd=repo.root, check=True, capture_output=True)
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "fork")
    for kata_id in ("tensors/creation", "tensors/indexing"):
        kata = curriculum.get(kata_id)
        (repo.root / kata.stub_path.relative_to(ROOT)).write_text(kata.solution_path.read_text())
    git("commit", "-q", "-m", "my creation kata", "--", "katas/tensors/creation.py")
    code, out = repo("harness/tests/test_consistency.py", "harness/tests/test_specs_reject.py",
                     "-q", "-k", "(creation or indexing) and not rejected and not accepted")
    assert code == 0, out
    assert "passed" in out.splitlines()[-1], out
