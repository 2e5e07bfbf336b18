"""Separate Adam and AdamW classes; the bias corrections are folded into a step size
(lr * sqrt(1 - b2**t) / (1 - b1**t)) and eps is rescaled to match, as in the Adam paper's
efficient form, written so it equals the plain formula; clip_grad_norm_ uses a Python loop
over norms accumulated in float64 and cast back."""

import math

import torch


def _moments(state, p, g, b1, b2):
    if "step" not in state:
        state["step"], state["m"], state["v"] = 0, torch.zeros_like(p), torch.zeros_like(p)
    state["step"] += 1
    state["m"].lerp_(g, 1 - b1)
    state["v"].mul_(b2).addcmul_(g, g, value=1 - b2)
    return state["step"], state["m"], state["v"]


def _apply(p, m, v, t, lr, b1, b2, eps):
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    denom = (v.sqrt() / math.sqrt(bc2)).add_(eps)
    p.addcdiv_(m, denom, value=-lr / bc1)


class Adam(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad.add(p, alpha=group["weight_decay"])
                t, m, v = _moments(self.state[p], p, g, b1, b2)
                _apply(p, m, v, t, group["lr"], b1, b2, group["eps"])
        return loss


class AdamW(torch.optim.Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.mul_(1 - group["lr"] * group["weight_decay"])
                t, m, v = _moments(self.state[p], p, p.grad, b1, b2)
                _apply(p, m, v, t, group["lr"], b1, b2, group["eps"])
        return loss


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    if norm_type == float("inf"):
        total = max(g.detach().abs().max().double() for g in grads)
    else:
        total = sum(g.detach().double().abs().pow(norm_type).sum() for g in grads) ** (1.0 / norm_type)
    coef = min(max_norm / (float(total) + 1e-6), 1.0)
    for g in grads:
        g.mul_(coef)
    return total.to(grads[0].dtype)


def cosine_schedule(step, max_lr, min_lr, warmup, total):
    if warmup > 0 and step < warmup:
        return max_lr * step / warmup
    if step >= total:
        return float(min_lr)
    return min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
