"""SwiGLU with the SiLU on the wrong branch: the gate is the projection that goes through
the activation, silu(x @ w_gate) * (x @ w_up). Swapping them gives a function of the same
shape and the same kind, so nothing crashes, but a checkpoint trained with the right wiring
(LLaMA's w1/w3) produces different outputs. Fix: apply SiLU to x @ w_gate only."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import SiLU


def swiglu(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    return (x @ w_gate) * SiLU.apply(x @ w_up)  # wrong branch
