"""post_norm runs the sublayer twice: the residual sum is computed into a variable and then
recomputed inside the norm call, norm(x + sublayer(x)), so the sublayer runs twice. For a
deterministic sublayer that only wastes work; with dropout (any stochastic sublayer) the
returned value no longer matches one forward pass, and every call costs double.

Fix: h = x + sublayer(x); return norm(h)."""

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)


def post_norm(x, sublayer, norm):
    h = x + sublayer(x)
    assert h.shape == x.shape, "the sublayer must keep the shape"
    return norm(x + sublayer(x))
