"""Adds compute time and memory time: flops / peak + bytes / bandwidth. Under the roofline
model the two overlap (the GPU streams the next operands while the tensor cores work), so the
sum can be off by up to 2x, exactly when the step is balanced near the ridge point.

Fix: a step takes as long as the slower of the two: max(flops / peak_flops, bytes / bandwidth)."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def roofline_time(flops, bytes, peak_flops, bandwidth):
    return flops / peak_flops + bytes / bandwidth
