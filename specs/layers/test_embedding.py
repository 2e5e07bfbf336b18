"""Specs for katas/layers/embedding.py (day 8): Embedding (with padding_idx) and Dropout.

Contract-to-spec map:
- Embedding "weight registered, state_dict key weight, float32" (torch's default dtype: float64
  under set_default_dtype(float64), no explicit dtype=): state_dict_and_parameter
- "N(0, 1) like nn.Embedding": init_is_standard_normal; "from torch's global generator"
  (different each time, repeatable under torch.manual_seed): init_follows_torch_manual_seed
- "row padding_idx starts at zero" (incl. padding_idx=0, a falsy int): padding_row_starts_at_zero,
  padding_idx_zero_is_not_none
- "idx of any shape -> idx.shape + (dim,)" (0-d, size-0 and size-1 dims, non-contiguous):
  forward_matches_nn_embedding, empty_idx (weight's dtype, still in the graph) and
  non_contiguous_idx (both with and without padding_idx), hypothesis forward_and_gradient
- "pad row never receives a gradient; others accumulate": padding_row_gets_no_gradient,
  repeated_indices_accumulate, returns_a_loaded_padding_row, hypothesis
- "forward returns whatever row padding_idx holds": returns_a_loaded_padding_row
- state_dict from nn.Embedding loads; output dtype follows the weight (.double(), .half(),
  .bfloat16(), with padding_idx; float64 rows copied exactly): float64_module, half_module_with_padding
- "equivalent to nn.Embedding" on any device (meta, with padding_idx, forward and backward):
  keeps_device
- Dropout train: "zero with prob p, scale 1/(1-p)": train_zeroes..., keeps_the_expected_value,
  outputs_zero_or_scaled_input; "fresh mask each call": draws_a_fresh_independent_mask;
  "each element independently" (binomial count, a lone element): drops_each_element_independently;
  "from torch's global generator": follows_torch_manual_seed; "p=0 identity" (gradient
  included, no detached copy), "p=1 zeros, no NaN, still in the graph (gradient 0, not a
  detached zeros_like)": p0..., p1...; eval identity (gradient included): eval_is_the_identity,
  follows_train_and_eval (train mode drops under no_grad / inference_mode too)
- "p is read at every call" (drop.p = 0.0 / 0.75 on a built module): reads_p_at_every_call
- pad mask recomputed per call (a second batch of the same shape): padding_row_gets_no_gradient
- "x's shape and dtype" (0-d, size-0, float16/bfloat16/float64; the p = 1 shortcut too; float64
  kept values scaled in float64, no float32 mask/scale; keep rate 1 - p = 0.001 for half x,
  no mask drawn in x's dtype) and device (meta):
  keeps_shape_and_dtype, half_precision, empty_input, keeps_device
- "gradient through the same mask and scale": gradient_flows_through_the_same_mask
- built-ins off limits: writes_its_own

Statistical checks (initialisation, keep rate) use tens of thousands of draws and bounds
many standard errors wide (see the comments): they never flake, yet a wrong distribution or
a wrong keep probability misses them by far.
"""

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from harness.checks import (assert_close, assert_on_input_device, assert_shape, forbid, non_contiguous, on_meta, randn,
                            unchanged)
from harness.edges import HALF_DTYPES, assert_dtype_kept, default_dtype, tolerance
from katas.layers.embedding import Dropout, Embedding

EMBEDDING_BUILTINS = dict(
    targets=(F.embedding, torch.embedding),
    aten={"embedding": "an embedding built-in (F.embedding / torch.embedding)",
          "embedding_dense_backward": "the embedding built-in's backward"},
)
DROPOUT_BUILTINS = dict(
    targets=(F.dropout, torch.dropout, torch.native_dropout, F.dropout1d, F.dropout2d,
             F.dropout3d, F.alpha_dropout, F.feature_alpha_dropout),
    aten={"native_dropout": "a dropout built-in (F.dropout / torch.dropout)"},
)
PAD_HINT = ("the row padding_idx must get no gradient: cut the pad positions off the graph "
            "(e.g. torch.where(idx == padding_idx, out.detach(), out)) or zero that row's grad")


def _idx(shape, num, seed):
    gen = torch.Generator().manual_seed(seed)
    return torch.randint(0, num, tuple(shape), generator=gen)


