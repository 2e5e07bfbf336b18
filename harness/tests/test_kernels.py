"""Phase 7's harness (harness/kernels.py and the plugin's Triton handling): triton is installed
where it has wheels, the interpreter is switched on without a GPU, phase 7 skips cleanly
without triton, and the traffic counter, bounds check, kernel errors and the wrapper check
say what they promise."""

import platform
import sys
import types

import pytest
import torch

from harness import curriculum, triton_extra
from harness.nested import SKIP_ARGS, nested_run

pytestmark = pytest.mark.selftest

WHEELS = sys.platform == "linux" and platform.machine() in ("x86_64", "aarch64")


def test_triton_is_installed_where_it_has_wheels():
    """The self-test must run phase 7, not skip it: `make test` installs the kernels extra."""
    if not WHEELS:
        pytest.skip("triton has no wheels here: phase 7 is skipped with 'needs triton'")
    assert triton_extra.triton_installed(), (
        f"{triton_extra.needs_triton_reason()}: phase 7 would be skipped (make's venv installs the kernels extra)")


def test_an_old_triton_is_named_in_the_skip(monkeypatch):
    monkeypatch.setattr(triton_extra, "triton_version", lambda: (3, 6))
    assert not triton_extra.triton_installed()
    assert triton_extra.needs_triton_reason() == "needs triton >= 3.8 (3.6 is installed): pip install -U -e '.[kernels]'"
    monkeypatch.setattr(triton_extra, "triton_version", lambda: None)
    assert triton_extra.needs_triton_reason() == "needs triton: pip install -e '.[kernels]'"


def test_the_interpreter_is_chosen_without_cuda_and_a_users_choice_is_kept():
    environ = {}
    triton_extra.use_triton_interpreter(environ)
    assert environ == ({} if torch.cuda.is_available() else {"TRITON_INTERPRET": "1"})
    for value in ("0", "1"):
        environ = {"TRITON_INTERPRET": value}
        triton_extra.use_triton_interpreter(environ)
        assert environ == {"TRITON_INTERPRET": value}


class _Reports:
    def __init__(self):
        self.reports = []

    def pytest_runtest_logreport(self, report):
        self.reports.append(report)

    def pytest_collectreport(self, report):
        self.reports.append(report)


def test_without_triton_phase_7_is_skipped_and_never_passed(monkeypatch, tmp_path):
    monkeypatch.setattr(triton_extra, "triton_version", lambda: None)  # as if not installed
    monkeypatch.setenv("KATAS_STATE", str(tmp_path / "state.json"))
    kata = next(k for k in curriculum.built() if k.phase == triton_extra.KERNELS_PHASE)
    recorder = _Reports()
    with nested_run():
        code = pytest.main([str(kata.spec_path), *SKIP_ARGS, "-q", "--no-header"],
                           plugins=[recorder])
    assert code == 0 or code == 5, f"pytest exited with {code}"
    skipped = [r for r in recorder.reports if r.skipped]
    assert skipped and not any(r.passed and r.when == "call" for r in recorder.reports)
    assert not any(r.failed for r in recorder.reports)
    reason = str(skipped[0].longrepr)
    assert "needs triton: pip install -e '.[kernels]'" in reason, reason
    assert not (tmp_path / "state.json").exists() or kata.id not in (tmp_path / "state.json").read_text()


# ------------------------------------------------------------------------ harness.kernels

triton = pytest.importorskip("triton", reason="needs triton")
tl = pytest.importorskip("triton.language")
kernels = pytest.importorskip("harness.kernels")


