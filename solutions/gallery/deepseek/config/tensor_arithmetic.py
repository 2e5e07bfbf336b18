"""The count done with tensors: torch.tensor(sizes).prod() per block, summed and turned back with
.item(). The result is an int, but the contract says arithmetic only (allocate no tensor): the
count must also work where tensors cost (a meta-only process, a config sweep of thousands).

Fix: multiply the config's ints in Python.
"""

import torch

from solutions.deepseek import config as _sol
from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(config):
    total, activated = _sol.count_parameters(config)
    return int(torch.tensor(total).item()), int((torch.tensor(activated) * 1).item())  # wrong
