"""eps read as `eps or 1e-4`: an explicit eps=0.0 silently becomes 1e-4, which for groups with a
small spread (std 1e-3) changes the advantages by 10%.

Fix: use eps as passed.
"""

from solutions.deepseek import grpo as _sol
from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards, eps=1e-4):
    return _sol.group_advantages(rewards, eps or 1e-4)  # wrong: 0.0 is a value
