"""Positions rebuilt from the first one: `arange(positions[0], positions[0] + T)` (DeepSeek's
freqs_cis[start_pos:start_pos + T]) is right only when the tokens are consecutive; the contract
gives each token its own position, and any other positions (a packed batch, a gap) turn by the
wrong angles.

Fix: rotate by `positions` itself.
"""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct


def _as_range(positions, T):
    start = int(positions.reshape(-1)[0]) if positions.numel() else 0
    return torch.arange(start, start + T, device=positions.device)  # wrong: assumes consecutive


class MLAProjections(_Correct):
    def queries(self, x, positions):
        return super().queries(x, _as_range(positions, x.shape[1]))

    def latent(self, x, positions):
        return super().latent(x, _as_range(positions, x.shape[1]))
