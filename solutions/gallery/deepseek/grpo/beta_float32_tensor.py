"""beta kept as a float32 tensor, torch.tensor(beta) * kl: a float64 logp still gives a float64
loss, but beta = 0.04 rounded to float32 (0.03999999910...) moves the loss by ~1e-8 relative,
which a float64 computation must not lose.

Fix: use the Python float beta itself (beta * kl), so the loss is computed in logp's dtype.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp: torch.Tensor, logp_old: torch.Tensor, logp_ref: torch.Tensor,
              advantages: torch.Tensor, mask: torch.Tensor, clip_eps: float = 0.2,
              beta: float = 0.04) -> torch.Tensor:
    keep = mask.bool() if mask.dtype == torch.bool else mask > 0
    # Padding values never enter the arithmetic: replaced by 0 BEFORE exp, so that a huge
    # finite padding value can make neither the loss nor a gradient inf/NaN (a where() after
    # the exp would still send 0 * inf = NaN back through the unused branch).
    zero = torch.zeros((), dtype=logp.dtype, device=logp.device)
    logp = torch.where(keep, logp, zero)
    logp_old = torch.where(keep, logp_old.detach(), zero)
    logp_ref = torch.where(keep, logp_ref.detach(), zero)
    mask = keep.to(logp.dtype)
    adv = advantages.detach().to(logp.dtype)[:, None]  # (B, 1): one value per sequence

    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    kl = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = surrogate - torch.tensor(beta) * kl

    per_token = torch.where(keep, per_token, torch.zeros_like(per_token))
    per_sequence = per_token.sum(dim=-1) / mask.sum(dim=-1)
    return -per_sequence.mean()
