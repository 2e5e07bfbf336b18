"""Specs for katas/training/loop.py (day 6): train_epoch, fit, evaluate.

The learner's loop is compared with the reference loop below on twin copies of a tiny
float64 model (same initial weights, same batches, plain SGD), so every difference comes
from the loop itself. Dataset sizes are not multiples of the batch size: the last batch is
short.

Contract -> specs:
- train_epoch: train mode even when handed an eval-mode model: test_train_epoch_switches_*,
  test_train_epoch_trains_in_train_mode
- reset-forward-loss-backward-step per batch, stale .grad before the epoch:
  test_train_epoch_matches_the_reference_loop, test_train_epoch_resets_gradients_*
- "reset the gradients of every parameter the optimizer updates" (a learnable loss_fn):
  test_train_epoch_resets_every_parameter_the_optimizer_updates
- mean over SAMPLES, short last batch, weighted by inputs.shape[0] not tokens:
  test_train_epoch_returns_the_mean_*, test_*_weights_batches_by_batch_size_not_tokens,
  test_*_property
- a Python float; no batch graph kept alive (running total or list of loss tensors):
  test_train_epoch_returns_a_float_not_a_graph, test_train_epoch_frees_each_batch_graph
- "DataLoader (or any iterable)": plain lists, one-shot iterators, drop_last loaders (count
  the samples seen, not len(dataset)): test_*_any_iterable, test_*_drop_last
- fit: a list of floats, one per epoch, in order; epochs=0 -> [] and no step: test_fit_*
- train / eval mode on EVERY module, the model itself included (not only model.children()):
  test_train_epoch_trains_in_train_mode, test_evaluate_runs_without_grad_in_eval_mode
- evaluate: eval mode, no graph, no parameter changed, mode restored both ways, mean over
  samples, a Python float: test_evaluate_*
- evaluate leaves torch's grad mode as found (inside no_grad):
  test_evaluate_inside_no_grad_leaves_grad_disabled
- evaluate "without building a graph" also for the loss (a learnable loss_fn):
  test_evaluate_computes_the_loss_without_a_graph
- evaluate "changes no parameter": values, .grad and requires_grad (a frozen layer stays
  frozen): test_evaluate_leaves_grads_and_frozen_parameters_as_found
- batch size is inputs.shape[0], not len(targets) (targets flattened to (B*T,)):
  test_*_batch_size_is_inputs_shape_0_not_len_targets
- a float64 model's mean keeps float64 precision (no float32 running total):
  test_float64_losses_keep_float64_precision
"""

import copy
import weakref

import pytest
import torch
from hypothesis import given, strategies as st
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset

from harness.checks import SpecFailure, assert_close, randn, unchanged
from harness.edges import OneShot, assert_exact_type
from katas.training.loop import evaluate, fit, train_epoch


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


ZERO_GRAD_HINT = ("call optimizer.zero_grad() before every backward: .grad accumulates, so "
                  "without it each step also applies the gradients of all earlier batches")
WEIGHT_HINT = ("the last batch is short: a mean of the batch means over-weights its samples. "
               "Add loss.item() * batch_size per batch and divide by the number of samples")
TOKEN_HINT = ("weight each batch's mean loss by its batch size inputs.shape[0] (the number of "
              "sequences), not by inputs.numel() or targets.numel() (elements or tokens)")
EVAL_HINT = ("call model.eval() before evaluating (and model.train(...) after): in train mode "
             "dropout drops units at random")


def reference_epoch(model, loader, optimizer, loss_fn):
    """The loop the specs compare with."""
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count


def make_model(seed=0, dropout=0.0, d_out=2):
    torch.manual_seed(seed)
    layers = [nn.Linear(3, 8), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(8, d_out))
    return nn.Sequential(*layers).double()


def make_data(n, seed=0, regression=False):
    x = randn(n, 3, seed=seed, dtype=torch.float64)
    if regression:
        return x, torch.stack([x.sum(1), x[:, 0] * x[:, 1]], dim=1)
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).long()


def make_loader(x, y, batch_size, shuffle_seed=None):
    generator = None if shuffle_seed is None else torch.Generator().manual_seed(shuffle_seed)
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle_seed is not None,
                      generator=generator)


