"""Weight decay applied to the step instead of the gradient: p -= lr·(b + weight_decay·p), with
the buffer built from the raw gradient. That is decoupled-style decay (as in AdamW), not
torch.optim.SGD's: torch adds weight_decay·p to the gradient first, so the decay also flows
through the momentum buffer."""

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
                g = p.grad
                if momentum != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    buf = g.clone() if old is None else momentum * old + (1 - dampening) * g
                    state["momentum_buffer"] = buf
                    g = g + momentum * buf if group["nesterov"] else buf
                p.add_(g + weight_decay * p, alpha=-lr)
        return None
