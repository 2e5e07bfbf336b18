"""The shared checks catch what they promise and say so clearly."""

import importlib.util
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from harness.checks import (ForbiddenCall, SpecFailure, assert_close, assert_grads_match,
                            assert_kept_state_follows_the_device, assert_on_input_device,
                            assert_parameters_like, assert_raises, forbid, gradcheck, kept_between_calls,
                            non_contiguous, on_meta, tensors_held, unchanged)
from harness.curriculum import ROOT

pytestmark = pytest.mark.selftest


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(SpecFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_assert_close_passes_within_tolerance():
    x = torch.randn(3, 4)
    assert_close(x + 1e-7, x, what="f(x)")
    assert_close(torch.tensor([float("nan"), float("inf")]), torch.tensor([float("nan"), float("inf")]))


def test_assert_close_reports_shape_dtype_and_the_worst_value():
    assert "shape (3, 4), expected (4, 3)" in failure(assert_close, torch.zeros(3, 4), torch.zeros(4, 3), what="f")
    assert "dtype torch.float32, expected torch.int64" in failure(
        assert_close, torch.zeros(2), torch.zeros(2, dtype=torch.int64))
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 0.5
    message = failure(assert_close, actual, expected, what="f(x)", hint="look here")
    assert "f(x): 1 of 6 values differ" in message
    assert "max abs error 0.5" in message and "at index (1, 2)" in message
    assert "hint: look here" in message


def test_assert_close_is_exact_for_integers_and_bools():
    message = failure(assert_close, torch.tensor([1, 2, 4]), torch.tensor([1, 2, 3]))
    assert "at index (2,): got 4, expected 3" in message
    failure(assert_close, torch.tensor([True, False]), torch.tensor([True, True]))


def test_assert_close_nan_where_a_number_was_expected_fails():
    failure(assert_close, torch.tensor([float("nan")]), torch.tensor([1.0]))
    failure(assert_close, torch.tensor([float("inf")]), torch.tensor([1.0]))


def test_assert_close_infinity_is_met_only_by_the_same_infinity():
    inf = float("inf")
    for got in (3.0e38, -inf, float("nan")):
        failure(assert_close, torch.tensor([got, 0.0]), torch.tensor([inf, 0.0]), rtol=1e-3)
    assert_close(torch.tensor([inf, -inf]), torch.tensor([inf, -inf]), rtol=1e-3)


def test_assert_close_compares_complex_parts_both():
    expected = torch.tensor([1 + 2j, 3 - 1j], dtype=torch.complex64)
    assert_close(expected.clone(), expected)
    assert "values differ" in failure(assert_close, expected.conj(), expected)
    assert "values differ" in failure(assert_close, expected.real.to(torch.complex64), expected)


def test_assert_close_compares_sequences_and_rejects_non_tensors():
    failure(assert_close, (torch.zeros(2), torch.ones(2)), (torch.zeros(2), torch.zeros(2)))
    assert "expected a torch.Tensor" in failure(assert_close, [0.0, 0.0], torch.zeros(2))


def test_kept_between_calls_finds_caches_on_modules_and_at_module_level():
    kata = types.ModuleType("katas.fake.kept")
    exec("import functools, torch\n"
         "MASKS = {}\n"
         "@functools.lru_cache\n"
         "def mask(t):\n    return torch.ones(t, t)\n"
         "class Attn(torch.nn.Module):\n"
         "    def __init__(self):\n        super().__init__()\n        self.proj = torch.nn.Linear(2, 2)\n"
         "        self.register_buffer('scale', torch.ones(()))\n", vars(kata))
    sys.modules[kata.__name__] = kata
    try:
        attn = kata.Attn()
        assert kept_between_calls(kata.Attn, attn) == []  # parameters and buffers move with .to()
        attn.proj.cached = torch.ones(2)  # a plain attribute of a submodule
        kata.MASKS[3] = torch.ones(3, 3)
        kata.mask(2)
        assert len(kept_between_calls(kata.Attn, attn)) == 3
    finally:
        del sys.modules[kata.__name__]


def test_kept_state_is_judged_on_meta_only_when_something_is_kept():
    kata = types.ModuleType("katas.fake.masks")
    exec("import torch\n"
         "MASKS = {}\n"
         "def masked(x):\n"
         "    if x.shape not in MASKS:\n        MASKS[x.shape] = torch.ones(x.shape, device=x.device)\n"
         "    return x * MASKS[x.shape]\n", vars(kata))
    sys.modules[kata.__name__] = kata
    try:
        x = torch.ones(2, 3)
        meta_call = lambda: kata.masked(x.to("meta"))  # noqa: E731
        assert_kept_state_follows_the_device(meta_call, kata.masked, what="masked(x)", hint="h")  # nothing kept yet
        kata.masked(x)  # the CPU call keeps a CPU mask keyed by shape only
        message = failure(assert_kept_state_follows_the_device, meta_call, kata.masked,
                          what="masked(x) on meta after a CPU call", hint="key it by device")
        assert "meta device" in message and "hint: key it by device" in message
    finally:
        del sys.modules[kata.__name__]


def test_forbid_catches_torch_functions_methods_and_aten_ops():
    x = torch.randn(2, 3)
    with pytest.raises(ForbiddenCall, match="you called torch.nn.functional.one_hot"):
        with forbid(F.one_hot):
            F.one_hot(torch.tensor([1]), 3)
    with pytest.raises(ForbiddenCall, match="torch.Tensor.softmax"):
        with forbid(torch.Tensor.softmax):
            x.softmax(-1)
    with pytest.raises(ForbiddenCall, match="a softmax built-in"):
        with forbid(aten={"_log_softmax": "a softmax built-in"}):
            F.cross_entropy(x, torch.tensor([0, 1]))
    with forbid(F.one_hot):
        x.softmax(-1)  # other calls are fine
    F.one_hot(torch.tensor([1]), 3)  # and the ban ends with the block


def test_forbid_catches_python_functions_under_any_alias():
    alias = types.ModuleType("katas.fake_alias")
    from torch.autograd.functional import jacobian

    alias.jac = jacobian
    sys.modules["katas.fake_alias"] = alias
    try:
        with pytest.raises(ForbiddenCall, match="torch.autograd.functional.jacobian"):
            with forbid("torch.autograd.functional.jacobian"):
                alias.jac(torch.sin, torch.zeros(2))
        with pytest.raises(ForbiddenCall):
            with forbid("torch.autograd.functional.jacobian"):
                torch.autograd.functional.jacobian(torch.sin, torch.zeros(2))
    finally:
        del sys.modules["katas.fake_alias"]
    assert alias.jac is jacobian and torch.autograd.functional.jacobian is jacobian


def test_unchanged_detects_in_place_writes():
    x = torch.zeros(3)
    with unchanged(x):
        y = x + 1
    with pytest.raises(SpecFailure, match="x was modified in place"):
        with unchanged(x, names=["x"]):
            x.add_(1)
    assert y.sum() == 3


def test_non_contiguous_keeps_values():
    x = torch.arange(12.0).reshape(3, 4)
    y = non_contiguous(x)
    assert not y.is_contiguous() and torch.equal(x, y)
    assert non_contiguous(torch.ones(1)).shape == (1,)
    assert non_contiguous(x.requires_grad_()).requires_grad


def test_gradcheck_and_grads_match_catch_a_wrong_backward():
    class WrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # should be 2x

    x = torch.randn(4)
    assert "gradient differs from finite differences" in failure(gradcheck, WrongSquare.apply, x)
    assert "w.r.t. input 0" in failure(assert_grads_match, WrongSquare.apply, lambda t: t * t, x)
    gradcheck(lambda t: t * t, x)
    assert_grads_match(lambda t: t.square(), lambda t: t * t, x)


def test_forbid_replaces_a_method_named_on_its_class_and_restores_it():
    p = torch.nn.Parameter(torch.ones(2))
    p.grad = torch.ones(2)
    opt = torch.optim.SGD([p], lr=0.5)
    with pytest.raises(ForbiddenCall, match="torch.optim.SGD.zero_grad"):
        with forbid("torch.optim.SGD.zero_grad"):
            opt.zero_grad()
    assert "zero_grad" not in torch.optim.SGD.__dict__  # inherited: removed again, not pinned
    opt.step()
    assert torch.equal(p.detach(), torch.full((2,), 0.5))


# ------------------------------------------------------------------ non-contiguous layouts

@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4), (2, 3, 4, 5), (5,)])
def test_non_contiguous_defeats_view(shape):
    x = torch.arange(float(torch.Size(shape).numel())).reshape(shape)
    y = non_contiguous(x)
    assert torch.equal(x, y) and not y.is_contiguous()
    if len(shape) >= 2:
        with pytest.raises(RuntimeError):
            y.view(-1)
    if len(shape) >= 3:
        with pytest.raises(RuntimeError):
            y.view(-1, shape[-1])
    assert non_contiguous(torch.tensor(2.0)).shape == ()


