"""Specs for katas/distributed/tensor_parallel.py (day 43): Megatron column- and row-parallel
Linear layers, the parallel MLP and the parallel causal self-attention, on real gloo process
groups (harness.distributed's pool, W = 2 and 4) against the unsplit layers run with plain
autograd in this process.

Each rank passes the same input and the same full layers; the specs compare every rank's
weights, outputs and gradients (x's, the weights', the biases') with the unsplit layer's, and
count the all-reduces of forward and of backward apart. Everything is float64; a correct
split gives the unsplit values to ~1e-15, so rtol=1e-10 leaves room for any summation order
while every catalogued mistake is off by far more. Sizes are ragged: 10 features on 4 ranks
(3, 3, 2, 2), 3 heads on 2 ranks (2, 1) and on 4 ranks (1, 1, 1, 0: a rank with no head).

Contract-to-spec map:
- the split (tensor_split's rule over groups of `block`): the weight/bias shapes and values
  in test_column_parallel_linear, test_row_parallel_linear (block=1 and block=2)
- ColumnParallelLinear: weight rows [a, b), bias[a, b) or None, output slice for x of 1
  (no batch dims), 2, 3 and 4 dims (not contiguous), no forward communication, x's gradient all-reduced once when
  all_reduce_input_grad (partial when False; the defaults all_reduce_input_grad=True, block=1
  are used when building with ColumnParallelLinear(linear)), no communication in backward when x needs no
  gradient, weight/bias gradients are slices: test_column_parallel_linear[...]
- RowParallelLinear (x_local of 1, 3 and 4 dims): weight columns [a, b), the whole bias, one all-reduce of the output's
  size in forward, bias added once, no backward communication, gradients:
  test_row_parallel_linear[...]
- "copies, the given layers are not changed": test_layers_are_copies
- a split layer holds only its slice: parameters exactly weight (+ bias), no buffers, in every
  test that builds one (expect_names)
- ParallelMLP: fc1/fc2 attributes of the two classes, equal to the unsplit MLP (any
  activation, x not contiguous), x's gradient (with a residual: only the layer's part of it is reduced), exactly
  2 all-reduces per forward + backward: test_parallel_mlp
- ParallelSelfAttention: q/k/v/o attributes, whole heads per rank (ragged, a rank with
  none), head_dim = q_proj.out_features // n_heads (8 // 4 with d = 12), x not contiguous, equal to the unsplit
  causal attention, x's gradient (with a residual), weight gradients, ONE backward
  all-reduce, a second call with a longer T (70: no mask kept or capped): test_parallel_attention
- under torch.no_grad() one all-reduce per pair: test_no_grad_forward_makes_one_all_reduce
- every async all-reduce's handle waited: in every count of all-reduces (expect_ops)
- "the layers' dtype" (bfloat16: outputs, x.grad, 2-byte all-reduces): test_bfloat16_layers_stay_bfloat16
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from harness.checks import assert_close
from harness.distributed import CommLog, RankPool, comm_log
from harness.failures import fail
from katas.distributed.tensor_parallel import (ColumnParallelLinear, ParallelMLP, ParallelSelfAttention,
                                               RowParallelLinear)

POOL = RankPool()
TOL = dict(rtol=1e-10, atol=1e-12)
B, T = 2, 3
LONG_T = 70  # attention's second call: past a 64-position mask made once

HINT_SPLIT = ("split n // block groups like torch.tensor_split: base, extra = divmod(groups, W); "
              "rank r owns groups [r * base + min(r, extra), ... + base + (r < extra)), times block")
HINT_COLUMN = ("column-parallel = a slice of the OUTPUT features: weight = linear.weight[a:b] (rows of "
               "torch's (out, in) weight), bias = linear.bias[a:b]; y_local = F.linear(x, weight, bias)")
HINT_ROW = ("row-parallel = a slice of the INPUT features: weight = linear.weight[:, a:b]; "
            "y = all_reduce(F.linear(x_local, weight)) + the whole bias, added once after the sum")
HINT_F = ("x's gradient from one rank covers only its output slice: wrap x in an autograd.Function "
          "whose forward is the identity and whose backward all-reduces the gradient")
HINT_G = ("the all-reduce in forward needs an autograd.Function: forward all-reduces (a copy), "
          "backward passes the gradient through unchanged (it is the same on every rank)")


# ------------------------------------------------------------------------------ helpers

def linear(n_in: int, n_out: int, bias: bool = True, seed: int = 0) -> nn.Linear:
    gen = torch.Generator().manual_seed(seed)
    layer = nn.Linear(n_in, n_out, bias=bias).double()
    with torch.no_grad():
        for p in layer.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=torch.float64) * 0.4)
    return layer


def tensor(*shape: int, seed: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def strided(lead: tuple, n: int, seed: int) -> torch.Tensor:
    """A (*lead, n) input; with 2 or more lead dims not contiguous, its lead dims in reverse
    order in memory (x.view(-1, n) fails on it, x.reshape(-1, n) copies)."""
    return tensor(*reversed(lead), n, seed=seed).permute(*reversed(range(len(lead))), len(lead))


def split(n: int, world: int, rank: int, block: int = 1) -> tuple[int, int]:
    """Independent of the kata: torch.tensor_split of n // block groups."""
    sizes = [len(c) for c in torch.tensor_split(torch.arange(n // block), world)]
    start = sum(sizes[:rank])
    return start * block, (start + sizes[rank]) * block


def grads(*tensors):
    return [None if t is None or t.grad is None else t.grad.detach().clone() for t in tensors]


def run_logged(fn):
    """fn() under a comm log: (result, forward ops, backward ops) with backward = ops made
    while autograd's backward ran."""
    with comm_log() as log:
        out = fn()
    fwd = CommLog(ops=[op for op in log.ops if not op.in_backward])
    bwd = CommLog(ops=[op for op in log.ops if op.in_backward])
    return out, fwd, bwd


def detached(t):
    return None if t is None else t.detach().clone()


def state_names(module):
    """The names of the module's parameters and of its non-empty buffers."""
    return (sorted(n for n, _ in module.named_parameters()),
            sorted(n for n, b in module.named_buffers() if b.numel()))


def expect_names(got, params, what):
    want = (sorted(params), [])
    if tuple(got) != want:
        fail(f"{what}: its parameters are {got[0]} and its buffers {got[1]}; the contract wants exactly the "
             f"parameters {sorted(params)} and no buffer: a split layer holds its slice, not the whole layer "
             "(a kept nn.Linear submodule would be trained and saved in full on every rank)",
             "copy the slices into new nn.Parameters and do not keep the given layer")


def storage_is_own(t) -> bool:
    return t is None or t.untyped_storage().nbytes() == t.numel() * t.element_size()


# ------------------------------------------------------------------------------ checks (on every rank)

def _column(rank, world, bias, block, reduce, lead):
    lin = linear(5, 10, bias)
    x = strided(lead, 5, seed=1).requires_grad_()
    upstream = tensor(*lead, 10, seed=2)
    # reduce=True with block=1 is built with the defaults: all_reduce_input_grad=True, block=1
    layer = (ColumnParallelLinear(lin) if reduce and block == 1
             else ColumnParallelLinear(lin, all_reduce_input_grad=reduce, block=block))
    a, b = split(10, world, rank, block)

    def go():
        y = layer(x)
        (y * upstream[..., a:b]).sum().backward()
        return y

    y, fwd, bwd = run_logged(go)
    report = dict(weight=detached(layer.weight), bias=detached(layer.bias), y=detached(y),
                  x_grad=detached(x.grad), grads=grads(layer.weight, layer.bias), fwd=fwd, bwd=bwd,
                  own=storage_is_own(layer.weight) and storage_is_own(layer.bias), names=state_names(layer))
    # the first layer of a model: its input (data) needs no gradient, so there is none to reduce
    _, _, report["bwd_data"] = run_logged(lambda: (layer(x.detach()) * upstream[..., a:b]).sum().backward())
    return report


def _row(rank, world, bias, block, lead):
    lin = linear(10, 4, bias)
    x = strided(lead, 10, seed=3)
    upstream = tensor(*lead, 4, seed=4)
    layer = RowParallelLinear(lin, block=block)
    a, b = split(10, world, rank, block)
    x_local = x[..., a:b].clone().requires_grad_()

    def go():
        y = layer(x_local)
        (y * upstream).sum().backward()
        return y

    y, fwd, bwd = run_logged(go)
    return dict(weight=detached(layer.weight), bias=detached(layer.bias), y=detached(y),
                x_grad=detached(x_local.grad), grads=grads(layer.weight, layer.bias), fwd=fwd, bwd=bwd,
                own=storage_is_own(layer.weight) and storage_is_own(layer.bias), names=state_names(layer))


def _copies(rank, world):
    lin1, lin2 = linear(5, 10), linear(10, 4)
    before = [p.detach().clone() for p in (*lin1.parameters(), *lin2.parameters())]
    col, row = ColumnParallelLinear(lin1), RowParallelLinear(lin2)
    with torch.no_grad():
        for p in (*col.parameters(), *row.parameters()):
            p.add_(1.0)  # an optimizer step on the split layers
    after = [p.detach() for p in (*lin1.parameters(), *lin2.parameters())]
    return all(torch.equal(u, v) for u, v in zip(before, after))


ACTIVATIONS = {"gelu": F.gelu, "silu": F.silu}


def _mlp(rank, world, activation):
    fc1, fc2 = linear(6, 10, seed=5), linear(10, 6, seed=6)
    x = strided((B, T), 6, seed=7).requires_grad_()  # not contiguous
    upstream = tensor(B, T, 6, seed=8)
    kwargs = {} if activation == "gelu" else {"activation": ACTIVATIONS[activation]}
    mlp = ParallelMLP(fc1, fc2, **kwargs)
    kinds = (type(getattr(mlp, "fc1", None)).__name__, type(getattr(mlp, "fc2", None)).__name__)

    def go():
        y = mlp(x)
        ((y + x) * upstream).sum().backward()  # a residual: x's gradient from mlp plus its own
        return y

    y, fwd, bwd = run_logged(go)
    return dict(kinds=kinds, y=detached(y), x_grad=detached(x.grad), fwd=fwd, bwd=bwd, names=state_names(mlp),
                grads=grads(mlp.fc1.weight, mlp.fc1.bias, mlp.fc2.weight, mlp.fc2.bias))


def _attention(rank, world, heads, inner):
    q, k, v, o = (linear(12, inner, seed=10), linear(12, inner, seed=11), linear(12, inner, seed=12),
                  linear(inner, 12, seed=13))
    x = strided((B, 5), 12, seed=9).requires_grad_()  # not contiguous
    upstream = tensor(B, 5, 12, seed=14)
    attn = ParallelSelfAttention(q, k, v, o, heads)
    kinds = tuple(type(getattr(attn, name, None)).__name__ for name in ("q_proj", "k_proj", "v_proj", "o_proj"))

    def go():
        y = attn(x)
        ((y + x) * upstream).sum().backward()  # a residual: x's gradient from attention plus its own
        return y

    y, fwd, bwd = run_logged(go)
    with torch.no_grad():  # a second call, longer than the first (no cap on T, nothing kept from call 1)
        y_long = attn(tensor(1, LONG_T, 12, seed=15))
    return dict(kinds=kinds, y=detached(y), x_grad=detached(x.grad), fwd=fwd, bwd=bwd, names=state_names(attn),
                grads=grads(attn.q_proj.weight, attn.v_proj.bias, attn.o_proj.weight, attn.o_proj.bias),
                y_long=y_long)


def _no_grad(rank, world):
    fc1, fc2 = linear(6, 10, seed=5), linear(10, 6, seed=6)
    q, k, v, o = (linear(12, 12, seed=10 + i) for i in range(4))
    mlp, attn = ParallelMLP(fc1, fc2), ParallelSelfAttention(q, k, v, o, 3)
    with torch.no_grad(), comm_log() as log:
        mlp(tensor(B, T, 6, seed=7))
        mid = len(log.ops)
        attn(tensor(B, 5, 12, seed=9))
    return CommLog(ops=log.ops[:mid]), CommLog(ops=log.ops[mid:])


# ------------------------------------------------------------------------------ the references

def _bfloat16(rank, world):
    """A bfloat16 column-parallel then row-parallel pair: dtypes of y and x.grad, and the ops."""
    col = ColumnParallelLinear(linear(4, 6, seed=5).to(torch.bfloat16))
    row = RowParallelLinear(linear(6, 4, seed=6).to(torch.bfloat16))
    x = tensor(B, 4, seed=7).to(torch.bfloat16).requires_grad_()

    def go():
        h = col(x)
        y = row(h)
        y.float().sum().backward()
        return h, y

    (h, y), fwd, bwd = run_logged(go)
    return dict(h=h.dtype, y=y.dtype, x_grad=x.grad.dtype, fwd=fwd, bwd=bwd)


def reference_attention(q, k, v, o, heads, x):
    """Causal multi-head attention written out (no SDPA): the independent oracle."""
    Bx, Tx, C = x.shape
    hd = q.out_features // heads
    split_heads = lambda t: t.view(Bx, Tx, heads, hd).transpose(1, 2)  # noqa: E731
    qh, kh, vh = split_heads(q(x)), split_heads(k(x)), split_heads(v(x))
    scores = qh @ kh.transpose(-2, -1) / math.sqrt(hd)
    mask = torch.ones(Tx, Tx, dtype=torch.bool).tril()
    scores = scores.masked_fill(~mask, float("-inf"))
    y = (scores.softmax(-1) @ vh).transpose(1, 2).reshape(Bx, Tx, heads * hd)
    return o(y)


def expect_ops(log: CommLog, count: int, nbytes: int, what: str, hint: str) -> None:
    ops = log.calls()
    if len(ops) != count or any(op.name != "all_reduce" for op in ops) or any(op.bytes != nbytes for op in ops):
        fail(f"{what}: expected {count} all_reduce call{'s' if count != 1 else ''} of {nbytes} bytes "
             f"each, got {log.summary()}", hint)
    log.assert_waited(what, "the sum may not have arrived when the tensor is used",
                      "call .wait() on the handle before using the tensor (or make the call blocking)")


# ------------------------------------------------------------------------------ specs

# every value of every option, each on both world sizes, without the whole product
# every value of every option, each on both world sizes, without the whole product; inputs of
# 1 to 4 dims (1: no batch dims at all), those of 3 or more dims not contiguous
@pytest.mark.parametrize("world, reduce, block, bias, lead", [(2, True, 1, True, (B, T)), (4, True, 1, False, (6,)),
                                                              (4, False, 2, True, (B, T)), (2, False, 2, False, (B, T)),
                                                              (4, True, 2, True, (2, 1, 3)), (2, True, 1, True, ())])
def test_column_parallel_linear(world, reduce, block, bias, lead):
    reports = POOL.run(world, _column, bias, block, reduce, lead)
    lin = linear(5, 10, bias)
    x = strided(lead, 5, seed=1).requires_grad_()
    upstream = tensor(*lead, 10, seed=2)
    (lin(x) * upstream).sum().backward()
    options = (") (the defaults: all_reduce_input_grad=True, block=1)" if reduce and block == 1
               else f", all_reduce_input_grad={reduce}, block={block})")
    name = (f"ColumnParallelLinear(Linear(5, 10{'' if bias else ', bias=False'}){options} on {world} ranks, x of shape {(*lead, 5)}{' (not contiguous)' if len(lead) > 1 else ''}")
    for rank, r in enumerate(reports):
        a, b = split(10, world, rank, block)
        at = f"{name}, rank {rank} (owns output features [{a}, {b}))"
        expect_names(r["names"], ["weight", "bias"] if bias else ["weight"], at)
        assert_close(r["weight"], lin.weight.detach()[a:b], what=f"{at}: weight", hint=HINT_SPLIT + "; " + HINT_COLUMN)
        if bias:
            assert_close(r["bias"], lin.bias.detach()[a:b], what=f"{at}: bias", hint=HINT_COLUMN)
        elif r["bias"] is not None:
            fail(f"{at}: bias is {r['bias']!r}; the contract says None when linear has no bias", None)
        assert_close(r["y"], lin(x).detach()[..., a:b], what=f"{at}: forward output", hint=HINT_COLUMN, **TOL)
        if r["fwd"].calls():
            fail(f"{at}: forward communicated {r['fwd'].summary()}; a column-parallel layer needs none "
                 "(every rank has the whole input)", HINT_COLUMN)
        partial = upstream[..., a:b] @ lin.weight.detach()[a:b]
        want = x.grad if reduce else partial
        assert_close(r["x_grad"], want, what=f"{at}: x.grad after backward of this rank's output slice"
                     + (" (summed over the ranks)" if reduce else " (this rank's part only: not reduced)"),
                     hint=HINT_F if reduce else "with all_reduce_input_grad=False, leave x's gradient as it is", **TOL)
        expect_ops(r["bwd"], 1 if reduce else 0, x.numel() * 8, f"{at}: backward",
                   HINT_F if reduce else "all_reduce_input_grad=False: the caller reduces x's gradient")
        expect_ops(r["bwd_data"], 0, 0, f"{at}: backward of layer(x) for an x that does not require grad (data)",
                   "only x's gradient is all-reduced, and there is none to reduce when x does not require grad: "
                   "an identity-forward, all-reduce-backward autograd.Function on x is never called then")
        assert_close(r["grads"][0], lin.weight.grad[a:b], what=f"{at}: weight.grad", hint=HINT_COLUMN, **TOL)
        if bias:
            assert_close(r["grads"][1], lin.bias.grad[a:b], what=f"{at}: bias.grad", hint=HINT_COLUMN, **TOL)


@pytest.mark.parametrize("world, block, bias, lead", [(2, 1, True, (B, T)), (4, 1, True, ()), (4, 2, False, (2, 1, 3)),
                                                      (2, 2, True, (B, T))])
def test_row_parallel_linear(world, block, bias, lead):
    reports = POOL.run(world, _row, bias, block, lead)
    lin = linear(10, 4, bias)
    x = strided(lead, 10, seed=3).requires_grad_()
    upstream = tensor(*lead, 4, seed=4)
    y = lin(x)
    (y * upstream).sum().backward()
    name = f"RowParallelLinear(Linear(10, 4{'' if bias else ', bias=False'}), block={block}) on {world} ranks"
    for rank, r in enumerate(reports):
        a, b = split(10, world, rank, block)
        at = f"{name}, rank {rank} (owns input features [{a}, {b}))"
        expect_names(r["names"], ["weight", "bias"] if bias else ["weight"], at)
        assert_close(r["weight"], lin.weight.detach()[:, a:b], what=f"{at}: weight", hint=HINT_SPLIT + "; " + HINT_ROW)
        if bias:
            assert_close(r["bias"], lin.bias.detach(), what=f"{at}: bias (the whole bias on every rank)", hint=HINT_ROW)
        elif r["bias"] is not None:
            fail(f"{at}: bias is {r['bias']!r}; the contract says None when linear has no bias", None)
        assert_close(r["y"], y.detach(), what=f"{at}: forward output (the whole of linear(x))", hint=HINT_ROW, **TOL)
        expect_ops(r["fwd"], 1, math.prod(lead) * 4 * 8, f"{at}: forward", HINT_ROW)
        expect_ops(r["bwd"], 0, 0, f"{at}: backward", "the output's gradient is the same on every rank: "
                   "the forward all-reduce's backward is the identity")
        assert_close(r["x_grad"], x.grad[..., a:b], what=f"{at}: x_local.grad", hint=HINT_G, **TOL)
        assert_close(r["grads"][0], lin.weight.grad[:, a:b], what=f"{at}: weight.grad", hint=HINT_G, **TOL)
        if bias:
            assert_close(r["grads"][1], lin.bias.grad, what=f"{at}: bias.grad (the whole layer's)", hint=HINT_ROW, **TOL)


def test_layers_are_copies():
    for rank, unchanged in enumerate(POOL.run(2, _copies)):
        if not unchanged:
            fail(f"rank {rank}: training the split layers changed the full nn.Linear they were built "
                 "from: the contract wants copies of the slices (a Parameter made from a slice shares "
                 "its storage, and keeps the whole full weight alive)",
                 "nn.Parameter(linear.weight.detach()[a:b].clone())")
    for world in (2, 4):
        for rank, r in enumerate(POOL.run(world, _row, True, 1, (B, T))):
            if not r["own"]:
                fail(f"rank {rank} of {world}: RowParallelLinear's weight or bias is a view of a larger "
                     "storage: clone the slice", "nn.Parameter(linear.weight.detach()[:, a:b].clone())")


@pytest.mark.parametrize("world, activation", [(2, "gelu"), (4, "gelu"), (2, "silu")])
def test_parallel_mlp(world, activation):
    reports = POOL.run(world, _mlp, activation)
    fc1, fc2 = linear(6, 10, seed=5), linear(10, 6, seed=6)
    x = strided((B, T), 6, seed=7).requires_grad_()  # not contiguous
    upstream = tensor(B, T, 6, seed=8)
    y = fc2(ACTIVATIONS[activation](fc1(x)))
    ((y + x) * upstream).sum().backward()
    name = f"ParallelMLP(Linear(6, 10), Linear(10, 6){'' if activation == 'gelu' else ', activation=F.silu'}) on {world} ranks"
    for rank, r in enumerate(reports):
        at = f"{name}, rank {rank}"
        if r["kinds"] != ("ColumnParallelLinear", "RowParallelLinear"):
            fail(f"{at}: fc1 is a {r['kinds'][0]} and fc2 a {r['kinds'][1]}; the contract wants "
                 "fc1 = ColumnParallelLinear(fc1) and fc2 = RowParallelLinear(fc2)",
                 "column first (split the hidden features), then row (sum the partial outputs)")
        expect_names(r["names"], ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], at)
        assert_close(r["y"], y.detach(), what=f"{at}: output", hint=HINT_ROW, **TOL)
        assert_close(r["x_grad"], x.grad, what=f"{at}: x.grad (the loss adds x itself: a residual)",
                     hint=HINT_F + " (not a hook on x itself: that would all-reduce the residual's gradient too)", **TOL)
        a, b = split(10, world, rank)
        for got, want, label in zip(r["grads"], (fc1.weight.grad[a:b], fc1.bias.grad[a:b], fc2.weight.grad[:, a:b],
                                                 fc2.bias.grad), ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")):
            assert_close(got, want, what=f"{at}: {label}.grad", hint=HINT_G, **TOL)
        expect_ops(r["fwd"], 1, B * T * 6 * 8, f"{at}: forward", HINT_ROW)
        expect_ops(r["bwd"], 1, B * T * 6 * 8, f"{at}: backward", HINT_F)


# inner = q_proj.out_features: 8 != d = 12 in one case (head_dim = inner // n_heads, not d // n_heads)
@pytest.mark.parametrize("world, heads, inner", [(2, 3, 12), (4, 3, 12), (4, 6, 12), (2, 4, 8)])
def test_parallel_attention(world, heads, inner):
    reports = POOL.run(world, _attention, heads, inner)
    q, k, v, o = (linear(12, inner, seed=10), linear(12, inner, seed=11), linear(12, inner, seed=12),
                  linear(inner, 12, seed=13))
    x = strided((B, 5), 12, seed=9).requires_grad_()  # not contiguous
    upstream = tensor(B, 5, 12, seed=14)
    y = reference_attention(q, k, v, o, heads, x)
    ((y + x) * upstream).sum().backward()
    hd = inner // heads
    name = (f"ParallelSelfAttention(3 x Linear(12, {inner}), Linear({inner}, 12), n_heads={heads}) on {world} ranks "
            f"(head_dim = {inner} // {heads} = {hd})")
    for rank, r in enumerate(reports):
        h0, h1 = split(heads, world, rank)
        at = f"{name}, rank {rank} (owns heads [{h0}, {h1}))"
        if r["kinds"] != ("ColumnParallelLinear",) * 3 + ("RowParallelLinear",):
            fail(f"{at}: q_proj, k_proj, v_proj, o_proj are {', '.join(r['kinds'])}; the contract wants "
                 "three ColumnParallelLinear and a RowParallelLinear", None)
        expect_names(r["names"], [f"{p}_proj.{w}" for p in "qkvo" for w in ("weight", "bias")], at)
        head_hint = ("split by whole heads: block=head_dim, so rank r owns heads tensor_split(range(n_heads), W)[r] "
                     "and the rows [h0 * head_dim, h1 * head_dim) of q, k, v (the same columns of o)")
        assert_close(r["y"], y.detach(), what=f"{at}: output", hint=head_hint + "; head_dim = q_proj.out_features "
                     "// n_heads and the scores scaled by 1 / sqrt(head_dim)", **TOL)
        assert_close(r["x_grad"], x.grad, what=f"{at}: x.grad (the loss adds x itself: a residual)",
                     hint=HINT_F + " (not a hook on x itself: that would all-reduce the residual's gradient too)", **TOL)
        with torch.no_grad():
            y_long = reference_attention(q, k, v, o, heads, tensor(1, LONG_T, 12, seed=15))
        assert_close(r["y_long"], y_long, what=f"{at}: a second forward, on x of shape (1, {LONG_T}, 12) "
                     "after (2, 5, 12)", hint="build the causal mask for this call's T (or use torch.tril / "
                     "is_causal on the scores): a mask kept from the first call or made once at a fixed size "
                     "does not fit a longer sequence", **TOL)
        rows = slice(h0 * hd, h1 * hd)
        for got, want, label in zip(r["grads"], (q.weight.grad[rows], v.bias.grad[rows], o.weight.grad[:, rows],
                                                 o.bias.grad), ("q_proj.weight", "v_proj.bias", "o_proj.weight", "o_proj.bias")):
            assert_close(got, want, what=f"{at}: {label}.grad", hint=head_hint, **TOL)
        expect_ops(r["fwd"], 1, B * 5 * 12 * 8, f"{at}: forward", HINT_ROW)
        expect_ops(r["bwd"], 1, B * 5 * 12 * 8, f"{at}: backward (x feeds q, k and v: reduce its gradient "
                   "once, not once per projection)",
                   "build q, k, v with all_reduce_input_grad=False and pass x once through an "
                   "identity-forward, all-reduce-backward autograd.Function")


def test_no_grad_forward_makes_one_all_reduce():
    for rank, (mlp, attn) in enumerate(POOL.run(2, _no_grad)):
        expect_ops(mlp, 1, B * T * 6 * 8, f"rank {rank}: ParallelMLP forward under torch.no_grad()", HINT_ROW)
        expect_ops(attn, 1, B * 5 * 12 * 8, f"rank {rank}: ParallelSelfAttention forward under torch.no_grad()", HINT_ROW)


def test_bfloat16_layers_stay_bfloat16():
    """bfloat16 layers: outputs and x's gradient stay bfloat16, and both all-reduces send
    2-byte elements (no float32 upcast around the communication)."""
    hint = ("all-reduce the tensor in the layers' dtype (gloo sums bfloat16); an upcast to float32 "
            "for the sum must be cast back, and doubles the bytes sent")
    for rank, r in enumerate(POOL.run(2, _bfloat16)):
        at = f"rank {rank}: ColumnParallelLinear(Linear(4, 6)) then RowParallelLinear(Linear(6, 4)), both bfloat16"
        for key, what in (("h", "column-parallel output"), ("y", "row-parallel output"), ("x_grad", "x.grad")):
            if r[key] != torch.bfloat16:
                fail(f"{at}: the {what} is {r[key]}, expected torch.bfloat16 (the layers' dtype)", hint)
        expect_ops(r["fwd"], 1, B * 4 * 2, f"{at}: forward (the row layer's all-reduce, bfloat16)", hint)
        expect_ops(r["bwd"], 1, B * 4 * 2, f"{at}: backward (x's gradient all-reduce, bfloat16)", hint)
