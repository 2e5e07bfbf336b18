"""Specs for katas/training/checkpoint.py (day 11): save_checkpoint, load_checkpoint.

The run under test (class Run): a tiny MLP with a BatchNorm (buffers) and, when asked, a
Dropout that draws from torch's generator; batches picked by the step number or, when asked,
by random.sample (Python's generator) and jittered by np.random.normal (numpy's: 15 draws a
step, so numpy holds a cached Gaussian at the save); Adam or SGD with momentum (state) or
plain SGD (none). The reference is the same run never stopped: train N steps, save, train M
more; the resumed run starts from another seed (other weights, other random states, as in a
new process), loads, and trains M steps. Each resume spec turns on one source of state, so
that leaving that piece out of the checkpoint fails it alone; the full spec turns on all.
Comparisons are exact (torch.equal): the contract says bit-identical.

The load specs read files written by `reference_save` below (the docstring's format, not the
learner's save_checkpoint); the save specs read the learner's file with
torch.load(weights_only=True). Crashes are simulated by replacing torch.save with one that
writes half of the file it was given, then raises OSError (disk full).

Contract -> specs:
- resume bit-identical: weights (and buffers) and step: test_resume_restores_the_weights_and_step;
  optimizer state (Adam, SGD momentum): test_resume_restores_the_optimizer_state;
  torch / Python / numpy generators: test_resume_restores_torchs_generator,
  test_resume_restores_pythons_random, test_resume_restores_numpys_generator;
  all at once: test_resume_is_bit_identical
- "holding, through torch.save, the dict ...": weights_only-loadable, model / optimizer
  entries, the three RNG states at the call, numpy keys as a tensor: test_the_file_*;
  "step": a Python int, also for a 0-d tensor (int or float, like Adam's step) or numpy int: test_the_saved_step_is_a_python_int
- extra: default None, any weights_only value back as saved (falsy 0 and [] too; a tuple stays a
  tuple, a list a list): test_extra_*
- a str or a pathlib.Path, also a bare file name (no folder part): test_a_str_or_a_path_round_trips
- atomic: a crash inside torch.save keeps the old checkpoint, leaves no file when there was
  none (also after a Ctrl-C: KeyboardInterrupt is no Exception, and when os.fsync or the replace
  fails after torch.save),
  no temporary file, the exception propagates: test_a_crash_during_save_*;
  no temporary file after a save: test_a_save_leaves_one_file; a reader of the old file
  keeps the old file (never written in place): test_a_reader_of_the_old_file_*;
  temporary file in path's folder, renamed onto path: test_the_temporary_file_is_in_paths_folder;
  flush + fsync before os.replace, the old file not removed first:
  test_the_temporary_file_is_flushed_and_fsynced_before_the_replace;
  the new checkpoint replaces the old: test_a_second_save_replaces_the_first
- folder created when missing: test_save_creates_missing_folders
- saving changes no random state: test_save_changes_no_random_state
- load: weights (strict), optimizer, three RNGs, (step, extra): test_load_restores_*;
  other keys ignored: test_load_ignores_other_keys
- weights_only (a pickle that runs code is refused, the code never runs):
  test_load_refuses_a_pickle_that_runs_code
- errors, and a load that raises changes nothing: missing file
  (test_load_of_a_missing_file_*), unreadable files (test_load_of_an_unreadable_file_*),
  not a checkpoint, every missing key named (test_load_of_a_file_that_is_not_a_checkpoint_*),
  model mismatch -> RuntimeError (test_load_into_a_mismatched_model_*), optimizer mismatch ->
  ValueError (test_load_into_a_mismatched_optimizer_*), random states restored only after
  both loads (the same specs check the RNGs)
"""

import io
import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from harness.checks import SpecFailure, assert_raises, randn
from harness.edges import assert_exact_type
from katas.training.checkpoint import load_checkpoint, save_checkpoint

REAL_SAVE = torch.save
KEYS = ("model", "optimizer", "step", "rng", "extra")
N_STEPS, M_STEPS = 3, 3
N_DATA, BATCH, FEATURES = 16, 5, 3
X = randn(N_DATA, FEATURES, seed=7)
Y = (X[:, 0] > X[:, 1]).long()

HINT_WEIGHTS = ("save model.state_dict() (parameters AND buffers) and load it with "
                "model.load_state_dict(); return the saved step: the run's batches follow it")
HINT_OPTIMIZER = ("save optimizer.state_dict() and load it with optimizer.load_state_dict(): "
                  "Adam's moments (exp_avg, exp_avg_sq) and step counts and SGD's momentum "
                  "buffers live there; a fresh optimizer starts them from zero")
HINT_TORCH_RNG = ("dropout draws its masks from torch's generator: save torch.get_rng_state() "
                  "and torch.set_rng_state(...) it on load")
HINT_PYTHON_RNG = ("the batches are drawn with random.sample: save random.getstate() and "
                   "random.setstate(...) it on load")
HINT_NUMPY_RNG = ("the jitter comes from np.random.normal: save np.random.get_state() (all five "
                  "entries: the cached Gaussian too; the key array as a tensor) and "
                  "np.random.set_state(...) it on load")
HINT_ALL = "every piece the next steps read: " + "; ".join(
    [HINT_WEIGHTS, HINT_OPTIMIZER, "the torch, Python and numpy random states"])
HINT_ATOMIC = ("torch.save into a temporary file in path's folder, flush and os.fsync it, then "
               "os.replace(tmp, path): until that rename, path still holds the old checkpoint")
