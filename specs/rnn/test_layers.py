"""Specs for katas/rnn/layers.py (day 13): LSTM, state_dict-compatible with nn.LSTM.

Contract -> specs:
- nn.LSTM's keys/shapes in nn.LSTM's order, all nn.Parameters: test_state_dict_matches_nn_lstm
- init U(±1/sqrt(H)) for every parameter (biases, weight_ih with I != H): test_parameters_initialised_*,
  test_every_parameter_initialised_uniform_in_one_over_sqrt_h; drawn from torch's global
  generator (reproducible by torch.manual_seed, fresh per module):
  test_initialisation_draws_from_torchs_global_generator; every parameter its own tensor and its own
  draw (no Parameter shared between names or layers, no copied init): test_every_parameter_is_its_own_draw
- defaults num_layers=1, batch_first=False, state=None; the result is the tuple (output, (h_n, c_n))
  (not lists): test_defaults_are_one_layer_time_major
- forward vs nn.LSTM (layers, batch_first, given state, sizes 1): test_matches_nn_lstm*,
  test_batch_first_reads_batch_major_input, test_final_state_of_every_layer, test_given_initial_state_*
- a fresh zero state per call (nothing carried over), any batch size (3, 3, 1, 2):
  test_one_module_serves_any_batch_size
- B = 0 (decided: empty output and states, as nn.LSTM), with and without a state, float64 and in
  the graph: test_empty_batch
- dtype follows .double() incl. the default zero state; device of x (also after a CPU call): test_float64_after_double,
  test_float64_default_state_after_double, test_output_and_state_on_the_module_device
- gradients to x, h_0, c_0 and every parameter: test_gradients_match_nn_lstm
- non-contiguous inputs unchanged: test_non_contiguous_*; off limits: test_writes_its_own
"""

import math

import pytest
import torch
import torch.nn as nn
from hypothesis import given, strategies as st

from harness.checks import SpecFailure, assert_close, assert_parameters_like, forbid, non_contiguous, randn, unchanged
from katas.rnn.layers import LSTM

FORBIDDEN = (torch.lstm, torch.lstm_cell)
# The kernels nn.LSTM reaches below torch.lstm on CPU (oneDNN), CUDA (cuDNN), ROCm and MPS.
FORBIDDEN_ATEN = {op: "a fused LSTM kernel (nn.LSTM / torch.lstm)" for op in (
    "mkldnn_rnn_layer", "_cudnn_rnn", "miopen_rnn", "_thnn_fused_lstm_cell", "_lstm_mps")}

HINT = ("run each layer over the whole sequence, one lstm_cell step at a time; layer k's input "
        "is layer k-1's output sequence; output is the top layer's h at every step")
HINT_BATCH_FIRST = ("batch_first=True means x is (B, T, I) and output (B, T, H): step over dim 1 "
                    "(or transpose to time-major and back); h_n and c_n stay (num_layers, B, H)")
HINT_FINAL = ("h_n[k] and c_n[k] are the last-step state of layer k, stacked in layer order "
              "0..num_layers-1; h_n[-1] is the top layer's, equal to output's last step")
HINT_STATE = "state = (h_0, c_0), each (num_layers, B, H): layer k starts from h_0[k], c_0[k]"


def pair(mine, ref, *, batch_first=False):
    """Load the reference's weights into the learner's module (strictly: same keys)."""
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as err:
        raise SpecFailure(
            f"LSTM.load_state_dict(nn.LSTM(...).state_dict()) failed: {str(err).splitlines()[0]}"
            f"\n  hint: register parameters weight_ih_l{{k}}, weight_hh_l{{k}}, bias_ih_l{{k}}, "
            f"bias_hh_l{{k}} directly on the module, with nn.LSTM's shapes") from None
    return mine


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


def inputs(t, b, i, h, layers, *, batch_first, seed, dtype=torch.float32):
    x = randn(*((b, t, i) if batch_first else (t, b, i)), seed=seed, dtype=dtype)
    state = (randn(layers, b, h, seed=seed + 1, dtype=dtype),
             randn(layers, b, h, seed=seed + 2, dtype=dtype))
    return x, state


def describe(t, b, i, h, layers, batch_first, with_state):
    shape = (b, t, i) if batch_first else (t, b, i)
    state = f", (h_0, c_0) of ({layers}, {b}, {h})" if with_state else ""
    return f"LSTM({i}, {h}, num_layers={layers}, batch_first={batch_first})(x of {shape}{state})"