def token_batches(seed=0):
    """Batches of 4, 4 and 3 sequences of lengths 2, 6 and 1: inputs (B, T, 3), targets (B, T).
    Weighting a batch by its elements or tokens instead of B gives another mean."""
    batches = []
    for i, (b, t) in enumerate([(4, 2), (4, 6), (3, 1)]):
        x = randn(b, t, 3, seed=seed + i, dtype=torch.float64)
        batches.append((x, (x[..., 0] > 0).long()))
    return batches


def token_loss(output, targets):
    """The batch's mean cross-entropy over its tokens (a 0-d tensor, like any loss_fn)."""
    return F.cross_entropy(output.reshape(-1, output.shape[-1]), targets.reshape(-1))


def mean_over_sequences(model, batches):
    """Each batch's token loss weighted by its number of sequences B, in float64."""
    with torch.no_grad():
        losses = [token_loss(model(x), y).item() * x.shape[0] for x, y in batches]
    return torch.tensor(sum(losses) / sum(x.shape[0] for x, _ in batches), dtype=torch.float64)


class GraphTracker:
    """A loss_fn wrapper that tags every batch's loss with a sentinel living as long as that
    batch's autograd graph, and records how many earlier graphs are still alive at each call."""

    class _Tag(torch.autograd.Function):
        @staticmethod
        def forward(ctx, loss, sentinel):
            ctx.sentinel = sentinel
            return loss.clone()

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    class _Sentinel:
        pass

    def __init__(self, loss_fn):
        self.loss_fn, self.refs, self.alive = loss_fn, [], []

    def __call__(self, output, targets):
        self.alive.append(sum(r() is not None for r in self.refs))
        sentinel = self._Sentinel()
        self.refs.append(weakref.ref(sentinel))
        return self._Tag.apply(self.loss_fn(output, targets), sentinel)


def as_float(value, what):
    """The learner's loss as a float; a tensor still attached to a graph is a mistake."""
    if isinstance(value, torch.Tensor):
        expect(value.numel() == 1 and not value.requires_grad,
               f"{what} returned {value!r}: a tensor attached to the autograd graph\n  hint: "
               f"accumulate loss.item() (a Python float); summing loss tensors keeps every batch's "
               f"graph alive")
        value = value.item()
    expect(isinstance(value, (float, int)),
           f"{what} returned {type(value).__name__}, expected a float")
    return torch.tensor(float(value), dtype=torch.float64)


def full_loss(model, x, y, loss_fn):
    """The mean loss over the whole dataset in one batch (eval mode, no graph)."""
    model = copy.deepcopy(model).eval()
    with torch.no_grad():
        return torch.tensor(loss_fn(model(x), y).item(), dtype=torch.float64)


def assert_same_parameters(model, reference, what, hint):
    expected = dict(reference.named_parameters())
    for name, p in model.named_parameters():
        assert_close(p, expected[name], what=f"{what}: parameter {name}", hint=hint)


# ------------------------------------------------------------------------ train_epoch

@pytest.mark.parametrize("n,batch_size,momentum", [(10, 4, 0.0), (13, 5, 0.9), (6, 2, 0.0),
                                                   (7, 7, 0.9), (1, 1, 0.0)])
def test_train_epoch_matches_the_reference_loop(n, batch_size, momentum):
    x, y = make_data(n, seed=1)
    model, twin = make_model(seed=2), make_model(seed=2)
    loss_fn = nn.CrossEntropyLoss()
    loss = train_epoch(model, make_loader(x, y, batch_size), torch.optim.SGD(
        model.parameters(), lr=0.3, momentum=momentum), loss_fn)
    expected = reference_epoch(twin, make_loader(x, y, batch_size), torch.optim.SGD(
        twin.parameters(), lr=0.3, momentum=momentum), loss_fn)
    what = f"train_epoch ({n} samples, batch size {batch_size}, SGD momentum={momentum})"
    assert_same_parameters(model, twin, f"{what}: weights after the epoch",
                           hint=ZERO_GRAD_HINT + "; one optimizer.step() per batch")
    assert_close(as_float(loss, "train_epoch"), torch.tensor(expected, dtype=torch.float64),
                 what=f"{what}: returned loss", hint=WEIGHT_HINT)


