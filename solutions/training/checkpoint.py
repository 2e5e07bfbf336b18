"""Day 11 — training/checkpoint: reference solution."""

import os
import random
import tempfile

import numpy as np
import torch
from torch import nn

KEYS = ("model", "optimizer", "step", "rng", "extra")


def _rng_state() -> dict:
    name, keys, pos, has_gauss, cached_gaussian = np.random.get_state()
    return {"torch": torch.get_rng_state(),
            "python": random.getstate(),
            # a numpy array would not load with weights_only=True; a tensor does
            "numpy": (name, torch.from_numpy(keys), pos, has_gauss, cached_gaussian)}


def _set_rng_state(rng: dict) -> None:
    torch.set_rng_state(rng["torch"])
    random.setstate(rng["python"])
    name, keys, pos, has_gauss, cached_gaussian = rng["numpy"]
    np.random.set_state((name, keys.numpy(), pos, has_gauss, cached_gaussian))


def _atomic_save(payload: dict, path: str | os.PathLike) -> None:
    """torch.save into a temporary file beside path, fsync it, rename it onto path."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    # beside the target: os.replace is atomic only within one file system
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()                # Python's buffer -> the OS
            os.fsync(f.fileno())     # the OS's cache -> the disk
        os.replace(tmp, path)        # readers see the old file or the new one, never half
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _read_checkpoint(path: str | os.PathLike) -> dict:
    """The checkpoint's dict; ValueError naming the file when it is not one."""
    try:
        payload = torch.load(path, weights_only=True)  # refuses pickles that run code
    except FileNotFoundError:
        raise
    except Exception as err:
        detail = str(err).strip().splitlines()[0] if str(err).strip() else "no detail"
        raise ValueError(f"{path}: not a readable checkpoint ({type(err).__name__}: {detail})") from err
    if not isinstance(payload, dict):
        raise ValueError(f"{path}: not a checkpoint (holds a {type(payload).__name__}, "
                         f"expected a dict with keys {', '.join(KEYS)})")
    missing = [key for key in KEYS if key not in payload]
    if missing:
        raise ValueError(f"{path}: not a checkpoint (missing keys: {', '.join(missing)})")
    return payload


def save_checkpoint(path: str | os.PathLike, model: nn.Module, optimizer: torch.optim.Optimizer,
                    step: int, *, extra=None) -> None:
    """Atomically write model, optimizer, step, random states and extra to `path`."""
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "step": int(step), "rng": _rng_state(), "extra": extra}
    _atomic_save(payload, path)


def load_checkpoint(path: str | os.PathLike, model: nn.Module,
                    optimizer: torch.optim.Optimizer) -> tuple[int, object]:
    """Load a checkpoint into model and optimizer, restore the random states; (step, extra)."""
    payload = _read_checkpoint(path)
    # a strict load_state_dict raises only after copying the tensors that matched, and the
    # optimizer's load can fail after the model's succeeded: keep the weights to put back
    # (optimizer.load_state_dict checks the groups before it changes anything)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])  # last: a failed load leaves the random states alone
    return int(payload["step"]), payload["extra"]
