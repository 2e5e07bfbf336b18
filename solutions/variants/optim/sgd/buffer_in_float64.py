"""Keeps the momentum buffer in float64 whatever the parameter dtype, casting the step back; defaults via a dict literal and getattr-free group reads."""

import torch


class SGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            mu, damp, wd = group["momentum"], group["dampening"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.to(torch.float64) + wd * p.to(torch.float64)
                if mu != 0:
                    state = self.state[p]
                    prev = state.get("velocity")
                    vel = g.clone() if prev is None else mu * prev + (1 - damp) * g
                    state["velocity"] = vel
                    g = g + mu * vel if group["nesterov"] else vel
                p.copy_((p.to(torch.float64) - group["lr"] * g).to(p.dtype))
        return loss