@pytest.mark.parametrize("n,batch_size", [(10, 4), (13, 5), (5, 8), (9, 2), (1, 1), (12, 4)])
def test_train_epoch_returns_the_mean_over_samples(n, batch_size):
    # lr = 0: the weights stay put, so the epoch's loss is the loss of the whole dataset.
    x, y = make_data(n, seed=3)
    model = make_model(seed=4)
    expected = full_loss(model, x, y, nn.CrossEntropyLoss())
    loss = train_epoch(model, make_loader(x, y, batch_size), torch.optim.SGD(model.parameters(), lr=0.0),
                       nn.CrossEntropyLoss())
    assert_close(as_float(loss, "train_epoch"), expected,
                 what=f"train_epoch({n} samples, batch size {batch_size}, lr=0): the epoch's mean loss",
                 hint=WEIGHT_HINT)


def test_train_epoch_with_a_regression_loss():
    x, y = make_data(11, seed=5, regression=True)
    model, twin = make_model(seed=6, d_out=2), make_model(seed=6, d_out=2)
    loss = train_epoch(model, make_loader(x, y, 3), torch.optim.SGD(model.parameters(), lr=0.05),
                       nn.MSELoss())
    expected = reference_epoch(twin, make_loader(x, y, 3), torch.optim.SGD(twin.parameters(), lr=0.05),
                               nn.MSELoss())
    assert_same_parameters(model, twin, "train_epoch with nn.MSELoss: weights after the epoch",
                           hint=ZERO_GRAD_HINT)
    assert_close(as_float(loss, "train_epoch"), torch.tensor(expected, dtype=torch.float64),
                 what="train_epoch with nn.MSELoss (11 samples, batch size 3): returned loss",
                 hint=WEIGHT_HINT)


def test_train_epoch_returns_a_float_not_a_graph():
    x, y = make_data(6, seed=7)
    model = make_model(seed=8)
    loss = train_epoch(model, make_loader(x, y, 4), torch.optim.SGD(model.parameters(), lr=0.1),
                       nn.CrossEntropyLoss())
    as_float(loss, "train_epoch")
    assert_exact_type(loss, float, "train_epoch(model, loader, optimizer, loss_fn)")


def test_train_epoch_switches_an_eval_mode_model_to_train_mode():
    x, y = make_data(9, seed=32)
    model = make_model(seed=33, dropout=0.5).eval()  # e.g. right after an evaluate()
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append(all(s.training for s in m.modules())))
    train_epoch(model, make_loader(x, y, 4), torch.optim.SGD(model.parameters(), lr=0.1),
                nn.CrossEntropyLoss())
    expect(seen and all(seen), "train_epoch on a model left in eval mode trained it in eval mode "
           "(dropout off)\n  hint: call model.train() at the start of every epoch; the model may "
           "come from an evaluate() or a model.eval() elsewhere")


def test_train_epoch_resets_gradients_before_the_first_step():
    """.grad left over from before the epoch (a previous backward, a gradient check) must not
    reach the first optimizer.step(): reset, then forward, loss, backward, step."""
    x, y = make_data(10, seed=34)
    model, twin = make_model(seed=35), make_model(seed=35)
    for m in (model, twin):
        for p in m.parameters():
            p.grad = torch.full_like(p, 5.0)
    loss = train_epoch(model, make_loader(x, y, 4), torch.optim.SGD(model.parameters(), lr=0.3),
                       nn.CrossEntropyLoss())
    expected = reference_epoch(twin, make_loader(x, y, 4), torch.optim.SGD(twin.parameters(), lr=0.3),
                               nn.CrossEntropyLoss())
    assert_same_parameters(model, twin, "train_epoch on a model whose .grad already holds 5.0: "
                           "weights after the epoch", hint="reset the gradients at the start of "
                           "each step (zero_grad, forward, loss, backward, step), not after the "
                           "step: a zero_grad at the end leaves the first step with stale gradients")
    assert_close(as_float(loss, "train_epoch"), torch.tensor(expected, dtype=torch.float64),
                 what="train_epoch with stale gradients before the epoch: returned loss")


