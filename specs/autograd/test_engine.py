"""Specs for katas/autograd/engine.py (day 4): a scalar autograd engine, checked against torch.

Every check builds the same expression twice, once with Value and once with float64 torch
tensors, and compares .data and .grad of every node with torch's values and gradients.

Contract -> specs:
- Value(data): .data a float (also from an int, also for results), .grad 0.0 before backward;
  a leaf's backward sets grad 1: test_value_*, test_data_is_a_float_*, test_backward_of_a_leaf_*
- backward() returns None: test_backward_returns_none
- .data of every node exactly a Python float, .grad a Python number (no numpy scalars):
  compare() in every check
- +, -, *, / with Values and plain numbers on either side, ** with int/float k, at exact zeros:
  test_binary_op, test_op_with_a_plain_number, test_op_with_a_number_at_zero (a ** 1 at 0 has grad 1)
- each operator returns a new Value, also + 0 / 0 + a (sum()) / * 1 / ** 1 (no `return self`
  shortcut): test_an_op_that_leaves_the_value_alone_is_still_a_new_node
- exp, log, tanh, relu (0 at 0), sigmoid; sigmoid/tanh finite at +-800: test_unary_op,
  test_relu_at_zero_*, test_saturating_ops_at_large_inputs
- += for reused nodes, reverse topological order: test_node_used_*, test_diamond,
  test_nodes_with_equal_data_are_different_nodes,
  test_deep_diamond_chain, test_a_sum_three_hundred_nodes_deep, test_longer_path_listed_first, random graphs (hypothesis)
- leaves reused by a second graph (training loop), only that graph counts:
  test_a_second_graph_on_the_same_leaves
- plain Python floats and math only: plain_floats() around every engine call; numpy scalars
  rejected by compare() (np.exp's inf hides sigmoid's overflow: test_saturating_ops_*)
"""

import math

import pytest
import torch
from hypothesis import given, strategies as st

from harness.checks import SpecFailure, assert_close, no_torch
from harness.edges import assert_exact_type
from harness.failures import fail
from katas.autograd.engine import Value

TOPO_HINT = ("a node may push its gradient to its inputs only once every user has pushed to it: "
             "build a topological order (post-order DFS from the output) and run the local "
             "backward functions in reverse of that order")
ACCUMULATE_HINT = "a node used twice gets gradient from both uses: add into .grad (+=), never assign (=)"


def plain_floats():
    """The engine runs on plain Python floats: any torch call inside it fails."""
    return no_torch("Value", "this kata's engine works on plain Python floats with the math module")


def leaf(x):
    return torch.tensor(float(x), dtype=torch.float64, requires_grad=True)


def number(v, what, exact_float=False):
    """A Value's .data or .grad as a float tensor. A plain Python number is expected (a
    numpy scalar is a float subclass, but numpy is off limits); .data exactly a float."""
    if type(v) not in ((float,) if exact_float else (int, float)):
        fail(f"{what} is {type(v).__module__}.{type(v).__name__} {v!r}; expected a plain "
             f"Python {'float' if exact_float else 'number'}", "the engine works on plain Python "
             "floats with the math module: no numpy (np.exp returns numpy.float64), no torch; "
             "float(data) in __init__")
    return torch.tensor(float(v), dtype=torch.float64)


def compare(nodes, tensors, names, what, hint):
    """Data and grad of each Value against its torch mirror (grad None counts as 0)."""
    __tracebackhide__ = True
    listing = f"{what}; nodes [{', '.join(names)}]"
    data = torch.stack([number(v.data, f"{n}.data", exact_float=True) for v, n in zip(nodes, names)])
    grads = torch.stack([number(v.grad, f"{n}.grad") for v, n in zip(nodes, names)])
    expected_data = torch.stack([t.detach() for t in tensors])
    expected_grads = torch.stack([t.grad if t.grad is not None else torch.zeros((), dtype=torch.float64)
                                  for t in tensors])
    assert_close(data, expected_data, what=f"{listing}: .data", rtol=1e-8, atol=1e-10)
    assert_close(grads, expected_grads, what=f"{listing}: .grad after backward()", rtol=1e-6,
                 atol=1e-9, hint=hint)


# ------------------------------------------------------------------------------ basics