# ------------------------------------------------------------------ parameters

@pytest.mark.parametrize("i,h,layers", [(3, 4, 1), (5, 2, 3), (1, 7, 2)])
def test_state_dict_matches_nn_lstm(i, h, layers):
    mine = LSTM(i, h, num_layers=layers)
    expected = {k: tuple(v.shape) for k, v in nn.LSTM(i, h, num_layers=layers).state_dict().items()}
    got = {k: tuple(v.shape) for k, v in mine.state_dict().items()}
    assert got == expected, (
        f"LSTM({i}, {h}, num_layers={layers}).state_dict() has {got}, nn.LSTM's has {expected}\n"
        f"  hint: parameters named weight_ih_l{{k}}, weight_hh_l{{k}}, bias_ih_l{{k}}, "
        f"bias_hh_l{{k}} per layer, shapes (4H, I or H), (4H, H), (4H,), (4H,); no buffers")
    assert list(got) == list(expected), (
        f"LSTM({i}, {h}, num_layers={layers}).state_dict() lists its keys as {list(got)}; nn.LSTM "
        f"lists {list(expected)}\n  hint: register layer by layer, each layer's weight_ih, weight_hh, "
        f"bias_ih, bias_hh in that order (parameters() and state_dict() follow registration order)")
    assert_parameters_like(mine, expected, what=f"LSTM({i}, {h}, num_layers={layers})", like="nn.LSTM",
                           hint="every weight and bias must be an nn.Parameter so that optimizers see it")


def test_defaults_are_one_layer_time_major():
    ref = nn.LSTM(3, 5)
    mine = pair(LSTM(3, 5), ref)
    x = randn(4, 2, 3, seed=3)  # (T=4, B=2, I=3): time-major, because batch_first=False by default
    got = mine(x)
    with torch.no_grad():
        assert_close(got, ref(x), what="LSTM(3, 5)(x of (4, 2, 3)) with the default "
                     "num_layers=1, batch_first=False and state=None", hint=HINT_BATCH_FIRST)
    kinds = (type(got).__name__, type(got[1]).__name__ if isinstance(got, (tuple, list)) and len(got) == 2 else "?")
    expect(kinds == ("tuple", "tuple") and len(got[1]) == 2,
           f"LSTM(3, 5)(x) returned a {kinds[0]} whose second item is a {kinds[1]}; the contract is nn.LSTM's "
           "tuple (output, (h_n, c_n)), a tuple inside a tuple (code written for nn.LSTM may test "
           "isinstance(state, tuple))\n  hint: return output, (h_n, c_n)")


def test_parameters_initialised_like_nn_lstm():
    h = 16
    mine = LSTM(8, h, num_layers=2)
    bound = 1 / math.sqrt(h)
    values = torch.cat([p.detach().flatten() for p in mine.parameters()])
    assert values.numel() > 0 and bool(values.isfinite().all()), "LSTM's parameters are not all finite"
    assert float(values.abs().max()) <= bound + 1e-6, (
        f"LSTM(8, 16) has a parameter of magnitude {float(values.abs().max()):.3g}; nn.LSTM draws "
        f"every parameter from U(-1/sqrt(H), 1/sqrt(H)) = U(-{bound:.3g}, {bound:.3g})")
    # U(-a, a) has std a/sqrt(3). Over these 3,584 draws the sample std is within ~2% of it;
    # 0.8x..1.2x never flakes yet rejects zeros, constants and a different scale.
    std, expected = float(values.std()), bound / math.sqrt(3)
    assert 0.8 * expected <= std <= 1.2 * expected, (
        f"LSTM(8, 16)'s parameters have std {std:.3g}; U(-1/sqrt(H), 1/sqrt(H)) gives "
        f"{expected:.3g}: initialise with .uniform_(-1/sqrt(H), 1/sqrt(H))")


# ------------------------------------------------------------------ values vs nn.LSTM

