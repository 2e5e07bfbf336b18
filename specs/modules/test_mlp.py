"""Specs for katas/modules/mlp.py (day 5): MLP, count_parameters, mlp_param_count.

Contract -> specs:
- MLP state_dict keys/shapes, (out, in) layout, registered layers: test_mlp_state_dict_*,
  test_mlp_parameters_are_registered, loaded_mlp (nn.Linear state_dict loads)
- "initialised like nn.Linear", U(+-1/sqrt(fan_in)), not zeros or randn:
  test_mlp_is_initialised_like_nn_linear
- parameters in torch's default dtype (float64 under set_default_dtype(float64)), like nn.Linear's:
  test_mlp_parameters_follow_the_default_dtype
- "with torch's global generator" (no seed fixed inside __init__): test_mlp_init_follows_the_
  global_generator
- fc2(relu(fc1(x))), any leading batch dims incl. size 0, same dtype (float64, half), non-
  contiguous x: test_mlp_matches_*, test_mlp_empty_batch, test_mlp_float64, test_mlp_half_*,
  test_mlp_non_contiguous_input_is_left_alone, test_mlp_matches_reference_property
- nothing kept from an earlier call (a first call under no_grad, then .double()):
  test_mlp_forward_reads_the_parameters_at_each_call
- forward on the device of x and the parameters (no CPU helper; meta probe):
  test_mlp_forward_stays_on_the_input_device
- ReLU with derivative 0 at exactly 0: test_mlp_activation_is_relu, test_mlp_relu_grad_at_zero
- gradients vs autograd: test_mlp_gradients_match_autograd_of_the_reference
- count_parameters: int (exact type), every sub-module, buffers out, tied/reused once, frozen
  included, meta device (distinct same-shape parameters there, where every data_ptr() is 0):
  test_count_parameters_*
- "the module and all of its sub-modules": parameters held by a module beside its children,
  0-d parameters: test_count_parameters_counts_parameters_held_beside_children
- mlp_param_count: formula, bias default True, bias=False, bias as a truth value (0/1/2 and numpy
  bools: biases counted once, an int back), exact int, no module built and no
  tensor made: test_mlp_param_count_*; exact above 2**53 (no float on the way):
  test_mlp_param_count_formula
"""

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, strategies as st
from torch import nn

from harness.checks import (SpecFailure, assert_close, assert_on_input_device, assert_parameters_like,
                            assert_shape, no_torch, non_contiguous, randn, unchanged)
from harness.edges import HALF_DTYPES, assert_exact_type, default_dtype, tolerance
from katas.modules.mlp import MLP, count_parameters, mlp_param_count


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


KEYS = ("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias")
# (d_in, d_hidden, d_out): sizes 1 and primes
DIMS = [(1, 1, 1), (3, 7, 2), (5, 1, 3), (13, 11, 7), (8, 16, 4)]
REGISTER_HINT = ("assign each layer as an attribute (self.fc1 = nn.Linear(...)); layers kept "
                 "in a plain Python list or dict are not registered, so state_dict(), "
                 "parameters(), .to() and optimizers never see them (nn.ModuleList would)")


def reference_state(d_in, d_hidden, d_out, seed=0, dtype=torch.float32):
    """A state_dict taken from two nn.Linear layers, and the function they compute."""
    torch.manual_seed(seed)
    fc1, fc2 = nn.Linear(d_in, d_hidden), nn.Linear(d_hidden, d_out)
    fc1, fc2 = fc1.to(dtype), fc2.to(dtype)
    state = {"fc1.weight": fc1.weight.detach().clone(), "fc1.bias": fc1.bias.detach().clone(),
             "fc2.weight": fc2.weight.detach().clone(), "fc2.bias": fc2.bias.detach().clone()}

    def reference(x):
        return F.linear(F.relu(F.linear(x, state["fc1.weight"], state["fc1.bias"])),
                        state["fc2.weight"], state["fc2.bias"])
    return state, reference


def loaded_mlp(d_in, d_hidden, d_out, seed=0, dtype=torch.float32):
    model = MLP(d_in, d_hidden, d_out)
    state, reference = reference_state(d_in, d_hidden, d_out, seed, dtype)
    keys = set(model.state_dict())
    expect(keys == set(KEYS),
           f"MLP({d_in}, {d_hidden}, {d_out}).state_dict() has keys {sorted(keys)}, expected "
           f"{sorted(KEYS)}\n  hint: {REGISTER_HINT}")
    model = model.to(dtype)
    model.load_state_dict(state)
    return model, reference


