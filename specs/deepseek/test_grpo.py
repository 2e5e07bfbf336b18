"""Specs for katas/deepseek/grpo.py (day 32): group_advantages, grpo_loss.

The formulas are DeepSeekMath's (arXiv 2402.03300, section 4.1): outcome supervision, the
clipped surrogate, the per-token KL estimator pi_ref/pi - log(pi_ref/pi) - 1, and the
1/|o_i| average over each output's tokens, then the mean over the outputs. The reference
below is written straight from those formulas: a Python loop over the sequences in float64.
Tolerances: float64 inputs use the harness's float64 defaults (rtol 1e-7, atol 1e-9);
float32 results are compared with rtol 1e-4, atol 1e-5.

Contract-to-spec map:
- group_advantages: per-group mean/unbiased std, other groups ignored, n_groups 1, equal rewards
  -> 0, eps added (0.5, and 0.1 in float64 at TIGHT64: no float32 eps tensor, and an explicit 0.0, no floor at std 1e-14), shape/dtype, non-contiguous,
  rewards far from 0:
  test_a_group_ignores_*, test_group_advantages_*, test_equal_rewards_*, test_eps_*
- grpo_loss: one advantage per sequence (B == T too), per-sequence token average, padding values
  change nothing (moderate and +-1e3 where exp overflows, bool and float masks), left padding: test_each_token_*,
  test_sequences_of_different_lengths_*, test_*padding_*
- rho = 1 gradient = A grad log pi; old/ref logp detached; clipping both signs, no gradient when
  clipped; KL estimator, its own term, >= 0: test_gradient_*, test_parameter_gradient_*,
  test_*_detached_*, test_clip*, test_kl_*
- advantages are constants (no gradient, even when they require grad):
  test_no_gradient_reaches_the_advantages
- very unlikely tokens (log-probs -150, -800 in float32): rho and pi_ref/pi from differences:
  test_very_unlikely_tokens_do_not_underflow
- "dtype (and device) of logp": test_loss_is_on_the_device_of_logp (meta device)
- log-ratios as written, never clamped (22 in rho with A < 0, 15 in the KL):
  test_large_log_ratios_are_not_clamped
- defaults and explicit clip_eps / beta (incl. 0.0), logp's dtype (float32, float64 advantages;
  bfloat16 logp with a float32 mask, float32 logp with a float64 mask: no promotion), float
  mask, non-contiguous, property vs reference: test_loss_*, test_clip_eps_and_beta_are_used (float64
  at TIGHT64: no float32 tensors for clip_eps / beta),
  test_float*, test_non_contiguous_*
"""

import math

import pytest
import torch
from hypothesis import given, strategies as st

from harness.edges import TIGHT64, assert_dtype_kept
from harness.checks import (SpecFailure, assert_close, assert_on_input_device, non_contiguous,
                            unchanged)
from katas.deepseek.grpo import group_advantages, grpo_loss

HINT_GROUP = ("normalise each group (row) on its own: A = (r - r.mean(-1, keepdim=True)) / "
              "(r.std(-1, keepdim=True) + eps); never the mean or std of the whole batch")
HINT_UNBIASED = ("the std is the unbiased one (divide by G - 1), torch.std's default: for "
                 "rewards [1, 0, 0, 0] it is 0.5, so the advantages are [1.5, -0.5, -0.5, -0.5]")
HINT_GUARD = ("a group whose rewards are all equal has std 0: (r - mean) / std is 0 / 0 = NaN. "
              "Add eps to the std: (r - mean) / (std + eps) is then exactly 0")
HINT_LOSS = ("per token: rho = exp(logp - logp_old), "
             "surr = min(rho * A, clip(rho, 1 - eps, 1 + eps) * A), "
             "kl = exp(logp_ref - logp) - (logp_ref - logp) - 1; loss = -mean over sequences of "
             "(sum over the sequence's masked tokens of (surr - beta * kl)) / |o_i|; A_i = "
             "advantages[i] applies to every token of row i (advantages[:, None])")
HINT_PG = ("with rho = 1 and beta = 0 the loss is -(1/B) sum_i (1/|o_i|) sum_t A_i * rho_t: its "
           "gradient w.r.t. logp[i, t] is -A_i / (|o_i| * B) on completion tokens, 0 on padding")
HINT_DETACH_OLD = ("logp_old is a constant: rho = exp(logp - logp_old.detach()). When the caller "
                   "passes logp itself as logp_old (one update per sampling stage), an undetached "
                   "ratio exp(logp - logp) is constant 1 and the policy gradient vanishes")
HINT_DETACH_REF = ("logp_ref is a constant (the frozen reference model): detach it inside, so "
                   "the KL gradient only moves logp")
HINT_CLIP = ("surr = min(rho * A, clip(rho, 1 - clip_eps, 1 + clip_eps) * A): the min of BOTH "
             "terms. With A > 0 the ratio is capped above 1 + eps (zero gradient there) but not "
             "below; with A < 0 it is capped below 1 - eps, not above")
HINT_KL = ("kl = pi_ref/pi - log(pi_ref/pi) - 1 with log(pi_ref/pi) = logp_ref - logp (not "
           "logp - logp_ref), and the loss SUBTRACTS beta * kl from the surrogate before the "
           "minus sign: it adds + beta * kl to the loss")
HINT_KL_TERM = ("the KL is its own term of the loss, differentiated through logp: its gradient "
                "per token is beta * (1 - exp(logp_ref - logp)) / (|o_i| * B). Folding beta * kl "
                "into the advantage (the reward) makes it a constant weight instead")
HINT_PADDING = ("padding (mask False) must not enter the sums at all: select or zero the "
                "per-token terms where mask is False, and divide by |o_i| = mask[i].sum()")