def _loaded_pair(num: int, dim: int, padding_idx=None):
    """(mine, ref): my Embedding carrying the weights of a fresh nn.Embedding."""
    mine = Embedding(num, dim, padding_idx=padding_idx)
    ref = nn.Embedding(num, dim, padding_idx=padding_idx)
    sd = mine.state_dict()
    assert set(sd) == {"weight"}, (
        f"Embedding({num}, {dim}).state_dict() has keys {sorted(sd)}, expected ['weight'] like "
        "nn.Embedding; hint: register the table as an nn.Parameter named weight")
    assert_shape(sd["weight"], (num, dim), what=f"Embedding({num}, {dim}).state_dict()['weight']",
                 hint="one row per index: (num_embeddings, embedding_dim)")
    mine.load_state_dict(ref.state_dict())
    return mine, ref


def _weight(module):
    params = dict(module.named_parameters())
    assert "weight" in params, ("the Embedding's weight is not a registered parameter; wrap it in "
                                "nn.Parameter so it trains")
    return params["weight"]


# ------------------------------------------------------------------------ Embedding

def test_embedding_state_dict_and_parameter():
    mine, _ = _loaded_pair(7, 5)
    w = _weight(mine)
    assert w.requires_grad, "Embedding.weight must require grad"
    assert w.dtype == torch.float32, f"Embedding.weight is {w.dtype}, expected float32"
    with default_dtype(torch.float64):
        dtype = _weight(Embedding(7, 5, padding_idx=1)).dtype
    assert dtype == torch.float64, (
        f"Embedding(7, 5) built under torch.set_default_dtype(torch.float64) has a {dtype} weight; "
        "nn.Embedding's would be float64 (torch's default dtype)\n  hint: an explicit "
        "dtype=torch.float32 (or .float()) ignores the default dtype: leave dtype= out")


@pytest.mark.parametrize("num,dim,shape", [(1, 1, ()), (3, 2, ()), (7, 5, (3,)), (11, 3, (2, 4)),
                                           (5, 13, (2, 3, 2)), (2, 1, (1, 1))])
def test_embedding_forward_matches_nn_embedding(num, dim, shape):
    mine, ref = _loaded_pair(num, dim)
    idx = _idx(shape, num, seed=num * dim)
    with unchanged(idx, names=["idx"]):
        out = mine(idx)
    assert_close(out, ref(idx), what=f"Embedding({num}, {dim})(idx of shape {shape})",
                 hint="out[..., :] = weight[idx[...]]: output shape idx.shape + (embedding_dim,)")


@given(num=st.integers(1, 9), dim=st.integers(1, 6),
       shape=st.lists(st.integers(1, 4), min_size=0, max_size=3),
       pad=st.one_of(st.none(), st.integers(0, 8)), seed=st.integers(0, 2**31 - 1))
def test_embedding_forward_and_gradient_match_nn_embedding(num, dim, shape, pad, seed):
    pad = None if pad is None else pad % num
    mine, ref = _loaded_pair(num, dim, padding_idx=pad)
    idx = _idx(shape, num, seed)
    out = mine(idx)
    expected = ref(idx)
    what = f"Embedding({num}, {dim}, padding_idx={pad})(idx of shape {tuple(shape)})"
    assert_close(out, expected, what=what)
    g = randn(*expected.shape, seed=seed + 1)
    out.backward(g)
    expected.backward(g)
    w = _weight(mine)
    assert w.grad is not None, f"{what}: no gradient reached weight"
    assert_close(w.grad, ref.weight.grad, what=f"{what}: gradient w.r.t. weight",
                 hint="a row used several times adds up all its gradients; " + PAD_HINT)


def test_embedding_repeated_indices_accumulate():
    mine, ref = _loaded_pair(4, 3)
    idx = torch.tensor([2, 2, 0, 2])
    g = randn(4, 3, seed=5)
    mine(idx).backward(g)
    expected = torch.zeros(4, 3)
    expected[2] = g[0] + g[1] + g[3]
    expected[0] = g[2]
    assert_close(_weight(mine).grad, expected, what="Embedding(4, 3)([2, 2, 0, 2]): weight.grad",
                 hint="row 2 appears three times, so its gradient is the sum of three upstream rows")


def test_embedding_padding_row_starts_at_zero():
    w = Embedding(10, 4, padding_idx=3).state_dict()["weight"]
    assert_close(w[3], torch.zeros(4), what="Embedding(10, 4, padding_idx=3).weight[3]",
                 hint="like nn.Embedding, the padding row is initialised to zeros")
    assert bool((w[torch.arange(10) != 3] != 0).all()), (
        "Embedding(10, 4, padding_idx=3): only row 3 should start at zero")