@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("t,b,i,h", [(5, 3, 4, 6), (1, 1, 1, 1), (7, 2, 3, 5)])
def test_matches_nn_lstm(layers, batch_first, with_state, t, b, i, h):
    ref = nn.LSTM(i, h, num_layers=layers, batch_first=batch_first)
    mine = pair(LSTM(i, h, num_layers=layers, batch_first=batch_first), ref)
    x, state = inputs(t, b, i, h, layers, batch_first=batch_first, seed=t * 100 + b * 10 + layers)
    args = (x, state) if with_state else (x,)
    got = mine(*args)
    with torch.no_grad():
        expected = ref(*args)
    what = describe(t, b, i, h, layers, batch_first, with_state)
    hint = " ; ".join([HINT] + ([HINT_BATCH_FIRST] if batch_first else []) +
                      ([HINT_FINAL] if layers > 1 else []) + ([HINT_STATE] if with_state else []))
    assert_close(got[0], expected[0], what=f"{what} output", hint=hint)
    assert_close(got[1], expected[1], what=f"{what} (h_n, c_n)", hint=hint)
    # the same in float64, through the graph: a B = 0 shortcut returning torch.zeros(...) made
    # without dtype= is float32, and cut from the graph (output.sum().backward() raises)
    mine.double()
    args = tuple(a.double() for a in (x, *state)) if with_state else (x.double(),)
    got = mine(args[0], args[1:]) if with_state else mine(*args)
    hint64 = ("an empty batch goes through the same steps (or builds its empty results with x.new_zeros): "
              "torch.zeros(...) without dtype= is float32 and has no graph")
    for name, t in zip(("output", "h_n", "c_n"), (got[0], *got[1])):
        assert_close(t.dtype, torch.float64, what=f"{what} after .double(), float64 x: {name}.dtype", hint=hint64)
    if not got[0].requires_grad:
        raise SpecFailure(f"{what} after .double(): the output does not require grad, so "
                          f"output.sum().backward() fails\n  hint: {hint64}")


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_matches_nn_lstm_in_train_and_eval_mode(mode):
    ref = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    mine = pair(LSTM(3, 4, num_layers=2, batch_first=True), ref)
    getattr(mine, mode)()
    getattr(ref, mode)()
    x, state = inputs(5, 2, 3, 4, 2, batch_first=True, seed=21)
    got = mine(x, state)
    with torch.no_grad():
        assert_close(got, ref(x, state), what=f"LSTM(3, 4, 2, batch_first=True) in {mode}() mode",
                     hint=HINT)


def test_float64_after_double():
    ref = nn.LSTM(3, 4, num_layers=2).double()
    mine = pair(LSTM(3, 4, num_layers=2).double(), ref)
    x, state = inputs(4, 3, 3, 4, 2, batch_first=False, seed=5, dtype=torch.float64)
    got = mine(x, state)
    with torch.no_grad():
        assert_close(got, ref(x, state), what="LSTM(3, 4, 2).double()(float64 x, state)",
                     hint="create new tensors (e.g. default zero state) with x's dtype and device")


@given(t=st.integers(1, 6), b=st.integers(1, 4), i=st.integers(1, 5), h=st.integers(1, 5),
       layers=st.integers(1, 3), batch_first=st.booleans(), with_state=st.booleans(),
       seed=st.integers(0, 2**31 - 1))
def test_matches_nn_lstm_on_random_weights(t, b, i, h, layers, batch_first, with_state, seed):
    ref = nn.LSTM(i, h, num_layers=layers, batch_first=batch_first)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():  # weights larger than the default init, so every gate matters
        for p in ref.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))
    mine = pair(LSTM(i, h, num_layers=layers, batch_first=batch_first), ref)
    x, state = inputs(t, b, i, h, layers, batch_first=batch_first, seed=seed % 10_000)
    args = (x, state) if with_state else (x,)
    got = mine(*args)
    with torch.no_grad():
        expected = ref(*args)
    assert_close(got, expected, what=describe(t, b, i, h, layers, batch_first, with_state)
                 + " with N(0, 1) weights", hint=f"{HINT}; {HINT_BATCH_FIRST}; {HINT_FINAL}")


# ------------------------------------------------------------------ the typical mistakes

def test_batch_first_reads_batch_major_input():
    b, t, i, h = 2, 5, 3, 4  # B != T, so swapping them changes every shape and value
    ref = nn.LSTM(i, h, batch_first=True)
    mine = pair(LSTM(i, h, batch_first=True), ref)
    x = randn(b, t, i, seed=8)
    out, (h_n, c_n) = mine(x)
    with torch.no_grad():
        ref_out, (ref_h, ref_c) = ref(x)
    what = f"LSTM({i}, {h}, batch_first=True)(x of (B={b}, T={t}, I={i}))"
    assert_close(h_n, ref_h, what=f"{what} h_n", hint=HINT_BATCH_FIRST)
    assert_close(c_n, ref_c, what=f"{what} c_n", hint=HINT_BATCH_FIRST)
    assert_close(out, ref_out, what=f"{what} output", hint=HINT_BATCH_FIRST)


