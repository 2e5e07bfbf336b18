"""SGD that keeps each momentum buffer under self.state[id(p)] instead of self.state[p]: it
trains right and even survives a state_dict round trip into the same parameters, but
state_dict() can only map tensor keys to positions, so the checkpoint holds raw ids. Loaded
into a new model (resuming a run), no parameter finds its buffer and momentum restarts from
scratch.

Fix: self.state[p] (parameters hash by identity; the Optimizer base class maps them to
indices when saving and back when loading).
"""

from typing import Any, Callable

import torch

from solutions.optim import sgd as _ref
from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)


class SGD(_ref.SGD):
    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                if group["momentum"] != 0:
                    state = self.state[id(p)]
                    if "momentum_buffer" not in state:
                        buf = g.clone()
                    else:
                        buf = group["momentum"] * state["momentum_buffer"] + (1 - group["dampening"]) * g
                    state["momentum_buffer"] = buf
                    g = g + group["momentum"] * buf if group["nesterov"] else buf
                p.add_(g, alpha=-group["lr"])
        return loss
