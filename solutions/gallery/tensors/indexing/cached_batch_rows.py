"""gather_rows slices its batch-row index from one arange made at import (4096 rows): torch
moves CPU indices to the input's device, so every device check passes, but a batch longer
than the table gets too few rows and fails (B has no upper limit).

Fix: rows = torch.arange(B, device=x.device)[:, None] on every call.
"""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)

_ROWS = torch.arange(4096)


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return x[_ROWS[:x.shape[0], None], idx]
