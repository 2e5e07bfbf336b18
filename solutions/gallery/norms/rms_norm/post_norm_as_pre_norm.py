"""post_norm wired like pre-norm: x + sublayer(norm(x)) is the pre-norm block. Post-norm (the
original Transformer, BERT) adds first and normalises the sum: norm(x + sublayer(x)), so
the block's output is always normalised and the sublayer sees the raw x."""

from typing import Callable

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)


def post_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
              norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    return x + sublayer(norm(x))
