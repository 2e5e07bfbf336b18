"""Makes the array contiguous before sharing: np.ascontiguousarray copies a transposed or
sliced array, so the tensor no longer sees writes to `a`.

Fix: torch.from_numpy(a) shares strided arrays as they are.
"""

import numpy as np
import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)


def share_numpy(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a))
