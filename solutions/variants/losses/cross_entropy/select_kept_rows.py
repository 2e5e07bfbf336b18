"""Boolean-selects the kept positions, averages with .mean(), scatters back for 'none'; float64 inside the backward."""

import torch


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    c = logits.shape[-1]
    flat, tgt = logits.reshape(-1, c), target.reshape(-1)
    keep = tgt != ignore_index
    rows, t = flat[keep], tgt[keep]
    shifted = rows - rows.max(dim=-1, keepdim=True).values
    log_p = shifted - torch.log(torch.exp(shifted).sum(-1, keepdim=True))
    nll = -torch.gather(log_p, 1, t[:, None])[:, 0]
    kept_loss = nll * (1 - label_smoothing)
    if label_smoothing:  # only then: 0 * a -inf log-probability would be NaN
        kept_loss = kept_loss - log_p.sum(-1) * (label_smoothing / c)
    if reduction == "mean":
        return kept_loss.mean()
    if reduction == "sum":
        return kept_loss.sum()
    if reduction == "none":
        full = torch.zeros(tgt.shape, dtype=logits.dtype, device=logits.device)
        full = full.masked_scatter(keep, kept_loss)
        return full.reshape(target.shape)
    raise ValueError(f"unsupported reduction {reduction!r}")


def cross_entropy_backward(logits, target):
    x = logits.to(torch.float64)
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    p = e / e.sum(-1, keepdim=True)
    p = p - (torch.arange(x.shape[-1], device=x.device) == target[..., None]).to(p.dtype)
    return (p / target.numel()).to(logits.dtype)