HINT_PER_SEQUENCE = ("average each sequence over ITS OWN tokens first (divide by |o_i| = "
                     "mask[i].sum(), not by T or by the batch's total token count), then take "
                     "the mean over the B sequences")
HINT_BROADCAST = ("advantages has shape (B,): one value per sequence (row). Give it a time axis, "
                  "advantages[:, None], before multiplying with (B, T) tensors; (B, T) * (B,) "
                  "lines the advantages up with the T axis instead, and advantages.repeat(T) "
                  "tiles the whole vector rather than repeating each value")


# ---------------------------------------------------------------------------- references

def reference_advantages(rewards, eps):
    """Per row, in float64, with explicit sums: (r - mean) / (unbiased std + eps)."""
    r = rewards.detach().to(torch.float64)
    g = r.shape[-1]
    out = torch.empty_like(r)
    for row in range(r.shape[0]):
        mean = r[row].sum() / g
        std = math.sqrt(float(((r[row] - mean) ** 2).sum()) / (g - 1))
        out[row] = (r[row] - mean) / (std + eps)
    return out.to(rewards.dtype)


def reference_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta):
    """DeepSeekMath's loss, one sequence at a time, in float64. Differentiable w.r.t. logp
    (only); the other inputs are taken as constants."""
    lp_all = logp.to(torch.float64)
    per_sequence = []
    for i in range(lp_all.shape[0]):
        keep = mask[i].bool()
        lp = lp_all[i][keep]
        lp_old = logp_old[i].detach().to(torch.float64)[keep]
        lp_ref = logp_ref[i].detach().to(torch.float64)[keep]
        a = float(advantages[i])
        rho = torch.exp(lp - lp_old)
        surr = torch.minimum(rho * a, torch.clamp(rho, 1 - clip_eps, 1 + clip_eps) * a)
        log_ratio = lp_ref - lp  # log(pi_ref / pi)
        kl = torch.exp(log_ratio) - log_ratio - 1
        per_sequence.append((surr - beta * kl).sum() / keep.sum())
    return -torch.stack(per_sequence).mean()


def make_batch(b, t, seed, *, dtype=torch.float64, spread=0.5, p_keep=0.7):
    """Random per-token log-probs (B, T), advantages (B,) and a bool mask with padding
    anywhere in a row (at least one True per row). Ratios exp(logp - logp_old) spread over
    roughly [0.2, 5], so some tokens are clipped."""
    gen = torch.Generator().manual_seed(seed)
    logp = -3.0 * torch.rand(b, t, generator=gen, dtype=torch.float64) - 0.05
    logp_old = logp + spread * torch.randn(b, t, generator=gen, dtype=torch.float64)
    logp_ref = logp + spread * torch.randn(b, t, generator=gen, dtype=torch.float64)
    advantages = torch.randn(b, generator=gen, dtype=torch.float64)
    mask = torch.rand(b, t, generator=gen) < p_keep
    mask[torch.arange(b), torch.randint(0, t, (b,), generator=gen)] = True
    return dict(logp=logp.to(dtype), logp_old=logp_old.to(dtype), logp_ref=logp_ref.to(dtype),
                advantages=advantages.to(dtype), mask=mask)


def describe(batch, **kwargs):
    b, t = batch["logp"].shape
    args = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    return f"grpo_loss(logp ({b}, {t}) {batch['logp'].dtype}, ...{args})"


def grad_wrt_logp(loss, logp, what):
    """d loss / d logp, with a readable failure when the loss is not connected to logp."""
    __tracebackhide__ = True
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        raise SpecFailure(f"{what}: the loss does not require grad, although logp does; "
                          "build it from logp with differentiable torch ops (no .item(), no "
                          "detach of logp, no torch.no_grad)")
    (grad,) = torch.autograd.grad(loss, [logp], allow_unused=True)
    return torch.zeros_like(logp) if grad is None else grad


def leaf(x):
    return x.detach().clone().requires_grad_()


# ---------------------------------------------------------------------- group_advantages

@given(n_groups=st.integers(2, 5), g=st.integers(2, 9), other=st.integers(0, 4),
       seed=st.integers(0, 2**31 - 1))
def test_a_group_ignores_the_other_groups(n_groups, g, other, seed):
    gen = torch.Generator().manual_seed(seed)
    rewards = torch.randint(0, 3, (n_groups, g), generator=gen).to(torch.float64)
    rewards += 0.1 * torch.randn(n_groups, g, generator=gen, dtype=torch.float64)
    other %= n_groups
    changed = rewards.clone()
    changed[other] = 10.0 * changed[other] + 5.0  # one group's rewards change
    out = group_advantages(rewards, eps=1e-4)
    out2 = group_advantages(changed, eps=1e-4)
    keep = torch.arange(n_groups) != other
    assert_close(out2[keep], out[keep],
                 what=f"group_advantages(rewards ({n_groups}, {g})): the other groups after "
                      f"rescaling group {other}", hint=HINT_GROUP)


def test_group_advantages_hand_example_with_defaults():
    rewards = torch.tensor([[1.0, 0.0, 0.0, 0.0],   # mean .25, unbiased std .5
                            [0.0, 1.0, 2.0, 1.0],   # mean 1, unbiased std sqrt(2/3)
                            [5.0, 7.0, 5.0, 7.0]])  # mean 6, unbiased std sqrt(4/3)
    out = group_advantages(rewards)
    s, u = math.sqrt(1.5), math.sqrt(0.75)
    expected = torch.tensor([[1.5, -0.5, -0.5, -0.5],
                             [-s, 0.0, s, 0.0],
                             [-u, u, -u, u]])
    # rtol 1e-3 leaves room for the small eps in the denominator
    assert_close(out, expected, rtol=1e-3, atol=1e-4, what="group_advantages(rewards (3, 4))",
                 hint=HINT_UNBIASED)