@pytest.mark.parametrize("kind", ["list of batches", "one-shot iterator"])
def test_train_epoch_any_iterable(kind):
    x, y = make_data(11, seed=36)
    batches = [(x[i:i + 4], y[i:i + 4]) for i in range(0, 11, 4)]
    loader = batches if kind == "list of batches" else OneShot(batches, "the loader")
    model, twin = make_model(seed=37), make_model(seed=37)
    loss = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.3),
                       nn.CrossEntropyLoss())
    expected = reference_epoch(twin, batches, torch.optim.SGD(twin.parameters(), lr=0.3),
                               nn.CrossEntropyLoss())
    what = f"train_epoch with the loader a {kind} (11 samples in batches of 4, 4, 3)"
    assert_same_parameters(model, twin, f"{what}: weights after the epoch", hint=ZERO_GRAD_HINT)
    assert_close(as_float(loss, what), torch.tensor(expected, dtype=torch.float64),
                 what=f"{what}: returned loss", hint="the loader is any iterable: count the "
                 "samples as you go (inputs.shape[0] per batch), not with len(loader.dataset)")


def test_train_epoch_drop_last_counts_the_samples_seen():
    x, y = make_data(11, seed=38)
    model = make_model(seed=39)
    loader = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True)  # 8 of 11 samples
    loss = train_epoch(model, loader, torch.optim.SGD(model.parameters(), lr=0.0), nn.CrossEntropyLoss())
    expected = full_loss(model, x[:8], y[:8], nn.CrossEntropyLoss())
    assert_close(as_float(loss, "train_epoch"), expected,
                 what="train_epoch(DataLoader(11 samples, batch_size=4, drop_last=True), lr=0)",
                 hint="the mean is over the samples the epoch saw (8 here): count inputs.shape[0] "
                      "per batch, not len(loader.dataset)")


def test_train_epoch_trains_in_train_mode():
    x, y = make_data(9, seed=30)
    model = make_model(seed=31, dropout=0.5)
    seen = []
    # every module, the model itself included: a forward may read self.training directly
    # (F.dropout(x, p, self.training)), so setting only model.children() is not train mode
    model.register_forward_hook(lambda m, i, o: seen.append(
        (torch.is_grad_enabled(), all(s.training for s in m.modules()))))
    train_epoch(model, make_loader(x, y, 4), torch.optim.SGD(model.parameters(), lr=0.1),
                nn.CrossEntropyLoss())
    expect(seen, "train_epoch never called the model")
    expect(all(training for _, training in seen),
           "train_epoch ran the model (or one of its modules, the model itself included) in eval "
           "mode: dropout was off during training\n  hint: call model.train() at the start of "
           "the epoch (it sets the model and every submodule)")
    expect(all(grad for grad, _ in seen), "train_epoch ran the model with gradients disabled")


def test_train_epoch_weights_batches_by_batch_size_not_tokens():
    # lr = 0: the epoch's loss is each batch's token mean weighted by B (4, 4, 3 sequences)
    batches = token_batches(seed=42)
    model = nn.Linear(3, 2).double()
    expected = mean_over_sequences(model, batches)
    loss = train_epoch(model, batches, torch.optim.SGD(model.parameters(), lr=0.0), token_loss)
    assert_close(as_float(loss, "train_epoch"), expected,
                 what="train_epoch over batches of 4, 4, 3 sequences of lengths 2, 6, 1 "
                      "(inputs (B, T, 3), targets (B, T)), lr=0",
                 hint=TOKEN_HINT)


def test_train_epoch_resets_every_parameter_the_optimizer_updates():
    """loss_fn holds a learnable temperature that the optimizer updates too: its gradient must
    be reset every step like the model's (optimizer.zero_grad(), not model.zero_grad())."""
    x, y = make_data(11, seed=43)
    results = []
    for _ in range(2):
        model = make_model(seed=44)
        temperature = nn.Parameter(torch.tensor(1.0, dtype=torch.float64))
        def loss_fn(output, targets, temperature=temperature):
            return F.cross_entropy(output / temperature, targets)
        optimizer = torch.optim.SGD([*model.parameters(), temperature], lr=0.3)
        run = train_epoch if not results else reference_epoch
        results.append((run(model, make_loader(x, y, 4), optimizer, loss_fn), model, temperature))
    (loss, model, temperature), (expected, twin, twin_temperature) = results
    what = "train_epoch with a loss_fn holding a learnable temperature in the optimizer"
    assert_close(temperature.detach(), twin_temperature.detach(),
                 what=f"{what}: the temperature after the epoch",
                 hint="reset the gradients with optimizer.zero_grad(): model.zero_grad() leaves "
                      "the loss_fn's parameters accumulating gradients from every batch")
    assert_same_parameters(model, twin, f"{what}: weights after the epoch", hint=ZERO_GRAD_HINT)
    assert_close(as_float(loss, "train_epoch"), torch.tensor(expected, dtype=torch.float64),
                 what=f"{what}: returned loss")


