"""The call guard: an in-place write or a leaked global setting fails at the call that made
it, naming the function and the argument, before any value is compared."""

import importlib.util
import textwrap

import pytest
import torch

from harness import guard, loader
from harness.checks import SpecFailure, assert_close

pytestmark = pytest.mark.selftest


def kata_module(tmp_path, source: str, name: str = "katas.fake.guarded"):
    """A module imported the way the loader imports a kata file (so it is guarded)."""
    path = tmp_path / "fake.py"
    path.write_text(textwrap.dedent(source))
    spec = loader._spec(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SOURCE = """
    import torch

    def scale(x, factor):
        x *= factor
        return x

    def clean(x, factor):
        return x * factor

    def through(xs):
        return [clean(x, 2) for x in xs]

    def writes_list(xs):
        xs[1].zero_()
        return xs

    def data_write(x):
        x.data.add_(1)
        return x

    def fill_(x):
        x.fill_(0)
        return x

    def leaks_no_grad(x):
        torch.set_grad_enabled(False)
        return x * 2

    def leaks_no_grad_then_raises(x):
        torch.set_grad_enabled(False)
        raise ValueError("x is wrong")

    def raises_cleanly(x):
        with torch.no_grad():
            raise ValueError("x is wrong")

    def leaks_dtype(x):
        torch.set_default_dtype(torch.float64)
        return x

    def restores(x):
        with torch.no_grad():
            return x * 2

    class Doubler(torch.nn.Module):
        def forward(self, x):
            return x.mul_(2)

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            g.mul_(2)
            return g * x
"""


def message(fn, *args) -> str:
    with pytest.raises(SpecFailure) as info:
        fn(*args)
    return str(info.value)


def test_an_in_place_write_fails_at_the_call_naming_function_and_argument(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    x = torch.ones(3)
    text = message(m.scale, x, 2.0)
    assert "scale modified its input `x` in place" in text and "x *= 2" in text
    assert torch.equal(m.clean(torch.ones(3), 2.0), torch.full((3,), 2.0))


def test_the_in_place_write_is_reported_before_the_values_are_compared(tmp_path):
    """A spec that computes its expected value from the inputs after the call would blame the
    formula; the guard fails inside the call, so the first failure is the real one."""
    m = kata_module(tmp_path, SOURCE)
    x = torch.ones(3)
    with pytest.raises(SpecFailure, match="modified its input"):
        y = m.scale(x, 3.0)
        assert_close(y, x * 3.0)  # never reached


def test_tensors_inside_lists_and_writes_through_data_are_caught(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    assert "`xs[1]`" in message(m.writes_list, [torch.ones(2), torch.ones(2)])
    assert "`x`" in message(m.data_write, torch.ones(2))  # .data hides the version counter


def test_functions_named_with_a_trailing_underscore_may_write(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    x = torch.ones(2)
    assert m.fill_(x) is x and x.sum() == 0


def test_methods_and_autograd_functions_are_guarded_too(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    assert "Doubler.forward modified its input `x`" in message(m.Doubler(), torch.ones(2))
    x = torch.ones(3, requires_grad=True)
    y = m.Square.apply(x)
    assert "Square.backward modified its input `g`" in message(
        lambda: torch.autograd.grad(y, x, torch.ones(3)))


def test_only_the_outermost_call_is_checked_and_recorded(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    guard.clear_records()
    out = m.through([torch.ones(2), torch.ones(2)])
    assert [r.name for r in guard.RECORDS] == ["through"]
    assert guard.RECORDS[0].result[0]() is out[0]


def test_a_leaked_global_setting_fails_names_the_fix_and_is_restored(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    text = message(m.leaks_no_grad, torch.ones(2))
    assert "leaks_no_grad left gradients enabled = False" in text
    assert "with torch.no_grad():" in text
    assert torch.is_grad_enabled()
    assert "the default dtype = torch.float64" in message(m.leaks_dtype, torch.ones(2))
    assert torch.get_default_dtype() == torch.float32
    m.restores(torch.ones(2))  # a no_grad block is fine


def test_a_setting_leaked_on_an_error_path_fails_instead_of_the_error(tmp_path):
    m = kata_module(tmp_path, SOURCE)
    text = message(m.leaks_no_grad_then_raises, torch.ones(2))
    assert "left gradients enabled = False when it raised ValueError" in text
    assert torch.is_grad_enabled()
    with pytest.raises(ValueError, match="x is wrong"):  # a block that restores it is fine
        m.raises_cleanly(torch.ones(2))


def test_snapshots_are_invisible_to_budgets(tmp_path):
    from harness.budgets import count_flops, peak_bytes

    m = kata_module(tmp_path, SOURCE)
    x = torch.ones(1000)
    assert peak_bytes(m.clean, x, 2.0) == peak_bytes(lambda t, f: t * f, x, 2.0)
    a = torch.ones(8, 8)
    assert count_flops(m.clean, a, 2.0) == 0


def test_the_state_fixture_catches_a_setting_changed_outside_any_call(tmp_path):
    import sys

    spec = tmp_path / "test_leak.py"
    spec.write_text(textwrap.dedent("""
        import torch

        def test_leaks():
            torch.set_grad_enabled(False)

        def test_next_starts_clean():
            assert torch.is_grad_enabled()
    """))
    reports = []

    class Recorder:
        def pytest_runtest_logreport(self, report):
            if report.failed:
                reports.append((report.when, str(report.longrepr)))

    meta_path = list(sys.meta_path)
    try:
        code = pytest.main([str(spec), "-p", "harness.plugin", "-p", "no:cacheprovider", "-q",
                            "-p", "no:xdist", "--rootdir", str(tmp_path)], plugins=[Recorder()])
    finally:
        sys.meta_path[:] = meta_path
        torch.set_grad_enabled(True)
    assert code == 1
    assert [when for when, _ in reports] == ["teardown"]
    assert "after this spec, gradients enabled was False" in reports[0][1]


def test_after_a_function_hangs_later_specs_calling_it_fail_at_once(tmp_path):
    import sys
    import time

    (tmp_path / "hang.py").write_text("def spin(x):\n    while True:\n        x = x + 1\n\n"
                                      "def fine(x):\n    return x\n")
    spec = tmp_path / "test_hang.py"
    spec.write_text(textwrap.dedent(f"""
        import importlib.util
        from harness import loader

        s = loader._spec("katas.fake.hang", {str(tmp_path / "hang.py")!r})
        m = importlib.util.module_from_spec(s)
        s.loader.exec_module(m)

        def test_first():
            m.spin(0)

        def test_second():
            m.spin(1)

        def test_third():
            m.spin(2)

        def test_other_function_still_runs():
            assert m.fine(3) == 3
    """))
    reports = []

    class Recorder:
        def pytest_runtest_logreport(self, report):
            if report.when == "call":
                reports.append((report.outcome, str(report.longrepr)))

    meta_path = list(sys.meta_path)
    start = time.monotonic()
    try:
        pytest.main([str(spec), "-p", "harness.plugin", "-p", "no:cacheprovider", "-q",
                     "-p", "no:xdist", "--timeout", "2", "--rootdir", str(tmp_path)],
                    plugins=[Recorder()])
    finally:
        sys.meta_path[:] = meta_path
    assert time.monotonic() - start < 5 + 2, "the later specs waited for the timeout again"
    outcomes = [o for o, _ in reports]
    assert outcomes == ["failed", "failed", "failed", "passed"]
    assert "Timeout" in reports[0][1]
    assert all(r.startswith("not run: spin hung in an earlier spec") for _, r in reports[1:3])
