"""Residual added before the norm in pre-norm: norm(x + sublayer(x)) puts the residual sum
inside the norm, which is the post-norm block (the original Transformer), not pre-norm. In
pre-norm (GPT-2, Llama) the norm sits on the sublayer's input only and the residual path
stays an untouched identity: x + sublayer(norm(x)). That clean identity path is why deep
pre-norm stacks train without warm-up tricks."""

from typing import Callable

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)


def pre_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
             norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    return norm(x + sublayer(x))
