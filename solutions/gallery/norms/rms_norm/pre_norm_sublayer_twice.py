"""pre_norm checks the sublayer's output shape with an extra call: it runs
sublayer(norm(x)) once to validate the shape and once more for the result. With a
stochastic sublayer (dropout) the result is not that of a single forward pass, and norm and
sublayer each run twice.

Fix: out = sublayer(norm(x)); check out if you like; return x + out."""

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)


def pre_norm(x, sublayer, norm):
    if sublayer(norm(x)).shape != x.shape:
        raise ValueError("the sublayer must keep the shape")
    return x + sublayer(norm(x))
