"""pathlib throughout: a hidden '.name.<pid>.tmp' beside the target, Path.replace; numpy's keys
as an int64 tensor; deep copies of both state_dicts, put back when either load fails."""

import copy
import os
import random
from pathlib import Path

import numpy as np
import torch

REQUIRED = ("model", "optimizer", "step", "rng", "extra")


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    path = Path(path)
    name, keys, pos, has_gauss, gauss = np.random.get_state()
    checkpoint = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "step": int(step),
        "rng": {"torch": torch.get_rng_state(), "python": random.getstate(),
                "numpy": (name, torch.tensor(keys.astype(np.int64)), pos, has_gauss, gauss)},
        "extra": extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            torch.save(checkpoint, f)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_checkpoint(path, model, optimizer):
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        checkpoint = torch.load(path, weights_only=True)
    except Exception as err:
        raise ValueError(f"cannot read checkpoint {path}: {err!r}") from err
    if not isinstance(checkpoint, dict):
        raise ValueError(f"{path} is not a checkpoint: it holds a {type(checkpoint).__name__}")
    absent = [key for key in REQUIRED if key not in checkpoint]
    if absent:
        raise ValueError(f"{path} is not a checkpoint: no {absent}")

    model_backup = copy.deepcopy(model.state_dict())
    optimizer_backup = copy.deepcopy(optimizer.state_dict())
    try:
        model.load_state_dict(checkpoint["model"], strict=True)
        optimizer.load_state_dict(checkpoint["optimizer"])
    except Exception:
        model.load_state_dict(model_backup)
        optimizer.load_state_dict(optimizer_backup)
        raise

    rng = checkpoint["rng"]
    torch.set_rng_state(rng["torch"])
    random.setstate(rng["python"])
    name, keys, pos, has_gauss, gauss = rng["numpy"]
    np.random.set_state((name, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))
    return int(checkpoint["step"]), checkpoint["extra"]