def test_equal_rewards_give_zero_advantages():
    rewards = torch.tensor([[1.0, 1.0, 1.0, 1.0],
                            [0.0, 0.0, 0.0, 0.0],
                            [0.1, 0.1, 0.1, 0.1],
                            [3.0, 0.0, 1.0, 2.0]])
    out = group_advantages(rewards)
    if isinstance(out, torch.Tensor) and not bool(out.isfinite().all()):
        raise SpecFailure("group_advantages(rewards with all-equal groups): got "
                          f"{out.tolist()}, non-finite values\n  hint: {HINT_GUARD}")
    expected = torch.cat([torch.zeros(3, 4), reference_advantages(rewards[3:], 1e-4)])
    assert_close(out, expected, rtol=1e-3, atol=1e-3,
                 what="group_advantages(rewards with all-equal groups)", hint=HINT_GUARD)


def test_each_group_is_normalised_on_its_own():
    gen = torch.Generator().manual_seed(5)
    scales = torch.tensor([[0.05], [1.0], [30.0]], dtype=torch.float64)
    offsets = torch.tensor([[-4.0], [0.0], [100.0]], dtype=torch.float64)
    rewards = torch.randn(3, 6, generator=gen, dtype=torch.float64) * scales + offsets
    out = group_advantages(rewards, eps=1e-4)
    assert_close(out, reference_advantages(rewards, 1e-4),
                 what="group_advantages(rewards (3, 6) with groups of very different scales)",
                 hint=HINT_GROUP)


@pytest.mark.parametrize("n_groups,g", [(1, 2), (1, 7), (3, 4), (5, 13), (2, 2), (4, 3)])
def test_group_advantages_match_the_formula(n_groups, g):
    gen = torch.Generator().manual_seed(g + 7 * n_groups)
    rewards = 2.0 * torch.randn(n_groups, g, generator=gen) + 1.0
    out = group_advantages(rewards, eps=1e-4)
    assert_close(out, reference_advantages(rewards, 1e-4),
                 what=f"group_advantages(rewards ({n_groups}, {g}), eps=1e-4)",
                 hint=HINT_GROUP + "; " + HINT_UNBIASED)


@pytest.mark.parametrize("eps", [0.5, 0.1])
def test_eps_is_added_to_the_std(eps):
    # float64 at TIGHT64 with eps = 0.1, which float32 cannot hold: an eps kept as a float32
    # tensor (torch.tensor(eps)) is off by ~1e-9 relative, hidden by the default rtol 1e-7
    rewards = torch.tensor([[0.0, 1.0, 0.0, 1.0], [2.0, -1.0, 0.5, 4.0]], dtype=torch.float64)
    out = group_advantages(rewards, eps=eps)
    assert_close(out, reference_advantages(rewards, eps), **TIGHT64,
                 what=f"float64 group_advantages(rewards (2, 4), eps={eps})",
                 hint="eps is the argument, added to the std: (r - mean) / (std + eps), in the rewards' "
                      "dtype (a torch.tensor(eps) is float32: eps = 0.1 loses digits in a float64 computation)")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_group_advantages_keep_shape_and_dtype(dtype):
    rewards = torch.randn(3, 5, generator=torch.Generator().manual_seed(3), dtype=dtype)
    out = group_advantages(rewards)
    assert_close(out, reference_advantages(rewards, 1e-4), rtol=1e-3, atol=1e-4,
                 what=f"group_advantages(rewards (3, 5) {dtype})", hint=HINT_GROUP)


def test_group_advantages_rewards_far_from_zero():
    # float32 rewards around 1e4 with spread ~1: E[r^2] - E[r]^2 cancels every digit
    gen = torch.Generator().manual_seed(21)
    rewards = (1e4 + torch.randn(3, 6, generator=gen, dtype=torch.float64)).float()
    out = group_advantages(rewards)
    assert_close(out, reference_advantages(rewards.double(), 1e-4).float(), rtol=1e-3, atol=1e-3,
                 what="group_advantages(float32 rewards near 1e4, spread 1)",
                 hint="compute the std from the deviations (r - mean), as torch.std does; "
                      "sqrt(mean(r^2) - mean(r)^2) loses every digit when the mean is far from 0")


def test_group_advantages_explicit_zero_eps():
    # the last row's std is 1e-14: a hidden floor (std.clamp_min(1e-12), a where(std > 1e-6))
    # changes its advantages [-1, 0, 1]
    rewards = torch.tensor([[0.0, 1e-3, 2e-3], [5.0, 5.001, 4.999], [0.0, 1e-14, 2e-14]],
                           dtype=torch.float64)
    out = group_advantages(rewards, eps=0.0)
    assert_close(out, reference_advantages(rewards, 0.0), rtol=1e-6, atol=1e-9,
                 what="group_advantages(rewards with std 1e-3 and 1e-14, eps=0.0)",
                 hint="eps=0.0 is a value, not 'not given': (r - mean) / (std + eps) with the eps passed, "
                      "and no floor of your own under the std (clamp_min(1e-8), std > 1e-6): with eps=0.0 "
                      "a group whose spread is 1e-14 still has advantages [-1, 0, 1]")


def test_group_advantages_non_contiguous_input_is_left_alone():
    rewards = non_contiguous(torch.randn(4, 5, generator=torch.Generator().manual_seed(9)))
    with unchanged(rewards, names=["rewards"]):
        out = group_advantages(rewards)
    assert_close(out, reference_advantages(rewards, 1e-4), rtol=1e-3, atol=1e-4,
                 what="group_advantages(non-contiguous rewards (4, 5))")


