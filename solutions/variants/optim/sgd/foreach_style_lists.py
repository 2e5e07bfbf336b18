"""Collects each group's tensors into lists first, then updates with torch._foreach-free list loops and lerp-free arithmetic; buffer key 'buf'."""

import torch


class SGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _group_step(self, group):
        params = [p for p in group["params"] if p.grad is not None]
        grads = [p.grad.add(p, alpha=group["weight_decay"]) if group["weight_decay"] else p.grad
                 for p in params]
        if group["momentum"]:
            new_grads = []
            for p, g in zip(params, grads):
                st = self.state[p]
                if "buf" in st:
                    st["buf"].mul_(group["momentum"]).add_(g, alpha=1.0 - group["dampening"])
                else:
                    st["buf"] = torch.clone(g).detach()
                b = st["buf"]
                new_grads.append(g.add(b, alpha=group["momentum"]) if group["nesterov"] else b)
            grads = new_grads
        for p, g in zip(params, grads):
            p.sub_(g * group["lr"])

    def step(self, closure=None):
        result = None
        if closure is not None:
            with torch.enable_grad():
                result = closure()
        with torch.no_grad():
            for group in self.param_groups:
                self._group_step(group)
        return result
