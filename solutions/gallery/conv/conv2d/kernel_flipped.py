"""Kernel flipped: the textbook convolution flips the kernel (w[..., ::-1, ::-1]) before
sliding it, but F.conv2d — like every deep-learning "convolution" — is a cross-correlation:
the kernel is applied as stored. Learned weights do not care, loaded ones do: a state_dict
from nn.Conv2d would give different outputs. Do not flip."""

import torch

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import conv2d as _correct_conv2d


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride=1, padding=0, dilation=1, groups: int = 1) -> torch.Tensor:
    return _correct_conv2d(x, w.flip(-2, -1), b, stride, padding, dilation, groups)