# ------------------------------------------------------------------------ MLP: structure

@pytest.mark.parametrize("d_in,d_hidden,d_out", DIMS)
def test_mlp_state_dict_has_the_linear_layout(d_in, d_hidden, d_out):
    state = MLP(d_in, d_hidden, d_out).state_dict()
    shapes = {k: tuple(v.shape) for k, v in state.items()}
    expected = {"fc1.weight": (d_hidden, d_in), "fc1.bias": (d_hidden,),
                "fc2.weight": (d_out, d_hidden), "fc2.bias": (d_out,)}
    expect(shapes == expected,
           f"MLP({d_in}, {d_hidden}, {d_out}).state_dict() shapes are {shapes}, expected {expected}"
           f"\n  hint: {REGISTER_HINT}; like nn.Linear, a weight is stored (out_features, in_features)")


def test_mlp_parameters_are_registered():
    model = MLP(5, 7, 3)
    found = sum(p.numel() for p in model.parameters())
    expect(found == 5 * 7 + 7 + 7 * 3 + 3,
           f"MLP(5, 7, 3).parameters() yields {found} scalars, expected {5 * 7 + 7 + 7 * 3 + 3}: "
           f"an optimizer built from model.parameters() would not train every layer"
           f"\n  hint: {REGISTER_HINT}")
    assert_parameters_like(model, {"fc1.weight": (7, 5), "fc1.bias": (7,), "fc2.weight": (3, 7), "fc2.bias": (3,)},
                           what="MLP(5, 7, 3)", like="two nn.Linear layers fc1, fc2", hint=REGISTER_HINT)


def test_mlp_is_an_nn_module_whose_dtype_follows_to():
    model = MLP(4, 6, 3)
    expect(isinstance(model, nn.Module), "MLP must subclass nn.Module")
    model = model.to(torch.float64)
    out = model(randn(2, 4, dtype=torch.float64))
    assert_close(out.dtype, torch.float64, what="MLP(4, 6, 3).to(torch.float64)(x of float64).dtype",
                 hint=REGISTER_HINT)


def test_mlp_parameters_follow_the_default_dtype():
    with default_dtype(torch.float64):
        model = MLP(4, 6, 3)
        dtypes = {name: p.dtype for name, p in model.named_parameters()}
        wrong = {name: dt for name, dt in dtypes.items() if dt != torch.float64}
        expect(not wrong, f"MLP(4, 6, 3) built under torch.set_default_dtype(torch.float64) has parameters "
                          f"{wrong}; nn.Linear's would be float64\n  hint: torch.empty(...) / torch.rand(...) "
                          f"with an explicit dtype=torch.float32 (or .float()) ignores the default dtype: "
                          f"leave dtype= out, or use nn.Linear")
        out = model(randn(2, 4, dtype=torch.float64))
    assert_close(out.dtype, torch.float64, what="MLP(4, 6, 3)(float64 x).dtype under a float64 default dtype")


def test_mlp_is_initialised_like_nn_linear():
    torch.manual_seed(5)
    state = MLP(256, 64, 32).state_dict()
    torch.manual_seed(5)
    again = MLP(256, 64, 32).state_dict()
    expect(all(torch.equal(state[k], again[k]) for k in KEYS),
           "torch.manual_seed(5) then MLP(256, 64, 32), twice: the weights differ\n  hint: "
           "draw the init from torch's global generator (nn.Linear does), not numpy or a "
           "private generator")
    for key, fan_in in (("fc1.weight", 256), ("fc1.bias", 256), ("fc2.weight", 64), ("fc2.bias", 64)):
        values = state[key].double()
        bound = 1.0 / fan_in ** 0.5
        what = f"MLP(256, 64, 32) fresh {key}"
        hint = (f"initialise like nn.Linear (nn.Linear layers do it): U(-1/sqrt(fan_in), "
                f"1/sqrt(fan_in)) = U(-{bound:.4g}, {bound:.4g}) here; zeros never break the "
                f"symmetry between hidden units and torch.randn's std of 1 is far too large")
        biggest = values.abs().max().item()
        expect(biggest <= bound * (1 + 1e-6),
               f"{what}: a value of size {biggest:.4g} lies outside +-{bound:.4g}\n  hint: {hint}")
        # >= 32 uniform draws fill +-bound: the largest |value| is below bound/2 with
        # probability 2**-32; the weights' std (>= 2048 draws) is within 15% of bound/sqrt(3)
        # by > 10 standard errors.
        expect(biggest >= bound / 2, f"{what}: every value is within +-{biggest:.4g}, but "
               f"U(-{bound:.4g}, {bound:.4g}) fills the interval\n  hint: {hint}")
        if key.endswith("weight"):
            std = values.std().item()
            expect(abs(std / (bound / 3 ** 0.5) - 1) <= 0.15,
                   f"{what}: sample std {std:.4g}, expected {bound / 3 ** 0.5:.4g}\n  hint: {hint}")