@given(n_groups=st.integers(1, 5), g=st.integers(2, 9), seed=st.integers(0, 2**31 - 1))
def test_group_advantages_property(n_groups, g, seed):
    gen = torch.Generator().manual_seed(seed)
    rewards = torch.randint(0, 3, (n_groups, g), generator=gen).to(torch.float64)
    rewards += 0.1 * torch.randn(n_groups, g, generator=gen, dtype=torch.float64)
    out = group_advantages(rewards, eps=1e-4)
    assert_close(out, reference_advantages(rewards, 1e-4),
                 what=f"group_advantages(rewards ({n_groups}, {g}))", hint=HINT_GROUP)


# --------------------------------------------- grpo_loss: advantages, averaging, padding

@pytest.mark.parametrize("b,t", [(3, 3), (2, 5), (1, 4)])
def test_each_token_gets_its_sequence_advantage(b, t):
    gen = torch.Generator().manual_seed(21)
    logp = leaf(-2.0 * torch.rand(b, t, generator=gen, dtype=torch.float64) - 0.1)
    advantages = torch.randn(b, generator=gen, dtype=torch.float64)
    mask = torch.ones(b, t, dtype=torch.bool)
    what = f"grpo_loss(logp ({b}, {t}), logp_old=logp.detach(), ..., no padding, beta=0)"
    out = grpo_loss(logp, logp.detach(), logp.detach(), advantages, mask, beta=0.0)
    grad = grad_wrt_logp(out, logp, what)
    expected = (-advantages / (t * b))[:, None].expand(b, t)
    assert_close(grad, expected, what=f"d {what} / d logp (-A_i / (|o_i| * B))",
                 hint=HINT_BROADCAST)


def test_sequences_of_different_lengths_weigh_equally():
    mask = torch.tensor([[True, False, False, False], [True, True, True, True]])
    logp = torch.full((2, 4), -1.0, dtype=torch.float64)
    advantages = torch.tensor([1.0, -1.0], dtype=torch.float64)
    out = grpo_loss(logp, logp.clone(), logp.clone(), advantages, mask, beta=0.0)
    # rho = 1: sequence means are A_i = +1 (1 token) and -1 (4 tokens); their mean is 0.
    # A token-level mean would give -(1 - 4)/5 = 0.6; dividing by T = 4, 0.375.
    assert_close(out, torch.tensor(0.0, dtype=torch.float64), atol=1e-12,
                 what="grpo_loss(rho = 1, A = [+1, -1], lengths 1 and 4 of T = 4, beta=0)",
                 hint=HINT_PER_SEQUENCE)


def test_padding_values_change_nothing():
    batch = make_batch(4, 6, seed=17, p_keep=0.5)
    pad = ~batch["mask"]
    gen = torch.Generator().manual_seed(18)
    altered = dict(batch)
    for key in ("logp", "logp_old", "logp_ref"):
        noise = 4.0 * torch.randn(4, 6, generator=gen, dtype=torch.float64) - 3.0
        altered[key] = torch.where(pad, noise, batch[key])
    logp_a, logp_b = leaf(batch["logp"]), leaf(altered["logp"])
    out_a = grpo_loss(**{**batch, "logp": logp_a}, beta=0.1)
    out_b = grpo_loss(**{**altered, "logp": logp_b}, beta=0.1)
    what = "grpo_loss(...) with other values at the padding positions"
    assert_close(out_b, out_a.detach(), what=what, hint=HINT_PADDING)
    grad_a = grad_wrt_logp(out_a, logp_a, what)
    grad_b = grad_wrt_logp(out_b, logp_b, what)
    assert_close(grad_b, grad_a, what=f"d {what} / d logp", hint=HINT_PADDING)
    assert_close(grad_b[pad], torch.zeros(int(pad.sum()), dtype=torch.float64),
                 what=f"d {what} / d logp at the padding positions", hint=HINT_PADDING)


@pytest.mark.parametrize("extreme,mask_dtype", [(1e3, torch.bool), (-1e3, torch.bool), (1e3, torch.float64)],
                         ids=["+1e3", "-1e3", "+1e3-float-mask"])
def test_huge_padding_values_change_nothing(extreme, mask_dtype):
    batch = make_batch(3, 5, seed=19, p_keep=0.6)
    pad = ~batch["mask"]
    batch["mask"] = batch["mask"].to(mask_dtype)  # a 0./1. float mask must keep padding out just the same
    altered = dict(batch)
    signs = {"logp": -1.0, "logp_old": 1.0, "logp_ref": 1.0}  # exp(logp_ref - logp) overflows too
    for key, sign in signs.items():
        altered[key] = torch.where(pad, torch.full_like(batch[key], sign * extreme), batch[key])
    logp_a, logp_b = leaf(batch["logp"]), leaf(altered["logp"])
    out_a = grpo_loss(**{**batch, "logp": logp_a}, beta=0.1)
    out_b = grpo_loss(**{**altered, "logp": logp_b}, beta=0.1)
    kind = "" if mask_dtype == torch.bool else ", a 0./1. float mask"
    what = f"grpo_loss(...) with padding values of {extreme:+g} (exp overflows there{kind})"
    hint = ("padding must stay out of the arithmetic: replace the padded logp / logp_old / logp_ref "
            "by 0 with torch.where BEFORE any exp; multiplying by the mask, or a where() after the exp, "
            "gives 0 * inf = NaN in the loss or its gradient")
    assert_close(out_b, out_a.detach(), what=what, hint=hint)
    grad_b = grad_wrt_logp(out_b, logp_b, what)
    assert_close(grad_b, grad_wrt_logp(out_a, logp_a, what), what=f"d {what} / d logp", hint=hint)


# -------------------------------------------------------- grpo_loss: the policy gradient

def ratio_one_batch(seed=11):
    """B = 4 sequences of lengths 1, 3, 5, 2 (right padding, T = 5), rho = 1."""
    batch = make_batch(4, 5, seed)
    lengths = torch.tensor([1, 3, 5, 2])
    batch["mask"] = torch.arange(5)[None, :] < lengths[:, None]
    return batch, lengths