def test_embedding_padding_row_gets_no_gradient():
    mine, ref = _loaded_pair(6, 4, padding_idx=1)
    idx = torch.tensor([[1, 0, 1], [5, 1, 2]])
    g = randn(2, 3, 4, seed=6)
    mine(idx).backward(g)
    ref(idx).backward(g)
    grad = _weight(mine).grad
    assert grad is not None, "Embedding(6, 4, padding_idx=1): no gradient reached weight"
    assert_close(grad[1], torch.zeros(4), what="Embedding(6, 4, padding_idx=1): weight.grad[1]",
                 hint=PAD_HINT)
    assert_close(grad, ref.weight.grad, what="Embedding(6, 4, padding_idx=1): weight.grad")
    # A second batch of the same shape, its pads elsewhere: a pad mask kept from the first
    # call would cut the wrong positions off.
    idx2 = torch.tensor([[0, 2, 5], [1, 4, 1]])
    grad = grad.clone()
    mine(idx2).backward(g)
    ref(idx2).backward(g)
    assert_close(_weight(mine).grad - grad, ref.weight.grad - grad, what=(
        "Embedding(6, 4, padding_idx=1): weight.grad added by a second batch [[0, 2, 5], [1, 4, 1]] "
        "of the same shape (pads at other positions)"),
        hint="recompute the pad mask from each call's idx (idx == padding_idx); a mask kept from "
             "the first call cuts the gradient of the wrong positions")


def test_embedding_returns_a_loaded_padding_row():
    mine = Embedding(5, 3, padding_idx=0)
    ref = nn.Embedding(5, 3, padding_idx=0)
    with torch.no_grad():
        ref.weight[0] = torch.tensor([1.0, -2.0, 3.0])  # a checkpoint with a non-zero pad row
    mine.load_state_dict(ref.state_dict())
    idx = torch.tensor([0, 3, 0])
    out = mine(idx)
    assert_close(out, ref(idx), what="Embedding(5, 3, padding_idx=0) with a non-zero row 0, ([0, 3, 0])",
                 hint="padding_idx only stops the gradient; the forward returns whatever row 0 "
                      "holds, like nn.Embedding")
    g = randn(3, 3, seed=7)
    out.backward(g)
    assert_close(_weight(mine).grad[0], torch.zeros(3), hint=PAD_HINT,
                 what="Embedding(5, 3, padding_idx=0) with a non-zero row 0: weight.grad[0]")


def test_embedding_init_is_standard_normal():
    w = Embedding(1000, 64).state_dict()["weight"].double()
    # 64000 draws of N(0, 1): the sample std's standard error is 0.0028 and the mean's
    # 0.004, so the bounds below are > 10 standard errors wide (never flake); a uniform or a
    # scaled init (e.g. 1/sqrt(dim)) misses them by far.
    std, mean = w.std().item(), w.mean().item()
    assert abs(std - 1.0) <= 0.05, (f"Embedding(1000, 64).weight: sample std {std:.4g}, expected 1; "
                                    "hint: nn.Embedding initialises from N(0, 1) (torch.randn)")
    assert abs(mean) <= 0.05, f"Embedding(1000, 64).weight: sample mean {mean:.4g}, expected 0"
    inside = (w.abs() <= 1.0).double().mean().item()
    assert abs(inside - 0.6827) <= 0.02, (
        f"Embedding(1000, 64).weight: {inside:.1%} of values within 1 of 0; N(0, 1) has 68.3% "
        "there; hint: torch.randn, not a uniform draw")


def test_embedding_init_follows_torch_manual_seed():
    torch.manual_seed(321)
    a = Embedding(20, 6, padding_idx=1).state_dict()["weight"]
    torch.manual_seed(321)
    b = Embedding(20, 6, padding_idx=1).state_dict()["weight"]
    assert torch.equal(a, b), (
        "torch.manual_seed(321) then Embedding(20, 6, padding_idx=1), twice: the weights differ; "
        "draw the table from torch's global generator (torch.randn / weight.normal_()), not "
        "numpy or Python's random, so torch.manual_seed makes runs repeatable")
    c = Embedding(20, 6, padding_idx=1).state_dict()["weight"]
    assert not torch.equal(a, c), (
        "two Embedding(20, 6) tables built one after the other are identical: a private "
        "torch.Generator with a fixed seed gives every table the same init; draw from torch's "
        "global generator")