def test_final_state_of_every_layer():
    ref = nn.LSTM(3, 4, num_layers=3)
    mine = pair(LSTM(3, 4, num_layers=3), ref)
    x = randn(6, 2, 3, seed=9)
    out, (h_n, c_n) = mine(x)
    with torch.no_grad():
        _, (ref_h, ref_c) = ref(x)
    assert_close(h_n[-1], out[-1], what="LSTM(3, 4, num_layers=3): h_n[-1] vs output[-1]",
                 hint=HINT_FINAL)
    for k in range(3):
        assert_close(h_n[k], ref_h[k], what=f"LSTM(3, 4, num_layers=3) h_n[{k}] (layer {k})", hint=HINT_FINAL)
        assert_close(c_n[k], ref_c[k], what=f"LSTM(3, 4, num_layers=3) c_n[{k}] (layer {k})", hint=HINT_FINAL)


def test_given_initial_state_reaches_every_layer():
    ref = nn.LSTM(2, 3, num_layers=3)
    mine = pair(LSTM(2, 3, num_layers=3), ref)
    x, state = inputs(1, 2, 2, 3, 3, batch_first=False, seed=10)
    got = mine(x, state)
    with torch.no_grad():
        assert_close(got, ref(x, state), what="LSTM(2, 3, num_layers=3)(x of (1, 2, 2), (h_0, c_0))",
                     hint=HINT_STATE)


def test_gradients_match_nn_lstm():
    ref = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    mine = pair(LSTM(3, 4, num_layers=2, batch_first=True), ref)
    x, (h0, c0) = inputs(5, 2, 3, 4, 2, batch_first=True, seed=12)

    def run(module):
        leaves = [t.detach().clone().requires_grad_() for t in (x, h0, c0)]
        out, (h_n, c_n) = module(leaves[0], (leaves[1], leaves[2]))
        gen = torch.Generator().manual_seed(0)
        loss = sum((o * torch.randn(o.shape, generator=gen)).sum() for o in (out, h_n, c_n))
        params = dict(module.named_parameters())
        grads = torch.autograd.grad(loss, leaves + list(params.values()), allow_unused=True)
        return dict(zip(["x", "h_0", "c_0", *params], grads))

    got = run(mine)
    expected = run(ref)
    for name, g in expected.items():
        if got.get(name) is None:
            raise SpecFailure(f"LSTM: no gradient reached {name}; is the output connected to it "
                              f"(no .detach(), no torch.no_grad())?")
        assert_close(got[name], g, what=f"gradient of LSTM(3, 4, 2, batch_first=True) w.r.t. {name}",
                     hint=HINT)


# ------------------------------------------------------------------ hygiene

def test_non_contiguous_input_and_state_are_left_alone():
    ref = nn.LSTM(3, 4, num_layers=2)
    mine = pair(LSTM(3, 4, num_layers=2), ref)
    x, (h0, c0) = inputs(4, 3, 3, 4, 2, batch_first=False, seed=14)
    xs, h0s, c0s = non_contiguous(x), non_contiguous(h0), non_contiguous(c0)
    with unchanged(xs, h0s, c0s, names=["x", "h_0", "c_0"]):
        got = mine(xs, (h0s, c0s))
    with torch.no_grad():
        assert_close(got, ref(x, (h0, c0)), what="LSTM(3, 4, 2) on non-contiguous x, h_0, c_0", hint=HINT)


def test_writes_its_own():
    ref = nn.LSTM(3, 4, num_layers=2)
    mine = pair(LSTM(3, 4, num_layers=2), ref)
    x = randn(3, 2, 3, seed=15)
    with forbid(*FORBIDDEN, aten=FORBIDDEN_ATEN):
        mine(x)


# ------------------------------------------------------------------ edges