def test_train_epoch_frees_each_batch_graph():
    """A running total of loss tensors keeps every batch's graph alive until the epoch ends,
    even when the total becomes a float at the end: the number of earlier graphs alive when
    the next loss is computed must not grow with the batches (the loop's `loss` variable
    still holds the previous one; a bounded couple more are tolerated)."""
    x, y = make_data(12, seed=45)
    model = make_model(seed=46)
    tracker = GraphTracker(nn.CrossEntropyLoss())
    train_epoch(model, make_loader(x, y, 2), torch.optim.SGD(model.parameters(), lr=0.1), tracker)
    expect(len(tracker.alive) == 6, f"train_epoch called loss_fn {len(tracker.alive)} times for "
           f"6 batches; expected once per batch")
    expect(max(tracker.alive) <= 2,
           f"train_epoch kept the autograd graphs of earlier batches alive: when computing the "
           f"loss of batches 1..6, {tracker.alive} earlier graphs were still referenced\n  hint: "
           f"accumulate loss.item() * batch_size (a float); a running total (or list) of loss "
           f"tensors holds every batch's graph until the epoch ends")


@given(n=st.integers(1, 20), batch_size=st.integers(1, 8), seed=st.integers(0, 2**31 - 1))
def test_train_epoch_mean_over_samples_property(n, batch_size, seed):
    x, y = make_data(n, seed=seed)
    model = make_model(seed=seed % 1000)
    expected = full_loss(model, x, y, nn.CrossEntropyLoss())
    loss = train_epoch(model, make_loader(x, y, batch_size), torch.optim.SGD(model.parameters(), lr=0.0),
                       nn.CrossEntropyLoss())
    assert_close(as_float(loss, "train_epoch"), expected,
                 what=f"train_epoch({n} samples, batch size {batch_size}, lr=0)", hint=WEIGHT_HINT)


# ------------------------------------------------------------------------ fit

def test_fit_matches_the_reference_epochs():
    x, y = make_data(11, seed=9)
    model, twin = make_model(seed=10), make_model(seed=10)
    loss_fn = nn.CrossEntropyLoss()
    losses = fit(model, make_loader(x, y, 4, shuffle_seed=11),
                 torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9), loss_fn, 3)
    loader = make_loader(x, y, 4, shuffle_seed=11)
    optimizer = torch.optim.SGD(twin.parameters(), lr=0.2, momentum=0.9)
    expected = [reference_epoch(twin, loader, optimizer, loss_fn) for _ in range(3)]
    expect(losses is not None and len(losses) == 3,
           f"fit(..., epochs=3) returned {losses!r}, expected a list of 3 per-epoch losses")
    assert_same_parameters(model, twin, "fit(..., epochs=3) (shuffled, seeded loader): weights after",
                           hint="each epoch is one train_epoch over the whole loader; " + ZERO_GRAD_HINT)
    got = torch.stack([as_float(v, "fit") for v in losses])
    assert_close(got, torch.tensor(expected, dtype=torch.float64),
                 what="fit(..., epochs=3): the per-epoch losses",
                 hint="one entry per epoch, in order: what train_epoch returned for it")


def test_fit_returns_a_list_of_floats():
    x, y = make_data(7, seed=17)
    model = make_model(seed=18).eval()
    seen = []
    model.register_forward_hook(lambda m, i, o: seen.append(m.training))
    losses = fit(model, make_loader(x, y, 3), torch.optim.SGD(model.parameters(), lr=0.1),
                 nn.CrossEntropyLoss(), 2)
    assert_exact_type(losses, list, "fit(..., epochs=2)")
    expect(len(losses) == 2, f"fit(..., epochs=2) returned {len(losses)} losses")
    for i, v in enumerate(losses):
        assert_exact_type(v, float, f"fit(..., epochs=2)[{i}]")
    expect(seen and all(seen), "fit on a model left in eval mode trained it in eval mode"
           "\n  hint: each epoch is a train_epoch, which calls model.train()")


