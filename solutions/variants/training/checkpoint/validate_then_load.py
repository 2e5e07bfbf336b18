"""NamedTemporaryFile(dir=..., delete=False) and a folder fsync after the rename; numpy's state
as a list; the model's names and shapes checked against the checkpoint before anything is
loaded, so no load ever has to be undone."""

import os
import random
import tempfile

import numpy as np
import torch


def _write(path, obj):
    folder = os.path.dirname(os.fspath(path)) or "."
    os.makedirs(folder, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(dir=folder, suffix=".partial", delete=False)
    try:
        with tmp:
            torch.save(obj, tmp)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, path)
    except BaseException:
        try:
            os.unlink(tmp.name)
        except FileNotFoundError:
            pass
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself, on disk
    finally:
        os.close(dir_fd)


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    np_state = list(np.random.get_state())
    np_state[1] = torch.from_numpy(np_state[1])
    _write(path, dict(model=model.state_dict(), optimizer=optimizer.state_dict(), step=int(step),
                      rng=dict(torch=torch.get_rng_state(), python=random.getstate(),
                               numpy=np_state),
                      extra=extra))


def _check_model(model, weights, path):
    own = model.state_dict()
    problems = [f"missing {k}" for k in own if k not in weights]
    problems += [f"unexpected {k}" for k in weights if k not in own]
    problems += [f"{k}: shape {tuple(weights[k].shape)} in the file, {tuple(v.shape)} in the model"
                 for k, v in own.items() if k in weights and weights[k].shape != v.shape]
    if problems:
        raise RuntimeError(f"{path} does not fit the model: " + "; ".join(problems))


def load_checkpoint(path, model, optimizer):
    try:
        ckpt = torch.load(path, weights_only=True)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except Exception as err:
        raise ValueError(f"{path}: unreadable ({type(err).__name__})") from err
    if not isinstance(ckpt, dict):
        raise ValueError(f"{path}: expected a checkpoint dict, found {type(ckpt).__name__}")
    missing = {"model", "optimizer", "step", "rng", "extra"} - ckpt.keys()
    if missing:
        raise ValueError(f"{path}: missing {sorted(missing)}")
    _check_model(model, ckpt["model"], path)
    optimizer.load_state_dict(ckpt["optimizer"])  # checks its groups before changing anything
    model.load_state_dict(ckpt["model"])          # cannot fail now
    torch.set_rng_state(ckpt["rng"]["torch"])
    random.setstate(ckpt["rng"]["python"])
    np_state = list(ckpt["rng"]["numpy"])
    np_state[1] = np_state[1].numpy()
    np.random.set_state(tuple(np_state))
    return int(ckpt["step"]), ckpt["extra"]