@triton.jit
def _copy(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    mask = offs < n
    tl.store(dst_ptr + offs, tl.load(src_ptr + offs, mask=mask), mask=mask)


@triton.jit
def _copy_unmasked(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(dst_ptr + offs, tl.load(src_ptr + offs))


@triton.jit
def _bad_arange(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    offs = tl.arange(0, 3)
    tl.store(dst_ptr + offs, tl.load(src_ptr + offs))


@triton.jit
def _copy_no_other(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    offs = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    tl.store(dst_ptr + offs, tl.load(src_ptr + offs, mask=offs < n))  # masked lanes stored


@triton.jit
def _row_max(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    """Calls tl.max (a @triton.jit function) in a loop: the device-call path."""
    offs = tl.arange(0, BLOCK)
    best = tl.full((), float("-inf"), tl.float32)
    for start in range(0, n, BLOCK):
        best = tl.maximum(best, tl.max(tl.load(src_ptr + start + offs, mask=start + offs < n, other=float("-inf")), 0))
    tl.store(dst_ptr, best)


@triton.jit
def _stub(src_ptr, dst_ptr, n, BLOCK: tl.constexpr):
    """A stub kernel."""
    raise NotImplementedError


needs_interpreter = pytest.mark.skipif(not kernels.interpreting(), reason="counts under Triton's interpreter")


@needs_interpreter
def test_traffic_counts_unmasked_bytes_per_argument_and_launch():
    src, dst = torch.arange(10, dtype=torch.float32), torch.empty(10)
    with kernels.traffic() as t:
        _copy[(3,)](src, dst, 10, BLOCK=4)  # 12 lanes, 2 masked off
        _copy[(1,)](src[:5].to(torch.float16), torch.empty(5, dtype=torch.float16), 5, BLOCK=8)
    assert torch.equal(dst, src)
    assert t.count == 2 and t.launches[0].kernel == "_copy" and t.launches[0].grid == (3, 1, 1)
    assert t.launches[0].loaded == {"src_ptr": 40} and t.launches[0].stored == {"dst_ptr": 40}
    assert t.launches[1].loaded_bytes == 10 and t.launches[1].stored_bytes == 10
    assert t.loaded_from("src_ptr") == 50 and t.stored_to("dst_ptr") == 50 and t.loaded_bytes == 50


@needs_interpreter
def test_an_unmasked_lane_outside_the_tensors_fails_with_the_kernel_line():
    buf = torch.zeros(20)
    src, dst = buf[:10], torch.empty(10)  # the storage goes on: the extent of the view counts
    with pytest.raises(kernels.KernelError) as info:
        _copy_unmasked[(3,)](src, dst, 10, BLOCK=4)
    text = str(info.value)
    assert "harness/tests/test_kernels.py:" in text and "in _copy_unmasked: tl.store(dst_ptr + offs, tl.load(" in text
    assert "tl.load read 2 of its 4 unmasked lanes outside every tensor" in text and "mask=offsets < n" in text
    assert "src_ptr (10 elements)" in text


@needs_interpreter
def test_a_kernel_error_names_the_kernel_line_and_a_stub_passes_through():
    x = torch.zeros(4)
    with pytest.raises(kernels.KernelError, match=r"in _bad_arange: offs = tl.arange\(0, 3\)[\s\S]*power of 2"):
        _bad_arange[(1,)](x, x, 4, BLOCK=4)
    with pytest.raises(NotImplementedError) as info:
        _stub[(1,)](x, x, 4, BLOCK=4)
    last = info.traceback[-1]
    assert str(last.path) == __file__ and "raise NotImplementedError" in str(last.statement)


def test_a_compiled_stub_kernel_raises_from_its_own_line():
    """On a GPU the stub is compiled, not interpreted: it still reads as not started."""
    from triton.runtime.jit import JITFunction

    with pytest.raises(NotImplementedError) as info:
        kernels._raise_stub(_stub.fn if hasattr(_stub, "fn") else _stub)
    last = info.traceback[-1]
    assert str(last.path) == __file__ and "raise NotImplementedError" in str(last.statement)
    assert kernels._stub_line(_copy.fn) is None
    assert JITFunction.run.__wrapped__ is not None  # the launch hook is installed


def _wrapper_ok(x):
    x = x.contiguous()
    out = torch.empty_like(x)
    _copy[(triton.cdiv(x.numel(), 4),)](x, out, x.numel(), BLOCK=4)
    return out.view(x.shape)


def _wrapper_cheats(x):
    out = torch.empty_like(x)
    _copy[(1,)](x, out, x.numel(), BLOCK=4)
    return out * 1


@needs_interpreter
def test_kernel_does_the_work_allows_allocation_views_and_the_launch_only():
    x = torch.arange(6.0).reshape(2, 3)
    assert torch.equal(kernels.kernel_does_the_work(_wrapper_ok, x, what="ok(x)"), x)
    with pytest.raises(kernels.ForbiddenCall, match=r"cheats\(x\) computed with torch \(aten.mul\) outside"):
        kernels.kernel_does_the_work(_wrapper_cheats, x, what="cheats(x)")
    with pytest.raises(AssertionError, match="launched no Triton kernel"):
        kernels.kernel_does_the_work(lambda x: torch.empty_like(x), x, what="empty(x)")
    with pytest.raises(kernels.ForbiddenCall, match="aten.clone"):
        kernels.kernel_does_the_work(_wrapper_ok, x.t(), what="ok(x.t())")
    assert torch.equal(kernels.kernel_does_the_work(_wrapper_ok, x.t(), what="ok(x.t())", allow=("clone",)),
                       x.t().contiguous())


def test_traffic_of_a_module_runs_its_compiled_kernels_in_the_interpreter():
    """On a CUDA machine traffic(module) interprets that module's kernels for the block."""
    from triton.runtime.jit import JITFunction

    fn = _copy.fn if hasattr(_copy, "fn") else _copy
    module = types.ModuleType("fake_kata")
    module.kernel = JITFunction(fn)
    x = torch.arange(5.0)
    out = torch.empty(5)
    with kernels._interpreted([module]), kernels.traffic() as t:
        module.kernel[(2,)](x, out, 5, BLOCK=4)
    assert isinstance(module.kernel, JITFunction)  # put back
    assert torch.equal(out, x) and t.loaded_bytes == 20 and t.stored_bytes == 20


def test_assert_traffic_states_the_ideal():
    kernels.assert_traffic(100, 100, what="k", how="x read once")
    with pytest.raises(AssertionError, match=r"k: moved 120 bytes, over the budget of 100 B \(x read once\)"):
        kernels.assert_traffic(120, 100, what="k", how="x read once")


@needs_interpreter
def test_masked_lanes_without_other_read_nan_and_trace_records_each_programs_elements():
    src, dst = torch.arange(6.0), torch.zeros(8)
    with kernels.traffic(trace=True) as t:
        _copy_no_other[(2,)](src, dst, 6, BLOCK=4)  # lanes 6, 7 are masked on the load only
    assert torch.equal(dst[:6], src) and dst[6:].isnan().all(), dst
    launch = t.launches[0]
    assert launch.args == {"n": 6, "BLOCK": 4}
    loads, stores = launch.touched("load", "src_ptr"), launch.touched("store", "dst_ptr")
    assert {p: e.tolist() for p, e in loads.items()} == {(0, 0, 0): [0, 1, 2, 3], (1, 0, 0): [4, 5]}
    assert {p: e.tolist() for p, e in stores.items()} == {(0, 0, 0): [0, 1, 2, 3], (1, 0, 0): [4, 5, 6, 7]}
    with kernels.traffic() as plain:
        _copy[(1,)](src, dst, 6, BLOCK=8)
    with pytest.raises(ValueError, match="trace=True"):
        plain.launches[0].touched("load", "src_ptr")


@needs_interpreter
def test_device_functions_in_a_loop_and_integer_arithmetic_stay_right():
    """tl.max called in a loop (the language is patched once per launch, not per call), and
    int32 offsets with the overflow asserts off."""
    x = torch.randn(37)
    out = torch.empty(1)
    for _ in range(2):
        _row_max[(1,)](x, out, 37, BLOCK=8)
        assert out.item() == x.max().item()


@needs_interpreter
def test_accesses_lists_each_load_of_a_program_in_order():
    x = torch.arange(37.0)
    with kernels.traffic(trace=True) as t:
        _row_max[(1,)](x, torch.empty(1), 37, BLOCK=8)
    loads = t.launches[0].accesses("load", "src_ptr")[(0, 0, 0)]
    assert [part.tolist() for part in loads] == [list(range(s, min(s + 8, 37))) for s in range(0, 37, 8)]


def _copy_wrapper(make_output):
    def copy(x):
        out = make_output(x)
        _copy[(triton.cdiv(x.numel(), 4),)](x, out, x.numel(), BLOCK=4)
        return out
    return copy


def test_new_output_on_input_device_rejects_a_kept_buffer_and_the_default_device():
    x = torch.arange(6.0, device=kernels.DEVICE)
    kept = torch.empty(6, device=kernels.DEVICE)
    for make_output, says in ((lambda x: torch.empty_like(x), None),
                              (lambda x: kept, "returned the first call's tensor"),
                              (lambda x: torch.empty(x.shape), "made on meta" if kernels.interpreting() else None)):
        copy = _copy_wrapper(make_output)
        first = copy(x)
        call = lambda: copy(-x)  # noqa: E731
        if says is None:
            kernels.new_output_on_input_device(call, first, x.clone(), what="copy(x)", hint="h")
            continue
        with pytest.raises(AssertionError, match=says):
            kernels.new_output_on_input_device(call, first, x.clone(), what="copy(x)", hint="h")


def test_nested_traffic_blocks_with_the_same_launches_each_keep_their_record():
    x, out = torch.arange(6.0, device=kernels.DEVICE), torch.empty(6, device=kernels.DEVICE)
    with kernels.traffic() as outer:
        with kernels.traffic() as inner:
            _copy[(2,)](x, out, 6, BLOCK=4)
        _copy[(2,)](x, out, 6, BLOCK=4)  # the outer block still records after the inner one ends
    assert (inner.count, outer.count) == (1, 2)


def test_nan_filled_empty_fills_only_empty_float_tensors():
    x = torch.ones(3)
    with kernels.nan_filled_empty():
        made = [torch.empty(2), torch.empty_like(x), x.new_empty(2), torch.empty_strided((2,), (1,))]
        kept = [torch.empty(2, dtype=torch.int64), torch.zeros(2), torch.empty(2, device="meta")]
    assert all(t.isnan().all() for t in made)
    assert kept[0].dtype == torch.int64 and torch.equal(kept[1], torch.zeros(2)) and kept[2].is_meta
