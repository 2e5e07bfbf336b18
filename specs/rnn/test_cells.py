"""Specs for katas/rnn/cells.py (day 13): rnn_cell, lstm_cell, gru_cell.

Contract -> specs:
- formulas with nn.*Cell's weight layout, float32 and float64, B and sizes 1 / primes:
  test_cell_matches_nn_module_with_its_weights, test_cell_matches_builtin_on_random_weights
- lstm_cell returns the tuple (h', c'): test_cell_matches_nn_module_with_its_weights
- LSTM gate order i, f, g, o: test_lstm_gate_order_is_i_f_g_o
- GRU r multiplies (W_hn h + b_hn); h' = (1 − z)·n + z·h: test_gru_reset_gate_*, test_gru_update_gate_*
- RNN uses tanh with both biases: test_rnn_cell_uses_tanh, the module tests
- gates saturate, never NaN, at huge pre-activations, gradients too (±100, and ±1e4 where even a
  float64 exp overflows): test_cell_saturates_at_huge_pre_activations,
  test_cell_gradients_stay_finite_at_huge_pre_activations
- B = 0 (empty (0, H) outputs, gradients too): test_cell_empty_batch
- outputs on the inputs' device (meta; no CPU helper tensor): test_cell_output_on_the_input_device
- float64 computed in float64 (TIGHT64), float32 kept under a float64 default dtype:
  test_cell_float64_is_computed_in_float64
- gradients through autograd to x, state, weights: test_cell_gradients_match_autograd_of_builtin
- non-contiguous inputs, inputs unchanged: test_cell_non_contiguous_inputs_are_left_alone
- off limits: test_cell_writes_its_own
"""

import pytest
import torch
import torch.nn as nn
from hypothesis import given, strategies as st

from harness.checks import (assert_close, assert_grads_match, forbid, non_contiguous, on_meta, randn,
                            unchanged)
from harness.edges import TIGHT64, default_dtype
from katas.rnn.cells import gru_cell, lstm_cell, rnn_cell

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
MODULES = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}
HINTS = {
    "rnn": "h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh); weights are (H, I) and (H, H), "
           "so multiply by their transpose (or use F.linear)",
    "lstm": "the 4H rows of w_ih/w_hh/b_* are the gates in the order i, f, g, o (input, forget, "
            "cell candidate, output); sigmoid on i, f, o, tanh on g; c' = f*c + i*g, "
            "h' = o*tanh(c')",
    "gru": "the 3H rows are r, z, n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)) with r "
           "multiplying b_hn too; h' = (1 - z) * n + z * h",
}
SIZES = [(1, 1, 1), (2, 3, 4), (5, 7, 3), (3, 2, 13)]  # (B, I, H): ones and primes

# Every built-in that computes a whole cell step: the functions nn.*Cell call, and the fused
# aten kernels a GPU build may reach.
FORBIDDEN = (torch.rnn_tanh_cell, torch.rnn_relu_cell, torch.lstm_cell, torch.gru_cell)
FORBIDDEN_ATEN = {"_thnn_fused_lstm_cell": "a fused LSTM cell kernel",
                  "_thnn_fused_gru_cell": "a fused GRU cell kernel"}


def learner(kind, x, state, *weights):
    """Call the learner's cell; the LSTM's state is the pair (h, c)."""
    return {"rnn": rnn_cell, "lstm": lstm_cell, "gru": gru_cell}[kind](x, state, *weights)


def builtin(kind, x, state, *weights):
    return {"rnn": torch.rnn_tanh_cell, "lstm": torch.lstm_cell, "gru": torch.gru_cell}[kind](
        x, state, *weights)


def draw(kind, b, i, h, seed, dtype=torch.float32, scale=0.7):
    """x, state, w_ih, w_hh, b_ih, b_hh drawn from a seeded generator."""
    g = GATES[kind]
    x = randn(b, i, seed=seed, dtype=dtype)
    hid = randn(b, h, seed=seed + 1, dtype=dtype)
    state = (hid, randn(b, h, seed=seed + 2, dtype=dtype)) if kind == "lstm" else hid
    weights = [scale * randn(*shape, seed=seed + 3 + k, dtype=dtype)
               for k, shape in enumerate([(g * h, i), (g * h, h), (g * h,), (g * h,)])]
    return x, state, weights


def signature(kind, b, i, h, dtype=torch.float32):
    state = "(h, c)" if kind == "lstm" else "h"
    return f"{kind}_cell(x ({b}, {i}), {state} ({b}, {h}), weights of nn.{MODULES[kind].__name__}, {dtype})"


