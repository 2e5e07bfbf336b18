"""One Optimizer subclass with a `decoupled` constructor flag; the update is written out-of-place
(new m, v tensors stored back in state) and applied with p.sub_; clip_grad_norm_ concatenates
the flattened gradients and takes one norm; cosine_schedule uses a progress fraction clamp."""

import math

import torch


class _Adam(torch.optim.Optimizer):
    def __init__(self, params, lr, betas, eps, weight_decay, decoupled):
        self._decoupled = decoupled
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self, closure=None):
        result = None
        if closure is not None:
            with torch.enable_grad():
                result = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in (q for q in group["params"] if q.grad is not None):
                state = self.state[p]
                t = state.get("t", 0) + 1
                m = state.get("m", torch.zeros_like(p))
                v = state.get("v", torch.zeros_like(p))
                g = p.grad
                if self._decoupled:
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                else:
                    g = g + group["weight_decay"] * p
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                state.update(t=t, m=m, v=v)
                update = (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + group["eps"])
                p.sub_(group["lr"] * update)
        return result


class Adam(_Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=False)


class AdamW(_Adam):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    params = [parameters] if torch.is_tensor(parameters) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    flat = torch.cat([g.reshape(-1) for g in grads])
    total = flat.abs().max() if math.isinf(norm_type) else torch.linalg.vector_norm(flat, norm_type)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total


def cosine_schedule(step, max_lr, min_lr, warmup, total):
    if step < warmup:
        return max_lr * step / warmup
    progress = min((step - warmup) / (total - warmup), 1.0)
    return float(min_lr + (max_lr - min_lr) * 0.5 * (1.0 + math.cos(math.pi * progress)))
