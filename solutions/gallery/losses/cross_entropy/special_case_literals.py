"""cross_entropy that special-cases the degenerate batches with literals: "mean" over a batch
whose targets are all ignore_index returns torch.tensor(float("nan")), and "sum" over an
empty batch torch.tensor(0.0). Those literals are float32 on the CPU: float64 logits get a
float32 loss (and logits on a GPU a CPU one), where every result has the logits' dtype and
device.

Fix: no special case (loss.sum() / keep.sum() is already NaN for a zero count, and the sum
of nothing is 0); logits.new_tensor(float("nan")) would fix dtype and device but cut the graph.
"""

import torch

from solutions.losses import cross_entropy as _ref
from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    if reduction == "mean" and not bool((target != ignore_index).any()):
        return torch.tensor(float("nan"))
    if reduction == "sum" and target.numel() == 0:
        return torch.tensor(0.0)
    return _ref.cross_entropy(logits, target, ignore_index, reduction, label_smoothing)