def test_value_holds_its_data_and_a_zero_grad():
    v = Value(1.5)
    assert_close(number(v.data, "Value(1.5).data"), torch.tensor(1.5, dtype=torch.float64),
                 what="Value(1.5).data")
    assert_close(number(v.grad, "Value(1.5).grad"), torch.tensor(0.0, dtype=torch.float64),
                 what="Value(1.5).grad before any backward")


@pytest.mark.parametrize("data", [2, -3, 0], ids=lambda d: f"Value({d})")
def test_data_is_a_float_even_from_an_int(data):
    v = Value(data)
    assert_exact_type(v.data, float, f"Value({data}).data")
    assert_close(number(v.data, f"Value({data}).data"), torch.tensor(float(data), dtype=torch.float64),
                 what=f"Value({data}).data")
    with plain_floats():
        for expr, out in (("Value(2) + 1", Value(2) + 1), ("3 * Value(2)", 3 * Value(2)),
                          ("Value(2) ** 2", Value(2) ** 2), ("Value(3).relu()", Value(3).relu())):
            assert_exact_type(out.data, float, f"({expr}).data")


def test_backward_of_a_leaf_sets_its_grad_to_one():
    v = Value(-3.0)
    v.backward()
    assert_close(number(v.grad, "v.grad"), torch.tensor(1.0, dtype=torch.float64),
                 what="v = Value(-3.0); v.backward(); v.grad", hint="d out / d out = 1: backward starts with out.grad = 1")


def test_backward_returns_none():
    a = Value(2.0)
    with plain_floats():
        out = a * 3
        result = out.backward()
    if result is not None:
        raise SpecFailure(f"out.backward() returned {result!r}; the contract says it returns None (it "
                          f"only fills in .grad)\n  hint: end backward() without a return value "
                          f"(no `return self`, no returned topological order)")


# ------------------------------------------------------------------------------ each op

BINARY = {
    "a + b": (lambda a, b: a + b, "d(a+b)/da = d(a+b)/db = 1"),
    "a - b": (lambda a, b: a - b, "d(a-b)/db = -1"),
    "a * b": (lambda a, b: a * b, "d(a*b)/da = b, d(a*b)/db = a"),
    "a / b": (lambda a, b: a / b, "d(a/b)/da = 1/b, d(a/b)/db = -a/b^2"),
}
WITH_NUMBER = {
    "a + 2": (lambda a: a + 2, "the number is a constant: d(a+2)/da = 1"),
    "2 + a": (lambda a: 2 + a, "2 + a calls a.__radd__(2)"),
    "a - 2": (lambda a: a - 2, "d(a-2)/da = 1"),
    "2 - a": (lambda a: 2 - a, "2 - a calls a.__rsub__(2): the result is 2 - a, not a - 2; d/da = -1"),
    "a * 3": (lambda a: a * 3, "d(3a)/da = 3"),
    "3 * a": (lambda a: 3 * a, "3 * a calls a.__rmul__(3)"),
    "a / 4": (lambda a: a / 4, "d(a/4)/da = 1/4"),
    "2 / a": (lambda a: 2 / a, "2 / a calls a.__rtruediv__(2): 2/a, d/da = -2/a^2"),
    "a ** 2": (lambda a: a ** 2, "d(a^k)/da = k a^(k-1)"),
    "a ** 3": (lambda a: a ** 3, "d(a^k)/da = k a^(k-1)"),
    "a ** 1": (lambda a: a ** 1, "d(a^1)/da = 1 a^0 = 1, also at a = 0 (0.0 ** 0 == 1.0 in Python)"),
    "a ** -1": (lambda a: a ** -1, "d(a^k)/da = k a^(k-1), with k = -1"),
    "a ** 0.5": (lambda a: a ** 0.5, "d(a^k)/da = k a^(k-1), with k = 0.5"),
    "a ** 1.5": (lambda a: a ** 1.5, "d(a^k)/da = k a^(k-1), with k = 1.5"),
}
UNARY = {
    "exp": (lambda a: a.exp(), torch.exp, "d exp(a)/da = exp(a)"),
    "log": (lambda a: a.log(), torch.log, "d log(a)/da = 1/a"),
    "tanh": (lambda a: a.tanh(), torch.tanh, "d tanh(a)/da = 1 - tanh(a)^2"),
    "relu": (lambda a: a.relu(), torch.relu, "relu passes the gradient where a > 0 and blocks it elsewhere"),
    "sigmoid": (lambda a: a.sigmoid(), torch.sigmoid, "d sigmoid(a)/da = s (1 - s)"),
}


