"""Day 3 — autograd/basics: gradients, Jacobians, .grad accumulation, no_grad.

Write:
    grad_of(f, x) -> tensor shaped like x, with x's dtype and device (no conversion, also for
        float16/bfloat16): df/dx, where f maps a tensor shaped like x to a scalar (0-d)
        tensor. Use torch.autograd.grad. x is a floating tensor of any shape
        (0-d included); it may or may not require grad, and may be a leaf or the result of
        other ops. Leave x alone: its values and its .grad (whatever it holds) must not
        change. The result is plain values: it does not require grad.
    jacobian(f, x) -> tensor of shape f(x).shape + x.shape, dtype and device of x (also when
        f computes in another dtype, e.g. x float32 and f(x) float64), equal to
        torch.autograd.functional.jacobian(f, x): entry [i..., j...] is d f(x)[i...] / d x[j...]
        as autograd computes it (a stop-gradient such as x.detach() inside f counts as a
        constant, the derivative of relu at 0 is 0: no finite differences). f maps a tensor
        shaped like x to a tensor of any shape (0-d included) that depends on x. Either may
        have 0 elements (x of shape (0,), or f(x) of shape (0, 3)): the Jacobian then has 0
        elements and still the shape f(x).shape + x.shape. Same rules as grad_of: x need not
        require grad, x and x.grad are left alone, the result does not require grad.
    accumulated_grad(f, x, times) -> tensor shaped like x: the .grad that x holds after
        calling .backward() `times` times (times >= 1) on ONE graph: call f(x) exactly once,
        giving a scalar y, then backward through that same y `times` times. x is a leaf with
        requires_grad=True whose .grad is None when you get it (you may leave the result in
        x.grad). Since .grad adds up, the answer is times * df/dx.
    grad_of, jacobian and accumulated_grad work the same when called with grad mode off
        (inside torch.no_grad(), as in an evaluation loop): turn it on around f with
        torch.enable_grad(); the caller's grad mode is as before when they return.
    no_grad_eval(model, x) -> model(x) computed in evaluation mode without building a graph:
        while model runs, grad mode is off (torch.no_grad() or torch.inference_mode()) and the
        model is in eval mode (dropout off, batch norm uses and keeps its running stats). The
        output does not require grad and has no grad_fn, even when x requires grad (one
        exception: when the model returns x itself, as nn.Identity does, x may come back as
        it is, detached or not). Afterwards model.training is what it was before the call
        (train stays train, eval stays eval,
        for model and every submodule; model.train(was_training) is enough: submodules that
        were in a mode other than model's may come back in model's mode), also when model(x)
        raises (the error propagates unchanged), and so is the caller's grad mode: called
        inside torch.no_grad(), grad mode is still off when it returns.

Off limits: torch.autograd.functional.jacobian, torch.func.jacrev, torch.func.jacfwd,
    torch.func.vmap / torch.vmap, and torch.autograd.grad(..., is_grads_batched=True) (it runs
    vmap) in jacobian: build it from one gradient per output element; torch.func.grad in
    grad_of.
Inputs must not be modified (values, or .grad except in accumulated_grad).
Run: pytest katas/autograd/basics.py
"""

from typing import Callable

import torch
from torch import nn


def grad_of(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """df/dx for a scalar-valued f, without touching x.grad."""
    raise NotImplementedError


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The Jacobian of f at x, shaped f(x).shape + x.shape."""
    raise NotImplementedError


def accumulated_grad(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     times: int) -> torch.Tensor:
    """x's .grad after `times` backward calls through one graph of f(x)."""
    raise NotImplementedError


def no_grad_eval(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """model(x) in eval mode with no graph; model.training restored afterwards."""
    raise NotImplementedError