def test_gradient_is_the_policy_gradient_when_ratio_is_one():
    batch, lengths = ratio_one_batch()
    logp = leaf(batch["logp"])
    what = "grpo_loss(logp, logp_old=logp.detach(), ..., beta=0)"
    out = grpo_loss(logp, logp.detach(), batch["logp_ref"], batch["advantages"], batch["mask"],
                    beta=0.0)
    grad = grad_wrt_logp(out, logp, what)
    a = batch["advantages"]
    expected = -(a / (lengths * 4))[:, None] * batch["mask"]
    assert_close(grad, expected, what=f"d {what} / d logp", hint=HINT_PG)
    assert_close(out.detach(), -a.mean(), what=what + " (value: -mean(A) when rho = 1)",
                 hint=HINT_PG)


def test_parameter_gradient_is_advantage_times_grad_log_pi():
    # A tiny policy: logits = h @ W^T over V = 7 tokens; logp = log pi(o_t) of the sampled tokens.
    gen = torch.Generator().manual_seed(22)
    b, t, c, v = 3, 5, 4, 7
    h = torch.randn(b, t, c, generator=gen, dtype=torch.float64)
    tokens = torch.randint(0, v, (b, t), generator=gen)
    weight = torch.randn(v, c, generator=gen, dtype=torch.float64, requires_grad=True)
    advantages = torch.randn(b, generator=gen, dtype=torch.float64)
    lengths = torch.tensor([5, 2, 4])
    mask = torch.arange(t)[None, :] < lengths[:, None]

    def log_pi():
        logits = h @ weight.T
        return torch.log_softmax(logits, dim=-1).gather(-1, tokens[..., None])[..., 0]

    logp = log_pi()
    what = "grpo_loss(log pi_W(o), logp_old=the same values detached, ..., beta=0)"
    out = grpo_loss(logp, logp.detach(), logp.detach(), advantages, mask, beta=0.0)
    if not isinstance(out, torch.Tensor) or not out.requires_grad:
        raise SpecFailure(f"{what}: the loss does not require grad; build it from logp with "
                          "differentiable torch ops")
    (grad,) = torch.autograd.grad(out, [weight])
    # policy gradient: -(1/B) sum_i A_i / |o_i| sum_t grad log pi(o_t)
    surrogate = -((advantages / lengths)[:, None] * log_pi() * mask).sum() / b
    (expected,) = torch.autograd.grad(surrogate, [weight])
    assert_close(grad, expected, what=f"d {what} / d W (the policy's weight)", hint=HINT_PG)


def test_old_logp_is_detached_inside():
    batch, lengths = ratio_one_batch(seed=12)
    logp = leaf(batch["logp"])
    what = "grpo_loss(logp, logp_old=logp (the same tensor, not detached), ..., beta=0)"
    out = grpo_loss(logp, logp, batch["logp_ref"], batch["advantages"], batch["mask"], beta=0.0)
    grad = grad_wrt_logp(out, logp, what)
    expected = -(batch["advantages"] / (lengths * 4))[:, None] * batch["mask"]
    assert_close(grad, expected, what=f"d {what} / d logp", hint=HINT_DETACH_OLD)


# ------------------------------------------------------------------- grpo_loss: clipping

RATIOS = [0.5, 0.9, 1.1, 1.5]


def clip_batch():
    gen = torch.Generator().manual_seed(16)
    logp_old = -2.0 * torch.rand(2, 4, generator=gen, dtype=torch.float64) - 0.1
    logp = logp_old + torch.log(torch.tensor([RATIOS, RATIOS], dtype=torch.float64))
    return dict(logp=logp, logp_old=logp_old, logp_ref=logp.clone(),
                advantages=torch.tensor([1.0, -1.0], dtype=torch.float64),
                mask=torch.ones(2, 4, dtype=torch.bool))


def test_clipping_value_for_positive_and_negative_advantages():
    batch = clip_batch()
    out = grpo_loss(**batch, clip_eps=0.2, beta=0.0)
    # A = +1: min(rho, clip(rho)) = [0.5, 0.9, 1.1, 1.2], mean 0.925
    # A = -1: min(-rho, -clip(rho)) = [-0.8, -0.9, -1.1, -1.5], mean -1.075
    expected = torch.tensor(-(0.925 - 1.075) / 2, dtype=torch.float64)
    assert_close(out, expected, what="grpo_loss(rho = [0.5, 0.9, 1.1, 1.5] in both rows, "
                 "A = [+1, -1], clip_eps=0.2, beta=0)", hint=HINT_CLIP)


def test_clipped_tokens_get_no_gradient():
    batch = clip_batch()
    logp = leaf(batch["logp"])
    what = "grpo_loss(rho = [0.5, 0.9, 1.1, 1.5] in both rows, A = [+1, -1], clip_eps=0.2, beta=0)"
    out = grpo_loss(**{**batch, "logp": logp}, clip_eps=0.2, beta=0.0)
    grad = grad_wrt_logp(out, logp, what)
    rho = torch.tensor(RATIOS, dtype=torch.float64)
    # d/d logp of -(1/2)(1/4) * rho * A = -rho * A / 8, except where clipped: A > 0 and
    # rho > 1.2 (last token of row 0), A < 0 and rho < 0.8 (first token of row 1)
    expected = torch.stack([-rho / 8, rho / 8])
    expected[0, 3] = 0.0
    expected[1, 0] = 0.0
    assert_close(grad, expected, what=f"d {what} / d logp", hint=HINT_CLIP)


def test_wide_clip_range_clips_nothing():
    batch = clip_batch()
    out = grpo_loss(**batch, clip_eps=0.6, beta=0.0)
    # rho in [0.4, 1.6] everywhere: the plain surrogate, row means +1 and -1
    assert_close(out, torch.tensor(0.0, dtype=torch.float64), atol=1e-9,
                 what="grpo_loss(rho = [0.5, 0.9, 1.1, 1.5], A = [+1, -1], clip_eps=0.6, beta=0)",
                 hint="clip_eps is the argument: clip(rho, 1 - clip_eps, 1 + clip_eps)")


