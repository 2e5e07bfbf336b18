"""The group std from moments: sqrt((mean(r^2) - mean(r)^2) * G / (G - 1)). Algebraically the
unbiased std, but for rewards far from 0 (a reward model's raw scores near 1e4, in float32) the
two big terms cancel and the variance is rounding noise (even negative -> NaN).

Fix: rewards.std(dim=-1, keepdim=True) (or the mean of the squared deviations (r - mean)^2).
"""

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards, eps=1e-4):
    G = rewards.shape[-1]
    mean = rewards.mean(-1, keepdim=True)
    var = ((rewards ** 2).mean(-1, keepdim=True) - mean ** 2) * G / (G - 1)  # wrong: cancels
    return (rewards - mean) / (var.clamp_min(0).sqrt() + eps)