def test_mlp_init_follows_the_global_generator():
    torch.manual_seed(5)
    first = MLP(6, 5, 3).state_dict()
    second = MLP(6, 5, 3).state_dict()  # the generator has moved on: fresh draws
    torch.manual_seed(6)
    other_seed = MLP(6, 5, 3).state_dict()
    same = [k for k in KEYS if torch.equal(first[k], second[k]) or torch.equal(first[k], other_seed[k])]
    expect(not same,
           f"MLP(6, 5, 3) built twice in a row, and once after torch.manual_seed(6), has the same "
           f"{same} as the first one built after torch.manual_seed(5)\n  hint: every MLP draws "
           f"its init from torch's global generator, which the caller seeds (nn.Linear does it); "
           f"torch.manual_seed(...) or a torch.Generator with a fixed seed inside __init__ makes "
           f"every model (and every ensemble member or restart) start from the same weights")


# ------------------------------------------------------------------------ MLP: values

@pytest.mark.parametrize("d_in,d_hidden,d_out", DIMS)
@pytest.mark.parametrize("batch", [(), (1,), (6,), (2, 3)])
def test_mlp_matches_linear_relu_linear(d_in, d_hidden, d_out, batch):
    model, reference = loaded_mlp(d_in, d_hidden, d_out)
    x = randn(*batch, d_in, seed=1)
    out = model(x)
    assert_close(out, reference(x), what=f"MLP({d_in}, {d_hidden}, {d_out})(x of shape {(*batch, d_in)})",
                 hint="fc2(relu(fc1(x))) with the loaded nn.Linear weights (y = x @ W.T + b); "
                      "keep every leading batch dim")


def test_mlp_activation_is_relu():
    model, reference = loaded_mlp(3, 5, 2)
    x = torch.linspace(-6, 6, 3 * 8).reshape(8, 3)
    assert_close(model(x), reference(x), what="MLP(3, 5, 2)(x spanning -6..6)",
                 hint="the activation between fc1 and fc2 is ReLU (max(h, 0)), not GELU or tanh")


@pytest.mark.parametrize("batch", [(0,), (2, 0), (0, 3)], ids=str)
def test_mlp_empty_batch(batch):
    model, reference = loaded_mlp(5, 7, 3)
    x = randn(*batch, 5, seed=1)
    out = model(x)
    assert_shape(out, (*batch, 3), what=f"MLP(5, 7, 3)(x of shape {(*batch, 5)})",
                 hint="any leading batch dims, size 0 included: nn.Linear handles them; "
                      "x.reshape(-1, d_in) then out.reshape(*batch, -1) fails on 0 elements")
    assert_close(out, reference(x), what=f"MLP(5, 7, 3)(x of shape {(*batch, 5)})")


