"""Uses the loaded object without checking that it is a checkpoint: a bare state_dict, a
nanoGPT checkpoint ("iter_num") or a list fails with KeyError: 'optimizer' or TypeError deep
inside, naming neither the file nor what is missing (and a bare state_dict that happens to
hold "model" may even be half loaded).

Fix: check isinstance(payload, dict) and the five keys first; ValueError naming the path and
every missing key."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _set_rng_state


def load_checkpoint(path, model, optimizer):
    try:
        payload = torch.load(path, weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as err:
        raise ValueError(f"{path}: not a readable checkpoint ({err})") from err
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])
    return int(payload["step"]), payload["extra"]