def test_embedding_same_in_train_and_eval_mode():
    mine, ref = _loaded_pair(8, 3, padding_idx=2)
    idx = torch.tensor([[2, 7, 0], [1, 2, 5]])
    for mode in ("eval", "train"):
        getattr(mine, mode)()
        getattr(ref, mode)()
        assert_close(mine(idx), ref(idx), what=f"Embedding(8, 3, padding_idx=2).{mode}()(idx)",
                     hint="an embedding lookup behaves the same in both modes")


@pytest.mark.parametrize("padding_idx", [None, 2])  # 2 too: the pad-mask path must not .view idx
def test_embedding_non_contiguous_idx(padding_idx):
    mine, ref = _loaded_pair(9, 4, padding_idx=padding_idx)
    idx = non_contiguous(_idx((3, 5), 9, seed=8))
    with unchanged(idx, names=["idx"]):
        out = mine(idx)
    assert_close(out, ref(idx), what=f"Embedding(9, 4, padding_idx={padding_idx})(non-contiguous idx)",
                 hint="idx may be a transposed or sliced tensor: compare it with padding_idx "
                      "as it is (idx == padding_idx), or reshape, never idx.view(-1)")


def test_embedding_float64_module():
    mine, ref = _loaded_pair(6, 3)
    mine, ref = mine.double(), ref.double()
    # float64 rows that float32 cannot hold: a float32 detour would round them
    ref.load_state_dict({"weight": randn(6, 3, seed=9, dtype=torch.float64) / 3})
    mine.load_state_dict(ref.state_dict())
    idx = torch.tensor([[5, 0], [2, 2]])
    assert_close(mine(idx), ref(idx), rtol=0, atol=0, what="Embedding(6, 3).double()(idx)",
                 hint="the output dtype follows the weight's, and a lookup copies the float64 "
                      "rows exactly: no detour through float32 (a one-hot .float() matmul)")


def test_embedding_padding_idx_zero_is_not_none():
    mine = Embedding(6, 4, padding_idx=0)
    w = _weight(mine)
    assert_close(w.detach()[0], torch.zeros(4), what="Embedding(6, 4, padding_idx=0).weight[0]",
                 hint="padding_idx=0 is a real padding index: test `padding_idx is not None`, "
                      "not `if padding_idx:` (0 is falsy)")
    idx = torch.tensor([0, 3, 0, 5])
    mine(idx).backward(randn(4, 4, seed=11))
    assert_close(w.grad[0], torch.zeros(4), what="Embedding(6, 4, padding_idx=0): weight.grad[0]",
                 hint="padding_idx=0 is falsy: test `padding_idx is not None`; " + PAD_HINT)


@pytest.mark.parametrize("padding_idx", [2, None])  # None too: the no-padding path's reshape
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_embedding_empty_idx(shape, padding_idx):
    mine, ref = _loaded_pair(5, 3, padding_idx=padding_idx)
    mine, ref = mine.double(), ref.double()
    idx = torch.zeros(shape, dtype=torch.long)
    out = mine(idx)
    assert_close(out, ref(idx), what=f"Embedding(5, 3, padding_idx={padding_idx}).double()(idx of shape {shape})",
                 hint="an empty idx gives an empty (..., embedding_dim) output in the weight's dtype; "
                      "reshape(..., -1) cannot infer -1 from 0 elements: spell out embedding_dim")
    assert out.requires_grad, (
        f"Embedding(5, 3)(idx of shape {shape}) is not connected to the weight (requires_grad is "
        "False): index the weight for an empty idx too, instead of returning a fresh torch.zeros")


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_embedding_half_module_with_padding(dtype):
    mine, ref = _loaded_pair(7, 4, padding_idx=3)
    mine, ref = mine.to(dtype), ref.to(dtype)
    idx = torch.tensor([[3, 1, 6], [0, 3, 3]])
    out = mine(idx)
    what = f"Embedding(7, 4, padding_idx=3).to({dtype})(idx)"
    assert_dtype_kept(out, _weight(mine), what)
    assert_close(out, ref(idx), what=what, rtol=0, atol=0)
    g = randn(2, 3, 4, seed=12).to(dtype)
    out.backward(g)
    ref(idx).backward(g)
    assert_close(_weight(mine).grad, ref.weight.grad, what=f"{what}: weight.grad", hint=PAD_HINT,
                 **tolerance(dtype))


