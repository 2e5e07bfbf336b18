"""Returns the saved step plus one ("the next step to run"): the caller's loop, which
continues from the step it gets back, skips a step, so the batches, the learning-rate
schedule and the logs are all one step ahead of the run that never stopped.

Fix: return the step exactly as saved; what the next step is belongs to the caller."""

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _read_checkpoint, _set_rng_state


def load_checkpoint(path, model, optimizer):
    payload = _read_checkpoint(path)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])
    return int(payload["step"]) + 1, payload["extra"]
