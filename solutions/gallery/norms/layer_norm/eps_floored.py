"""A hidden floor on eps "against division by zero": __init__ stores max(eps, 1e-12), so
eps=0.0 is not used as given. Invisible at ordinary variances, but for samples with std ~1e-10
(variance ~1e-20, a normal float32) the floor dominates and the output is about 1e4 times
smaller than nn.LayerNorm(…, eps=0.0)'s.

Fix: self.eps = eps, exactly as given."""

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref


class LayerNorm(_Ref):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
        super().__init__(normalized_shape, max(eps, 1e-12), elementwise_affine, bias)