def test_mlp_relu_grad_at_zero():
    """Pre-activations exactly 0 (zero bias, inputs with zero rows): torch's relu'(0) = 0."""
    model, _ = loaded_mlp(3, 4, 2)
    state, _ = reference_state(3, 4, 2)
    state["fc1.bias"] = torch.zeros(4)
    model.load_state_dict(state)
    x = torch.tensor([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5], [0.0, 0.0, 0.0]])
    upstream = randn(3, 2, seed=6)
    (model(x) * upstream).sum().backward()
    ref = {k: v.clone().requires_grad_() for k, v in state.items()}
    out = F.linear(F.relu(F.linear(x, ref["fc1.weight"], ref["fc1.bias"])),
                   ref["fc2.weight"], ref["fc2.bias"])
    (out * upstream).sum().backward()
    params = dict(model.named_parameters())
    for key in ("fc1.bias", "fc1.weight"):
        expect(params[key].grad is not None, f"MLP: no gradient reached {key}; is it used in forward?")
        assert_close(params[key].grad, ref[key].grad,
                     what=f"MLP(3, 4, 2) with fc1.bias = 0 and zero input rows (pre-activations "
                          f"exactly 0): grad of {key}",
                     hint="ReLU's derivative at exactly 0 is 0, as torch's: clamp(min=0) passes "
                          "gradient 1 there and torch.maximum(h, zeros) 1/2; use F.relu")


@pytest.mark.parametrize("dtype", HALF_DTYPES, ids=str)
def test_mlp_half_precision_keeps_dtype(dtype):
    model, reference = loaded_mlp(4, 6, 3)
    model = model.to(dtype)
    x = randn(2, 4, seed=2)
    out = model(x.to(dtype))
    assert_close(out, reference(x).to(dtype), what=f"MLP(4, 6, 3).to({dtype})(x of {dtype})",
                 hint="the output keeps x's dtype", **tolerance(dtype))


def test_mlp_float64():
    model, reference = loaded_mlp(4, 9, 5, dtype=torch.float64)
    x = randn(3, 4, seed=2, dtype=torch.float64)
    assert_close(model(x), reference(x), what="MLP(4, 9, 5) in float64")


def test_mlp_forward_reads_the_parameters_at_each_call():
    # a forward that keeps weight.T (or any view of the parameters) from its first call: a
    # first call under torch.no_grad keeps views cut from the graph, and .double() swaps the
    # parameters' data, leaving the kept views on the old float32 storage
    model, reference = loaded_mlp(4, 6, 3)
    x = randn(2, 4, seed=21)
    with torch.no_grad():
        model(x)
    model(x).sum().backward()
    hint = ("use self.fc1 / self.fc2 (or read their weights) inside forward at every call; a "
            "weight.T kept on the module from an earlier call is cut from the graph or stale "
            "after .double()")
    missing = [name for name, p in model.named_parameters() if p.grad is None]
    expect(not missing, f"MLP(4, 6, 3) first called under torch.no_grad(), then called again and "
                        f"backward: no gradient reached {missing}\n  hint: {hint}")
    model = model.double()
    x64 = x.double()
    state = {k: v.double() for k, v in model.state_dict().items()}
    expected = F.linear(F.relu(F.linear(x64, state["fc1.weight"], state["fc1.bias"])),
                        state["fc2.weight"], state["fc2.bias"])
    assert_close(model(x64), expected, what="MLP(4, 6, 3) called once, then .double(), then float64 x",
                 hint=hint)


def test_mlp_forward_stays_on_the_input_device():
    model = MLP(4, 6, 3)
    x = randn(2, 4, seed=22)
    assert_on_input_device(lambda: model(x), lambda: copy.deepcopy(model).to("meta")(x.to("meta")),
                           what="MLP(4, 6, 3).to(device)(x on that device)",
                           hint="build no helper tensor on the default device in forward (a "
                                "torch.zeros(1) for the ReLU is a CPU tensor while the model runs on "
                                "the GPU): F.relu(h), or torch.where(h > 0, h, 0) with a Python 0")


def test_mlp_non_contiguous_input_is_left_alone():
    model, reference = loaded_mlp(5, 7, 3)
    x = non_contiguous(randn(4, 6, 5, seed=3))
    with unchanged(x, names=["x"]):
        out = model(x)
    assert_close(out, reference(x.contiguous()), what="MLP(5, 7, 3)(non-contiguous x of shape (4, 6, 5))")


@given(d_in=st.integers(1, 9), d_hidden=st.integers(1, 9), d_out=st.integers(1, 9),
       batch=st.lists(st.integers(1, 4), min_size=0, max_size=2), seed=st.integers(0, 2**31 - 1))
def test_mlp_matches_reference_property(d_in, d_hidden, d_out, batch, seed):
    model, reference = loaded_mlp(d_in, d_hidden, d_out, seed=seed % 1000)
    x = randn(*batch, d_in, seed=seed)
    out = model(x)
    assert_shape(out, (*batch, d_out), what=f"MLP({d_in}, {d_hidden}, {d_out})(x of shape {(*batch, d_in)})")
    assert_close(out, reference(x), what=f"MLP({d_in}, {d_hidden}, {d_out})(x of shape {(*batch, d_in)})")


