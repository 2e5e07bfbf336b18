"""SGD that calls the closure (with gradients enabled) but returns None instead of its result:
a training loop that logs `loss = opt.step(closure)` gets None.

Fix: return the closure's result (None only when there is no closure).
"""

import torch

from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.sgd import SGD as _Correct


class SGD(_Correct):
    @torch.no_grad()
    def step(self, closure=None):
        super().step(closure)
        return None
