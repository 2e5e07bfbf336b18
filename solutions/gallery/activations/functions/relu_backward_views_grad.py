"""Flattening grad_output with .view: the backward reshapes the incoming gradient with
g.view(-1) to apply the mask on a flat vector. That works while every gradient arrives
contiguous, and raises "view size is not compatible with input tensor's size and stride" as
soon as the ReLU sits behind a transpose or a permute in a real model, where autograd hands
it a strided gradient.

Fix: apply the mask in the gradient's own shape (grad_output * (x > 0)), or use .reshape."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        flat = grad_output.view(-1) * (x.reshape(-1) > 0)
        return flat.view(grad_output.shape)