# ------------------------------------------------------------------------ MLP: gradients

@pytest.mark.parametrize("d_in,d_hidden,d_out", [(3, 7, 2), (13, 11, 7)])
def test_mlp_gradients_match_autograd_of_the_reference(d_in, d_hidden, d_out):
    model, _ = loaded_mlp(d_in, d_hidden, d_out)
    x = randn(5, d_in, seed=4).requires_grad_()
    upstream = randn(5, d_out, seed=5)
    (model(x) * upstream).sum().backward()

    ref = {k: v.clone().requires_grad_() for k, v in reference_state(d_in, d_hidden, d_out)[0].items()}
    x_ref = x.detach().clone().requires_grad_()
    out = F.linear(F.relu(F.linear(x_ref, ref["fc1.weight"], ref["fc1.bias"])),
                   ref["fc2.weight"], ref["fc2.bias"])
    (out * upstream).sum().backward()

    params = dict(model.named_parameters())
    for key in KEYS:
        expect(params[key].grad is not None,
               f"MLP: no gradient reached {key}; is it used in forward?")
        assert_close(params[key].grad, ref[key].grad, what=f"MLP({d_in}, {d_hidden}, {d_out}): grad of {key}")
    assert_close(x.grad, x_ref.grad, what=f"MLP({d_in}, {d_hidden}, {d_out}): grad of x")


# ------------------------------------------------------------------------ count_parameters

class TiedLM(nn.Module):
    """An embedding and an output head that share one weight (as in GPT-2)."""

    def __init__(self, vocab, dim):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.hidden = nn.Linear(dim, dim)
        self.head = nn.Linear(dim, vocab, bias=False)
        self.head.weight = self.embed.weight  # tied: one Parameter in two sub-modules


BUILTIN_MODULES = {
    "Linear(7, 3)": lambda: nn.Linear(7, 3),
    "Linear(7, 3, bias=False)": lambda: nn.Linear(7, 3, bias=False),
    "Sequential(Linear, ReLU, Linear)": lambda: nn.Sequential(nn.Linear(5, 11), nn.ReLU(), nn.Linear(11, 2)),
    "Conv2d(3, 4, 3)": lambda: nn.Conv2d(3, 4, 3),
    "LSTM(5, 7, num_layers=2)": lambda: nn.LSTM(5, 7, num_layers=2),
    "nested Sequential": lambda: nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.LayerNorm(3)),
                                               nn.ModuleList([nn.Linear(3, 1), nn.Embedding(4, 2)])),
    "ReLU (no parameters)": lambda: nn.ReLU(),
}


@pytest.mark.parametrize("name", list(BUILTIN_MODULES))
def test_count_parameters_matches_parameters(name):
    module = BUILTIN_MODULES[name]()
    n = count_parameters(module)
    assert_close(n, sum(p.numel() for p in module.parameters()), what=f"count_parameters({name})",
                 hint="add p.numel() for every parameter of the module and of all its sub-modules")


@pytest.mark.parametrize("name", ["Linear(3, 2)", "ReLU (no parameters)"])
def test_count_parameters_returns_an_int(name):
    module = {"Linear(3, 2)": lambda: nn.Linear(3, 2), "ReLU (no parameters)": nn.ReLU}[name]()
    assert_exact_type(count_parameters(module), int, f"count_parameters({name})")


def test_count_parameters_counts_frozen_parameters():
    module = nn.Sequential(nn.Linear(3, 5), nn.Linear(5, 2))
    module[0].requires_grad_(False)  # frozen (fine-tuning only the head): still parameters
    n = count_parameters(module)
    assert_close(n, 3 * 5 + 5 + 5 * 2 + 2, what="count_parameters(Sequential(frozen Linear(3, 5), "
                 "Linear(5, 2)))", hint="every parameter counts, frozen ones too: do not filter "
                 "on p.requires_grad (that counts trainable parameters, another number)")


