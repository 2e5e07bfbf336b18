"""An empty-input shortcut in padding_mask (B = 0 or S = 0: nothing to compare) that returns
torch.zeros(B, S, dtype=torch.bool) without device=: the shape and dtype are right, but the
empty mask lands on the CPU while lengths may be on a GPU. The contract says: same device as
lengths, whatever B and S are.

Fix: device=lengths.device, or no shortcut (arange(S) < lengths[:, None] is empty by itself).
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import padding_mask as _correct


def padding_mask(lengths, S):
    if lengths.numel() == 0 or S == 0:
        return torch.zeros(lengths.shape[0], S, dtype=torch.bool)  # wrong: on the CPU
    return _correct(lengths, S)
