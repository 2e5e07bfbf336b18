"""Per position, logsumexp(logits) - logits[target] (the log-softmax never materialised);
smoothing as logsumexp - mean(logits), the same as mean(-log_p); ignored positions zeroed
with torch.where on the keep mask (exact 0 even where the logits are NaN or -inf)."""

import torch


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    m = logits.amax(-1, keepdim=True)
    lse = (m + (logits - m).exp().sum(-1, keepdim=True).log()).squeeze(-1)
    keep = target != ignore_index
    safe = torch.where(keep, target, 0)
    nll = lse - logits.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    loss = (1 - label_smoothing) * nll
    if label_smoothing:  # only then: 0 * (lse - mean of logits with a -inf) would be NaN
        loss = loss + label_smoothing * (lse - logits.mean(-1))
    loss = torch.where(keep, loss, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / keep.sum()
    raise ValueError(f"unknown reduction {reduction!r}")


def cross_entropy_backward(logits, target):
    m = logits.amax(-1, keepdim=True)
    lse = m + (logits - m).exp().sum(-1, keepdim=True).log()
    probs = (logits - lse).exp()
    one_hot = torch.zeros_like(logits).scatter_(-1, target.unsqueeze(-1), 1.0)
    return (probs - one_hot) / target.numel()
