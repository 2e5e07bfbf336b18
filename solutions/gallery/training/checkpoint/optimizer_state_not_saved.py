"""Saves only the model (and step and random states), not the optimizer: after a resume, a
fresh optimizer starts Adam's moments (exp_avg, exp_avg_sq) and step counts, or SGD's
momentum buffers, from zero. The first steps after the resume are then different steps
(Adam's bias correction even makes them larger), and the run never again matches the one
that did not stop.

Fix: save optimizer.state_dict() under "optimizer" and optimizer.load_state_dict() it."""

import torch

from solutions.training.checkpoint import _atomic_save, _rng_state, _set_rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    _atomic_save({"model": model.state_dict(), "step": int(step), "rng": _rng_state(),
                  "extra": extra}, path)


def load_checkpoint(path, model, optimizer):
    try:
        payload = torch.load(path, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as err:
        raise ValueError(f"{path}: not a readable checkpoint ({err})") from err
    if not isinstance(payload, dict):
        raise ValueError(f"{path}: not a checkpoint")
    missing = [k for k in ("model", "step", "rng", "extra") if k not in payload]
    if missing:
        raise ValueError(f"{path}: not a checkpoint (missing keys: {', '.join(missing)})")
    model.load_state_dict(payload["model"])
    _set_rng_state(payload["rng"])
    return int(payload["step"]), payload["extra"]