@pytest.mark.parametrize("a,b", [(1.5, -0.5), (-2.0, 3.0), (0.25, 0.75), (0.0, 3.0), (0.0, -0.5)])
@pytest.mark.parametrize("expr", list(BINARY))
def test_binary_op(expr, a, b):
    fn, hint = BINARY[expr]
    va, vb = Value(a), Value(b)
    with plain_floats():
        out = fn(va, vb)
        out.backward()
    ta, tb = leaf(a), leaf(b)
    tout = fn(ta, tb)
    tout.retain_grad()
    tout.backward()
    compare([out, va, vb], [tout, ta, tb], ["out", "a", "b"], f"out = {expr} with a={a}, b={b}", hint)


@pytest.mark.parametrize("a", [0.7, 2.5])
@pytest.mark.parametrize("expr", list(WITH_NUMBER))
def test_op_with_a_plain_number(expr, a):
    fn, hint = WITH_NUMBER[expr]
    va = Value(a)
    with plain_floats():
        out = fn(va)
        out.backward()
    ta = leaf(a)
    tout = fn(ta)
    tout.retain_grad()
    tout.backward()
    compare([out, va], [tout, ta], ["out", "a"], f"out = {expr} with a={a}", hint)


@pytest.mark.parametrize("a", [-1.3, 0.4, 2.0, -6.0, 6.0])
@pytest.mark.parametrize("name", list(UNARY))
def test_unary_op(name, a):
    fn, torch_fn, hint = UNARY[name]
    if name == "log":
        a = abs(a)
    va = Value(a)
    with plain_floats():
        out = fn(va)
        out.backward()
    ta = leaf(a)
    tout = torch_fn(ta)
    tout.retain_grad()
    tout.backward()
    compare([out, va], [tout, ta], ["out", "a"], f"out = a.{name}() with a={a}", hint)


@pytest.mark.parametrize("expr", ["a * 3", "3 * a", "a ** 2", "a ** 3", "a ** 1", "a / 4"])
def test_op_with_a_number_at_zero(expr):
    """At a = 0 a local rule that recovers a factor as out / a divides 0 by 0, and one that skips
    a == 0 (to dodge 0 ** negative) loses d(a ** 1)/da = 1."""
    fn, hint = WITH_NUMBER[expr]
    va = Value(0.0)
    with plain_floats():
        out = fn(va)
        out.backward()
    ta = leaf(0.0)
    tout = fn(ta)
    tout.retain_grad()
    tout.backward()
    compare([out, va], [tout, ta], ["out", "a"], f"out = {expr} with a=0.0",
            hint + "; use the saved inputs, not out.data / a (0 / 0 at a = 0), and no special "
            "case for a == 0 (k a^(k-1) is 1 there for k = 1, 0 for k > 1)")


IDENTITY = {
    "a + 0": lambda a: a + 0, "0 + a": lambda a: 0 + a, "sum([a])": lambda a: sum([a]),
    "a - 0": lambda a: a - 0, "a * 1": lambda a: a * 1, "1 * a": lambda a: 1 * a,
    "a / 1": lambda a: a / 1, "a ** 1": lambda a: a ** 1,
}


@pytest.mark.parametrize("expr", list(IDENTITY))
def test_an_op_that_leaves_the_value_alone_is_still_a_new_node(expr):
    """"each returning a new Value": a shortcut that returns self for + 0 (or sum()'s 0 + a),
    * 1, ** 1 merges two nodes, and the merged node's .grad mixes both nodes' gradients."""
    fn = IDENTITY[expr]
    va = Value(1.5)
    with plain_floats():
        y = fn(va)
        out = y * va
        out.backward()
    if y is va:
        raise SpecFailure(f"y = {expr} returned a itself, not a new Value",
                          "every operator returns a new node, also when the number leaves the value "
                          "alone (+ 0, * 1, ** 1): with y = a, out = y * a gives y.grad = a.grad = 2a, "
                          "where torch gives y.grad = a and a.grad = 2a")
    ta = leaf(1.5)
    ty = fn(ta)
    ty.retain_grad()
    tout = ty * ta
    tout.retain_grad()
    tout.backward()
    compare([out, y, va], [tout, ty, ta], ["out", "y", "a"], f"y = {expr}; out = y * a with a=1.5",
            "y is its own node: d out/dy = a, d out/da = y + a")


