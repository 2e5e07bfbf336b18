"""Adam / AdamW that create t, m and v for every parameter in __init__, whether or not it
ever gets a gradient: the updates are right, but a parameter whose .grad stays None (a frozen
backbone while fine-tuning, an unused embedding) still gets two moment tensors of its size,
doubling the memory of the frozen part for nothing, and it shows up in state_dict(). The
contract skips such parameters entirely.

Fix: create a parameter's state lazily in step, the first time its .grad is not None
(if not state: state["step"] = 0; state["exp_avg"] = torch.zeros_like(p); ...).
"""

import torch

from solutions.optim import adam as _ref
from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


class Adam(_ref.Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas, eps, weight_decay)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {"step": 0, "exp_avg": torch.zeros_like(p),
                                 "exp_avg_sq": torch.zeros_like(p)}


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay)