def test_embedding_keeps_device():
    """Everything the forward and backward build lives on the weight's device: a helper made
    with torch.ones(...) or torch.tensor([...]) without device= breaks the module on a GPU
    (here: the meta device, which has no CPU fallback). Meta tensors hold no data, so code
    that reads values (an index bounds check with .item()) cannot run there: only a device
    mismatch fails this spec."""
    mine = Embedding(6, 3, padding_idx=2).to("meta")
    idx = torch.tensor([[2, 5, 0], [1, 2, 2]], device="meta")
    what = "Embedding(6, 3, padding_idx=2).to('meta')(idx on the meta device)"
    hint = ("build any helper tensor (a pad mask, an index) on the weight's device: "
            "torch.ones(..., device=self.weight.device), or compare idx == padding_idx directly")

    def forward_backward():
        out = mine(idx)
        assert_shape(out, (2, 3, 3), what=what)
        assert out.device == idx.device, f"{what}: output on {out.device}, expected meta"
        out.sum().backward()
        return out

    # on meta itself, not the cheap probe (assert_on_input_device): the probe's default device
    # does not reach a custom backward, which runs outside it
    if on_meta(forward_backward, what=what, hint=hint) is None:
        return  # the code reads data (an index bounds check): meta cannot judge it
    grad = _weight(mine).grad
    assert grad is not None and grad.device == idx.device, (
        f"{what}: weight.grad is {None if grad is None else grad.device}, expected a meta tensor")


def test_embedding_writes_its_own():
    idx = torch.tensor([[1, 2, 0], [3, 3, 1]])
    with forbid(*EMBEDDING_BUILTINS["targets"], aten=EMBEDDING_BUILTINS["aten"]):
        layer = Embedding(4, 5, padding_idx=0)
        layer(idx).sum().backward()
    inner = [type(m).__name__ for m in layer.modules() if isinstance(m, nn.Embedding)]
    assert not inner, f"Embedding contains an nn.Embedding ({inner}); index your own weight"


# ------------------------------------------------------------------------ Dropout

def _away_from_zero(*shape, seed=0, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)  # (harness randn() cannot make a 0-d tensor)
    x = torch.randn(shape, generator=gen, dtype=dtype)
    return torch.where(x < 0, x - 0.5, x + 0.5)  # no exact zeros, so out == 0 means dropped


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.9, 1.0])
def test_dropout_eval_is_the_identity(p):
    drop = Dropout(p)
    drop.eval()
    x = randn(4, 7, seed=1).requires_grad_()
    with unchanged(x, names=["x"]):
        out = drop(x)
    assert_close(out, x, rtol=0, atol=0, what=f"Dropout({p}).eval()(x)",
                 hint="in eval mode dropout does nothing: no mask and no scaling (the "
                      "1/(1-p) scaling in training already keeps the expected value)")
    assert out.requires_grad, (f"Dropout({p}).eval()(x) is detached from x: the identity passes the "
                               "gradient through unchanged; return x itself, not x.detach() or a "
                               "result built under torch.no_grad()")
    (grad,) = torch.autograd.grad(out, x, torch.ones(4, 7))
    assert_close(grad, torch.ones(4, 7), rtol=0, atol=0, what=f"gradient of Dropout({p}).eval()(x)",
                 hint="in eval mode the gradient passes through unchanged")


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_dropout_train_zeroes_with_probability_p_and_scales_survivors(p):
    drop = Dropout(p)  # a new module is in training mode
    x = _away_from_zero(250, 200, seed=2)
    with unchanged(x, names=["x"]):
        out = drop(x)
    assert_shape(out, x.shape, what=f"Dropout({p})(x)")
    kept = out != 0
    assert_close(out[kept], x[kept] / (1 - p), what=f"Dropout({p})(x): the kept elements",
                 hint="inverted dropout scales the survivors by 1 / (1 - p) during training, "
                      "so the expected output equals the input")
    # 50000 Bernoulli(1 - p) draws: the keep rate's standard error is <= 0.0022; 0.02 is 9
    # of them. Keeping with probability p instead of 1 - p misses by >= 0.2.
    rate = kept.double().mean().item()
    assert abs(rate - (1 - p)) <= 0.02, (
        f"Dropout({p})(x) kept {rate:.1%} of the elements, expected {1 - p:.0%}; hint: p is the "
        "probability of zeroing an element, so each survives with probability 1 - p")


def test_dropout_keeps_the_expected_value():
    drop = Dropout(0.5)
    out = drop(torch.ones(250, 200))
    # Each output is 0 or 2 with equal probability: the mean of 50000 has standard error
    # 0.0045; 0.04 is 9 of them. Without the 1/(1-p) scaling the mean is 0.5.
    mean = out.double().mean().item()
    assert abs(mean - 1.0) <= 0.04, (
        f"Dropout(0.5)(torch.ones(250, 200)).mean() = {mean:.4g}, expected about 1; hint: scale "
        "the survivors by 1 / (1 - p) so the expected value does not change")


