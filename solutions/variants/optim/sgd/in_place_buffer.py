"""Torch-style in-place buffer (detached clone on the first step, then mul_/add_ on it), weight decay always folded in via torch.add(alpha=), no_grad as a with-block."""

import torch


class SGD(torch.optim.Optimizer):
    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        with torch.no_grad():
            for group in self.param_groups:
                for p in (q for q in group["params"] if q.grad is not None):
                    d_p = torch.add(p.grad, p, alpha=group["weight_decay"])
                    if group["momentum"]:
                        st = self.state[p]
                        b = st.get("momentum_buffer")
                        if b is None:
                            b = st["momentum_buffer"] = torch.clone(d_p).detach()
                        else:
                            b.mul_(group["momentum"]).add_(d_p, alpha=1 - group["dampening"])
                        d_p = d_p.add(b, alpha=group["momentum"]) if group["nesterov"] else b
                    p.sub_(group["lr"] * d_p)
        return loss