HINT_UNCHANGED = ("check the whole file first, keep a copy of the model's weights, and if a "
                  "load_state_dict raises put them back before re-raising; restore the random "
                  "states only after both loads succeeded")
HINT_NAME_PATH = ("catch what torch.load raises (except FileNotFoundError) and raise "
                  "ValueError(f'{path}: ...') from it")


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


# ------------------------------------------------------------------------ the run

def reseed(seed):
    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


class Run:
    """A tiny training run. dropout / python / numpy: which random generators its steps draw
    from (torch's for dropout masks, Python's for the batch, numpy's for the jitter);
    optimizer: "adam", "sgd_momentum" (both keep state) or "sgd" (none)."""

    def __init__(self, seed, *, dropout=False, python=False, numpy=False, optimizer="adam"):
        reseed(seed)
        layers = [nn.Linear(FEATURES, 8), nn.BatchNorm1d(8), nn.Tanh()]
        layers += [nn.Dropout(0.3)] if dropout else []
        self.model = nn.Sequential(*layers, nn.Linear(8, 2))
        params = self.model.parameters()
        self.optimizer = {"adam": lambda: torch.optim.Adam(params, lr=0.05),
                          "sgd_momentum": lambda: torch.optim.SGD(params, lr=0.1, momentum=0.9),
                          "sgd": lambda: torch.optim.SGD(params, lr=0.1)}[optimizer]()
        self.python, self.numpy, self.step = python, numpy, 0

    def train(self, steps):
        self.model.train()
        for _ in range(steps):
            if self.python:
                idx = random.sample(range(N_DATA), BATCH)
            else:
                idx = [(self.step * BATCH + i) % N_DATA for i in range(BATCH)]
            x = X[idx]
            if self.numpy:
                x = x + torch.from_numpy(np.random.normal(0.0, 0.1, size=(BATCH, FEATURES))).float()
            self.optimizer.zero_grad()
            F.cross_entropy(self.model(x), Y[idx]).backward()
            self.optimizer.step()
            self.step += 1


def difference(got, want, where):
    """Where two nested values (dicts, lists, tuples, tensors, plain values) first differ, as
    a sentence; None when they are equal (tensors: same dtype, shape and values)."""
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"{where} is a {type(got).__name__}, expected a tensor"
        if got.dtype != want.dtype or got.shape != want.shape:
            return (f"{where} is a {got.dtype} tensor of shape {tuple(got.shape)}, expected "
                    f"{want.dtype} of shape {tuple(want.shape)}")
        if not torch.equal(got, want):
            diff = (got.double() - want.double()).abs().max().item()
            return f"{where} differs (largest difference {diff:.3g})"
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"{where} is a {type(got).__name__}, expected a dict"
        if set(got) != set(want):
            return f"{where} has keys {sorted(map(str, got))}, expected {sorted(map(str, want))}"
        for key in want:
            found = difference(got[key], want[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(want, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(want):
            return f"{where} is {str(got)[:80]}, expected {len(want)} items"
        if type(got) is not type(want):  # a tuple saved comes back a tuple (torch.save keeps it)
            return (f"{where} is a {type(got).__name__} {str(got)[:80]}, expected a {type(want).__name__} "
                    f"(as saved: torch.save keeps tuples and lists apart, so keep the value as given)")
        for i, (g, w) in enumerate(zip(got, want)):
            found = difference(g, w, f"{where}[{i}]")
            if found:
                return found
        return None
    if type(got) is not type(want) or got != want:
        return f"{where} is {got!r}, expected {want!r}"
    return None


def rng_states():
    """(torch, Python, numpy) global random states, comparable with difference()."""
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    return {"torch": torch.get_rng_state(), "python": random.getstate(),
            "numpy": (name, torch.from_numpy(keys.copy()), pos, has_gauss, gauss)}


def reference_save(path, model, optimizer, step, extra=None, **more):
    """A checkpoint in the docstring's format, written by the spec."""
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
               "rng": rng_states(), "extra": extra, **more}
    REAL_SAVE(payload, path)
    return payload


def read(path):
    return torch.load(path, weights_only=True)


def read_saved(path):
    """The learner's file, read as the contract says any reader may: weights_only."""
    __tracebackhide__ = True
    try:
        return read(path)
    except Exception as err:
        lines = [line.strip() for line in str(err).splitlines() if line.strip()]
        detail = next((line for line in lines if "GLOBAL" in line), lines[0] if lines else "")
        raise SpecFailure(f"torch.load({Path(path).name!r}, weights_only=True) cannot read the file "
                          f"save_checkpoint wrote: {type(err).__name__}: {detail[:200]}"
                          f"\n  hint: save only tensors, numbers, strings, None and containers "
                          f"of them; numpy's key array as torch.from_numpy(keys)") from None


def snapshot(model, optimizer):
    """Copies of everything a load may change."""
    return {"model": {k: v.clone() for k, v in model.state_dict().items()},
            "optimizer": optimizer.state_dict(), "rng": rng_states()}


def expect_unchanged(before, model, optimizer, what):
    __tracebackhide__ = True
    after = snapshot(model, optimizer)
    for piece in ("model", "optimizer", "rng"):
        found = difference(after[piece], before[piece], piece)
        expect(found is None, f"{what} raised, but changed the {piece}: {found}\n  hint: a "
               f"load that raises changes nothing; {HINT_UNCHANGED}")


def resume(tmp_path, *, extra=None, **kinds):
    """(reference run, resumed run, load's result): N steps, save, M steps; and another seed,
    load, M steps. reference.rng: the random states at the end of the reference run."""
    reference = Run(1, **kinds)
    reference.train(N_STEPS)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, reference.model, reference.optimizer, reference.step, extra=extra)
    read_saved(path)
    reference.train(M_STEPS)
    reference.rng = rng_states()
    resumed = Run(2, **kinds)  # other weights, other random states: a new process
    result = load_checkpoint(path, resumed.model, resumed.optimizer)
    expect(isinstance(result, tuple) and len(result) == 2,
           f"load_checkpoint returned {result!r}; expected a tuple (step, extra)")
    resumed.step = result[0]
    resumed.train(M_STEPS)
    return reference, resumed, result


def expect_same_run(resumed, reference, what, hint):
    __tracebackhide__ = True
    head = (f"{what}: trained {N_STEPS} steps, saved, trained {M_STEPS} more; resumed from the "
            f"checkpoint in a fresh model and optimizer and trained {M_STEPS} steps:")
    found = difference(resumed.model.state_dict(), reference.model.state_dict(), "model.state_dict()")
    expect(found is None, f"{head} {found}, unlike the run that never stopped\n  hint: {hint}")
    found = difference(resumed.optimizer.state_dict(), reference.optimizer.state_dict(),
                       "optimizer.state_dict()")
    expect(found is None, f"{head} {found}, unlike the run that never stopped\n  hint: {hint}")


# ------------------------------------------------------------------------ saving, first
# (no training before it: a stub reads "not started" without paying for torch's optimizer
# step, whose first call imports torch._dynamo, ~1.5 s)

def test_save_creates_missing_folders(tmp_path):
    run = Run(20, optimizer="sgd")
    path = tmp_path / "runs" / "exp1" / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 5)
    expect(path.is_file() and read(path)["step"] == 5,
           f"save_checkpoint to runs/exp1/ckpt.pt (folders missing) wrote no checkpoint\n  hint: "
           f"os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True) first")


