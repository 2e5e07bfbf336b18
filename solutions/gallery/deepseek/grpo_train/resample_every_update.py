"""A new sampling stage for every inner update: prompts, answers, rewards and log-probs are
drawn again inside the update loop, so pi_old is always the current policy (the ratio is 1,
clipping never acts) and the checker runs inner_updates times per step.

Fix: sample and score once per step, then do the inner updates on that one batch.
"""

import torch

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)


def grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None):
    for name, value, least in [("steps", steps, 0), ("prompts_per_step", prompts_per_step, 1),
                               ("group_size", group_size, 2), ("inner_updates", inner_updates, 1)]:
        if value < least:
            raise ValueError(f"{name} must be >= {least}, got {value}")
    P, G = prompts_per_step, group_size
    history = []
    for step in range(steps):
        losses, rewards_seen, kls = [], [], []
        for _ in range(inner_updates):  # wrong: a sampling stage per update
            prompts = task.sample_prompts(P, generator)
            with torch.no_grad():
                probs = torch.softmax(policy(prompts), dim=-1)
                answers = torch.multinomial(probs, G, replacement=True, generator=generator)
                prompts = prompts.repeat_interleave(G, dim=0)
                answers = answers.reshape(-1)
                rewards = task.reward(prompts, answers)
                advantages = group_advantages(rewards.view(P, G)).reshape(-1)
                logp_old = answer_logp(policy, prompts, answers)
                logp_ref = answer_logp(reference, prompts, answers)
            mask = torch.ones_like(logp_old, dtype=torch.bool)
            logp = answer_logp(policy, prompts, answers)
            loss = grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            rewards_seen.append(rewards.mean().item())
            d = logp_ref - logp_old
            kls.append((torch.exp(d) - d - 1).mean().item())
        stats = StepStats(reward=sum(rewards_seen) / len(rewards_seen), kl=sum(kls) / len(kls),
                          loss=sum(losses) / len(losses))
        history.append(stats)
        if on_step is not None:
            on_step(step, stats)
    return history
