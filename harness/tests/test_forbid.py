"""forbid() closes every route to a banned built-in: the routes a learner can actually take
are called for real, and every forbidden entry of every spec is checked against every route
torch offers for it."""

import ast
import importlib
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from harness.curriculum import ROOT
from harness.forbid import ForbiddenCall, _resolve, banned_ops, canonical_name, forbid

pytestmark = pytest.mark.selftest

x = torch.randn(3, 4)
h = (torch.randn(3, 2), torch.randn(3, 2))
w_ih, w_hh = torch.randn(8, 4), torch.randn(8, 2)

# (target as a spec names it, the route a learner takes to the same computation)
ROUTES = [
    (F.softmax, lambda: torch.softmax(x, -1)),
    (F.softmax, lambda: x.softmax(-1)),
    (torch.softmax, lambda: torch._C._VariableFunctions.softmax(x, -1)),
    (torch.softmax, lambda: torch.ops.aten.softmax(x, -1)),
    (torch.softmax, lambda: torch.ops.aten.softmax.int(x, -1)),
    (torch.softmax, lambda: torch._softmax(x, -1, False)),
    (torch.softmax, lambda: torch.special.softmax(x, -1)),
    (torch.tanh, lambda: x.clone().tanh_()),
    (torch.tanh, lambda: torch.tanh_(x.clone())),
    (torch.tanh, lambda: F.tanh(x)),
    (torch.sigmoid, lambda: torch.special.expit(x)),
    (torch.sigmoid, lambda: x.clone().sigmoid_()),
    (F.relu, lambda: F.relu(x, inplace=True)),
    (F.relu, lambda: torch.relu_(x.clone())),
    (F.relu, lambda: F.threshold(x, 0.0, 0.0)),
    (F.gelu, lambda: torch._C._nn.gelu(x)),
    (F.rms_norm, lambda: torch._fused_rms_norm(x, [4], None, 1e-6)),
    (F.rms_norm, lambda: torch.rms_norm(x, [4])),
    (F.layer_norm, lambda: torch.native_layer_norm(x, [4], None, None, 1e-5)),
    (F.layer_norm, lambda: F.group_norm(x, 1)),
    (F.batch_norm, lambda: F.instance_norm(x[None])),
    (torch.lstm_cell, lambda: torch._VF.lstm_cell(x, h, w_ih, w_hh)),
    (torch.matmul, lambda: x @ x.T),
    (torch.matmul, lambda: x.T.__rmatmul__(x)),
    (F.conv2d, lambda: F.conv1d(torch.randn(1, 2, 5), torch.randn(3, 2, 2))),
    (F.conv2d, lambda: torch.convolution(torch.randn(1, 1, 4, 4), torch.randn(1, 1, 2, 2), None,
                                         [1, 1], [0, 0], [1, 1], False, [0, 0], 1)),
    (F.unfold, lambda: torch._C._nn.im2col(torch.randn(1, 1, 4, 4), (2, 2), (1, 1), (0, 0), (1, 1))),
    (torch.gather, lambda: torch.take_along_dim(x, torch.zeros(3, 1, dtype=torch.long), 1)),
    (torch.Tensor.expand, lambda: torch.ops.aten.expand.default(x[:1], [3, 4])),
]


@pytest.mark.parametrize("target,route", ROUTES, ids=[f"{n}" for n in range(len(ROUTES))])
def test_each_route_to_a_banned_op_is_refused(target, route):
    with pytest.raises(ForbiddenCall, match="this kata asks you to write it yourself"):
        with forbid(target):
            route()


def test_calls_inside_a_custom_backward_are_refused_at_the_aten_level():
    class Tanh(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            return t * 1

        @staticmethod
        def backward(ctx, g):
            return g * torch.tanh(g)  # no torch-function mode runs in here

    t = torch.randn(3, requires_grad=True)
    with pytest.raises(ForbiddenCall, match="aten op tanh"):
        with forbid(torch.tanh):
            torch.autograd.grad(Tanh.apply(t), t, torch.ones(3))


def test_the_message_points_at_the_learners_line():
    module = types.ModuleType("katas.fake_forbid")
    exec(compile("import torch\ndef f(x):\n    return torch.softmax(x, -1)\n",
                 str(ROOT / "katas" / "fake_forbid.py"), "exec"), module.__dict__)
    with pytest.raises(ForbiddenCall) as info:
        with forbid(F.softmax):
            module.f(x)
    assert "at katas/fake_forbid.py:3 in f" in str(info.value)


def test_different_ops_with_the_same_name_stay_apart():
    """Tensor.unfold (a sliding view) is a fair way to write patchify; F.unfold (im2col) is
    not. torch.func.grad is not torch.autograd.grad."""
    with forbid(F.unfold):
        x.unfold(1, 2, 2)
    with forbid("torch.func.grad"):
        t = torch.ones(2, requires_grad=True)
        torch.autograd.grad((t * t).sum(), t)
    with forbid(torch.softmax):
        torch.log_softmax(x, -1)
        x.exp()


def _namespaces():
    return [torch, torch.Tensor, F, torch._C._nn, torch._C._VariableFunctions, torch.special,
            torch.linalg]


def _routes_for(op: str):
    """Every callable torch offers under a spelling of `op`."""
    for home in _namespaces():
        for spelling in (op, op + "_", "_" + op, "_" + op + "_", "_fused_" + op, "native_" + op,
                         "special_" + op):
            if callable(obj := getattr(home, spelling, None)):
                yield f"{getattr(home, '__name__', home)}.{spelling}", obj
    packet = getattr(torch.ops.aten, op, None)
    if packet is not None:
        yield f"aten.{op}", packet
        for overload in packet.overloads():
            yield f"aten.{op}.{overload}", getattr(packet, overload)


def _forbidden_entries():
    """(spec, target) for every target any spec passes to forbid()."""
    for path in sorted((ROOT / "specs").rglob("test_*.py")):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, "id", None) == "forbid"]
        if not calls:
            continue
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for call in calls:
            for arg in call.args:
                starred = isinstance(arg, ast.Starred)
                expr = arg.value if starred else arg
                try:
                    values = [eval(ast.unparse(expr), vars(module))]
                except NameError:  # e.g. *case.forbidden: a field of the module's cases
                    attr = expr.attr if isinstance(expr, ast.Attribute) else None
                    values = [getattr(item, attr) for value in vars(module).values()
                              if isinstance(value, (list, tuple)) for item in value
                              if attr and hasattr(item, attr)]
                for value in values:
                    for target in (value if starred else [value]):
                        yield path.relative_to(ROOT).as_posix(), target


ENTRIES = list(dict.fromkeys(_forbidden_entries()))


def test_every_spec_forbids_something_we_can_see():
    assert len(ENTRIES) > 100


def _entry_id(spec: str, target) -> str:
    return f"{spec}:{target if isinstance(target, str) else _resolve(target)[1]}"


@pytest.mark.parametrize("spec,target", ENTRIES, ids=[_entry_id(s, t) for s, t in ENTRIES])
def test_every_forbidden_entry_is_closed_on_every_route(spec, target):
    ops = banned_ops(target)
    if not ops:  # a pure-Python function or a method on a class: replaced while banned
        obj, name, owner = _resolve(target)
        with forbid(target):
            if owner is not None:
                replaced = getattr(owner, name.rpartition(".")[2])
            else:
                replaced = getattr(sys.modules[obj.__module__], obj.__name__)
            with pytest.raises(ForbiddenCall):
                replaced(None, None)
        return
    for op in ops:
        for where, route in _routes_for(op):
            assert canonical_name(route) == op, f"{spec}: forbid({target}) leaves {where} open"
