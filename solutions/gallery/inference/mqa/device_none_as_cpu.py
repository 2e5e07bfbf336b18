"""Reads device=None as the CPU (device=device or "cpu"): None means the default device, so
under torch.set_default_device("cuda") (or a `with torch.device(...)` block) the cache still
lands in host memory and the first update mixes devices.

Fix: pass device=device to torch.zeros as it is; None lets torch use the default device."""

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MQACache as _Correct


class MQACache(_Correct):
    def __init__(self, batch, max_len, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, max_len, head_dim, dtype=dtype, device=device or "cpu")  # wrong