def test_fit_with_zero_epochs_does_nothing():
    x, y = make_data(7, seed=19)
    model = make_model(seed=20)
    params = list(model.parameters())
    with unchanged(*params, names=[n for n, _ in model.named_parameters()]):
        losses = fit(model, make_loader(x, y, 3), torch.optim.SGD(model.parameters(), lr=0.1),
                     nn.CrossEntropyLoss(), 0)
    expect(losses == [] and isinstance(losses, list),
           f"fit(..., epochs=0) returned {losses!r}, expected [] (zero epochs, no step)")


def test_fit_with_one_epoch_is_train_epoch():
    x, y = make_data(7, seed=12)
    model, twin = make_model(seed=13), make_model(seed=13)
    losses = fit(model, make_loader(x, y, 3), torch.optim.SGD(model.parameters(), lr=0.1),
                 nn.CrossEntropyLoss(), 1)
    expected = reference_epoch(twin, make_loader(x, y, 3), torch.optim.SGD(twin.parameters(), lr=0.1),
                               nn.CrossEntropyLoss())
    expect(losses is not None and len(losses) == 1, f"fit(..., epochs=1) returned {losses!r}")
    assert_close(as_float(losses[0], "fit"), torch.tensor(expected, dtype=torch.float64),
                 what="fit(..., epochs=1)[0]", hint=WEIGHT_HINT)


def test_fit_lowers_the_loss():
    x, y = make_data(40, seed=14)
    model = make_model(seed=15)
    losses = fit(model, make_loader(x, y, 8, shuffle_seed=16),
                 torch.optim.SGD(model.parameters(), lr=0.5), nn.CrossEntropyLoss(), 15)
    first, last = float(losses[0]), float(losses[-1])
    expect(last < 0.8 * first,
           f"fit: 15 epochs of SGD on separable data took the loss from {first:.4f} to {last:.4f}; "
           f"expected a clear decrease\n  hint: {ZERO_GRAD_HINT}")


# ------------------------------------------------------------------------ evaluate

@pytest.mark.parametrize("n,batch_size", [(10, 4), (7, 7), (13, 5)])
def test_evaluate_is_the_eval_mode_mean_loss(n, batch_size):
    x, y = make_data(n, seed=20)
    model = make_model(seed=21, dropout=0.5)
    expected = full_loss(model, x, y, nn.CrossEntropyLoss())
    loss = evaluate(model, make_loader(x, y, batch_size), nn.CrossEntropyLoss())
    assert_close(as_float(loss, "evaluate"), expected,
                 what=f"evaluate(model with Dropout(0.5), {n} samples, batch size {batch_size})",
                 hint=EVAL_HINT + "; then " + WEIGHT_HINT)


def test_evaluate_runs_without_grad_in_eval_mode():
    x, y = make_data(9, seed=22)
    model = make_model(seed=23, dropout=0.5)
    seen = []
    # every module, the model itself included: a forward may read self.training directly
    # (F.dropout(x, p, self.training)), so setting only model.children() is not eval mode
    model.register_forward_hook(lambda m, i, o: seen.append(
        (torch.is_grad_enabled(), any(s.training for s in m.modules()))))
    evaluate(model, make_loader(x, y, 4), nn.CrossEntropyLoss())
    expect(seen, "evaluate never called the model")
    expect(not any(training for _, training in seen),
           f"evaluate: the model (or one of its modules, the model itself included) ran in train "
           f"mode\n  hint: {EVAL_HINT}; model.eval() sets the model and every submodule")
    expect(not any(grad for grad, _ in seen),
           "evaluate: the model ran with gradients enabled, building a graph nobody uses\n  hint: "
           "wrap the loop in `with torch.no_grad():` (or torch.inference_mode())")
    expect(all(p.grad is None for p in model.parameters()), "evaluate must not compute gradients")


def test_evaluate_returns_a_float():
    x, y = make_data(7, seed=28)
    model = make_model(seed=29)
    loss = evaluate(model, make_loader(x, y, 3), nn.CrossEntropyLoss())
    assert_exact_type(loss, float, "evaluate(model, loader, loss_fn)")