# ------------------------------------------------------------------------ resuming

def test_resume_restores_the_weights_and_step(tmp_path):
    reference, resumed, (step, _) = resume(tmp_path, optimizer="sgd")
    expect(step == N_STEPS, f"load_checkpoint returned step {step!r}; the checkpoint was saved "
           f"at step {N_STEPS}\n  hint: return the step exactly as saved (the next step is the "
           f"caller's business)")
    expect_same_run(resumed, reference, "plain SGD, batches chosen by the step number", HINT_WEIGHTS)


@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum"])
def test_resume_restores_the_optimizer_state(tmp_path, optimizer):
    reference, resumed, _ = resume(tmp_path, optimizer=optimizer)
    expect_same_run(resumed, reference, f"{optimizer}, no randomness", HINT_OPTIMIZER)


def test_resume_restores_torchs_generator(tmp_path):
    reference, resumed, _ = resume(tmp_path, dropout=True, optimizer="sgd")
    expect_same_run(resumed, reference, "a model with Dropout(0.3), plain SGD", HINT_TORCH_RNG)


def test_resume_restores_pythons_random(tmp_path):
    reference, resumed, _ = resume(tmp_path, python=True, optimizer="sgd")
    expect_same_run(resumed, reference, "batches drawn with random.sample, plain SGD", HINT_PYTHON_RNG)


def test_resume_restores_numpys_generator(tmp_path):
    reference, resumed, _ = resume(tmp_path, numpy=True, optimizer="sgd")
    expect_same_run(resumed, reference, "inputs jittered with np.random.normal (an odd number of "
                    "draws a step), plain SGD", HINT_NUMPY_RNG)


@pytest.mark.parametrize("optimizer", ["adam", "sgd_momentum"])
def test_resume_is_bit_identical(tmp_path, optimizer):
    extra = {"epoch": 1, "best_loss": 0.5}
    reference, resumed, (step, got_extra) = resume(
        tmp_path, extra=extra, dropout=True, python=True, numpy=True,
        optimizer=optimizer)
    expect_same_run(resumed, reference, f"{optimizer}, dropout, random.sample batches, numpy "
                    f"jitter", HINT_ALL)
    expect(difference(got_extra, extra, "extra") is None and step == N_STEPS,
           f"load_checkpoint returned ({step!r}, {got_extra!r}); expected ({N_STEPS}, {extra!r})")
    found = difference(rng_states(), reference.rng, "random state")
    expect(found is None, f"after the resumed run, the {found}: the generators did not continue "
           f"where the run that never stopped left them\n  hint: {HINT_ALL}")


# ------------------------------------------------------------------------ what is saved

