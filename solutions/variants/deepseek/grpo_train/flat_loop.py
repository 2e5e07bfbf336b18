"""One flat loop with explicit indexing (torch.gather on log_softmax, advantages by a manual
view), stats via statistics.fmean, sparkline with integer arithmetic on the scaled value."""

import math
import statistics

import torch

from solutions.deepseek.grpo_train import (AdditionTask, StepStats, TinyPolicy,  # noqa: F401
                                           plot_rewards)
from katas.deepseek.grpo import group_advantages, grpo_loss


def grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None):
    if steps < 0:
        raise ValueError("steps must not be negative")
    if prompts_per_step < 1:
        raise ValueError("prompts_per_step must be at least 1")
    if group_size < 2:
        raise ValueError("group_size must be at least 2")
    if inner_updates < 1:
        raise ValueError("inner_updates must be at least 1")
    n = prompts_per_step * group_size
    history = []
    for step in range(steps):
        prompts = task.sample_prompts(prompts_per_step, generator)
        with torch.no_grad():
            dist = policy(prompts).softmax(-1)
            picks = torch.multinomial(dist, group_size, replacement=True, generator=generator)
            rows = prompts[torch.arange(prompts_per_step).repeat_interleave(group_size)]
            picks = picks.view(n, 1)
            rewards = task.reward(rows, picks.view(n))
            adv = group_advantages(rewards.view(prompts_per_step, group_size)).view(n)
            old = torch.gather(policy(rows).log_softmax(-1), 1, picks)
            ref = torch.gather(reference(rows).log_softmax(-1), 1, picks)
        mask = torch.ones(n, 1, dtype=torch.bool)
        losses = []
        for _ in range(inner_updates):
            new = torch.gather(policy(rows).log_softmax(-1), 1, picks)
            loss = grpo_loss(new, old, ref, adv, mask, clip_eps=clip_eps, beta=beta)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
        diff = ref - old
        kl = statistics.fmean((torch.exp(diff) - diff - 1).view(n).tolist())
        s = StepStats(reward=statistics.fmean(rewards.tolist()), kl=kl,
                      loss=statistics.fmean(losses))
        history.append(s)
        if on_step is not None:
            on_step(step, s)
    return history


def sparkline(values):
    xs = [float(v) for v in values]
    for x in xs:
        if math.isnan(x) or math.isinf(x):
            raise ValueError(f"sparkline: {x} is not a finite number")
    if not xs:
        return ""
    lo, hi = min(xs), max(xs)
    out = []
    for x in xs:
        k = 0 if hi == lo else min(7, math.floor((x - lo) / (hi - lo) * 8))
        out.append(chr(0x2581 + k))
    return "".join(out)