@pytest.mark.parametrize("kind", ["list of batches", "one-shot iterator", "drop_last DataLoader"])
def test_evaluate_any_iterable(kind):
    x, y = make_data(11, seed=40)
    model = make_model(seed=41, dropout=0.5)
    batches = [(x[i:i + 4], y[i:i + 4]) for i in range(0, 11, 4)]
    if kind == "drop_last DataLoader":
        loader, n_seen = DataLoader(TensorDataset(x, y), batch_size=4, drop_last=True), 8
    else:
        loader, n_seen = (batches if kind == "list of batches" else OneShot(batches, "the loader")), 11
    expected = full_loss(model, x[:n_seen], y[:n_seen], nn.CrossEntropyLoss())
    loss = evaluate(model, loader, nn.CrossEntropyLoss())
    assert_close(as_float(loss, "evaluate"), expected,
                 what=f"evaluate with the loader a {kind} (11 samples, batches of 4)",
                 hint="the loader is any iterable: iterate it once and count inputs.shape[0] per "
                      "batch; len(loader.dataset) is wrong for drop_last and missing for a list")


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_evaluate_restores_the_mode(mode):
    x, y = make_data(5, seed=24)
    model = make_model(seed=25, dropout=0.5).train(mode == "train")
    evaluate(model, make_loader(x, y, 2), nn.CrossEntropyLoss())
    modes = {m.training for m in model.modules()}
    expect(modes == {mode == "train"}, f"evaluate: the model was in {mode} mode before and is in "
        f"{'train' if model.training else 'eval'} mode after\n  hint: remember model.training, "
        f"and call model.train(was_training) when done")


def test_evaluate_changes_no_parameter():
    x, y = make_data(8, seed=26)
    model = make_model(seed=27, dropout=0.5)
    params = list(model.parameters())
    with unchanged(*params, names=[n for n, _ in model.named_parameters()]):
        evaluate(model, make_loader(x, y, 3), nn.CrossEntropyLoss())


def test_evaluate_weights_batches_by_batch_size_not_tokens():
    batches = token_batches(seed=47)
    model = nn.Linear(3, 2).double()
    expected = mean_over_sequences(model, batches)
    loss = evaluate(model, batches, token_loss)
    assert_close(as_float(loss, "evaluate"), expected,
                 what="evaluate over batches of 4, 4, 3 sequences of lengths 2, 6, 1 "
                      "(inputs (B, T, 3), targets (B, T))", hint=TOKEN_HINT)


def test_evaluate_inside_no_grad_leaves_grad_disabled():
    x, y = make_data(5, seed=48)
    model = make_model(seed=49)
    with torch.no_grad():
        evaluate(model, make_loader(x, y, 2), nn.CrossEntropyLoss())
        still_off = not torch.is_grad_enabled()
    expect(still_off, "evaluate called inside `with torch.no_grad():` switched gradients back "
           "on for the rest of the caller's block\n  hint: use `with torch.no_grad():` (or "
           "torch.inference_mode()) inside evaluate: it restores the grad mode it found; "
           "torch.set_grad_enabled(False) ... set_grad_enabled(True) turns it on unconditionally")


def flat_token_batches(seed=0):
    """token_batches with the targets flattened to (B*T,): len(targets) is B*T, not B."""
    return [(x, y.reshape(-1)) for x, y in token_batches(seed)]


@pytest.mark.parametrize("fn", ["train_epoch", "evaluate"])
def test_batch_size_is_inputs_shape_0_not_len_targets(fn):
    batches = flat_token_batches(seed=50)
    model = nn.Linear(3, 2).double()
    expected = mean_over_sequences(model, batches)
    if fn == "train_epoch":
        loss = train_epoch(model, batches, torch.optim.SGD(model.parameters(), lr=0.0), token_loss)
    else:
        loss = evaluate(model, batches, token_loss)
    assert_close(as_float(loss, fn), expected,
                 what=f"{fn} over batches of 4, 4, 3 sequences of lengths 2, 6, 1 (inputs "
                      f"(B, T, 3), targets flattened to (B*T,))" + (", lr=0" if fn == "train_epoch" else ""),
                 hint="the batch size is inputs.shape[0]; len(targets) or targets.shape[0] counts "
                      "the targets' rows, which are tokens here")


