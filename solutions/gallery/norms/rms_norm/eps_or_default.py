"""eps=0.0 read as "not given": __init__ stores self.eps = eps or 1e-6, so an explicit
eps=0.0 silently becomes 1e-6. For inputs with a small mean square (~1e-8) the output is
then about ten times smaller than nn.RMSNorm(dim, eps=0.0)'s.

Fix: self.eps = eps."""

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _Ref


class RMSNorm(_Ref):
    def __init__(self, dim, eps=1e-6):
        super().__init__(dim, eps or 1e-6)
