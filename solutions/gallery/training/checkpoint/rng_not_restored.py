"""Saves the random states but never restores them: after a resume, dropout masks, the
shuffled batches and the augmentation noise come from whatever state the new process has
(its own seed), so the resumed run trains on other masks and other batches than the run
that never stopped.

Fix: restore all three generators on load: torch.set_rng_state, random.setstate,
np.random.set_state."""

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _read_checkpoint


def load_checkpoint(path, model, optimizer):
    payload = _read_checkpoint(path)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    return int(payload["step"]), payload["extra"]
