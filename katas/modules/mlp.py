"""Day 5 — modules/mlp: an MLP module and parameter counting.

Write:
    MLP(d_in, d_hidden, d_out) -> an nn.Module computing fc2(relu(fc1(x))):
        fc1 is a Linear layer d_in -> d_hidden, fc2 a Linear layer d_hidden -> d_out, both
        with a bias and initialised like nn.Linear (which does it for you): every weight and
        bias drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = the layer's input size,
        with torch's global generator (not zeros, which never break the symmetry between
        hidden units, nor torch.randn, whose std of 1 blows up the activations). The
        activation between them is ReLU, with torch's derivative 0 at exactly 0
        (F.relu, nn.ReLU or torch.where(h > 0, h, 0) all do; clamp(min=0) passes gradient 1 and
        torch.maximum(h, 0) passes 1/2 there). The parameters are made like nn.Linear's, in
        torch's default dtype (float64 under torch.set_default_dtype(torch.float64), where a
        float64 x must work without .to()). Its state_dict has exactly the
        keys "fc1.weight" (d_hidden, d_in), "fc1.bias" (d_hidden,), "fc2.weight"
        (d_out, d_hidden), "fc2.bias" (d_out,), laid out like nn.Linear's (weight is
        (out, in)), so a state_dict saved from nn.Linear layers loads into it.
        forward(x): x (..., d_in) float -> (..., d_out), same dtype; any number of leading
        batch dims, of any size (0 included). It runs where x and the parameters are (a model
        moved with .to(device) computes there: no helper tensor made on the CPU).
    count_parameters(module) -> int: the number of scalar parameters of `module` itself and
        of all its sub-modules (a module may hold parameters of its own beside its children,
        and a parameter may be 0-d), frozen ones (requires_grad=False) included. A parameter
        shared by two sub-modules (tied weights) is one parameter: count it once. Buffers
        (e.g. BatchNorm's running_mean) are not parameters. Must work on the meta device (no
        data needed, only shapes).
    mlp_param_count(d_in, d_hidden, d_out, bias=True) -> int: the number of parameters of a
        Linear(d_in, d_hidden) -> Linear(d_hidden, d_out) pair, by a closed-form formula
        (no module built, no memory used); bias=False leaves out both biases. bias is read as
        a truth value: 0 counts as False and 1 as True.

Off limits: none (nn.Linear, nn.ReLU and F.relu are fine to use).
Inputs must not be modified.
Tip: `with torch.device("meta"): m = MLP(4096, 16384, 4096)` builds a model with shapes
but no storage: handy for counting the parameters of models too big for your memory.
Run: pytest katas/modules/mlp.py
"""

import torch
from torch import nn


class MLP(nn.Module):
    """fc2(relu(fc1(x))) with state_dict keys fc1.weight, fc1.bias, fc2.weight, fc2.bias."""

    def __init__(self, d_in: int, d_hidden: int, d_out: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_in) -> (..., d_out)."""
        raise NotImplementedError


def count_parameters(module: nn.Module) -> int:
    """Scalar parameters of module, a shared (tied) parameter counted once."""
    raise NotImplementedError


def mlp_param_count(d_in: int, d_hidden: int, d_out: int, bias: bool = True) -> int:
    """Closed-form parameter count of Linear(d_in, d_hidden) -> Linear(d_hidden, d_out)."""
    raise NotImplementedError
