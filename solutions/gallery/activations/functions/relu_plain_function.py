"""An "activation" that lets autograd do the backward: a class whose apply just runs
torch ops gives the right values and gradients, but autograd differentiates those ops and
the hand-written backward (the point of the kata) never exists or never runs. Fix: subclass
torch.autograd.Function, save what you need on ctx in forward, and return the gradient from
backward."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class ReLU:
    @staticmethod
    def apply(x: torch.Tensor) -> torch.Tensor:
        return x.clamp(min=0)  # autograd's clamp backward, not a hand-written one
