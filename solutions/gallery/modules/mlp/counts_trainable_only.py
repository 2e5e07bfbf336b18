"""count_parameters filters on p.requires_grad (the popular "count trainable parameters"
snippet): a frozen layer disappears from the count, although its parameters are still
parameters of the module (they are saved, loaded and moved with it).

Fix: sum p.numel() over every parameter, whatever its requires_grad."""

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