def test_count_parameters_skips_buffers():
    module = nn.Sequential(nn.Linear(3, 7), nn.BatchNorm1d(7))
    n = count_parameters(module)
    assert_close(n, 3 * 7 + 7 + 2 * 7, what="count_parameters(Sequential(Linear(3, 7), BatchNorm1d(7)))",
                 hint="BatchNorm's running_mean, running_var and num_batches_tracked are buffers, "
                      "not parameters; state_dict() holds both, parameters() only parameters")


def test_count_parameters_counts_a_tied_weight_once():
    module = TiedLM(11, 5)
    n = count_parameters(module)
    expected = 11 * 5 + (5 * 5 + 5)  # embedding (= head) weight once, plus the hidden Linear
    assert_close(n, expected, what="count_parameters(embedding and head sharing one (11, 5) weight)",
                 hint="the head's weight IS the embedding's weight (one Parameter object): count "
                      "it once. module.parameters() yields a shared parameter only once; walking "
                      "the sub-modules and adding their counts sees it twice")


def test_count_parameters_counts_a_reused_module_once():
    layer = nn.Linear(4, 4)
    module = nn.Sequential(layer, nn.ReLU(), layer)  # the same layer applied twice
    n = count_parameters(module)
    assert_close(n, 4 * 4 + 4, what="count_parameters(Sequential(layer, ReLU(), layer))",
                 hint="one layer used twice holds one set of parameters: count it once")