def test_the_file_loads_with_weights_only_and_holds_the_documented_dict(tmp_path):
    run = Run(3, dropout=True, optimizer="adam")
    run.train(2)
    np.random.normal(size=3)  # numpy now holds a cached Gaussian
    random.random()
    expected = {"model": run.model.state_dict(), "optimizer": run.optimizer.state_dict(),
                "step": 2, "rng": rng_states(), "extra": None}
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 2)
    payload = read_saved(path)
    expect(isinstance(payload, dict) and set(payload) == set(KEYS),
           f"the file holds {type(payload).__name__} with keys "
           f"{sorted(payload) if isinstance(payload, dict) else '-'}; expected a dict with keys "
           f"{sorted(KEYS)}")
    for key in ("model", "optimizer", "step", "extra"):
        found = difference(payload[key], expected[key], f"the file's {key!r}")
        expect(found is None, f"save_checkpoint: {found}\n  hint: {key!r} holds "
               + {"model": "model.state_dict()", "optimizer": "optimizer.state_dict()",
                  "step": "int(step)", "extra": "extra (None by default)"}[key])
    rng = payload["rng"]
    expect(isinstance(rng, dict) and set(rng) == {"torch", "python", "numpy"},
           f"the file's 'rng' is {str(rng)[:100]}; expected a dict with keys 'torch', 'python', "
           f"'numpy'")
    for key in ("torch", "python"):
        found = difference(rng[key], expected["rng"][key], f"the file's rng[{key!r}]")
        expect(found is None, f"save_checkpoint: {found}: not the state at the call\n  hint: "
               f"torch.get_rng_state() and random.getstate(), taken when save_checkpoint is called")
    numpy_state = rng["numpy"]
    expect(isinstance(numpy_state, (tuple, list)) and len(numpy_state) == 5
           and isinstance(numpy_state[1], torch.Tensor) and not numpy_state[1].is_floating_point(),
           f"the file's rng['numpy'] is {str(numpy_state)[:120]}; expected (name, keys as an "
           f"integer tensor, pos, has_gauss, cached_gaussian)")
    name, keys, pos, has_gauss, gauss = numpy_state
    want = expected["rng"]["numpy"]
    found = difference((name, keys.to(torch.int64), pos, has_gauss, gauss),
                       (want[0], want[1].to(torch.int64), *want[2:]), "the file's rng['numpy']")
    expect(found is None, f"save_checkpoint: {found}\n  hint: np.random.get_state() gives (name, "
           f"keys, pos, has_gauss, cached_gaussian): keep all five, keys as a tensor")


@pytest.mark.parametrize("kind", ["int", "0-d tensor", "0-d float tensor", "numpy int"])
def test_the_saved_step_is_a_python_int(tmp_path, kind):
    run = Run(4, optimizer="sgd")
    # a 0-d float tensor is what Adam keeps as its step (optimizer.state[p]["step"]): .item() is 7.0
    step = {"int": 7, "0-d tensor": torch.tensor(7), "0-d float tensor": torch.tensor(7.0),
            "numpy int": np.int64(7)}[kind]
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, step)
    saved = read(path)["step"]
    assert_exact_type(saved, int, f"the 'step' saved for a step given as {kind}")
    fresh = Run(5, optimizer="sgd")
    got, _ = load_checkpoint(path, fresh.model, fresh.optimizer)
    assert_exact_type(got, int, f"the step load_checkpoint returned (saved as {kind})")
    expect(got == 7, f"load_checkpoint returned step {got}, saved 7")


def test_extra_defaults_to_none(tmp_path):
    run = Run(6, optimizer="sgd")
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 1)
    fresh = Run(7, optimizer="sgd")
    step, extra = load_checkpoint(path, fresh.model, fresh.optimizer)
    expect(extra is None and read(path)["extra"] is None,
           f"saved without extra, the file's 'extra' is {read(path)['extra']!r} and load returned "
           f"{extra!r}; expected None both times")


def test_extra_round_trips_as_saved(tmp_path):
    extra = {"epoch": 2, "best_loss": 0.25, "note": "warm-up done", "lrs": [0.1, 0.05],
             "ema": torch.arange(3.0), "scheduler": {"last_epoch": 3, "factors": (0.5, 0.25)}}
    run = Run(8, optimizer="adam")
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 4, extra=extra)
    fresh = Run(9, optimizer="adam")
    step, got = load_checkpoint(path, fresh.model, fresh.optimizer)
    found = difference(got, extra, "extra")
    expect(found is None, f"load_checkpoint returned {found} (saved extra={extra!r})\n  hint: "
           f"save `extra` under 'extra' and return it unchanged")
    for falsy in (0, []):  # the epoch 0, no history yet: not None, not a default
        save_checkpoint(path, run.model, run.optimizer, 4, extra=falsy)
        _, got = load_checkpoint(path, fresh.model, fresh.optimizer)
        expect(type(got) is type(falsy) and got == falsy,
               f"saved with extra={falsy!r}, load_checkpoint returned extra={got!r}\n  hint: "
               f"save `extra` as given; `extra or None` (or `or {{}}`) replaces a falsy value")


@pytest.mark.parametrize("kind", ["str", "pathlib.Path", "bare file name"])
def test_a_str_or_a_path_round_trips(tmp_path, kind, monkeypatch):
    run = Run(10, optimizer="adam")
    run.train(1)
    path = tmp_path / "ckpt.pt"
    if kind == "bare file name":  # "ckpt.pt" in the working folder: os.path.dirname is ""
        monkeypatch.chdir(tmp_path)
        path = "ckpt.pt"
    path = str(path) if kind == "str" else path
    try:
        save_checkpoint(path, run.model, run.optimizer, 1)
    except FileNotFoundError as err:
        raise SpecFailure(f"save_checkpoint({str(path)!r}) with path a {kind} raised "
                          f"FileNotFoundError: {err}\n  hint: os.path.dirname('ckpt.pt') is '' and "
                          f"os.makedirs('') fails; take the folder of os.path.abspath(path) (or "
                          f"Path(path).parent, which is '.')") from None
    fresh = Run(11, optimizer="adam")
    step, _ = load_checkpoint(path, fresh.model, fresh.optimizer)
    found = difference(fresh.model.state_dict(), run.model.state_dict(), "model.state_dict()")
    expect(found is None and step == 1, f"save then load with path a {kind}: {found or step}")


