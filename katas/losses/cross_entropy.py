"""Day 10 — losses/cross_entropy: cross-entropy with ignore_index and label smoothing.

Write:
    cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0)
        logits: (N, C) or (B, T, C) float32/float64, the class dim LAST (a language model's
            output). F.cross_entropy wants the class dim second, (B, C, T), instead: yours
            equals F.cross_entropy(logits.reshape(-1, C), target.reshape(-1), ...).
        target: (N,) or (B, T) int64 class indices in [0, C), or ignore_index (padding).
            ignore_index is any int, also one outside [0, C) such as a pad id C or -1: it
            is never looked up as a class.
        Per position, with log_p = log_softmax(logits) over the classes and eps =
        label_smoothing (the target distribution puts 1 - eps on the true class and eps / C
        on EVERY class, the true one included):
            loss = -(1 - eps) * log_p[target] - (eps / C) * sum_c log_p[c]
        and loss = 0 where target == ignore_index (exactly 0 whatever the logits hold
        there, NaN or -inf included: padding positions may carry garbage). With eps = 0 the
        second term is absent, not 0 * sum (0 * -inf is NaN): -inf logits on classes other
        than the target (a vocabulary mask) give a finite loss, as in F.cross_entropy; with
        eps > 0 they make that position's loss +inf, as torch's.
        reduction "none": the per-position losses, shape target.shape, dtype of logits;
            "sum": their sum (a 0-dim tensor); "mean": the sum divided by the number of
            positions whose target is NOT ignore_index (a 0-dim tensor). When every target is
            ignore_index (or there are no positions) that is 0 / 0 = NaN, like F.cross_entropy;
            "sum" is then 0. These (and an empty batch) are computed from the logits like
            any other batch, so backward through them runs: no fresh tensor as a special
            case. Any other reduction (another case such as "Sum", or None)
            raises ValueError naming it.
    cross_entropy_backward(logits, target) -> same shape and dtype as logits: the gradient
        of cross_entropy(logits, target) (mean over all N or B*T positions; no ignored
        targets, no smoothing) with respect to logits, by hand:
            (softmax(logits) - one_hot(target)) / number of positions.

Both results live on logits' device: make helper tensors (an arange, a one-hot) there.
Stable: logits of ±1e4 give finite losses and gradients equal to torch's. Take the log
inside the softmax (log_softmax = x - max - log(sum(exp(x - max)))), never log(softmax(x)).
You may reuse your own katas/losses/softmax.py (from katas.losses.softmax import ...).

Off limits: torch.nn.functional.cross_entropy, torch.nn.functional.nll_loss, nn.CrossEntropyLoss,
the softmax built-ins (torch.softmax, F.softmax, Tensor.softmax, torch.log_softmax,
F.log_softmax, Tensor.log_softmax, torch.logsumexp, Tensor.logsumexp), and autograd
(torch.autograd.grad, Tensor.backward) inside cross_entropy_backward.
Inputs must not be modified.
Run: pytest katas/losses/cross_entropy.py
"""

import torch


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy of (..., C) logits against (...) int64 targets, class dim last."""
    raise NotImplementedError


def cross_entropy_backward(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d cross_entropy(logits, target) / d logits, written by hand."""
    raise NotImplementedError