# ------------------------------------------------------------------ vs the nn modules

@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("b,i,h", SIZES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cell_matches_nn_module_with_its_weights(kind, b, i, h, dtype):
    cell = MODULES[kind](i, h).to(dtype)
    x, state, _ = draw(kind, b, i, h, seed=b * 100 + i * 10 + h, dtype=dtype)
    w = [cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh]
    with torch.no_grad():
        got = learner(kind, x, state, *w)
        expected = cell(x, state)
    assert kind != "lstm" or (isinstance(got, tuple) and len(got) == 2), (
        f"{signature(kind, b, i, h, dtype)} returned {type(got).__name__}, expected the tuple "
        f"(h', c'), as nn.LSTMCell returns it\n  hint: return h_next, c_next")
    assert_close(got, expected, what=signature(kind, b, i, h, dtype), hint=HINTS[kind])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@given(b=st.integers(1, 6), i=st.integers(1, 9), h=st.integers(1, 9),
       seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([0.1, 0.7, 2.0]))
def test_cell_matches_builtin_on_random_weights(kind, b, i, h, seed, scale):
    x, state, w = draw(kind, b, i, h, seed, scale=scale)
    got = learner(kind, x, state, *w)
    assert_close(got, builtin(kind, x, state, *w),
                 what=signature(kind, b, i, h) + f" with weights ~ {scale}*N(0, 1)", hint=HINTS[kind])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_gradients_match_autograd_of_builtin(kind):
    b, i, h = 3, 5, 4
    x, state, w = draw(kind, b, i, h, seed=7)
    if kind == "lstm":
        fn = lambda x, h0, c0, *w: lstm_cell(x, (h0, c0), *w)  # noqa: E731
        ref = lambda x, h0, c0, *w: torch.lstm_cell(x, (h0, c0), *w)  # noqa: E731
        inputs = (x, *state, *w)
    else:
        fn = lambda x, h0, *w: learner(kind, x, h0, *w)  # noqa: E731
        ref = lambda x, h0, *w: builtin(kind, x, h0, *w)  # noqa: E731
        inputs = (x, state, *w)
    assert_grads_match(fn, ref, *inputs,
                       what=f"gradients of {kind}_cell w.r.t. x, the state and every weight and bias",
                       hint="build the step from differentiable torch ops (no .detach(), no .data, "
                            "no in-place writes into tensors that need grad); " + HINTS[kind])


# ------------------------------------------------------------------ the typical mistakes

def test_lstm_gate_order_is_i_f_g_o():
    b, i, h = 2, 3, 4
    x = randn(b, i, seed=1)
    h0, c0 = randn(b, h, seed=2), randn(b, h, seed=3)
    w_ih, w_hh = torch.zeros(4 * h, i), torch.zeros(4 * h, h)
    # Only the biases drive the gates, each block with its own value: the result says which
    # block was read as which gate.
    pre = {"i": 2.0, "f": -1.0, "g": 0.5, "o": 1.5}
    b_ih = torch.cat([torch.full((h,), pre[k]) for k in "ifgo"])
    b_hh = torch.zeros(4 * h)
    got = lstm_cell(x, (h0, c0), w_ih, w_hh, b_ih, b_hh)
    gate = {k: torch.tensor(v) for k, v in pre.items()}
    c1 = torch.sigmoid(gate["f"]) * c0 + torch.sigmoid(gate["i"]) * torch.tanh(gate["g"])
    h1 = torch.sigmoid(gate["o"]) * torch.tanh(c1)
    assert_close(got, (h1, c1), what="lstm_cell with zero weights and bias blocks "
                 "i=2.0, f=-1.0, g=0.5, o=1.5 -> (h', c')",
                 hint="rows [0:H] are the input gate i, [H:2H] forget f, [2H:3H] the cell "
                      "candidate g (tanh), [3H:4H] output o: the order i, f, g, o")


def test_gru_reset_gate_multiplies_the_hidden_bias():
    b, i, h = 2, 3, 4
    x, h0 = randn(b, i, seed=4), randn(b, h, seed=5)
    w_ih, w_hh = torch.zeros(3 * h, i), torch.zeros(3 * h, h)
    # r = sigmoid(-1), z = sigmoid(0) = 0.5; only b_hn reaches n through the hidden side.
    b_ih = torch.cat([torch.full((h,), -1.0), torch.zeros(h), torch.full((h,), 0.3)])
    b_hh = torch.cat([torch.zeros(h), torch.zeros(h), torch.full((h,), 2.0)])
    got = gru_cell(x, h0, w_ih, w_hh, b_ih, b_hh)
    r, z = torch.sigmoid(torch.tensor(-1.0)), torch.sigmoid(torch.tensor(0.0))
    n = torch.tanh(0.3 + r * 2.0)
    expected = (1 - z) * n + z * h0
    assert_close(got, expected, what="gru_cell with zero weights, b_ir=-1, b_in=0.3, b_hn=2.0",
                 hint="n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): add b_hn BEFORE multiplying "
                      "by r (r * W_hn h + b_hn is a different network)")


def test_gru_update_gate_keeps_the_old_state():
    b, i, h = 2, 3, 4
    x, h0 = randn(b, i, seed=6), randn(b, h, seed=7)
    w_ih, w_hh = torch.zeros(3 * h, i), torch.zeros(3 * h, h)
    # z = sigmoid(4) ~ 0.98: the step should mostly keep h; n = tanh(0.5).
    b_ih = torch.cat([torch.zeros(h), torch.full((h,), 4.0), torch.full((h,), 0.5)])
    got = gru_cell(x, h0, w_ih, w_hh, b_ih, torch.zeros(3 * h))
    z, n = torch.sigmoid(torch.tensor(4.0)), torch.tanh(torch.tensor(0.5))
    assert_close(got, (1 - z) * n + z * h0, what="gru_cell with z = sigmoid(4) (update gate near 1)",
                 hint="h' = (1 - z) * n + z * h: z close to 1 keeps the old state")


def test_rnn_cell_uses_tanh():
    x, h0 = torch.full((1, 1), 3.0), torch.zeros(1, 1)
    got = rnn_cell(x, h0, torch.ones(1, 1), torch.ones(1, 1), torch.zeros(1), torch.zeros(1))
    assert_close(got, torch.tanh(torch.full((1, 1), 3.0)), what="rnn_cell(x=3, h=0, w_ih=1, w_hh=1, b=0)",
                 hint="the nonlinearity is tanh, applied after adding both affine terms")


# ------------------------------------------------------------------ hygiene

@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_non_contiguous_inputs_are_left_alone(kind):
    b, i, h = 3, 5, 2
    x, state, w = draw(kind, b, i, h, seed=11)
    x_nc = non_contiguous(x)
    state_nc = tuple(non_contiguous(s) for s in state) if kind == "lstm" else non_contiguous(state)
    w_nc = [non_contiguous(t) for t in w]
    tensors = [x_nc, *(state_nc if kind == "lstm" else (state_nc,)), *w_nc]
    with unchanged(*tensors):
        got = learner(kind, x_nc, state_nc, *w_nc)
    assert_close(got, builtin(kind, x, state, *w),
                 what=signature(kind, b, i, h) + " with non-contiguous inputs", hint=HINTS[kind])


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_writes_its_own(kind):
    x, state, w = draw(kind, 2, 3, 4, seed=13)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        learner(kind, x, state, *w)


# ------------------------------------------------------------------ edges

@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_saturates_at_huge_pre_activations(kind):
    # Pre-activations in the hundreds (±): sigmoid and tanh saturate. exp(x) / (1 + exp(x)) or
    # (exp(2x) − 1) / (exp(2x) + 1) overflow to inf / inf = NaN past x ~ 44..88 in float32.
    x, state, w = draw(kind, 3, 4, 5, seed=17)
    x = x * 100.0
    if kind == "lstm":
        state = (state[0] * 100.0, state[1])
    else:
        state = state * 100.0
    got = learner(kind, x, state, *w)
    assert_close(got, builtin(kind, x, state, *w),
                 what=signature(kind, 3, 4, 5) + " with pre-activations of about ±100",
                 hint="use torch.sigmoid and torch.tanh: they saturate to 0/1 and ±1, while a hand-made "
                      "exp formula overflows to inf / inf = NaN at large inputs")


@pytest.mark.parametrize("big", [100.0, 1e4])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_gradients_stay_finite_at_huge_pre_activations(kind, big):
    # 1 / (1 + exp(-x)) saturates to 0 in the forward, but its backward multiplies
    # -1/inf^2 = -0 by exp(-x) = inf: NaN. torch.sigmoid / torch.tanh give the true ~0.
    # ±1e4 (a float32 holds it): a hand-made formula done in float64 overflows there too.
    x, state, w = draw(kind, 3, 4, 5, seed=23)
    x = x * big
    if kind == "lstm":
        fn = lambda x, h0, c0, *w: lstm_cell(x, (h0, c0), *w)  # noqa: E731
        ref = lambda x, h0, c0, *w: torch.lstm_cell(x, (h0, c0), *w)  # noqa: E731
        inputs = (x, state[0] * big, state[1], *w)
    else:
        fn = lambda x, h0, *w: learner(kind, x, h0, *w)  # noqa: E731
        ref = lambda x, h0, *w: builtin(kind, x, h0, *w)  # noqa: E731
        inputs = (x, state * big, *w)
    # at ±1e4 float32 rounding of the inputs alone moves a gradient by ~1e-3 relative: the
    # check there is for NaN/inf (which fail any tolerance), so it is looser
    loose = dict(rtol=1e-2, atol=1e-2) if big > 100 else {}
    assert_grads_match(fn, ref, *inputs, **loose,
                       what=f"gradients of {signature(kind, 3, 4, 5)} with pre-activations of about ±{big:g}",
                       hint="use torch.sigmoid and torch.tanh: a hand-made 1 / (1 + exp(-x)) saturates in "
                            "the forward, but its backward computes 0 * inf = NaN once exp overflows (in "
                            "float64 too, past about 709)")


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_float64_is_computed_in_float64(kind):
    x, state, w = draw(kind, 4, 6, 5, seed=19, dtype=torch.float64)
    got = learner(kind, x, state, *w)
    assert_close(got, builtin(kind, x, state, *w), what=signature(kind, 4, 6, 5, torch.float64),
                 **TIGHT64, hint="keep float64 inputs in float64 (no .float(), no float32 helper tensors); "
                                 "a float32 detour loses digits after the 7th")
    # float32 inputs under a float64 default dtype: a helper made without dtype= (torch.ones(H)
    # for 1 - z) is float64 there and promotes the float32 output.
    x, state, w = draw(kind, 2, 3, 4, seed=20)
    with default_dtype(torch.float64):
        got = learner(kind, x, state, *w)
    assert_close(got, builtin(kind, x, state, *w),
                 what=signature(kind, 2, 3, 4) + " under torch.set_default_dtype(torch.float64)",
                 hint="the outputs keep the inputs' dtype whatever the default dtype: a helper tensor built "
                      "with torch.ones(...) / torch.tensor([...]) without dtype=x.dtype follows the default dtype")


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_empty_batch(kind):
    # B = 0 is a batch like any other: a view(B, G, -1) of the gates cannot infer -1 from 0
    # elements, while chunk / split / slicing the last dim work for every B.
    x, state, w = draw(kind, 0, 3, 4, seed=29)
    w = [t.requires_grad_() for t in w]
    got = learner(kind, x, state, *w)
    expected = builtin(kind, x, state, *w)
    assert_close(got, expected, what=signature(kind, 0, 3, 4) + " (an empty batch)",
                 hint="split the gates along the last dim (chunk / split / slices); a reshape with "
                      "-1 next to B = 0 is ambiguous and raises")
    loss = sum(t.sum() for t in (got if kind == "lstm" else (got,)))
    grads = torch.autograd.grad(loss, w, allow_unused=True)
    for name, g in zip(["w_ih", "w_hh", "b_ih", "b_hh"], grads):
        assert g is None or (g == 0).all(), (
            f"{signature(kind, 0, 3, 4)}: the gradient w.r.t. {name} of an empty batch must be 0")


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_output_on_the_input_device(kind):
    # The meta device stands in for a GPU: a helper such as torch.ones(B, H) for 1 - z, made
    # without device=x.device, lands on the CPU.
    b, i, h = 2, 3, 4
    g = GATES[kind]
    meta = lambda *shape: torch.empty(*shape, device="meta")  # noqa: E731
    state = (meta(b, h), meta(b, h)) if kind == "lstm" else meta(b, h)
    weights = [meta(g * h, i), meta(g * h, h), meta(g * h), meta(g * h)]
    what = signature(kind, b, i, h) + " on the meta device"
    out = on_meta(learner, kind, meta(b, i), state, *weights, what=what,
                  hint="make any helper tensor on x's device (torch.ones_like(z), or just 1 - z)")
    if out is not None:
        for t in (out if kind == "lstm" else (out,)):
            assert isinstance(t, torch.Tensor) and t.device.type == "meta" and t.shape == (b, h), (
                f"{what} returned {getattr(t, 'shape', type(t).__name__)} on "
                f"{getattr(t, 'device', None)}; expected ({b}, {h}) on meta (x's device)")
