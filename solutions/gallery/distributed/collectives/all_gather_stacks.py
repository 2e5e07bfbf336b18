"""ring_all_gather returns the blocks stacked, shape (W, *shape), instead of concatenated
along dim 0, shape (W * shape[0], *shape[1:]).

Fix: view the (W, *shape) buffer as (W * shape[0], *shape[1:])."""

import solutions.distributed.collectives as reference
from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def ring_all_gather(tensor):
    out = reference.ring_all_gather(tensor)
    block = tensor.reshape(1) if tensor.dim() == 0 else tensor
    return out.view(-1, *block.shape)
