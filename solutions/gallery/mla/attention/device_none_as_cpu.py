"""MLACache reads device=None as the CPU (device=device or "cpu"): None means the default
device, so under torch.set_default_device("cuda") the latent cache still lands in host memory
and the first update mixes devices.

Fix: pass device=device to torch.zeros as it is; None lets torch use the default device.
"""

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Correct


class MLACache(_Correct):
    def __init__(self, config, batch_size, max_len, dtype=torch.float32, device=None):
        super().__init__(config, batch_size, max_len, dtype=dtype, device=device or "cpu")  # wrong
