"""update_bias adds a float32 step (sign of counts.float()) to the bias: a bfloat16 or float16
bias comes back as float32, and the model's buffer silently changes dtype.

Fix: cast the step to bias.dtype: bias + (gamma * sign(mean - counts)).to(bias.dtype).
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias, expert_counts, gamma):
    load = expert_counts.float()
    return bias + gamma * torch.sign(load.mean() - load)  # wrong: float32 promotes a half bias