@pytest.mark.parametrize("a", [-800.0, -40.0, 40.0, 800.0])
@pytest.mark.parametrize("name", ["sigmoid", "tanh"])
def test_saturating_ops_at_large_inputs(name, a):
    """sigmoid and tanh are finite everywhere: math.exp(800) overflows (OverflowError), so
    neither may exponentiate a large positive number (1 + e^-x at x = -800, e^2x at x = 800)."""
    fn, torch_fn, hint = UNARY[name]
    va = Value(a)
    try:
        with plain_floats():
            out = fn(va)
            out.backward()
    except OverflowError as err:
        raise SpecFailure(f"a.{name}() with a={a} raised OverflowError ({err}); the result is "
                          f"finite ({torch_fn(torch.tensor(a, dtype=torch.float64)).item():.6g})",
                          "sigmoid: use e^x / (1 + e^x) for x < 0 and 1 / (1 + e^-x) for x >= 0 "
                          "(or 0.5 * (1 + tanh(x / 2))); tanh: use math.tanh") from None
    ta = leaf(a)
    tout = torch_fn(ta)
    tout.retain_grad()
    tout.backward()
    compare([out, va], [tout, ta], ["out", "a"], f"out = a.{name}() with a={a}", hint)


def test_relu_at_zero_passes_no_gradient():
    va = Value(0.0)
    with plain_floats():
        out = va.relu()
        out.backward()
    ta = leaf(0.0)
    tout = torch.relu(ta)
    tout.retain_grad()
    tout.backward()
    compare([out, va], [tout, ta], ["out", "a"], "out = a.relu() with a=0.0",
            "relu'(0) is 0 here, as in torch: pass gradient only where a > 0")


# ------------------------------------------------------------------------------ reuse and order

def test_node_used_twice_in_one_op():
    x = Value(3.0)
    with plain_floats():
        out = x * x
        out.backward()
    tx = leaf(3.0)
    (tx * tx).backward()
    compare([x], [tx], ["x"], "out = x * x with x=3 (d out/dx = 2x = 6)", ACCUMULATE_HINT)


def test_node_used_by_two_ops():
    x, y = Value(2.0), Value(-1.5)
    with plain_floats():
        a = x * y
        out = a + x
        out.backward()
    tx, ty = leaf(2.0), leaf(-1.5)
    ta = tx * ty
    ta.retain_grad()
    tout = ta + tx
    tout.retain_grad()
    tout.backward()
    compare([out, a, x, y], [tout, ta, tx, ty], ["out", "a", "x", "y"],
            "a = x * y; out = a + x with x=2, y=-1.5", ACCUMULATE_HINT)


@pytest.mark.parametrize("order", ["b + c", "c + b"])
def test_diamond(order):
    # x -> b -> c, and out uses both b and c: b is reached by two paths. In "b + c", b is the
    # first input of out, but its gradient is complete only after c has pushed its share.
    x = Value(0.6)
    with plain_floats():
        b = x.tanh()
        c = b * 3.0
        out = b + c if order == "b + c" else c + b
        out.backward()
    tx = leaf(0.6)
    tb = tx.tanh()
    tb.retain_grad()
    tc = tb * 3.0
    tc.retain_grad()
    tout = tb + tc
    tout.retain_grad()
    tout.backward()
    compare([out, c, b, x], [tout, tc, tb, tx], ["out", "c", "b", "x"],
            f"b = x.tanh(); c = b * 3; out = {order} with x=0.6", TOPO_HINT)


def test_a_sum_three_hundred_nodes_deep():
    # the contract's depth: a few hundred nodes (a recursive topological sort is fine)
    xs = [Value(0.01 * i) for i in range(300)]
    with plain_floats():
        total = xs[0]
        for v in xs[1:]:
            total = total + v * 2
        total.backward()
    expected = 2 * sum(0.01 * i for i in range(1, 300))
    if abs(total.data - expected) > 1e-9 or xs[0].grad != 1.0 or any(v.grad != 2.0 for v in xs[1:]):
        raise SpecFailure(f"total = x0 + 2*x1 + ... + 2*x299: data {total.data} (expected {expected}), "
                          f"grads x0 {xs[0].grad}, others {sorted({v.grad for v in xs[1:]})} (expected "
                          f"1.0 and 2.0)\n  hint: backward visits every node once, in reverse "
                          f"topological order")


