"""torch.arange(S) without device=: the positions live on the CPU while lengths may be on a
GPU, so `arange(S) < lengths[:, None]` raises (or the mask ends up on the wrong device) as
soon as the model runs anywhere but the CPU. The contract says: same device as lengths.

Fix: torch.arange(S, device=lengths.device) < lengths[:, None].
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    return torch.arange(S) < lengths[:, None]  # wrong: arange on the default device
