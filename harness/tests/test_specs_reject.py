"""Every spec fails on the untouched stub, every gallery mistake is rejected, and every
correct variant (solutions/variants/) is accepted.

Each case runs one kata's spec suite in this process (harness/selftest.py) with the kata's
module swapped for the stub or the mistake; all other katas come from solutions/.
"""

import pytest

from harness import curriculum
from harness.curriculum import ROOT
from harness.selftest import gallery, load_catches, mistake_key, pristine_stub, run_spec, variants

pytestmark = [pytest.mark.selftest, pytest.mark.timeout(0)]  # inner specs have their own
BUILT = curriculum.built()
MISTAKES = [(k, p) for k in BUILT for p in gallery(k)]
VARIANTS = [(k, p) for k in BUILT for p in variants(k)]
CATCHES = load_catches()


@pytest.mark.parametrize("kata", BUILT, ids=lambda k: k.id)
def test_every_spec_fails_on_the_stub(kata, tmp_path):
    result = run_spec(kata, pristine_stub(kata, tmp_path), stop_at_first=False, brief=True)
    assert not result.errors, f"{kata.id}: specs did not collect against the stub:\n{result.errors}"
    assert not result.passed, f"{kata.id}: these specs pass on the stub (vacuous): {result.passed}"
    assert result.failed, f"{kata.id}: no spec ran"
    crashes = {n: m for n, m in result.messages.items() if not m.startswith("not started:")}
    assert not crashes, f"{kata.id}: on the stub these should read 'not started': {crashes}"


@pytest.mark.parametrize("kata,mistake", MISTAKES,
                         ids=[f"{k.id}/{p.stem}" for k, p in MISTAKES])
def test_gallery_mistake_is_rejected(kata, mistake):
    result = run_spec(kata, mistake, first=CATCHES.get(mistake_key(kata, mistake)), brief=True)
    where = mistake.relative_to(ROOT)
    assert not result.errors, f"{where} does not import cleanly:\n{result.errors}"
    assert result.failed, f"{where} passes every spec of {kata.id}: the specs miss this mistake"
    not_started = [m for m in result.messages.values() if m.startswith("not started")]
    assert not not_started, f"{where} is incomplete (raises NotImplementedError)"


@pytest.mark.parametrize("kata,variant", VARIANTS,
                         ids=[f"{k.id}/{p.stem}" for k, p in VARIANTS])
def test_correct_variant_is_accepted(kata, variant):
    result = run_spec(kata, variant, stop_at_first=False)
    where = variant.relative_to(ROOT)
    assert not result.errors, f"{where} does not import cleanly:\n{result.errors}"
    assert result.passed and not result.failed, (
        f"{where} is a correct {kata.id} in another style, but these specs reject it "
        f"(a spec pins internals, or a tolerance is too tight):\n" + "\n".join(result.messages.values()))


def test_failure_reports_are_trimmed_and_the_footer_comes_once():
    kata = curriculum.get("losses/softmax")
    result = run_spec(kata, kata.gallery_dir / "no_keepdim.py", stop_at_first=False, diagnose=True)
    reports = list(result.messages.values())
    assert len(reports) > 3
    assert sum("your file: solutions/gallery/losses/softmax/no_keepdim.py" in r for r in reports) == 1
    assert not any("site-packages/torch" in r or "contextlib.py" in r for r in reports)
    assert all("your output equals a known mistake: keepdim missing" in r for r in reports
               if "values differ" in r)
