"""Day 32 — deepseek/grpo: GRPO loss (DeepSeekMath, arXiv 2402.03300).

Group Relative Policy Optimization drops PPO's value model: for every question q the old
policy samples a GROUP of G outputs o_1..o_G, a reward model (or a checker) scores them
r_1..r_G, and each output's advantage is its reward measured against its own group.

Write:
    group_advantages(rewards, eps=1e-4) -> advantages, same shape and dtype as rewards.
        rewards: (n_groups, G) float32/float64, row g holding the rewards of the G outputs
            sampled for question g (G >= 2; n_groups may be 1).
        Outcome supervision: every output gets ONE advantage, normalised within its group:
            A[g, i] = (r[g, i] - mean_g) / (std_g + eps)
        mean_g, std_g: the mean and standard deviation of row g ONLY (never of the whole
        batch), std_g the UNBIASED (Bessel-corrected, divide by G - 1) standard deviation,
        torch.std's default, as in Hugging Face TRL's GRPOTrainer.
        Guard: a group whose rewards are all equal carries no signal; its advantages are 0
        (finite, never NaN or inf). The eps in the denominator gives exactly that.

    grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04)
        -> a 0-dim tensor (the loss to minimise), dtype and device of logp, computed in that
        dtype (float64 in float64: clip_eps and beta used as the floats given, not as float32
        tensors; likewise eps in group_advantages, in the rewards' dtype).
        B = n_groups * G sequences (a flattened group_advantages(...) gives `advantages`),
        T = the padded completion length.
        logp:       (B, T) log pi_theta(o_t | q, o_<t) of the sampled tokens, current policy
                    (the only input gradients flow into).
        logp_old:   (B, T) the same under pi_old, the policy that sampled the outputs.
        logp_ref:   (B, T) the same under pi_ref, the frozen reference model.
        advantages: (B,) one advantage per sequence, the same for each of its tokens; a
                    constant like logp_old and logp_ref (no gradient reaches it, even when the
                    caller's rewards came from a model that requires grad).
        mask:       (B, T) bool or 0./1. float, True on the completion's tokens and False on
                    padding (anywhere in the row); every row has at least one True.
        Per token t of sequence i (only where mask is True; |o_i| = mask[i].sum()):
            rho_t = exp(logp - logp_old)                      (probability ratio)
            surr_t = min(rho_t * A_i, clip(rho_t, 1 - clip_eps, 1 + clip_eps) * A_i)
            kl_t = exp(logp_ref - logp) - (logp_ref - logp) - 1
                 = pi_ref/pi - log(pi_ref/pi) - 1   (>= 0, an unbiased estimate of
                                                     KL(pi_theta || pi_ref))
        loss = - (1/B) * sum_i (1/|o_i|) * sum_t (surr_t - beta * kl_t)
        i.e. average over each sequence's own tokens first (short and long completions
        weigh the same), then over the B sequences. The KL is its own term in the loss,
        not a penalty folded into the reward or the advantage.
        Log-probs of real tokens can be very negative (a sampled rare token: -150 and
        below, where float32 exp underflows to 0): build rho and pi_ref/pi from DIFFERENCES
        of log-probs as written above, never as exp(logp) / exp(logp_old).
        logp_old, logp_ref and advantages are constants: detach them inside (the caller may pass
        tensors that require grad, or logp itself when pi_old is pi_theta).
        Consequence (one update per sampling stage, rho = 1, beta = 0): the gradient of the
        loss w.r.t. logp[i, t] is -A_i / (|o_i| * B) on completion tokens, 0 on padding:
        the policy gradient A * grad log pi.
        Padding: whatever (finite) values logp, logp_old, logp_ref hold where mask is False
        change nothing, neither the loss nor any gradient, even values like +-1e3 whose exp
        overflows (zeroing the padded terms AFTER an exp still sends 0 * inf = NaN back through
        the backward: keep padding out of the arithmetic).

Off limits: none.
Inputs must not be modified.
Run: pytest katas/deepseek/grpo.py
"""

import torch


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """(n_groups, G) rewards -> (n_groups, G) group-normalised advantages."""
    raise NotImplementedError


def grpo_loss(logp: torch.Tensor, logp_old: torch.Tensor, logp_ref: torch.Tensor,
              advantages: torch.Tensor, mask: torch.Tensor, clip_eps: float = 0.2,
              beta: float = 0.04) -> torch.Tensor:
    """The GRPO loss (a 0-dim tensor to minimise) for (B, T) per-token log-probs."""
    raise NotImplementedError