def test_dropout_p0_is_the_identity_in_training():
    drop = Dropout(0.0)
    x = randn(3, 5, seed=3).requires_grad_()
    out = drop(x)
    assert_close(out, x, rtol=0, atol=0, what="Dropout(0.0)(x) in training",
                 hint="p = 0 drops nothing and scales by 1 / (1 - 0) = 1")
    assert out.requires_grad, (
        "Dropout(0.0)(x) in training, x requiring grad: the output is cut from x (requires_grad "
        "is False), so no gradient reaches x; hint: p = 0 is the identity, return x itself (or "
        "x * 1.0), not a detached copy")
    g = randn(3, 5, seed=30)
    (grad,) = torch.autograd.grad(out, x, g)
    assert_close(grad, g, rtol=0, atol=0, what="gradient of Dropout(0.0)(x)",
                 hint="p = 0: everything gets through, so the gradient is the upstream gradient")


def test_dropout_p1_gives_zeros_without_nan():
    drop = Dropout(1.0)
    x = randn(3, 5, seed=4).requires_grad_()
    out = drop(x)
    assert_close(out, torch.zeros(3, 5), what="Dropout(1.0)(x) in training",
                 hint="p = 1 drops everything; 1 / (1 - p) is inf and 0 * inf is NaN, so "
                      "handle p = 1 on its own")
    assert out.requires_grad, (
        "Dropout(1.0)(x) in training, x requiring grad: the output is cut from x (requires_grad "
        "is False), so backward through it fails or leaves x.grad None; hint: the gradient flows "
        "through the (all-zero) mask like at any p: return x * 0.0, not torch.zeros_like(x)")
    (grad,) = torch.autograd.grad(out, x, torch.ones(3, 5))
    assert_close(grad, torch.zeros(3, 5), what="gradient of Dropout(1.0)(x)",
                 hint="p = 1: nothing gets through, so the gradient is zero (not NaN)")


@pytest.mark.parametrize("p", [0.2, 0.6])
def test_dropout_gradient_flows_through_the_same_mask(p):
    drop = Dropout(p)
    x = _away_from_zero(40, 50, seed=5).requires_grad_()
    out = drop(x)
    g = randn(40, 50, seed=6)
    (grad,) = torch.autograd.grad(out, x, g)
    kept = (out != 0).detach()
    assert_close(grad, g * kept / (1 - p), what=f"gradient of Dropout({p})(x)",
                 hint="the backward multiplies by the same mask and the same 1 / (1 - p) as "
                      "the forward")


def test_dropout_draws_a_fresh_independent_mask():
    drop = Dropout(0.5)
    a = drop(torch.ones(64, 64))
    b = drop(torch.ones(64, 64))
    assert not torch.equal(a, b), ("Dropout(0.5) dropped the same elements on two calls; draw a "
                                   "new random mask on every forward")
    rows_same = bool((a == a[0]).all())
    cols_same = bool((a == a[:, :1]).all())
    assert not rows_same and not cols_same, (
        "Dropout(0.5)(torch.ones(64, 64)) used one mask for every row (or column); draw one "
        "independent value per element, with the input's full shape")


def test_dropout_drops_each_element_independently():
    """Each element is dropped by its own coin flip: the number dropped varies from call to
    call (binomial), and a lone element is dropped about p of the time. Dropping exactly
    round(p * numel) elements (randperm) gives the same count every call and never (or
    always) drops a single element."""
    drop = Dropout(0.5)
    torch.manual_seed(2024)
    counts = {int((drop(torch.ones(50)) == 0).sum()) for _ in range(20)}
    # 20 draws of Binomial(50, 0.5): all equal with probability < 0.12**19 (never)
    assert len(counts) > 1, (
        f"Dropout(0.5)(torch.ones(50)) dropped exactly {counts.pop()} elements on each of 20 "
        "calls; each element is zeroed independently with probability p, so the count varies "
        "(hint: keep = torch.rand(x.shape, device=x.device) >= p, not a fixed number of "
        "randperm positions)")
    single = sum(int(drop(torch.ones(1)).item() == 0) for _ in range(200))
    # Binomial(200, 0.5): 60..140 is > 5.6 standard errors wide
    assert 60 <= single <= 140, (
        f"Dropout(0.5)(torch.ones(1)) dropped the element {single} times in 200 calls, "
        "expected about 100: a lone element is dropped with probability p (hint: one "
        "independent random draw per element)")


