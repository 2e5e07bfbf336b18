"""Turns every error of torch.load into ValueError, a missing file too: the caller cannot
tell "no checkpoint yet, start from scratch" (FileNotFoundError) from "the checkpoint is
broken, stop and look" (ValueError), and a resume script that catches FileNotFoundError to
start fresh now crashes, or one that catches ValueError starts over on a typo.

Fix: let FileNotFoundError through (except FileNotFoundError: raise) before wrapping the
rest."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import KEYS, _set_rng_state


def load_checkpoint(path, model, optimizer):
    try:
        payload = torch.load(path, weights_only=True)
    except Exception as err:
        raise ValueError(f"{path}: cannot load the checkpoint ({err})") from err
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
