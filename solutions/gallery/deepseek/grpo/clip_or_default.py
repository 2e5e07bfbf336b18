"""clip_eps read as `clip_eps or 0.2`: clip_eps=0.0 (the ratio clipped to exactly 1, a
legitimate extreme) silently becomes 0.2.

Fix: use clip_eps as passed.
"""

from solutions.deepseek import grpo as _sol
from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    return _sol.grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps or 0.2, beta)  # wrong
