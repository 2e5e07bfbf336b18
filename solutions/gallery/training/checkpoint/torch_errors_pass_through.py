"""Lets torch.load's own errors through: a truncated checkpoint raises "RuntimeError:
PytorchStreamReader failed reading zip archive: failed finding central directory", an empty
one "EOFError", with no word of which file was broken; in a folder of a hundred checkpoints
nobody knows which one to delete.

Fix: catch what torch.load raises (except FileNotFoundError) and raise
ValueError(f"{path}: ...") from it."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import KEYS, _set_rng_state


def load_checkpoint(path, model, optimizer):
    payload = torch.load(path, weights_only=True)
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
