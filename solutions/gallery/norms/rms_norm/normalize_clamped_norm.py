"""RMSNorm written with F.normalize's idea: x / rms.clamp_min(1e-12), a hidden floor on the rms
"against division by zero". eps=0.0 is then not used as given: for x ~ 1e-15 (rms ~1e-15, a
normal float32) the floor dominates and the output is about 1000 times smaller than
nn.RMSNorm(dim, eps=0.0)'s.

Fix: divide by sqrt(mean(x^2) + eps) and add nothing else."""

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _Ref


class RMSNorm(_Ref):
    def forward(self, x):
        rms = (x.pow(2).mean(dim=-1, keepdim=True) + self.eps).sqrt()
        return x / rms.clamp_min(1e-12) * self.weight
