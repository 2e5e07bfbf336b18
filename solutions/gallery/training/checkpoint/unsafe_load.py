"""Loads with torch.load(path, weights_only=False): unpickling runs whatever the file asks
for, so a checkpoint downloaded from anywhere (or tampered with) can run any code on the
machine. Checkpoints need only tensors and plain containers.

Fix: torch.load(path, weights_only=True) (torch's default since 2.6), and store everything
in forms it accepts (numpy's keys as a tensor)."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import KEYS, _set_rng_state


def load_checkpoint(path, model, optimizer):
    try:
        payload = torch.load(path, weights_only=False)
    except FileNotFoundError:
        raise
    except Exception as err:
        raise ValueError(f"{path}: not a readable checkpoint ({err})") from err
    if not isinstance(payload, dict):
        raise ValueError(f"{path}: not a checkpoint")
    missing = [k for k in KEYS if k not in payload]
    if missing:
        raise ValueError(f"{path}: not a checkpoint (missing keys: {', '.join(missing)})")
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])
    return int(payload["step"]), payload["extra"]
