"""The reference frozen with reference.requires_grad_(False) inside grpo_train: the reference
belongs to the caller, and its parameters come back with requires_grad off (a caller who later
fine-tunes or compares it finds it silently frozen). torch.no_grad() already builds no graph.

Fix: only read the reference, under torch.no_grad(); change none of its flags.
"""

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.grpo_train import grpo_train as _correct


def grpo_train(policy, reference, optimizer, task, **kwargs):
    reference.requires_grad_(False)  # wrong: changes the caller's model
    return _correct(policy, reference, optimizer, task, **kwargs)