# ------------------------------------------------------------------------ atomic writes

class CrashingSave:
    """Stands in for torch.save: writes the first half of what torch.save would have written
    to the file it was given (a path or an open file), then raises OSError, as when the disk
    fills up or the process dies in the middle of the write (or `error`: KeyboardInterrupt,
    Ctrl-C in the middle of the write, which `except Exception` does not catch)."""

    def __init__(self, error=None):
        self.targets = []
        self.error = error

    def __call__(self, obj, f, *args, **kwargs):
        buffer = io.BytesIO()
        REAL_SAVE(obj, buffer, *args, **kwargs)
        half = buffer.getvalue()[: len(buffer.getvalue()) // 2]
        self.targets.append(f)
        if isinstance(f, (str, os.PathLike)):
            with open(f, "wb") as out:
                out.write(half)
        else:
            f.write(half)
        if self.error is not None:
            raise self.error
        raise OSError(28, "No space left on device (simulated in the middle of torch.save)")


def crash_during_save(monkeypatch, path, model, optimizer, step, error=None):
    crash = CrashingSave(error)
    monkeypatch.setattr(torch, "save", crash)
    monkeypatch.setattr(torch.serialization, "save", crash)
    assert_raises(OSError if error is None else type(error), save_checkpoint, path, model, optimizer, step,
                  contract="if anything fails on the way (torch.save raises, the disk is full), "
                           "the exception propagates",
                  hint="do not catch it (or re-raise it after removing the temporary file): the "
                       "caller must learn that the checkpoint was not saved")
    monkeypatch.undo()
    expect(crash.targets, "save_checkpoint never called torch.save: the spec simulates the crash "
           "inside it\n  hint: write the file with torch.save(payload, tmp), looked up as "
           "torch.save when save_checkpoint runs")


def test_a_crash_during_save_keeps_the_old_checkpoint(tmp_path, monkeypatch):
    run = Run(12, optimizer="adam")
    run.train(2)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 2)
    run.train(1)
    crash_during_save(monkeypatch, path, run.model, run.optimizer, 3)
    try:
        step = read(path)["step"]
    except Exception as err:
        raise SpecFailure(f"a crash in the middle of save_checkpoint destroyed the checkpoint "
                          f"already at {path.name}: it no longer loads ({type(err).__name__}: "
                          f"{str(err).splitlines()[0][:120]})\n  hint: {HINT_ATOMIC}") from None
    expect(step == 2, f"after a crash in the middle of save_checkpoint(step=3), {path.name} holds "
           f"step {step}, expected the old checkpoint (step 2)\n  hint: {HINT_ATOMIC}")
    left = sorted(p.name for p in tmp_path.iterdir())
    expect(left == [path.name], f"after a crash in the middle of save_checkpoint the folder holds "
           f"{left}; expected only {path.name}\n  hint: remove the temporary file when the save "
           f"fails (try: ... except BaseException: os.remove(tmp); raise)")


def _failing_fsync(fd):
    raise OSError(5, "Input/output error (simulated in os.fsync)")


def _failing_replace(*args, **kwargs):
    raise OSError(18, "Invalid cross-device link (simulated in the replace)")


@pytest.mark.parametrize("crash", ["disk full", "Ctrl-C", "fsync fails", "replace fails"])
def test_a_crash_during_the_first_save_leaves_no_file(tmp_path, monkeypatch, crash):
    run = Run(13, optimizer="sgd")
    path = tmp_path / "ckpt.pt"
    if crash in ("fsync fails", "replace fails"):  # after torch.save succeeded: the cleanup covers the whole write
        if crash == "fsync fails":
            monkeypatch.setattr(os, "fsync", _failing_fsync)
        else:  # every documented way to rename (Path.replace / Path.rename call os.replace / os.rename)
            for module, name in ((os, "replace"), (os, "rename"), (shutil, "move")):
                monkeypatch.setattr(module, name, _failing_replace)
        what = "os.fsync" if crash == "fsync fails" else "the replace (os.replace / os.rename)"
        assert_raises(OSError, save_checkpoint, path, run.model, run.optimizer, 0,
                      contract="if anything fails on the way, the exception propagates and the temporary "
                               "file is removed",
                      hint=f"let {what}'s OSError propagate (after removing the temporary file)")
        monkeypatch.undo()
    else:
        error = KeyboardInterrupt() if crash == "Ctrl-C" else None
        crash_during_save(monkeypatch, path, run.model, run.optimizer, 0, error)
    left = sorted(p.name for p in tmp_path.iterdir())
    expect(left == [], f"after a crash ({crash}) in the middle of the first save_checkpoint the "
           f"folder holds {left}; expected nothing (half a file at path looks like a checkpoint, "
           f"and a temporary file is litter)\n  hint: {HINT_ATOMIC}; remove the temporary file "
           f"when the save fails, whatever fails (torch.save, os.fsync, the replace: one try around "
           f"the whole write): KeyboardInterrupt is not an Exception, so "
           f"clean up in `except BaseException:` (then raise) or in a `finally:`")


