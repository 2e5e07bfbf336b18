"""Training mode not restored: after model.eval() the model stays in eval mode, so the next
training step silently runs without dropout and with frozen batch-norm statistics. Remember
was_training = model.training and call model.train(was_training) at the end (in a finally)."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        return model(x)
