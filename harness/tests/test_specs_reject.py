"""Every spec fails on the untouched stub, every gallery mistake is rejected, and every
correct variant (solutions/variants/) is accepted.

Each case runs one kata's spec suite in this process (harness/selftest.py) with the kata's
module swapped for the stub, a mistake or a variant; all other katas come from solutions/.
A kata's gallery runs in one session, each mistake first against the spec that rejected it
last time (selftest.gallery_verdicts).
"""

import gc
import shutil

import pytest

from harness import curriculum
from harness.selftest import (gallery, gallery_verdicts, load_catches, mistake_key, pristine_stub,
                              run_gallery_batch, run_spec, variant_verdicts, variants)

pytestmark = [pytest.mark.selftest, pytest.mark.timeout(0)]  # inner specs have their own
BUILT = curriculum.built()
CATCHES = load_catches()


@pytest.fixture(scope="module", autouse=True)
def long_lived_objects_out_of_gc_sight():
    """The runs below each set off full garbage collections, which would walk torch's
    ~300,000 long-lived objects every time (~10% of their CPU)."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_every_spec_fails_on_the_stub(kata, tmp_path):
    result = run_spec(kata, pristine_stub(kata, tmp_path), stop_at_first=False, brief=True)
    assert not result.errors, f"{kata.id}: specs did not collect against the stub:\n{result.errors}"
    assert not result.passed, f"{kata.id}: these specs pass on the stub (vacuous): {result.passed}"
    assert result.failed, f"{kata.id}: no spec ran"
    crashes = {n: m for n, m in result.messages.items() if not m.startswith("not started:")}
    assert not crashes, f"{kata.id}: on the stub these should read 'not started': {crashes}"


@pytest.mark.parametrize("kata", [k for k in BUILT if gallery(k)], ids=lambda k: k.id)
def test_every_gallery_mistake_is_rejected(kata):
    problems = [problem for problem in gallery_verdicts(kata).values() if problem]
    assert not problems, "\n".join(problems)


def test_a_gallery_batch_keeps_each_mistake_to_its_own_copy(tmp_path):
    """In the one-session gallery run, a correct copy run after each mistake (the same spec)
    still passes: no mistake's modules, hangs or settings leak into the next copy."""
    kata = curriculum.get("losses/softmax")
    order, catches = [], dict(CATCHES)
    for mistake in gallery(kata):
        correct = tmp_path / f"{mistake.stem}_then_correct.py"
        shutil.copy(kata.solution_path, correct)
        catches[mistake_key(kata, correct)] = CATCHES[mistake_key(kata, mistake)]
        order += [mistake, correct]
    results = run_gallery_batch(kata, order, catches)
    assert all(results[m].failed for m in order[::2]), "every mistake fails its spec"
    leaked = {c.stem: results[c].messages for c in order[1::2] if not results[c].passed or results[c].failed}
    assert not leaked, leaked


@pytest.mark.parametrize("kata", [k for k in BUILT if variants(k)], ids=lambda k: k.id)
def test_every_correct_variant_is_accepted(kata):
    problems = [problem for problem in variant_verdicts(kata).values() if problem]
    assert not problems, "\n".join(problems)


def test_failure_reports_are_trimmed_and_the_footer_comes_once():
    kata = curriculum.get("losses/softmax")
    result = run_spec(kata, kata.gallery_dir / "no_keepdim.py", stop_at_first=False, diagnose=True)
    reports = list(result.messages.values())
    assert len(reports) > 3
    assert sum("your file: solutions/gallery/losses/softmax/no_keepdim.py" in r for r in reports) == 1
    assert not any("site-packages/torch" in r or "contextlib.py" in r for r in reports)
    assert all("your output equals a known mistake: keepdim missing" in r for r in reports
               if "values differ" in r)