def test_a_save_leaves_one_file(tmp_path):
    run = Run(14, optimizer="adam")
    path = tmp_path / "ckpt.pt"
    for step in (1, 2):
        run.train(1)
        save_checkpoint(path, run.model, run.optimizer, step)
        left = sorted(p.name for p in tmp_path.iterdir())
        expect(left == [path.name], f"after save number {step} the folder holds {left}; expected "
               f"only {path.name}\n  hint: os.replace the temporary file onto path (it moves; "
               f"a copy leaves the temporary file behind)")


def test_a_reader_of_the_old_file_keeps_reading_the_old_checkpoint(tmp_path):
    """An evaluator that opened the checkpoint before a save goes on reading a whole old
    checkpoint: the new one is a new file renamed over the name, not the old file rewritten."""
    run = Run(15, optimizer="adam")
    run.train(1)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 1)
    with open(path, "rb") as reader:
        run.train(1)
        save_checkpoint(path, run.model, run.optimizer, 2)
        try:
            step = torch.load(reader, weights_only=True)["step"]
        except Exception as err:
            step = f"a broken file ({type(err).__name__})"
    expect(step == 1, f"a reader that opened {path.name} (step 1) before save_checkpoint(step=2) "
           f"then read {step!r}: save_checkpoint rewrote the old file in place, so a crash in "
           f"the middle of the write leaves half a file\n  hint: {HINT_ATOMIC}")
    expect(read(path)["step"] == 2, "after the second save, path does not hold step 2")


def test_a_second_save_replaces_the_first(tmp_path):
    run = Run(16, optimizer="adam")
    path = tmp_path / "ckpt.pt"
    run.train(1)
    save_checkpoint(path, run.model, run.optimizer, 1)
    run.train(2)
    save_checkpoint(path, run.model, run.optimizer, 3, extra={"note": "second"})
    fresh = Run(17, optimizer="adam")
    step, extra = load_checkpoint(path, fresh.model, fresh.optimizer)
    found = difference(fresh.model.state_dict(), run.model.state_dict(), "model.state_dict()")
    expect(step == 3 and extra == {"note": "second"} and found is None,
           f"after two saves to one path, loading gave step {step!r}, extra {extra!r}"
           + (f", {found}" if found else "") + "; expected the second checkpoint")


def _watch_renames_and_fsyncs(monkeypatch):
    events = []
    real_fsync, real_replace, real_rename = os.fsync, os.replace, os.rename

    def fsync(fd):
        number = fd if isinstance(fd, int) else fd.fileno()
        stat = os.fstat(number)
        events.append(("fsync", stat.st_ino, stat.st_size))
        return real_fsync(fd)

    def replace(src, dst, *args, **kwargs):  # the last item: was there a file at dst already
        events.append(("rename", Path(src).resolve(), Path(dst).resolve(), Path(dst).exists()))
        return real_replace(src, dst, *args, **kwargs)

    def rename(src, dst, *args, **kwargs):  # the last item: was there a file at dst already
        events.append(("rename", Path(src).resolve(), Path(dst).resolve(), Path(dst).exists()))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    return events


def _renames_onto(events, path):
    return [i for i, e in enumerate(events) if e[0] == "rename" and e[2] == path.resolve()]


def test_the_temporary_file_is_in_paths_folder(tmp_path, monkeypatch):
    run = Run(18, optimizer="sgd")
    folder = tmp_path / "run"
    folder.mkdir()
    path = folder / "ckpt.pt"
    events = _watch_renames_and_fsyncs(monkeypatch)
    save_checkpoint(path, run.model, run.optimizer, 1)
    monkeypatch.undo()
    onto = _renames_onto(events, path)
    expect(onto, f"save_checkpoint never renamed a file onto {path.name} (os.replace): it wrote "
           f"the checkpoint some other way\n  hint: {HINT_ATOMIC}")
    src = events[onto[-1]][1]
    expect(src.parent == path.resolve().parent,
           f"save_checkpoint wrote its temporary file in {src.parent}, not in the checkpoint's "
           f"folder: a rename is atomic only within one file system (across two it fails, or "
           f"shutil.move falls back to a copy)\n  hint: tempfile.mkstemp(dir=<path's folder>) "
           f"or path + '.tmp'")


def test_the_temporary_file_is_flushed_and_fsynced_before_the_replace(tmp_path, monkeypatch):
    run = Run(19, optimizer="adam")
    run.train(1)
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, run.model, run.optimizer, 1)
    events = _watch_renames_and_fsyncs(monkeypatch)
    run.train(1)
    save_checkpoint(path, run.model, run.optimizer, 2)
    monkeypatch.undo()
    final = os.stat(path)
    synced = [i for i, e in enumerate(events) if e[0] == "fsync" and e[1] == final.st_ino]
    expect(synced, "save_checkpoint never called os.fsync on the new checkpoint's file: after a "
           "power cut, the rename may reach the disk before the data (an empty checkpoint)\n"
           "  hint: f.flush(); os.fsync(f.fileno()) on the temporary file, before os.replace")
    whole = [i for i in synced if events[i][2] == final.st_size]
    expect(whole, f"save_checkpoint called os.fsync on the temporary file when it held "
           f"{max(events[i][2] for i in synced)} of its {final.st_size} bytes: the rest was still "
           f"in Python's buffer\n  hint: f.flush() first, then os.fsync(f.fileno())")
    onto = _renames_onto(events, path)
    expect(not onto or whole[0] < onto[-1], "save_checkpoint called os.fsync only after renaming "
           "the file onto path: until the fsync, a power cut can leave an empty checkpoint under "
           "the name\n  hint: flush and os.fsync the temporary file, then os.replace")
    expect(not onto or events[onto[-1]][3], "save_checkpoint removed the old checkpoint before renaming "
           "the new one onto path: a crash in between leaves no checkpoint at all\n  hint: os.replace(tmp, "
           "path) swaps the files atomically, the old one included; do not os.remove(path) first")