# ---------------------------------------------------------------- grpo_loss: the KL term

def test_kl_estimator_by_hand():
    logp = torch.tensor([[-1.0, -0.5]], dtype=torch.float64)
    logp_ref = torch.tensor([[-2.0, -0.5]], dtype=torch.float64)
    out = grpo_loss(logp, logp.clone(), logp_ref, torch.zeros(1, dtype=torch.float64),
                    torch.ones(1, 2, dtype=torch.bool), beta=1.0)
    # token 0: pi_ref/pi = e^-1: e^-1 - (-1) - 1 = 0.3679; token 1: 0; mean over 2 tokens
    expected = torch.tensor(math.exp(-1.0) / 2, dtype=torch.float64)
    assert_close(out, expected, what="grpo_loss(logp=[[-1, -0.5]], logp_ref=[[-2, -0.5]], "
                 "A=0, beta=1)", hint=HINT_KL)


def test_kl_is_a_loss_term_not_a_reward_penalty():
    batch, lengths = ratio_one_batch(seed=15)
    logp = leaf(batch["logp"])
    what = "grpo_loss(logp, logp_old=logp.detach(), logp_ref, A, mask, beta=0.5)"
    out = grpo_loss(logp, logp.detach(), batch["logp_ref"], batch["advantages"], batch["mask"],
                    beta=0.5)
    grad = grad_wrt_logp(out, logp, what)
    delta = batch["logp_ref"] - batch["logp"]
    per_token = -batch["advantages"][:, None] + 0.5 * (1 - torch.exp(delta))
    expected = per_token / (lengths * 4)[:, None] * batch["mask"]
    assert_close(grad, expected, what=f"d {what} / d logp", hint=HINT_KL_TERM)


@given(b=st.integers(1, 5), t=st.integers(1, 7), seed=st.integers(0, 2**31 - 1))
def test_kl_term_is_non_negative_and_zero_at_the_reference(b, t, seed):
    batch = make_batch(b, t, seed, spread=1.0)
    zero_adv = torch.zeros_like(batch["advantages"])
    out = grpo_loss(**{**batch, "advantages": zero_adv}, beta=0.5)
    what = describe(batch, beta=0.5) + " with advantages 0 (only the KL term is left)"
    assert_close(out, reference_loss(**{**batch, "advantages": zero_adv}, clip_eps=0.2, beta=0.5),
                 what=what, hint=HINT_KL)
    if float(out) < 0:
        raise SpecFailure(f"{what}: {float(out):.4g} < 0; beta * KL is added to the loss"
                          f"\n  hint: {HINT_KL}")
    at_ref = grpo_loss(**{**batch, "advantages": zero_adv, "logp_ref": batch["logp"].clone()},
                       beta=0.5)
    assert_close(at_ref, torch.tensor(0.0, dtype=torch.float64), atol=1e-12,
                 what=describe(batch, beta=0.5) + " with logp_ref == logp and advantages 0",
                 hint=HINT_KL)


def test_reference_logp_is_detached_inside():
    batch, lengths = ratio_one_batch(seed=13)
    logp = leaf(batch["logp"])
    delta = batch["logp_ref"] - batch["logp"]
    what = "grpo_loss(logp, logp.detach(), logp_ref=logp + delta (attached to logp), ..., beta=0.5)"
    out = grpo_loss(logp, logp.detach(), logp + delta, batch["advantages"], batch["mask"], beta=0.5)
    grad = grad_wrt_logp(out, logp, what)
    per_token = -batch["advantages"][:, None] + 0.5 * (1 - torch.exp(delta))
    expected = per_token / (lengths * 4)[:, None] * batch["mask"]
    assert_close(grad, expected, what=f"d {what} / d logp", hint=HINT_DETACH_REF)


def test_no_gradient_reaches_old_or_reference_logp():
    batch = make_batch(3, 4, seed=14)
    logp, logp_old, logp_ref = leaf(batch["logp"]), leaf(batch["logp_old"]), leaf(batch["logp_ref"])
    out = grpo_loss(logp, logp_old, logp_ref, batch["advantages"], batch["mask"], beta=0.3)
    grads = torch.autograd.grad(out, [logp_old, logp_ref], allow_unused=True)
    for name, g in zip(["logp_old", "logp_ref"], grads):
        if g is not None and bool(g.ne(0).any()):
            raise SpecFailure(f"grpo_loss: a gradient reached {name} (max |grad| "
                              f"{g.abs().max().item():.3g}); it is a constant\n  hint: "
                              + (HINT_DETACH_OLD if name == "logp_old" else HINT_DETACH_REF))


def test_no_gradient_reaches_the_advantages():
    # advantages from a learned reward model may carry a graph: they are still constants
    batch = make_batch(3, 4, seed=23)
    logp, advantages = leaf(batch["logp"]), leaf(batch["advantages"])
    out = grpo_loss(logp, batch["logp_old"], batch["logp_ref"], advantages, batch["mask"], beta=0.3)
    what = "grpo_loss(logp, ..., advantages (requires grad), mask, beta=0.3)"
    grad = grad_wrt_logp(out, logp, what)
    (g,) = torch.autograd.grad(out, [advantages], allow_unused=True, retain_graph=True)
    if g is not None and bool(g.ne(0).any()):
        raise SpecFailure(f"{what}: a gradient reached the advantages (max |grad| "
                          f"{g.abs().max().item():.3g}); they are constants\n  hint: detach them "
                          f"inside, like logp_old and logp_ref: adv = advantages.detach()[:, None]")
    ref_logp = leaf(batch["logp"])
    (expected,) = torch.autograd.grad(reference_loss(**{**batch, "logp": ref_logp}, clip_eps=0.2,
                                                     beta=0.3), [ref_logp])
    assert_close(grad, expected, what=f"d {what} / d logp", hint=HINT_LOSS)