@pytest.mark.parametrize("batch_first", [False, True])
def test_float64_default_state_after_double(batch_first):
    # state=None in a .double()'d module: the zero state must be float64 too.
    ref = nn.LSTM(3, 4, num_layers=2, batch_first=batch_first).double()
    mine = pair(LSTM(3, 4, num_layers=2, batch_first=batch_first).double(), ref)
    x, _ = inputs(4, 3, 3, 4, 2, batch_first=batch_first, seed=16, dtype=torch.float64)
    what = f"LSTM(3, 4, 2, batch_first={batch_first}).double()(float64 x) with state=None"
    hint = ("make the default zero state with x's dtype and device: x.new_zeros(num_layers, B, H) "
            "(torch.zeros(...) alone is float32 on the CPU)")
    try:
        got = mine(x)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure(f"{what} raised RuntimeError: {err}\n  hint: {hint}") from err
    with torch.no_grad():
        expected = ref(x)
    assert_close(got, expected, what=what, hint=hint)


def test_output_and_state_on_the_module_device():
    # The meta device stands in for a GPU: a zero state made without device=x.device is on the CPU.
    mine = LSTM(3, 4, num_layers=2, batch_first=True)
    with torch.no_grad():  # a CPU call first: a zero state kept from it would stay on the CPU
        mine(torch.zeros(2, 5, 3))
    mine = mine.to("meta")
    x = torch.empty(2, 5, 3, device="meta")
    what = ("LSTM(3, 4, 2, batch_first=True), called once on the CPU, then .to('meta')(x of (2, 5, 3) on meta) "
            "with state=None")
    hint = ("make the default zero state on x's device in every call: x.new_zeros(num_layers, B, H) (a state "
            "kept from an earlier call stays on that call's device)")
    try:
        out, (h_n, c_n) = mine(x)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure(f"{what} raised RuntimeError: {err}\n  hint: {hint}") from err
    for name, t, shape in (("output", out, (2, 5, 4)), ("h_n", h_n, (2, 2, 4)), ("c_n", c_n, (2, 2, 4))):
        assert t.device == x.device, f"{what}: {name} is on {t.device}, expected meta (x's device)\n  hint: {hint}"
        assert tuple(t.shape) == shape, f"{what}: {name} has shape {tuple(t.shape)}, expected {shape}"


def test_every_parameter_initialised_uniform_in_one_over_sqrt_h():
    # Checked per parameter (biases included, I != H): 1024 draws per bias estimate the std
    # of U(-a, a) within ~1.5%, so ±15% never flakes, while zero biases or weight_ih bounded
    # by 1/sqrt(I) fail.
    i, h = 2, 256
    mine = LSTM(i, h)
    bound = 1 / math.sqrt(h)
    for name, p in mine.named_parameters():
        v = p.detach()
        std, expected = float(v.std()), bound / math.sqrt(3)
        assert float(v.abs().max()) <= bound + 1e-6 and abs(std / expected - 1) < 0.15, (
            f"LSTM({i}, {h}).{name} has std {std:.3g} and max |value| {float(v.abs().max()):.3g}; "
            f"nn.LSTM draws every parameter, biases included, from U(-1/sqrt(H), 1/sqrt(H)) = "
            f"U(-{bound:.3g}, {bound:.3g}) (std {expected:.3g}), with H = hidden_size, not input_size")


def test_initialisation_draws_from_torchs_global_generator():
    # As nn.LSTM: torch.manual_seed makes the init reproducible, and two modules built one
    # after the other differ (a generator seeded inside __init__ gives every LSTM the same
    # weights, and a torch.manual_seed there resets the caller's random stream).
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(5)
        first, second = LSTM(3, 4, num_layers=2), LSTM(3, 4, num_layers=2)
        torch.manual_seed(5)
        again = LSTM(3, 4, num_layers=2)
    hint = ("draw the init from torch's global generator (tensor.uniform_(-b, b) or torch.rand "
            "without generator=), and never seed it inside the module")
    for name, p in first.named_parameters():
        q, r = dict(second.named_parameters())[name], dict(again.named_parameters())[name]
        expect(not torch.equal(p, q), f"two LSTM(3, 4, num_layers=2) built one after the other have "
               f"the same {name}; nn.LSTM draws fresh random values for every module\n  hint: {hint}")
        expect(torch.equal(p, r), f"LSTM(3, 4, num_layers=2) after torch.manual_seed(5), twice: {name} "
               f"differs; the init should depend on torch's global seed alone\n  hint: {hint}")


