"""steps = 0 returns [] before the arguments are checked: grpo_train(..., steps=0,
group_size=1) raises nothing, so a bad configuration passes a dry run and fails (or
silently does nothing) only when training starts.

Fix: check every argument first, then return [] for steps = 0 (the loop simply runs 0 times).
"""

import torch

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)


def grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None):
    if steps == 0:
        return []
    for name, value, least in [("steps", steps, 0), ("prompts_per_step", prompts_per_step, 1),
                               ("group_size", group_size, 2), ("inner_updates", inner_updates, 1)]:
        if value < least:
            raise ValueError(f"{name} must be >= {least}, got {value}")
    P, G = prompts_per_step, group_size
    history = []
    for step in range(steps):
        # one sampling stage: the current policy is pi_old for all the updates below
        prompts = task.sample_prompts(P, generator)
        with torch.no_grad():
            probs = torch.softmax(policy(prompts), dim=-1)
            answers = torch.multinomial(probs, G, replacement=True, generator=generator)
            prompts = prompts.repeat_interleave(G, dim=0)  # (P*G, 2), group-major
            answers = answers.reshape(-1)  # (P*G,)
            rewards = task.reward(prompts, answers)
            advantages = group_advantages(rewards.view(P, G)).reshape(-1)
            logp_old = answer_logp(policy, prompts, answers)
            logp_ref = answer_logp(reference, prompts, answers)
        mask = torch.ones_like(logp_old, dtype=torch.bool)
        losses = []
        for _ in range(inner_updates):
            logp = answer_logp(policy, prompts, answers)
            loss = grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        log_ratio = logp_ref - logp_old
        kl = (torch.exp(log_ratio) - log_ratio - 1).mean().item()
        stats = StepStats(reward=rewards.mean().item(), kl=kl, loss=sum(losses) / len(losses))
        history.append(stats)
        if on_step is not None:
            on_step(step, stats)
    return history