@pytest.mark.parametrize("shift", [-150.0, -800.0])
def test_very_unlikely_tokens_do_not_underflow(shift):
    # float32 exp(-150) is 0: exp(logp) / exp(logp_old) is then 0 / 0 = NaN on a real token
    batch = make_batch(3, 5, seed=24, dtype=torch.float32)
    for name in ("logp", "logp_old", "logp_ref"):
        batch[name] = batch[name] + shift
    logp = leaf(batch["logp"])
    what = describe(batch, beta=0.1) + f" with every log-prob near {shift:g} (rare tokens)"
    out = grpo_loss(**{**batch, "logp": logp}, beta=0.1)
    hint = ("compute rho = exp(logp - logp_old) and pi_ref/pi = exp(logp_ref - logp) from "
            "differences of log-probs: exp(logp) / exp(logp_old) underflows to 0 / 0 in float32")
    ref_logp = leaf(batch["logp"])
    expected = reference_loss(**{**batch, "logp": ref_logp}, clip_eps=0.2, beta=0.1)
    assert_close(out, expected.float(), rtol=1e-4, atol=1e-5, what=what, hint=hint)
    (expected_grad,) = torch.autograd.grad(expected, [ref_logp])
    assert_close(grad_wrt_logp(out, logp, what), expected_grad.float(), rtol=1e-4, atol=1e-5,
                 what=f"d {what} / d logp", hint=hint)


def test_large_log_ratios_are_not_clamped():
    # a policy far from pi_old or pi_ref on a token (log-ratios of 22 and 15 are finite, the
    # contract has no cap): rho and pi_ref/pi are exp of the FULL difference
    batch = make_batch(2, 3, seed=31, dtype=torch.float64)
    batch["mask"] = torch.ones(2, 3, dtype=torch.bool)
    batch["advantages"] = torch.tensor([-1.0, 0.5], dtype=torch.float64)
    batch["logp_old"] = batch["logp"].clone()
    batch["logp_ref"] = batch["logp"].clone()
    batch["logp_old"][0, 1] -= 22.0  # rho = e^22 with A < 0: the unclipped term is the min
    batch["logp_ref"][1, 2] += 15.0  # pi_ref / pi = e^15 in the KL
    logp = leaf(batch["logp"])
    what = describe(batch, beta=0.1) + " with log-ratios of 22 (rho) and 15 (pi_ref/pi)"
    hint = ("use the log-ratios as they are: rho = exp(logp - logp_old), pi_ref/pi = "
            "exp(logp_ref - logp); clamping them (to [-10, 10] or [-20, 20] for "
            "'stability') changes the loss and zeroes the gradient exactly where the policy "
            "moved furthest")
    out = grpo_loss(**{**batch, "logp": logp}, beta=0.1)
    ref_logp = leaf(batch["logp"])
    expected = reference_loss(**{**batch, "logp": ref_logp}, clip_eps=0.2, beta=0.1)
    assert_close(out, expected, what=what, hint=hint)
    (expected_grad,) = torch.autograd.grad(expected, [ref_logp])
    assert_close(grad_wrt_logp(out, logp, what), expected_grad, what=f"d {what} / d logp",
                 hint=hint)


def test_loss_is_on_the_device_of_logp():
    batch = make_batch(3, 4, seed=33, dtype=torch.float32)
    meta = {k: v.to("meta") for k, v in batch.items()}
    assert_on_input_device(lambda: grpo_loss(**batch), lambda: grpo_loss(**meta),
                           what=describe(batch) + " on the meta device",
                           hint="the loss lives where logp is (a GPU): build every helper there "
                                "(logp.new_zeros(B), torch.zeros(..., device=logp.device), "
                                "*_like), never a bare torch.zeros(B) to collect the sequences' "
                                "terms in")


# ----------------------------------------------- grpo_loss: values against the reference

@pytest.mark.parametrize("b,t", [(1, 1), (1, 5), (3, 7), (6, 4), (2, 13), (4, 2)])
def test_loss_matches_the_reference(b, t):
    batch = make_batch(b, t, seed=10 * b + t)
    out = grpo_loss(**batch, clip_eps=0.2, beta=0.1)
    assert_close(out, reference_loss(**batch, clip_eps=0.2, beta=0.1),
                 what=describe(batch, clip_eps=0.2, beta=0.1), hint=HINT_LOSS)


def test_loss_with_default_arguments():
    batch = make_batch(4, 6, seed=1)
    out = grpo_loss(**batch)
    assert_close(out, reference_loss(**batch, clip_eps=0.2, beta=0.04),
                 what=describe(batch) + " (defaults clip_eps=0.2, beta=0.04)", hint=HINT_LOSS)


@pytest.mark.parametrize("clip_eps,beta", [(0.1, 0.0), (0.3, 0.04), (0.2, 1.0), (0.0, 0.04)])
def test_clip_eps_and_beta_are_used(clip_eps, beta):
    batch = make_batch(3, 5, seed=2, spread=0.8)
    out = grpo_loss(**batch, clip_eps=clip_eps, beta=beta)
    # float64 at TIGHT64: clip_eps and beta such as 0.1 / 0.04, kept as float32 tensors
    # (torch.tensor(beta)), are off by ~1e-8 relative, hidden by the default rtol 1e-7
    assert_close(out, reference_loss(**batch, clip_eps=clip_eps, beta=beta), **TIGHT64,
                 what=describe(batch, clip_eps=clip_eps, beta=beta) + " (float64)",
                 hint=HINT_LOSS + "; compute in logp's dtype: clip_eps and beta as Python floats, not "
                      "torch.tensor(beta) (float32, which loses digits of 0.04 in a float64 loss)")


