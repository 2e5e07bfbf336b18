"""The manifest, katas/, specs/, solutions/, the gallery and the README agree."""

import ast
from pathlib import Path

import pytest

from harness import curriculum
from harness.curriculum import KATAS, ROOT
from harness.selftest import gallery
from harness.stubs import committed_stub, is_stub

pytestmark = pytest.mark.selftest
BUILT = curriculum.built()


def stub_source(kata) -> str:
    """The pristine stub (newest committed version that is still a stub), whatever a learner
    has written in katas/ since: the self-test must stay green in a learner's fork."""
    return committed_stub(kata) or kata.stub_path.read_text()


def _source(path) -> str:
    return path if isinstance(path, str) else path.read_text()


def public_names(path: Path | str) -> set[str]:
    tree = ast.parse(_source(path))
    return {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
            and not n.name.startswith("_")}


def constants(path: Path | str) -> set[str]:
    """Module-level names assigned in `path` (data the stub gives, e.g. split patterns)."""
    tree = ast.parse(_source(path))
    return {t.id for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}


def test_kata_ids_are_unique_and_well_formed():
    ids = [k.id for k in KATAS]
    assert len(ids) == len(set(ids))
    assert all(k.id.count("/") == 1 and k.phase in curriculum.PHASES for k in KATAS)


def test_phases_are_in_order():
    phases = [k.phase for k in KATAS]
    assert phases == sorted(phases)


def test_prerequisites_come_earlier():
    seen = set()
    for kata in KATAS:
        missing = [r for r in kata.requires if r not in seen]
        assert not missing, f"{kata.id} requires {missing}, which do not come before it"
        seen.add(kata.id)


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_built_kata_has_every_file(kata):
    for path in (kata.stub_path, kata.spec_path, kata.solution_path):
        assert path.is_file(), f"{kata.id} is built but {path.relative_to(ROOT)} is missing"
    assert (kata.stub_path.parent / "__init__.py").is_file()
    assert len(kata.hints) >= 2, f"{kata.id}: give at least two progressive hints"


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_built_kata_has_five_graded_hints(kata):
    """Idea, plan, torch calls, the contract's edge cases, nearly the answer: at least five
    distinct hints, each short enough to read at a glance (one or two sentences)."""
    assert len(kata.hints) >= 5, f"{kata.id}: give at least five graded hints, not {len(kata.hints)}"
    repeated = {h for h in kata.hints if kata.hints.count(h) > 1}
    assert not repeated, f"{kata.id}: hints repeat: {sorted(repeated)}"
    long = [(i + 1, len(h)) for i, h in enumerate(kata.hints) if len(h) > 300]
    assert not long, f"{kata.id}: hints over 300 characters (hint number, length): {long}"


def imported_from(path: Path, module: str) -> set[str]:
    """Names that `path` imports from `module` (from module import a, b)."""
    tree = ast.parse(path.read_text())
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.module == module for alias in node.names}


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_the_specs_use_only_names_the_stub_defines(kata):
    """The stub is the contract: the specs import only its names, and the solution defines
    them all (it may add helpers of its own)."""
    stub, solution = public_names(stub_source(kata)), public_names(kata.solution_path)
    used = imported_from(kata.spec_path, kata.module)
    assert used, f"{kata.id}: the spec should import the kata's names from {kata.module}"
    assert used <= stub | constants(stub_source(kata)), (
        f"{kata.id}: the spec imports {sorted(used - stub)}, which the stub does not define")
    assert stub <= solution, f"{kata.id}: the solution lacks {sorted(stub - solution)}"


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_stub_is_a_stub_and_solution_is_not(kata):
    assert is_stub(stub_source(kata)), (
        f"{kata.id}: every public function and method of the stub must only raise NotImplementedError")
    assert not is_stub(kata.solution_path.read_text())


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_stub_docstring_states_the_task(kata):
    doc = ast.get_docstring(ast.parse(stub_source(kata))) or ""
    assert f"pytest katas/{kata.id}.py" in doc, f"{kata.id}: the stub's docstring says how to run it"
    assert "Off limits" in doc or "off limits" in doc, f"{kata.id}: name the off-limits built-ins (or 'none')"


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_gallery_covers_the_catalogued_mistakes(kata):
    entries = {p.stem for p in gallery(kata)}
    missing = set(kata.mistakes) - entries
    assert not missing, f"{kata.id}: gallery lacks {sorted(missing)} (solutions/gallery/{kata.id}/)"
    for path in gallery(kata):
        doc = ast.get_docstring(ast.parse(path.read_text()))
        assert doc and len(doc) > 30, f"{path.relative_to(ROOT)}: explain the mistake in its docstring"


def test_planned_katas_have_no_files_yet():
    for kata in (k for k in KATAS if k.planned):
        present = [p for p in (kata.stub_path, kata.spec_path, kata.solution_path) if p.exists()]
        assert not present, f"{kata.id} is marked planned but has {present}: mark it built"


def test_no_stray_kata_files():
    known = {k.id for k in KATAS}
    for base, pattern in (("katas", "*.py"), ("solutions", "*.py"), ("specs", "test_*.py")):
        for path in (ROOT / base).glob(f"*/{pattern}"):
            if path.name == "__init__.py" or path.parent.name == "gallery":
                continue
            name = path.stem.removeprefix("test_") if base == "specs" else path.stem
            assert f"{path.parent.name}/{name}" in known, f"{path.relative_to(ROOT)} is not in the manifest"


def test_readme_table_matches_the_manifest():
    readme = (ROOT / "README.md").read_text()
    assert curriculum.readme_table() in readme, (
        "README's curriculum table is stale: run python -m harness.curriculum --readme")
