"""Progress statuses, the state file and the --phase grammar."""

import json

import pytest

from harness import curriculum, progress, triton_extra
from harness.plugin import parse_phases
from harness.progress import KataTally

pytestmark = pytest.mark.selftest


@pytest.mark.parametrize("tally,status", [
    (KataTally(total=3, passed=3), "passed"),
    (KataTally(total=3, passed=2, skipped=1), "passed"),
    (KataTally(total=3, passed=2), None),  # a -k or -x run: proves nothing new
    (KataTally(total=3, failed=3, not_started=3), "not started"),
    (KataTally(total=3, failed=2, blocked=2, blocked_by={"a/b"}), "blocked"),
    (KataTally(total=3, passed=1, failed=1, not_started=1), "not started"),
    (KataTally(total=3, passed=1, failed=2, not_started=1), "failing"),
])
def test_status_of_a_run(tally, status):
    assert progress.status_of(tally) == status


def test_state_is_saved_atomically_and_keeps_other_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("KATAS_STATE", str(tmp_path / "s" / "state.json"))
    progress.save_state({"version": 1, "katas": {}, "hints": {"tensors/creation": 2}})
    progress.record({"tensors/creation": KataTally(total=2, passed=2)})
    state = json.loads((tmp_path / "s" / "state.json").read_text())
    assert state["hints"] == {"tensors/creation": 2}
    assert state["katas"]["tensors/creation"]["status"] == "passed"
    assert list((tmp_path / "s").iterdir()) == [tmp_path / "s" / "state.json"]


def test_corrupt_state_is_moved_aside(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    path.write_text("[1, 2")
    monkeypatch.setenv("KATAS_STATE", str(path))
    with pytest.warns(UserWarning, match="could not be read"):
        assert progress.load() == {}
    assert [p.read_text() for p in tmp_path.glob("state.json.corrupt-*")] == ["[1, 2"]


def test_next_kata_is_the_first_unfinished_in_curriculum_order():
    assert progress.next_kata({}).id == "tensors/creation"
    assert progress.next_kata({"tensors/creation": "passed"}).id == "tensors/indexing"
    assert progress.next_kata({}, phases={4}).id == "inference/kv_cache"  # pytest --phase 4


@pytest.mark.parametrize("text,phases", [
    ("2", {2}), ("1-3", {1, 2, 3}), ("2,4", {2, 4}), ("1-2,6", {1, 2, 6}), (" 5 ", {5}),
])
def test_phase_grammar(text, phases):
    assert parse_phases(text) == phases


@pytest.mark.parametrize("text", ["0", str(max(curriculum.PHASES) + 1), "a", "3-1", "", "1,,2"])
def test_phase_grammar_rejects(text):
    with pytest.raises(pytest.UsageError, match=f"give phase numbers 1-{max(curriculum.PHASES)}"):
        parse_phases(text)


def test_the_summary_says_phase_7_needs_triton_where_it_is_missing(monkeypatch):
    line = lambda: next(l for l in progress.summary_lines({}) if l.startswith("phase 7"))  # noqa: E731
    monkeypatch.setattr(triton_extra, "triton_version", lambda: triton_extra.TRITON_MIN)
    assert "next: kernels/vector" in line()
    monkeypatch.setattr(triton_extra, "triton_version", lambda: None)
    assert line().endswith("needs triton: pip install -e '.[kernels]'") and "next:" not in line()