class ScaledHead(nn.Module):
    """Parameters held by the module itself next to its children: a 0-d learnable scale (like
    CLIP's logit_scale) and a (2,) offset, beside a Linear and a ModuleList."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(2.0))
        self.offset = nn.Parameter(torch.zeros(2))
        self.proj = nn.Linear(3, 2)
        self.blocks = nn.ModuleList([nn.Linear(2, 2)])


@pytest.mark.parametrize("name", ["module with a 0-d scale and its own params beside children",
                                  "MultiheadAttention(8, 2)"])
def test_count_parameters_counts_parameters_held_beside_children(name):
    module = ScaledHead() if name.startswith("module") else nn.MultiheadAttention(8, 2)
    expected = 1 + 2 + (3 * 2 + 2) + (2 * 2 + 2) if isinstance(module, ScaledHead) else \
        3 * 8 * 8 + 3 * 8 + (8 * 8 + 8)  # in_proj_weight, in_proj_bias (its own), out_proj
    n = count_parameters(module)
    assert_close(n, expected, what=f"count_parameters({name})",
                 hint="a module may hold parameters itself as well as in its children, and a "
                      "parameter may be 0-d (numel() is 1; math.prod(()) is 1, but "
                      "functools.reduce(mul, ()) raises): module.parameters() walks them all")


def test_count_parameters_on_the_meta_device():
    with torch.device("meta"):
        module = nn.Sequential(nn.Linear(4096, 16384), nn.GELU(), nn.Linear(16384, 4096))
    n = count_parameters(module)
    assert_close(n, 2 * 4096 * 16384 + 16384 + 4096, what="count_parameters(a 4096/16384 MLP on the meta device)",
                 hint="count from shapes only (numel), without reading any values")
    with torch.device("meta"):
        blocks = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.Linear(64, 64))
    assert_close(count_parameters(blocks), 3 * (64 * 64 + 64),
                 what="count_parameters(three distinct Linear(64, 64) on the meta device)",
                 hint="tell shared parameters apart by identity (module.parameters() already "
                      "yields each Parameter object once): on the meta device every tensor's "
                      "data_ptr() is 0, so deduplicating by data_ptr (or storage) merges distinct "
                      "parameters of the same shape")


# ------------------------------------------------------------------------ mlp_param_count

# (2**27 + 1, 2**27 + 3, 2**27 + 5): a count above 2**53, where a float64 cannot hold every
# integer (a sum through floats, then int(...), is off by 2)
@pytest.mark.parametrize("d_in,d_hidden,d_out", DIMS + [(768, 3072, 768), (2**27 + 1, 2**27 + 3, 2**27 + 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_mlp_param_count_formula(d_in, d_hidden, d_out, bias):
    n = mlp_param_count(d_in, d_hidden, d_out, bias=bias)
    weights = d_hidden * d_in + d_out * d_hidden
    expected = weights + ((d_hidden + d_out) if bias else 0)
    expect(n == expected, f"mlp_param_count({d_in}, {d_hidden}, {d_out}, bias={bias}) returned {n!r}, "
           f"expected {expected} (off by {n - expected!r})\n  hint: a Linear(a, b) has a*b weights and "
           f"b biases (one per output); stay in int arithmetic: above 2**53 a float (float(bias), "
           f"a / or math.sqrt on the way) cannot hold every integer")


@pytest.mark.parametrize("bias", [True, False])
def test_mlp_param_count_returns_an_int(bias):
    assert_exact_type(mlp_param_count(3, 5, 2, bias=bias), int, f"mlp_param_count(3, 5, 2, bias={bias})")


def test_mlp_param_count_builds_no_module(monkeypatch):
    built = []
    original = nn.Module.__init__

    def spy(self, *args, **kwargs):
        built.append(type(self).__name__)
        original(self, *args, **kwargs)

    monkeypatch.setattr(nn.Module, "__init__", spy)
    with no_torch("mlp_param_count", "the contract says a closed-form formula, no module built and no "
                  "memory used", "d_in * d_hidden + d_hidden * d_out (+ biases), in plain int arithmetic"):
        mlp_param_count(4096, 16384, 4096, bias=True)
    monkeypatch.undo()
    expect(not built, f"mlp_param_count built modules ({', '.join(built)}); the contract says a "
           f"closed-form formula, no module built (not even on the meta device)")


@pytest.mark.parametrize("bias", [0, 1, 2, np.True_, np.False_],
                         ids=["bias=0", "bias=1", "bias=2", "numpy_True", "numpy_False"])
def test_mlp_param_count_bias_is_a_truth_value(bias):
    # flags read from a config file or argparse often arrive as 0/1 (or a numpy bool); any
    # true value means "with biases", counted once (not bias * (d_hidden + d_out))
    n = mlp_param_count(3, 5, 2, bias=bias)
    what = f"mlp_param_count(3, 5, 2, bias={bias!r})"
    assert_close(n, 3 * 5 + 5 * 2 + ((5 + 2) if bias else 0), what=what,
                 hint="test the flag's truth (if bias: ...), not its identity or its value: `bias is "
                      "True` is False for 1, `bias is not False` is True for 0, and bias * (d_hidden + "
                      "d_out) counts the biases twice for bias=2")
    assert_exact_type(n, int, what)


def test_mlp_param_count_has_bias_by_default():
    n = mlp_param_count(3, 5, 2)
    assert_close(n, 3 * 5 + 5 + 5 * 2 + 2, what="mlp_param_count(3, 5, 2) (default bias=True)")


@pytest.mark.parametrize("bias", [True, False])
def test_mlp_param_count_vs_linear_layers_on_the_meta_device(bias):
    n = mlp_param_count(4096, 16384, 4096, bias=bias)
    with torch.device("meta"):
        layers = [nn.Linear(4096, 16384, bias=bias), nn.Linear(16384, 4096, bias=bias)]
    assert_close(n, sum(p.numel() for layer in layers for p in layer.parameters()),
                 what=f"mlp_param_count(4096, 16384, 4096, bias={bias}) vs nn.Linear layers on the meta device",
                 hint="a Linear(a, b) has a*b weights and b biases (one per output)")


def test_mlp_on_the_meta_device_counts_as_the_formula():
    with torch.device("meta"):
        model = MLP(4096, 16384, 4096)
    n = count_parameters(model)
    expected = mlp_param_count(4096, 16384, 4096)
    assert_close(n, expected, what="count_parameters(MLP(4096, 16384, 4096) built on the meta device)")
    expect(all(p.is_meta for p in model.parameters()),
           "MLP built under `with torch.device('meta')` has parameters on another device: create "
           "them without an explicit device= so the default device applies")


@given(d_in=st.integers(1, 5000), d_hidden=st.integers(1, 5000), d_out=st.integers(1, 5000),
       bias=st.booleans())
def test_mlp_param_count_property(d_in, d_hidden, d_out, bias):
    n = mlp_param_count(d_in, d_hidden, d_out, bias=bias)
    with torch.device("meta"):
        layers = nn.Sequential(nn.Linear(d_in, d_hidden, bias=bias), nn.Linear(d_hidden, d_out, bias=bias))
    assert_close(n, sum(p.numel() for p in layers.parameters()),
                 what=f"mlp_param_count({d_in}, {d_hidden}, {d_out}, bias={bias})")