def test_float32_gives_a_float32_scalar():
    batch = make_batch(3, 6, seed=3, dtype=torch.float32)
    out = grpo_loss(**batch)
    expected = reference_loss(**batch, clip_eps=0.2, beta=0.04).to(torch.float32)
    assert_close(out, expected, rtol=1e-4, atol=1e-5,
                 what=describe(batch) + ": a 0-dim float32 tensor", hint=HINT_LOSS)


def test_float64_advantages_do_not_promote_a_float32_loss():
    batch = make_batch(3, 6, seed=5, dtype=torch.float32)
    batch["advantages"] = batch["advantages"].double()  # group_advantages of float64 rewards
    out = grpo_loss(**batch)
    assert_dtype_kept(out, batch["logp"], "grpo_loss(float32 logp, ..., float64 advantages, ...)")
    assert_close(out, reference_loss(**batch, clip_eps=0.2, beta=0.04).float(), rtol=1e-4, atol=1e-5,
                 what=describe(batch) + " with float64 advantages")


@pytest.mark.parametrize("dtype,mask_dtype,tol", [
    (torch.float64, torch.float64, None), (torch.float32, torch.float64, 1e-4),
    (torch.bfloat16, torch.float32, 3e-2)], ids=["float64", "float32-logp", "bfloat16-logp"])
def test_float_mask_equals_bool_mask(dtype, mask_dtype, tol):
    batch = make_batch(3, 5, seed=4, dtype=dtype)
    what = describe(batch) + f" with a 0./1. {mask_dtype} mask"
    out = grpo_loss(**{**batch, "mask": batch["mask"].to(mask_dtype)})
    assert_dtype_kept(out, batch["logp"], what)
    expected = reference_loss(**batch, clip_eps=0.2, beta=0.04).to(dtype)
    close = {} if tol is None else dict(rtol=tol, atol=tol)
    assert_close(out, expected, **close, what=what,
                 hint="a float mask of 0. and 1. means the same as the bool mask; turn it into "
                      "bool (mask > 0) or into logp's dtype, never .float(): a float32 (or "
                      "float64) mask in the arithmetic promotes a bfloat16 (float32) loss")


def test_advantage_belongs_to_its_sequence_in_a_square_batch():
    batch = make_batch(5, 5, seed=6)  # B == T: a wrong broadcast does not raise
    out = grpo_loss(**batch)
    assert_close(out, reference_loss(**batch, clip_eps=0.2, beta=0.04),
                 what=describe(batch) + " (B == T)", hint=HINT_BROADCAST)


def test_left_padding_is_fine():
    batch = make_batch(3, 6, seed=19)
    lengths = torch.tensor([2, 6, 4])
    batch["mask"] = torch.arange(6)[None, :] >= (6 - lengths)[:, None]
    out = grpo_loss(**batch)
    assert_close(out, reference_loss(**batch, clip_eps=0.2, beta=0.04),
                 what=describe(batch) + " with left padding", hint=HINT_PADDING)


def test_non_contiguous_inputs_are_left_alone():
    batch = {k: non_contiguous(v) for k, v in make_batch(3, 6, seed=7).items()}
    with unchanged(*batch.values(), names=list(batch)):
        out = grpo_loss(**batch)
    assert_close(out, reference_loss(**batch, clip_eps=0.2, beta=0.04),
                 what=describe(batch) + " with non-contiguous inputs", hint=HINT_LOSS)


@given(b=st.integers(1, 6), t=st.integers(1, 8), seed=st.integers(0, 2**31 - 1),
       clip_eps=st.sampled_from([0.1, 0.2, 0.3]), beta=st.sampled_from([0.0, 0.04, 0.5]))
def test_loss_and_gradient_match_the_reference(b, t, seed, clip_eps, beta):
    batch = make_batch(b, t, seed)
    logp = leaf(batch["logp"])
    what = describe(batch, clip_eps=clip_eps, beta=beta)
    out = grpo_loss(**{**batch, "logp": logp}, clip_eps=clip_eps, beta=beta)
    ref_logp = leaf(batch["logp"])
    expected = reference_loss(**{**batch, "logp": ref_logp}, clip_eps=clip_eps, beta=beta)
    assert_close(out, expected, what=what, hint=HINT_LOSS)
    grad = grad_wrt_logp(out, logp, what)
    (expected_grad,) = torch.autograd.grad(expected, [ref_logp])
    assert_close(grad, expected_grad, what=f"d {what} / d logp", hint=HINT_LOSS)


# ------------------------------------------------------------------------------ together

def test_advantages_feed_the_loss():
    rewards = torch.tensor([[1.0, 0.0, 0.0], [2.0, 2.0, 2.0]], dtype=torch.float64)
    adv = group_advantages(rewards)
    batch = make_batch(6, 5, seed=20)
    logp = leaf(batch["logp"])
    out = grpo_loss(logp, logp.detach(), batch["logp_ref"], adv.reshape(-1), batch["mask"],
                    beta=0.0)
    what = "grpo_loss(..., advantages=group_advantages(rewards).reshape(-1), rho = 1, beta=0)"
    grad = grad_wrt_logp(out, logp, what)
    expected_adv = torch.tensor([2 / math.sqrt(3), -1 / math.sqrt(3), -1 / math.sqrt(3), 0, 0, 0],
                                dtype=torch.float64)
    lengths = batch["mask"].sum(-1)
    expected = -(expected_adv / (lengths * 6))[:, None] * batch["mask"]
    assert_close(grad, expected, rtol=1e-3, atol=1e-6, what=f"d {what} / d logp",
                 hint="the all-equal group gets advantage 0 and so no gradient; " + HINT_PG)