def test_dropout_follows_train_and_eval():
    drop = Dropout(0.5)
    drop.eval()
    drop.train()
    out = drop(torch.ones(32, 32))
    assert bool((out == 0).any()), "Dropout(0.5) back in train() mode dropped nothing"
    drop.eval()
    assert_close(drop(torch.ones(32, 32)), torch.ones(32, 32), rtol=0, atol=0,
                 what="Dropout(0.5) after .eval()", hint="check self.training, which train()/eval() set")
    drop.train()
    for ctx, name in ((torch.no_grad, "torch.no_grad()"), (torch.inference_mode, "torch.inference_mode()")):
        with ctx():
            out = drop(torch.ones(32, 32))
        assert bool((out == 0).any()), (
            f"Dropout(0.5) in train() mode dropped nothing under {name}; hint: the mode is "
            "self.training (train()/eval()), not torch's grad mode: nn.Dropout also drops under "
            "no_grad (e.g. sampling with dropout on, Monte Carlo dropout)")


def test_dropout_reads_p_at_every_call():
    drop = Dropout(0.5)
    drop.p = 0.0
    x = torch.ones(32, 32)
    assert_close(drop(x), x, rtol=0, atol=0, what="Dropout(0.5) after drop.p = 0.0, in train mode",
                 hint="the rate is the attribute p, read at every call like nn.Dropout's: "
                      "compute the keep probability and scale from self.p inside forward, not once "
                      "in __init__")
    drop.p = 0.75
    out = drop(torch.ones(100, 100))
    kept = out != 0
    assert_close(out[kept], torch.full_like(out[kept], 4.0), what="Dropout(0.5) after drop.p = 0.75: "
                 "the kept elements", hint="scale the survivors by 1 / (1 - self.p) with the p of this call")
    # 10000 Bernoulli(0.25) draws: standard error 0.0043; 0.05 is 11 of them, and the rate
    # of the old p (0.5) misses by 0.25.
    rate = kept.double().mean().item()
    assert abs(rate - 0.25) <= 0.05, (
        f"Dropout(0.5) after drop.p = 0.75 kept {rate:.1%} of the elements, expected 25%; hint: "
        "read self.p at every call, not a keep rate stored in __init__")


@pytest.mark.parametrize("shape,dtype", [((), torch.float32), ((1,), torch.float32),
                                         ((7,), torch.float64), ((2, 3, 5), torch.float64),
                                         ((2, 1, 3, 1), torch.float32)])
def test_dropout_keeps_shape_and_dtype(shape, dtype):
    drop = Dropout(0.25)
    x = _away_from_zero(*shape, seed=7, dtype=dtype)
    out = drop(x)
    assert_shape(out, shape, what=f"Dropout(0.25)(x of shape {shape})")
    assert out.dtype == dtype, f"Dropout(0.25)({dtype} x) returned {out.dtype}"
    kept = out != 0
    # float64: x / 0.75 in float64 to the last bits; a scale rounded to float32 (a float32 mask
    # holding 1 / (1 - p), or torch.tensor(1 / (1 - p))) is off by 3e-8 relative
    tight = dict(rtol=1e-13, atol=0.0) if dtype == torch.float64 else {}
    assert_close(out[kept], x[kept] / 0.75, what=f"Dropout(0.25)({dtype} x of shape {shape}): kept elements",
                 hint="scale in x's dtype: x * keep / (1 - p) with a bool keep and a Python float; a float32 "
                      "mask or scale tensor rounds 1 / (1 - p) for float64 x", **tight)
    out1 = Dropout(1.0)(x)
    assert out1.dtype == dtype and out1.shape == x.shape, (
        f"Dropout(1.0)({dtype} x of shape {shape}) returned {out1.dtype} {tuple(out1.shape)}; "
        "hint: the p = 1 shortcut must keep x's dtype too: x * 0.0 or torch.zeros_like(x), not "
        "torch.zeros(x.shape)")