def test_deep_diamond_chain():
    # Every level uses the previous node twice through two paths of different lengths.
    x = Value(0.3)
    with plain_floats():
        node = x
        nodes = [x]
        for _ in range(4):
            side = (node * 2).sigmoid()
            node = node + side
            nodes += [side, node]
        node.backward()
    tx = leaf(0.3)
    tnode, tnodes = tx, [tx]
    for _ in range(4):
        tside = (tnode * 2).sigmoid()
        tside.retain_grad()
        tnode = tnode + tside
        tnode.retain_grad()
        tnodes += [tside, tnode]
    tnode.backward()
    names = ["x"] + [f"{kind}{i}" for i in range(4) for kind in ("side", "node")]
    compare(nodes, tnodes, names, "node = x; 4 times: side = sigmoid(node * 2); node = node + side",
            TOPO_HINT)


def test_longer_path_listed_first():
    # out = (x * y) * x, where x's direct use comes after the path through x * y.
    x, y = Value(1.7), Value(-0.4)
    with plain_floats():
        p = x * y
        q = p.exp()
        out = q * x - p
        out.backward()
    tx, ty = leaf(1.7), leaf(-0.4)
    tp = tx * ty
    tp.retain_grad()
    tq = tp.exp()
    tq.retain_grad()
    tout = tq * tx - tp
    tout.retain_grad()
    tout.backward()
    compare([out, q, p, x, y], [tout, tq, tp, tx, ty], ["out", "q", "p", "x", "y"],
            "p = x * y; q = p.exp(); out = q * x - p with x=1.7, y=-0.4",
            TOPO_HINT + "; and " + ACCUMULATE_HINT)


def test_nodes_with_equal_data_are_different_nodes():
    """a = x * 2 and b = x + x hold the same number but are two nodes: a visited set keyed on
    the value (a Value.__eq__/__hash__ on .data) skips b, and b's gradient never reaches x."""
    x = Value(1.5)
    with plain_floats():
        a = x * 2
        b = x + x
        out = a * b
        out.backward()
    tx = leaf(1.5)
    ta = tx * 2
    ta.retain_grad()
    tb = tx + tx
    tb.retain_grad()
    tout = ta * tb
    tout.retain_grad()
    tout.backward()
    compare([out, a, b, x], [tout, ta, tb, tx], ["out", "a", "b", "x"],
            "a = x * 2; b = x + x; out = a * b with x=1.5 (a and b both hold 3.0)",
            "track visited nodes by identity (id(node), or the default object hash), never by "
            "value: two nodes may hold equal numbers; " + TOPO_HINT)


def test_a_second_graph_on_the_same_leaves():
    """A training loop: the leaves (parameters) are reused, their grads reset to 0, a new graph
    is built on them and backward() runs again. A topological order kept between calls (a
    mutable default argument, a class attribute) replays the first graph's nodes, whose
    gradients then reach the leaves a second time."""
    w, b = Value(0.8), Value(-0.3)
    tw, tb = leaf(0.8), leaf(-0.3)
    for step, x in enumerate((1.5, -2.0)):
        w.grad, b.grad = 0.0, 0.0
        with plain_floats():
            h = (w * x + b).tanh()
            out = h * h + w
            out.backward()
        tw.grad, tb.grad = None, None
        th = (tw * x + tb).tanh()
        th.retain_grad()
        tout = th * th + tw
        tout.retain_grad()
        tout.backward()
        compare([out, h, w, b], [tout, th, tw, tb], ["out", "h", "w", "b"],
                f"step {step + 1} of a training loop on the same leaves w=0.8, b=-0.3: grads "
                f"reset to 0, then h = (w * {x} + b).tanh(); out = h * h + w; out.backward()",
                "backward() builds a new topological order from the output each time it is "
                "called: no list or visited set that outlives the call (no mutable default "
                "argument such as def build(v, visited=set()), no class attribute)")


