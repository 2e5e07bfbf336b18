"""Day 11 — optim/sgd: SGD with momentum, dampening, weight decay and Nesterov.

Write:
    SGD(params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False)
        a subclass of torch.optim.Optimizer that updates the parameters exactly like
        torch.optim.SGD (step for step, over many steps). `params` is an iterable of tensors
        or of param-group dicts ({"params": [...], "lr": 0.01, ...}); options missing from a
        group come from the constructor's arguments (pass them to Optimizer.__init__ as
        `defaults` and it does this for you, and fills self.param_groups).

    step(closure=None) updates, in place and under torch.no_grad(), every parameter p of every
    group whose p.grad is not None (parameters without a gradient are skipped), with that
    group's options:
        g = p.grad + weight_decay * p                     (L2 penalty folded into the gradient)
        if momentum != 0:
            b = g                                          on the first step (a copy of g, NOT
                                                           zeros: the first step is not damped)
            b = momentum * b + (1 - dampening) * g         on every later step
            g = g + momentum * b    if nesterov            (look ahead along the new buffer)
            g = b                   otherwise
        p = p - lr * g
    Keep the momentum buffer b of each parameter in self.state[p] (a dict, keyed by the
    parameter itself, not id(p)), so that state_dict() / load_state_dict() save and restore
    it, also into a new model's parameters when a run resumes from a checkpoint. If closure is given, call it (with
    gradients enabled) before updating and return its result; otherwise return None.

    Shapes and dtypes: parameters of any shape (0-d included) and floating dtype; every update
    keeps the parameter's shape, dtype and identity (update p in place, e.g. p.add_(...)).
    The momentum buffer has the parameter's shape and dtype, on the parameter's device.

Off limits: inside step, torch.optim.SGD (also as a base class), torch.optim's functional sgd
(torch.optim.sgd.sgd, torch.optim._functional.sgd, its _single_tensor/_multi_tensor/_fused
helpers) and the fused aten op _fused_sgd_. Subclass torch.optim.Optimizer itself.
Inputs: p.grad must be left untouched (compute g as a new tensor, never p.grad.add_(...)).
Run: pytest katas/optim/sgd.py
"""

from typing import Any, Callable, Iterable

import torch


class SGD(torch.optim.Optimizer):
    """Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        raise NotImplementedError

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure() or None."""
        raise NotImplementedError
