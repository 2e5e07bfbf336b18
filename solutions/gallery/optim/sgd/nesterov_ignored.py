"""nesterov=True accepted but never read: the step is plain heavy-ball momentum (p -= lr·b).
Nesterov steps along g + momentum·b, i.e. it adds the gradient once more on top of the
(updated) buffer — a look-ahead to where momentum is about to carry the parameter."""

from typing import Any, Callable

import torch

from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.sgd import SGD as _CorrectSGD


class SGD(_CorrectSGD):
    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + weight_decay * p
                if momentum != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    g = g.clone() if old is None else momentum * old + (1 - dampening) * g
                    state["momentum_buffer"] = g
                p.add_(g, alpha=-lr)
        return None