# ------------------------------------------------------------------------------ random graphs

CONSTANTS = [2.0, -1.5, 0.5, 3.0]
OPS = ["+", "-", "*", "/"] * 3 + [
    "c+", "+c", "c-", "-c", "c*", "*c", "c/", "/c", "**2", "**3", "**-1", "**0.5", "exp", "log",
    "tanh", "relu", "sigmoid"]  # two-input ops drawn more often: they make the diamonds


def apply_op(op, a, b, c):
    """The same op for Values and for tensors (a, b operands, c a plain number)."""
    return {
        "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
        "c+": lambda: c + a, "+c": lambda: a + c, "c-": lambda: c - a, "-c": lambda: a - c,
        "c*": lambda: c * a, "*c": lambda: a * c, "c/": lambda: c / a, "/c": lambda: a / c,
        "**2": lambda: a ** 2, "**3": lambda: a ** 3, "**-1": lambda: a ** -1,
        "**0.5": lambda: a ** 0.5, "exp": lambda: a.exp(), "log": lambda: a.log(),
        "tanh": lambda: a.tanh(), "relu": lambda: a.relu(), "sigmoid": lambda: a.sigmoid(),
    }[op]()


def safe(op, a, b):
    """Whether op stays in its domain on data a, b (and away from huge values)."""
    if op == "/" and abs(b) < 0.1 or op in ("c/", "**2", "**3", "**-1") and abs(a) < 0.1:
        return False
    if op in ("log", "**0.5") and a < 0.05 or op == "exp" and a > 4:
        return False
    return True


@given(leaves=st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=3),
       program=st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 11), st.integers(0, 11)),
                        min_size=3, max_size=12))
def test_random_expression_graphs_match_torch(leaves, program):
    # Build the torch mirror first, settling each step's op (an op outside its domain, or a
    # result beyond 100 in size, is replaced by `a * 0.5`); then replay the steps with Value.
    tensors = [leaf(x) for x in leaves]
    names = [f"x{i}" for i in range(len(leaves))]
    lines = [f"{n} = Value({x!r})" for n, x in zip(names, leaves)]
    steps = []
    for op_index, i, j in program:
        n = len(tensors)  # operands among the last few nodes: a dense graph, full of diamonds
        op, c = OPS[op_index], CONSTANTS[j % len(CONSTANTS)]
        ia, ib = n - 1 - i % min(n, 4), n - 1 - j % min(n, 4)
        a, b = tensors[ia].item(), tensors[ib].item()
        if safe(op, a, b):
            with torch.no_grad():
                value = apply_op(op, tensors[ia], tensors[ib], c).item()
            if not math.isfinite(value) or abs(value) > 100:
                op = "*c"
                c = 0.5
        else:
            op, c = "*c", 0.5
        t = apply_op(op, tensors[ia], tensors[ib], c)
        t.retain_grad()
        steps.append((op, ia, ib, c))
        tensors.append(t)
        name = f"n{len(names)}"
        shown = {"c+": f"{c} + A", "+c": f"A + {c}", "c-": f"{c} - A", "-c": f"A - {c}",
                 "c*": f"{c} * A", "*c": f"A * {c}", "c/": f"{c} / A", "/c": f"A / {c}"}.get(
            op, f"A {op} B" if op in "+-*/" else (f"A {op}" if op.startswith("**") else f"A.{op}()"))
        lines.append(f"{name} = " + shown.replace("A", names[ia]).replace("B", names[ib]))
        names.append(name)
    # The output adds every node up, newest first: each node then also feeds the output
    # directly, through a short path that is reached before its longer ones.
    total = tensors[-1]
    for t in reversed(tensors[:-1]):
        total = total + t
    total.retain_grad()
    total.backward()
    lines.append("out = " + " + ".join(reversed(names)))

    nodes = [Value(x) for x in leaves]
    with plain_floats():
        for op, ia, ib, c in steps:
            nodes.append(apply_op(op, nodes[ia], nodes[ib], c))
        out = nodes[-1]
        for v in reversed(nodes[:-1]):
            out = out + v
        out.backward()
    compare(nodes + [out], tensors + [total], names + ["out"],
            "the graph\n    " + "\n    ".join(lines) + "\n    out.backward()\n ",
            TOPO_HINT + "; " + ACCUMULATE_HINT)
