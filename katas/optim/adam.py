"""Day 11 — optim/adam: Adam, AdamW, gradient clipping and a cosine learning-rate schedule.

Write:
    Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
        subclasses of torch.optim.Optimizer that update the parameters exactly like
        torch.optim.Adam / torch.optim.AdamW (step for step, over many steps). `params` is an
        iterable of tensors or of param-group dicts; options missing from a group come from the
        constructor's arguments (pass them to Optimizer.__init__ as `defaults`).
        step(closure=None) updates, in place and under torch.no_grad(), every parameter p whose
        p.grad is not None, an all-zero gradient included (others are skipped: no update, and
        no state is created for them),
        with its group's options (b1, b2 = betas):
            t = t + 1                                  (t counts this parameter's steps, from 0)
            g = p.grad
            Adam:  g = g + weight_decay * p            (L2 penalty folded into the gradient)
            AdamW: p = p * (1 - lr * weight_decay)     (decoupled decay of the parameter before
                                                        this step's update; g is left alone)
            m = b1 * m + (1 - b1) * g                  (m and v start at zeros)
            v = b2 * v + (1 - b2) * g * g
            m_hat = m / (1 - b1 ** t)                  (bias corrections)
            v_hat = v / (1 - b2 ** t)
            p = p - lr * m_hat / (sqrt(v_hat) + eps)   (eps outside the square root)
        m and v have the parameter's shape and dtype (float16 / bfloat16 parameters keep
        float16 / bfloat16 moments, like torch), on the parameter's device. Keep t, m and v
        of each parameter in self.state[p] (a dict, keyed by the parameter itself, not id(p)),
        so that state_dict() / load_state_dict() save and restore them, also into a new
        model's parameters when a run resumes from a checkpoint. If closure is given, call it (with gradients
        enabled) before updating and return its result; otherwise return None.
        p.grad must be left untouched (compute g as a new tensor).

    clip_grad_norm_(parameters, max_norm, norm_type=2.0) -> 0-d tensor
        like torch.nn.utils.clip_grad_norm_. `parameters` is one tensor or an iterable of
        tensors (it may be a generator: iterate it once); those whose .grad is None are
        ignored. The total norm is the norm_type-norm of all gradients taken together as one
        vector (norm_type is a float >= 1 or float("inf") for the largest |value|). Every
        gradient is then multiplied in place by
            clip_coef = min(max_norm / (total_norm + 1e-6), 1.0)
        always, with no `if total_norm > max_norm` test (so nothing changes when the total
        norm is well under max_norm; at max_norm, or within 1e-6 under it, clip_coef < 1 and
        the gradients shrink, like torch). Returns the total norm
        from BEFORE clipping, a 0-d tensor of the gradients' dtype and device; when no
        parameter has a gradient it returns torch.tensor(0.0) and changes nothing.

    cosine_schedule(step, max_lr, min_lr, warmup, total) -> float
        linear warmup, then cosine decay to min_lr (nanoGPT's get_lr with a warmup that
        starts at 0), for integers 0 <= warmup < total and step >= 0:
            step < warmup:           max_lr * step / warmup
            warmup <= step <= total: min_lr + 0.5 * (max_lr - min_lr)
                                            * (1 + cos(pi * (step - warmup) / (total - warmup)))
            step > total:            min_lr
        so it is 0 at step 0 (when warmup > 0), max_lr at step == warmup, halfway between
        max_lr and min_lr in the middle of the decay, and min_lr from step == total on.
        The result is a Python float, also when max_lr or min_lr is given as an int (min_lr=0).

Off limits: inside step, torch.optim.Adam / AdamW (also as base classes) and torch.optim's
functional adam/adamw (torch.optim.adam.adam, torch.optim.adamw.adamw,
torch.optim._functional.*, their _single_tensor/_multi_tensor/_fused helpers) and the fused
aten ops _fused_adam_/_fused_adamw_; in clip_grad_norm_, torch.nn.utils.clip_grad_norm_
(and clip_grad_norm, get_total_norm, clip_grads_with_norm_). cosine_schedule: none.
Run: pytest katas/optim/adam.py
"""

from typing import Any, Callable, Iterable

import torch


class Adam(torch.optim.Optimizer):
    """Adam with L2 weight decay folded into the gradient, like torch.optim.Adam."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adam update of every parameter that has a gradient; returns closure() or None."""
        raise NotImplementedError


class AdamW(torch.optim.Optimizer):
    """Adam with decoupled weight decay, like torch.optim.AdamW."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One AdamW update of every parameter that has a gradient; returns closure() or None."""
        raise NotImplementedError


def clip_grad_norm_(parameters: torch.Tensor | Iterable[torch.Tensor], max_norm: float,
                    norm_type: float = 2.0) -> torch.Tensor:
    """Scale all gradients in place so their total norm is at most max_norm; returns the norm."""
    raise NotImplementedError


def cosine_schedule(step: int, max_lr: float, min_lr: float, warmup: int, total: int) -> float:
    """Learning rate at `step`: linear warmup from 0 to max_lr, then cosine decay to min_lr."""
    raise NotImplementedError