def test_evaluate_computes_the_loss_without_a_graph():
    """loss_fn holds a learnable temperature: computing the loss outside torch.no_grad() (only
    the model's forward inside) builds a graph through it for every batch."""
    x, y = make_data(9, seed=51)
    model = make_model(seed=52)
    temperature = nn.Parameter(torch.tensor(2.0, dtype=torch.float64))
    grad_modes = []

    def loss_fn(output, targets):
        grad_modes.append(torch.is_grad_enabled())
        return F.cross_entropy(output / temperature, targets)

    evaluate(model, make_loader(x, y, 4), loss_fn)
    expect(grad_modes and not any(grad_modes),
           "evaluate called loss_fn with gradients enabled, building a graph through the loss "
           "(loss_fn may hold learnable parameters)\n  hint: put the whole loop, loss included, "
           "inside `with torch.no_grad():`, not only the model's forward")


def test_evaluate_leaves_grads_and_frozen_parameters_as_found():
    """A fine-tuning model: its first layer frozen, the rest holding .grad from a backward the
    caller is accumulating. evaluate changes none of it."""
    x, y = make_data(8, seed=53)
    model = make_model(seed=54)
    model[0].requires_grad_(False)
    for p in model[2].parameters():
        p.grad = torch.full_like(p, 0.5)
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    grads = {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()}
    evaluate(model, make_loader(x, y, 3), nn.CrossEntropyLoss())
    for name, p in model.named_parameters():
        expect(p.requires_grad == flags[name],
               f"evaluate changed {name}.requires_grad from {flags[name]} to {p.requires_grad}\n"
               f"  hint: torch.no_grad() is enough; model.requires_grad_(False) ... "
               f"requires_grad_(True) unfreezes the layers the caller froze")
        if grads[name] is None:
            expect(p.grad is None, f"evaluate gave {name} a .grad; it had none")
        else:
            expect(p.grad is not None, f"evaluate cleared {name}.grad (model.zero_grad()?): the "
                   f"caller's accumulated gradients are lost\n  hint: evaluate computes no "
                   f"gradients, so it has none to reset")
            assert_close(p.grad, grads[name], what=f"evaluate: {name}.grad after the call",
                         hint="evaluate computes no gradients and touches no .grad")


@given(n=st.integers(1, 20), batch_size=st.integers(1, 8), seed=st.integers(0, 2**31 - 1))
def test_evaluate_property(n, batch_size, seed):
    x, y = make_data(n, seed=seed)
    model = make_model(seed=seed % 1000, dropout=0.5)
    expected = full_loss(model, x, y, nn.CrossEntropyLoss())
    loss = evaluate(model, make_loader(x, y, batch_size), nn.CrossEntropyLoss())
    assert_close(as_float(loss, "evaluate"), expected,
                 what=f"evaluate(model with dropout, {n} samples, batch size {batch_size})",
                 hint=EVAL_HINT + "; " + WEIGHT_HINT)


@pytest.mark.parametrize("fn", ["train_epoch", "evaluate"])
def test_float64_losses_keep_float64_precision(fn):
    """A float64 model's batch losses summed in a float32 tensor (torch.zeros(()) or
    torch.tensor(0.0), the default dtype) come back rounded to ~1e-8; Python floats keep all."""
    x, y = make_data(11, seed=55)
    model = make_model(seed=56)
    expected = full_loss(model, x, y, nn.CrossEntropyLoss())
    if fn == "train_epoch":
        loss = train_epoch(model, make_loader(x, y, 4), torch.optim.SGD(model.parameters(), lr=0.0),
                           nn.CrossEntropyLoss())
    else:
        loss = evaluate(model, make_loader(x, y, 4), nn.CrossEntropyLoss())
    assert_close(as_float(loss, fn), expected, rtol=1e-12, atol=1e-12,
                 what=f"{fn}(float64 model, 11 samples, batch size 4" + (", lr=0)" if fn == "train_epoch" else ")"),
                 hint="accumulate loss.item() * batch size in a Python float: a running total in a float32 "
                      "tensor (torch.zeros(()), torch.tensor(0.0)) rounds a float64 model's losses")
