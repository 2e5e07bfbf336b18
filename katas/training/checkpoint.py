"""Day 11 — training/checkpoint: save a training run, and resume it exactly.

A long run stops (a crash, a pre-empted machine) and resumes from its last checkpoint.
Resumed right, it goes on EXACTLY as if it had never stopped: M steps after the resume, the
parameters and the optimizer state are bit-identical (torch.equal) to those of the run that
never stopped. That takes every piece of state the next steps read: the model's weights, the
optimizer's state (Adam's moments and step counts, SGD's momentum buffers), the step number,
and the random number generators that drive dropout, shuffling and augmentation.

Write:
    save_checkpoint(path, model, optimizer, step, *, extra=None) -> None
        Writes one file at `path` (a str or a pathlib.Path) holding, through torch.save, the
        dict
            {"model": model.state_dict(),
             "optimizer": optimizer.state_dict(),
             "step": int(step),                        a Python int (a 0-d tensor step too)
             "rng": {"torch": torch.get_rng_state(),   torch's default CPU generator
                     "python": random.getstate(),      Python's global `random`
                     "numpy": (name, keys, pos, has_gauss, cached_gaussian)},
             "extra": extra}
        The numpy entry is numpy's global generator, np.random.get_state(), with its array of
        624 keys made a tensor (torch.from_numpy(keys)): a numpy array does not load with
        weights_only=True. `extra` is None or anything weights_only loading accepts: numbers,
        strings, None, tensors, and lists, tuples and dicts of them (the epoch, the best
        validation loss, a scheduler's state_dict); it comes back from load_checkpoint as saved.
        The write is atomic: torch.save into a temporary file in path's own folder (never
        into path itself), flush it and os.fsync it, then os.replace it onto path (the specs
        watch torch.save, os.fsync and os.replace or os.rename, Path.replace and shutil.move
        included, so call them through their modules, not `from os import replace`). Whenever
        the process dies, path holds the old checkpoint or the new one, never half a file, and
        a reader that opened the old file before the replace goes on reading the old file.
        If anything fails on the way (torch.save raises, the disk is full), the exception
        propagates, the temporary file is removed, and a checkpoint already at path stays as
        it was (no file at path if there was none). No temporary file is left behind after
        a save either. path's folder is created when missing (with its parents).
        Saving changes no random state (a temporary name drawn from `random` would shift the
        run).

    load_checkpoint(path, model, optimizer) -> tuple[int, object]
        Reads the file with torch.load(path, weights_only=True), never weights_only=False (a
        pickle can run any code), loads the weights into `model` (strict: every parameter and
        buffer, same names and shapes) and the state into `optimizer`, restores the three
        random generators, and returns (step, extra): the step as a Python int, extra as
        saved. Keys other than the five above are ignored.
        A load that raises changes nothing: the model, the optimizer and the random states
        are left exactly as they were. The errors:
          - no file at path: FileNotFoundError naming the path;
          - a file torch.load(weights_only=True) cannot read (truncated, empty, random bytes,
            a pickle of arbitrary objects): ValueError naming the path;
          - a readable file that is not a checkpoint (not a dict, or a dict missing any of
            "model", "optimizer", "step", "rng", "extra"): ValueError naming the path and
            every missing key;
          - a model whose parameters or buffers differ from the checkpoint's (one missing,
            unexpected or of another shape): RuntimeError (what model.load_state_dict raises),
            also when the optimizer, built on that model, does not match either (load, or
            check, the model before the optimizer);
          - an optimizer whose parameter groups do not match the checkpoint's (another number
            of groups or of parameters in a group): ValueError (what
            optimizer.load_state_dict raises).
        Beware: a strict model.load_state_dict raises only after copying the tensors that
        did match, and optimizer.load_state_dict may fail after the model's load succeeded;
        put back what was changed before the error propagates, and restore the random states
        only once both loads have succeeded.

CPU generators only: torch's CUDA generators are not saved (on a GPU, add
torch.cuda.get_rng_state_all() and set_rng_state_all()).
Off limits: none.
Run: pytest katas/training/checkpoint.py
"""

import os

import torch
from torch import nn


def save_checkpoint(path: str | os.PathLike, model: nn.Module, optimizer: torch.optim.Optimizer,
                    step: int, *, extra=None) -> None:
    """Atomically write model, optimizer, step, random states and extra to `path`."""
    raise NotImplementedError


def load_checkpoint(path: str | os.PathLike, model: nn.Module,
                    optimizer: torch.optim.Optimizer) -> tuple[int, object]:
    """Load a checkpoint into model and optimizer, restore the random states; (step, extra)."""
    raise NotImplementedError
