"""low_rank_factorize returns the list [A, B], not the tuple (A, B) that the contract names
(unpacking works, but a caller testing isinstance(..., tuple) or hashing it does not)."""

import torch

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import low_rank_factorize as _correct


def low_rank_factorize(W: torch.Tensor, rank: int) -> list[torch.Tensor]:
    A, B = _correct(W, rank)
    return [A, B]  # wrong: a list
