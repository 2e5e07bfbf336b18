"""Detaching afterwards instead of not recording: model(x).detach() gives an output without a
grad_fn, but the graph was built (and its activations saved) during the forward, which is the
memory and time no_grad exists to save. Run the model inside torch.no_grad()."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    try:
        return model(x).detach()
    finally:
        model.train(was_training)
