"""Adam given AdamW's decoupled decay: torch.optim.Adam's weight_decay is the classic L2
penalty, added to the gradient (g + weight_decay·p) so that it flows through m and v. Only
AdamW decays the parameter directly. Same word, two different algorithms."""

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.adam import Adam as _CorrectAdam


class Adam(_CorrectAdam):
    decoupled = True  # the mistake: Adam must use the L2 path
