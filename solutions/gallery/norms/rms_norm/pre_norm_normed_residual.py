"""Residual taken after the norm in pre-norm: h = norm(x); return h + sublayer(h) adds the
NORMALISED x to the sublayer's output, so the residual stream is re-normalised at every
layer and the identity path that makes deep pre-norm stacks train well is lost. Pre-norm
normalises only the sublayer's input: x + sublayer(norm(x))."""

from typing import Callable

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)


def pre_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
             norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    h = norm(x)
    return h + sublayer(h)