def test_every_parameter_is_its_own_draw():
    # Every parameter is a separate tensor with its own random values: one nn.Parameter registered
    # under two names (bias_ih and bias_hh, or weight_hh for every layer) ties them in training,
    # and a copied init is not a draw.
    mine = LSTM(4, 4, num_layers=3)
    named = list(mine.named_parameters(remove_duplicate=False))
    params = dict(named)
    for a, (name, p) in enumerate(named):
        for other, q in named[a + 1:]:
            expect(p is not q and p.data_ptr() != q.data_ptr(),
                   f"LSTM(4, 4, num_layers=3): {name} and {other} are the same tensor (or share its "
                   f"storage); nn.LSTM has a separate parameter for each\n  hint: create a new "
                   f"nn.Parameter(torch.empty(shape).uniform_(-b, b)) for every name, inside the loop "
                   f"over layers")
            expect(p.shape != q.shape or not torch.equal(p, q),
                   f"LSTM(4, 4, num_layers=3): {name} and {other} hold the same values; every parameter "
                   f"is its own random draw, as in nn.LSTM\n  hint: call .uniform_(-b, b) on each "
                   f"parameter, rather than copying one draw into several")
    expect(len(params) == 12, f"LSTM(4, 4, num_layers=3) has {len(params)} distinct parameter names; "
           f"expected 12 (four per layer)")


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_empty_batch(batch_first, with_state):
    # B = 0: a reshape(T * B, -1) (to project every step at once) cannot infer -1 from 0 elements.
    ref = nn.LSTM(3, 4, num_layers=2, batch_first=batch_first)
    mine = pair(LSTM(3, 4, num_layers=2, batch_first=batch_first), ref)
    x, state = inputs(5, 0, 3, 4, 2, batch_first=batch_first, seed=60)
    args = (x, state) if with_state else (x,)
    what = describe(5, 0, 3, 4, 2, batch_first, with_state)
    hint = ("an empty batch (B = 0) is valid: spell out every size in a reshape (T * B, I), never -1 "
            "next to a 0")
    try:
        got = mine(*args)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure(f"{what} raised RuntimeError: {err}\n  hint: {hint}") from err
    with torch.no_grad():
        expected = ref(*args)
    assert_close(got[0], expected[0], what=f"{what} output", hint=hint)
    assert_close(got[1], expected[1], what=f"{what} (h_n, c_n)", hint=hint)
    # the same in float64, through the graph: a B = 0 shortcut returning torch.zeros(...) made
    # without dtype= is float32, and cut from the graph (output.sum().backward() raises)
    mine.double()
    args = tuple(a.double() for a in (x, *state)) if with_state else (x.double(),)
    got = mine(args[0], args[1:]) if with_state else mine(*args)
    hint64 = ("an empty batch goes through the same steps (or builds its empty results with x.new_zeros): "
              "torch.zeros(...) without dtype= is float32 and has no graph")
    for name, t in zip(("output", "h_n", "c_n"), (got[0], *got[1])):
        assert_close(t.dtype, torch.float64, what=f"{what} after .double(), float64 x: {name}.dtype", hint=hint64)
    if not got[0].requires_grad:
        raise SpecFailure(f"{what} after .double(): the output does not require grad, so "
                          f"output.sum().backward() fails\n  hint: {hint64}")


def test_one_module_serves_any_batch_size():
    # The same module, state=None, on B = 3, 3 again, then 1, then 2: the zero state is made
    # per call for that call's batch, and nothing carries over from one call to the next (the
    # second call of batch 3 starts from zeros, not from the first call's final state).
    ref = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    mine = pair(LSTM(3, 4, num_layers=2, batch_first=True), ref)
    for k, b in enumerate((3, 3, 1, 2)):
        x = randn(b, 5, 3, seed=50 + k)
        what = f"call {k + 1} of one LSTM(3, 4, 2, batch_first=True): x of ({b}, 5, 3), state=None"
        hint = ("make the zero state inside forward, sized (num_layers, B, H) from this x, and keep "
                "no state between calls: state=None means zeros, not 'continue from the last call' "
                "(a caller who wants that passes the returned (h_n, c_n) back in)")
        try:
            got = mine(x)
        except NotImplementedError:
            raise
        except RuntimeError as err:
            raise SpecFailure(f"{what} raised RuntimeError: {err}\n  hint: {hint}") from err
        with torch.no_grad():
            expected = ref(x)
        assert_close(got, expected, what=what, hint=hint)