def test_save_changes_no_random_state(tmp_path):
    run = Run(21, dropout=True, optimizer="adam")
    run.train(1)
    before = rng_states()
    save_checkpoint(tmp_path / "ckpt.pt", run.model, run.optimizer, 1)
    found = difference(rng_states(), before, "random state")
    expect(found is None, f"save_checkpoint changed the {found}: the run would continue "
           f"differently because it saved\n  hint: draw nothing from torch, random or np.random "
           f"while saving (tempfile and uuid use their own generators)")


# ------------------------------------------------------------------------ loading

def test_load_restores_the_model_optimizer_and_random_states(tmp_path):
    run = Run(22, dropout=True, optimizer="adam")
    run.train(2)
    np.random.normal(size=3)
    path = tmp_path / "ckpt.pt"
    saved = reference_save(path, run.model, run.optimizer, 2, extra={"epoch": 1})
    fresh = Run(23, dropout=True, optimizer="adam")
    result = load_checkpoint(path, fresh.model, fresh.optimizer)
    expect(isinstance(result, tuple) and len(result) == 2 and result[0] == 2
           and result[1] == {"epoch": 1},
           f"load_checkpoint returned {result!r}; expected (2, {{'epoch': 1}}): (step, extra)")
    for piece, got, hint in [("model", fresh.model.state_dict(), HINT_WEIGHTS),
                             ("optimizer", fresh.optimizer.state_dict(), HINT_OPTIMIZER),
                             ("rng", rng_states(), "restore all three: torch.set_rng_state, "
                              "random.setstate, np.random.set_state")]:
        found = difference(got, saved[piece], piece)
        expect(found is None, f"after load_checkpoint, the {found} from the checkpoint's\n  "
               f"hint: {hint}")


def test_load_ignores_other_keys(tmp_path):
    run = Run(24, optimizer="sgd")
    path = tmp_path / "ckpt.pt"
    reference_save(path, run.model, run.optimizer, 4, config={"width": 8}, version=2)
    fresh = Run(25, optimizer="sgd")
    step, _ = load_checkpoint(path, fresh.model, fresh.optimizer)
    expect(step == 4, f"load_checkpoint returned step {step!r}, saved 4")


def test_load_refuses_a_pickle_that_runs_code(tmp_path):
    class RunsCode:
        def __reduce__(self):  # unpickling calls os.makedirs(marker)
            return (os.makedirs, (str(marker),))

    marker = tmp_path / "code_from_the_file_ran"
    run = Run(26, optimizer="sgd")
    path = tmp_path / "ckpt.pt"
    reference_save(path, run.model, run.optimizer, 1, extra={"payload": RunsCode()})
    fresh = Run(27, optimizer="sgd")
    before = snapshot(fresh.model, fresh.optimizer)
    failure = None
    try:
        assert_raises(ValueError, load_checkpoint, path, fresh.model, fresh.optimizer,
                      mentions=(str(path),), contract="a file torch.load(weights_only=True) "
                      "cannot read (... a pickle of arbitrary objects): ValueError naming the path",
                      hint="torch.load(path, weights_only=True): it refuses anything but tensors "
                           "and plain containers; " + HINT_NAME_PATH)
    except SpecFailure as err:
        failure = err
    expect(not marker.exists(), "load_checkpoint ran code stored in the file (the pickle "
           "called os.makedirs): a checkpoint from anywhere could run anything\n  hint: "
           "torch.load(path, weights_only=True), never weights_only=False")
    if failure is not None:
        raise failure
    expect_unchanged(before, fresh.model, fresh.optimizer, "load_checkpoint of a pickle")


def test_load_of_a_missing_file_raises_file_not_found(tmp_path):
    fresh = Run(28, optimizer="sgd")
    path = tmp_path / "no_such.pt"
    before = snapshot(fresh.model, fresh.optimizer)
    assert_raises(FileNotFoundError, load_checkpoint, path, fresh.model, fresh.optimizer,
                  mentions=(str(path),), contract="no file at path: FileNotFoundError naming the path",
                  hint="let torch.load's FileNotFoundError through (it names the file), or "
                       "check os.path.exists(path) first")
    expect_unchanged(before, fresh.model, fresh.optimizer, "load_checkpoint of a missing file")


def _unreadable(kind, path, run):
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random bytes":
        path.write_bytes(bytes(random.Random(0).randrange(256) for _ in range(500)))
    else:  # "truncated": the first half of a real checkpoint
        buffer = io.BytesIO()
        REAL_SAVE({"model": run.model.state_dict(), "optimizer": run.optimizer.state_dict(),
                   "step": 1, "rng": rng_states(), "extra": None}, buffer)
        path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])


