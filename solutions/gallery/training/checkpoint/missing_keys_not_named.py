"""Refuses a foreign file with a message that names neither the file nor what it lacks
("not a valid checkpoint"): the user must open the file by hand to learn that it is a bare
state_dict, or a checkpoint written by an older version without "rng".

Fix: ValueError(f"{path}: not a checkpoint (missing keys: {', '.join(missing)})")."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import KEYS, _set_rng_state


def load_checkpoint(path, model, optimizer):
    try:
        payload = torch.load(path, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as err:
        raise ValueError(f"{path}: not a readable checkpoint ({err})") from err
    if not isinstance(payload, dict) or not all(k in payload for k in KEYS):
        raise ValueError("not a valid checkpoint")
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])
    return int(payload["step"]), payload["extra"]