def test_grads_match_and_gradcheck_catch_a_backward_that_views_grad_output():
    class ViewBackward(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 2

        @staticmethod
        def backward(ctx, g):
            return g.view(-1).mul(2).view(g.shape)

    x = torch.randn(3, 4)
    assert "fails when grad_output is not contiguous" in failure(gradcheck, ViewBackward.apply, x)
    with pytest.raises((SpecFailure, RuntimeError)):
        assert_grads_match(ViewBackward.apply, lambda t: t * 2, x)


# ------------------------------------------------------------------ promised errors

def _kata_function(source: str, name: str):
    module = types.ModuleType("katas.fake_raises")
    exec(compile(source, "katas/fake_raises.py", "exec"), module.__dict__)
    return getattr(module, name)


def test_assert_raises_accepts_the_promised_error_with_its_numbers():
    f = _kata_function("def f(a, b):\n    raise ValueError(f'sizes {a} and {b} differ')\n", "f")
    err = assert_raises(ValueError, f, 2, 3, contract="a ValueError naming both sizes", mentions=(2, 3))
    assert "2 and 3" in str(err)
    text = failure(assert_raises, ValueError, f, 2, 3, contract="naming both sizes", mentions=(7,))
    assert "does not mention 7" in text


def test_assert_raises_names_the_wrong_exception_and_the_learners_line():
    f = _kata_function("def f(xs):\n    return xs[5]\n", "f")
    text = failure(assert_raises, ValueError, f, [1], contract="a ValueError for short input",
                   what="f([1])")
    assert "f([1]): expected ValueError (the contract says: a ValueError for short input), " \
           "got IndexError: list index out of range" in text
    assert "katas/fake_raises.py:2 in f" in text


def test_assert_raises_when_nothing_is_raised_and_for_a_stub():
    assert "returned int 1 instead of raising ValueError" in failure(
        assert_raises, ValueError, lambda: 1, contract="always")
    with pytest.raises(NotImplementedError):
        assert_raises(ValueError, _kata_function("def f():\n    raise NotImplementedError\n", "f"),
                      contract="-")


# ------------------------------------------------------------------ diagnosis

def test_a_failing_output_that_equals_a_gallery_mistake_gets_that_mistakes_hint():
    from harness import diagnose, loader

    path = ROOT / "solutions/gallery/losses/softmax/wrong_dim.py"
    spec = loader._spec("katas.losses.softmax", path)
    learner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(learner)  # guarded, as the loader imports a learner's file
    diagnose.reset()
    x = torch.randn(3, 4)
    text = failure(assert_close, learner.softmax(x, dim=0), F.softmax(x, dim=0),
                   what="softmax(x, dim=0)", hint="the spec's own guess")
    assert "your output equals a known mistake" in text and "the spec's own guess" not in text
    assert "hint: your output equals a known mistake: Summing over the wrong dim" in text
    y = learner.softmax(x, dim=0) + 1  # an output no gallery mistake gives: the spec's hint stays
    assert "the spec's own guess" in failure(assert_close, y, F.softmax(x, dim=0), hint="the spec's own guess")


def test_a_mistake_that_equals_the_reference_on_these_inputs_is_never_named():
    """On small logits no_max_subtraction gives the right answer: a learner whose output is
    right there (failing some other check) must not be told it made that mistake."""
    from harness import diagnose, loader

    spec = loader._spec("katas.losses.softmax", ROOT / "solutions/losses/softmax.py")
    learner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(learner)
    diagnose.reset()
    x = torch.randn(3, 4)
    text = failure(assert_close, learner.softmax(x), F.softmax(x, dim=-1) + 1e-3, hint="the spec's own guess")
    assert "the spec's own guess" in text and "known mistake" not in text


def test_a_spec_assert_with_a_message_reads_as_the_message_alone():
    from harness.plugin import quiet_assertion

    with pytest.raises(AssertionError) as info:
        assert all(x > 1 for x in [0]), "the contract wants every x above 1"
    assert "where False = all(" in str(info.value), "pytest's rewriting is on in this module"
    quiet_assertion(info.value)
    assert str(info.value) == "the contract wants every x above 1"
    with pytest.raises(AssertionError) as info:
        assert [0] == [1]
    before = str(info.value)
    quiet_assertion(info.value)
    assert str(info.value) == before, "an assert without a message keeps pytest's explanation"


def test_on_meta_fails_a_helper_tensor_off_the_inputs_device_and_cannot_judge_data_reads():
    x = torch.empty(2, 3, device="meta")
    ok = on_meta(lambda t: t + torch.ones_like(t), x, what="f(x)", hint="use x.device")
    assert ok.device.type == "meta" and ok.shape == (2, 3)
    message = failure(on_meta, lambda t: t + torch.ones(2, 3), x, what="f(x)", hint="use x.device")
    assert message.startswith("f(x) raised RuntimeError on the meta device") and "hint: use x.device" in message
    buffer = torch.empty(2, 3)
    assert "hint" in failure(on_meta, lambda t: buffer.copy_(t), x, what="f(x)", hint="h")
    assert on_meta(lambda t: t * t.sum().item(), x, what="f(x)", hint="h") is None
    from harness.checks import _READS_DATA
    assert [bool(_READS_DATA.search(line)) for line in (
        "n = int(lengths.max())", "if bool(mask.any()):", "v = t.tolist()",
        'y = x.masked_fill(m, float("-inf"))', "a = b.float()", "out = torch.empty(3)")] == [True] * 3 + [False] * 3

    def stub(t):
        raise NotImplementedError
    with pytest.raises(NotImplementedError):
        on_meta(stub, x, what="f(x)", hint="h")


def test_assert_on_input_device_judges_only_what_the_cheap_probe_flags():
    x, x_meta = torch.ones(2, 3), torch.empty(2, 3, device="meta")
    assert_on_input_device(lambda: x + torch.ones_like(x), lambda: x_meta + torch.ones_like(x_meta),
                           what="f(x)", hint="h")
    message = failure(assert_on_input_device, lambda: x + torch.ones(2, 3), lambda: x_meta + torch.ones(2, 3),
                      what="f(x)", hint="use x.device")
    assert "meta device" in message and "hint: use x.device" in message
    scale = lambda t: t * torch.tensor(2.0)  # noqa: E731 (a 0-dim CPU helper is fine on a GPU)
    assert_on_input_device(lambda: scale(x), lambda: scale(x_meta), what="f(x)", hint="h")
    assert "not on the inputs' device" in failure(  # flagged by the probe, then an output off meta
        assert_on_input_device, lambda: x + torch.ones(2, 3), lambda: torch.zeros(2, 3, device="cpu"),
        what="f(x)", hint="h")


def test_no_torch_fails_any_torch_call_and_says_why():
    from harness.checks import no_torch

    with no_torch("f(3)", "plain ints only", "n * (n + 1) // 2"):
        assert 3 * 4 // 2 == 6

    def makes_a_tensor():
        with no_torch("f(3)", "plain ints only", "n * (n + 1) // 2"):
            torch.empty(0, device="meta")
    message = failure(makes_a_tensor)
    assert message.startswith("f(3) called torch (empty); plain ints only") and "hint: n * (n + 1) // 2" in message


def test_tensors_held_finds_a_caches_buffers_three_levels_down():
    class Layer:
        def __init__(self):
            self.k, self.v = torch.zeros(2), torch.ones(2)
            self.pages = [torch.zeros(1), {"scale": torch.ones(1)}]
            self.length = 3
    cache = [Layer(), Layer()]
    found = tensors_held(cache)
    assert len(found) == 6 and all(isinstance(t, torch.Tensor) for t in found)
    assert tensors_held(torch.ones(1), depth=0)[0].shape == (1,)
    assert tensors_held([[[[torch.ones(1)]]]]) == [], "no deeper than three levels"


def test_assert_parameters_like_catches_weights_held_as_buffers_or_plain_tensors():
    ref = torch.nn.Linear(3, 2)

    class Held(torch.nn.Module):
        def __init__(self, how):
            super().__init__()
            w, b = torch.zeros(2, 3), torch.zeros(2)
            if how == "buffer":
                self.register_buffer("weight", w)
                self.register_buffer("bias", b)
            elif how == "plain":
                self.weight, self.bias = w, torch.nn.Parameter(b)
            elif how == "frozen":
                self.weight, self.bias = torch.nn.Parameter(w, requires_grad=False), torch.nn.Parameter(b)
            else:
                self.weight, self.bias = torch.nn.Parameter(w), torch.nn.Parameter(b)

    assert_parameters_like(Held("parameter"), ref, what="Linear(3, 2)")
    message = failure(assert_parameters_like, Held("buffer"), ref, what="Linear(3, 2)")
    assert "named_parameters() differ from those of nn.Linear: missing ['bias', 'weight'], unexpected []" in message
    assert "bias, weight are buffers" in message and "never trained" in message
    assert "weight is a plain tensor attribute" in failure(assert_parameters_like, Held("plain"), ref, what="L")
    assert "requires_grad=False" in failure(assert_parameters_like, Held("frozen"), ref, what="L")
    bn = torch.nn.BatchNorm1d(2)
    class StatsAsParameters(torch.nn.BatchNorm1d):
        def __init__(self):
            super().__init__(2)
            del self.running_mean
            self.running_mean = torch.nn.Parameter(torch.zeros(2))
    assert "running_mean should not be a parameter" in failure(assert_parameters_like, StatsAsParameters(), bn, what="BN")
    shapes = {"weight": (2, 3), "bias": (2,)}
    assert_parameters_like(Held("parameter"), shapes, what="L")
    assert "weight: shape (2, 3), expected (3, 2)" in failure(
        assert_parameters_like, Held("parameter"), {"weight": (3, 2), "bias": (2,)}, what="L")
    assert "differ from those of DeepSeek: missing ['bias', 'weight']" in failure(
        assert_parameters_like, Held("buffer"), shapes, what="L", like="DeepSeek")

    class Tied(torch.nn.Module):  # a tied weight counts under both names, whichever comes first
        def __init__(self, head_first):
            super().__init__()
            first, second = ("head", "embed") if head_first else ("embed", "head")
            setattr(self, first, torch.nn.Linear(3, 5, bias=False))
            setattr(self, second, torch.nn.Linear(3, 5, bias=False))
            self.head.weight = self.embed.weight
    assert_parameters_like(Tied(True), Tied(False), what="Tied")
    assert_parameters_like(Tied(False), {"embed.weight": (5, 3), "head.weight": (5, 3)}, what="Tied")
