"""harness.lazy_dynamo: torch's never-compile wrappers run their function without importing
torch._dynamo, and defer to torch._dynamo.disable once it is imported."""

import sys
import types

import pytest
import torch

from harness import lazy_dynamo

pytestmark = pytest.mark.selftest


def twice(x):
    return 2 * x


def test_the_plugin_installed_it_and_existing_wrappers_have_their_answer():
    assert getattr(torch._disable_dynamo, "answers_ahead", False)
    answer = getattr(torch.optim.Optimizer.zero_grad.__wrapped__, "__dynamo_disable", None)
    if "torch._dynamo" not in sys.modules:  # else torch's own answer may have replaced it
        assert answer is not None and answer.__qualname__.startswith("_until_dynamo"), \
            "Optimizer.zero_grad would import torch._dynamo on its first call"


def test_without_torch_dynamo_a_wrapper_calls_its_function(monkeypatch):
    monkeypatch.delitem(sys.modules, "torch._dynamo", raising=False)
    fn = types.FunctionType(twice.__code__, {})  # a fresh function: no answer cached yet
    wrapper = torch._disable_dynamo(fn)
    assert wrapper(21) == 42
    assert "torch._dynamo" not in sys.modules, "the call imported torch._dynamo"


def test_once_torch_dynamo_is_imported_a_wrapper_uses_its_disable(monkeypatch):
    calls = []

    def disable(fn, recursive, wrapping):
        calls.append((fn, recursive, wrapping))
        return lambda *args: ("disabled", fn(*args))

    monkeypatch.setitem(sys.modules, "torch._dynamo", types.SimpleNamespace(disable=disable))
    fn = types.FunctionType(twice.__code__, {})
    wrapper = torch._compile._disable_dynamo(recursive=False)(fn)
    assert wrapper(1) == ("disabled", 2) and wrapper(2) == ("disabled", 4)
    assert calls == [(fn, False, False)], "torch's disable is made once, with the wrapper's recursive"


def test_install_is_idempotent():
    before = torch._disable_dynamo
    lazy_dynamo.install()
    assert torch._disable_dynamo is before