@pytest.mark.parametrize("kind", ["truncated", "empty", "random bytes"])
def test_load_of_an_unreadable_file_raises_value_error(tmp_path, kind):
    run = Run(29, optimizer="adam")
    run.train(1)
    path = tmp_path / "ckpt.pt"
    _unreadable(kind, path, run)
    fresh = Run(30, optimizer="adam")
    fresh.train(1)
    before = snapshot(fresh.model, fresh.optimizer)
    assert_raises(ValueError, load_checkpoint, path, fresh.model, fresh.optimizer,
                  mentions=(str(path),), what=f"load_checkpoint of a {kind} file",
                  contract="a file torch.load(weights_only=True) cannot read (truncated, empty, "
                           "random bytes, ...): ValueError naming the path", hint=HINT_NAME_PATH)
    expect_unchanged(before, fresh.model, fresh.optimizer, f"load_checkpoint of a {kind} file")


FOREIGN = {
    "a bare model state_dict": lambda run: run.model.state_dict(),
    "a list": lambda run: [1, 2, 3],
    "a tensor": lambda run: torch.zeros(3),
    "a dict without rng and extra": lambda run: {"model": run.model.state_dict(),
                                                 "optimizer": run.optimizer.state_dict(), "step": 3},
    "nanoGPT's keys": lambda run: {"model": run.model.state_dict(), "optimizer":
                                   run.optimizer.state_dict(), "iter_num": 3, "best_val_loss": 1.5},
}


@pytest.mark.parametrize("kind", list(FOREIGN))
def test_load_of_a_file_that_is_not_a_checkpoint_raises_value_error(tmp_path, kind):
    run = Run(31, optimizer="adam")
    run.train(1)
    path = tmp_path / "ckpt.pt"
    payload = FOREIGN[kind](run)
    REAL_SAVE(payload, path)
    fresh = Run(32, optimizer="adam")
    fresh.train(1)
    before = snapshot(fresh.model, fresh.optimizer)
    missing = [k for k in KEYS if k not in payload] if isinstance(payload, dict) else []
    assert_raises(ValueError, load_checkpoint, path, fresh.model, fresh.optimizer,
                  mentions=(str(path), *missing), what=f"load_checkpoint of {kind}",
                  contract="a readable file that is not a checkpoint (not a dict, or a dict "
                           "missing any of the five keys): ValueError naming the path and every "
                           "missing key",
                  hint="check isinstance(payload, dict) and which of 'model', 'optimizer', "
                       "'step', 'rng', 'extra' are missing before using any")
    expect_unchanged(before, fresh.model, fresh.optimizer, f"load_checkpoint of {kind}")


def _other_model(kind):
    torch.manual_seed(33)
    if kind == "an extra layer":
        return nn.Sequential(nn.Linear(FEATURES, 8), nn.BatchNorm1d(8), nn.Tanh(),
                             nn.Linear(8, 2), nn.Linear(2, 2))
    if kind == "a wider hidden layer":  # as many tensors: the optimizer's load would pass
        return nn.Sequential(nn.Linear(FEATURES, 9), nn.BatchNorm1d(9), nn.Tanh(), nn.Linear(9, 2))
    return nn.Sequential(nn.Linear(FEATURES, 8), nn.Tanh(), nn.Linear(8, 2))  # no BatchNorm


@pytest.mark.parametrize("kind", ["an extra layer", "a wider hidden layer", "no BatchNorm"])
def test_load_into_a_mismatched_model_raises_and_changes_nothing(tmp_path, kind):
    run = Run(34, optimizer="adam")
    run.train(2)
    path = tmp_path / "ckpt.pt"
    reference_save(path, run.model, run.optimizer, 2)
    reseed(35)
    model = _other_model(kind)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    model(X[:4]).sum().backward()
    optimizer.step()
    before = snapshot(model, optimizer)
    what = f"load_checkpoint into a model with {kind}"
    try:
        result = load_checkpoint(path, model, optimizer)
    except NotImplementedError:  # a RuntimeError too: the stub reads "not started"
        raise
    except RuntimeError:
        pass
    except Exception as err:
        raise SpecFailure(f"{what}: expected RuntimeError (what model.load_state_dict raises), "
                          f"got {type(err).__name__}: {str(err)[:200]}") from None
    else:
        raise SpecFailure(f"{what} returned {result!r} instead of raising RuntimeError: it "
                          f"loaded part of the checkpoint silently\n  hint: "
                          f"model.load_state_dict(payload['model']) with strict=True (the "
                          f"default); strict=False loads what matches and skips the rest")
    expect_unchanged(before, model, optimizer, f"load_checkpoint into a model with {kind}")


@pytest.mark.parametrize("kind", ["a subset of the parameters", "two parameter groups"])
def test_load_into_a_mismatched_optimizer_raises_and_changes_nothing(tmp_path, kind):
    run = Run(36, optimizer="adam")
    run.train(2)
    path = tmp_path / "ckpt.pt"
    reference_save(path, run.model, run.optimizer, 2)
    fresh = Run(37, optimizer="adam")
    params = list(fresh.model.parameters())
    if kind == "two parameter groups":
        groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.01}]
    else:
        groups = [{"params": params[2:]}]
    optimizer = torch.optim.Adam(groups, lr=0.05)
    fresh.model(X[:4]).sum().backward()
    optimizer.step()
    before = snapshot(fresh.model, optimizer)
    assert_raises(ValueError, load_checkpoint, path, fresh.model, optimizer,
                  what=f"load_checkpoint into an optimizer over {kind}",
                  contract="an optimizer whose parameter groups do not match the checkpoint's: "
                           "ValueError (what optimizer.load_state_dict raises)",
                  hint="let optimizer.load_state_dict's ValueError propagate")
    expect_unchanged(before, fresh.model, optimizer, f"load_checkpoint into an optimizer over {kind}")
