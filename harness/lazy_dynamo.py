"""Keep torch._dynamo unimported until something compiles.

torch wraps many of its own functions in `torch._disable_dynamo` (Optimizer.zero_grad,
every TorchDispatchMode's __torch_dispatch__, the meta device's reference ops). The first
call of any of them imports torch._dynamo, about 1-1.5 s here, 30-40% of a cold kata run,
only to mark the function "never compile this". Nothing can be compiling while
torch._dynamo is not imported, so until then the mark changes nothing: install() hands each
wrapper a ready answer that calls the function itself, and that makes torch's own
never-compile version once torch._dynamo is imported (say, by a learner's torch.compile).

If torch changes these internals, install() finds nothing to hand out and every call works
as torch wrote it, only slower.
"""

from __future__ import annotations

import functools
import gc
import sys

import torch


def _until_dynamo(fn, recursive: bool):
    """fn itself while torch._dynamo is not imported; torch._dynamo.disable(fn) after."""
    def call(*args, **kwargs):
        dynamo = sys.modules.get("torch._dynamo")
        if dynamo is None:
            return fn(*args, **kwargs)
        disabled = dynamo.disable(fn, recursive, wrapping=False)
        fn.__dynamo_disable = disabled  # the cache torch's wrapper reads
        return disabled(*args, **kwargs)
    return call


def _answer(wrapper, code) -> None:
    """Give the function behind one of torch's wrappers its ready answer."""
    if getattr(wrapper, "__code__", None) is not code or not wrapper.__closure__:
        return
    cells = {name: cell.cell_contents for name, cell in zip(code.co_freevars, wrapper.__closure__)}
    fn, recursive = cells.get("fn"), cells.get("recursive")
    if fn is None or not isinstance(recursive, bool) or getattr(fn, "__dynamo_disable", None) is not None:
        return
    try:
        fn.__dynamo_disable = _until_dynamo(fn, recursive)
    except (AttributeError, TypeError):  # a callable that takes no attributes
        pass


def install() -> None:
    """Answer every wrapper made so far, and every one made from now on (once per process)."""
    original = torch._compile._disable_dynamo
    if "torch._dynamo" in sys.modules or getattr(original, "answers_ahead", False):
        return
    code = original(lambda: None).__code__  # the code object of every wrapper it makes
    for referrer in gc.get_referrers(code):
        _answer(referrer, code)

    def disable_dynamo(fn=None, recursive=True):
        if fn is None:  # the @torch._disable_dynamo(recursive=...) form
            return functools.partial(disable_dynamo, recursive=recursive)
        wrapper = original(fn, recursive)
        _answer(wrapper, code)
        return wrapper

    disable_dynamo.answers_ahead = True
    torch._disable_dynamo = torch._compile._disable_dynamo = disable_dynamo