@pytest.mark.parametrize("dtype", HALF_DTYPES)
def test_dropout_half_precision(dtype):
    drop = Dropout(0.3)
    x = _away_from_zero(40, 30, seed=9, dtype=dtype)
    out = drop(x)
    assert_dtype_kept(out, x, f"Dropout(0.3)({dtype} x)")
    kept = out != 0
    assert_close(out[kept], x[kept] / 0.7, what=f"Dropout(0.3)({dtype} x): kept elements",
                 **tolerance(dtype))
    assert 0.55 < kept.double().mean().item() < 0.85, f"Dropout(0.3)({dtype} x): keep rate off"
    drop.eval()
    assert_close(drop(x), x, rtol=0, atol=0, what=f"Dropout(0.3).eval()({dtype} x)")
    assert_dtype_kept(Dropout(1.0)(x), x, f"Dropout(1.0)({dtype} x)")
    # p = 0.999 keeps 1 element in 1000: 40 of 40000 expected (sd 6.3), none with a mask drawn
    # in x's dtype (a bfloat16 torch.rand_like(x) never exceeds 0.99609375, so rand >= p is never true).
    torch.manual_seed(0)
    n_kept = int((Dropout(0.999)(torch.ones(40000, dtype=dtype)) != 0).sum())
    assert 10 <= n_kept <= 90, (
        f"Dropout(0.999) on 40000 {dtype} ones kept {n_kept} elements, expected about 40\n"
        "hint: draw the random numbers in float32 (torch.rand(x.shape, device=x.device)), not in "
        "x's dtype: torch.rand_like(x) in bfloat16/float16 has too few levels near 1 to keep "
        "elements with probability 1 - p")


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 2, 4)])
def test_dropout_empty_input(shape):
    for p in (0.5, 1.0):
        out = Dropout(p)(torch.ones(shape, dtype=torch.float64))
        assert_shape(out, shape, what=f"Dropout({p})(float64 x of shape {shape})")
        assert out.dtype == torch.float64, (
            f"Dropout({p})(float64 x of shape {shape}) returned {out.dtype}; hint: an early return "
            "for an empty x keeps x's dtype (return x, or torch.empty_like(x))")


def test_dropout_follows_torch_manual_seed():
    drop = Dropout(0.5)
    x = torch.ones(16, 16)
    torch.manual_seed(123)
    a = drop(x)
    torch.manual_seed(123)
    b = drop(x)
    assert torch.equal(a, b), (
        "Dropout(0.5): torch.manual_seed(123) before two calls gave two different masks; the "
        "contract says the mask comes from torch's global random generator (torch.rand / "
        "torch.bernoulli without a private torch.Generator, not Python's random or numpy)")
    torch.manual_seed(123)
    c = Dropout(0.5)(x)
    assert torch.equal(a, c), ("a new Dropout(0.5) after torch.manual_seed(123) dropped other "
                               "elements: draw the mask from torch's global generator")


def test_dropout_keeps_device():
    x = randn(5, 7, seed=13)
    for p in (0.0, 0.4, 1.0):
        assert_on_input_device(lambda: Dropout(p)(x), lambda: Dropout(p)(x.to("meta")),
                               what=f"Dropout({p})(x on the meta device)",
                               hint="the output lives on x's device: torch.rand(x.shape, device=x.device) "
                                    "or torch.rand_like(x)")


def test_dropout_non_contiguous_input():
    drop = Dropout(0.5)
    x = non_contiguous(_away_from_zero(20, 30, seed=8))
    with unchanged(x, names=["x"]):
        out = drop(x)
    kept = out != 0
    assert_close(out[kept], x[kept] * 2, what="Dropout(0.5)(non-contiguous x): kept elements")
    assert 0.3 < kept.double().mean().item() < 0.7, "Dropout(0.5)(non-contiguous x): keep rate off"


@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3),
       p=st.sampled_from([0.0, 0.1, 0.5, 0.75, 1.0]), seed=st.integers(0, 2**31 - 1))
def test_dropout_outputs_zero_or_scaled_input(shape, p, seed):
    drop = Dropout(p)
    x = _away_from_zero(*shape, seed=seed)
    out = drop(x)
    assert_shape(out, shape, what=f"Dropout({p})(x of shape {tuple(shape)})")
    expected = torch.zeros_like(x) if p == 1.0 else torch.where(out != 0, x / (1 - p), 0.0)
    assert_close(out, expected, what=f"Dropout({p})(x of shape {tuple(shape)})",
                 hint="every element is either 0 (dropped) or x / (1 - p) (kept)")


def test_dropout_writes_its_own():
    x = torch.ones(8, 8, requires_grad=True)
    with forbid(*DROPOUT_BUILTINS["targets"], aten=DROPOUT_BUILTINS["aten"]):
        drop = Dropout(0.5)
        drop(x).sum().backward()
    inner = [type(m).__name__ for m in drop.modules() if isinstance(m, nn.Dropout)]
    assert not inner, f"Dropout contains an nn.Dropout ({inner}); draw the mask yourself"
